package serviceentry // import "github.com/otelcol-pan/otelcol-pan/exporter/serviceentry"

import (
	"net/netip"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// ipHostDomain is the domain of the synthetic host name a ServiceEntry for a
// bare IP address carries: Istio requires a host, and its validation refuses
// an IP there (a top-level domain may not be all digits). ".invalid" is
// reserved (RFC 2606), so the name can never resolve to something else; with
// resolution NONE or STATIC it is never looked up at all.
const ipHostDomain = "ip.invalid"

// isDNSLabel reports an RFC 1123 label as Kubernetes checks it (a namespace
// name): lower-case alphanumerics and '-', at most 63 bytes.
func isDNSLabel(s string) bool { return len(validation.IsDNS1123Label(s)) == 0 }

// isDNSSubdomain reports an RFC 1123 subdomain as Kubernetes checks it (an
// object name): dot-separated labels, at most 253 bytes.
func isDNSSubdomain(s string) bool { return len(validation.IsDNS1123Subdomain(s)) == 0 }

// isExternalName reports a name Istio accepts as a ServiceEntry host with
// resolution DNS: a subdomain of at least two labels whose top-level label
// is not all digits. A single label ("reviews", "localhost") is a search-path
// name that resolves inside the cluster, not an external host.
func isExternalName(s string) bool {
	i := strings.LastIndexByte(s, '.')
	if i < 0 || !isDNSSubdomain(s) {
		return false
	}
	for _, c := range s[i+1:] {
		if c < '0' || c > '9' {
			return true
		}
	}
	return false
}

// ipLabel spells an address as one DNS label: 203.0.113.7 is 203-0-113-7;
// IPv6 is written out in full (no "::") so that the label never starts or
// ends with '-'.
func ipLabel(a netip.Addr) string {
	if a.Is4() {
		return strings.ReplaceAll(a.String(), ".", "-")
	}
	return strings.ReplaceAll(a.StringExpanded(), ":", "-")
}

// ipHostName is the synthetic ServiceEntry host of a bare address.
func ipHostName(a netip.Addr) string { return ipLabel(a) + "." + ipHostDomain }

// objectName is the metadata.name (and file name) of a host's ServiceEntry:
// the host itself when it is a valid object name (external names always
// are), "ip-<address>" for an address.
func objectName(host string) string {
	if a, err := netip.ParseAddr(host); err == nil {
		return "ip-" + ipLabel(a)
	}
	return host
}
