package serviceentry

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apinetworking "istio.io/api/networking/v1alpha3"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"

	"github.com/otelcol-pan/otelcol-pan/internal/istiostrict"
)

// loadServiceEntry loads a file strictly and checks it against the rules
// Istio's validating webhook applies to a ServiceEntry.
func loadServiceEntry(t *testing.T, b []byte) *networkingv1.ServiceEntry {
	t.Helper()
	se, err := istiostrict.ServiceEntry(b)
	require.NoError(t, err, string(b))
	checkObjectMeta(t, se.Name, se.Annotations)
	for _, err := range serviceEntryRules(se.Namespace, &se.Spec) {
		t.Errorf("%s: %v", se.Name, err)
	}
	return se
}

func loadSidecar(t *testing.T, b []byte) *networkingv1.Sidecar {
	t.Helper()
	sc, err := istiostrict.Sidecar(b)
	require.NoError(t, err, string(b))
	checkObjectMeta(t, sc.Name, sc.Annotations)
	require.Len(t, sc.Spec.GetEgress(), 1)
	for _, h := range sc.Spec.GetEgress()[0].GetHosts() {
		ns, name, ok := strings.Cut(h, "/")
		assert.True(t, ok && ns != "" && name != "", "egress host %q is namespace/host", h)
	}
	return sc
}

func checkObjectMeta(t *testing.T, name string, annotations map[string]string) {
	t.Helper()
	assert.True(t, isDNSSubdomain(name), "metadata.name %q", name)
	for k := range annotations {
		prefix, n, ok := strings.Cut(k, "/")
		assert.True(t, ok && isDNSSubdomain(prefix) && n != "" && len(n) <= 63, "annotation key %q", k)
	}
}

// serviceEntryRules mirrors the checks of Istio's ServiceEntry validation
// that a learned entry could trip: host syntax (no all-numeric top-level
// label, so no bare IPs), FQDN hosts for DNS resolution, addresses that are
// IPs or CIDRs, unique port names and numbers, known protocols, endpoints
// only for STATIC, and exportTo without duplicates or a "*" among others.
func serviceEntryRules(namespace string, se *apinetworking.ServiceEntry) []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if len(se.GetHosts()) != 1 {
		add("want one host, got %v", se.GetHosts())
	}
	for _, h := range se.GetHosts() {
		if !isExternalName(h) {
			add("host %q is not an FQDN Istio accepts", h)
		}
	}
	for _, a := range se.GetAddresses() {
		if _, err := netip.ParseAddr(a); err != nil {
			if _, err := netip.ParsePrefix(a); err != nil {
				add("address %q is neither an IP nor a CIDR", a)
			}
		}
	}
	names, numbers := map[string]bool{}, map[uint32]bool{}
	for _, p := range se.GetPorts() {
		if names[p.GetName()] || numbers[p.GetNumber()] {
			add("port %d/%s defined twice", p.GetNumber(), p.GetName())
		}
		names[p.GetName()], numbers[p.GetNumber()] = true, true
		if !isDNSLabel(p.GetName()) || p.GetNumber() == 0 || p.GetNumber() > 65535 {
			add("port %d/%q invalid", p.GetNumber(), p.GetName())
		}
		switch p.GetProtocol() {
		case "HTTP", "HTTPS", "HTTP2", "GRPC", "TLS", "TCP", "MONGO", "REDIS", "MYSQL":
		default:
			add("protocol %q unknown", p.GetProtocol())
		}
	}
	if len(se.GetPorts()) == 0 {
		add("no ports")
	}
	if se.GetLocation() != apinetworking.ServiceEntry_MESH_EXTERNAL {
		add("location %v", se.GetLocation())
	}
	switch se.GetResolution() {
	case apinetworking.ServiceEntry_NONE:
		if len(se.GetEndpoints()) > 0 {
			add("endpoints with resolution NONE")
		}
		if len(se.GetAddresses()) == 0 {
			add("resolution NONE without addresses: TCP ports would match nothing")
		}
	case apinetworking.ServiceEntry_STATIC:
		if len(se.GetEndpoints()) == 0 {
			add("resolution STATIC without endpoints")
		}
		for _, e := range se.GetEndpoints() {
			if _, err := netip.ParseAddr(e.GetAddress()); err != nil {
				add("endpoint %q is not an IP", e.GetAddress())
			}
		}
	case apinetworking.ServiceEntry_DNS:
		if len(se.GetAddresses()) > 0 || len(se.GetEndpoints()) > 0 {
			add("a DNS entry carries addresses or endpoints")
		}
	default:
		add("resolution %v", se.GetResolution())
	}
	seen := map[string]bool{}
	for _, e := range se.GetExportTo() {
		key := e
		if e == "." && namespace != "" {
			key = namespace
		}
		if seen[key] {
			add("exportTo %q twice", e)
		}
		seen[key] = true
		if (e == "*" || e == "~") && len(se.GetExportTo()) > 1 {
			add("exportTo %q among others", e)
		}
	}
	return errs
}

// The strict loader must fail on what Istio's types do not know:
// otherwise every check built on it proves nothing.
func TestDecodeStrictRefusesUnknownFields(t *testing.T) {
	const good = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: api.example.com
spec:
  hosts: [api.example.com]
  ports: [{number: 443, name: tls-443, protocol: TLS}]
  location: MESH_EXTERNAL
  resolution: DNS
`
	tests := []struct {
		name, yaml, wantErr string
	}{
		{"good", good, ""},
		{"unknown spec field", strings.Replace(good, "  resolution: DNS", "  resolution: DNS\n  resolutoin: DNS", 1), "resolutoin"}, //nolint:misspell // the misspelt key is the test
		{"unknown port field", strings.Replace(good, "protocol: TLS}", "protocol: TLS, targetPortt: 1}", 1), "targetPortt"},
		{"unknown metadata field", strings.Replace(good, "  name: api.example.com", "  name: api.example.com\n  nmespace: x", 1), "nmespace"},
		{"unknown top-level field", good + "status2: {}\n", "status2"},
		{"unknown enum", strings.Replace(good, "resolution: DNS", "resolution: DYNAMIC", 1), "DYNAMIC"},
		{"wrong kind", strings.Replace(good, "kind: ServiceEntry", "kind: Sidecar", 1), "kind"},
		{"duplicate key", good + "kind: ServiceEntry\n", "kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := istiostrict.ServiceEntry([]byte(tt.yaml))
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}

// The rules catch what Istio's webhook would refuse, e.g. a bare IP as host.
func TestServiceEntryRulesRefuseABareIPHost(t *testing.T) {
	se := &apinetworking.ServiceEntry{
		Hosts:      []string{"203.0.113.7"},
		Ports:      []*apinetworking.ServicePort{{Number: 5432, Name: "tcp-5432", Protocol: "TCP"}},
		Location:   apinetworking.ServiceEntry_MESH_EXTERNAL,
		Resolution: apinetworking.ServiceEntry_NONE,
	}
	errs := serviceEntryRules("", se)
	require.Len(t, errs, 2)
	require.ErrorContains(t, errs[0], `host "203.0.113.7"`)
	assert.ErrorContains(t, errs[1], "resolution NONE without addresses")
}
