package convert

import "github.com/otelcol-pan/otelcol-pan/internal/mesh"

// The views below hold one ALS entry as decoded straight from the wire
// (wire.go): strings point into the received message (no copies), nested
// messages are flattened, and every "present" flag records whether Envoy
// sent the field, so that an absent fact stays absent in the record.

type addrView struct {
	addr    string
	port    uint32
	present bool
}

type certView struct {
	uris    []string
	subject string
	present bool
}

type tlsView struct {
	version   int32
	cipher    uint32
	hasCipher bool
	sni       string
	sessionID string
	peer      certView
	local     certView
	present   bool
}

type anyView struct {
	typeURL string
	value   []byte
	present bool
}

type kv struct{ k, v string }

// Timing indexes (AccessLogCommon fields 6 to 12).
const numTimings = 7

// commonView is an AccessLogCommon: its own scalar fields in f (read by
// field number) and its nested messages decoded.
type commonView struct {
	present bool
	f       *table

	dsRemote, dsLocal, dsDirect, usRemote, usLocal addrView
	tls                                            tlsView

	start, duration       int64 // Unix / duration nanoseconds
	hasStart, hasDuration bool
	timings               [numTimings]int64
	hasTiming             [numTimings]bool

	flags    mesh.Flags
	hasFlags bool

	dsPeer, usPeer anyView
	customTags     []kv
}

// httpView is an HTTPAccessLogEntry: the request's and the response's
// scalar fields in req and resp (read by field number), the rest decoded.
type httpView struct {
	common   commonView
	protocol int32

	hasRequest, hasPort bool
	req                 *table
	port                uint32
	reqHeaders          []kv

	hasResponse, hasCode      bool
	resp                      *table
	code                      uint32
	respHeaders, respTrailers []kv
}

type tcpView struct {
	common     commonView
	hasConn    bool
	recv, sent uint64
}

// reset empties a view for reuse, keeping its slices' capacity.
func (c *commonView) reset() {
	tags := c.customTags[:0]
	peerURIs, localURIs := c.tls.peer.uris[:0], c.tls.local.uris[:0]
	*c = commonView{}
	c.customTags = tags
	c.tls.peer.uris, c.tls.local.uris = peerURIs, localURIs
}

func (h *httpView) reset() {
	rq, rs, rt := h.reqHeaders[:0], h.respHeaders[:0], h.respTrailers[:0]
	common := h.common
	*h = httpView{}
	h.common = common
	h.common.reset()
	h.reqHeaders, h.respHeaders, h.respTrailers = rq, rs, rt
}

func (t *tcpView) reset() {
	common := t.common
	*t = tcpView{}
	t.common = common
	t.common.reset()
}

// handshake reports whether Envoy terminated the TLS session: it logs a
// version, a cipher or certificates only then.
func (t *tlsView) handshake() bool {
	return t.version != 0 || t.hasCipher || t.peer.present || t.local.present
}

// release drops every string the view holds into a received message, and
// resets it, keeping capacity.
func (c *commonView) release() {
	clear(c.customTags[:cap(c.customTags)])
	clear(c.tls.peer.uris[:cap(c.tls.peer.uris)])
	clear(c.tls.local.uris[:cap(c.tls.local.uris)])
	c.reset()
}

func (h *httpView) release() {
	clear(h.reqHeaders[:cap(h.reqHeaders)])
	clear(h.respHeaders[:cap(h.respHeaders)])
	clear(h.respTrailers[:cap(h.respTrailers)])
	h.common.release()
	h.reset()
}

func (t *tcpView) release() {
	t.common.release()
	t.reset()
}
