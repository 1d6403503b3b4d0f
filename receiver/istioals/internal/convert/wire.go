package convert

import (
	"errors"
	"math"
	"math/bits"
	"unsafe"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
)

// The decoder reads ALS v3 messages straight off the wire, by the field
// numbers of fields.go: the standard decoder allocates every nested message
// and string of an entry, which made it the largest cost of the pipeline.
// Each message is read into a table indexed by field number (table.read),
// and its nested messages are then decoded from the table's entries.

var errMalformed = errors.New("malformed ALS message")

// bytesToString views b as a string without copying. The caller owns b and
// never changes it afterwards (the receiver copies each gRPC message once).
func bytesToString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b)) //nolint:gosec // G103: the zero-copy view is the point (see the comment above)
}

// fieldIter walks one message's fields.
type fieldIter struct {
	b   []byte
	num protowire.Number
	typ protowire.Type
	val []byte // for bytes fields
	u   uint64 // for varint and fixed fields
	err error
}

func (it *fieldIter) next() bool {
	if len(it.b) == 0 || it.err != nil {
		return false
	}
	num, typ, n := protowire.ConsumeTag(it.b)
	if n < 0 {
		it.err = errMalformed
		return false
	}
	it.b = it.b[n:]
	it.num, it.typ = num, typ
	switch typ {
	case protowire.VarintType:
		it.u, n = protowire.ConsumeVarint(it.b)
	case protowire.BytesType:
		it.val, n = protowire.ConsumeBytes(it.b)
	case protowire.Fixed64Type:
		it.u, n = protowire.ConsumeFixed64(it.b)
	case protowire.Fixed32Type:
		var v uint32
		v, n = protowire.ConsumeFixed32(it.b)
		it.u = uint64(v)
	default:
		n = protowire.ConsumeFieldValue(num, typ, it.b)
	}
	if n < 0 {
		it.err = errMalformed
		return false
	}
	it.b = it.b[n:]
	return true
}

// table is one message read field by field, reused message after message:
// for each field number below its size, the last varint (or fixed64) and the
// last length-delimited value (protobuf keeps the last); for the numbers
// asked for as repeated, every length-delimited occurrence, in order. A field
// of another wire type than the decoder reads is as good as absent, where the
// standard decoder would refuse the message.
type table struct {
	num []uint64
	raw [][]byte
	// Which entries hold a value: varints, fixed64s, length-delimited.
	nums, fixed, raws uint64
	rep               []occurrence
}

// occurrence is one value of a repeated field.
type occurrence struct {
	num protowire.Number
	val []byte
}

// read reads b, a message whose fields are numbered below size (at most 64),
// keeping every occurrence of the fields in repeated (a bit per number).
func (t *table) read(b []byte, size int, repeated uint64) error {
	t.release()
	if len(t.num) < size {
		t.num, t.raw = make([]uint64, size), make([][]byte, size)
	}
	for len(b) > 0 {
		// The tag: one byte for every field the decoder reads.
		var n protowire.Number
		var typ protowire.Type
		if c := b[0]; c < 0x80 && c >= 1<<3 {
			n, typ, b = protowire.Number(c>>3), protowire.Type(c&7), b[1:]
		} else {
			var l int
			if n, typ, l = protowire.ConsumeTag(b); l < 0 {
				return errMalformed
			}
			b = b[l:]
		}
		var l int
		switch typ {
		case protowire.BytesType:
			var v []byte
			if v, l = protowire.ConsumeBytes(b); l >= 0 && int(n) < len(t.num) {
				if bit := uint64(1) << n; repeated&bit != 0 {
					t.rep = append(t.rep, occurrence{num: n, val: v})
				} else {
					t.raw[n], t.raws = v, t.raws|bit
				}
			}
		case protowire.VarintType:
			var u uint64
			if u, l = protowire.ConsumeVarint(b); l >= 0 && int(n) < len(t.num) {
				t.num[n], t.nums = u, t.nums|1<<n
			}
		case protowire.Fixed64Type:
			var u uint64
			if u, l = protowire.ConsumeFixed64(b); l >= 0 && int(n) < len(t.num) {
				t.num[n], t.fixed = u, t.fixed|1<<n
			}
		default:
			l = protowire.ConsumeFieldValue(n, typ, b)
		}
		if l < 0 {
			return errMalformed
		}
		b = b[l:]
	}
	return nil
}

// release forgets the last message, keeping capacity: nothing of it stays
// referenced.
func (t *table) release() {
	for v := t.raws; v != 0; v &= v - 1 {
		t.raw[bits.TrailingZeros64(v)] = nil
	}
	for v := t.nums | t.fixed; v != 0; v &= v - 1 {
		t.num[bits.TrailingZeros64(v)] = 0
	}
	clear(t.rep)
	t.rep, t.nums, t.fixed, t.raws = t.rep[:0], 0, 0, 0
}

// has reports a length-delimited field (a string or a message).
func (t *table) has(n protowire.Number) bool { return t.raws&(1<<n) != 0 }

// str is a string field, "" when absent.
func (t *table) str(n protowire.Number) string {
	if !t.has(n) {
		return ""
	}
	return bytesToString(t.raw[n])
}

// uint is a varint field, 0 when absent.
func (t *table) uint(n protowire.Number) uint64 {
	if t.nums&(1<<n) == 0 {
		return 0
	}
	return t.num[n]
}

// float64 is a double field, 0 when absent.
func (t *table) float64(n protowire.Number) float64 {
	if t.fixed&(1<<n) == 0 {
		return 0
	}
	return math.Float64frombits(t.num[n])
}

// Message is one StreamAccessLogsMessage split into its parts.
type Message struct {
	Identifier []byte   // the raw Identifier message, when sent
	HTTP       [][]byte // raw HTTPAccessLogEntry messages
	TCP        [][]byte // raw TCPAccessLogEntry messages
}

// SplitMessage finds the identifier and the entries of a message; entries
// are decoded later, one at a time, into reused views.
func SplitMessage(b []byte, m *Message) error {
	m.Identifier, m.HTTP, m.TCP = nil, m.HTTP[:0], m.TCP[:0]
	it := fieldIter{b: b}
	for it.next() {
		if it.typ != protowire.BytesType {
			continue
		}
		switch it.num {
		case fMsgIdentifier:
			m.Identifier = it.val
		case fMsgHTTPLogs, fMsgTCPLogs:
			// Envoy's oneof: a later one replaces an earlier one.
			m.HTTP, m.TCP = m.HTTP[:0], m.TCP[:0]
			in := fieldIter{b: it.val}
			for in.next() {
				if in.num == fEntriesLogEntry && in.typ == protowire.BytesType {
					if it.num == fMsgHTTPLogs {
						m.HTTP = append(m.HTTP, in.val)
					} else {
						m.TCP = append(m.TCP, in.val)
					}
				}
			}
			if in.err != nil {
				return in.err
			}
		}
	}
	return it.err
}

// decoder holds a table per kind of message, reused entry after entry (a
// kind is never nested in itself, so one table each is enough).
type decoder struct {
	entry, common, req, resp, addr, inner, tls, cert, pair, wrap table
}

func (d *decoder) release() {
	for _, t := range [...]*table{&d.entry, &d.common, &d.req, &d.resp, &d.addr, &d.inner, &d.tls, &d.cert, &d.pair, &d.wrap} {
		t.release()
	}
}

func (d *decoder) http(b []byte, h *httpView) error {
	h.reset()
	h.req, h.resp = &d.req, &d.resp
	d.req.release()
	d.resp.release()
	t := &d.entry
	if err := t.read(b, int(fHTTPResponse)+1, 0); err != nil {
		return err
	}
	h.protocol = int32(t.uint(fHTTPProtocolVersion))
	if err := d.decodeCommon(t, fHTTPCommonProperties, &h.common); err != nil {
		return err
	}
	var err error
	if h.hasRequest = t.has(fHTTPRequest); h.hasRequest {
		h.hasPort, err = d.props(t.raw[fHTTPRequest], &d.req, fReqDownstreamHeaderBytesReceived, fReqPort, &h.port,
			mapField{fReqHeaders, &h.reqHeaders})
	}
	if h.hasResponse = t.has(fHTTPResponse); h.hasResponse && err == nil {
		h.hasCode, err = d.props(t.raw[fHTTPResponse], &d.resp, fRespDownstreamHeaderBytesSent, fRespCode, &h.code,
			mapField{fRespHeaders, &h.respHeaders}, mapField{fRespTrailers, &h.respTrailers})
	}
	return err
}

// mapField is a map<string, string> of a message, and where its entries go.
type mapField struct {
	num protowire.Number
	dst *[]kv
}

// props reads HTTPRequestProperties or HTTPResponseProperties, whose last
// field is last, into t: its UInt32Value field wrapped (the port, the status
// code) into *v when present (reported by has), and the entries of its maps.
func (d *decoder) props(b []byte, t *table, last, wrapped protowire.Number, v *uint32, maps ...mapField) (has bool, err error) {
	var repeated uint64
	for _, m := range maps {
		repeated |= 1 << m.num
	}
	if err := t.read(b, int(last)+1, repeated); err != nil {
		return false, err
	}
	if has = t.has(wrapped); has {
		err = d.uint32Value(t.raw[wrapped], v)
	}
	for _, m := range maps {
		if err == nil {
			err = d.pairs(t, m.num, m.dst)
		}
	}
	return has, err
}

// pairs decodes the entries of the map in field n that t kept as repeated
// (headers, trailers, custom tags) into dst.
func (d *decoder) pairs(t *table, n protowire.Number, dst *[]kv) error {
	for _, o := range t.rep {
		if o.num != n {
			continue
		}
		e, err := d.stringPair(o.val)
		if err != nil {
			return err
		}
		*dst = append(*dst, e)
	}
	return nil
}

func (d *decoder) tcp(b []byte, v *tcpView) error {
	v.reset()
	t := &d.entry
	if err := t.read(b, int(fTCPConnectionProperties)+1, 0); err != nil {
		return err
	}
	if err := d.decodeCommon(t, fTCPCommonProperties, &v.common); err != nil {
		return err
	}
	if v.hasConn = t.has(fTCPConnectionProperties); v.hasConn {
		conn := &d.inner
		if err := conn.read(t.raw[fTCPConnectionProperties], int(fConnSentBytes)+1, 0); err != nil {
			return err
		}
		v.recv, v.sent = conn.uint(fConnReceivedBytes), conn.uint(fConnSentBytes)
	}
	return nil
}

// decodeCommon decodes the AccessLogCommon in field n of the entry, when
// there is one, and the messages it holds.
func (d *decoder) decodeCommon(entry *table, n protowire.Number, c *commonView) error {
	if !entry.has(n) {
		return nil
	}
	c.present = true
	t := &d.common
	if err := t.read(entry.raw[n], int(fAccessLogType)+1, 1<<fFilterStateObjects|1<<fCustomTags); err != nil {
		return err
	}
	c.f = t
	addrs := [...]struct {
		n protowire.Number
		a *addrView
	}{{fDownstreamRemoteAddress, &c.dsRemote}, {fDownstreamLocalAddress, &c.dsLocal}, {fDownstreamDirectRemoteAddress, &c.dsDirect}, {fUpstreamRemoteAddress, &c.usRemote}, {fUpstreamLocalAddress, &c.usLocal}}
	for _, a := range addrs {
		if t.has(a.n) {
			if err := d.address(t.raw[a.n], a.a); err != nil {
				return err
			}
		}
	}
	var err error
	if c.hasStart = t.has(fStartTime); c.hasStart {
		c.start, err = d.nanos(t.raw[fStartTime])
	}
	if c.hasDuration = t.has(fDuration); c.hasDuration && err == nil {
		c.duration, err = d.nanos(t.raw[fDuration])
	}
	for i := range c.timings {
		if c.hasTiming[i] = t.has(fTimeToLastRxByte + protowire.Number(i)); c.hasTiming[i] && err == nil {
			c.timings[i], err = d.nanos(t.raw[fTimeToLastRxByte+protowire.Number(i)])
		}
	}
	if c.hasFlags = t.has(fResponseFlags); c.hasFlags && err == nil {
		c.flags, err = decodeFlags(t.raw[fResponseFlags])
	}
	if t.has(fTLSProperties) && err == nil {
		err = d.decodeTLS(t.raw[fTLSProperties], &c.tls)
	}
	if err != nil {
		return err
	}
	for _, o := range t.rep {
		if o.num != fFilterStateObjects {
			continue
		}
		if err := d.pair.read(o.val, int(fMapValue)+1, 0); err != nil {
			return err
		}
		if err := d.peerState(d.pair.str(fMapKey), d.pair.raw[fMapValue], c); err != nil {
			return err
		}
	}
	return d.pairs(t, fCustomTags, &c.customTags)
}

// address reads an Address: a socket_address {address, port_value} or a
// pipe {path}. Other kinds (Envoy-internal addresses) are left out.
func (d *decoder) address(b []byte, a *addrView) error {
	t, in := &d.addr, &d.inner
	if err := t.read(b, int(fAddrPipe)+1, 0); err != nil {
		return err
	}
	switch {
	case t.has(fAddrSocketAddress):
		a.present = true
		err := in.read(t.raw[fAddrSocketAddress], int(fSocketPortValue)+1, 0)
		a.addr, a.port = in.str(fSocketAddress), uint32(in.uint(fSocketPortValue))
		return err
	case t.has(fAddrPipe):
		a.present = true
		err := in.read(t.raw[fAddrPipe], int(fPipePath)+1, 0)
		a.addr = in.str(fPipePath)
		return err
	}
	return nil
}

// nanos reads a Timestamp or Duration {seconds, nanos} as nanoseconds.
func (d *decoder) nanos(b []byte) (int64, error) {
	t := &d.inner
	err := t.read(b, int(fNanos)+1, 0)
	return int64(t.uint(fSeconds))*1e9 + int64(int32(t.uint(fNanos))), err
}

// uint32Value reads a google.protobuf.UInt32Value into v.
func (d *decoder) uint32Value(b []byte, v *uint32) error {
	err := d.wrap.read(b, int(fWrapperValue)+1, 0)
	*v = uint32(d.wrap.uint(fWrapperValue))
	return err
}

// responseFlagByField maps the fields of ResponseFlags to the flags: each a
// bool, except unauthorized_details, a message that is set when present.
var responseFlagByField = [...]mesh.Flags{
	1: mesh.FlagFailedLocalHealthcheck, 2: mesh.FlagNoHealthyUpstream, 3: mesh.FlagUpstreamRequestTimeout,
	4: mesh.FlagLocalReset, 5: mesh.FlagUpstreamRemoteReset, 6: mesh.FlagUpstreamConnectionFailure,
	7: mesh.FlagUpstreamConnectionTermination, 8: mesh.FlagUpstreamOverflow, 9: mesh.FlagNoRouteFound,
	10: mesh.FlagDelayInjected, 11: mesh.FlagFaultInjected, 12: mesh.FlagRateLimited,
	13: mesh.FlagUnauthorized, 14: mesh.FlagRateLimitServiceError, 15: mesh.FlagDownstreamConnectionTermination,
	16: mesh.FlagUpstreamRetryLimitExceeded, 17: mesh.FlagStreamIdleTimeout, 18: mesh.FlagInvalidEnvoyRequestHeaders,
	19: mesh.FlagDownstreamProtocolError, 20: mesh.FlagUpstreamMaxStreamDurationReached, 21: mesh.FlagResponseFromCacheFilter,
	22: mesh.FlagNoFilterConfigFound, 23: mesh.FlagDurationTimeout, 24: mesh.FlagUpstreamProtocolError,
	25: mesh.FlagNoClusterFound, 26: mesh.FlagOverloadManager, 27: mesh.FlagDNSResolutionFailure,
	28: mesh.FlagDownstreamRemoteReset,
}

func decodeFlags(b []byte) (mesh.Flags, error) {
	var flags mesh.Flags
	it := fieldIter{b: b}
	for it.next() {
		if it.num < 1 || int(it.num) >= len(responseFlagByField) {
			continue
		}
		if it.num == fUnauthorizedDetails && it.typ == protowire.BytesType {
			flags |= mesh.FlagUnauthorized
		} else if it.typ == protowire.VarintType && it.u != 0 {
			flags |= responseFlagByField[it.num]
		}
	}
	return flags, it.err
}

// decodeTLS reads TLSProperties and the certificates it holds.
func (d *decoder) decodeTLS(b []byte, v *tlsView) error {
	v.present = true
	t := &d.tls
	if err := t.read(b, int(fTLSSessionID)+1, 0); err != nil {
		return err
	}
	v.version, v.sni, v.sessionID = int32(t.uint(fTLSVersion)), t.str(fTLSSNIHostname), t.str(fTLSSessionID)
	var err error
	if v.hasCipher = t.has(fTLSCipherSuite); v.hasCipher {
		err = d.uint32Value(t.raw[fTLSCipherSuite], &v.cipher)
	}
	if t.has(fTLSLocalCertificateProperties) && err == nil {
		err = d.decodeCert(t.raw[fTLSLocalCertificateProperties], &v.local)
	}
	if t.has(fTLSPeerCertificateProperties) && err == nil {
		err = d.decodeCert(t.raw[fTLSPeerCertificateProperties], &v.peer)
	}
	return err
}

// decodeCert reads CertificateProperties: the URIs of its subject alt names
// and its subject.
func (d *decoder) decodeCert(b []byte, c *certView) error {
	c.present = true
	t := &d.cert
	if err := t.read(b, int(fCertSubject)+1, 1<<fCertSubjectAltName); err != nil {
		return err
	}
	c.subject = t.str(fCertSubject)
	for _, san := range t.rep {
		if err := d.inner.read(san.val, int(fSANURI)+1, 0); err != nil {
			return err
		}
		if d.inner.has(fSANURI) {
			c.uris = append(c.uris, d.inner.str(fSANURI))
		}
	}
	return nil
}

// stringPair reads one map entry {key, value} into d.pair, and returns it
// as strings.
func (d *decoder) stringPair(b []byte) (kv, error) {
	err := d.pair.read(b, int(fMapValue)+1, 0)
	return kv{k: d.pair.str(fMapKey), v: d.pair.str(fMapValue)}, err
}

// peerState keeps the filter states that carry Istio's peers: an Any
// {type_url, value}, under downstream_peer or upstream_peer.
func (d *decoder) peerState(key string, b []byte, c *commonView) error {
	var dst *anyView
	switch key {
	case downstreamPeerKey:
		dst = &c.dsPeer
	case upstreamPeerKey:
		dst = &c.usPeer
	default:
		return nil
	}
	*dst = anyView{}
	if b == nil {
		return nil
	}
	dst.present = true
	t := &d.inner
	err := t.read(b, int(fAnyValue)+1, 0)
	dst.typeURL, dst.value = t.str(fAnyTypeURL), t.raw[fAnyValue]
	return err
}
