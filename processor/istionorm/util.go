package istionorm // import "github.com/otelcol-pan/otelcol-pan/processor/istionorm"

import (
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
	host, port := mesh.SplitHostPort(hp)
	putStr(m, addrKey, host)
	if port != 0 {
		m.PutInt(portKey, int64(port))
	}
}

func hostOf(hp string) string {
	h, _ := mesh.SplitHostPort(hp)
	return h
}
