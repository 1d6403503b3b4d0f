package panlogs

import (
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/metadata"
	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/transport"
)

// benchLogs is a batch of 1000 records shaped like istioals's HTTP records.
func benchLogs() plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	res := rl.Resource().Attributes()
	res.PutStr("k8s.pod.name", "productpage-v1-6d8f7b9c5-q2w4r")
	res.PutStr("k8s.namespace.name", "default")
	res.PutStr("istio.proxy.type", "sidecar")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for i := 0; i < 1000; i++ {
		lr := lrs.AppendEmpty()
		lr.SetTimestamp(pcommon.Timestamp(1767323045000000000 + int64(i)*1000))
		lr.SetObservedTimestamp(pcommon.Timestamp(1767323046000000000))
		a := lr.Attributes()
		// A fixed key order, as a receiver writes them.
		for _, kv := range [][2]string{
			{"source.address", "10.8.0.11"},
			{"destination.address", "10.96.0.40"},
			{"envoy.upstream.address", "10.8.0.21"},
			{"envoy.upstream.cluster", "outbound|9080||reviews.default.svc.cluster.local"},
			{"istio.direction", "outbound"},
			{"network.transport", "tcp"},
			{"network.protocol.name", "http"},
			{"network.protocol.version", "1.1"},
			{"http.request.method", "GET"},
			{"url.path", "/reviews/0"},
			{"url.query", "user=7"},
			{"server.address", "reviews"},
			{"user_agent.original", "Mozilla/5.0 (X11; Linux x86_64)"},
			{"http.request.header.x-request-id", "0ac1feff-84ae-4d3a-8b15-890da2b194c5"},
			{"pan.action", "allow"},
			{"pan.session_end_reason", "tcp-fin"},
			{"istio.source.workload", "productpage-v1"},
			{"istio.source.namespace", "default"},
			{"istio.destination.workload", "reviews-v1"},
			{"istio.destination.namespace", "default"},
			{"istio.destination.principal", "spiffe://cluster.local/ns/default/sa/bookinfo-reviews"},
			{"pan.prefix", "panw_istio_logs"},
			{"envoy.response.code_details", "via_upstream"},
			{"envoy.route.name", "default"},
		} {
			a.PutStr(kv[0], kv[1])
		}
		for _, kv := range []struct {
			k string
			v int64
		}{
			{"source.port", 51234},
			{"destination.port", 9080},
			{"envoy.upstream.port", 9080},
			{"server.port", 9080},
			{"http.response.status_code", 200},
			{"http.request.body.size", 0},
			{"http.response.body.size", 295},
			{"envoy.duration_ms", 12},
		} {
			a.PutInt(kv.k, kv.v)
		}
		a.PutBool("pan.egress", false)
	}
	return ld
}

// BenchmarkEncode measures encoding a batch in each format (the write goes
// nowhere); ns/record is the figure to compare.
func BenchmarkEncode(b *testing.B) {
	ld := benchLogs()
	for _, f := range []string{FormatJSON, FormatPANCSV, FormatCEF, FormatLEEF, FormatOCSF} {
		b.Run(f, func(b *testing.B) {
			cfg := formatConfig(f, PrefixModeLine)
			e, err := newExporter(cfg, exportertest.NewNopSettings(metadata.Type))
			require.NoError(b, err)
			e.tr = transport.NewWriter(io.Discard)
			require.NoError(b, e.start(context.Background(), componenttest.NewNopHost()))
			b.ReportAllocs()
			for b.Loop() {
				if err := e.pushLogs(context.Background(), ld); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1000), "ns/record")
		})
	}
}
