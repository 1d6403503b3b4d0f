package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	datav3 "github.com/envoyproxy/go-control-plane/envoy/data/accesslog/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/otelcol-pan/otelcol-pan/internal/alsgen"
	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
	"github.com/otelcol-pan/otelcol-pan/internal/testutil"
)

// The same requests and connections through Istio's three data paths: the
// sidecars' ALS streams (istioals), Istio's OpenTelemetry provider with
// Envoy's default text line and with Istio's labels (otlp + istionorm), and,
// for the connections, the lines ztunnel writes in ambient mode, tailed by
// the node agent of deploy/ambient (file_log + istionorm, then OTLP to the
// central collector). Each becomes a panlogs JSON line; every field must be
// the ALS record's, but those the source cannot know (sourceDifferences).

var (
	sleep   = alsgen.Workload{Namespace: "default", Name: "sleep", Index: 7}
	reviews = alsgen.Workload{Namespace: "default", Name: "reviews-v1", Index: 8}
	// t0 has microseconds: Envoy's text keeps milliseconds.
	t0 = time.Date(2026, 11, 29, 10, 0, 0, 123456000, time.UTC)
)

// A scenario is one request or connection, identified in every output by
// its source address and port.
type scenario struct {
	name  string
	sport int
	// l4: a connection (ztunnel sees it); the others are HTTP requests,
	// which ztunnel, an L4 proxy, does not see as such.
	l4 bool
}

var scenarios = []scenario{
	{"allowed http, outbound to a service", 30001, false},
	{"allowed tcp, outbound to a service", 30002, true},
	{"allowed tcp, inbound over mTLS", 40003, true},
	{"denied tcp, inbound: an AuthorizationPolicy named", 40004, true},
	{"denied http, inbound: an AuthorizationPolicy named", 40005, false},
	{"egress through the PassthroughCluster", 30006, true},
	{"failed tcp, outbound: connection refused", 30007, true},
}

// sourceDifferences are the fields a source cannot know as ALS does, with
// the reason; any other field that differs fails the test.
var sourceDifferences = map[string]map[string]string{
	"otlp-text":   otlpDifferences,
	"otlp-labels": otlpDifferences,
	"ztunnel": {
		"proxy":      "ztunnel is the proxy (istio.proxy.type ztunnel), not a sidecar",
		"containers": "the sidecar's node metadata names its app containers; ztunnel does not",
		"srcuser":    "ztunnel logs the source's identity with mTLS; a sidecar's ALS entry for traffic it originates has no certificate of its own workload",
		"mtls":       "ztunnel knows its tunnel is mutual TLS; ALS does not describe a sidecar's upstream leg",
		"natdst":     "ztunnel's own connection: the peer's HBONE port outbound, the workload's address inbound even when the connection was refused before it",
		"natdport":   "ztunnel's own connection goes to HBONE port 15008",
		"app":        "Envoy terminated the mTLS session (app ssl); ztunnel logs no TLS facts",
		"tls":        "ztunnel logs no TLS facts (SNI, version, cipher)",
		"envoy":      "ztunnel is no Envoy: no cluster, route, flags or details",
	},
}

var otlpDifferences = map[string]string{
	"start":          "compared at milliseconds: Envoy's %START_TIME% has no finer precision",
	"time_generated": "compared at milliseconds: Envoy's %START_TIME% has no finer precision",
	"proxy":          "Istio (1.20 on) sends an empty resource: the kind of proxy is unknown (k8s_attributes gives the pod, not the proxy)",
	"containers":     "the node metadata's app containers are not in the provider's records",
	"src_pod":        "panlogs names the local pod for a known sidecar (istio.proxy.type) only",
	"dst_pod":        "panlogs names the local pod for a known sidecar (istio.proxy.type) only",
	"dst_uid":        "panlogs names the local pod for a known sidecar (istio.proxy.type) only",
	"dstuser":        "inbound, ALS reads the proxy's own certificate; Istio's formats carry no certificate",
	"app":            "Istio's formats do not say that Envoy terminated TLS (app ssl)",
	"tls":            "Istio's formats carry the SNI only: no TLS version or cipher",
}

func sock(ip string, port uint32) *corev3.Address {
	return &corev3.Address{Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{
		Address: ip, PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: port},
	}}}
}

// inbound is what reviews' sidecar logs for a connection from sleep over
// Istio's mutual TLS.
func inbound(sport uint32, d time.Duration) *datav3.AccessLogCommon {
	return &datav3.AccessLogCommon{
		DownstreamRemoteAddress: sock(sleep.IP(), sport),
		DownstreamLocalAddress:  sock(reviews.IP(), 9080),
		UpstreamRemoteAddress:   sock(reviews.IP(), 9080),
		UpstreamLocalAddress:    sock("127.0.0.6", 35000+sport%1000),
		StartTime:               timestamppb.New(t0),
		Duration:                durationpb.New(d),
		UpstreamCluster:         "inbound|9080||",
		ResponseFlags:           &datav3.ResponseFlags{},
		FilterStateObjects:      map[string]*anypb.Any{"downstream_peer": alsgen.PeerState("default", "sleep")},
		TlsProperties: &datav3.TLSProperties{
			TlsVersion:     datav3.TLSProperties_TLSv1_3,
			TlsCipherSuite: wrapperspb.UInt32(0x1301),
			TlsSniHostname: "outbound_.9080_._.reviews.default.svc.cluster.local",
			PeerCertificateProperties: &datav3.TLSProperties_CertificateProperties{SubjectAltName: []*datav3.TLSProperties_CertificateProperties_SubjectAltName{
				{San: &datav3.TLSProperties_CertificateProperties_SubjectAltName_Uri{Uri: "spiffe://cluster.local/ns/default/sa/sleep"}},
			}},
			LocalCertificateProperties: &datav3.TLSProperties_CertificateProperties{SubjectAltName: []*datav3.TLSProperties_CertificateProperties_SubjectAltName{
				{San: &datav3.TLSProperties_CertificateProperties_SubjectAltName_Uri{Uri: "spiffe://cluster.local/ns/default/sa/reviews-v1"}},
			}},
		},
		AccessLogType: datav3.AccessLogType_TcpConnectionEnd,
	}
}

const rbacDenied = "rbac_access_denied_matched_policy[ns[default]-policy[deny-sleep]-rule[0]]"

// scenarioStreams are the sidecars' ALS streams that hold the scenarios:
// sleep's (outbound) and reviews' (inbound).
func scenarioStreams() []alsgen.Stream {
	allowedHTTP := alsgen.HTTPEntry(sleep, 1, t0)
	allowedTCP := alsgen.TCPEntry(sleep, 2, t0)
	egress := alsgen.EgressTLSEntry(sleep, alsgen.EgressDest{Cluster: mesh.PassthroughCluster, Host: "api.stripe.com", IP: "198.51.100.10", Port: 443}, 6, t0)
	failed := alsgen.TCPEntry(sleep, 7, t0)
	fc := failed.CommonProperties
	fc.Duration = durationpb.New(time.Millisecond)
	fc.ResponseFlags = &datav3.ResponseFlags{UpstreamConnectionFailure: true}
	fc.UpstreamTransportFailureReason = "delayed_connect_error:_111"
	failed.ConnectionProperties = &datav3.ConnectionProperties{}

	inboundTCP := &datav3.TCPAccessLogEntry{CommonProperties: inbound(40003, 2500*time.Millisecond), ConnectionProperties: &datav3.ConnectionProperties{ReceivedBytes: 812, SentBytes: 20480}}
	deniedTCP := &datav3.TCPAccessLogEntry{CommonProperties: inbound(40004, 0), ConnectionProperties: &datav3.ConnectionProperties{}}
	dc := deniedTCP.CommonProperties
	dc.ConnectionTerminationDetails = rbacDenied
	dc.UpstreamRemoteAddress, dc.UpstreamLocalAddress = nil, nil
	deniedHTTP := &datav3.HTTPAccessLogEntry{
		CommonProperties: inbound(40005, 0),
		ProtocolVersion:  datav3.HTTPAccessLogEntry_HTTP11,
		Request: &datav3.HTTPRequestProperties{
			RequestMethod: corev3.RequestMethod_POST, Scheme: "http", Authority: "reviews:9080", Path: "/api/orders",
			UserAgent: "curl/8.5.0", RequestId: "7c1f0e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b", RequestBodyBytes: 12,
		},
		Response: &datav3.HTTPResponseProperties{ResponseCode: wrapperspb.UInt32(403), ResponseBodyBytes: 19, ResponseCodeDetails: rbacDenied},
	}
	hc := deniedHTTP.CommonProperties
	hc.UpstreamRemoteAddress, hc.UpstreamLocalAddress, hc.AccessLogType = nil, nil, datav3.AccessLogType_NotSet

	return []alsgen.Stream{
		alsgen.EgressStream(sleep,
			alsgen.EgressHTTPMessage(allowedHTTP),
			alsgen.EgressTCPMessage(allowedTCP, egress, failed)),
		alsgen.EgressStream(reviews,
			alsgen.EgressTCPMessage(inboundTCP, deniedTCP),
			alsgen.EgressHTTPMessage(deniedHTTP)),
	}
}

// ztunnelLogPath is where the kubelet keeps ztunnel's container log, under
// root (the node agent's /var/log/pods).
func ztunnelLogPath(root string) string {
	return filepath.Join(root, "var", "log", "pods", "istio-system_ztunnel-x7k2p_4f1c2b7e-8a9d-4e3f-b2c1-0d9e8f7a6b5c", "istio-proxy", "0.log")
}

// agentConfig is deploy/ambient's node agent configuration, with its paths
// under root, the central collector at central and its environment filled
// in; the test harness adds health_check.
func agentConfig(t *testing.T, root, central string) string {
	t.Helper()
	repo, err := testutil.RepoRoot()
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(repo, "deploy", "ambient", "kubernetes", "20-configmap.yaml"))
	require.NoError(t, err)
	var cm struct {
		Data map[string]string `yaml:"data"`
	}
	require.NoError(t, yaml.Unmarshal(b, &cm))
	cfg := strings.NewReplacer(
		"/var/log/pods/", filepath.Join(root, "var", "log", "pods")+"/",
		"/var/lib/otelcol-pan-agent", filepath.Join(root, "agent-state"),
		"otelcol-pan.observability.svc.cluster.local:4317", central,
		"${env:K8S_NODE_NAME}", "node-1",
		"${env:MY_POD_IP}", "127.0.0.1",
	).Replace(cm.Data["config.yaml"])
	var doc map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(cfg), &doc))
	delete(doc["extensions"].(map[string]any), "health_check")
	svc := doc["service"].(map[string]any)
	svc["extensions"] = slices.DeleteFunc(svc["extensions"].([]any), func(e any) bool { return e == "health_check" })
	out, err := yaml.Marshal(doc)
	require.NoError(t, err)
	return string(out)
}

// TestSameRecordFromEverySource sends the scenarios through the three data
// paths into one collector and compares, field by field, the JSON record
// each path gives with the ALS one.
func TestSameRecordFromEverySource(t *testing.T) {
	dir := t.TempDir()
	addrs := map[string]string{"als": freeAddr(t), "otlp-text": freeAddr(t), "otlp-labels": freeAddr(t), "ztunnel": freeAddr(t)}
	outs := map[string]string{}
	var pipelines, exporters, receivers strings.Builder
	fmt.Fprintf(&receivers, "  istioals: {endpoint: %s}\n", addrs["als"])
	for _, src := range []string{"als", "otlp-text", "otlp-labels", "ztunnel"} {
		outs[src] = filepath.Join(dir, src+".log")
		fmt.Fprintf(&exporters, "  panlogs/%s: {transport: file, file: {path: %s}}\n", src, outs[src])
		if src == "als" {
			fmt.Fprintf(&pipelines, "    logs/als: {receivers: [istioals], processors: [paprefix], exporters: [panlogs/als]}\n")
			continue
		}
		fmt.Fprintf(&receivers, "  otlp/%s: {protocols: {grpc: {endpoint: %s}}}\n", src, addrs[src])
		fmt.Fprintf(&pipelines, "    logs/%s: {receivers: [otlp/%s], processors: [istionorm, paprefix], exporters: [panlogs/%s]}\n", src, src, src)
	}
	central := runCollector(t, "receivers:\n"+receivers.String()+"processors:\n  istionorm: {}\n  paprefix: {}\nexporters:\n"+exporters.String()+
		"service:\n  pipelines:\n"+pipelines.String())

	// ztunnel's log on the node, with what it wrote before the node agent
	// started: the agent, as deploy/ambient runs it, starts at its end the
	// first time and follows what comes after.
	logPath := ztunnelLogPath(dir)
	require.NoError(t, os.MkdirAll(filepath.Dir(logPath), 0o755))
	require.NoError(t, os.WriteFile(logPath, []byte(alsgen.CRILine(
		"2026-11-29T09:59:59.000001Z\tinfo\taccess\tconnection complete\tsrc.addr=10.40.0.7:29999 direction=\"outbound\" bytes_sent=1 bytes_recv=1 duration=\"1ms\"", t0)), 0o600))
	agent := runCollector(t, agentConfig(t, dir, addrs["ztunnel"]))
	time.Sleep(time.Second) // file_log's first look at the file (every 200 ms)

	streams := scenarioStreams()
	entries := alsgen.StreamEntries(streams)
	require.Len(t, entries, len(scenarios))
	send(t, addrs["als"], 0, streams)
	ctx := context.Background()
	require.NoError(t, alsgen.SendOTLP(ctx, addrs["otlp-text"], 10*time.Second, alsgen.OTLPLogs(entries, alsgen.OTLPText, true)))
	require.NoError(t, alsgen.SendOTLP(ctx, addrs["otlp-labels"], 10*time.Second, alsgen.OTLPLogs(entries, alsgen.OTLPLabels, true)))
	var ztunnelEntries []alsgen.Entry
	for i, e := range entries {
		if scenarioOf(t, e).l4 {
			ztunnelEntries = append(ztunnelEntries, entries[i])
		}
	}
	f, err := os.OpenFile(logPath, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	// A line of ztunnel's own besides the access lines: the agent drops it.
	_, err = f.WriteString(alsgen.CRILine("2026-11-29T10:00:00.000001Z\tinfo\txds::client:xds{id=1}\treceived response\ttype_url=\"type.googleapis.com/istio.workload.Address\" size=1", t0))
	require.NoError(t, err)
	n, err := alsgen.WriteZtunnel(f, ztunnelEntries, alsgen.ZtunnelPlain, true)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	require.Equal(t, len(ztunnelEntries), n)

	want := map[string]int{"als": len(scenarios), "otlp-text": len(scenarios), "otlp-labels": len(scenarios), "ztunnel": len(ztunnelEntries)}
	records := map[string]map[int]map[string]any{}
	for src, path := range outs {
		if src == "ztunnel" {
			eventually(t, 30*time.Second, func() error {
				if got := len(fileLines(path)); got < want[src] {
					return fmt.Errorf("%d of %d ztunnel records; node agent's log:\n%s", got, want[src], agent.logs())
				}
				return nil
			})
		}
		lines := central.waitLines(t, path, want[src])
		records[src] = map[int]map[string]any{}
		for _, line := range lines {
			var rec map[string]any
			prefixedRecord(t, line, &rec)
			sport, _ := rec["sport"].(json.Number).Int64()
			records[src][int(sport)] = rec
		}
	}
	agent.stopCleanly(t)
	central.stopCleanly(t)
	for src, path := range outs {
		require.Len(t, fileLines(path), want[src], "%s: one record per request, no more", src)
	}

	for _, sc := range scenarios {
		als := records["als"][sc.sport]
		require.NotNil(t, als, "ALS: %s", sc.name)
		for _, src := range []string{"otlp-text", "otlp-labels", "ztunnel"} {
			if src == "ztunnel" && !sc.l4 {
				continue
			}
			got := records[src][sc.sport]
			require.NotNil(t, got, "%s: %s", src, sc.name)
			compareRecords(t, src, sc.name, als, got)
		}
	}

	// What each scenario must say, whichever the source.
	for src, recs := range records {
		check := func(sport int, key string, want any) {
			t.Helper()
			if rec, ok := recs[sport]; ok {
				assert.Equal(t, want, flatten(rec)[key], "%s %d %s", src, sport, key)
			}
		}
		check(30002, "action", "allow")
		check(30002, "dst_workload", "postgres-v1")
		check(40003, "src_workload", "sleep-v1")
		check(40003, "mtls", true)
		check(40004, "action", "deny")
		check(40004, "subtype", "deny")
		check(40004, "session_end_reason", "policy-deny")
		check(30006, "egress", true)
		check(30006, "to", "external")
		check(30007, "session_end_reason", "tcp-rst-from-server")
	}
	assert.Equal(t, "default/deny-sleep", records["ztunnel"][40004]["rule"])
	assert.Equal(t, "default/deny-sleep", records["als"][40004]["rule"], "every source names the policy alike")
}

// scenarioOf finds an entry's scenario by its source port.
func scenarioOf(t *testing.T, e alsgen.Entry) scenario {
	t.Helper()
	c := e.HTTP.GetCommonProperties()
	if c == nil {
		c = e.TCP.GetCommonProperties()
	}
	port := int(c.GetDownstreamRemoteAddress().GetSocketAddress().GetPortValue())
	for _, sc := range scenarios {
		if sc.sport == port {
			return sc
		}
	}
	t.Fatalf("no scenario for source port %d", port)
	return scenario{}
}

// compareRecords requires every field of got to be als's, but the ones
// src is allowed to differ in (a nested object's fields by their object's
// name); receive_time is when each collector read it.
func compareRecords(t *testing.T, src, name string, als, got map[string]any) {
	t.Helper()
	a, g := flatten(als), flatten(got)
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range g {
		keys[k] = true
	}
	for k := range keys {
		if k == "receive_time" {
			continue
		}
		av, gv := a[k], g[k]
		if strings.HasPrefix(src, "otlp") && (k == "start" || k == "time_generated") {
			av, gv = millis(av), millis(gv)
		}
		if fmt.Sprint(av) == fmt.Sprint(gv) {
			continue
		}
		top, _, _ := strings.Cut(k, ".")
		why, ok := sourceDifferences[src][k]
		if !ok {
			why, ok = sourceDifferences[src][top]
		}
		if ok {
			t.Logf("%s, %s: %s is %v through ALS, %v: %s", name, src, k, av, gv, why)
			continue
		}
		t.Errorf("%s, %s: %s is %v through ALS, %v through %s", name, src, k, av, gv, src)
	}
}

// flatten names the fields of nested objects "object.field".
func flatten(rec map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range rec {
		if m, ok := v.(map[string]any); ok {
			for k2, v2 := range m {
				out[k+"."+k2] = v2
			}
			continue
		}
		out[k] = v
	}
	return out
}

// millis cuts an RFC 3339 time with microseconds to milliseconds.
func millis(v any) any {
	s, ok := v.(string)
	if !ok || len(s) < len("2006-01-02T15:04:05.000000Z") {
		return v
	}
	return s[:len("2006-01-02T15:04:05.000")]
}

// TestZtunnelEgressIsLearned: the serviceentry exporter learns a ztunnel
// connection to an address outside the mesh as egress, and the same
// records go out in every panlogs format, one line each.
func TestZtunnelEgressIsLearned(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "ztunnel.log")
	outDir := filepath.Join(dir, "egress")
	var exporters strings.Builder
	for _, format := range []string{"json", "pan_csv", "cef", "leef"} {
		fmt.Fprintf(&exporters, "  panlogs/%s: {format: %s, transport: file, file: {path: %s}}\n", format, format, filepath.Join(dir, format+".log"))
	}
	c := runCollector(t, fmt.Sprintf(`
receivers:
  file_log: {include: [%s], start_at: beginning}
processors:
  istionorm: {unreadable: drop}
exporters:
  serviceentry: {directory: %s, interval: 200ms}
%sservice:
  pipelines:
    logs: {receivers: [file_log], processors: [istionorm], exporters: [serviceentry, panlogs/json, panlogs/pan_csv, panlogs/cef, panlogs/leef]}
`, logPath, outDir, exporters.String()))

	lines := []string{
		// billing (payments) reaches a database outside the mesh by its address
		"2026-11-29T10:00:01.500000Z\tinfo\taccess\tconnection complete\tsrc.addr=10.44.0.12:41000 src.workload=\"billing-6d9f7c8b5d-k2x7q\" src.namespace=\"payments\" src.cluster=\"Kubernetes\" dst.addr=203.0.113.7:5432 direction=\"outbound\" bytes_sent=2048 bytes_recv=8192 duration=\"1500ms\"",
		// and, in the mesh, the ledger service
		"2026-11-29T10:00:02.010000Z\tinfo\taccess\tconnection complete\tsrc.addr=10.44.0.12:41001 src.workload=\"billing-6d9f7c8b5d-k2x7q\" src.namespace=\"payments\" src.identity=\"spiffe://cluster.local/ns/payments/sa/billing\" src.cluster=\"Kubernetes\" dst.addr=10.44.1.9:15008 dst.hbone_addr=10.44.1.9:8080 dst.service=\"ledger.payments.svc.cluster.local\" dst.workload=\"ledger-5c8d7f9b6c-q9z2w\" dst.namespace=\"payments\" dst.identity=\"spiffe://cluster.local/ns/payments/sa/ledger\" dst.cluster=\"Kubernetes\" direction=\"outbound\" bytes_sent=300 bytes_recv=900 duration=\"10ms\"",
	}
	require.NoError(t, os.WriteFile(logPath, []byte(strings.Join(lines, "\n")+"\n"), 0o600))

	eventually(t, 20*time.Second, func() error {
		if got := listYAML(filepath.Join(outDir, "serviceentries")); !slices.Equal(got, []string{"ip-203-0-113-7.yaml"}) {
			return fmt.Errorf("serviceentries %v; collector log:\n%s", got, c.logs())
		}
		return nil
	})
	for _, format := range []string{"json", "pan_csv", "cef", "leef"} {
		got := c.waitLines(t, filepath.Join(dir, format+".log"), 2)
		assert.Contains(t, got[0], "203.0.113.7", format)
		assert.Contains(t, got[1], "10.44.1.9", format)
	}
	c.stopCleanly(t)

	var rep struct {
		Hosts []struct {
			Host      string `json:"host"`
			Address   string `json:"address"`
			Workloads []struct {
				Namespace string `json:"namespace"`
				Workload  string `json:"workload"`
			} `json:"workloads"`
			Ports []struct {
				Number   uint32 `json:"number"`
				Protocol string `json:"protocol"`
			} `json:"ports"`
		} `json:"hosts"`
		Records struct {
			Learned   int `json:"learned"`
			NotEgress int `json:"not_egress"`
		} `json:"records"`
	}
	b, err := os.ReadFile(filepath.Join(outDir, "report.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &rep))
	require.Len(t, rep.Hosts, 1)
	h := rep.Hosts[0]
	assert.Equal(t, "203.0.113.7", h.Address)
	require.Len(t, h.Workloads, 1)
	assert.Equal(t, "payments", h.Workloads[0].Namespace)
	assert.Equal(t, "billing", h.Workloads[0].Workload)
	require.Len(t, h.Ports, 1)
	assert.Equal(t, uint32(5432), h.Ports[0].Number)
	assert.Equal(t, "TCP", h.Ports[0].Protocol)
	assert.Equal(t, 1, rep.Records.Learned)
	assert.Equal(t, 1, rep.Records.NotEgress, "the in-mesh connection is not egress")
}
