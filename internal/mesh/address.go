package mesh // import "github.com/otelcol-pan/otelcol-pan/internal/mesh"

import "strings"

// SplitHostPort splits "10.0.0.1:80", "[fd00::1]:80" or "name:80" (an
// address, or an HTTP authority); the port is 0 when absent or not a port,
// and then the whole value is the host. IPv6 literals keep no brackets.
func SplitHostPort(s string) (string, uint32) {
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return s, 0
		}
		if len(s) > end+2 && s[end+1] == ':' {
			return s[1:end], ParsePort(s[end+2:])
		}
		return s[1:end], 0
	}
	i := strings.LastIndexByte(s, ':')
	if i < 0 || strings.IndexByte(s[:i], ':') >= 0 {
		return s, 0 // no port, or a bare IPv6 address
	}
	if p := ParsePort(s[i+1:]); p != 0 {
		return s[:i], p
	}
	return s, 0
}

// SplitNodeID splits Istio's Envoy node id,
// "type~ip~pod.namespace~namespace.svc.domain"; all empty when it is not
// one.
func SplitNodeID(id string) (typ, ip, pod, ns string) {
	parts := strings.SplitN(id, "~", 4)
	if len(parts) != 4 {
		return "", "", "", ""
	}
	typ, ip, pod = parts[0], parts[1], parts[2]
	if i := strings.LastIndexByte(pod, '.'); i > 0 {
		pod, ns = pod[:i], pod[i+1:]
	}
	return typ, ip, pod, ns
}
