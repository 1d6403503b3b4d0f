// Package meshattr names the log-record attributes of an otelcol-pan record
// (the istioals receiver's output) that the testbed's Istio data provider
// writes and its ALS data sender reads back to build Envoy entries.
//
// The testbed is a separate Go module that tests the built binary from the
// outside, so it spells the names out itself instead of importing the
// distribution's internal packages: a rename there that is not a rename here
// fails the correctness scenarios, which is the point.
package meshattr

// Resource attributes: the identity of the proxy that logs (its node).
const (
	PodName        = "k8s.pod.name"
	Namespace      = "k8s.namespace.name"
	PodIP          = "k8s.pod.ip"
	NodeName       = "k8s.node.name"
	ClusterName    = "k8s.cluster.name"
	DeploymentName = "k8s.deployment.name"
	WorkloadName   = "istio.workload.name"
	ProxyType      = "istio.proxy.type"
	MeshID         = "istio.mesh.id"
	AppContainers  = "istio.app_containers"
	ServiceName    = "service.name"
	ServiceVersion = "service.version"
	CloudRegion    = "cloud.region"
	CloudZone      = "cloud.availability_zone"
)

// Record attributes: the connection.
const (
	SourceAddress        = "source.address"
	SourcePort           = "source.port"
	DestinationAddress   = "destination.address"
	DestinationPort      = "destination.port"
	UpstreamAddress      = "envoy.upstream.address"
	UpstreamPort         = "envoy.upstream.port"
	UpstreamLocalAddress = "envoy.upstream.local.address"
	UpstreamLocalPort    = "envoy.upstream.local.port"
	UpstreamCluster      = "envoy.upstream.cluster"
	RouteName            = "envoy.route.name"
	ResponseFlags        = "envoy.response_flags"
	ResponseCodeDetails  = "envoy.response.code_details"
	TerminationDetails   = "envoy.connection.termination_details"
	DurationMs           = "envoy.duration_ms"
	TCPReceivedBytes     = "envoy.tcp.received_bytes"
	TCPSentBytes         = "envoy.tcp.sent_bytes"
	NetworkTransport     = "network.transport"
	ProtocolName         = "network.protocol.name"
	ProtocolVersion      = "network.protocol.version"
)

// Record attributes: the HTTP request.
const (
	HTTPMethod       = "http.request.method"
	URLScheme        = "url.scheme"
	URLPath          = "url.path"
	URLQuery         = "url.query"
	ServerAddress    = "server.address"
	ServerPort       = "server.port"
	UserAgent        = "user_agent.original"
	RequestID        = "http.request.header.x-request-id"
	StatusCode       = "http.response.status_code"
	RequestBodySize  = "http.request.body.size"
	ResponseBodySize = "http.response.body.size"
)

// Record attributes: TLS.
const (
	TLSServerName   = "tls.server.name"
	TLSVersion      = "tls.protocol.version"
	TLSPeerURISANs  = "envoy.tls.peer.uri_sans"
	TLSLocalURISANs = "envoy.tls.local.uri_sans"
)

// Record attributes: mesh identity and the verdict.
const (
	Direction = "istio.direction"
	MTLS      = "istio.mtls"

	SourceWorkload         = "istio.source.workload"
	SourceNamespace        = "istio.source.namespace"
	SourcePrincipal        = "istio.source.principal"
	SourceApp              = "istio.source.app"
	SourceVersion          = "istio.source.version"
	SourceCanonicalService = "istio.source.canonical_service"
	SourceCluster          = "istio.source.cluster"

	DestinationWorkload         = "istio.destination.workload"
	DestinationNamespace        = "istio.destination.namespace"
	DestinationPrincipal        = "istio.destination.principal"
	DestinationApp              = "istio.destination.app"
	DestinationVersion          = "istio.destination.version"
	DestinationCanonicalService = "istio.destination.canonical_service"
	DestinationCluster          = "istio.destination.cluster"

	Action           = "pan.action"
	Rule             = "pan.rule"
	SessionEndReason = "pan.session_end_reason"
	Egress           = "pan.egress"
)

// Event names of the two kinds of entry.
const (
	EventHTTP = "envoy.access_log.http"
	EventTCP  = "envoy.access_log.tcp"
)
