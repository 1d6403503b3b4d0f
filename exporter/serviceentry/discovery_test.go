package serviceentry

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	apinetworking "istio.io/api/networking/v1alpha3"

	"github.com/otelcol-pan/otelcol-pan/exporter/serviceentry/internal/metadatatest"
	"github.com/otelcol-pan/otelcol-pan/internal/alsgen"
	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
)

type wantEntry struct {
	hosts, addresses []string
	port             *apinetworking.ServicePort
	resolution       apinetworking.ServiceEntry_Resolution
	workloads        string
	connections      string
	denied           string
	exportTo         []string
}

var fourHosts = map[string]wantEntry{
	"api.stripe.com.yaml": {
		hosts: []string{"api.stripe.com"}, port: &apinetworking.ServicePort{Number: 443, Name: "tls-443", Protocol: "TLS"},
		resolution: apinetworking.ServiceEntry_DNS, workloads: "payments/billing,payments/checkout", connections: "6", exportTo: []string{"payments"},
	},
	"httpbin.org.yaml": {
		hosts: []string{"httpbin.org"}, port: &apinetworking.ServicePort{Number: 80, Name: "http-80", Protocol: "HTTP"},
		resolution: apinetworking.ServiceEntry_DNS, workloads: "shop/web", connections: "3", exportTo: []string{"shop"},
	},
	"ip-203-0-113-7.yaml": {
		hosts: []string{"203-0-113-7.ip.invalid"}, addresses: []string{"203.0.113.7"}, port: &apinetworking.ServicePort{Number: 5432, Name: "tcp-5432", Protocol: "TCP"},
		resolution: apinetworking.ServiceEntry_NONE, workloads: "payments/billing", connections: "3", exportTo: []string{"payments"},
	},
	"exfil.example.net.yaml": {
		hosts: []string{"exfil.example.net"}, port: &apinetworking.ServicePort{Number: 443, Name: "tls-443", Protocol: "TLS"},
		resolution: apinetworking.ServiceEntry_DNS, workloads: "shop/web", connections: "3", denied: "3", exportTo: []string{"shop"},
	},
}

func checkFourHosts(t *testing.T, dir string, connectionsFactor int) {
	t.Helper()
	files := yamlFiles(t, dir, serviceEntriesDir)
	require.Equal(t, []string{"api.stripe.com.yaml", "exfil.example.net.yaml", "httpbin.org.yaml", "ip-203-0-113-7.yaml"}, files)
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			want := fourHosts[name]
			se := loadServiceEntry(t, readFile(t, dir, serviceEntriesDir, name))
			assert.Equal(t, want.hosts, se.Spec.GetHosts())
			assert.Equal(t, want.addresses, se.Spec.GetAddresses())
			require.Len(t, se.Spec.GetPorts(), 1)
			p := se.Spec.GetPorts()[0]
			assert.Equal(t, want.port.GetNumber(), p.GetNumber())
			assert.Equal(t, want.port.GetName(), p.GetName())
			assert.Equal(t, want.port.GetProtocol(), p.GetProtocol())
			assert.Equal(t, want.resolution, se.Spec.GetResolution())
			assert.Equal(t, apinetworking.ServiceEntry_MESH_EXTERNAL, se.Spec.GetLocation())
			assert.Equal(t, want.exportTo, se.Spec.GetExportTo())
			assert.Empty(t, se.Spec.GetEndpoints())
			assert.Equal(t, want.workloads, se.Annotations[annWorkloads])
			assert.Equal(t, fmt.Sprint(mustAtoi(want.connections)*connectionsFactor), se.Annotations[annConnections])
			if want.denied != "" {
				assert.Equal(t, fmt.Sprint(mustAtoi(want.denied)*connectionsFactor), se.Annotations[annDenied])
			} else {
				assert.NotContains(t, se.Annotations, annDenied)
			}
			assert.Equal(t, "2026-11-22T10:00:00Z", se.Annotations[annFirstSeen])
			assert.Equal(t, "2026-11-22T10:02:00Z", se.Annotations[annLastSeen])
			assert.Equal(t, managedBy, se.Labels[labelManagedBy])
		})
	}
}

func mustAtoi(s string) int {
	var n int
	_, _ = fmt.Sscan(s, &n)
	return n
}

// Three workloads in two namespaces reach four external hosts (TLS by SNI,
// plain HTTP by authority, a bare IP over TCP, and one refused at the
// BlackHoleCluster) among in-mesh traffic: exactly four ServiceEntries, with
// the ports, protocols, resolutions and workloads seen, and one Sidecar per
// namespace listing only what that namespace used.
func TestFourExternalHostsFromThreeWorkloads(t *testing.T) {
	cfg := testConfig(t)
	cfg.ServiceEntries.ExportTo = []string{ExportToLearned}
	cfg.Sidecars.Enabled = true
	p := startPipeline(t, cfg, componenttest.NewNopHost())
	p.send(t, meshTraffic(3)...)
	p.stop(t)

	checkFourHosts(t, cfg.Directory, 1)

	require.Equal(t, []string{"payments.yaml", "shop.yaml"}, yamlFiles(t, cfg.Directory, sidecarsDir))
	for ns, want := range map[string][]string{
		"payments": {"./*", "istio-system/*", "*/203-0-113-7.ip.invalid", "*/api.stripe.com"},
		"shop":     {"./*", "istio-system/*", "*/exfil.example.net", "*/httpbin.org"},
	} {
		sc := loadSidecar(t, readFile(t, cfg.Directory, sidecarsDir, ns+".yaml"))
		assert.Equal(t, ns, sc.Namespace)
		assert.Equal(t, "default", sc.Name)
		assert.Equal(t, want, sc.Spec.GetEgress()[0].GetHosts(), ns)
	}

	r := readReport(t, cfg.Directory)
	assert.Equal(t, reportSummary{Hosts: 4, ServiceEntries: 4, Sidecars: 2, Denied: 1}, r.Summary)
	assert.Equal(t, recordCounts{Learned: 15, InMesh: 45}, r.Records)
	byHost := map[string]hostRecord{}
	for _, h := range r.Hosts {
		byHost[h.Host] = h
	}
	assert.Equal(t, []string{"198.51.100.10"}, byHost["api.stripe.com"].Addresses)
	assert.Equal(t, "203.0.113.7", byHost["203.0.113.7"].Address)
	assert.Equal(t, viaRecord{BlackHole: 3}, byHost["exfil.example.net"].Via)
	assert.Equal(t, "serviceentries/exfil.example.net.yaml", byHost["exfil.example.net"].ServiceEntry)

	metadatatest.AssertEqualExporterServiceentryHostsLearned(t, p.tt, []metricdata.DataPoint[int64]{{Value: 4}}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
	metadatatest.AssertEqualExporterServiceentryFilesWritten(t, p.tt, []metricdata.DataPoint[int64]{
		{Attributes: attribute.NewSet(attribute.String("kind", kindReport)), Value: 1},
		{Attributes: attribute.NewSet(attribute.String("kind", kindServiceEntry)), Value: 4},
		{Attributes: attribute.NewSet(attribute.String("kind", kindSidecar)), Value: 2},
	}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
}

// Traffic that stays in the mesh teaches nothing and writes nothing.
func TestInMeshTrafficProducesNoServiceEntries(t *testing.T) {
	cfg := testConfig(t)
	p := startPipeline(t, cfg, componenttest.NewNopHost())
	p.send(t, alsgen.Synthetic("mixed", []string{"default", "payments"}, 4, 2000, 50)...)
	p.stop(t)
	assert.Empty(t, yamlFiles(t, cfg.Directory, serviceEntriesDir))
	assert.NoFileExists(t, cfg.Directory+"/"+reportFile)
	_, err := p.tt.GetMetric("otelcol_exporter_serviceentry_hosts_learned")
	assert.Error(t, err, "no host was learned")
}

// One workload asking for 10,000 distinct random names is capped at
// max_hosts_per_workload: its names are reported and counted, never written,
// while the other workloads' hosts still are.
func TestFloodOfRandomHostsIsCappedAndReported(t *testing.T) {
	const flood, limit = 10_000, 50
	cfg := testConfig(t)
	cfg.MaxHostsPerWorkload = limit
	cfg.ServiceEntries.ExportTo = []string{ExportToLearned}
	p := startPipeline(t, cfg, componenttest.NewNopHost())

	crawler := alsgen.Workload{Namespace: "shop", Name: "crawler", Index: 4}
	rng := rand.New(rand.NewPCG(8, 8))
	start := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	var msgs []*accesslogMessage
	for m := 0; m < flood/500; m++ {
		var entries []*httpEntry
		for i := range 500 {
			d := alsgen.EgressDest{Cluster: mesh.PassthroughCluster, Host: fmt.Sprintf("%016x.flood.example", rng.Uint64()), IP: "198.51.100.99", Port: 443}
			entries = append(entries, alsgen.EgressHTTPEntry(crawler, d, m*500+i, start))
		}
		msgs = append(msgs, alsgen.EgressHTTPMessage(entries...))
	}
	p.send(t, append(meshTraffic(3), alsgen.EgressStream(crawler, msgs...))...)
	p.stop(t)

	checkFourHosts(t, cfg.Directory, 1)
	r := readReport(t, cfg.Directory)
	assert.Equal(t, 4+limit, r.Summary.Hosts)
	assert.Equal(t, 4, r.Summary.ServiceEntries)
	assert.Equal(t, limit, r.Summary.WithheldFlooding)
	assert.Equal(t, uint64(flood-limit), r.Summary.HostsDropped)
	assert.Equal(t, dropRecord{
		MaxHostsPerWorkload: flood - limit,
		ByWorkload:          []dropSourceRecord{{source: source{Namespace: "shop", Workload: "crawler"}, Dropped: flood - limit, Flooding: true}},
		Flooding:            []source{{Namespace: "shop", Workload: "crawler"}},
	}, r.Dropped)
	withheld := 0
	for _, h := range r.Hosts {
		if h.Status == statusWithheldFlooding {
			withheld++
			assert.True(t, strings.HasSuffix(h.Host, ".flood.example"), h.Host)
			assert.Empty(t, h.ServiceEntry)
		}
	}
	assert.Equal(t, limit, withheld)

	metadatatest.AssertEqualExporterServiceentryHostsDropped(t, p.tt, []metricdata.DataPoint[int64]{
		{Attributes: attribute.NewSet(attribute.String("reason", "max_hosts_per_workload")), Value: flood - limit},
	}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
	warn := p.logs.FilterMessageSnippet("dropped by the caps").All()
	require.Len(t, warn, 1, "one log line for the interval, not one per record")
	fieldsOf := warn[0].ContextMap()
	assert.EqualValues(t, flood-limit, fieldsOf["max_hosts_per_workload"])
	assert.Equal(t, "shop/crawler", fieldsOf["flooding"])
}

// What was learned survives a restart through file_storage: a new exporter
// instance loads it, writes the same entries (into a fresh directory), and
// keeps counting from there.
func TestStateSurvivesRestart(t *testing.T) {
	storageDir := t.TempDir()
	cfg := testConfig(t)
	id := component.MustNewID("file_storage")
	cfg.StorageID = &id
	cfg.ServiceEntries.ExportTo = []string{ExportToLearned}

	host := startFileStorage(t, storageDir)
	p := startPipeline(t, cfg, host)
	p.send(t, meshTraffic(3)...)
	p.stop(t)
	host.shutdown(t)
	checkFourHosts(t, cfg.Directory, 1)

	// A new instance, a new output directory, no traffic: the state alone.
	cfg2 := *cfg
	cfg2.Directory = t.TempDir() + "/after-restart"
	host = startFileStorage(t, storageDir)
	p = startPipeline(t, &cfg2, host)
	p.stop(t)
	checkFourHosts(t, cfg2.Directory, 1)
	host.shutdown(t)

	// And again, with the same traffic once more: the counts add up.
	host = startFileStorage(t, storageDir)
	p = startPipeline(t, &cfg2, host)
	p.send(t, meshTraffic(3)...)
	p.stop(t)
	host.shutdown(t)
	checkFourHosts(t, cfg2.Directory, 2)
	assert.Equal(t, recordCounts{Learned: 30, InMesh: 90}, readReport(t, cfg2.Directory).Records)
}

func TestStaleFilesAreRemoved(t *testing.T) {
	cfg := testConfig(t)
	require.NoError(t, mkdirAll(cfg.Directory+"/"+serviceEntriesDir))
	writeTestFile(t, cfg.Directory+"/"+serviceEntriesDir+"/gone.example.com.yaml")
	writeTestFile(t, cfg.Directory+"/"+serviceEntriesDir+"/notes.txt")
	p := startPipeline(t, cfg, componenttest.NewNopHost())
	p.send(t, meshTraffic(1)...)
	p.stop(t)
	files := yamlFiles(t, cfg.Directory, serviceEntriesDir)
	assert.NotContains(t, files, "gone.example.com.yaml")
	assert.Contains(t, files, "notes.txt", "only .yaml files are the exporter's")
	assert.Len(t, files, 5)
}

func TestStartFailsOnAMissingStorageExtension(t *testing.T) {
	cfg := testConfig(t)
	id := component.MustNewID("file_storage")
	cfg.StorageID = &id
	exp, err := NewFactory().CreateLogs(context.Background(), metadatatest.NewSettings(componenttest.NewTelemetry()), cfg)
	require.NoError(t, err)
	require.ErrorContains(t, exp.Start(context.Background(), componenttest.NewNopHost()), `storage: extension "file_storage" not found`)
	require.NoError(t, exp.Shutdown(context.Background()))
}

// The interval writes while records keep arriving (run with -race): the
// files appear without a shutdown, and the final write holds everything.
func TestIntervalWritesWhileLearning(t *testing.T) {
	cfg := testConfig(t)
	cfg.Interval = 5 * time.Millisecond
	p := startPipeline(t, cfg, componenttest.NewNopHost())
	for range 5 {
		p.send(t, meshTraffic(3)...)
	}
	require.Eventually(t, func() bool {
		return len(yamlFiles(t, cfg.Directory, serviceEntriesDir)) == 4
	}, 10*time.Second, 5*time.Millisecond, "the interval writes without waiting for shutdown")
	p.stop(t)
	checkFourHostsCounts(t, cfg.Directory, 5)
}

// checkFourHostsCounts checks the connection counts only (exportTo is not
// configured here).
func checkFourHostsCounts(t *testing.T, dir string, factor int) {
	t.Helper()
	for name, want := range fourHosts {
		se := loadServiceEntry(t, readFile(t, dir, serviceEntriesDir, name))
		assert.Equal(t, fmt.Sprint(mustAtoi(want.connections)*factor), se.Annotations[annConnections], name)
	}
}
