package serviceentry

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-pan/otelcol-pan/internal/fields"
)

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// newRecord is a log record with attrs; a "@event" key sets the event name.
func newRecord(t *testing.T, attrs map[string]any) plog.LogRecord {
	t.Helper()
	lr := plog.NewLogRecord()
	lr.SetTimestamp(pcommon.NewTimestampFromTime(t0))
	if ev, ok := attrs["@event"]; ok {
		lr.SetEventName(ev.(string))
		delete(attrs, "@event")
	}
	require.NoError(t, lr.Attributes().FromRaw(attrs))
	return lr
}

func sidecarResource(ns, workload string) pcommon.Map {
	m := pcommon.NewMap()
	m.PutStr(fields.K8sNamespaceName, ns)
	m.PutStr(fields.IstioWorkloadName, workload)
	return m
}

func TestObserve(t *testing.T) {
	m := newMatcher(&Config{
		MeshDomains: []string{"cluster.local"},
		IgnoreHosts: []string{"*.internal", "{telemetry,metrics}.vendor.example"},
		IgnoreCIDRs: []string{"169.254.169.254/32", "10.0.0.0/8"},
	})
	src := map[string]any{fields.IstioSourceNamespace: "shop", fields.IstioSourceWorkload: "web", fields.IstioSourcePrincipal: "spiffe://cluster.local/ns/shop/sa/web"}
	with := func(extra map[string]any) map[string]any {
		out := map[string]any{fields.IstioDirection: "outbound"}
		for k, v := range src {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name  string
		attrs map[string]any
		want  skip
		host  string
		addr  bool
		port  uint32
		proto protoSet
		via   via
	}{
		{
			name: "TLS by SNI through passthrough", attrs: with(map[string]any{
				fields.EnvoyUpstreamCluster: "PassthroughCluster", fields.TLSServerName: "API.Stripe.com.",
				fields.DestinationAddress: "198.51.100.10", fields.DestinationPort: 443,
			}),
			host: "api.stripe.com", port: 443, proto: protoTLS, via: viaPassthrough,
		},
		{
			name: "HTTP by authority", attrs: with(map[string]any{
				"@event":                    fields.EventHTTP,
				fields.EnvoyUpstreamCluster: "PassthroughCluster", fields.ServerAddress: "httpbin.org", fields.ServerPort: 80,
				fields.HTTPRequestMethod: "GET", fields.DestinationAddress: "198.51.100.20", fields.DestinationPort: 80,
			}),
			host: "httpbin.org", port: 80, proto: protoHTTP, via: viaPassthrough,
		},
		{
			name: "bare IP over TCP", attrs: with(map[string]any{
				fields.EnvoyUpstreamCluster: "PassthroughCluster", fields.DestinationAddress: "203.0.113.7", fields.DestinationPort: 5432,
			}),
			host: "203.0.113.7", addr: true, port: 5432, proto: protoTCP, via: viaPassthrough,
		},
		{
			name: "denied at BlackHoleCluster", attrs: with(map[string]any{
				fields.EnvoyUpstreamCluster: "BlackHoleCluster", fields.PanAction: "deny", fields.PanEgress: true,
				fields.DestinationAddress: "192.0.2.50", fields.DestinationPort: 9200,
			}),
			host: "192.0.2.50", addr: true, port: 9200, proto: protoTCP, via: viaBlackHole,
		},
		{
			name: "HTTP refused by the block_all route", attrs: with(map[string]any{
				"@event":              fields.EventHTTP,
				fields.EnvoyRouteName: "block_all", fields.ServerAddress: "evil.example.net", fields.HTTPRequestMethod: "GET",
				fields.DestinationAddress: "192.0.2.60", fields.DestinationPort: 80,
			}),
			host: "evil.example.net", port: 80, proto: protoHTTP, via: viaBlackHole,
		},
		{
			name: "registered ServiceEntry host from the cluster name", attrs: with(map[string]any{
				fields.EnvoyUpstreamCluster: "outbound|3306||db.partner.example", fields.DestinationAddress: "198.51.100.30",
			}),
			host: "db.partner.example", port: 3306, proto: protoTCP, via: viaRegistered,
		},
		{
			name: "a wildcard cluster host gives way to the address", attrs: with(map[string]any{
				fields.EnvoyUpstreamCluster: "outbound|443||*.example.com", fields.DestinationAddress: "198.51.100.31", fields.DestinationPort: 443,
			}),
			host: "198.51.100.31", addr: true, port: 443, proto: protoTCP, via: viaRegistered,
		},
		{
			name: "a search-path short name gives way to the address", attrs: with(map[string]any{
				"@event":                    fields.EventHTTP,
				fields.EnvoyUpstreamCluster: "PassthroughCluster", fields.ServerAddress: "payments-api",
				fields.DestinationAddress: "198.51.100.40", fields.DestinationPort: 8080,
			}),
			host: "198.51.100.40", addr: true, port: 8080, proto: protoHTTP, via: viaPassthrough,
		},
		{
			name: "pan.egress from another producer", attrs: with(map[string]any{
				fields.PanEgress: true, fields.TLSServerName: "hooks.slack.com", fields.DestinationAddress: "198.51.100.50", fields.DestinationPort: "443",
			}),
			host: "hooks.slack.com", port: 443, proto: protoTLS, via: viaOther,
		},
		{
			name: "IPv6 destination", attrs: with(map[string]any{
				fields.EnvoyUpstreamCluster: "PassthroughCluster", fields.DestinationAddress: "2001:db8::7", fields.DestinationPort: 22,
			}),
			host: "2001:db8::7", addr: true, port: 22, proto: protoTCP, via: viaPassthrough,
		},

		{name: "inbound", attrs: with(map[string]any{fields.IstioDirection: "inbound", fields.EnvoyUpstreamCluster: "inbound|9080||reviews.default.svc.cluster.local"}), want: skipNotEgress},
		{name: "in-mesh outbound cluster", attrs: with(map[string]any{fields.EnvoyUpstreamCluster: "outbound|9080||reviews.default.svc.cluster.local", fields.DestinationPort: 9080}), want: skipInMesh},
		{name: "in-mesh authority through passthrough", attrs: with(map[string]any{fields.EnvoyUpstreamCluster: "PassthroughCluster", fields.ServerAddress: "reviews.default.svc.cluster.local", fields.DestinationPort: 9080}), want: skipInMesh},
		{name: "Kubernetes short form .svc", attrs: with(map[string]any{fields.EnvoyUpstreamCluster: "PassthroughCluster", fields.ServerAddress: "reviews.default.svc", fields.DestinationPort: 9080}), want: skipInMesh},
		{name: "no egress evidence", attrs: with(map[string]any{fields.PanEgress: false, fields.TLSServerName: "api.stripe.com", fields.DestinationPort: 443}), want: skipNotEgress},
		{name: "ignored host glob", attrs: with(map[string]any{fields.EnvoyUpstreamCluster: "PassthroughCluster", fields.TLSServerName: "vault.corp.internal", fields.DestinationPort: 443}), want: skipIgnoredHost},
		{name: "ignored host alternatives (the glob dialect paprefix matches with)", attrs: with(map[string]any{fields.EnvoyUpstreamCluster: "PassthroughCluster", fields.TLSServerName: "Metrics.Vendor.Example", fields.DestinationPort: 443}), want: skipIgnoredHost},
		{name: "ignored host address", attrs: with(map[string]any{fields.EnvoyUpstreamCluster: "PassthroughCluster", fields.DestinationAddress: "169.254.169.254", fields.DestinationPort: 80}), want: skipIgnoredCIDR},
		{name: "named host at an ignored destination", attrs: with(map[string]any{fields.EnvoyUpstreamCluster: "PassthroughCluster", fields.TLSServerName: "api.stripe.com", fields.DestinationAddress: "10.1.2.3", fields.DestinationPort: 443}), want: skipIgnoredCIDR},
		{name: "loopback", attrs: with(map[string]any{fields.EnvoyUpstreamCluster: "PassthroughCluster", fields.DestinationAddress: "127.0.0.1", fields.DestinationPort: 15000}), want: skipNotEgress},
		{name: "no host at all", attrs: with(map[string]any{fields.EnvoyUpstreamCluster: "PassthroughCluster", fields.DestinationPort: 443}), want: skipNoHost},
		{name: "no port at all", attrs: with(map[string]any{fields.EnvoyUpstreamCluster: "PassthroughCluster", fields.DestinationAddress: "203.0.113.9"}), want: skipNoPort},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, got := m.observe(pcommon.NewMap(), newRecord(t, tt.attrs))
			require.Equal(t, tt.want, got)
			if got != learned {
				return
			}
			assert.Equal(t, tt.host, o.host)
			assert.Equal(t, tt.addr, o.addr.IsValid())
			assert.Equal(t, tt.port, o.port)
			assert.Equal(t, tt.proto, o.proto)
			assert.Equal(t, tt.via, o.via)
			assert.Equal(t, source{Namespace: "shop", Workload: "web", Principal: "spiffe://cluster.local/ns/shop/sa/web"}, o.src)
			assert.Equal(t, t0, o.ts)
		})
	}
}

// A record without istio.source.* (a block_all denial, or OTLP from Envoy's
// text format) takes its workload from the resource of the proxy that
// logged it.
func TestObserveSourceFallsBackToTheResource(t *testing.T) {
	m := newMatcher(&Config{MeshDomains: []string{"cluster.local"}})
	lr := newRecord(t, map[string]any{fields.EnvoyRouteName: "block_all", fields.ServerAddress: "evil.example.net", fields.DestinationPort: 80})
	res := pcommon.NewMap()
	res.PutStr(fields.K8sNamespaceName, "payments")
	res.PutStr(fields.K8sDeploymentName, "checkout")
	o, r := m.observe(res, lr)
	require.Equal(t, learned, r)
	assert.Equal(t, source{Namespace: "payments", Workload: "checkout"}, o.src)
}

func TestObserveNamespaceScope(t *testing.T) {
	m := newMatcher(&Config{MeshDomains: []string{"cluster.local"}, Namespaces: []string{"payments"}})
	attrs := func() map[string]any {
		return map[string]any{fields.EnvoyUpstreamCluster: "PassthroughCluster", fields.TLSServerName: "api.stripe.com", fields.DestinationPort: 443}
	}
	_, r := m.observe(sidecarResource("payments", "checkout"), newRecord(t, attrs()))
	assert.Equal(t, learned, r)
	_, r = m.observe(sidecarResource("shop", "web"), newRecord(t, attrs()))
	assert.Equal(t, skipNamespace, r)
	_, r = m.observe(pcommon.NewMap(), newRecord(t, attrs()))
	assert.Equal(t, skipNamespace, r, "an unknown namespace is outside any scope")
}

func TestNames(t *testing.T) {
	for _, tt := range []struct {
		host, object, synthetic string
	}{
		{"api.stripe.com", "api.stripe.com", ""},
		{"203.0.113.7", "ip-203-0-113-7", "203-0-113-7.ip.invalid"},
		{"2001:db8::7", "ip-2001-0db8-0000-0000-0000-0000-0000-0007", "2001-0db8-0000-0000-0000-0000-0000-0007.ip.invalid"},
	} {
		assert.Equal(t, tt.object, objectName(tt.host))
		assert.True(t, isDNSSubdomain(objectName(tt.host)), tt.host)
		if tt.synthetic != "" {
			got := ipHostName(netip.MustParseAddr(tt.host))
			assert.Equal(t, tt.synthetic, got)
			assert.True(t, isExternalName(got), "Istio accepts %q as a host", got)
		}
	}
	for name, want := range map[string]bool{
		"api.stripe.com": true, "reviews": false, "203.0.113.7": false, "a.b.123": false, "a.b.c1": true,
		"under_score.example.com": false, "-lead.example.com": false, "example.com": true,
	} {
		assert.Equal(t, want, isExternalName(name), name)
	}
}
