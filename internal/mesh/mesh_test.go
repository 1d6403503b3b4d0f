package mesh

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

func TestParseCluster(t *testing.T) {
	for name, want := range map[string]Cluster{
		"outbound|9080||details.default.svc.cluster.local":    {Kind: ClusterOutbound, Port: 9080, Host: "details.default.svc.cluster.local"},
		"outbound|9080|v1|reviews.default.svc.cluster.local":  {Kind: ClusterOutbound, Port: 9080, Subset: "v1", Host: "reviews.default.svc.cluster.local"},
		"inbound|9080|http|reviews.default.svc.cluster.local": {Kind: ClusterInbound, Port: 9080, Subset: "http", Host: "reviews.default.svc.cluster.local"},
		"inbound|80||":                      {Kind: ClusterInbound, Port: 80},
		"inbound-vip|80|http|httpbin.foo":   {Kind: ClusterInbound, Port: 80, Subset: "http", Host: "httpbin.foo"},
		"inbound-pod|80||10.8.1.7":          {Kind: ClusterInbound, Port: 80, Host: "10.8.1.7"},
		"outbound|443||api.example.com|odd": {Kind: ClusterOutbound, Port: 443, Host: "api.example.com|odd"},
		"outbound|broken":                   {Kind: ClusterOutbound},
		"outbound|99999||h":                 {Kind: ClusterOutbound, Host: "h"},
		"PassthroughCluster":                {Kind: ClusterPassthrough},
		"BlackHoleCluster":                  {Kind: ClusterBlackHole},
		"InboundPassthroughCluster":         {Kind: ClusterInboundPassthrough},
		"InboundPassthroughClusterIpv4":     {Kind: ClusterInboundPassthrough},
		"InboundPassthroughClusterIpv6":     {Kind: ClusterInboundPassthrough},
		"prometheus_stats":                  {},
		"":                                  {},
	} {
		assert.Equal(t, want, ParseCluster(name), name)
	}
}

func TestParsePort(t *testing.T) {
	for s, want := range map[string]uint32{
		"0": 0, "80": 80, "09080": 9080, "65535": 65535,
		"65536": 0, "99999": 0, "123456": 0, "": 0, "+80": 0, "-1": 0, "8_0": 0, "80 ": 0, "x": 0,
	} {
		assert.Equal(t, want, ParsePort(s), s)
	}
}

// The direction is the cluster name's, and outbound for the block_all
// route, which answers without any cluster.
func TestClassifyDirection(t *testing.T) {
	for _, tt := range []struct {
		cluster, route string
		want           Direction
	}{
		{"inbound|9080|http|reviews.default.svc.cluster.local", "", Inbound},
		{"outbound|9080||details.default.svc.cluster.local", "", Outbound},
		{PassthroughCluster, "", Outbound},
		{BlackHoleCluster, "", Outbound},
		{InboundPassthroughCluster, "", Inbound},
		{InboundPassthroughClusterIPv4, "", Inbound},
		{"", BlockAllRoute, Outbound},
		{"outbound|80||h", BlockAllRoute, Outbound},
		{"prometheus_stats", "", Unknown},
		{"", "default", Unknown},
		{"", "", Unknown},
	} {
		f := DefaultDomains().Classify(&Evidence{Cluster: tt.cluster, Route: tt.route})
		assert.Equal(t, tt.want, f.Direction, "%s %s", tt.cluster, tt.route)
	}
}

func TestDomains(t *testing.T) {
	d := NewDomains([]string{"cluster.local", "Corp.Internal."})
	for host, want := range map[string]bool{
		"details.default.svc.cluster.local":  true,
		"cluster.local":                      true,
		"DETAILS.default.svc.Cluster.Local.": true,
		"billing.corp.internal":              true,
		"evilcluster.local":                  false,
		"cluster.local.example.com":          false,
		"api.stripe.com":                     false,
		"local":                              false,
		"":                                   false,
	} {
		assert.Equal(t, want, d.Contains(host), host)
	}
	assert.False(t, NewDomains(nil).Contains("a.cluster.local"), "no domains: nothing is in the mesh")
	assert.True(t, DefaultDomains().Contains("a.cluster.local"))

	for _, ok := range []string{"cluster.local", "mesh.example.internal", "Cluster.Local", "cluster.local."} {
		require.NoError(t, ValidateDomain(ok), ok)
	}
	for _, bad := range []string{"", ".cluster.local", "cluster..local", "a b", "mesh|x", "x/y", "cluster.local.."} {
		require.Error(t, ValidateDomain(bad), bad)
	}
}

func TestClassify(t *testing.T) {
	domains := NewDomains([]string{"cluster.local", "corp.internal"})
	for _, tt := range []struct {
		cluster, route string
		dir            Direction
		egress         bool
	}{
		{PassthroughCluster, "", Outbound, true},
		{BlackHoleCluster, "", Outbound, true},
		{"", BlockAllRoute, Outbound, true},
		{"outbound|443||api.stripe.com", "", Outbound, true},
		{"outbound|9080||details.default.svc.cluster.local", "", Outbound, false},
		{"outbound|80||billing.corp.internal", "", Outbound, false},
		{"outbound|80||cluster.local", "", Outbound, false},
		{"outbound|80||evilcluster.local", "", Outbound, true},
		{"outbound|80||", "", Outbound, false},
		{"outbound|broken", "", Outbound, false},
		{"inbound|80||", "", Inbound, false},
		{"prometheus_stats", "", Unknown, false},
	} {
		f := domains.Classify(&Evidence{Cluster: tt.cluster, Route: tt.route})
		assert.Equal(t, tt.dir, f.Direction, tt.cluster)
		assert.Equal(t, tt.egress, f.Egress, tt.cluster)
		assert.Equal(t, tt.cluster != "" || tt.route != "", f.HasVerdict, "a cluster or a route is evidence: %s", tt.cluster)
	}
	assert.False(t, domains.Classify(&Evidence{}).HasVerdict, "no evidence, no verdict")
	assert.True(t, domains.Classify(&Evidence{HasFlags: true}).HasVerdict, "flags sent, even none set, are evidence")
}

func TestVerdictOf(t *testing.T) {
	const tlsFailure = "TLS_error:|268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED"
	tests := []struct {
		name string
		e    Evidence
		want Verdict
	}{
		{
			"rbac http",
			Evidence{Cluster: "inbound|80||", CodeDetails: "rbac_access_denied_matched_policy[ns[foo]-policy[deny-all]-rule[0]]"},
			Verdict{ActionDeny, "foo/deny-all", EndPolicyDeny},
		},
		{"rbac tcp", Evidence{TerminationDetails: "rbac_access_denied_matched_policy[none]"}, Verdict{ActionDeny, RuleNoAllowMatched, EndPolicyDeny}},
		{
			"rbac, a policy configured by hand",
			Evidence{CodeDetails: "rbac_access_denied_matched_policy[my-policy]"},
			Verdict{ActionDeny, "my-policy", EndPolicyDeny},
		},
		{"rbac generic", Evidence{CodeDetails: "rbac_access_denied"}, Verdict{ActionDeny, RuleRBAC, EndPolicyDeny}},
		{"ext authz", Evidence{Flags: FlagUnauthorized, CodeDetails: "ext_authz_denied"}, Verdict{ActionDeny, RuleExtAuthz, EndPolicyDeny}},
		{"blackhole", Evidence{Cluster: BlackHoleCluster}, Verdict{ActionDeny, RuleRegistryOnly, EndPolicyDeny}},
		{"block_all", Evidence{Route: BlockAllRoute}, Verdict{ActionDeny, RuleRegistryOnly, EndPolicyDeny}},
		{"rate limited", Evidence{Flags: FlagRateLimited}, Verdict{ActionDeny, RuleRateLimit, EndPolicyDeny}},
		{"no route", Evidence{Flags: FlagNoRouteFound}, Verdict{ActionDeny, RuleNoRoute, EndPolicyDeny}},
		{"downstream reset", Evidence{Flags: FlagDownstreamRemoteReset}, Verdict{ActionResetClient, "", EndRstFromClient}},
		{"upstream reset", Evidence{Flags: FlagUpstreamRemoteReset}, Verdict{ActionResetServer, "", EndRstFromServer}},
		{"local reset", Evidence{Flags: FlagLocalReset}, Verdict{ActionResetBoth, "", EndUnknown}},
		{"timeout", Evidence{Flags: FlagUpstreamRequestTimeout}, Verdict{ActionAllow, "", EndAgedOut}},
		{"idle", Evidence{Flags: FlagStreamIdleTimeout}, Verdict{ActionAllow, "", EndAgedOut}},
		{"overflow", Evidence{Flags: FlagUpstreamOverflow}, Verdict{ActionAllow, "", EndResources}},
		{"protocol", Evidence{Flags: FlagDownstreamProtocolError}, Verdict{ActionAllow, "", EndDecoder}},
		{"tls failure", Evidence{Flags: FlagUpstreamConnectionFailure, UpstreamFailure: tlsFailure}, Verdict{ActionAllow, "", EndDecryptError}},
		{"refused", Evidence{Flags: FlagUpstreamConnectionFailure}, Verdict{ActionAllow, "", EndRstFromServer}},
		{"clean", Evidence{Cluster: "outbound|80||a.b.svc.cluster.local", CodeDetails: "via_upstream"}, Verdict{ActionAllow, "", EndTCPFin}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, VerdictOf(&tt.e))
		})
	}
	assert.True(t, IsDenial(ActionDeny))
	assert.True(t, IsDenial(ActionDrop))
	assert.False(t, IsDenial(ActionResetBoth))
	assert.True(t, IsReset(ActionResetClient))
	assert.False(t, IsReset(ActionAllow))
}

func TestAuthorizationRulesAndFailures(t *testing.T) {
	for _, rule := range []string{RuleRBAC, RuleExtAuthz, "ns[foo]-policy[deny-all]-rule[0]", "foo/deny-all"} {
		assert.True(t, IsAuthorizationRule(rule), rule)
	}
	for _, rule := range []string{"", RuleRegistryOnly, RuleRateLimit, RuleNoRoute} {
		assert.False(t, IsAuthorizationRule(rule), rule)
	}
	for _, end := range []string{EndResources, EndDecoder, EndDecryptError} {
		assert.True(t, IsFailure(end, 0), end)
	}
	for _, f := range []string{"UF", "DF", "UH", "UO", "URX", "OM", "UF,URX"} {
		assert.True(t, IsFailure(EndTCPFin, ParseFlags(f)), f)
	}
	for _, end := range []string{"", EndTCPFin, EndPolicyDeny, EndAgedOut, EndRstFromServer, EndRstFromClient, EndUnknown} {
		assert.False(t, IsFailure(end, ParseFlags("UR,DC,UT,SI")), end)
	}
	// Every flag VerdictOf reads as a failure of resources or decoding
	// gives an end reason that is a failure by itself (without the flags),
	// so the two cannot disagree.
	for _, f := range []Flags{FlagUpstreamOverflow, FlagOverloadManager, FlagNoHealthyUpstream, FlagUpstreamRetryLimitExceeded, FlagDownstreamProtocolError, FlagUpstreamProtocolError, FlagInvalidEnvoyRequestHeaders} {
		v := VerdictOf(&Evidence{Flags: f, HasFlags: true})
		assert.True(t, IsFailure(v.EndReason, 0), "%s gives %q", f, v.EndReason)
	}
	// A failed upstream connection is a reset by its end reason, and a
	// failure by its flag alone.
	v := VerdictOf(&Evidence{Flags: FlagUpstreamConnectionFailure, HasFlags: true})
	assert.Equal(t, EndRstFromServer, v.EndReason)
	assert.False(t, IsFailure(v.EndReason, 0))
	assert.True(t, IsFailure(v.EndReason, FlagUpstreamConnectionFailure))
}

func TestZtunnelFailure(t *testing.T) {
	for _, e := range []string{"connection failed: Connection refused (os error 111)", "http status: 503 Service Unavailable", "tls error", "something new"} {
		v := (&Ztunnel{Error: e}).verdict()
		assert.True(t, IsZtunnelFailure(e, v.Action, v.EndReason), e)
	}
	for _, e := range []string{"", "connection closed due to policy rejection: explicitly denied by: ns/p", "client disconnected", "destination disconnected", "timed out"} {
		v := (&Ztunnel{Error: e}).verdict()
		assert.False(t, IsZtunnelFailure(e, v.Action, v.EndReason), e)
	}
}

func TestFlags(t *testing.T) {
	all := Flags(1<<numFlags - 1)
	const codes = "LH,UH,UT,LR,UR,UF,UC,UO,NR,DI,FI,RL,UAEX,RLSE,DC,URX,SI,IH,DPE,UMSDR,RFCF,NFCF,DT,UPE,NC,OM,DF,DR"
	assert.Equal(t, codes, all.String())
	assert.Equal(t, all, ParseFlags(codes))
	assert.Empty(t, Flags(0).String())
	assert.Equal(t, FlagNoHealthyUpstream|FlagUpstreamConnectionFailure, ParseFlags("UH, UF,XX"))
	assert.Zero(t, ParseFlags("-"))
	assert.Equal(t, "UAEX", FlagUnauthorized.String())
}

// Classified facts go into a record as its attributes; what is unknown
// stays absent.
func TestFactsPut(t *testing.T) {
	e := Evidence{Cluster: BlackHoleCluster, UpstreamFailure: "x", Flags: FlagUpstreamConnectionFailure, HasFlags: true}
	f := DefaultDomains().Classify(&e)
	out := pcommon.NewMap()
	f.Put(out)
	assert.Equal(t, map[string]any{
		"istio.direction": "outbound", "pan.egress": true, "pan.action": "deny",
		"pan.rule": RuleRegistryOnly, "pan.session_end_reason": EndPolicyDeny,
	}, out.AsRaw())

	empty := pcommon.NewMap()
	nothing := DefaultDomains().Classify(&Evidence{})
	nothing.Put(empty)
	assert.Equal(t, 0, empty.Len(), "what is unknown stays absent")
}

func TestSPIFFE(t *testing.T) {
	assert.Equal(t, "spiffe://cluster.local/ns/default/sa/sleep", NormalizeSPIFFE("cluster.local/ns/default/sa/sleep"))
	assert.Equal(t, "spiffe://a/b", NormalizeSPIFFE("spiffe://a/b"))
	assert.Equal(t, "someone", NormalizeSPIFFE("someone"))
	assert.Equal(t, "default", SPIFFENamespace("spiffe://cluster.local/ns/default/sa/sleep"))
	assert.Equal(t, "foo", SPIFFENamespace("spiffe://td/ns/foo"))
	assert.Empty(t, SPIFFENamespace("spiffe://td/sa/x"))
	require.NoError(t, ValidateSPIFFE("spiffe://cluster.local/ns/istio-system/sa/istio-ingressgateway"))
	require.Error(t, ValidateSPIFFE("default/sleep"))
	require.Error(t, ValidateSPIFFE("spiffe:///x"))
}

func TestZtunnelVerdict(t *testing.T) {
	for _, tt := range []struct {
		err  string
		want Verdict
	}{
		{"", Verdict{ActionAllow, "", EndTCPFin}},
		{"connection closed due to policy rejection: explicitly denied by: default/deny-sleep", Verdict{ActionDeny, "default/deny-sleep", EndPolicyDeny}},
		{"connection closed due to policy rejection: allow policies exist, but none allowed", Verdict{ActionDeny, RuleNoAllowMatched, EndPolicyDeny}},
		{"connection closed due to policy rejection: workload not found", Verdict{ActionDeny, RuleRBAC, EndPolicyDeny}},
		{"connection closed due to policy change", Verdict{ActionDeny, RuleRBAC, EndPolicyDeny}},
		{"http status: 401 Unauthorized", Verdict{ActionDeny, RuleRBAC, EndPolicyDeny}},
		{"connection closed: peer certificate revoked by CRL", Verdict{ActionDeny, RuleCertificateRevoked, EndPolicyDeny}},
		{"connection timed out, maybe a NetworkPolicy is blocking HBONE port 15008: deadline has elapsed", Verdict{ActionAllow, "", EndAgedOut}},
		{"connection failed: Connection refused (os error 111)", Verdict{ActionAllow, "", EndRstFromServer}},
		{"http status: 503 Service Unavailable", Verdict{ActionAllow, "", EndRstFromServer}},
		{"tls error: invalid peer certificate: UnknownIssuer", Verdict{ActionAllow, "", EndDecryptError}},
		{"no healthy upstream: 10.96.0.7:80", Verdict{ActionAllow, "", EndResources}},
		{"http2 handshake failed: connection reset", Verdict{ActionAllow, "", EndDecoder}},
		{"receive: client disconnected before all data was written", Verdict{ActionResetClient, "", EndRstFromClient}},
		{"send: destination disconnected before all data was written", Verdict{ActionResetServer, "", EndRstFromServer}},
		{"unknown waypoint: foo", Verdict{ActionAllow, "", EndUnknown}},
	} {
		z := Ztunnel{Direction: Inbound, Error: tt.err}
		assert.Equal(t, tt.want, z.verdict(), tt.err)
	}
}

func TestZtunnelClassify(t *testing.T) {
	d := DefaultDomains()
	put := func(z Ztunnel) map[string]any {
		f := d.ClassifyZtunnel(&z)
		m := pcommon.NewMap()
		f.Put(m)
		return m.AsRaw()
	}
	assert.Equal(t, map[string]any{
		"istio.direction": "outbound", "pan.egress": false, "pan.action": "allow", "pan.session_end_reason": EndTCPFin,
	}, put(Ztunnel{Direction: Outbound, Service: "reviews.default.svc.cluster.local", Workload: "reviews-v1-5fd6d4f8f8-knbht"}))
	assert.Equal(t, true, put(Ztunnel{Direction: Outbound})["pan.egress"], "passed through: nothing resolved")
	assert.Equal(t, true, put(Ztunnel{Direction: Outbound, Service: "api.stripe.com"})["pan.egress"], "a ServiceEntry host")
	assert.Equal(t, false, put(Ztunnel{Direction: Outbound, Workload: "db-0"})["pan.egress"], "a workload addressed by its own IP")
	assert.Equal(t, false, put(Ztunnel{Direction: Inbound})["pan.egress"])
	early := put(Ztunnel{Direction: Outbound, Early: true, Error: "unknown waypoint: x"})
	assert.NotContains(t, early, "pan.egress", "refused before resolving: where it went is unknown")
	assert.Equal(t, "outbound", early["istio.direction"])
}

type mapMetadata map[string]any

func (m mapMetadata) Str(k string) string { s, _ := m[k].(string); return s }
func (m mapMetadata) Has(k string) bool   { _, ok := m[k]; return ok }
func (m mapMetadata) Label(k string) string {
	l, _ := m["LABELS"].(map[string]any)
	s, _ := l[k].(string)
	return s
}

func TestPeerFrom(t *testing.T) {
	p, ok := PeerFrom(mapMetadata{"workload": "reviews-v1", "namespace": "default", "identity": "cluster.local/ns/default/sa/reviews", "app": "reviews", "cluster": "Kubernetes"})
	require.True(t, ok)
	assert.Equal(t, Peer{Workload: "reviews-v1", Namespace: "default", Principal: "spiffe://cluster.local/ns/default/sa/reviews", App: "reviews", CanonicalService: "reviews", Cluster: "Kubernetes"}, p)

	p, ok = PeerFrom(mapMetadata{"NAMESPACE": "foo", "OWNER": "kubernetes://apis/apps/v1/namespaces/foo/deployments/httpbin", "LABELS": map[string]any{"app": "httpbin", "version": "v2"}})
	require.True(t, ok)
	assert.Equal(t, Peer{Workload: "httpbin", Namespace: "foo", App: "httpbin", Version: "v2", CanonicalService: "httpbin"}, p)

	_, ok = PeerFrom(mapMetadata{"other": "x"})
	assert.False(t, ok)

	m := pcommon.NewMap()
	p.Put(m, true)
	assert.Equal(t, map[string]any{
		"istio.destination.workload": "httpbin", "istio.destination.namespace": "foo", "istio.destination.app": "httpbin",
		"istio.destination.version": "v2", "istio.destination.canonical_service": "httpbin",
	}, m.AsRaw())
}

func TestWorkloadFromPod(t *testing.T) {
	for pod, want := range map[string]string{
		"reviews-v1-5fd6d4f8f8-knbht": "reviews-v1",
		"sleep-7656cf8794-r7zb9":      "sleep",
		"db-0":                        "",
		"reviews":                     "",
		"":                            "",
		"a-aaaaaa-bbbbb":              "",
	} {
		assert.Equal(t, want, WorkloadFromPod(pod, ""), pod)
	}
	assert.Equal(t, "web", WorkloadFromPod("web-abc-x1", "abc"))
	attr, name := OwnerWorkload("kubernetes://apis/apps/v1/namespaces/ns/statefulsets/db")
	assert.Equal(t, "k8s.statefulset.name", attr)
	assert.Equal(t, "db", name)
}

// Istio's generated RBAC policy names become the "<namespace>/<name>" that
// ztunnel writes; anything else stays as Envoy wrote it.
func TestPolicyRule(t *testing.T) {
	for in, want := range map[string]string{
		"ns[default]-policy[deny-sleep]-rule[0]": "default/deny-sleep",
		"ns[a]-policy[b.c-d]-rule[12]":           "a/b.c-d",
		"none":                                   RuleNoAllowMatched,
		"my-policy":                              "my-policy",
		"ns[]-policy[x]-rule[0]":                 "ns[]-policy[x]-rule[0]",
		"ns[a]-policy[]-rule[0]":                 "ns[a]-policy[]-rule[0]",
		"ns[a]-policy[b]":                        "ns[a]-policy[b]",
		"ns[a]-policy[b]-rule[0":                 "ns[a]-policy[b]-rule[0",
	} {
		if got := PolicyRule(in); got != want {
			t.Errorf("PolicyRule(%q) = %q, want %q", in, got, want)
		}
	}
}
