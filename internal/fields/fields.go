// Package fields holds the attribute names of the otelcol-pan record
// (docs/record.md documents each; test/docs checks that it does). The
// receiver writes them and the processor and exporter read them, so they live
// in one place: a rename here is a rename everywhere.
package fields

// Event names of the two kinds of Envoy access-log entry.
const (
	EventHTTP = "envoy.access_log.http"
	EventTCP  = "envoy.access_log.tcp"
)

// Resource attributes, set once per ALS stream from the node identifier.
const (
	EnvoyNodeID        = "envoy.node.id"
	EnvoyAccessLogName = "envoy.access_log.name"
	IstioProxyType     = "istio.proxy.type"
	K8sPodName         = "k8s.pod.name"
	K8sNamespaceName   = "k8s.namespace.name"
	K8sPodIP           = "k8s.pod.ip"
	K8sNodeName        = "k8s.node.name"
	K8sClusterName     = "k8s.cluster.name"
	ServiceName        = "service.name"
	ServiceVersion     = "service.version"
	IstioMeshID        = "istio.mesh.id"
	IstioAppContainers = "istio.app_containers"
	IstioWorkloadName  = "istio.workload.name"
	CloudRegion        = "cloud.region"
	CloudAvailZone     = "cloud.availability_zone"
	K8sDeploymentName  = "k8s.deployment.name"
	K8sStatefulSetName = "k8s.statefulset.name"
	K8sDaemonSetName   = "k8s.daemonset.name"
	K8sReplicaSetName  = "k8s.replicaset.name"
	K8sJobName         = "k8s.job.name"
	K8sCronJobName     = "k8s.cronjob.name"
	IstioCanonicalSvc  = "istio.canonical_service"
	IstioCanonicalRev  = "istio.canonical_revision"

	// IstioZtunnelPodName is the ztunnel pod whose log a record came from
	// (ambient mode): the resource of a ztunnel record describes the local
	// workload, as a sidecar's does, and this names the proxy.
	IstioZtunnelPodName = "istio.ztunnel.pod.name"
)

// Record attributes: the request and the connection.
const (
	HTTPRequestMethod      = "http.request.method"
	URLScheme              = "url.scheme"
	URLPath                = "url.path"
	URLQuery               = "url.query"
	ServerAddress          = "server.address"
	ServerPort             = "server.port"
	UserAgentOriginal      = "user_agent.original"
	HTTPRequestHeaderXFF   = "http.request.header.x-forwarded-for"
	HTTPRequestHeaderReqID = "http.request.header.x-request-id"
	HTTPRequestHeaderPfx   = "http.request.header."
	HTTPResponseHeaderPfx  = "http.response.header."
	HTTPResponseStatusCode = "http.response.status_code"
	HTTPRequestBodySize    = "http.request.body.size"
	HTTPResponseBodySize   = "http.response.body.size"
	NetworkProtocolName    = "network.protocol.name"
	NetworkProtocolVersion = "network.protocol.version"
	NetworkTransport       = "network.transport"
	SourceAddress          = "source.address"
	SourcePort             = "source.port"
	DestinationAddress     = "destination.address"
	DestinationPort        = "destination.port"
)

// Record attributes: Envoy's own facts.
const (
	EnvoyUpstreamAddress          = "envoy.upstream.address"
	EnvoyUpstreamPort             = "envoy.upstream.port"
	EnvoyUpstreamCluster          = "envoy.upstream.cluster"
	EnvoyRouteName                = "envoy.route.name"
	EnvoyResponseFlags            = "envoy.response_flags"
	EnvoyResponseCodeDetails      = "envoy.response.code_details"
	EnvoyConnTerminationDetails   = "envoy.connection.termination_details"
	EnvoyUpstreamTransportFailure = "envoy.upstream.transport_failure_reason"
	EnvoyDurationMs               = "envoy.duration_ms"
	EnvoyTCPReceivedBytes         = "envoy.tcp.received_bytes"
	EnvoyTCPSentBytes             = "envoy.tcp.sent_bytes"
)

// Record attributes: the rest of Envoy's AccessLogCommon and HTTP properties.
const (
	EnvoyDownstreamDirectAddress    = "envoy.downstream.direct_remote.address"
	EnvoyDownstreamDirectPort       = "envoy.downstream.direct_remote.port"
	EnvoyUpstreamLocalAddress       = "envoy.upstream.local.address"
	EnvoyUpstreamLocalPort          = "envoy.upstream.local.port"
	EnvoyDownstreamTransportFailure = "envoy.downstream.transport_failure_reason"
	EnvoyAccessLogType              = "envoy.access_log.type"
	EnvoyAccessLogIntermediate      = "envoy.access_log.intermediate"
	EnvoyStreamID                   = "envoy.stream_id"
	EnvoyUpstreamAttemptCount       = "envoy.upstream.request_attempt_count"
	EnvoySampleRate                 = "envoy.sample_rate"
	EnvoyCustomTagPrefix            = "envoy.custom_tag."
	EnvoyFilterMetadataPrefix       = "envoy.filter_metadata."
	EnvoyDownstreamWireBytesSent    = "envoy.downstream.wire_bytes_sent"
	EnvoyDownstreamWireBytesRecv    = "envoy.downstream.wire_bytes_received"
	EnvoyUpstreamWireBytesSent      = "envoy.upstream.wire_bytes_sent"
	EnvoyUpstreamWireBytesRecv      = "envoy.upstream.wire_bytes_received"
	EnvoyOriginalPath               = "envoy.original_path"
	EnvoyRequestHeadersBytes        = "envoy.request.headers_bytes"
	EnvoyResponseHeadersBytes       = "envoy.response.headers_bytes"
	EnvoyUpstreamHeaderBytesSent    = "envoy.upstream.header_bytes_sent"
	EnvoyUpstreamHeaderBytesRecv    = "envoy.upstream.header_bytes_received"
	EnvoyDownstreamHeaderBytesSent  = "envoy.downstream.header_bytes_sent"
	EnvoyDownstreamHeaderBytesRecv  = "envoy.downstream.header_bytes_received"
	HTTPRequestHeaderReferer        = "http.request.header.referer"
	HTTPResponseTrailerPfx          = "http.response.trailer."

	// Envoy's timings, in milliseconds (fractional) from start_time.
	EnvoyTimeToLastRxByte            = "envoy.time_to_last_rx_byte_ms"
	EnvoyTimeToFirstUpstreamTxByte   = "envoy.time_to_first_upstream_tx_byte_ms"
	EnvoyTimeToLastUpstreamTxByte    = "envoy.time_to_last_upstream_tx_byte_ms"
	EnvoyTimeToFirstUpstreamRxByte   = "envoy.time_to_first_upstream_rx_byte_ms"
	EnvoyTimeToLastUpstreamRxByte    = "envoy.time_to_last_upstream_rx_byte_ms"
	EnvoyTimeToFirstDownstreamTxByte = "envoy.time_to_first_downstream_tx_byte_ms"
	EnvoyTimeToLastDownstreamTxByte  = "envoy.time_to_last_downstream_tx_byte_ms"
)

// Record attributes: ztunnel's own account (ambient mode), as it logged it.
const (
	// ztunnel's dst.addr: the address of the connection it made for the
	// source (outbound: the destination pod's or a waypoint's HBONE port
	// 15008, or the destination itself without HBONE) or accepted for the
	// destination (inbound: this pod's HBONE port).
	IstioZtunnelDstAddress = "istio.ztunnel.dst.address"
	IstioZtunnelDstPort    = "istio.ztunnel.dst.port"
	// ztunnel's dst.hbone_addr: the target inside the HBONE tunnel (the
	// workload's own port, or the service address when a waypoint is in
	// the path); absent without HBONE.
	IstioZtunnelHBONEAddress = "istio.ztunnel.hbone.address"
	IstioZtunnelHBONEPort    = "istio.ztunnel.hbone.port"
	// ztunnel's error: why a connection failed or was refused.
	IstioZtunnelError = "istio.ztunnel.error"
)

// HTTPResponseHeaderUpstreamServiceTime is Envoy's
// x-envoy-upstream-service-time response header, which Istio's default
// text format logs.
const HTTPResponseHeaderUpstreamServiceTime = HTTPResponseHeaderPfx + "x-envoy-upstream-service-time"

// Record attributes: TLS.
const (
	TLSEstablished      = "tls.established"
	TLSProtocolVersion  = "tls.protocol.version"
	TLSCipher           = "tls.cipher"
	TLSServerName       = "tls.server.name"
	TLSClientSubject    = "tls.client.subject"
	EnvoyTLSPeerURISAN  = "envoy.tls.peer.uri_sans"
	EnvoyTLSLocalURISAN = "envoy.tls.local.uri_sans"
	EnvoyTLSSessionID   = "envoy.tls.session_id"
)

// Record attributes: mesh identity and the security verdict.
const (
	IstioDirection = "istio.direction"
	IstioMTLS      = "istio.mtls"

	IstioSourcePrefix      = "istio.source."
	IstioDestinationPrefix = "istio.destination."
	// Suffixes under IstioSourcePrefix / IstioDestinationPrefix.
	PeerWorkload         = "workload"
	PeerNamespace        = "namespace"
	PeerPrincipal        = "principal"
	PeerApp              = "app"
	PeerVersion          = "version"
	PeerCanonicalService = "canonical_service"
	PeerCluster          = "cluster"

	// IstioDestinationService is the service host ztunnel resolved the
	// destination to (its dst.service): a Kubernetes service's or a
	// ServiceEntry's host name.
	IstioDestinationService = "istio.destination.service"

	PanAction           = "pan.action"
	PanRule             = "pan.rule"
	PanSessionEndReason = "pan.session_end_reason"
	PanEgress           = "pan.egress"
	PanPrefix           = "pan.prefix"
)

// Source and destination identity attribute names, spelled out so that the
// hot path never concatenates strings.
const (
	IstioSourceWorkload              = IstioSourcePrefix + PeerWorkload
	IstioSourceNamespace             = IstioSourcePrefix + PeerNamespace
	IstioSourcePrincipal             = IstioSourcePrefix + PeerPrincipal
	IstioSourceApp                   = IstioSourcePrefix + PeerApp
	IstioSourceVersion               = IstioSourcePrefix + PeerVersion
	IstioSourceCanonicalService      = IstioSourcePrefix + PeerCanonicalService
	IstioSourceCluster               = IstioSourcePrefix + PeerCluster
	IstioDestinationWorkload         = IstioDestinationPrefix + PeerWorkload
	IstioDestinationNamespace        = IstioDestinationPrefix + PeerNamespace
	IstioDestinationPrincipal        = IstioDestinationPrefix + PeerPrincipal
	IstioDestinationApp              = IstioDestinationPrefix + PeerApp
	IstioDestinationVersion          = IstioDestinationPrefix + PeerVersion
	IstioDestinationCanonicalService = IstioDestinationPrefix + PeerCanonicalService
	IstioDestinationCluster          = IstioDestinationPrefix + PeerCluster
)
