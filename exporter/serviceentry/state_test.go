package serviceentry

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func obs(host string, port uint32, proto protoSet, src source, ts time.Time) *observation {
	o := &observation{host: host, port: port, proto: proto, via: viaPassthrough, src: src, ts: ts}
	if a := addrOf(host); a.IsValid() {
		o.addr = a
	}
	return o
}

var (
	srcWeb      = source{Namespace: "shop", Workload: "web"}
	srcCheckout = source{Namespace: "payments", Workload: "checkout"}
)

// max_hosts bounds the table whatever the traffic; the rest is counted, by
// workload up to a bound of its own.
func TestMaxHostsBoundsTheTable(t *testing.T) {
	l := newLearner(10, 0)
	for i := range 1000 {
		l.add(obs(fmt.Sprintf("h%d.example.com", i), 443, protoTLS, source{Namespace: "ns", Workload: fmt.Sprintf("w%d", i%150)}, t0))
	}
	assert.Len(t, l.hosts, 10)
	assert.Equal(t, uint64(990), l.dropped.MaxHosts)
	assert.Len(t, l.dropped.BySource, maxDropSources)
	var attributed uint64
	for _, n := range l.dropped.BySource {
		attributed += *n
	}
	assert.Equal(t, uint64(990), attributed+l.dropped.Unattributed)
	assert.NotZero(t, l.dropped.Unattributed)
	hosts, dropsMax, dropsFlood, flooding := l.takeNews()
	assert.Equal(t, []int64{10, 990, 0}, []int64{hosts, dropsMax, dropsFlood})
	assert.Empty(t, flooding)
	// An existing host still counts its connections when the table is full.
	l.add(obs("h0.example.com", 443, protoTLS, srcWeb, t0))
	assert.Equal(t, uint64(2), l.hosts["h0.example.com"].Connections)
}

// A port scan of one address and a host every workload uses stay bounded.
func TestPerHostBounds(t *testing.T) {
	l := newLearner(10, 0)
	for p := range 100 {
		l.add(obs("203.0.113.7", uint32(1000+p), protoTCP, srcWeb, t0))
	}
	h := l.hosts["203.0.113.7"]
	assert.Len(t, h.Ports, maxPortsPerHost)
	assert.Equal(t, uint64(100-maxPortsPerHost), h.PortsDropped)
	for i := range 150 {
		l.add(obs("api.example.com", 443, protoTLS, source{Namespace: "ns", Workload: fmt.Sprintf("w%d", i)}, t0))
	}
	h = l.hosts["api.example.com"]
	assert.Len(t, h.Sources, maxSourcesPerHost)
	assert.Equal(t, uint64(150-maxSourcesPerHost), h.SourcesDropped)
	assert.Equal(t, uint64(150), h.Connections)
}

// A workload over max_hosts_per_workload is flooding: its new hosts are
// dropped, the hosts only it used are withheld, and a host another workload
// also used is still emitted.
func TestFloodingWorkloadIsWithheld(t *testing.T) {
	crawler := source{Namespace: "shop", Workload: "crawler"}
	l := newLearner(1000, 3)
	l.add(obs("api.stripe.com", 443, protoTLS, srcCheckout, t0))
	l.add(obs("api.stripe.com", 443, protoTLS, crawler, t0))
	for i := range 10 {
		l.add(obs(fmt.Sprintf("r%d.flood.example", i), 443, protoTLS, crawler, t0))
	}
	assert.Len(t, l.hosts, 3, "stripe and two random names: the crawler used 3 hosts")
	assert.Equal(t, uint64(8), l.dropped.PerWorkload)
	assert.True(t, l.flooding[crawler])
	assert.False(t, l.withheld(l.hosts["api.stripe.com"]))
	assert.True(t, l.withheld(l.hosts["r0.flood.example"]))
	assert.Equal(t, statusWithheldFlooding, l.status(l.hosts["r1.flood.example"], 1))
	assert.Equal(t, statusEmitted, l.status(l.hosts["api.stripe.com"], 1))
	_, _, dropsFlood, flooding := l.takeNews()
	assert.Equal(t, int64(8), dropsFlood)
	assert.Equal(t, []source{crawler}, flooding, "reported once")
}

func sortedNames(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

func readReportBytes(t *testing.T, b []byte) report {
	t.Helper()
	var r report
	require.NoError(t, json.Unmarshal(b, &r))
	return r
}

func TestBuildRules(t *testing.T) {
	t1 := t0.Add(time.Hour)
	tests := []struct {
		name   string
		cfg    func(*Config)
		add    []*observation
		check  func(t *testing.T, fs *fileSet)
		status string
	}{
		{
			name: "several protocols on one port declare TCP",
			add:  []*observation{obs("api.example.com", 443, protoTLS, srcWeb, t0), obs("api.example.com", 443, protoHTTP, srcWeb, t1), obs("api.example.com", 8443, protoTLS, srcWeb, t1)},
			check: func(t *testing.T, fs *fileSet) {
				se := loadServiceEntry(t, fs.serviceEntries["api.example.com.yaml"])
				require.Len(t, se.Spec.GetPorts(), 2)
				assert.Equal(t, "TCP", se.Spec.GetPorts()[0].GetProtocol())
				assert.Equal(t, "tcp-443", se.Spec.GetPorts()[0].GetName())
				assert.Equal(t, "TLS", se.Spec.GetPorts()[1].GetProtocol())
				assert.Equal(t, "443=TLS+HTTP", se.Annotations[annMixedProtocols])
				assert.Equal(t, "2026-11-22T11:00:00Z", se.Annotations[annLastSeen])
			},
		},
		{
			name: "STATIC resolution for an address declares it as the endpoint",
			cfg:  func(c *Config) { c.ServiceEntries.IPResolution = ResolutionStatic },
			add:  []*observation{obs("203.0.113.7", 5432, protoTCP, srcWeb, t0)},
			check: func(t *testing.T, fs *fileSet) {
				se := loadServiceEntry(t, fs.serviceEntries["ip-203-0-113-7.yaml"])
				assert.Equal(t, "STATIC", se.Spec.GetResolution().String())
				require.Len(t, se.Spec.GetEndpoints(), 1)
				assert.Equal(t, "203.0.113.7", se.Spec.GetEndpoints()[0].GetAddress())
				assert.Equal(t, []string{"203.0.113.7"}, se.Spec.GetAddresses())
			},
		},
		{
			name: "an IPv6 address",
			add:  []*observation{obs("2001:db8::7", 22, protoTCP, srcWeb, t0)},
			check: func(t *testing.T, fs *fileSet) {
				se := loadServiceEntry(t, fs.serviceEntries["ip-2001-0db8-0000-0000-0000-0000-0000-0007.yaml"])
				assert.Equal(t, []string{"2001:db8::7"}, se.Spec.GetAddresses())
			},
		},
		{
			name: "exportTo keeps the configured entries and never repeats the own namespace",
			cfg: func(c *Config) {
				c.ServiceEntries.Namespace = "payments"
				c.ServiceEntries.ExportTo = []string{".", ExportToLearned, "monitoring"}
			},
			add: []*observation{obs("api.example.com", 443, protoTLS, srcCheckout, t0), obs("api.example.com", 443, protoTLS, srcWeb, t0)},
			check: func(t *testing.T, fs *fileSet) {
				se := loadServiceEntry(t, fs.serviceEntries["api.example.com.yaml"])
				assert.Equal(t, []string{".", "shop", "monitoring"}, se.Spec.GetExportTo())
				assert.Equal(t, "payments", se.Namespace)
			},
		},
		{
			name: "principals are annotated when known",
			add:  []*observation{obs("api.example.com", 443, protoTLS, source{Namespace: "shop", Workload: "web", Principal: "spiffe://cluster.local/ns/shop/sa/web"}, t0)},
			check: func(t *testing.T, fs *fileSet) {
				se := loadServiceEntry(t, fs.serviceEntries["api.example.com.yaml"])
				assert.Equal(t, "spiffe://cluster.local/ns/shop/sa/web", se.Annotations[annPrincipals])
			},
		},
		{
			name:   "below min_connections only the report has it",
			cfg:    func(c *Config) { c.MinConnections = 3 },
			add:    []*observation{obs("api.example.com", 443, protoTLS, srcWeb, t0), obs("api.example.com", 443, protoTLS, srcWeb, t0)},
			status: statusBelowMin,
			check: func(t *testing.T, fs *fileSet) {
				assert.Empty(t, fs.serviceEntries)
			},
		},
		{
			name: "reaching min_connections emits it",
			cfg:  func(c *Config) { c.MinConnections = 3 },
			add: []*observation{
				obs("api.example.com", 443, protoTLS, srcWeb, t0), obs("api.example.com", 443, protoTLS, srcWeb, t0),
				obs("api.example.com", 443, protoTLS, srcCheckout, t0),
			},
			status: statusEmitted,
			check: func(t *testing.T, fs *fileSet) {
				assert.Equal(t, []string{"api.example.com.yaml"}, sortedNames(fs.serviceEntries))
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			cfg.Directory = t.TempDir()
			if tt.cfg != nil {
				tt.cfg(cfg)
			}
			require.NoError(t, cfg.Validate())
			l := newLearner(cfg.MaxHosts, cfg.MaxHostsPerWorkload)
			for _, o := range tt.add {
				l.add(o)
			}
			fs, err := l.build(cfg, t1)
			require.NoError(t, err)
			tt.check(t, fs)
			if tt.status != "" {
				r := readReportBytes(t, fs.report)
				require.Len(t, r.Hosts, 1)
				assert.Equal(t, tt.status, r.Hosts[0].Status)
			}
		})
	}
}

// A persisted state loads under the current configuration: hosts now
// ignored or in the mesh, and workloads out of scope, are left out; a
// smaller max_hosts keeps the most recent.
func TestLoadStateAppliesTheCurrentConfig(t *testing.T) {
	l := newLearner(100, 0)
	l.add(obs("api.stripe.com", 443, protoTLS, srcCheckout, t0))
	l.add(obs("old.example.com", 443, protoTLS, srcCheckout, t0.Add(-time.Hour)))
	l.add(obs("vault.corp.internal", 443, protoTLS, srcCheckout, t0))
	l.add(obs("httpbin.org", 80, protoHTTP, srcWeb, t0))
	l.add(obs("169.254.169.254", 80, protoHTTP, srcCheckout, t0))
	l.add(obs("api.stripe.com", 443, protoTLS, srcWeb, t0))
	l.count(skipInMesh)
	b, err := l.marshal()
	require.NoError(t, err)

	cfg := createDefaultConfig().(*Config)
	cfg.IgnoreHosts = []string{"*.internal"}
	cfg.IgnoreCIDRs = []string{"169.254.0.0/16"}
	cfg.Namespaces = []string{"payments"}
	loaded := newLearner(1, 0)
	left, err := loaded.loadState(b, newMatcher(cfg))
	require.NoError(t, err)
	assert.Equal(t, 4, left, "ignored, out of scope, and over max_hosts")
	require.Len(t, loaded.hosts, 1)
	h := loaded.hosts["api.stripe.com"]
	require.NotNil(t, h, "the most recent host in scope")
	assert.Equal(t, map[source]*usage{srcCheckout: {Connections: 1, FirstSeen: t0, LastSeen: t0}}, h.Sources)
	assert.Equal(t, uint64(2), h.Connections)
	assert.Equal(t, uint64(1), loaded.dropped.MaxHosts)
	assert.Equal(t, uint64(1), loaded.skipped[skipInMesh])
	assert.Equal(t, 1, loaded.perSource[srcCheckout])

	_, err = newLearner(1, 0).loadState([]byte(`{"version":99}`), newMatcher(cfg))
	require.ErrorContains(t, err, "version 99")
	_, err = newLearner(1, 0).loadState([]byte(`{`), newMatcher(cfg))
	assert.Error(t, err)
}

// What the state records is what comes back: a round trip is lossless.
func TestStateRoundTrip(t *testing.T) {
	l := newLearner(100, 2)
	l.add(obs("api.example.com", 443, protoTLS|protoHTTP, srcCheckout, t0))
	l.add(&observation{host: "api.example.com", port: 443, proto: protoTCP, via: viaBlackHole, src: srcWeb, ts: t0.Add(time.Minute), dest: netip.MustParseAddr("198.51.100.1")})
	l.add(obs("203.0.113.7", 5432, protoTCP, srcWeb, t0))
	l.add(obs("x.flood.example", 443, protoTLS, srcWeb, t0))
	l.count(skipNoPort)
	b, err := l.marshal()
	require.NoError(t, err)
	loaded := newLearner(100, 2)
	_, err = loaded.loadState(b, newMatcher(createDefaultConfig().(*Config)))
	require.NoError(t, err)
	b2, err := loaded.marshal()
	require.NoError(t, err)
	assert.JSONEq(t, string(b), string(b2))
	assert.True(t, loaded.flooding[srcWeb])
}

// Strings kept in the state are copies: a record's strings may view the
// buffer of the message that carried them, which must not be pinned (or,
// were it ever reused, change under the state).
func TestKeptStringsAreCopies(t *testing.T) {
	buf := []byte("api.example.com|shop|web")
	view := func(from, to int) string { return unsafe.String(&buf[from], to-from) } //nolint:gosec // G103: views into a buffer, as the receiver makes them
	l := newLearner(10, 5)
	l.add(&observation{host: view(0, 15), port: 443, proto: protoTLS, src: source{Namespace: view(16, 20), Workload: view(21, 24)}, ts: t0})
	for i := range buf {
		buf[i] = 'x'
	}
	h := l.hosts["api.example.com"]
	require.NotNil(t, h)
	assert.Equal(t, "api.example.com", h.Name)
	assert.Equal(t, 1, l.perSource[source{Namespace: "shop", Workload: "web"}])
	for s := range h.Sources {
		assert.Equal(t, source{Namespace: "shop", Workload: "web"}, s)
	}
}
