package istionorm

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-pan/otelcol-pan/internal/fields"
	"github.com/otelcol-pan/otelcol-pan/processor/istionorm/internal/metadatatest"
)

// A plain ztunnel line and the same connection in the JSON format.
const (
	plainLine = "2026-11-29T10:11:12.345678Z\tinfo\taccess\tconnection complete\t" +
		`src.addr=10.244.1.5:43210 src.workload="sleep-7656cf8794-r7zb9" src.namespace="default" src.identity="spiffe://cluster.local/ns/default/sa/sleep" src.cluster="Kubernetes" ` +
		`dst.addr=10.244.2.7:15008 dst.hbone_addr=10.244.2.7:9080 dst.service="reviews.default.svc.cluster.local" dst.workload="reviews-v1-5fd6d4f8f8-knbht" dst.namespace="default" dst.identity="spiffe://cluster.local/ns/default/sa/bookinfo-reviews" dst.cluster="Kubernetes" ` +
		`direction="outbound" bytes_sent=1234 bytes_recv=5678 duration="13ms"`
	jsonLine = `{"level":"info","time":"2026-11-29T10:11:12.345678Z","scope":"access","message":"connection complete","src.addr":"10.244.1.5:43210",` +
		`"src.workload":"sleep-7656cf8794-r7zb9","src.namespace":"default","src.identity":"spiffe://cluster.local/ns/default/sa/sleep","src.cluster":"Kubernetes",` +
		`"dst.addr":"10.244.2.7:15008","dst.hbone_addr":"10.244.2.7:9080","dst.service":"reviews.default.svc.cluster.local","dst.workload":"reviews-v1-5fd6d4f8f8-knbht",` +
		`"dst.namespace":"default","dst.identity":"spiffe://cluster.local/ns/default/sa/bookinfo-reviews","dst.cluster":"Kubernetes","direction":"outbound",` +
		`"bytes_sent":1234,"bytes_recv":5678,"duration":"13ms"}`
	textLine = `[2026-11-29T10:11:14.000Z] "- - -" 0 - - - "-" 517 4096 250 - "-" "-" "-" "-" "93.184.216.34:443" PassthroughCluster 10.244.1.5:52000 93.184.216.34:443 10.244.1.5:41000 example.com -`
)

func oneRecord(body func(pcommon.Value)) plog.Logs {
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	body(lr.Body())
	lr.SetObservedTimestamp(observed)
	return ld
}

func firstRecord(t *testing.T, ld plog.Logs) plog.LogRecord {
	t.Helper()
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				return lr
			}
		}
	}
	t.Fatal("no record")
	return plog.LogRecord{}
}

// The same connection in either of ztunnel's formats, or parsed into a map
// by file_log's json_parser, gives the same record.
func TestZtunnelFormatsAgree(t *testing.T) {
	process := newTestProcessor(t, createDefaultConfig().(*Config))
	plain := process(oneRecord(func(v pcommon.Value) { v.SetStr(plainLine) }))
	fromJSON := process(oneRecord(func(v pcommon.Value) { v.SetStr(jsonLine) }))
	var raw map[string]any
	require.NoError(t, json.Unmarshal([]byte(jsonLine), &raw))
	fromMap := process(oneRecord(func(v pcommon.Value) { require.NoError(t, v.SetEmptyMap().FromRaw(raw)) }))

	for name, other := range map[string]plog.Logs{"json": fromJSON, "map": fromMap} {
		require.NoError(t, plogtest.CompareLogs(plain, other), name)
	}
	assert.Equal(t, fields.EventTCP, firstRecord(t, plain).EventName())
}

// Records already in the record form pass as they are: the same data, the
// same resources, counted as passed.
func TestRecordFormPassesUntouched(t *testing.T) {
	in, err := golden.ReadLogs(filepath.Join("..", "..", "receiver", "istioals", "testdata", "golden", "case-rbac-denied-http.yaml"))
	require.NoError(t, err)
	want := plog.NewLogs()
	in.CopyTo(want)
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	sink := new(consumertest.LogsSink)
	p, err := NewFactory().CreateLogs(context.Background(), metadatatest.NewSettings(tt), createDefaultConfig(), sink)
	require.NoError(t, err)
	require.NoError(t, p.ConsumeLogs(context.Background(), in))
	require.NoError(t, plogtest.CompareLogs(want, sink.AllLogs()[0]))
	metadatatest.AssertEqualProcessorIstionormRecordsPassed(t, tt, []metricdata.DataPoint[int64]{{Value: int64(want.LogRecordCount())}}, metricdatatest.IgnoreTimestamp())
}

// Every kind of record is counted: normalised by source, passed, unreadable.
func TestTelemetry(t *testing.T) {
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	sink := new(consumertest.LogsSink)
	p, err := NewFactory().CreateLogs(context.Background(), metadatatest.NewSettings(tt), createDefaultConfig(), sink)
	require.NoError(t, err)

	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for _, b := range []string{plainLine, jsonLine, textLine, textLine, textLine, "not a line", ""} {
		lrs.AppendEmpty().Body().SetStr(b)
	}
	lrs.AppendEmpty().SetEventName(fields.EventHTTP)
	labels := lrs.AppendEmpty().Attributes()
	labels.PutStr("start_time", "2026-11-29T10:11:14.000Z")
	labels.PutStr("downstream_remote_address", "10.0.0.1:5000")
	require.NoError(t, p.ConsumeLogs(context.Background(), ld))

	source := func(s string) attribute.Set { return attribute.NewSet(attribute.String("source", s)) }
	metadatatest.AssertEqualProcessorIstionormRecordsNormalized(t, tt, []metricdata.DataPoint[int64]{
		{Attributes: source("ztunnel"), Value: 2},
		{Attributes: source("envoy_text"), Value: 3},
		{Attributes: source("envoy_labels"), Value: 1},
	}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorIstionormRecordsPassed(t, tt, []metricdata.DataPoint[int64]{{Value: 1}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualProcessorIstionormRecordsUnreadable(t, tt, []metricdata.DataPoint[int64]{{Value: 2}}, metricdatatest.IgnoreTimestamp())
	assert.Equal(t, 9, sink.LogRecordCount(), "nothing dropped by default")
}

// unreadable: drop leaves only what the processor read; a resource left
// empty goes, and so do the ztunnel records' original resource.
func TestUnreadableDrop(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Unreadable = UnreadableDrop
	process := newTestProcessor(t, cfg)
	got := process(linesAsFileLog(t, filepath.Join("testdata", "golden", "ztunnel-plain.log")))
	assert.Equal(t, 11, got.LogRecordCount(), "the xds line is dropped")
	for _, rl := range got.ResourceLogs().All() {
		v, _ := rl.Resource().Attributes().Get(fields.IstioProxyType)
		assert.Equal(t, "ztunnel", v.AsString(), "only the workloads' resources are left")
	}
	checkRecords(t, got)

	only := oneRecord(func(v pcommon.Value) { v.SetStr("not a line") })
	got = process(only)
	assert.Equal(t, 0, got.ResourceLogs().Len())
}

// Istio's labels: every "-" is absent, numbers are numbers, the labels and
// the peers are gone and other attributes stay.
func TestLabelsConsumed(t *testing.T) {
	process := newTestProcessor(t, createDefaultConfig().(*Config))
	ld := plog.NewLogs()
	attrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Attributes()
	for name := range IstioLabels() {
		attrs.PutStr(name, "-")
	}
	attrs.PutStr("start_time", "2026-11-29T10:11:14.000Z")
	attrs.PutStr("response_code", "503")
	attrs.PutStr("protocol", "HTTP/1.1")
	attrs.PutStr("bytes_sent", "91")
	attrs.PutStr("http.request.header.traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	got := firstRecord(t, process(ld)).Attributes().AsRaw()
	assert.Equal(t, map[string]any{
		"http.response.status_code": int64(503), "http.response.body.size": int64(91),
		"network.protocol.name": "http", "network.protocol.version": "1.1", "network.transport": "tcp",
		"pan.action": "allow", "pan.session_end_reason": "tcp-fin",
		"http.request.header.traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
	}, got)
}

// Whatever the body and attributes, the processor never panics, and what
// it normalises keeps the record's contract.
func FuzzProcess(f *testing.F) {
	f.Add(plainLine, "", "")
	f.Add(jsonLine, "", "")
	f.Add(textLine, "", `{"workload":"x","namespace":"y"}`)
	f.Add("", "2026-11-29T10:11:14.000Z", `{"NAMESPACE":"a","LABELS":{"app":"b"}}`)
	f.Add("2026-11-29T10:11:12Z\terror\taccess\tconnection failed\tsrc.addr=[::1]:1 direction=\"inbound\" error=\"x\\u{1b}\"", "-", "-")
	f.Add(`{"level":"info","time":"t","scope":"access","message":"connection complete","duration":"-5ms","bytes_sent":-1,"x":{"a":[1,"}"]}}`, "", "[")
	f.Add(`[2026-11-29T10:11:14.000Z] "GET /a"b HTTP/1.1" 200 - - - "x" - - - - "a" "b" "c" "d" "e" f g h i j k`, "x", `{"identity":7}`)
	names := map[string]bool{}
	f.Fuzz(func(t *testing.T, body, startTime, peer string) {
		if len(names) == 0 {
			for k := range recordNames(t) {
				names[k] = true
			}
		}
		n, err := newNormalizer(createDefaultConfig().(*Config), metadatatest.NewSettings(componenttest.NewTelemetry()))
		require.NoError(t, err)
		ld := plog.NewLogs()
		lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
		asBody := lrs.AppendEmpty()
		asBody.Body().SetStr(body)
		if strings.HasPrefix(body, "[") { // Envoy's text: the peers ride as labels
			asBody.Attributes().PutStr("upstream_peer", peer)
		}
		asLabels := lrs.AppendEmpty().Attributes()
		asLabels.PutStr("start_time", startTime)
		for _, k := range []string{"downstream_remote_address", "upstream_cluster", "response_code", "path", "authority", "response_flags", "duration"} {
			asLabels.PutStr(k, body)
		}
		asLabels.PutStr("downstream_peer", peer)
		var asMap map[string]any
		if json.Unmarshal([]byte(body), &asMap) == nil {
			_ = lrs.AppendEmpty().Body().SetEmptyMap().FromRaw(asMap)
		}
		out, err := n.processLogs(context.Background(), ld)
		require.NoError(t, err)
		for _, rl := range out.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					if lr.EventName() == "" {
						continue
					}
					for k, v := range lr.Attributes().All() {
						ok := names[k] || strings.HasPrefix(k, fields.HTTPRequestHeaderPfx) || strings.HasPrefix(k, fields.HTTPResponseHeaderPfx)
						require.True(t, ok, "%s", k)
						require.NotEqual(t, "-", v.AsString(), "%s", k)
					}
				}
			}
		}
	})
}
