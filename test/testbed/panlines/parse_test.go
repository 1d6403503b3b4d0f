package panlines

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

func parse(t *testing.T, format, line string) map[string]any {
	t.Helper()
	m := pcommon.NewMap()
	require.NoError(t, Parse(format, []byte(line), m))
	return m.AsRaw()
}

func TestParseJSON(t *testing.T) {
	got := parse(t, FormatJSON, `mesh-shop {"type":"TRAFFIC","subtype":"end","src":"10.0.0.1","sport":40001,"egress":false,`+
		`"start":"2026-01-02T03:04:05.000007Z","http":{"method":"GET","host":"reviews:9080","url":"/r?a=1"},"envoy":{"cluster":"outbound|9080||r"}}`)
	assert.Equal(t, map[string]any{
		Prefix: "mesh-shop", Type: "TRAFFIC", Subtype: "end", Src: "10.0.0.1", SrcPort: "40001", Egress: "false",
		StartUs: "1767323045000007", Method: "GET", Authority: "reviews:9080", URL: "/r?a=1", Cluster: "outbound|9080||r",
	}, got)
}

func TestParseCSV(t *testing.T) {
	line := `p ,2026/01/02 03:04:06,,TRAFFIC,deny,,2026/01/02 03:04:05,10.128.0.1,10.0.0.1,,,"ns[a]-policy[b,c]-rule[0]",` +
		`spiffe://x,,ssl,,sandbox,shop,,,,,,1,40001,7070,,,,tcp,deny,64,64,0,,2026/01/02 03:04:05,0,,,,,,,,,,policy-deny`
	got := parse(t, FormatCSV, line)
	assert.Equal(t, map[string]any{
		Prefix: "p", Type: "TRAFFIC", Subtype: "deny", Src: "10.128.0.1", Dst: "10.0.0.1", Rule: "ns[a]-policy[b,c]-rule[0]",
		SrcUser: "spiffe://x", App: "ssl", From: "sandbox", To: "shop", SrcPort: "40001", DstPort: "7070", Proto: "tcp",
		Action: "deny", Bytes: "64", BytesSent: "64", BytesReceived: "0", StartS: "1767323045", ElapsedS: "0",
		EndReason: "policy-deny",
	}, got)
}

func TestParseCEF(t *testing.T) {
	line := `mesh-egress CEF:0|Palo Alto Networks|otelcol-pan|0.1.0|TRAFFIC|end|3|rt=1 start=1767323045000 src=10.0.0.1 spt=40001 ` +
		`act=allow cs4Label=Source Zone cs4=shop requestClientApplication=Mozilla/5.0 (X11; Linux) request=/r?a\=1&b\=2 ` +
		`cn2Label=HTTP Status cn2=200 deviceDirection=1`
	got := parse(t, FormatCEF, line)
	assert.Equal(t, map[string]any{
		Prefix: "mesh-egress", Type: "TRAFFIC", Subtype: "end", Severity: "3", StartMs: "1767323045000", Src: "10.0.0.1",
		SrcPort: "40001", Action: "allow", From: "shop", UserAgent: "Mozilla/5.0 (X11; Linux)", URL: "/r?a=1&b=2",
		Status: "200", Direction: "outbound",
	}, got)

	m := pcommon.NewMap()
	assert.ErrorContains(t, Parse(FormatCEF, []byte(`p CEF:0|Palo Alto Networks|otelcol-pan|0.1.0|TRAFFIC|end|3|cs1Label=Oops cs1=x`), m),
		`cs1 labelled "Oops"`)
}

func TestParseLEEF(t *testing.T) {
	line := `p LEEF:2.0|Palo Alto Networks|otelcol-pan|0.1.0|TRAFFIC|^|cat=end^sev=3^devTime=1767323045012^src=10.0.0.1^` +
		`srcPort=40001^url=/a\^b?x=1^userAgent=curl/8 (a\\b)`
	got := parse(t, FormatLEEF, line)
	assert.Equal(t, map[string]any{
		Prefix: "p", Type: "TRAFFIC", Subtype: "end", Severity: "3", EndMs: "1767323045012", Src: "10.0.0.1",
		SrcPort: "40001", URL: "/a^b?x=1", UserAgent: `curl/8 (a\b)`,
	}, got)
}

func TestParseOCSF(t *testing.T) {
	// An inbound HTTP denial: the sidecar's side is the destination.
	got := parse(t, FormatOCSF, `mesh-denied {"class_uid":4002,"action_id":2,"disposition_id":26,"start_time":1767323045000,`+
		`"end_time":1767323045012,"duration":12,"policy":{"name":"shop/deny-all"},`+
		`"src_endpoint":{"ip":"10.0.0.1","port":40001,"zone":"web","owner":{"uid":"spiffe://x/ns/web/sa/a"}},`+
		`"dst_endpoint":{"ip":"10.0.0.2","port":8080,"name":"cart-v1","uid":"kubernetes://cart-v1-7c9f8.shop","zone":"shop",`+
		`"network_scope_id":1,"container":{"name":"cart"},"proxy_endpoint":{"ip":"10.0.0.9","port":8081}},`+
		`"connection_info":{"direction_id":1,"direction":"Inbound","protocol_name":"tcp"},"traffic":{"bytes_out":5,"bytes_in":19,"bytes":24},`+
		`"http_request":{"http_method":"GET","url":{"hostname":"cart","path":"/c","query_string":"id=1"},"uid":"r1"},`+
		`"http_response":{"code":403},"proxy":{"type":"sidecar"},"observables":[{"name":"src_endpoint.ip","value":"10.0.0.1"}],`+
		`"unmapped":{"pan.session_end_reason":"policy-deny","istio.mtls":true,"envoy.upstream.cluster":"inbound|8080||"},`+
		`"metadata":{"version":"1.8.0","profiles":["security_control"]}}`)
	assert.Equal(t, map[string]any{
		Prefix: "mesh-denied", OCSFClassUID: "4002", OCSFActionID: "2", OCSFDispositionID: "26", OCSFVersion: "1.8.0",
		StartMs: "1767323045000", EndMs: "1767323045012", ElapsedMs: "12", Rule: "shop/deny-all",
		Src: "10.0.0.1", SrcPort: "40001", From: "web", SrcUser: "spiffe://x/ns/web/sa/a",
		Dst: "10.0.0.2", DstPort: "8080", DstWorkload: "cart-v1", DstUID: "kubernetes://cart-v1-7c9f8.shop", DstPod: "cart-v1-7c9f8",
		To: "shop", Egress: "false", Containers: "cart", NatDst: "10.0.0.9", NatDstPort: "8081",
		Direction: "inbound", Proto: "tcp", BytesSent: "5", BytesReceived: "19", Bytes: "24",
		Method: "GET", Host: "cart", URL: "/c?id=1", RequestID: "r1", Status: "403", Proxy: "sidecar",
		EndReason: "policy-deny", MTLS: "true", Cluster: "inbound|8080||",
	}, got)

	// TLS egress through the PassthroughCluster: no namespace, and the SNI
	// is the destination's hostname.
	got = parse(t, FormatOCSF, `mesh-egress {"class_uid":4001,"src_endpoint":{"ip":"10.0.0.1","port":40002,"uid":"kubernetes://a.b.web"},`+
		`"dst_endpoint":{"ip":"198.18.0.1","port":443,"hostname":"api.example","network_scope_id":2}}`)
	assert.Equal(t, map[string]any{
		Prefix: "mesh-egress", OCSFClassUID: "4001", Src: "10.0.0.1", SrcPort: "40002", SrcPod: "a.b",
		Dst: "198.18.0.1", DstPort: "443", Egress: "true", To: "external", SNI: "api.example",
	}, got)
}

func TestParseRejects(t *testing.T) {
	for name, c := range map[string]struct{ format, line string }{
		"no prefix":       {FormatJSON, `{"src":"x"}`},
		"two json values": {FormatJSON, `p {"a":1} {"b":2}`},
		"short csv":       {FormatCSV, `p ,a,b`},
		"not cef":         {FormatCEF, `p LEEF:2.0|x`},
		"bad escape":      {FormatLEEF, `p LEEF:2.0|Palo Alto Networks|otelcol-pan|1|TRAFFIC|^|src=\q`},
		"ocsf not json":   {FormatOCSF, `p {"class_uid":4001`},
		"ocsf odd uid":    {FormatOCSF, `p {"src_endpoint":{"uid":"pod-without-namespace"}}`},
		"ocsf odd scope":  {FormatOCSF, `p {"dst_endpoint":{"network_scope_id":7}}`},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Error(t, Parse(c.format, []byte(c.line), pcommon.NewMap()))
		})
	}
}
