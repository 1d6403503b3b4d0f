package datasenders

import (
	"fmt"
	"strings"
	"sync"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	datav3 "github.com/envoyproxy/go-control-plane/envoy/data/accesslog/v3"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/otelcol-pan/otelcol-pan/test/testbed/meshattr"
)

// The entry builders are the inverse of the istioals receiver: from the log
// record the receiver must produce, the Envoy entry that a sidecar would
// have logged for it.

func httpEntry(lr plog.LogRecord) (*datav3.HTTPAccessLogEntry, error) {
	a := lr.Attributes()
	c, err := common(lr)
	if err != nil {
		return nil, err
	}
	// Envoy's per-phase timings, spread over the request's duration.
	if ms, ok := attrInt(a, meshattr.DurationMs); ok && ms > 0 {
		d := time.Duration(ms) * time.Millisecond
		c.TimeToLastRxByte = durationpb.New(d / 50)
		c.TimeToFirstUpstreamTxByte = durationpb.New(d / 20)
		c.TimeToFirstUpstreamRxByte = durationpb.New(d * 8 / 10)
		c.TimeToLastDownstreamTxByte = durationpb.New(d)
	}
	method, ok := corev3.RequestMethod_value[attrStr(a, meshattr.HTTPMethod)]
	if !ok {
		return nil, fmt.Errorf("unknown HTTP method %q", attrStr(a, meshattr.HTTPMethod))
	}
	authority := attrStr(a, meshattr.ServerAddress)
	if port, ok := attrInt(a, meshattr.ServerPort); ok {
		authority = fmt.Sprintf("%s:%d", authority, port)
	}
	path := attrStr(a, meshattr.URLPath)
	if q := attrStr(a, meshattr.URLQuery); q != "" {
		path += "?" + q
	}
	reqBody, _ := attrInt(a, meshattr.RequestBodySize)
	e := &datav3.HTTPAccessLogEntry{
		CommonProperties: c,
		ProtocolVersion:  datav3.HTTPAccessLogEntry_HTTP11,
		Request: &datav3.HTTPRequestProperties{
			RequestMethod:       corev3.RequestMethod(method),
			Scheme:              attrStr(a, meshattr.URLScheme),
			Authority:           authority,
			Path:                path,
			UserAgent:           attrStr(a, meshattr.UserAgent),
			RequestId:           attrStr(a, meshattr.RequestID),
			RequestHeadersBytes: 480,
			RequestBodyBytes:    uint64(reqBody),
		},
	}
	if attrStr(a, meshattr.ProtocolVersion) == "2" {
		e.ProtocolVersion = datav3.HTTPAccessLogEntry_HTTP2
	}
	if status, ok := attrInt(a, meshattr.StatusCode); ok {
		body, _ := attrInt(a, meshattr.ResponseBodySize)
		e.Response = &datav3.HTTPResponseProperties{
			ResponseCode:         wrapperspb.UInt32(uint32(status)),
			ResponseHeadersBytes: 160,
			ResponseBodyBytes:    uint64(body),
			ResponseCodeDetails:  attrStr(a, meshattr.ResponseCodeDetails),
		}
	}
	return e, nil
}

func tcpEntry(lr plog.LogRecord) (*datav3.TCPAccessLogEntry, error) {
	a := lr.Attributes()
	c, err := common(lr)
	if err != nil {
		return nil, err
	}
	c.AccessLogType = datav3.AccessLogType_TcpConnectionEnd
	c.ConnectionTerminationDetails = attrStr(a, meshattr.TerminationDetails)
	e := &datav3.TCPAccessLogEntry{CommonProperties: c}
	if recv, ok := attrInt(a, meshattr.TCPReceivedBytes); ok {
		sent, _ := attrInt(a, meshattr.TCPSentBytes)
		e.ConnectionProperties = &datav3.ConnectionProperties{ReceivedBytes: uint64(recv), SentBytes: uint64(sent)}
	}
	return e, nil
}

func common(lr plog.LogRecord) (*datav3.AccessLogCommon, error) {
	a := lr.Attributes()
	flags, err := responseFlags(attrStr(a, meshattr.ResponseFlags))
	if err != nil {
		return nil, err
	}
	c := &datav3.AccessLogCommon{
		DownstreamRemoteAddress: sockAddr(a, meshattr.SourceAddress, meshattr.SourcePort),
		DownstreamLocalAddress:  sockAddr(a, meshattr.DestinationAddress, meshattr.DestinationPort),
		UpstreamRemoteAddress:   sockAddr(a, meshattr.UpstreamAddress, meshattr.UpstreamPort),
		UpstreamLocalAddress:    sockAddr(a, meshattr.UpstreamLocalAddress, meshattr.UpstreamLocalPort),
		StartTime:               timestamppb.New(lr.Timestamp().AsTime()),
		UpstreamCluster:         attrStr(a, meshattr.UpstreamCluster),
		RouteName:               attrStr(a, meshattr.RouteName),
		ResponseFlags:           flags,
		TlsProperties:           tlsProperties(a),
		AccessLogType:           datav3.AccessLogType_DownstreamEnd,
	}
	if ms, ok := attrInt(a, meshattr.DurationMs); ok {
		c.Duration = durationpb.New(time.Duration(ms) * time.Millisecond)
	}
	// The remote peer, as Istio's metadata exchange leaves it in the filter
	// state: the client for inbound traffic, the server for outbound (none
	// for a host outside the mesh).
	if attrStr(a, meshattr.Direction) == "inbound" {
		if p := peerState(a, "istio.source."); p != nil {
			c.FilterStateObjects = map[string]*anypb.Any{"downstream_peer": p}
		}
	} else if p := peerState(a, "istio.destination."); p != nil {
		c.FilterStateObjects = map[string]*anypb.Any{"upstream_peer": p}
	}
	return c, nil
}

func sockAddr(a pcommon.Map, addrKey, portKey string) *corev3.Address {
	addr := attrStr(a, addrKey)
	if addr == "" {
		return nil
	}
	port, _ := attrInt(a, portKey)
	return &corev3.Address{Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{
		Address: addr, PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: uint32(port)},
	}}}
}

// tlsProperties: an mTLS session Envoy terminated (version, cipher, both
// certificates' SPIFFE URIs), or only the SNI of TLS it passed through.
func tlsProperties(a pcommon.Map) *datav3.TLSProperties {
	sni, version := attrStr(a, meshattr.TLSServerName), attrStr(a, meshattr.TLSVersion)
	peer, local := firstOf(a, meshattr.TLSPeerURISANs), firstOf(a, meshattr.TLSLocalURISANs)
	if sni == "" && version == "" && peer == "" && local == "" {
		return nil
	}
	t := &datav3.TLSProperties{TlsSniHostname: sni}
	if version == "1.3" {
		t.TlsVersion = datav3.TLSProperties_TLSv1_3
		t.TlsCipherSuite = wrapperspb.UInt32(0x1301) // TLS_AES_128_GCM_SHA256
	}
	if peer != "" {
		t.PeerCertificateProperties = certificate(peer)
	}
	if local != "" {
		t.LocalCertificateProperties = certificate(local)
	}
	return t
}

func certificate(uri string) *datav3.TLSProperties_CertificateProperties {
	return &datav3.TLSProperties_CertificateProperties{
		SubjectAltName: []*datav3.TLSProperties_CertificateProperties_SubjectAltName{
			{San: &datav3.TLSProperties_CertificateProperties_SubjectAltName_Uri{Uri: uri}},
		},
	}
}

func firstOf(a pcommon.Map, k string) string {
	v, ok := a.Get(k)
	if !ok || v.Type() != pcommon.ValueTypeSlice || v.Slice().Len() == 0 {
		return ""
	}
	return v.Slice().At(0).AsString()
}

// responseFlags sets Envoy's flags from their short codes; the codes the
// provider uses are enough.
func responseFlags(codes string) (*datav3.ResponseFlags, error) {
	f := &datav3.ResponseFlags{}
	if codes == "" {
		return f, nil
	}
	m := f.ProtoReflect()
	for _, code := range strings.Split(codes, ",") {
		fd := m.Descriptor().Fields().ByName(flagFields[code])
		if fd == nil {
			return nil, fmt.Errorf("response flag %q is not supported by the ALS sender", code)
		}
		m.Set(fd, protoreflect.ValueOfBool(true))
	}
	return f, nil
}

// flagFields are the ResponseFlags fields of the short codes the provider
// uses.
var flagFields = map[string]protoreflect.Name{
	"DC": "downstream_connection_termination", "DR": "downstream_remote_reset", "UF": "upstream_connection_failure",
	"UC": "upstream_connection_termination", "UH": "no_healthy_upstream", "UT": "upstream_request_timeout", "NR": "no_route_found",
}

// peerStates caches each peer's filter state: Envoy logs the same bytes for
// the same peer, and building them is the sender's dearest step.
var peerStates sync.Map

// peerState is the peer's workload metadata as a google.protobuf.Struct with
// the lower-case keys a sidecar's metadata exchange writes, or nil when the
// record names no such peer.
func peerState(a pcommon.Map, prefix string) *anypb.Any {
	workload := attrStr(a, prefix+"workload")
	if workload == "" {
		return nil
	}
	fields := map[string]any{
		"workload":  workload,
		"namespace": attrStr(a, prefix+"namespace"),
		"app":       attrStr(a, prefix+"app"),
		"version":   attrStr(a, prefix+"version"),
		"service":   attrStr(a, prefix+"canonical_service"),
		"revision":  attrStr(a, prefix+"version"),
		"cluster":   attrStr(a, prefix+"cluster"),
		"identity":  attrStr(a, prefix+"principal"),
		"type":      "deployment",
	}
	key := fmt.Sprint(fields["workload"], "|", fields["namespace"], "|", fields["identity"], "|", fields["app"], "|", fields["version"], "|", fields["service"], "|", fields["cluster"])
	if v, ok := peerStates.Load(key); ok {
		return v.(*anypb.Any)
	}
	s, err := structpb.NewStruct(fields)
	if err != nil {
		return nil
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(s)
	if err != nil {
		return nil
	}
	v := &anypb.Any{TypeUrl: "type.googleapis.com/google.protobuf.Struct", Value: b}
	peerStates.Store(key, v)
	return v
}
