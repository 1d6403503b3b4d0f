package convert

import "google.golang.org/protobuf/encoding/protowire"

// Field numbers of the ALS v3 messages the wire decoder reads
// (envoy/service/accesslog/v3/als.proto, envoy/data/accesslog/v3/accesslog.proto,
// envoy/config/core/v3/address.proto and the well-known types), named as in
// the protos. wire_test.go checks every one against go-control-plane's
// generated descriptors, so a renumbering upstream fails a test instead of
// being read as another field.
const (
	// StreamAccessLogsMessage
	fMsgIdentifier protowire.Number = 1
	fMsgHTTPLogs   protowire.Number = 2
	fMsgTCPLogs    protowire.Number = 3
	// HTTPAccessLogEntries, TCPAccessLogEntries
	fEntriesLogEntry protowire.Number = 1

	// HTTPAccessLogEntry
	fHTTPCommonProperties protowire.Number = 1
	fHTTPProtocolVersion  protowire.Number = 2
	fHTTPRequest          protowire.Number = 3
	fHTTPResponse         protowire.Number = 4
	// TCPAccessLogEntry
	fTCPCommonProperties     protowire.Number = 1
	fTCPConnectionProperties protowire.Number = 2
	// ConnectionProperties
	fConnReceivedBytes protowire.Number = 1
	fConnSentBytes     protowire.Number = 2

	// AccessLogCommon
	fSampleRate                       protowire.Number = 1
	fDownstreamRemoteAddress          protowire.Number = 2
	fDownstreamLocalAddress           protowire.Number = 3
	fTLSProperties                    protowire.Number = 4
	fStartTime                        protowire.Number = 5
	fTimeToLastRxByte                 protowire.Number = 6 // the first of numTimings durations
	fTimeToLastDownstreamTxByte       protowire.Number = 12
	fUpstreamRemoteAddress            protowire.Number = 13
	fUpstreamLocalAddress             protowire.Number = 14
	fUpstreamCluster                  protowire.Number = 15
	fResponseFlags                    protowire.Number = 16
	fMetadata                         protowire.Number = 17
	fUpstreamTransportFailureReason   protowire.Number = 18
	fRouteName                        protowire.Number = 19
	fDownstreamDirectRemoteAddress    protowire.Number = 20
	fFilterStateObjects               protowire.Number = 21
	fCustomTags                       protowire.Number = 22
	fDuration                         protowire.Number = 23
	fUpstreamRequestAttemptCount      protowire.Number = 24
	fConnectionTerminationDetails     protowire.Number = 25
	fStreamID                         protowire.Number = 26
	fIntermediateLogEntry             protowire.Number = 27
	fDownstreamTransportFailureReason protowire.Number = 28
	fDownstreamWireBytesSent          protowire.Number = 29 // the first of the four wire byte counters
	fUpstreamWireBytesReceived        protowire.Number = 32
	fAccessLogType                    protowire.Number = 33

	// ResponseFlags: the flags are fields 1 to 28 (responseFlagByField),
	// all bools but this one, a message set when present.
	fUnauthorizedDetails protowire.Number = 13

	// Address
	fAddrSocketAddress protowire.Number = 1
	fAddrPipe          protowire.Number = 2
	// SocketAddress
	fSocketAddress   protowire.Number = 2
	fSocketPortValue protowire.Number = 3
	// Pipe
	fPipePath protowire.Number = 1

	// google.protobuf.Timestamp and Duration
	fSeconds protowire.Number = 1
	fNanos   protowire.Number = 2
	// google.protobuf.UInt32Value
	fWrapperValue protowire.Number = 1
	// google.protobuf.Any
	fAnyTypeURL protowire.Number = 1
	fAnyValue   protowire.Number = 2
	// the entry of any map<string, …>
	fMapKey   protowire.Number = 1
	fMapValue protowire.Number = 2

	// TLSProperties
	fTLSVersion                    protowire.Number = 1
	fTLSCipherSuite                protowire.Number = 2
	fTLSSNIHostname                protowire.Number = 3
	fTLSLocalCertificateProperties protowire.Number = 4
	fTLSPeerCertificateProperties  protowire.Number = 5
	fTLSSessionID                  protowire.Number = 6
	// CertificateProperties
	fCertSubjectAltName protowire.Number = 1
	fCertSubject        protowire.Number = 2
	// SubjectAltName
	fSANURI protowire.Number = 1

	// HTTPRequestProperties
	fReqMethod                        protowire.Number = 1
	fReqScheme                        protowire.Number = 2
	fReqAuthority                     protowire.Number = 3
	fReqPort                          protowire.Number = 4
	fReqPath                          protowire.Number = 5
	fReqUserAgent                     protowire.Number = 6
	fReqReferer                       protowire.Number = 7
	fReqForwardedFor                  protowire.Number = 8
	fReqRequestID                     protowire.Number = 9
	fReqOriginalPath                  protowire.Number = 10
	fReqHeadersBytes                  protowire.Number = 11
	fReqBodyBytes                     protowire.Number = 12
	fReqHeaders                       protowire.Number = 13
	fReqUpstreamHeaderBytesSent       protowire.Number = 14
	fReqDownstreamHeaderBytesReceived protowire.Number = 15

	// HTTPResponseProperties
	fRespCode                        protowire.Number = 1
	fRespHeadersBytes                protowire.Number = 2
	fRespBodyBytes                   protowire.Number = 3
	fRespHeaders                     protowire.Number = 4
	fRespTrailers                    protowire.Number = 5
	fRespCodeDetails                 protowire.Number = 6
	fRespUpstreamHeaderBytesReceived protowire.Number = 7
	fRespDownstreamHeaderBytesSent   protowire.Number = 8
)
