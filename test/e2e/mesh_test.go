package e2e

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-pan/otelcol-pan/internal/alsgen"
	"github.com/otelcol-pan/otelcol-pan/internal/alsmsg"
	"github.com/otelcol-pan/otelcol-pan/internal/testutil"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/mesh.<format> from the built binary's output")

// meshSamples is the repository's own sample mesh traffic: always present,
// so the tests that use it run on a bare clone.
const meshSamples = "../../testdata/als/mesh"

// readMesh reads every sample stream and counts their entries.
func readMesh(t *testing.T) ([][]*accesslogv3.StreamAccessLogsMessage, int) {
	t.Helper()
	files, err := alsmsg.Files(meshSamples)
	require.NoError(t, err)
	var streams [][]*accesslogv3.StreamAccessLogsMessage
	entries := 0
	for _, f := range files {
		msgs, err := alsmsg.ReadStream(f)
		require.NoError(t, err)
		for _, m := range msgs {
			entries += alsgen.Entries(m)
		}
		streams = append(streams, msgs)
	}
	return streams, entries
}

// checkFormatGolden compares a run's lines, order aside, with
// testdata/mesh.<format>.
func checkFormatGolden(t *testing.T, format string, lines []string) {
	t.Helper()
	got := make([]string, len(lines))
	for i, l := range lines {
		got[i] = testutil.MaskUnstable(l)
	}
	sort.Strings(got)
	path := filepath.Join("testdata", "mesh."+format)
	if *updateGolden {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(strings.Join(got, "\n")+"\n"), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with -update-golden to write it")
	assert.Equal(t, splitLines(string(want)), got, "%s output differs from %s", format, path)
}

// The repository's sample mesh, replayed over real gRPC into the built
// binary, comes out as one line per entry in every format, each exactly as
// in testdata/mesh.<format> (receive time and version aside).
func TestMeshSamplesInEveryFormat(t *testing.T) {
	streams, entries := readMesh(t)
	alsAddr := freeAddr(t)
	dir := t.TempDir()
	formats := []string{"json", "pan_csv", "cef", "leef", "ocsf"}
	var exporters, names strings.Builder
	for _, f := range formats {
		fmt.Fprintf(&exporters, "  panlogs/%s:\n    format: %s\n    transport: file\n    file:\n      path: %s\n", f, f, filepath.Join(dir, f+".log"))
		fmt.Fprintf(&names, "panlogs/%s, ", f)
	}
	c := runCollector(t, fmt.Sprintf(`
receivers:
  istioals:
    endpoint: %s
processors:
  paprefix:
    prefix: panw_istio_logs
exporters:
%s
service:
  pipelines:
    logs:
      receivers: [istioals]
      processors: [paprefix]
      exporters: [%s]
`, alsAddr, exporters.String(), strings.TrimSuffix(names.String(), ", ")))

	res := send(t, alsAddr, 0, alsgen.ReplayStreams(streams, 1))
	require.EqualValues(t, entries, res.Entries)
	for _, f := range formats {
		c.waitLines(t, filepath.Join(dir, f+".log"), entries)
	}
	c.stop(t)
	for _, f := range formats {
		lines := c.waitLines(t, filepath.Join(dir, f+".log"), entries)
		require.Len(t, lines, entries, "%s: one line per entry", f)
		for _, l := range lines {
			require.True(t, strings.HasPrefix(l, "panw_istio_logs "), "%s: %s", f, l)
		}
		checkFormatGolden(t, f, lines)
	}
}

// What `make demo` runs: the embedded default with --set changes and no
// --config. The --set values change the default instead of replacing it.
func TestDefaultConfigWithSet(t *testing.T) {
	streams, entries := readMesh(t)
	alsAddr, health := freeAddr(t), freeAddr(t)
	c := startCollector(t, nil, "http://"+health+"/",
		"--set=exporters::panlogs::format=cef",
		"--set=receivers::istioals::endpoint="+alsAddr,
		"--set=extensions::health_check::endpoint="+health)
	send(t, alsAddr, 0, alsgen.ReplayStreams(streams, 1))
	lines := c.stopWithLines(t, "", entries)
	for _, l := range lines {
		require.True(t, strings.HasPrefix(l, "panw_istio_logs CEF:0|Palo Alto Networks|otelcol-pan|"), l)
	}
}
