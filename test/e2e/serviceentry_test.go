package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-pan/otelcol-pan/internal/alsgen"
	"github.com/otelcol-pan/otelcol-pan/internal/istiostrict"
	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
)

// egressStreams: checkout and billing (payments) call Stripe over TLS,
// billing reaches a database by bare IP, web (shop) fetches httpbin.org over
// plain HTTP and is refused exfil.example.net at the BlackHoleCluster; every
// stream also carries in-mesh traffic.
func egressStreams() []alsgen.Stream {
	checkout := alsgen.Workload{Namespace: "payments", Name: "checkout", Index: 1}
	billing := alsgen.Workload{Namespace: "payments", Name: "billing", Index: 2}
	web := alsgen.Workload{Namespace: "shop", Name: "web", Index: 3}
	stripe := alsgen.EgressDest{Cluster: mesh.PassthroughCluster, Host: "api.stripe.com", IP: "198.51.100.10", Port: 443}
	httpbin := alsgen.EgressDest{Cluster: mesh.PassthroughCluster, Host: "httpbin.org", IP: "198.51.100.20", Port: 80}
	pg := alsgen.EgressDest{Cluster: mesh.PassthroughCluster, IP: "203.0.113.7", Port: 5432}
	exfil := alsgen.EgressDest{Cluster: mesh.BlackHoleCluster, Host: "exfil.example.net", IP: "192.0.2.50", Port: 443}
	start := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	var streams []alsgen.Stream
	for _, w := range []alsgen.Workload{checkout, billing, web} {
		msgs := []*accesslogv3.StreamAccessLogsMessage{alsgen.Message(w, "mixed", 0, 5, start)}
		switch w {
		case checkout:
			msgs = append(msgs, alsgen.EgressTCPMessage(alsgen.EgressTLSEntry(w, stripe, 0, start)))
		case billing:
			msgs = append(msgs, alsgen.EgressTCPMessage(alsgen.EgressTLSEntry(w, stripe, 1, start), alsgen.EgressTCPEntry(w, pg, 2, start)))
		case web:
			msgs = append(msgs, alsgen.EgressHTTPMessage(alsgen.EgressHTTPEntry(w, httpbin, 3, start)),
				alsgen.EgressTCPMessage(alsgen.EgressTLSEntry(w, exfil, 4, start)))
		}
		streams = append(streams, alsgen.EgressStream(w, msgs...))
	}
	return streams
}

func serviceEntryConfig(alsAddr, out, storage string) string {
	return fmt.Sprintf(`
receivers: {istioals: {endpoint: %s}}
exporters:
  serviceentry:
    directory: %s
    interval: 200ms
    storage: file_storage
    service_entries: {export_to: [learned]}
    sidecars: {enabled: true}
extensions: {file_storage: {directory: %s}}
service:
  extensions: [file_storage]
  pipelines: {logs: {receivers: [istioals], exporters: [serviceentry]}}
`, alsAddr, out, storage)
}

func listYAML(dir string) []string {
	entries, _ := os.ReadDir(dir)
	var out []string
	for _, e := range entries {
		if filepath.Ext(e.Name()) == ".yaml" {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	return out
}

var wantEntries = []string{"api.stripe.com.yaml", "exfil.example.net.yaml", "httpbin.org.yaml", "ip-203-0-113-7.yaml"}

// waitForEntries polls the output directory until the interval has written
// the four ServiceEntries and the report.
func waitForEntries(t *testing.T, c *collector, out string) {
	t.Helper()
	eventually(t, 20*time.Second, func() error {
		if got := listYAML(filepath.Join(out, "serviceentries")); !slices.Equal(got, wantEntries) {
			return fmt.Errorf("serviceentries %v; collector log:\n%s", got, c.logs())
		}
		if _, err := os.Stat(filepath.Join(out, "report.json")); err != nil {
			return err
		}
		return nil
	})
}

// The built binary learns the four external hosts that alsgen's egress
// traffic reaches, writes their ServiceEntries and per-namespace Sidecars on
// its interval, and after a restart writes them again from file_storage.
func TestServiceEntryLearnsEgressAndSurvivesRestart(t *testing.T) {
	alsAddr := freeAddr(t)
	base := t.TempDir()
	storage := filepath.Join(base, "storage")
	require.NoError(t, os.MkdirAll(storage, 0o755))
	out := filepath.Join(base, "egress")
	c := runCollector(t, serviceEntryConfig(alsAddr, out, storage))

	send(t, alsAddr, 0, egressStreams())
	waitForEntries(t, c, out)
	c.stop(t)

	// Every file loads strictly into Istio's own types.
	for _, name := range wantEntries {
		b, err := os.ReadFile(filepath.Join(out, "serviceentries", name))
		require.NoError(t, err)
		_, err = istiostrict.ServiceEntry(b)
		require.NoError(t, err, string(b))
	}
	b, err := os.ReadFile(filepath.Join(out, "serviceentries", "ip-203-0-113-7.yaml"))
	require.NoError(t, err)
	se, err := istiostrict.ServiceEntry(b)
	require.NoError(t, err)
	assert.Equal(t, []string{"203-0-113-7.ip.invalid"}, se.Spec.GetHosts())
	assert.Equal(t, []string{"203.0.113.7"}, se.Spec.GetAddresses())
	assert.Equal(t, "NONE", se.Spec.GetResolution().String())
	assert.Equal(t, []string{"payments"}, se.Spec.GetExportTo())
	require.Len(t, se.Spec.GetPorts(), 1)
	assert.Equal(t, uint32(5432), se.Spec.GetPorts()[0].GetNumber())
	assert.Equal(t, "TCP", se.Spec.GetPorts()[0].GetProtocol())
	assert.Equal(t, "payments/billing", se.Annotations["otelcol-pan/workloads"])
	assert.Equal(t, []string{"payments.yaml", "shop.yaml"}, listYAML(filepath.Join(out, "sidecars")))
	for _, ns := range []string{"payments", "shop"} {
		b, err := os.ReadFile(filepath.Join(out, "sidecars", ns+".yaml"))
		require.NoError(t, err)
		sc, err := istiostrict.Sidecar(b)
		require.NoError(t, err, string(b))
		assert.Equal(t, ns, sc.Namespace)
	}

	var rep struct {
		Summary struct {
			Hosts          int `json:"hosts"`
			ServiceEntries int `json:"service_entries"`
			Denied         int `json:"denied_hosts"`
		} `json:"summary"`
		Records struct {
			Learned int `json:"learned"`
			InMesh  int `json:"in_mesh"`
		} `json:"records"`
	}
	b, err = os.ReadFile(filepath.Join(out, "report.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &rep))
	assert.Equal(t, 4, rep.Summary.Hosts)
	assert.Equal(t, 4, rep.Summary.ServiceEntries)
	assert.Equal(t, 1, rep.Summary.Denied)
	assert.Equal(t, 5, rep.Records.Learned)
	assert.Equal(t, 15, rep.Records.InMesh)

	// Restart on the same storage, into a fresh directory, without traffic:
	// the persisted state alone brings the entries back.
	out2 := filepath.Join(base, "egress-after-restart")
	c = runCollector(t, serviceEntryConfig(alsAddr, out2, storage))
	waitForEntries(t, c, out2)
	c.stop(t)
	b2, err := os.ReadFile(filepath.Join(out2, "serviceentries", "api.stripe.com.yaml"))
	require.NoError(t, err)
	b1, err := os.ReadFile(filepath.Join(out, "serviceentries", "api.stripe.com.yaml"))
	require.NoError(t, err)
	assert.Equal(t, string(b1), string(b2), "the same entry, from the persisted state")
}

// The README's enforce step: a second pipeline keeps only egress denials
// (REGISTRY_ONLY's BlackHoleCluster, or its block_all route for plain HTTP)
// and writes them with their own prefix; of alsgen's egress traffic only the
// connection refused at the BlackHoleCluster gets through.
func TestEgressDenialsPipeline(t *testing.T) {
	alsAddr := freeAddr(t)
	denials := tempPath(t, "egress-denials.log")
	c := runCollector(t, fmt.Sprintf(`
receivers: {istioals: {endpoint: %s}}
processors:
  filter/egress-denials:
    error_mode: ignore
    logs:
      log_record:
        - 'not ((attributes["pan.action"] == "deny" and attributes["pan.egress"] == true) or attributes["envoy.route.name"] == "block_all")'
  paprefix/denials: {prefix: egress-denied}
exporters:
  panlogs/denials: {transport: file, file: {path: %s}}
  serviceentry: {directory: %s}
service:
  pipelines:
    logs: {receivers: [istioals], exporters: [serviceentry]}
    logs/egress-denials:
      receivers: [istioals]
      processors: [filter/egress-denials, paprefix/denials]
      exporters: [panlogs/denials]
`, alsAddr, denials, filepath.Join(t.TempDir(), "egress")))
	send(t, alsAddr, 0, egressStreams())
	lines := c.stopWithLines(t, denials, 1)
	var rec struct {
		Action string `json:"action"`
		Egress bool   `json:"egress"`
		TLS    struct {
			SNI string `json:"sni"`
		} `json:"tls"`
		Envoy struct {
			Cluster string `json:"cluster"`
		} `json:"envoy"`
	}
	assert.Equal(t, "egress-denied", prefixedRecord(t, lines[0], &rec))
	assert.Equal(t, "deny", rec.Action)
	assert.True(t, rec.Egress)
	assert.Equal(t, "exfil.example.net", rec.TLS.SNI)
	assert.Equal(t, "BlackHoleCluster", rec.Envoy.Cluster)
}
