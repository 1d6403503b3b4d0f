// Package docs checks the repository's documentation against the code and
// against itself: every attribute name is documented, every relative link
// resolves inside the repository, the component READMEs carry mdatagen's
// status section, and the example lines of docs/formats.md are what the
// built binary writes.
package docs

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/otelcol-pan/otelcol-pan/internal/testutil"
)

// root is the repository, seen from this package's directory.
const root = "../.."

// Every attribute name, prefix and suffix in internal/fields appears in
// docs/record.md as the start of a code span (`http.request.header.` is
// documented by `http.request.header.<name>`).
func TestRecordDocumentsEveryField(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(root, "docs", "record.md"))
	require.NoError(t, err)
	var missing []string
	for name, value := range testutil.FieldNames(t) {
		if !strings.Contains(string(doc), "`"+value) {
			missing = append(missing, fmt.Sprintf("%s (%q)", name, value))
		}
	}
	sort.Strings(missing)
	assert.Empty(t, missing, "attribute names in internal/fields that docs/record.md does not document")
}

// markdownFiles lists every *.md of the repository, relative to root.
func markdownFiles(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "bin" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".md") {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	require.NoError(t, err)
	require.NotEmpty(t, out)
	return out
}

var (
	codeSpan   = regexp.MustCompile("`+[^`]*`+")
	inlineLink = regexp.MustCompile(`\]\(([^)\s]*)(?:\s+"[^"]*")?\)`)
	refDef     = regexp.MustCompile(`^ {0,3}\[[^\]]+\]:\s*(\S+)`)
	heading    = regexp.MustCompile(`^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$`)
	htmlAnchor = regexp.MustCompile(`<a\s+(?:name|id)="([^"]+)"`)
)

// mdLine is one line of a Markdown file outside fenced code blocks.
type mdLine struct {
	n    int
	text string
}

func proseLines(t *testing.T, file string) []mdLine {
	t.Helper()
	f, err := os.Open(filepath.Join(root, file))
	require.NoError(t, err)
	defer f.Close()
	var out []mdLine
	fence := ""
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimLeft(line, " ")
		if fence == "" && (strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~")) {
			fence = trimmed[:3]
			continue
		}
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			continue
		}
		out = append(out, mdLine{n, line})
	}
	require.NoError(t, sc.Err())
	return out
}

// slug is GitHub's anchor for a heading: lower case, letters, digits,
// spaces, hyphens and underscores kept, spaces made hyphens.
func slug(h string) string {
	h = codeSpan.ReplaceAllStringFunc(h, func(s string) string { return strings.Trim(s, "`") })
	h = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`).ReplaceAllString(h, "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// anchors are the link targets a Markdown file defines.
func anchors(t *testing.T, file string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	seen := map[string]int{}
	for _, l := range proseLines(t, file) {
		if m := heading.FindStringSubmatch(l.text); m != nil {
			s := slug(m[1])
			if k := seen[s]; k > 0 {
				out[fmt.Sprintf("%s-%d", s, k)] = true
			} else {
				out[s] = true
			}
			seen[s]++
		}
		for _, m := range htmlAnchor.FindAllStringSubmatch(l.text, -1) {
			out[m[1]] = true
		}
	}
	return out
}

// Every relative link and image in every Markdown file of the repository
// points to a file or directory inside the repository, and a #fragment to
// a heading of the Markdown file it names: the repository stands on its own.
func TestRelativeLinksResolve(t *testing.T) {
	absRoot, err := filepath.Abs(root)
	require.NoError(t, err)
	anchorCache := map[string]map[string]bool{}
	checked := 0
	for _, file := range markdownFiles(t) {
		for _, l := range proseLines(t, file) {
			text := codeSpan.ReplaceAllString(l.text, "")
			var targets []string
			for _, m := range inlineLink.FindAllStringSubmatch(text, -1) {
				targets = append(targets, m[1])
			}
			if m := refDef.FindStringSubmatch(text); m != nil {
				targets = append(targets, m[1])
			}
			for _, target := range targets {
				target = strings.Trim(target, "<>")
				if target == "" || regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`).MatchString(target) {
					continue // external (https:, mailto:) or empty
				}
				checked++
				where := fmt.Sprintf("%s:%d: %s", file, l.n, target)
				path, frag, _ := strings.Cut(target, "#")
				dest := file
				if path != "" {
					dest = filepath.ToSlash(filepath.Join(filepath.Dir(file), path))
					abs, err := filepath.Abs(filepath.Join(root, dest))
					require.NoError(t, err)
					if abs != absRoot && !strings.HasPrefix(abs, absRoot+string(filepath.Separator)) {
						t.Errorf("%s: points outside the repository", where)
						continue
					}
					if _, err := os.Stat(abs); err != nil {
						t.Errorf("%s: %v", where, err)
						continue
					}
				}
				if frag == "" || !strings.HasSuffix(dest, ".md") {
					continue
				}
				if anchorCache[dest] == nil {
					anchorCache[dest] = anchors(t, dest)
				}
				if !anchorCache[dest][frag] {
					t.Errorf("%s: %s has no heading for #%s", where, dest, frag)
				}
			}
		}
	}
	require.Greater(t, checked, 20, "the link scanner found hardly any links: is it broken?")
}

// The documentation does not send the reader to material outside the
// repository (the development workplace's design notes and shared data).
func TestNoReferencesOutside(t *testing.T) {
	for _, file := range markdownFiles(t) {
		b, err := os.ReadFile(filepath.Join(root, file))
		require.NoError(t, err)
		for n, line := range strings.Split(string(b), "\n") {
			for _, s := range []string{"DESIGN.md", "../shared", "shared/testdata"} {
				if strings.Contains(line, s) {
					t.Errorf("%s:%d: refers to %s, which is not in the repository", file, n+1, s)
				}
			}
		}
	}
}

// Every component's README starts with mdatagen's status section (only
// link reference definitions may come before it), and its metadata.yaml
// names the distribution and code owners that section shows.
func TestComponentStatus(t *testing.T) {
	metas, err := filepath.Glob(filepath.Join(root, "*", "*", "metadata.yaml"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(metas), 4)
	for _, meta := range metas {
		dir := filepath.Dir(meta)
		rel, _ := filepath.Rel(root, dir)
		t.Run(filepath.ToSlash(rel), func(t *testing.T) {
			b, err := os.ReadFile(meta)
			require.NoError(t, err)
			var md struct {
				Type   string `json:"type"`
				Status struct {
					Distributions []string `json:"distributions"`
					Codeowners    struct {
						Active []string `json:"active"`
					} `json:"codeowners"`
				} `json:"status"`
			}
			require.NoError(t, yaml.Unmarshal(b, &md))
			assert.Equal(t, []string{"otelcol-pan"}, md.Status.Distributions)
			assert.NotEmpty(t, md.Status.Codeowners.Active)

			readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
			require.NoError(t, err)
			const start, end = "<!-- status autogenerated section -->", "<!-- end autogenerated section -->"
			before, after, ok := strings.Cut(string(readme), start)
			require.True(t, ok, "README.md has no %s", start)
			for _, line := range strings.Split(strings.TrimSpace(before), "\n") {
				if line != "" && !refDef.MatchString(line) {
					t.Errorf("README.md: %q comes before the status section", line)
				}
			}
			section, _, ok := strings.Cut(after, end)
			require.True(t, ok, "README.md has no %s", end)
			assert.Contains(t, section, "| Distributions | [otelcol-pan] |", "run make generate")
			for _, owner := range md.Status.Codeowners.Active {
				assert.Contains(t, section, "@"+owner, "run make generate")
			}
			assert.Contains(t, section, "(`"+md.Type+"`)", "the title names the component type")
		})
	}
}

// The example lines of docs/formats.md are lines the built binary writes
// for the sample mesh: test/e2e checks its output against
// test/e2e/testdata/mesh.<format>, and each example must be one of those.
func TestFormatExamplesAreReal(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(root, "docs", "formats.md"))
	require.NoError(t, err)
	kinds := map[string]*regexp.Regexp{
		"json":    regexp.MustCompile(`^\S+ \{"receive_time"`),
		"ocsf":    regexp.MustCompile(`^\S+ \{"activity_id"`),
		"pan_csv": regexp.MustCompile(`^\S+ ,`),
		"cef":     regexp.MustCompile(`^\S+ CEF:`),
		"leef":    regexp.MustCompile(`^\S+ LEEF:`),
	}
	found := map[string]int{}
	for _, line := range strings.Split(string(doc), "\n") {
		if !strings.HasPrefix(line, "panw_istio_logs ") {
			continue
		}
		for format, re := range kinds {
			if !re.MatchString(line) {
				continue
			}
			found[format]++
			golden, err := os.ReadFile(filepath.Join(root, "test", "e2e", "testdata", "mesh."+format))
			require.NoError(t, err)
			masked := testutil.MaskUnstable(line)
			assert.Contains(t, strings.Split(string(golden), "\n"), masked, "docs/formats.md's %s example is not a line the binary writes for the samples", format)
		}
	}
	for format := range kinds {
		assert.Equal(t, 1, found[format], "docs/formats.md: one %s example", format)
	}
}
