package mesh // import "github.com/otelcol-pan/otelcol-pan/internal/mesh"

import (
	"errors"
	"net/url"
	"strings"
)

// Proxy types: the first part of an Envoy node id in Istio
// ("sidecar~10.8.0.11~productpage-v1-….default~default.svc.cluster.local"),
// the values of istio.proxy.type. Gateways are routers.
const (
	ProxySidecar  = "sidecar"
	ProxyRouter   = "router"
	ProxyWaypoint = "waypoint"
)

// SPIFFEScheme starts every workload identity Istio issues:
// spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>.
const SPIFFEScheme = "spiffe://"

// IsSPIFFE reports whether uri is a SPIFFE ID.
func IsSPIFFE(uri string) bool { return strings.HasPrefix(uri, SPIFFEScheme) }

// NormalizeSPIFFE makes an identity a SPIFFE ID: Istio sometimes logs it
// without the scheme ("cluster.local/ns/default/sa/sleep"). Anything else is
// returned as it is.
func NormalizeSPIFFE(id string) string {
	if id == "" || IsSPIFFE(id) {
		return id
	}
	if strings.Contains(id, "/ns/") {
		return SPIFFEScheme + id
	}
	return id
}

// SPIFFENamespace reads the namespace of an Istio identity
// ("spiffe://cluster.local/ns/<namespace>/sa/<account>"); "" when it names
// none.
func SPIFFENamespace(id string) string {
	_, rest, ok := strings.Cut(id, "/ns/")
	if !ok {
		return ""
	}
	ns, _, _ := strings.Cut(rest, "/")
	return ns
}

var errNotSPIFFE = errors.New("is not a SPIFFE ID (spiffe://trust-domain/path)")

// ValidateSPIFFE checks a configured SPIFFE ID (a trust domain, then a path).
// Callers prefix the error with the key and the value.
func ValidateSPIFFE(id string) error {
	u, err := url.Parse(id)
	if err != nil || u.Scheme != "spiffe" || u.Host == "" {
		return errNotSPIFFE
	}
	return nil
}

// istioMTLSServerNamePrefix starts the SNI a sidecar asks for when it
// connects to another over Istio's mutual TLS
// ("outbound_.9080_._.reviews.default.svc.cluster.local").
const istioMTLSServerNamePrefix = "outbound_."

// IsIstioMTLSServerName reports the SNI of Istio's mutual TLS between
// proxies: evidence of mTLS for a source that logs no TLS session (Envoy's
// text access log).
func IsIstioMTLSServerName(sni string) bool { return strings.HasPrefix(sni, istioMTLSServerNamePrefix) }
