package istionorm // import "github.com/otelcol-pan/otelcol-pan/processor/istionorm"

import (
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-pan/otelcol-pan/internal/fields"
	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
	"github.com/otelcol-pan/otelcol-pan/processor/istionorm/internal/envoytext"
)

// envoy turns a record of Istio's OpenTelemetry provider, read into e (from
// the text body or from the labels), into the record, in place. Every
// attribute has the name and type the istioals receiver gives the same
// fact; what Envoy wrote as "-" stays absent. hasFlags says Envoy logged its
// response flags (none set is still evidence).
func (n *normalizer) envoy(lr plog.LogRecord, e *envoytext.Entry, hasFlags bool, res pcommon.Map, s *scratch) {
	// The receiver's records are observed when it converts them; Envoy's
	// OpenTelemetry logger sends no observed time, so the collector's first
	// sight of the record is now.
	if lr.ObservedTimestamp() == 0 {
		lr.SetObservedTimestamp(s.now)
	}
	attrs := lr.Attributes()
	dsPeer, dsOK := s.peers.get(attrs, labelDownstreamPeer)
	usPeer, usOK := s.peers.get(attrs, labelUpstreamPeer)
	attrs.RemoveIf(isIstioLabel)
	isHTTP := strings.HasPrefix(e.Protocol, "HTTP") || e.Method != ""
	// Room for a full record with both peers: about 45 attributes for
	// HTTP, 30 for TCP.
	if isHTTP {
		attrs.EnsureCapacity(attrs.Len() + 48)
	} else {
		attrs.EnsureCapacity(attrs.Len() + 32)
	}
	clearBody(lr)
	if isHTTP {
		lr.SetEventName(fields.EventHTTP)
	} else {
		lr.SetEventName(fields.EventTCP)
	}
	if t, err := time.Parse(time.RFC3339Nano, e.StartTime); err == nil {
		lr.SetTimestamp(pcommon.NewTimestampFromTime(t))
	}

	putHostPort(attrs, fields.SourceAddress, fields.SourcePort, e.DownstreamRemoteAddress)
	putHostPort(attrs, fields.DestinationAddress, fields.DestinationPort, e.DownstreamLocalAddress)
	putHostPort(attrs, fields.EnvoyUpstreamAddress, fields.EnvoyUpstreamPort, e.UpstreamHost)
	putHostPort(attrs, fields.EnvoyUpstreamLocalAddress, fields.EnvoyUpstreamLocalPort, e.UpstreamLocalAddress)
	putStr(attrs, fields.EnvoyUpstreamCluster, e.UpstreamCluster)
	putStr(attrs, fields.EnvoyRouteName, e.RouteName)
	putStr(attrs, fields.EnvoyConnTerminationDetails, e.ConnectionTerminationDetails)
	putStr(attrs, fields.EnvoyUpstreamTransportFailure, e.UpstreamTransportFailureReason)
	putStr(attrs, fields.EnvoyResponseFlags, e.ResponseFlags)
	if d, ok := parseCount(e.Duration); ok {
		attrs.PutInt(fields.EnvoyDurationMs, d)
	}
	putStr(attrs, fields.TLSServerName, e.RequestedServerName)

	codeDetails := ""
	if isHTTP {
		codeDetails = e.ResponseCodeDetails
		n.envoyHTTP(attrs, e)
	} else {
		attrs.PutStr(fields.NetworkTransport, "tcp")
		if v, ok := parseCount(e.BytesReceived); ok {
			attrs.PutInt(fields.EnvoyTCPReceivedBytes, v)
		}
		if v, ok := parseCount(e.BytesSent); ok {
			attrs.PutInt(fields.EnvoyTCPSentBytes, v)
		}
	}

	ev := mesh.Evidence{
		Cluster:            e.UpstreamCluster,
		Route:              e.RouteName,
		CodeDetails:        codeDetails,
		TerminationDetails: e.ConnectionTerminationDetails,
		UpstreamFailure:    e.UpstreamTransportFailureReason,
		Flags:              mesh.ParseFlags(e.ResponseFlags),
		HasFlags:           hasFlags,
	}
	facts := n.domains.Classify(&ev)
	facts.Put(attrs)

	// Both identities, as the receiver finds them: the source is the
	// downstream peer, else the proxy's own workload when it originated
	// the traffic; the destination is the proxy's own workload for inbound
	// traffic, else the upstream peer. A waypoint is neither end.
	loc := s.localOf(res)
	waypoint := loc.proxyType == mesh.ProxyWaypoint || mesh.IsWaypointCluster(e.UpstreamCluster)
	var src, dst mesh.Peer
	switch {
	case dsOK:
		src = dsPeer
	case loc.known && !waypoint && facts.Direction == mesh.Outbound:
		src = loc.peer
	}
	switch {
	case facts.Direction == mesh.Inbound && loc.known && !waypoint:
		dst = loc.peer
	case usOK:
		dst = usPeer
		if dst.Namespace == "" {
			dst.Namespace = mesh.SPIFFENamespace(dst.Principal)
		}
	}
	src.Put(attrs, false)
	dst.Put(attrs, true)
	// mTLS: the text and the labels carry no TLS session, but an inbound
	// connection from another sidecar over Istio's mutual TLS asks for the
	// SNI Istio gives its clusters; plaintext asks for none.
	if facts.Direction == mesh.Inbound && !waypoint {
		attrs.PutBool(fields.IstioMTLS, mesh.IsIstioMTLSServerName(e.RequestedServerName))
	}
}

func (n *normalizer) envoyHTTP(attrs pcommon.Map, e *envoytext.Entry) {
	if version, ok := strings.CutPrefix(e.Protocol, "HTTP/"); ok {
		transport := "tcp"
		if version == "3" {
			transport = "udp"
		}
		attrs.PutStr(fields.NetworkProtocolName, "http")
		attrs.PutStr(fields.NetworkProtocolVersion, version)
		attrs.PutStr(fields.NetworkTransport, transport)
	}
	putStr(attrs, fields.HTTPRequestMethod, e.Method)
	if p := e.Path; p != "" {
		if path, query, ok := strings.Cut(p, "?"); ok {
			attrs.PutStr(fields.URLPath, path)
			attrs.PutStr(fields.URLQuery, query)
		} else {
			attrs.PutStr(fields.URLPath, p)
		}
	}
	if e.Authority != "" {
		host, port := mesh.SplitHostPort(e.Authority)
		putStr(attrs, fields.ServerAddress, host)
		if port != 0 {
			attrs.PutInt(fields.ServerPort, int64(port))
		}
	}
	putStr(attrs, fields.UserAgentOriginal, e.UserAgent)
	putStr(attrs, fields.HTTPRequestHeaderXFF, e.XForwardedFor)
	putStr(attrs, fields.HTTPRequestHeaderReqID, e.RequestID)
	if v, ok := parseCount(e.BytesReceived); ok {
		attrs.PutInt(fields.HTTPRequestBodySize, v)
	}
	// Envoy writes 0 when no response was sent (a reset before it).
	if code, err := strconv.Atoi(e.ResponseCode); err == nil && code > 0 {
		attrs.PutInt(fields.HTTPResponseStatusCode, int64(code))
	}
	if v, ok := parseCount(e.BytesSent); ok {
		attrs.PutInt(fields.HTTPResponseBodySize, v)
	}
	putStr(attrs, fields.EnvoyResponseCodeDetails, e.ResponseCodeDetails)
	putStr(attrs, fields.HTTPResponseHeaderUpstreamServiceTime, e.UpstreamServiceTime)
}
