package e2e

import (
	"encoding/json"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-pan/otelcol-pan/internal/alsgen"
	"github.com/otelcol-pan/otelcol-pan/internal/testutil"
)

const (
	userAgent = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1 Safari/605.1.15"
	requestID = "0ac1feff-84ae-4d3a-8b15-890da2b194c5"
)

// expectedSamples are the records the four shared captures must become,
// written by hand from the capture files (json.Number for numbers). Only
// receive_time, the moment of receipt, is not compared.
var expectedSamples = map[string]map[string]any{
	// Ingress gateway, outbound to productpage.
	"10.138.0.14:51489": allowedGET(map[string]any{
		"time_generated": "2019-04-13T03:59:54.697224Z", "start": "2019-04-13T03:59:53.687224Z", "elapsed_ms": n(1010),
		"src": "10.138.0.14", "sport": n(51489), "dst": "10.44.2.56", "dport": n(80), "natdst": "10.44.2.54", "natdport": n(9080),
		"from": "istio-system", "src_workload": "istio-ingressgateway", "direction": "outbound", "proxy": "router",
		"cluster": "outbound|9080||productpage.default.svc.cluster.local", "dst_service": "productpage.default.svc.cluster.local",
	}, map[string]any{"url": "/productpage", "host": "35.227.162.132", "xff": "10.138.0.14", "response_size": n(4415)}),
	// productpage's sidecar, inbound from the gateway (Envoy logged port 0: absent).
	"10.138.0.14:": allowedGET(map[string]any{
		"time_generated": "2019-04-13T03:59:54.696609Z", "start": "2019-04-13T03:59:53.688609Z", "elapsed_ms": n(1008),
		"src": "10.138.0.14", "dst": "10.44.2.54", "dport": n(9080), "natdst": "127.0.0.1", "natdport": n(9080), "to": "default",
		"dst_workload": "product-v1", "dst_pod": "product-v1-d66dcfdc5-kh6v7", "dst_uid": "kubernetes://product-v1-d66dcfdc5-kh6v7.default",
		"direction": "inbound", "proxy": "sidecar", "mtls": false, "cluster": "inbound|9080|http|productpage.default.svc.cluster.local", "dst_service": "productpage.default.svc.cluster.local",
	}, map[string]any{"url": "/productpage", "host": "35.227.162.132", "xff": "10.138.0.14", "response_size": n(4415)}),
	// productpage's sidecar, outbound to details.
	"10.44.2.54:58996": allowedGET(map[string]any{
		"time_generated": "2019-04-13T03:59:53.705750Z", "start": "2019-04-13T03:59:53.695750Z", "elapsed_ms": n(10),
		"src": "10.44.2.54", "sport": n(58996), "dst": "10.47.247.180", "dport": n(9080), "natdst": "10.44.6.66", "natdport": n(9080),
		"from": "default", "src_workload": "productpage-v1", "src_pod": "productpage-v1-d66dcfdc5-kh6v7",
		"direction": "outbound", "proxy": "sidecar", "cluster": "outbound|9080||details.default.svc.cluster.local", "dst_service": "details.default.svc.cluster.local",
	}, map[string]any{"url": "/details/0", "host": "details:9080", "response_size": n(178)}),
	// reviews' sidecar, inbound from productpage.
	"10.44.2.54:58356": allowedGET(map[string]any{
		"time_generated": "2019-04-13T03:59:54.689690Z", "start": "2019-04-13T03:59:53.712690Z", "elapsed_ms": n(977),
		"src": "10.44.2.54", "sport": n(58356), "dst": "10.44.2.55", "dport": n(9080), "natdst": "127.0.0.1", "natdport": n(9080),
		"to": "default", "dst_workload": "reviews-v1", "dst_pod": "reviews-v1-d66dcfdc5-kh6v7",
		"dst_uid": "kubernetes://reviews-v1-d66dcfdc5-kh6v7.default", "direction": "inbound", "proxy": "sidecar", "mtls": false,
		"cluster": "inbound|9080|http|reviews.default.svc.cluster.local", "dst_service": "reviews.default.svc.cluster.local",
	}, map[string]any{"url": "/reviews/0", "host": "reviews:9080", "response_size": n(295)}),
}

// allowedGET is the record of an allowed HTTP GET answered 200 that ended
// normally, as every sample is: rec's keys (cluster becomes
// envoy.cluster), and http's in the http object, whose path is the url's
// and whose size becomes the byte counts.
func allowedGET(rec, http map[string]any) map[string]any {
	out := map[string]any{
		"type": "TRAFFIC", "subtype": "end", "proto": "tcp", "app": "http", "action": "allow", "session_end_reason": "tcp-fin",
		"egress": false, "bytes": http["response_size"], "bytes_sent": n(0), "bytes_received": http["response_size"],
	}
	maps.Copy(out, rec)
	cluster := rec["cluster"].(string)
	delete(out, "cluster")
	out["envoy"] = map[string]any{"cluster": cluster}
	h := map[string]any{"method": "GET", "path": http["url"], "status": n(200), "user_agent": userAgent, "request_id": requestID, "request_size": n(0)}
	maps.Copy(h, http)
	out["http"] = h
	return out
}

func n(v int) json.Number { return json.Number(fmt.Sprint(v)) }

// replaySamples replays the four shared captures, each on a stream of its
// own, repeat times.
func replaySamples(t *testing.T, repeat int) []alsgen.Stream {
	msgs := testutil.SampleMessages(t)
	require.Len(t, msgs, 4)
	return alsgen.Replay(msgs, repeat)
}

// checkLines parses "<prefix> <json>" lines and matches each to its sample.
func checkLines(t *testing.T, lines []string, prefix string, perSample int) {
	t.Helper()
	seen := map[string]int{}
	for _, line := range lines {
		var got map[string]any
		assert.Equal(t, prefix, prefixedRecord(t, line, &got))
		rt, ok := got["receive_time"].(string)
		require.True(t, ok, "receive_time present")
		_, err := time.Parse(time.RFC3339Nano, rt)
		require.NoError(t, err)
		delete(got, "receive_time")
		key := fmt.Sprintf("%v:%v", got["src"], valueOr(got["sport"]))
		want, ok := expectedSamples[key]
		require.True(t, ok, "unexpected record %s", line)
		assert.Equal(t, want, got, key)
		seen[key]++
	}
	for key := range expectedSamples {
		assert.Equal(t, perSample, seen[key], key)
	}
}

func valueOr(v any) any {
	if v == nil {
		return ""
	}
	return v
}

// Every sample replayed over real gRPC becomes exactly the expected record in
// a file, and a stream's later messages (sent without the identifier, as
// Envoy does) keep the workload of its first.
func TestReplaySamplesToFile(t *testing.T) {
	const repeat = 3
	streams := replaySamples(t, repeat)
	alsAddr := freeAddr(t)
	out := tempPath(t, "out/pan.log")
	c := runCollector(t, fmt.Sprintf(`
receivers: {istioals: {endpoint: %s}}
processors: {paprefix: {prefix: e2e-audit}, batch: {timeout: 100ms}}
exporters: {panlogs: {format: json, transport: file, file: {path: %s}}}
service: {pipelines: {logs: {receivers: [istioals], processors: [paprefix, batch], exporters: [panlogs]}}}
`, alsAddr, out))

	res := send(t, alsAddr, 0, streams)
	require.EqualValues(t, 4*repeat, res.Entries)

	lines := c.stopWithLines(t, out, 4*repeat)
	checkLines(t, lines, "e2e-audit", repeat)
}

// With no --config the binary runs its embedded default: ALS on
// localhost:9001, health on localhost:13133, prefixed JSON on stdout.
func TestDefaultConfigPrintsPrefixedJSON(t *testing.T) {
	streams := replaySamples(t, 1)
	c := startCollector(t, nil, "http://localhost:13133/")
	send(t, "localhost:9001", 0, streams)
	lines := c.stopWithLines(t, "", 4)
	checkLines(t, lines, "panw_istio_logs", 1)
}

// `otelcol-pan components` lists our own components and the stock ones.
func TestComponentsListed(t *testing.T) {
	out, err := otelcolPan(t, "components")
	require.NoError(t, err, out)
	for _, name := range []string{
		"istioals", "otlp", "file_log", // receivers
		"paprefix", "istionorm", "batch", "memory_limiter", "k8s_attributes", "transform", "filter", "attributes", // processors
		"panlogs", "serviceentry", "debug", "otlp_grpc", "otlp_http", "file", // exporters
		"health_check", "zpages", "pprof", "file_storage", // extensions
	} {
		assert.Contains(t, out, "- name: "+name+"\n", name)
	}
}

// The embedded default validates, and a broken config is refused with the key.
func TestValidate(t *testing.T) {
	out, err := otelcolPan(t, "validate")
	require.NoError(t, err, out)

	bad := writeConfig(t, `
receivers:
  istioals:
exporters:
  panlogs:
    prefix_mode: both
service:
  pipelines:
    logs:
      receivers: [istioals]
      exporters: [panlogs]
`)
	out, err = otelcolPan(t, "validate", "--config", bad)
	require.Error(t, err)
	assert.Contains(t, out, `prefix_mode: "both" is not one of line, field, none`)
}
