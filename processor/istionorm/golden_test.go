package istionorm

import (
	"bufio"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-pan/otelcol-pan/internal/fields"
	"github.com/otelcol-pan/otelcol-pan/internal/testutil"
	"github.com/otelcol-pan/otelcol-pan/processor/istionorm/internal/metadata"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden/*-expected.yaml from the processor's output")

// observed is the observed time of every input record.
var observed = pcommon.NewTimestampFromTime(time.Date(2026, 11, 29, 10, 12, 0, 0, time.UTC))

// ztunnelResource is what file_log's container operator makes of the path
// /var/log/pods/istio-system_ztunnel-x7k2p_<uid>/istio-proxy/0.log.
func ztunnelResource(m pcommon.Map) {
	m.PutStr("k8s.pod.name", "ztunnel-x7k2p")
	m.PutStr("k8s.namespace.name", "istio-system")
	m.PutStr("k8s.container.name", "istio-proxy")
	m.PutStr("k8s.pod.uid", "4f1c2b7e-8a9d-4e3f-b2c1-0d9e8f7a6b5c")
	m.PutStr("k8s.container.restart_count", "0")
}

// linesAsFileLog reads a file of lines as file_log with the container
// operator delivers them: one resource for the file, the line as the body,
// the operator's attributes, the container runtime's time.
func linesAsFileLog(tb testing.TB, path string) plog.Logs {
	tb.Helper()
	f, err := os.Open(path)
	require.NoError(tb, err)
	defer f.Close()
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	ztunnelResource(rl.Resource().Attributes())
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lr := lrs.AppendEmpty()
		lr.Body().SetStr(sc.Text())
		lr.SetObservedTimestamp(observed)
		lr.SetTimestamp(observed - 1000)
		lr.Attributes().PutStr("log.iostream", "stdout")
		lr.Attributes().PutStr("logtag", "F")
		lr.Attributes().PutStr("log.file.path", "/var/log/pods/istio-system_ztunnel-x7k2p_4f1c2b7e-8a9d-4e3f-b2c1-0d9e8f7a6b5c/istio-proxy/0.log")
	}
	require.NoError(tb, sc.Err())
	return ld
}

// linesAsOTLP reads Envoy's text lines as Istio's envoyOtelAls provider
// sends them with no labels: the line as the body, an empty resource.
func linesAsOTLP(t *testing.T, path string) plog.Logs {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		lr := lrs.AppendEmpty()
		lr.Body().SetStr(line + "\n") // Envoy's text format ends with a newline
		lr.SetObservedTimestamp(observed)
	}
	return ld
}

func newTestProcessor(t *testing.T, cfg *Config) func(plog.Logs) plog.Logs {
	t.Helper()
	sink := new(consumertest.LogsSink)
	p, err := NewFactory().CreateLogs(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, p.Shutdown(context.Background())) })
	return func(in plog.Logs) plog.Logs {
		sink.Reset()
		require.NoError(t, p.ConsumeLogs(context.Background(), in))
		require.Len(t, sink.AllLogs(), 1)
		return sink.AllLogs()[0]
	}
}

// The goldens: lines written as ztunnel (plain and JSON) and Envoy (Istio's
// default text format) write them, and records with Istio's labels, through
// the processor, compared with testdata/golden/<name>-expected.yaml.
func TestGolden(t *testing.T) {
	for name, read := range map[string]func(*testing.T, string) plog.Logs{
		"ztunnel-plain.log": func(t *testing.T, p string) plog.Logs { return linesAsFileLog(t, p) },
		"ztunnel-json.log":  func(t *testing.T, p string) plog.Logs { return linesAsFileLog(t, p) },
		"envoy-text.log":    linesAsOTLP,
		"envoy-labels.yaml": readYAML,
		"mixed.yaml":        readYAML,
	} {
		t.Run(name, func(t *testing.T) {
			process := newTestProcessor(t, createDefaultConfig().(*Config))
			got := process(read(t, filepath.Join("testdata", "golden", name)))

			path := filepath.Join("testdata", "golden", strings.TrimSuffix(strings.TrimSuffix(name, ".log"), ".yaml")+"-expected.yaml")
			if *updateGolden {
				require.NoError(t, golden.WriteLogsToFile(path, got))
			}
			want, err := golden.ReadLogs(path)
			require.NoError(t, err)
			require.NoError(t, plogtest.CompareLogs(want, got))
			if name != "mixed.yaml" { // its records in record form are fragments, passed as they are
				checkRecords(t, got)
			}
		})
	}
}

func readYAML(t *testing.T, path string) plog.Logs {
	t.Helper()
	ld, err := golden.ReadLogs(path)
	require.NoError(t, err)
	return ld
}

// checkRecords holds every normalised record to the record's contract,
// whatever the expected files say: only the record's attribute names, never
// Envoy's "-", an event name and a start time, no body.
func checkRecords(t *testing.T, ld plog.Logs) {
	t.Helper()
	names := recordNames(t)
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				if lr.EventName() != "" { // the others were unreadable: untouched
					checkRecord(t, names, lr)
				}
			}
		}
	}
}

func checkRecord(t *testing.T, names map[string]bool, lr plog.LogRecord) {
	t.Helper()
	assert.Contains(t, []string{fields.EventHTTP, fields.EventTCP}, lr.EventName())
	assert.NotZero(t, lr.Timestamp())
	assert.Equal(t, pcommon.ValueTypeEmpty, lr.Body().Type())
	for k, v := range lr.Attributes().All() {
		known := names[k] || strings.HasPrefix(k, fields.HTTPRequestHeaderPfx) || strings.HasPrefix(k, fields.HTTPResponseHeaderPfx)
		assert.True(t, known, "%s is not an attribute of the record (internal/fields)", k)
		assert.NotEqual(t, "-", v.AsString(), "%s", k)
		assert.False(t, v.Type() == pcommon.ValueTypeStr && v.Str() == "", "%s is empty", k)
	}
}

// recordNames are the record's attribute names: the string constants of
// internal/fields, prefixes aside.
func recordNames(tb testing.TB) map[string]bool {
	tb.Helper()
	names := map[string]bool{}
	for _, v := range testutil.FieldNames(tb) {
		if !strings.HasSuffix(v, ".") {
			names[v] = true
		}
	}
	return names
}
