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

// HTTP appends one record per HTTP entry to lrs.
func HTTP(entries []*datav3.HTTPAccessLogEntry, local *Local, observed pcommon.Timestamp, lrs plog.LogRecordSlice) {
	lrs.EnsureCapacity(lrs.Len() + len(entries))
	for _, e := range entries {
		if e == nil {
			continue
		}
		lr := lrs.AppendEmpty()
		lr.SetObservedTimestamp(observed)
		lr.SetEventName(fields.EventHTTP)
		attrs := lr.Attributes()
		attrs.EnsureCapacity(40)
		common(e.GetCommonProperties(), local, lr, attrs)
		httpProps(e, attrs)
		if d := e.GetCommonProperties().GetDuration(); d == nil {
			// Envoys before 1.29 have no duration field; the last byte sent
			// downstream is when the request ended.
			putDuration(attrs, e.GetCommonProperties().GetTimeToLastDownstreamTxByte())
		}
	}
}

// TCP appends one record per TCP entry to lrs.
func TCP(entries []*datav3.TCPAccessLogEntry, local *Local, observed pcommon.Timestamp, lrs plog.LogRecordSlice) {
	lrs.EnsureCapacity(lrs.Len() + len(entries))
	for _, e := range entries {
		if e == nil {
			continue
		}
		lr := lrs.AppendEmpty()
		lr.SetObservedTimestamp(observed)
		lr.SetEventName(fields.EventTCP)
		attrs := lr.Attributes()
		attrs.EnsureCapacity(32)
		common(e.GetCommonProperties(), local, lr, attrs)
		attrs.PutStr(fields.NetworkTransport, "tcp")
		if cp := e.GetConnectionProperties(); cp != nil {
			attrs.PutInt(fields.EnvoyTCPReceivedBytes, int64(cp.GetReceivedBytes()))
			attrs.PutInt(fields.EnvoyTCPSentBytes, int64(cp.GetSentBytes()))
		}
	}
}

func common(c *datav3.AccessLogCommon, local *Local, lr plog.LogRecord, attrs pcommon.Map) {
	if c == nil {
		return
	}
	if ts := c.GetStartTime(); ts != nil {
		lr.SetTimestamp(pcommon.Timestamp(uint64(ts.GetSeconds())*uint64(time.Second) + uint64(ts.GetNanos())))
	}
	putAddr(attrs, fields.SourceAddress, fields.SourcePort, c.GetDownstreamRemoteAddress())
	putAddr(attrs, fields.DestinationAddress, fields.DestinationPort, c.GetDownstreamLocalAddress())
	putAddr(attrs, fields.EnvoyUpstreamAddress, fields.EnvoyUpstreamPort, c.GetUpstreamRemoteAddress())
	cluster := c.GetUpstreamCluster()
	putStr(attrs, fields.EnvoyUpstreamCluster, cluster)
	putStr(attrs, fields.EnvoyRouteName, c.GetRouteName())
	if f := c.GetResponseFlags(); f != nil {
		putStr(attrs, fields.EnvoyResponseFlags, ResponseFlags(f))
	}
	putStr(attrs, fields.EnvoyConnTerminationDetails, c.GetConnectionTerminationDetails())
	putStr(attrs, fields.EnvoyUpstreamTransportFailure, c.GetUpstreamTransportFailureReason())
	if d := c.GetDuration(); d != nil {
		putDuration(attrs, d)
	}
	tlsProps(c.GetTlsProperties(), attrs)

	dir := Direction(cluster)
	putStr(attrs, fields.IstioDirection, dir)
	if local != nil {
		switch dir {
		case "inbound":
			putLocal(attrs, local, true)
		case "outbound":
			putLocal(attrs, local, false)
		}
	}
}

// putLocal writes the proxy's own identity on the side it plays: the
// destination of inbound traffic, the source of outbound traffic.
func putLocal(attrs pcommon.Map, l *Local, destination bool) {
	if destination {
		putStr(attrs, fields.IstioDestinationWorkload, l.Workload)
		putStr(attrs, fields.IstioDestinationNamespace, l.Namespace)
		putStr(attrs, fields.IstioDestinationApp, l.App)
		putStr(attrs, fields.IstioDestinationVersion, l.Version)
		putStr(attrs, fields.IstioDestinationCanonicalService, l.CanonicalService)
		putStr(attrs, fields.IstioDestinationCluster, l.Cluster)
		return
	}
	putStr(attrs, fields.IstioSourceWorkload, l.Workload)
	putStr(attrs, fields.IstioSourceNamespace, l.Namespace)
	putStr(attrs, fields.IstioSourceApp, l.App)
	putStr(attrs, fields.IstioSourceVersion, l.Version)
	putStr(attrs, fields.IstioSourceCanonicalService, l.CanonicalService)
	putStr(attrs, fields.IstioSourceCluster, l.Cluster)
}

// Direction reads the traffic direction from Istio's cluster naming:
// "inbound|port|subset|host", "outbound|port|subset|host", and the special
// passthrough and black-hole clusters.
func Direction(cluster string) string {
	switch {
	case strings.HasPrefix(cluster, "inbound|"), cluster == "InboundPassthroughCluster",
		cluster == "InboundPassthroughClusterIpv4", cluster == "InboundPassthroughClusterIpv6":
		return "inbound"
	case strings.HasPrefix(cluster, "outbound|"), cluster == "PassthroughCluster", cluster == "BlackHoleCluster":
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
		if host, port := SplitAuthority(req.GetAuthority()); host != "" {
			attrs.PutStr(fields.ServerAddress, host)
			if port > 0 {
				attrs.PutInt(fields.ServerPort, port)
			}
		}
		putStr(attrs, fields.UserAgentOriginal, req.GetUserAgent())
		putStr(attrs, fields.HTTPRequestHeaderXFF, req.GetForwardedFor())
		putStr(attrs, fields.HTTPRequestHeaderReqID, req.GetRequestId())
		attrs.PutInt(fields.HTTPRequestBodySize, int64(req.GetRequestBodyBytes()))
	}
	if resp := e.GetResponse(); resp != nil {
		if rc := resp.GetResponseCode(); rc != nil {
			attrs.PutInt(fields.HTTPResponseStatusCode, int64(rc.GetValue()))
		}
		attrs.PutInt(fields.HTTPResponseBodySize, int64(resp.GetResponseBodyBytes()))
		putStr(attrs, fields.EnvoyResponseCodeDetails, resp.GetResponseCodeDetails())
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
		attrs.PutStr(fields.TLSCipher, tls.CipherSuiteName(uint16(cs.GetValue())))
	}
	putStr(attrs, fields.TLSServerName, t.GetTlsSniHostname())
	if peer := t.GetPeerCertificateProperties(); peer != nil {
		putStr(attrs, fields.TLSClientSubject, peer.GetSubject())
		var sans pcommon.Slice
		for _, san := range peer.GetSubjectAltName() {
			if uri := san.GetUri(); uri != "" {
				if sans == (pcommon.Slice{}) {
					sans = attrs.PutEmptySlice(fields.EnvoyTLSPeerURISAN)
				}
				sans.AppendEmpty().SetStr(uri)
			}
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
