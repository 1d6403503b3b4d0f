package convert

import (
	"errors"
	"math"
	"unsafe"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
)

// Field numbers of the ALS v3 messages (envoy/service/accesslog/v3/als.proto
// and envoy/data/accesslog/v3/accesslog.proto). The decoder reads them
// straight off the wire: the standard decoder allocates every nested message
// and string of an entry, which made it the largest cost of the pipeline.

var errMalformed = errors.New("malformed ALS message")

// bytesToString views b as a string without copying. The caller owns b and
// never changes it afterwards (the receiver copies each gRPC message once).
func bytesToString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
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

// bytes reports whether the current field is length-delimited (a message,
// string or bytes); a field of the wrong type is skipped, as the standard
// decoder would refuse it, rather than misread.
func (it *fieldIter) bytes() bool  { return it.typ == protowire.BytesType }
func (it *fieldIter) varint() bool { return it.typ == protowire.VarintType }

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
		if !it.bytes() {
			continue
		}
		switch it.num {
		case 1:
			m.Identifier = it.val
		case 2, 3: // HTTPAccessLogEntries / TCPAccessLogEntries: 1 repeated log_entry
			// Envoy's oneof: a later one replaces an earlier one.
			m.HTTP, m.TCP = m.HTTP[:0], m.TCP[:0]
			in := fieldIter{b: it.val}
			for in.next() {
				if in.num == 1 && in.bytes() {
					if it.num == 2 {
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

func decodeHTTP(b []byte, h *httpView) error {
	h.reset()
	it := fieldIter{b: b}
	for it.next() {
		switch {
		case it.num == 1 && it.bytes():
			if err := decodeCommon(it.val, &h.common); err != nil {
				return err
			}
		case it.num == 2 && it.varint():
			h.protocol = int32(it.u)
		case it.num == 3 && it.bytes():
			if err := decodeRequest(it.val, h); err != nil {
				return err
			}
		case it.num == 4 && it.bytes():
			if err := decodeResponse(it.val, h); err != nil {
				return err
			}
		}
	}
	return it.err
}

func decodeTCP(b []byte, t *tcpView) error {
	t.reset()
	it := fieldIter{b: b}
	for it.next() {
		switch {
		case it.num == 1 && it.bytes():
			if err := decodeCommon(it.val, &t.common); err != nil {
				return err
			}
		case it.num == 2 && it.bytes():
			t.hasConn = true
			in := fieldIter{b: it.val}
			for in.next() {
				switch {
				case in.num == 1 && in.varint():
					t.recv = in.u
				case in.num == 2 && in.varint():
					t.sent = in.u
				}
			}
			if in.err != nil {
				return in.err
			}
		}
	}
	return it.err
}

func decodeCommon(b []byte, c *commonView) error {
	c.present = true
	it := fieldIter{b: b}
	var err error
	for it.next() && err == nil {
		n := it.num
		if it.typ == protowire.Fixed64Type && n == 1 {
			c.sampleRate = math.Float64frombits(it.u)
			continue
		}
		if it.varint() {
			switch n {
			case 24:
				c.attempts = uint32(it.u)
			case 27:
				c.intermediate = it.u != 0
			case 29, 30, 31, 32:
				c.wireBytes[n-29] = it.u
			case 33:
				c.logType = int32(it.u)
			}
			continue
		}
		if !it.bytes() {
			continue
		}
		switch n {
		case 2:
			err = decodeAddr(it.val, &c.dsRemote)
		case 3:
			err = decodeAddr(it.val, &c.dsLocal)
		case 4:
			err = decodeTLS(it.val, &c.tls)
		case 5:
			c.start, err = decodeNanos(it.val)
			c.hasStart = true
		case 6, 7, 8, 9, 10, 11, 12:
			c.timings[n-6], err = decodeNanos(it.val)
			c.hasTiming[n-6] = true
		case 13:
			err = decodeAddr(it.val, &c.usRemote)
		case 14:
			err = decodeAddr(it.val, &c.usLocal)
		case 15:
			c.cluster = bytesToString(it.val)
		case 16:
			c.hasFlags = true
			c.flags, err = decodeFlags(it.val)
		case 17:
			c.filterMetadata = it.val
		case 18:
			c.upstreamFailure = bytesToString(it.val)
		case 19:
			c.route = bytesToString(it.val)
		case 20:
			err = decodeAddr(it.val, &c.dsDirect)
		case 21:
			err = decodeFilterState(it.val, c)
		case 22:
			var e kv
			if e, err = decodeStringPair(it.val); err == nil {
				c.customTags = append(c.customTags, e)
			}
		case 23:
			c.duration, err = decodeNanos(it.val)
			c.hasDuration = true
		case 25:
			c.termDetails = bytesToString(it.val)
		case 26:
			c.streamID = bytesToString(it.val)
		case 28:
			c.downstreamFailure = bytesToString(it.val)
		}
	}
	if err != nil {
		return err
	}
	return it.err
}

// decodeAddr reads an Address: 1 socket_address {2 address, 3 port_value},
// 2 pipe {1 path}. Other kinds (Envoy-internal addresses) are left out.
func decodeAddr(b []byte, a *addrView) error {
	it := fieldIter{b: b}
	for it.next() {
		if !it.bytes() || (it.num != 1 && it.num != 2) {
			continue
		}
		a.present = true
		in := fieldIter{b: it.val}
		for in.next() {
			switch {
			case it.num == 1 && in.num == 2 && in.bytes():
				a.addr = bytesToString(in.val)
			case it.num == 1 && in.num == 3 && in.varint():
				a.port = uint32(in.u)
			case it.num == 2 && in.num == 1 && in.bytes():
				a.addr = bytesToString(in.val)
			}
		}
		if in.err != nil {
			return in.err
		}
	}
	return it.err
}

// decodeNanos reads a Timestamp or Duration {1 seconds, 2 nanos} as nanoseconds.
func decodeNanos(b []byte) (int64, error) {
	var secs, nanos int64
	it := fieldIter{b: b}
	for it.next() {
		switch {
		case it.num == 1 && it.varint():
			secs = int64(it.u)
		case it.num == 2 && it.varint():
			nanos = int64(int32(it.u))
		}
	}
	return secs*1e9 + nanos, it.err
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
		if it.num == 13 && it.bytes() {
			flags |= mesh.FlagUnauthorized
		} else if it.varint() && it.u != 0 {
			flags |= responseFlagByField[it.num]
		}
	}
	return flags, it.err
}

func decodeTLS(b []byte, t *tlsView) error {
	t.present = true
	it := fieldIter{b: b}
	for it.next() {
		switch {
		case it.num == 1 && it.varint():
			t.version = int32(it.u)
		case it.num == 2 && it.bytes(): // UInt32Value {1 value}
			t.hasCipher = true
			in := fieldIter{b: it.val}
			for in.next() {
				if in.num == 1 && in.varint() {
					t.cipher = uint32(in.u)
				}
			}
			if in.err != nil {
				return in.err
			}
		case it.num == 3 && it.bytes():
			t.sni = bytesToString(it.val)
		case it.num == 4 && it.bytes():
			if err := decodeCert(it.val, &t.local); err != nil {
				return err
			}
		case it.num == 5 && it.bytes():
			if err := decodeCert(it.val, &t.peer); err != nil {
				return err
			}
		case it.num == 6 && it.bytes():
			t.sessionID = bytesToString(it.val)
		}
	}
	return it.err
}

// decodeCert reads CertificateProperties: 1 repeated subject_alt_name
// {1 uri, 2 dns}, 2 subject.
func decodeCert(b []byte, c *certView) error {
	c.present = true
	it := fieldIter{b: b}
	for it.next() {
		switch {
		case it.num == 1 && it.bytes():
			in := fieldIter{b: it.val}
			for in.next() {
				if in.num == 1 && in.bytes() {
					c.uris = append(c.uris, bytesToString(in.val))
				}
			}
			if in.err != nil {
				return in.err
			}
		case it.num == 2 && it.bytes():
			c.subject = bytesToString(it.val)
		}
	}
	return it.err
}

// decodeFilterState reads one map<string, Any> entry and keeps the peers.
func decodeFilterState(b []byte, c *commonView) error {
	var key string
	var val anyView
	it := fieldIter{b: b}
	for it.next() {
		switch {
		case it.num == 1 && it.bytes():
			key = bytesToString(it.val)
		case it.num == 2 && it.bytes():
			val.present = true
			in := fieldIter{b: it.val}
			for in.next() {
				switch {
				case in.num == 1 && in.bytes():
					val.typeURL = bytesToString(in.val)
				case in.num == 2 && in.bytes():
					val.value = in.val
				}
			}
			if in.err != nil {
				return in.err
			}
		}
	}
	switch key {
	case downstreamPeerKey:
		c.dsPeer = val
	case upstreamPeerKey:
		c.usPeer = val
	}
	return it.err
}

// decodeStringPair reads one map<string, string> entry.
func decodeStringPair(b []byte) (kv, error) {
	var e kv
	it := fieldIter{b: b}
	for it.next() {
		switch {
		case it.num == 1 && it.bytes():
			e.k = bytesToString(it.val)
		case it.num == 2 && it.bytes():
			e.v = bytesToString(it.val)
		}
	}
	return e, it.err
}

func decodeRequest(b []byte, h *httpView) error {
	h.hasRequest = true
	it := fieldIter{b: b}
	for it.next() {
		if it.varint() {
			switch it.num {
			case 1:
				h.method = int32(it.u)
			case 11:
				h.reqHeadersBytes = it.u
			case 12:
				h.reqBodyBytes = it.u
			case 14:
				h.usHdrSent = it.u
			case 15:
				h.dsHdrRecv = it.u
			}
			continue
		}
		if !it.bytes() {
			continue
		}
		switch it.num {
		case 2:
			h.scheme = bytesToString(it.val)
		case 3:
			h.authority = bytesToString(it.val)
		case 4: // UInt32Value
			h.hasPort = true
			in := fieldIter{b: it.val}
			for in.next() {
				if in.num == 1 && in.varint() {
					h.port = uint32(in.u)
				}
			}
			if in.err != nil {
				return in.err
			}
		case 5:
			h.path = bytesToString(it.val)
		case 6:
			h.userAgent = bytesToString(it.val)
		case 7:
			h.referer = bytesToString(it.val)
		case 8:
			h.xff = bytesToString(it.val)
		case 9:
			h.requestID = bytesToString(it.val)
		case 10:
			h.originalPath = bytesToString(it.val)
		case 13:
			e, err := decodeStringPair(it.val)
			if err != nil {
				return err
			}
			h.reqHeaders = append(h.reqHeaders, e)
		}
	}
	return it.err
}

func decodeResponse(b []byte, h *httpView) error {
	h.hasResponse = true
	it := fieldIter{b: b}
	for it.next() {
		if it.varint() {
			switch it.num {
			case 2:
				h.respHeadersBytes = it.u
			case 3:
				h.respBodyBytes = it.u
			case 7:
				h.usHdrRecv = it.u
			case 8:
				h.dsHdrSent = it.u
			}
			continue
		}
		if !it.bytes() {
			continue
		}
		switch it.num {
		case 1: // UInt32Value
			h.hasCode = true
			in := fieldIter{b: it.val}
			for in.next() {
				if in.num == 1 && in.varint() {
					h.code = uint32(in.u)
				}
			}
			if in.err != nil {
				return in.err
			}
		case 4, 5:
			e, err := decodeStringPair(it.val)
			if err != nil {
				return err
			}
			if it.num == 4 {
				h.respHeaders = append(h.respHeaders, e)
			} else {
				h.respTrailers = append(h.respTrailers, e)
			}
		case 6:
			h.details = bytesToString(it.val)
		}
	}
	return it.err
}
