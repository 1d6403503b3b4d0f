package deploy

import (
	"debug/elf"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/otelcol-pan/otelcol-pan/internal/testutil"
)

// There is no Docker engine here, so the image is never built by the tests;
// these check the two facts it depends on: the Dockerfile builds with
// `make build` and runs the binary as the user the manifests expect, and the
// binary `make build` leaves is static, so it runs on a base with no libc.

// dockerfile is the Dockerfile's instructions, continuation lines joined
// and comments dropped, split into stages.
func dockerfile(t *testing.T) [][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	require.NoError(t, err)
	var stages [][]string
	var cur string
	for _, line := range strings.Split(string(b), "\n") {
		trimmed := strings.TrimSpace(line)
		if cur == "" && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if strings.HasSuffix(trimmed, `\`) {
			cur += strings.TrimSuffix(trimmed, `\`) + " "
			continue
		}
		instr := strings.Join(strings.Fields(cur+trimmed), " ")
		cur = ""
		if strings.HasPrefix(strings.ToUpper(instr), "FROM ") {
			stages = append(stages, nil)
		}
		require.NotEmpty(t, stages, "Dockerfile: %q before the first FROM", instr)
		stages[len(stages)-1] = append(stages[len(stages)-1], instr)
	}
	require.Len(t, stages, 2, "Dockerfile: a builder stage and the final stage")
	return stages
}

// dockerfileUser is the numeric user the image runs as.
func dockerfileUser(t *testing.T) int64 {
	t.Helper()
	final := dockerfile(t)[1]
	for _, in := range final {
		if m := regexp.MustCompile(`^USER (\d+)(:\d+)?$`).FindStringSubmatch(in); m != nil {
			u, err := strconv.ParseInt(m[1], 10, 64)
			require.NoError(t, err)
			return u
		}
	}
	t.Fatal("Dockerfile: the final stage sets no numeric USER")
	return 0
}

// TestDockerfile: the builder stage runs `make build` (and compiles nothing
// on its own, so the image cannot drift from the Makefile), and the final
// stage runs that binary as a non-root user with the receiver's and health
// check's ports.
func TestDockerfile(t *testing.T) {
	stages := dockerfile(t)
	build, final := stages[0], stages[1]

	require.Regexp(t, `^FROM golang:1\.26\S* AS build$`, build[0])
	var makeBuild bool
	for _, in := range build {
		makeBuild = makeBuild || regexp.MustCompile(`^RUN make build( |$)`).MatchString(in)
		require.NotContains(t, in, "go build", "the builder stage must build through `make build` only")
	}
	require.True(t, makeBuild, "the builder stage must RUN make build")

	require.Contains(t, final, "COPY --from=build /src/bin/otelcol-pan /otelcol-pan", "the final stage holds the binary `make build` leaves in bin/")
	require.Contains(t, final, `ENTRYPOINT ["/otelcol-pan"]`)
	require.NotZero(t, dockerfileUser(t), "the image must not run as root")
	var exposed []string
	for _, in := range final {
		if rest, ok := strings.CutPrefix(in, "EXPOSE "); ok {
			exposed = append(exposed, strings.Fields(rest)...)
		}
	}
	for _, p := range []string{"9001", "13133"} {
		require.True(t, slices.Contains(exposed, p), "EXPOSE %s", p)
	}
}

// TestBinaryIsStatic: no dynamic loader, no shared libraries.
func TestBinaryIsStatic(t *testing.T) {
	f, err := elf.Open(testutil.Binary(t))
	require.NoError(t, err)
	defer f.Close()
	for _, p := range f.Progs {
		require.NotEqual(t, elf.PT_INTERP, p.Type, "bin/otelcol-pan asks for a dynamic loader: build it with CGO_ENABLED=0 (make build does)")
	}
	libs, err := f.ImportedLibraries()
	require.NoError(t, err)
	require.Empty(t, libs, "bin/otelcol-pan links shared libraries")
}
