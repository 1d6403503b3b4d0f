package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/otelcol-pan/otelcol-pan/internal/alsgen"
)

// paprefix routes by namespace and egress in the built binary: ALS traffic
// from two namespaces and egress traffic from alsgen, plus OTLP records
// (Istio's envoyOtelAls provider through the stock otlp receiver), come out
// under the prefix each rule gives.
func TestPrefixRules(t *testing.T) {
	alsAddr, otlpAddr := freeAddr(t), freeAddr(t)
	out := tempPath(t, "pan.log")
	// %% is fmt's escape: the collector sees %{k8s.namespace.name}.
	c := runCollector(t, fmt.Sprintf(`
receivers:
  istioals: {endpoint: %s}
  otlp: {protocols: {grpc: {endpoint: %s}}}
processors:
  paprefix:
    prefix: mesh-%%{k8s.namespace.name}
    rules:
      - match: {pan.egress: true}
        prefix: egress
      - match: {k8s.namespace.name: "pay*"}
        prefix: team-payments
  batch: {timeout: 100ms}
exporters: {panlogs: {format: json, transport: file, file: {path: %s}}}
service: {pipelines: {logs: {receivers: [istioals, otlp], processors: [paprefix, batch], exporters: [panlogs]}}}
`, alsAddr, otlpAddr, out))

	// 60 HTTP entries from each of payments and default over four streams,
	// and 30 egress entries from payments on a fifth.
	streams := alsgen.Synthetic("http", []string{"payments", "default"}, 4, 120, 10)
	streams = append(streams, alsgen.Synthetic("egress", []string{"payments"}, 1, 30, 10)...)
	res := send(t, alsAddr, 0, streams)
	require.EqualValues(t, 150, res.Entries)

	sendOTLP(t, otlpAddr, otlpLogs(5, 2))
	const total = 150 + 5 + 2

	lines := c.stopWithLines(t, out, total)

	// The record says where it came from (its source namespace, whether it
	// left the mesh); the prefix must follow from that alone.
	type origin struct {
		from   string
		egress bool
	}
	counts := map[origin]map[string]int{}
	for _, line := range lines {
		var rec struct {
			From   string `json:"from"`
			Egress bool   `json:"egress"`
		}
		prefix := prefixedRecord(t, line, &rec)
		o := origin{rec.From, rec.Egress}
		if counts[o] == nil {
			counts[o] = map[string]int{}
		}
		counts[o][prefix]++
	}
	assert.Equal(t, map[origin]map[string]int{
		{"payments", false}: {"team-payments": 60},
		{"default", false}:  {"mesh-default": 60},
		{"payments", true}:  {"egress": 30},
		{"billing", false}:  {"mesh-billing": 5},
		{"billing", true}:   {"egress": 2},
	}, counts)
}

// otlpLogs is what Istio's envoyOtelAls provider sends after k8s_attributes
// has added the namespace: normal records, then egress ones.
func otlpLogs(normal, egress int) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("k8s.namespace.name", "billing")
	rl.Resource().Attributes().PutStr("service.name", "invoice")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for i := 0; i < normal+egress; i++ {
		lr := lrs.AppendEmpty()
		lr.Body().SetStr(fmt.Sprintf(`[2026-11-22T10:00:0%d.000Z] "GET /invoices HTTP/1.1" 200`, i))
		lr.Attributes().PutStr("istio.source.namespace", "billing")
		lr.Attributes().PutBool("pan.egress", i >= normal)
	}
	return ld
}

func sendOTLP(t *testing.T, addr string, ld plog.Logs) {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = plogotlp.NewGRPCClient(conn).Export(ctx, plogotlp.NewExportRequestFromLogs(ld))
	require.NoError(t, err)
}

// The binary refuses a broken paprefix configuration before starting, with
// the YAML key of every mistake.
func TestPrefixConfigRefused(t *testing.T) {
	bad := writeConfig(t, `
receivers:
  istioals:
processors:
  paprefix:
    prefix: mesh-%{k8s.namespace.name
    rules:
      - match: {pan.egress: true}
        prefix: egress
      - match: {}
        prefix: rest
      - match: {k8s.namespace.name: "[pay"}
        prefix: payments
exporters:
  panlogs:
service:
  pipelines:
    logs:
      receivers: [istioals]
      processors: [paprefix]
      exporters: [panlogs]
`)
	out, err := otelcolPan(t, "validate", "--config", bad)
	require.Error(t, err)
	for _, want := range []string{
		`processors::paprefix: prefix: "mesh-%{k8s.namespace.name": unclosed %{ at byte 5`,
		"rules[1]::match: must not be empty",
		`rules[2]::match::k8s.namespace.name: bad glob "[pay": unclosed "["`,
	} {
		assert.Contains(t, out, want)
	}
}
