package convert

import (
	"errors"
	"math"
	"unsafe"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
)

// The decoder reads ALS v3 messages straight off the wire, by the field
// numbers of fields.go: the standard decoder allocates every nested message
// and string of an entry, which made it the largest cost of the pipeline.

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
		case fMsgIdentifier:
			m.Identifier = it.val
		case fMsgHTTPLogs, fMsgTCPLogs:
			// Envoy's oneof: a later one replaces an earlier one.
			m.HTTP, m.TCP = m.HTTP[:0], m.TCP[:0]
			in := fieldIter{b: it.val}
			for in.next() {
				if in.num == fEntriesLogEntry && in.bytes() {
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

func decodeHTTP(b []byte, h *httpView) error {
	h.reset()
	it := fieldIter{b: b}
	for it.next() {
		switch {
		case it.num == fHTTPCommonProperties && it.bytes():
			if err := decodeCommon(it.val, &h.common); err != nil {
				return err
			}
		case it.num == fHTTPProtocolVersion && it.varint():
			h.protocol = int32(it.u)
		case it.num == fHTTPRequest && it.bytes():
			if err := decodeRequest(it.val, h); err != nil {
				return err
			}
		case it.num == fHTTPResponse && it.bytes():
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
		case it.num == fTCPCommonProperties && it.bytes():
			if err := decodeCommon(it.val, &t.common); err != nil {
				return err
			}
		case it.num == fTCPConnectionProperties && it.bytes():
			t.hasConn = true
			in := fieldIter{b: it.val}
			for in.next() {
				switch {
				case in.num == fConnReceivedBytes && in.varint():
					t.recv = in.u
				case in.num == fConnSentBytes && in.varint():
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
		if it.typ == protowire.Fixed64Type && n == fSampleRate {
			c.sampleRate = math.Float64frombits(it.u)
			continue
		}
		if it.varint() {
			switch {
			case n == fUpstreamRequestAttemptCount:
				c.attempts = uint32(it.u)
			case n == fIntermediateLogEntry:
				c.intermediate = it.u != 0
			case n >= fDownstreamWireBytesSent && n <= fUpstreamWireBytesReceived:
				c.wireBytes[n-fDownstreamWireBytesSent] = it.u
			case n == fAccessLogType:
				c.logType = int32(it.u)
			}
			continue
		}
		if !it.bytes() {
			continue
		}
		if n >= fTimeToLastRxByte && n <= fTimeToLastDownstreamTxByte {
			c.timings[n-fTimeToLastRxByte], err = decodeNanos(it.val)
			c.hasTiming[n-fTimeToLastRxByte] = true
			continue
		}
		switch n {
		case fDownstreamRemoteAddress:
			err = decodeAddr(it.val, &c.dsRemote)
		case fDownstreamLocalAddress:
			err = decodeAddr(it.val, &c.dsLocal)
		case fTLSProperties:
			err = decodeTLS(it.val, &c.tls)
		case fStartTime:
			c.start, err = decodeNanos(it.val)
			c.hasStart = true
		case fUpstreamRemoteAddress:
			err = decodeAddr(it.val, &c.usRemote)
		case fUpstreamLocalAddress:
			err = decodeAddr(it.val, &c.usLocal)
		case fUpstreamCluster:
			c.cluster = bytesToString(it.val)
		case fResponseFlags:
			c.hasFlags = true
			c.flags, err = decodeFlags(it.val)
		case fMetadata:
			c.filterMetadata = it.val
		case fUpstreamTransportFailureReason:
			c.upstreamFailure = bytesToString(it.val)
		case fRouteName:
			c.route = bytesToString(it.val)
		case fDownstreamDirectRemoteAddress:
			err = decodeAddr(it.val, &c.dsDirect)
		case fFilterStateObjects:
			err = decodeFilterState(it.val, c)
		case fCustomTags:
			var e kv
			if e, err = decodeStringPair(it.val); err == nil {
				c.customTags = append(c.customTags, e)
			}
		case fDuration:
			c.duration, err = decodeNanos(it.val)
			c.hasDuration = true
		case fConnectionTerminationDetails:
			c.termDetails = bytesToString(it.val)
		case fStreamID:
			c.streamID = bytesToString(it.val)
		case fDownstreamTransportFailureReason:
			c.downstreamFailure = bytesToString(it.val)
		}
	}
	if err != nil {
		return err
	}
	return it.err
}

// decodeAddr reads an Address: a socket_address {address, port_value} or a
// pipe {path}. Other kinds (Envoy-internal addresses) are left out.
func decodeAddr(b []byte, a *addrView) error {
	it := fieldIter{b: b}
	for it.next() {
		if !it.bytes() || (it.num != fAddrSocketAddress && it.num != fAddrPipe) {
			continue
		}
		a.present = true
		in := fieldIter{b: it.val}
		for in.next() {
			switch {
			case it.num == fAddrSocketAddress && in.num == fSocketAddress && in.bytes():
				a.addr = bytesToString(in.val)
			case it.num == fAddrSocketAddress && in.num == fSocketPortValue && in.varint():
				a.port = uint32(in.u)
			case it.num == fAddrPipe && in.num == fPipePath && in.bytes():
				a.addr = bytesToString(in.val)
			}
		}
		if in.err != nil {
			return in.err
		}
	}
	return it.err
}

// decodeNanos reads a Timestamp or Duration {seconds, nanos} as nanoseconds.
func decodeNanos(b []byte) (int64, error) {
	var secs, nanos int64
	it := fieldIter{b: b}
	for it.next() {
		switch {
		case it.num == fSeconds && it.varint():
			secs = int64(it.u)
		case it.num == fNanos && it.varint():
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
		if it.num == fUnauthorizedDetails && it.bytes() {
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
		case it.num == fTLSVersion && it.varint():
			t.version = int32(it.u)
		case it.num == fTLSCipherSuite && it.bytes():
			t.hasCipher = true
			v, err := decodeUInt32Value(it.val)
			if err != nil {
				return err
			}
			t.cipher = v
		case it.num == fTLSSNIHostname && it.bytes():
			t.sni = bytesToString(it.val)
		case it.num == fTLSLocalCertificateProperties && it.bytes():
			if err := decodeCert(it.val, &t.local); err != nil {
				return err
			}
		case it.num == fTLSPeerCertificateProperties && it.bytes():
			if err := decodeCert(it.val, &t.peer); err != nil {
				return err
			}
		case it.num == fTLSSessionID && it.bytes():
			t.sessionID = bytesToString(it.val)
		}
	}
	return it.err
}

// decodeCert reads CertificateProperties: repeated subject_alt_name (of
// which the URIs), subject.
func decodeCert(b []byte, c *certView) error {
	c.present = true
	it := fieldIter{b: b}
	for it.next() {
		switch {
		case it.num == fCertSubjectAltName && it.bytes():
			in := fieldIter{b: it.val}
			for in.next() {
				if in.num == fSANURI && in.bytes() {
					c.uris = append(c.uris, bytesToString(in.val))
				}
			}
			if in.err != nil {
				return in.err
			}
		case it.num == fCertSubject && it.bytes():
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
		case it.num == fMapKey && it.bytes():
			key = bytesToString(it.val)
		case it.num == fMapValue && it.bytes():
			val.present = true
			in := fieldIter{b: it.val}
			for in.next() {
				switch {
				case in.num == fAnyTypeURL && in.bytes():
					val.typeURL = bytesToString(in.val)
				case in.num == fAnyValue && in.bytes():
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

// decodeUInt32Value reads a google.protobuf.UInt32Value.
func decodeUInt32Value(b []byte) (uint32, error) {
	var v uint32
	it := fieldIter{b: b}
	for it.next() {
		if it.num == fWrapperValue && it.varint() {
			v = uint32(it.u)
		}
	}
	return v, it.err
}

// decodeStringPair reads one map<string, string> entry.
func decodeStringPair(b []byte) (kv, error) {
	var e kv
	it := fieldIter{b: b}
	for it.next() {
		switch {
		case it.num == fMapKey && it.bytes():
			e.k = bytesToString(it.val)
		case it.num == fMapValue && it.bytes():
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
			case fReqMethod:
				h.method = int32(it.u)
			case fReqHeadersBytes:
				h.reqHeadersBytes = it.u
			case fReqBodyBytes:
				h.reqBodyBytes = it.u
			case fReqUpstreamHeaderBytesSent:
				h.usHdrSent = it.u
			case fReqDownstreamHeaderBytesReceived:
				h.dsHdrRecv = it.u
			}
			continue
		}
		if !it.bytes() {
			continue
		}
		switch it.num {
		case fReqScheme:
			h.scheme = bytesToString(it.val)
		case fReqAuthority:
			h.authority = bytesToString(it.val)
		case fReqPort:
			h.hasPort = true
			v, err := decodeUInt32Value(it.val)
			if err != nil {
				return err
			}
			h.port = v
		case fReqPath:
			h.path = bytesToString(it.val)
		case fReqUserAgent:
			h.userAgent = bytesToString(it.val)
		case fReqReferer:
			h.referer = bytesToString(it.val)
		case fReqForwardedFor:
			h.xff = bytesToString(it.val)
		case fReqRequestID:
			h.requestID = bytesToString(it.val)
		case fReqOriginalPath:
			h.originalPath = bytesToString(it.val)
		case fReqHeaders:
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
			case fRespHeadersBytes:
				h.respHeadersBytes = it.u
			case fRespBodyBytes:
				h.respBodyBytes = it.u
			case fRespUpstreamHeaderBytesReceived:
				h.usHdrRecv = it.u
			case fRespDownstreamHeaderBytesSent:
				h.dsHdrSent = it.u
			}
			continue
		}
		if !it.bytes() {
			continue
		}
		switch it.num {
		case fRespCode:
			h.hasCode = true
			v, err := decodeUInt32Value(it.val)
			if err != nil {
				return err
			}
			h.code = v
		case fRespHeaders, fRespTrailers:
			e, err := decodeStringPair(it.val)
			if err != nil {
				return err
			}
			if it.num == fRespHeaders {
				h.respHeaders = append(h.respHeaders, e)
			} else {
				h.respTrailers = append(h.respTrailers, e)
			}
		case fRespCodeDetails:
			h.details = bytesToString(it.val)
		}
	}
	return it.err
}
