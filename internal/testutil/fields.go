package testutil // import "github.com/otelcol-pan/otelcol-pan/internal/testutil"

import (
	"go/ast"
	"go/constant"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"strings"
	"testing"
)

// FieldNames is every string constant of internal/fields by name, as the
// compiler evaluates it: the record's attribute names and their prefixes
// and suffixes (for tests that check a record or a document against them).
func FieldNames(tb testing.TB) map[string]string {
	tb.Helper()
	root, err := RepoRoot()
	if err != nil {
		tb.Fatal(err)
	}
	fset := token.NewFileSet()
	paths, err := filepath.Glob(filepath.Join(root, "internal", "fields", "*.go"))
	if err != nil {
		tb.Fatal(err)
	}
	var files []*ast.File
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			tb.Fatal(err)
		}
		files = append(files, f)
	}
	pkg, err := (&types.Config{Importer: importer.Default()}).Check("fields", fset, files, nil)
	if err != nil {
		tb.Fatal(err)
	}
	names := map[string]string{}
	for _, n := range pkg.Scope().Names() {
		if c, ok := pkg.Scope().Lookup(n).(*types.Const); ok && c.Val().Kind() == constant.String {
			names[n] = constant.StringVal(c.Val())
		}
	}
	if len(names) == 0 {
		tb.Fatal("internal/fields has no string constants")
	}
	return names
}
