package istionorm

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-pan/otelcol-pan/processor/istionorm/internal/metadata"
	"github.com/otelcol-pan/otelcol-pan/processor/istionorm/internal/ztunnel"
)

// benchRecords is the size of a benchmark batch.
const benchRecords = 100

// benchInput is a batch of benchRecords records of one input: the golden
// inputs' readable records, repeated.
func benchInput(b *testing.B, input string) plog.Logs {
	b.Helper()
	dir := filepath.Join("testdata", "golden")
	var src plog.Logs
	switch input {
	case "ztunnel_plain", "ztunnel_map":
		src = linesAsFileLog(b, filepath.Join(dir, "ztunnel-plain.log"))
	case "ztunnel_json":
		src = linesAsFileLog(b, filepath.Join(dir, "ztunnel-json.log"))
	case "envoy_text":
		src = linesAsFileLog(b, filepath.Join(dir, "envoy-text.log"))
		src.ResourceLogs().At(0).Resource().Attributes().Clear()
	case "envoy_labels":
		var err error
		src, err = golden.ReadLogs(filepath.Join(dir, "envoy-labels.yaml"))
		require.NoError(b, err)
	case "record_form":
		// What the processor made of Envoy's text lines: istioals's form.
		src = benchInput(b, "envoy_text")
		n := newBenchNormalizer(b)
		_, err := n.processLogs(context.Background(), src)
		require.NoError(b, err)
		return src
	}
	// Keep the records the processor reads, repeated up to the batch size
	// in one resource (the resource of the first).
	out := plog.NewLogs()
	rl := out.ResourceLogs().AppendEmpty()
	src.ResourceLogs().At(0).Resource().CopyTo(rl.Resource())
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	var readable []plog.LogRecord
	for _, srl := range src.ResourceLogs().All() {
		for _, sl := range srl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				body := lr.Body().AsString()
				if strings.Contains(body, "xds::client") || strings.Contains(body, "not an access line") {
					continue
				}
				readable = append(readable, lr)
			}
		}
	}
	for i := 0; i < benchRecords; i++ {
		lr := lrs.AppendEmpty()
		readable[i%len(readable)].CopyTo(lr)
		if input == "ztunnel_map" {
			// The JSON format parsed by file_log's json_parser into the body.
			raw := ztunnelAsMap(b, lr.Body().Str())
			require.NoError(b, lr.Body().SetEmptyMap().FromRaw(raw))
		}
	}
	return out
}

// BenchmarkProcessLogs is the processor's cost per record for each input,
// on batches of 100 records in one resource (as file_log hands a file's
// lines on, or the otlp receiver one Envoy's export): parsing, the record's
// attributes, the facts and the verdict, and for ztunnel moving each record
// to its workload's resource. record_form is records already in the
// record's form, which pass untouched.
func BenchmarkProcessLogs(b *testing.B) {
	for _, input := range []string{"ztunnel_plain", "ztunnel_json", "ztunnel_map", "envoy_text", "envoy_labels", "record_form"} {
		b.Run(input, func(b *testing.B) {
			n := newBenchNormalizer(b)
			tmpl := benchInput(b, input)
			ld := plog.NewLogs()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				ld = plog.NewLogs()
				tmpl.CopyTo(ld)
				b.StartTimer()
				if _, err := n.processLogs(context.Background(), ld); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			require.Equal(b, benchRecords, ld.LogRecordCount())
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchRecords), "ns/record")
		})
	}
}

func newBenchNormalizer(b *testing.B) *normalizer {
	b.Helper()
	n, err := newNormalizer(createDefaultConfig().(*Config), processortest.NewNopSettings(metadata.Type))
	require.NoError(b, err)
	return n
}

// ztunnelAsMap is a plain ztunnel line as the JSON format's map, as
// file_log's json_parser would hand it over.
func ztunnelAsMap(b *testing.B, line string) map[string]any {
	b.Helper()
	l, err := ztunnel.Parse(line)
	require.NoError(b, err)
	m := map[string]any{"time": l.Time, "level": l.Level, "scope": l.Target, "message": l.Message}
	for _, f := range l.Fields {
		if v, err := json.Number(f.Value).Int64(); err == nil && !f.Quoted {
			m[f.Key] = v
		} else {
			m[f.Key] = f.Value
		}
	}
	return m
}
