package serviceentry // import "github.com/otelcol-pan/otelcol-pan/exporter/serviceentry"

import (
	"net/netip"
	"strings"
)

// ipHostDomain is the domain of the synthetic host name a ServiceEntry for a
// bare IP address carries: Istio requires a host, and its validation refuses
// an IP there (a top-level domain may not be all digits). ".invalid" is
// reserved (RFC 2606), so the name can never resolve to something else; with
// resolution NONE or STATIC it is never looked up at all.
const ipHostDomain = "ip.invalid"

// isDNSLabel reports an RFC 1123 label as Kubernetes checks it: lower-case
// alphanumerics and '-', starting and ending alphanumeric, at most 63 bytes.
func isDNSLabel(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && i > 0 && i < len(s)-1:
		default:
			return false
		}
	}
	return true
}

// isDNSSubdomain reports an RFC 1123 subdomain: dot-separated labels, at
// most 253 bytes (a Kubernetes object name).
func isDNSSubdomain(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if !isDNSLabel(label) {
			return false
		}
	}
	return true
}

// isDNSName reports a DNS suffix such as cluster.local.
func isDNSName(s string) bool { return isDNSSubdomain(s) }

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

// normalizeName lower-cases a host name and drops a trailing dot; names are
// case-insensitive and "example.com." is "example.com".
func normalizeName(s string) string {
	s = strings.TrimSuffix(s, ".")
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// inDomains reports whether host is one of domains or under one.
func inDomains(host string, domains []string) bool {
	for _, d := range domains {
		if host == d || (len(host) > len(d) && strings.HasSuffix(host, d) && host[len(host)-len(d)-1] == '.') {
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
