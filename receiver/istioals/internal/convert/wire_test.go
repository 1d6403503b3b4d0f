package convert

import (
	"strings"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	datav3 "github.com/envoyproxy/go-control-plane/envoy/data/accesslog/v3"
	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
)

func desc(m proto.Message) protoreflect.MessageDescriptor { return m.ProtoReflect().Descriptor() }

// wireType is how a field of the descriptor's kind travels.
func wireType(fd protoreflect.FieldDescriptor) protowire.Type {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.StringKind, protoreflect.BytesKind:
		return protowire.BytesType
	case protoreflect.DoubleKind, protoreflect.Fixed64Kind, protoreflect.Sfixed64Kind:
		return protowire.Fixed64Type
	case protoreflect.FloatKind, protoreflect.Fixed32Kind, protoreflect.Sfixed32Kind:
		return protowire.Fixed32Type
	}
	return protowire.VarintType
}

// field finds a field of m by name, or fails.
func field(t *testing.T, m protoreflect.MessageDescriptor, name string) protoreflect.FieldDescriptor {
	t.Helper()
	fd := m.Fields().ByName(protoreflect.Name(name))
	require.NotNil(t, fd, "%s has no field %s", m.FullName(), name)
	return fd
}

// Every field number the wire decoder reads is the one go-control-plane's
// generated descriptors give that field, as the decoder expects it on the wire.
func TestWireFieldsMatchEnvoyDescriptors(t *testing.T) {
	var (
		msg     = desc(&accesslogv3.StreamAccessLogsMessage{})
		entries = desc(&accesslogv3.StreamAccessLogsMessage_HTTPAccessLogEntries{})
		tcpList = desc(&accesslogv3.StreamAccessLogsMessage_TCPAccessLogEntries{})
		httpE   = desc(&datav3.HTTPAccessLogEntry{})
		tcpE    = desc(&datav3.TCPAccessLogEntry{})
		conn    = desc(&datav3.ConnectionProperties{})
		common  = desc(&datav3.AccessLogCommon{})
		flags   = desc(&datav3.ResponseFlags{})
		addr    = desc(&corev3.Address{})
		sock    = desc(&corev3.SocketAddress{})
		pipe    = desc(&corev3.Pipe{})
		ts      = desc(&timestamppb.Timestamp{})
		dur     = desc(&durationpb.Duration{})
		u32     = desc(&wrapperspb.UInt32Value{})
		anyD    = desc(&anypb.Any{})
		tlsP    = desc(&datav3.TLSProperties{})
		cert    = desc(&datav3.TLSProperties_CertificateProperties{})
		san     = desc(&datav3.TLSProperties_CertificateProperties_SubjectAltName{})
		req     = desc(&datav3.HTTPRequestProperties{})
		resp    = desc(&datav3.HTTPResponseProperties{})
	)
	const (
		bytes  = protowire.BytesType
		varint = protowire.VarintType
		fixed  = protowire.Fixed64Type
	)
	for _, f := range []struct {
		m    protoreflect.MessageDescriptor
		name string
		num  protowire.Number
		wire protowire.Type
	}{
		{msg, "identifier", fMsgIdentifier, bytes},
		{msg, "http_logs", fMsgHTTPLogs, bytes},
		{msg, "tcp_logs", fMsgTCPLogs, bytes},
		{entries, "log_entry", fEntriesLogEntry, bytes},
		{tcpList, "log_entry", fEntriesLogEntry, bytes},
		{httpE, "common_properties", fHTTPCommonProperties, bytes},
		{httpE, "protocol_version", fHTTPProtocolVersion, varint},
		{httpE, "request", fHTTPRequest, bytes},
		{httpE, "response", fHTTPResponse, bytes},
		{tcpE, "common_properties", fTCPCommonProperties, bytes},
		{tcpE, "connection_properties", fTCPConnectionProperties, bytes},
		{conn, "received_bytes", fConnReceivedBytes, varint},
		{conn, "sent_bytes", fConnSentBytes, varint},

		{common, "sample_rate", fSampleRate, fixed},
		{common, "downstream_remote_address", fDownstreamRemoteAddress, bytes},
		{common, "downstream_local_address", fDownstreamLocalAddress, bytes},
		{common, "tls_properties", fTLSProperties, bytes},
		{common, "start_time", fStartTime, bytes},
		{common, "time_to_last_rx_byte", fTimeToLastRxByte, bytes},
		{common, "time_to_last_downstream_tx_byte", fTimeToLastDownstreamTxByte, bytes},
		{common, "upstream_remote_address", fUpstreamRemoteAddress, bytes},
		{common, "upstream_local_address", fUpstreamLocalAddress, bytes},
		{common, "upstream_cluster", fUpstreamCluster, bytes},
		{common, "response_flags", fResponseFlags, bytes},
		{common, "metadata", fMetadata, bytes},
		{common, "upstream_transport_failure_reason", fUpstreamTransportFailureReason, bytes},
		{common, "route_name", fRouteName, bytes},
		{common, "downstream_direct_remote_address", fDownstreamDirectRemoteAddress, bytes},
		{common, "filter_state_objects", fFilterStateObjects, bytes},
		{common, "custom_tags", fCustomTags, bytes},
		{common, "duration", fDuration, bytes},
		{common, "upstream_request_attempt_count", fUpstreamRequestAttemptCount, varint},
		{common, "connection_termination_details", fConnectionTerminationDetails, bytes},
		{common, "stream_id", fStreamID, bytes},
		{common, "intermediate_log_entry", fIntermediateLogEntry, varint},
		{common, "downstream_transport_failure_reason", fDownstreamTransportFailureReason, bytes},
		{common, "downstream_wire_bytes_sent", fDownstreamWireBytesSent, varint},
		{common, "upstream_wire_bytes_received", fUpstreamWireBytesReceived, varint},
		{common, "access_log_type", fAccessLogType, varint},
		{flags, "unauthorized_details", fUnauthorizedDetails, bytes},

		{addr, "socket_address", fAddrSocketAddress, bytes},
		{addr, "pipe", fAddrPipe, bytes},
		{sock, "address", fSocketAddress, bytes},
		{sock, "port_value", fSocketPortValue, varint},
		{pipe, "path", fPipePath, bytes},
		{ts, "seconds", fSeconds, varint},
		{ts, "nanos", fNanos, varint},
		{dur, "seconds", fSeconds, varint},
		{dur, "nanos", fNanos, varint},
		{u32, "value", fWrapperValue, varint},
		{anyD, "type_url", fAnyTypeURL, bytes},
		{anyD, "value", fAnyValue, bytes},

		{tlsP, "tls_version", fTLSVersion, varint},
		{tlsP, "tls_cipher_suite", fTLSCipherSuite, bytes},
		{tlsP, "tls_sni_hostname", fTLSSNIHostname, bytes},
		{tlsP, "local_certificate_properties", fTLSLocalCertificateProperties, bytes},
		{tlsP, "peer_certificate_properties", fTLSPeerCertificateProperties, bytes},
		{tlsP, "tls_session_id", fTLSSessionID, bytes},
		{cert, "subject_alt_name", fCertSubjectAltName, bytes},
		{cert, "subject", fCertSubject, bytes},
		{san, "uri", fSANURI, bytes},

		{req, "request_method", fReqMethod, varint},
		{req, "scheme", fReqScheme, bytes},
		{req, "authority", fReqAuthority, bytes},
		{req, "port", fReqPort, bytes},
		{req, "path", fReqPath, bytes},
		{req, "user_agent", fReqUserAgent, bytes},
		{req, "referer", fReqReferer, bytes},
		{req, "forwarded_for", fReqForwardedFor, bytes},
		{req, "request_id", fReqRequestID, bytes},
		{req, "original_path", fReqOriginalPath, bytes},
		{req, "request_headers_bytes", fReqHeadersBytes, varint},
		{req, "request_body_bytes", fReqBodyBytes, varint},
		{req, "request_headers", fReqHeaders, bytes},
		{req, "upstream_header_bytes_sent", fReqUpstreamHeaderBytesSent, varint},
		{req, "downstream_header_bytes_received", fReqDownstreamHeaderBytesReceived, varint},

		{resp, "response_code", fRespCode, bytes},
		{resp, "response_headers_bytes", fRespHeadersBytes, varint},
		{resp, "response_body_bytes", fRespBodyBytes, varint},
		{resp, "response_headers", fRespHeaders, bytes},
		{resp, "response_trailers", fRespTrailers, bytes},
		{resp, "response_code_details", fRespCodeDetails, bytes},
		{resp, "upstream_header_bytes_received", fRespUpstreamHeaderBytesReceived, varint},
		{resp, "downstream_header_bytes_sent", fRespDownstreamHeaderBytesSent, varint},
	} {
		fd := field(t, f.m, f.name)
		assert.Equal(t, f.num, fd.Number(), "%s.%s", f.m.FullName(), f.name)
		assert.Equal(t, f.wire, wireType(fd), "%s.%s travels as another wire type", f.m.FullName(), f.name)
	}

	// Maps: their entries are {key, value}.
	for _, m := range []struct {
		m    protoreflect.MessageDescriptor
		name string
	}{{common, "filter_state_objects"}, {common, "custom_tags"}, {req, "request_headers"}, {resp, "response_headers"}, {resp, "response_trailers"}} {
		fd := field(t, m.m, m.name)
		require.True(t, fd.IsMap(), "%s is a map", m.name)
		assert.Equal(t, fMapKey, fd.MapKey().Number())
		assert.Equal(t, fMapValue, fd.MapValue().Number())
	}

	// The runs the decoder reads by offset: the seven timings, the four
	// wire byte counters.
	timings := []string{
		"time_to_last_rx_byte", "time_to_first_upstream_tx_byte", "time_to_last_upstream_tx_byte", "time_to_first_upstream_rx_byte",
		"time_to_last_upstream_rx_byte", "time_to_first_downstream_tx_byte", "time_to_last_downstream_tx_byte",
	}
	require.Len(t, timings, numTimings)
	for i, name := range timings {
		assert.Equal(t, fTimeToLastRxByte+protowire.Number(i), field(t, common, name).Number(), name)
		assert.Equal(t, "envoy."+name+"_ms", timingKeys[i], "timing %d is written under its own name", i)
	}
	for i, name := range []string{"downstream_wire_bytes_sent", "downstream_wire_bytes_received", "upstream_wire_bytes_sent", "upstream_wire_bytes_received"} {
		assert.Equal(t, fDownstreamWireBytesSent+protowire.Number(i), field(t, common, name).Number(), name)
		assert.Equal(t, "envoy."+strings.Replace(name, "_", ".", 1), wireByteKeys[i], "counter %d is written under its own name", i)
	}

	// Response flags: each field of ResponseFlags is the flag of its name.
	flagFields := map[mesh.Flags]string{
		mesh.FlagFailedLocalHealthcheck: "failed_local_healthcheck", mesh.FlagNoHealthyUpstream: "no_healthy_upstream",
		mesh.FlagUpstreamRequestTimeout: "upstream_request_timeout", mesh.FlagLocalReset: "local_reset",
		mesh.FlagUpstreamRemoteReset: "upstream_remote_reset", mesh.FlagUpstreamConnectionFailure: "upstream_connection_failure",
		mesh.FlagUpstreamConnectionTermination: "upstream_connection_termination", mesh.FlagUpstreamOverflow: "upstream_overflow",
		mesh.FlagNoRouteFound: "no_route_found", mesh.FlagDelayInjected: "delay_injected", mesh.FlagFaultInjected: "fault_injected",
		mesh.FlagRateLimited: "rate_limited", mesh.FlagUnauthorized: "unauthorized_details",
		mesh.FlagRateLimitServiceError:           "rate_limit_service_error",
		mesh.FlagDownstreamConnectionTermination: "downstream_connection_termination",
		mesh.FlagUpstreamRetryLimitExceeded:      "upstream_retry_limit_exceeded", mesh.FlagStreamIdleTimeout: "stream_idle_timeout",
		mesh.FlagInvalidEnvoyRequestHeaders: "invalid_envoy_request_headers", mesh.FlagDownstreamProtocolError: "downstream_protocol_error",
		mesh.FlagUpstreamMaxStreamDurationReached: "upstream_max_stream_duration_reached",
		mesh.FlagResponseFromCacheFilter:          "response_from_cache_filter", mesh.FlagNoFilterConfigFound: "no_filter_config_found",
		mesh.FlagDurationTimeout: "duration_timeout", mesh.FlagUpstreamProtocolError: "upstream_protocol_error",
		mesh.FlagNoClusterFound: "no_cluster_found", mesh.FlagOverloadManager: "overload_manager",
		mesh.FlagDNSResolutionFailure: "dns_resolution_failure", mesh.FlagDownstreamRemoteReset: "downstream_remote_reset",
	}
	require.Len(t, flagFields, len(responseFlagByField)-1)
	for flag, name := range flagFields {
		fd := field(t, flags, name)
		require.Less(t, int(fd.Number()), len(responseFlagByField), name)
		assert.Equal(t, flag, responseFlagByField[fd.Number()], "ResponseFlags.%s is field %d", name, fd.Number())
		if flag != mesh.FlagUnauthorized {
			assert.Equal(t, protoreflect.BoolKind, fd.Kind(), name)
		}
	}
	assert.Len(t, flagFields, flags.Fields().Len(), "every field of ResponseFlags is a known flag")
}
