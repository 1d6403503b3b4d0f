package istionorm // import "github.com/otelcol-pan/otelcol-pan/processor/istionorm"

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
)

func putStr(m pcommon.Map, key, val string) {
	if val != "" {
		m.PutStr(key, val)
	}
}

func strAttr(m pcommon.Map, key string) string {
	if v, ok := m.Get(key); ok && v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return ""
}

// putHostPort writes "host:port" as an address and a port attribute, as the
// receiver writes a socket address: the port only when there is one, IPv6
// addresses without their brackets. A value without a port (a pipe's path)
// is the address alone.
func putHostPort(m pcommon.Map, addrKey, portKey, hp string) {
	if hp == "" {
		return
	}
	host, port := splitHostPort(hp)
	putStr(m, addrKey, host)
	if port != 0 {
		m.PutInt(portKey, int64(port))
	}
}

// splitHostPort splits "10.0.0.1:80", "[fd00::1]:80" or "name:80"; a value
// without a valid port is all host.
func splitHostPort(s string) (string, uint32) {
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return s, 0
		}
		if len(s) > end+2 && s[end+1] == ':' {
			if p := mesh.ParsePort(s[end+2:]); p != 0 {
				return s[1:end], p
			}
		}
		return s[1:end], 0
	}
	i := strings.LastIndexByte(s, ':')
	if i < 0 || strings.IndexByte(s[:i], ':') >= 0 {
		return s, 0 // no port, or a bare IPv6 address
	}
	if p := mesh.ParsePort(s[i+1:]); p != 0 {
		return s[:i], p
	}
	return s, 0
}

func hostOf(hp string) string {
	h, _ := splitHostPort(hp)
	return h
}
