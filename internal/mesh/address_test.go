package mesh

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSplitHostPort(t *testing.T) {
	for _, tt := range []struct {
		in   string
		host string
		port uint32
	}{
		{"details:9080", "details", 9080},
		{"10.0.0.1:80", "10.0.0.1", 80},
		{"35.227.162.132", "35.227.162.132", 0},
		{"[::1]:8443", "::1", 8443},
		{"[::1]", "::1", 0},
		{"[::1]:x", "::1", 0},
		{"fd00::1", "fd00::1", 0},
		{"host:notaport", "host:notaport", 0},
		{"host:99999", "host:99999", 0},
		{"host:0", "host:0", 0},
		{"", "", 0},
		{"[broken", "[broken", 0},
	} {
		h, p := SplitHostPort(tt.in)
		assert.Equal(t, tt.host, h, tt.in)
		assert.Equal(t, tt.port, p, tt.in)
	}
}

func TestSplitNodeID(t *testing.T) {
	for _, tt := range []struct{ id, typ, ip, pod, ns string }{
		{"sidecar~10.44.2.54~productpage-v1-d66dcfdc5-kh6v7.default~default.svc.cluster.local", "sidecar", "10.44.2.54", "productpage-v1-d66dcfdc5-kh6v7", "default"},
		{"router~10.0.0.9~gw~istio-system.svc.cluster.local", "router", "10.0.0.9", "gw", ""},
		{"sidecar~10.0.0.1~pod.ns", "", "", "", ""},
		{"", "", "", "", ""},
	} {
		typ, ip, pod, ns := SplitNodeID(tt.id)
		assert.Equal(t, []string{tt.typ, tt.ip, tt.pod, tt.ns}, []string{typ, ip, pod, ns}, tt.id)
	}
}
