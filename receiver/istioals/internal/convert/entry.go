// Package convert turns Envoy ALS v3 entries into OTel log records named as in
// DESIGN.md §3. It reads the generated protos field by field: no String(), no
// reflection, no map of the node per entry.
package convert

import (
	"crypto/tls"
	"strconv"
	"strings"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	datav3 "github.com/envoyproxy/go-control-plane/envoy/data/accesslog/v3"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/otelcol-pan/otelcol-pan/internal/fields"
)

// DefaultMeshDomains is Kubernetes' default cluster domain.
var DefaultMeshDomains = []string{"cluster.local"}

// Converter turns ALS entries into log records.
type Converter struct {
	// MeshDomains are the DNS suffixes of in-mesh services; an outbound
	// cluster to any other host is egress. Nil means DefaultMeshDomains.
	MeshDomains []string
}

// HTTP appends one record per HTTP entry to lrs.
func (cv *Converter) HTTP(entries []*datav3.HTTPAccessLogEntry, local *Local, observed pcommon.Timestamp, lrs plog.LogRecordSlice) {
	lrs.EnsureCapacity(lrs.Len() + len(entries))
	for _, e := range entries {
		if e == nil {
			continue
		}
		lr := lrs.AppendEmpty()
		lr.SetObservedTimestamp(observed)
		lr.SetEventName(fields.EventHTTP)
		attrs := lr.Attributes()
		attrs.EnsureCapacity(48)
		c := e.GetCommonProperties()
		cv.common(c, local, lr, attrs, e.GetResponse().GetResponseCodeDetails())
		httpProps(e, attrs)
		if c.GetDuration() == nil {
			// Envoys before 1.29 have no duration field; the last byte sent
			// downstream is when the request ended.
			putDuration(attrs, c.GetTimeToLastDownstreamTxByte())
		}
	}
}

// TCP appends one record per TCP entry to lrs.
func (cv *Converter) TCP(entries []*datav3.TCPAccessLogEntry, local *Local, observed pcommon.Timestamp, lrs plog.LogRecordSlice) {
	lrs.EnsureCapacity(lrs.Len() + len(entries))
	for _, e := range entries {
		if e == nil {
			continue
		}
		lr := lrs.AppendEmpty()
		lr.SetObservedTimestamp(observed)
		lr.SetEventName(fields.EventTCP)
		attrs := lr.Attributes()
		attrs.EnsureCapacity(40)
		cv.common(e.GetCommonProperties(), local, lr, attrs, "")
		attrs.PutStr(fields.NetworkTransport, "tcp")
		if cp := e.GetConnectionProperties(); cp != nil {
			attrs.PutInt(fields.EnvoyTCPReceivedBytes, clampInt(cp.GetReceivedBytes()))
			attrs.PutInt(fields.EnvoyTCPSentBytes, clampInt(cp.GetSentBytes()))
		}
	}
}

func (cv *Converter) common(c *datav3.AccessLogCommon, local *Local, lr plog.LogRecord, attrs pcommon.Map, codeDetails string) {
	if c == nil {
		return // nothing to say about the connection, not even a verdict
	}
	if ts := c.GetStartTime(); ts != nil && ts.GetSeconds() >= 0 {
		lr.SetTimestamp(pcommon.Timestamp(uint64(ts.GetSeconds())*uint64(time.Second) + uint64(ts.GetNanos())))
	}
	putAddr(attrs, fields.SourceAddress, fields.SourcePort, c.GetDownstreamRemoteAddress())
	putAddr(attrs, fields.DestinationAddress, fields.DestinationPort, c.GetDownstreamLocalAddress())
	putAddr(attrs, fields.EnvoyDownstreamDirectAddress, fields.EnvoyDownstreamDirectPort, c.GetDownstreamDirectRemoteAddress())
	putAddr(attrs, fields.EnvoyUpstreamAddress, fields.EnvoyUpstreamPort, c.GetUpstreamRemoteAddress())
	putAddr(attrs, fields.EnvoyUpstreamLocalAddress, fields.EnvoyUpstreamLocalPort, c.GetUpstreamLocalAddress())
	cluster := c.GetUpstreamCluster()
	putStr(attrs, fields.EnvoyUpstreamCluster, cluster)
	putStr(attrs, fields.EnvoyRouteName, c.GetRouteName())
	if f := c.GetResponseFlags(); f != nil {
		putStr(attrs, fields.EnvoyResponseFlags, ResponseFlags(f))
	}
	putStr(attrs, fields.EnvoyConnTerminationDetails, c.GetConnectionTerminationDetails())
	putStr(attrs, fields.EnvoyUpstreamTransportFailure, c.GetUpstreamTransportFailureReason())
	putStr(attrs, fields.EnvoyDownstreamTransportFailure, c.GetDownstreamTransportFailureReason())
	putDuration(attrs, c.GetDuration())
	putTimings(c, attrs)
	if t := c.GetAccessLogType(); t != datav3.AccessLogType_NotSet {
		attrs.PutStr(fields.EnvoyAccessLogType, t.String())
	}
	if c.GetIntermediateLogEntry() {
		attrs.PutBool(fields.EnvoyAccessLogIntermediate, true)
	}
	putStr(attrs, fields.EnvoyStreamID, c.GetStreamId())
	putUint(attrs, fields.EnvoyUpstreamAttemptCount, uint64(c.GetUpstreamRequestAttemptCount()))
	if r := c.GetSampleRate(); r != 0 {
		attrs.PutDouble(fields.EnvoySampleRate, r)
	}
	putUint(attrs, fields.EnvoyDownstreamWireBytesSent, c.GetDownstreamWireBytesSent())
	putUint(attrs, fields.EnvoyDownstreamWireBytesRecv, c.GetDownstreamWireBytesReceived())
	putUint(attrs, fields.EnvoyUpstreamWireBytesSent, c.GetUpstreamWireBytesSent())
	putUint(attrs, fields.EnvoyUpstreamWireBytesRecv, c.GetUpstreamWireBytesReceived())
	for k, v := range c.GetCustomTags() {
		attrs.PutStr(fields.EnvoyCustomTagPrefix+k, v)
	}
	for k, v := range c.GetMetadata().GetFilterMetadata() {
		if len(v.GetFields()) > 0 {
			_ = attrs.PutEmptyMap(fields.EnvoyFilterMetadataPrefix + k).FromRaw(v.AsMap())
		}
	}
	tlsProps(c.GetTlsProperties(), attrs)

	dir := Direction(cluster)
	putStr(attrs, fields.IstioDirection, dir)
	putIdentity(c, local, dir, attrs)

	// A verdict needs evidence: where Envoy sent the traffic or how it
	// ended. An entry with neither gets none rather than a guessed "allow".
	if cluster != "" || c.GetResponseFlags() != nil || codeDetails != "" || c.GetConnectionTerminationDetails() != "" {
		v := verdictOf(c, codeDetails)
		attrs.PutStr(fields.PanAction, v.Action)
		putStr(attrs, fields.PanRule, v.Rule)
		attrs.PutStr(fields.PanSessionEndReason, v.EndReason)
	}
	if dir != "" {
		domains := cv.MeshDomains
		if domains == nil {
			domains = DefaultMeshDomains
		}
		attrs.PutBool(fields.PanEgress, dir == "outbound" && isEgress(cluster, domains))
	}
}

func putTimings(c *datav3.AccessLogCommon, attrs pcommon.Map) {
	putMs(attrs, fields.EnvoyTimeToLastRxByte, c.GetTimeToLastRxByte())
	putMs(attrs, fields.EnvoyTimeToFirstUpstreamTxByte, c.GetTimeToFirstUpstreamTxByte())
	putMs(attrs, fields.EnvoyTimeToLastUpstreamTxByte, c.GetTimeToLastUpstreamTxByte())
	putMs(attrs, fields.EnvoyTimeToFirstUpstreamRxByte, c.GetTimeToFirstUpstreamRxByte())
	putMs(attrs, fields.EnvoyTimeToLastUpstreamRxByte, c.GetTimeToLastUpstreamRxByte())
	putMs(attrs, fields.EnvoyTimeToFirstDownstreamTxByte, c.GetTimeToFirstDownstreamTxByte())
	putMs(attrs, fields.EnvoyTimeToLastDownstreamTxByte, c.GetTimeToLastDownstreamTxByte())
}

// Direction reads the traffic direction from Istio's cluster naming:
// "inbound|port|subset|host" (waypoints: "inbound-vip|…", "inbound-pod|…"),
// "outbound|port|subset|host", and the passthrough and black-hole clusters.
func Direction(cluster string) string {
	switch {
	case strings.HasPrefix(cluster, "inbound|"), strings.HasPrefix(cluster, "inbound-vip|"), strings.HasPrefix(cluster, "inbound-pod|"),
		cluster == "InboundPassthroughCluster", cluster == "InboundPassthroughClusterIpv4", cluster == "InboundPassthroughClusterIpv6":
		return "inbound"
	case strings.HasPrefix(cluster, "outbound|"), cluster == passthroughCluster, cluster == blackHoleCluster:
		return "outbound"
	}
	return ""
}

func httpProps(e *datav3.HTTPAccessLogEntry, attrs pcommon.Map) {
	switch e.GetProtocolVersion() {
	case datav3.HTTPAccessLogEntry_HTTP10:
		putProto(attrs, "1.0", "tcp")
	case datav3.HTTPAccessLogEntry_HTTP11:
		putProto(attrs, "1.1", "tcp")
	case datav3.HTTPAccessLogEntry_HTTP2:
		putProto(attrs, "2", "tcp")
	case datav3.HTTPAccessLogEntry_HTTP3:
		putProto(attrs, "3", "udp")
	}
	if req := e.GetRequest(); req != nil {
		if m := req.GetRequestMethod(); m != corev3.RequestMethod_METHOD_UNSPECIFIED {
			attrs.PutStr(fields.HTTPRequestMethod, m.String())
		}
		putStr(attrs, fields.URLScheme, req.GetScheme())
		if p := req.GetPath(); p != "" {
			if i := strings.IndexByte(p, '?'); i >= 0 {
				attrs.PutStr(fields.URLPath, p[:i])
				attrs.PutStr(fields.URLQuery, p[i+1:])
			} else {
				attrs.PutStr(fields.URLPath, p)
			}
		}
		host, port := SplitAuthority(req.GetAuthority())
		putStr(attrs, fields.ServerAddress, host)
		if port == 0 && req.GetPort().GetValue() > 0 && req.GetPort().GetValue() <= 65535 {
			port = int64(req.GetPort().GetValue())
		}
		if port > 0 {
			attrs.PutInt(fields.ServerPort, port)
		}
		putStr(attrs, fields.UserAgentOriginal, req.GetUserAgent())
		putStr(attrs, fields.HTTPRequestHeaderReferer, req.GetReferer())
		putStr(attrs, fields.HTTPRequestHeaderXFF, req.GetForwardedFor())
		putStr(attrs, fields.HTTPRequestHeaderReqID, req.GetRequestId())
		putStr(attrs, fields.EnvoyOriginalPath, req.GetOriginalPath())
		attrs.PutInt(fields.HTTPRequestBodySize, clampInt(req.GetRequestBodyBytes()))
		putUint(attrs, fields.EnvoyRequestHeadersBytes, req.GetRequestHeadersBytes())
		putUint(attrs, fields.EnvoyUpstreamHeaderBytesSent, req.GetUpstreamHeaderBytesSent())
		putUint(attrs, fields.EnvoyDownstreamHeaderBytesRecv, req.GetDownstreamHeaderBytesReceived())
		putHeaders(attrs, fields.HTTPRequestHeaderPfx, req.GetRequestHeaders())
	}
	if resp := e.GetResponse(); resp != nil {
		if rc := resp.GetResponseCode(); rc != nil {
			attrs.PutInt(fields.HTTPResponseStatusCode, int64(rc.GetValue()))
		}
		attrs.PutInt(fields.HTTPResponseBodySize, clampInt(resp.GetResponseBodyBytes()))
		putStr(attrs, fields.EnvoyResponseCodeDetails, resp.GetResponseCodeDetails())
		putUint(attrs, fields.EnvoyResponseHeadersBytes, resp.GetResponseHeadersBytes())
		putUint(attrs, fields.EnvoyUpstreamHeaderBytesRecv, resp.GetUpstreamHeaderBytesReceived())
		putUint(attrs, fields.EnvoyDownstreamHeaderBytesSent, resp.GetDownstreamHeaderBytesSent())
		putHeaders(attrs, fields.HTTPResponseHeaderPfx, resp.GetResponseHeaders())
		putHeaders(attrs, fields.HTTPResponseTrailerPfx, resp.GetResponseTrailers())
	}
}

// putHeaders writes the extra headers Envoy was told to log, under their
// lower-cased names (HTTP header names are case-insensitive). Which reach an
// output is the exporter's decision: it drops credentials.
func putHeaders(attrs pcommon.Map, prefix string, h map[string]string) {
	for k, v := range h {
		attrs.PutStr(prefix+strings.ToLower(k), v)
	}
}

func putProto(attrs pcommon.Map, version, transport string) {
	attrs.PutStr(fields.NetworkProtocolName, "http")
	attrs.PutStr(fields.NetworkProtocolVersion, version)
	attrs.PutStr(fields.NetworkTransport, transport)
}

func tlsProps(t *datav3.TLSProperties, attrs pcommon.Map) {
	if t == nil {
		return
	}
	attrs.PutBool(fields.TLSEstablished, true)
	switch t.GetTlsVersion() {
	case datav3.TLSProperties_TLSv1:
		attrs.PutStr(fields.TLSProtocolVersion, "1.0")
	case datav3.TLSProperties_TLSv1_1:
		attrs.PutStr(fields.TLSProtocolVersion, "1.1")
	case datav3.TLSProperties_TLSv1_2:
		attrs.PutStr(fields.TLSProtocolVersion, "1.2")
	case datav3.TLSProperties_TLSv1_3:
		attrs.PutStr(fields.TLSProtocolVersion, "1.3")
	}
	if cs := t.GetTlsCipherSuite(); cs != nil && cs.GetValue() <= 0xFFFF {
		// IANA names, as Envoy's %DOWNSTREAM_TLS_CIPHER% would print them.
		attrs.PutStr(fields.TLSCipher, tls.CipherSuiteName(uint16(cs.GetValue())))
	}
	putStr(attrs, fields.TLSServerName, t.GetTlsSniHostname())
	putStr(attrs, fields.EnvoyTLSSessionID, t.GetTlsSessionId())
	if peer := t.GetPeerCertificateProperties(); peer != nil {
		putStr(attrs, fields.TLSClientSubject, peer.GetSubject())
		putURISANs(attrs, fields.EnvoyTLSPeerURISAN, peer)
	}
	putURISANs(attrs, fields.EnvoyTLSLocalURISAN, t.GetLocalCertificateProperties())
}

func putURISANs(attrs pcommon.Map, key string, c *datav3.TLSProperties_CertificateProperties) {
	var sans pcommon.Slice
	for _, san := range c.GetSubjectAltName() {
		if uri := san.GetUri(); uri != "" {
			if sans == (pcommon.Slice{}) {
				sans = attrs.PutEmptySlice(key)
			}
			sans.AppendEmpty().SetStr(uri)
		}
	}
}

// putAddr writes a socket address as address and port attributes; a pipe as
// its path. Port 0 means Envoy did not know the port and is left out.
func putAddr(attrs pcommon.Map, addrKey, portKey string, a *corev3.Address) {
	if a == nil {
		return
	}
	if sa := a.GetSocketAddress(); sa != nil {
		putStr(attrs, addrKey, sa.GetAddress())
		if p := sa.GetPortValue(); p != 0 {
			attrs.PutInt(portKey, int64(p))
		}
		return
	}
	if p := a.GetPipe(); p != nil {
		putStr(attrs, addrKey, p.GetPath())
	}
}

func putDuration(attrs pcommon.Map, d *durationpb.Duration) {
	if d == nil {
		return
	}
	attrs.PutInt(fields.EnvoyDurationMs, d.GetSeconds()*1000+int64(d.GetNanos())/1e6)
}

// putMs writes a duration as fractional milliseconds (microsecond precision).
func putMs(attrs pcommon.Map, key string, d *durationpb.Duration) {
	if d == nil {
		return
	}
	us := d.GetSeconds()*1_000_000 + int64(d.GetNanos())/1000
	attrs.PutDouble(key, float64(us)/1000)
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

// SplitAuthority splits an HTTP authority into host and port; the port is 0
// when absent or not a number. IPv6 literals keep no brackets.
func SplitAuthority(a string) (string, int64) {
	if a == "" {
		return "", 0
	}
	if a[0] == '[' {
		end := strings.IndexByte(a, ']')
		if end < 0 {
			return a, 0
		}
		host := a[1:end]
		if len(a) > end+2 && a[end+1] == ':' {
			return host, parsePort(a[end+2:])
		}
		return host, 0
	}
	i := strings.LastIndexByte(a, ':')
	if i < 0 || strings.IndexByte(a[:i], ':') >= 0 {
		return a, 0 // no port, or a bare IPv6 address
	}
	if p := parsePort(a[i+1:]); p > 0 {
		return a[:i], p
	}
	return a, 0
}

func parsePort(s string) int64 {
	p, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		return 0
	}
	return int64(p)
}
