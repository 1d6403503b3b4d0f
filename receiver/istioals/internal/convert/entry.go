package convert

import (
	"crypto/tls"
	"strings"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	datav3 "github.com/envoyproxy/go-control-plane/envoy/data/accesslog/v3"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/otelcol-pan/otelcol-pan/internal/fields"
	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
)

// newRecord appends a record of event with room for size attributes: one
// allocation, no growth (measured: sizing from the previous record grew more
// often).
func newRecord(lrs plog.LogRecordSlice, event string, observed pcommon.Timestamp, size int) (plog.LogRecord, pcommon.Map) {
	lr := lrs.AppendEmpty()
	lr.SetObservedTimestamp(observed)
	lr.SetEventName(event)
	attrs := lr.Attributes()
	attrs.EnsureCapacity(size)
	return lr, attrs
}

func (cv *Converter) appendHTTP(h *httpView, local *Local, observed pcommon.Timestamp, lrs plog.LogRecordSlice) {
	lr, attrs := newRecord(lrs, fields.EventHTTP, observed, 64) // a full HTTP record holds up to ~60
	c := &h.common
	details := ""
	if h.hasResponse {
		details = h.resp.str(fRespCodeDetails)
	}
	cv.common(c, local, lr, attrs, details)
	httpProps(h, attrs)
	if !c.hasDuration && c.hasTiming[numTimings-1] {
		// Envoys before 1.29 have no duration field; the last byte sent
		// downstream is when the request ended.
		attrs.PutInt(fields.EnvoyDurationMs, c.timings[numTimings-1]/1e6)
	}
}

func (cv *Converter) appendTCP(t *tcpView, local *Local, observed pcommon.Timestamp, lrs plog.LogRecordSlice) {
	lr, attrs := newRecord(lrs, fields.EventTCP, observed, 48)
	cv.common(&t.common, local, lr, attrs, "")
	attrs.PutStr(fields.NetworkTransport, "tcp")
	if t.hasConn {
		attrs.PutInt(fields.EnvoyTCPReceivedBytes, clampInt(t.recv))
		attrs.PutInt(fields.EnvoyTCPSentBytes, clampInt(t.sent))
	}
}

var timingKeys = [numTimings]string{
	fields.EnvoyTimeToLastRxByte, fields.EnvoyTimeToFirstUpstreamTxByte, fields.EnvoyTimeToLastUpstreamTxByte,
	fields.EnvoyTimeToFirstUpstreamRxByte, fields.EnvoyTimeToLastUpstreamRxByte,
	fields.EnvoyTimeToFirstDownstreamTxByte, fields.EnvoyTimeToLastDownstreamTxByte,
}

var wireByteKeys = [4]string{
	fields.EnvoyDownstreamWireBytesSent, fields.EnvoyDownstreamWireBytesRecv,
	fields.EnvoyUpstreamWireBytesSent, fields.EnvoyUpstreamWireBytesRecv,
}

// attrField is an attribute written as a message holds it: a string or a
// counter (a counter of 0 means Envoy had nothing to say).
type attrField struct {
	key string
	num protowire.Number
}

// The fields of AccessLogCommon, HTTPRequestProperties and
// HTTPResponseProperties written as they are.
var (
	commonStrings = []attrField{{fields.EnvoyUpstreamCluster, fUpstreamCluster}, {fields.EnvoyRouteName, fRouteName}, {fields.EnvoyConnTerminationDetails, fConnectionTerminationDetails}, {fields.EnvoyUpstreamTransportFailure, fUpstreamTransportFailureReason}, {fields.EnvoyDownstreamTransportFailure, fDownstreamTransportFailureReason}, {fields.EnvoyStreamID, fStreamID}}
	reqStrings    = []attrField{{fields.URLScheme, fReqScheme}, {fields.UserAgentOriginal, fReqUserAgent}, {fields.HTTPRequestHeaderReferer, fReqReferer}, {fields.HTTPRequestHeaderXFF, fReqForwardedFor}, {fields.HTTPRequestHeaderReqID, fReqRequestID}, {fields.EnvoyOriginalPath, fReqOriginalPath}}
	reqCounters   = []attrField{{fields.EnvoyRequestHeadersBytes, fReqHeadersBytes}, {fields.EnvoyUpstreamHeaderBytesSent, fReqUpstreamHeaderBytesSent}, {fields.EnvoyDownstreamHeaderBytesRecv, fReqDownstreamHeaderBytesReceived}}
	respCounters  = []attrField{{fields.EnvoyResponseHeadersBytes, fRespHeadersBytes}, {fields.EnvoyUpstreamHeaderBytesRecv, fRespUpstreamHeaderBytesReceived}, {fields.EnvoyDownstreamHeaderBytesSent, fRespDownstreamHeaderBytesSent}}
)

// putFields writes the strings (or, with counters, the non-zero counters)
// of fs that t holds.
func putFields(attrs pcommon.Map, t *table, fs []attrField, counters bool) {
	for _, f := range fs {
		if counters {
			putUint(attrs, f.key, t.uint(f.num))
		} else {
			putStr(attrs, f.key, t.str(f.num))
		}
	}
}

func (cv *Converter) common(c *commonView, local *Local, lr plog.LogRecord, attrs pcommon.Map, codeDetails string) {
	if !c.present {
		return // nothing to say about the connection, not even a verdict
	}
	if c.hasStart && c.start >= 0 {
		lr.SetTimestamp(pcommon.Timestamp(c.start))
	}
	putAddr(attrs, fields.SourceAddress, fields.SourcePort, &c.dsRemote)
	putAddr(attrs, fields.DestinationAddress, fields.DestinationPort, &c.dsLocal)
	putAddr(attrs, fields.EnvoyDownstreamDirectAddress, fields.EnvoyDownstreamDirectPort, &c.dsDirect)
	putAddr(attrs, fields.EnvoyUpstreamAddress, fields.EnvoyUpstreamPort, &c.usRemote)
	putAddr(attrs, fields.EnvoyUpstreamLocalAddress, fields.EnvoyUpstreamLocalPort, &c.usLocal)
	f := c.f
	putFields(attrs, f, commonStrings, false)
	if c.hasFlags {
		putStr(attrs, fields.EnvoyResponseFlags, c.flags.String())
	}
	if c.hasDuration {
		attrs.PutInt(fields.EnvoyDurationMs, c.duration/1e6)
	}
	for i := range c.timings {
		if c.hasTiming[i] {
			// Fractional milliseconds with microsecond precision.
			attrs.PutDouble(timingKeys[i], float64(c.timings[i]/1000)/1000)
		}
	}
	if logType := int32(f.uint(fAccessLogType)); logType != 0 {
		attrs.PutStr(fields.EnvoyAccessLogType, datav3.AccessLogType(logType).String())
	}
	if f.uint(fIntermediateLogEntry) != 0 {
		attrs.PutBool(fields.EnvoyAccessLogIntermediate, true)
	}
	putUint(attrs, fields.EnvoyUpstreamAttemptCount, uint64(uint32(f.uint(fUpstreamRequestAttemptCount))))
	if rate := f.float64(fSampleRate); rate != 0 {
		attrs.PutDouble(fields.EnvoySampleRate, rate)
	}
	for i, key := range wireByteKeys {
		putUint(attrs, key, f.uint(fDownstreamWireBytesSent+protowire.Number(i)))
	}
	for _, t := range c.customTags {
		attrs.PutStr(fields.EnvoyCustomTagPrefix+t.k, t.v)
	}
	if md := f.raw[fMetadata]; len(md) > 0 {
		putFilterMetadata(attrs, md)
	}
	tlsProps(&c.tls, attrs)

	ev := mesh.Evidence{
		Cluster:            f.str(fUpstreamCluster),
		Route:              f.str(fRouteName),
		CodeDetails:        codeDetails,
		TerminationDetails: f.str(fConnectionTerminationDetails),
		UpstreamFailure:    f.str(fUpstreamTransportFailureReason),
		Flags:              c.flags,
		HasFlags:           c.hasFlags,
	}
	facts := cv.domains.Classify(&ev)
	facts.Put(attrs)
	putIdentity(c, local, facts.Direction, attrs)
}

// putFilterMetadata writes Envoy's dynamic metadata (rare, so decoded with
// the standard decoder) as one map attribute per filter.
func putFilterMetadata(attrs pcommon.Map, raw []byte) {
	var md corev3.Metadata
	if proto.Unmarshal(raw, &md) != nil {
		return
	}
	for k, v := range md.GetFilterMetadata() {
		if len(v.GetFields()) > 0 {
			_ = attrs.PutEmptyMap(fields.EnvoyFilterMetadataPrefix + k).FromRaw(v.AsMap())
		}
	}
}

func httpProps(h *httpView, attrs pcommon.Map) {
	switch datav3.HTTPAccessLogEntry_HTTPVersion(h.protocol) {
	case datav3.HTTPAccessLogEntry_HTTP10:
		putProto(attrs, "1.0", "tcp")
	case datav3.HTTPAccessLogEntry_HTTP11:
		putProto(attrs, "1.1", "tcp")
	case datav3.HTTPAccessLogEntry_HTTP2:
		putProto(attrs, "2", "tcp")
	case datav3.HTTPAccessLogEntry_HTTP3:
		putProto(attrs, "3", "udp")
	}
	if h.hasRequest {
		req := h.req
		if method := int32(req.uint(fReqMethod)); method != 0 {
			attrs.PutStr(fields.HTTPRequestMethod, corev3.RequestMethod(method).String())
		}
		if p := req.str(fReqPath); p != "" {
			if i := strings.IndexByte(p, '?'); i >= 0 {
				attrs.PutStr(fields.URLPath, p[:i])
				attrs.PutStr(fields.URLQuery, p[i+1:])
			} else {
				attrs.PutStr(fields.URLPath, p)
			}
		}
		host, port := mesh.SplitHostPort(req.str(fReqAuthority))
		putStr(attrs, fields.ServerAddress, host)
		if port == 0 && h.hasPort && h.port > 0 && h.port <= 65535 {
			port = h.port
		}
		if port > 0 {
			attrs.PutInt(fields.ServerPort, int64(port))
		}
		putFields(attrs, req, reqStrings, false)
		attrs.PutInt(fields.HTTPRequestBodySize, clampInt(req.uint(fReqBodyBytes)))
		putFields(attrs, req, reqCounters, true)
		putHeaders(attrs, fields.HTTPRequestHeaderPfx, h.reqHeaders)
	}
	if h.hasResponse {
		resp := h.resp
		if h.hasCode {
			attrs.PutInt(fields.HTTPResponseStatusCode, int64(h.code))
		}
		attrs.PutInt(fields.HTTPResponseBodySize, clampInt(resp.uint(fRespBodyBytes)))
		putStr(attrs, fields.EnvoyResponseCodeDetails, resp.str(fRespCodeDetails))
		putFields(attrs, resp, respCounters, true)
		putHeaders(attrs, fields.HTTPResponseHeaderPfx, h.respHeaders)
		putHeaders(attrs, fields.HTTPResponseTrailerPfx, h.respTrailers)
	}
}

// putHeaders writes the extra headers Envoy was told to log, under their
// lower-cased names (HTTP header names are case-insensitive). Which reach an
// output is the exporter's decision: it drops credentials.
func putHeaders(attrs pcommon.Map, prefix string, h []kv) {
	for _, e := range h {
		attrs.PutStr(prefix+strings.ToLower(e.k), e.v)
	}
}

func putProto(attrs pcommon.Map, version, transport string) {
	attrs.PutStr(fields.NetworkProtocolName, "http")
	attrs.PutStr(fields.NetworkProtocolVersion, version)
	attrs.PutStr(fields.NetworkTransport, transport)
}

var tlsVersions = [...]string{"", "1.0", "1.1", "1.2", "1.3"}

func tlsProps(t *tlsView, attrs pcommon.Map) {
	if !t.present {
		return
	}
	// Envoy also logs the SNI of TLS it only passed through (its TLS
	// inspector read the ClientHello); a session is established only when
	// there is evidence of a handshake it took part in.
	if t.handshake() {
		attrs.PutBool(fields.TLSEstablished, true)
	}
	if t.version > 0 && int(t.version) < len(tlsVersions) {
		attrs.PutStr(fields.TLSProtocolVersion, tlsVersions[t.version])
	}
	if t.hasCipher && t.cipher <= 0xFFFF {
		// IANA names, as Envoy's %DOWNSTREAM_TLS_CIPHER% would print them.
		attrs.PutStr(fields.TLSCipher, tls.CipherSuiteName(uint16(t.cipher)))
	}
	putStr(attrs, fields.TLSServerName, t.sni)
	putStr(attrs, fields.EnvoyTLSSessionID, t.sessionID)
	if t.peer.present {
		putStr(attrs, fields.TLSClientSubject, t.peer.subject)
		putURISANs(attrs, fields.EnvoyTLSPeerURISAN, &t.peer)
	}
	putURISANs(attrs, fields.EnvoyTLSLocalURISAN, &t.local)
}

func putURISANs(attrs pcommon.Map, key string, c *certView) {
	var sans pcommon.Slice
	for _, uri := range c.uris {
		if uri == "" {
			continue
		}
		if sans == (pcommon.Slice{}) {
			sans = attrs.PutEmptySlice(key)
		}
		sans.AppendEmpty().SetStr(uri)
	}
}

// putAddr writes a socket address as address and port attributes; a pipe as
// its path. Port 0 means Envoy did not know the port and is left out.
func putAddr(attrs pcommon.Map, addrKey, portKey string, a *addrView) {
	if !a.present {
		return
	}
	putStr(attrs, addrKey, a.addr)
	if a.port != 0 {
		attrs.PutInt(portKey, int64(a.port))
	}
}

// putUint writes a counter Envoy sends as 0 when it has nothing to say.
func putUint(attrs pcommon.Map, key string, v uint64) {
	if v != 0 {
		attrs.PutInt(key, clampInt(v))
	}
}

// clampInt keeps a hostile uint64 from turning negative.
func clampInt(v uint64) int64 {
	return int64(min(v, 1<<63-1))
}
