package istionorm // import "github.com/otelcol-pan/otelcol-pan/processor/istionorm"

import (
	"maps"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-pan/otelcol-pan/processor/istionorm/internal/envoytext"
)

// The filter-state labels under which Istio's metadata exchange leaves the
// peers' workload metadata, as JSON (%FILTER_STATE(upstream_peer)%).
const (
	labelDownstreamPeer = "downstream_peer"
	labelUpstreamPeer   = "upstream_peer"
)

// istioLabels are the names of Istio's JSON access-log format
// (EnvoyJSONLogFormatIstio), the ones Istio's documentation gives an
// envoyOtelAls provider's logFormat.labels, with the Envoy command of each;
// and the two peers.
var istioLabels = map[string]string{
	"start_time":                        "%START_TIME%",
	"method":                            "%REQ(:METHOD)%",
	"path":                              "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
	"protocol":                          "%PROTOCOL%",
	"response_code":                     "%RESPONSE_CODE%",
	"response_flags":                    "%RESPONSE_FLAGS%",
	"response_code_details":             "%RESPONSE_CODE_DETAILS%",
	"connection_termination_details":    "%CONNECTION_TERMINATION_DETAILS%",
	"upstream_transport_failure_reason": "%UPSTREAM_TRANSPORT_FAILURE_REASON%",
	"bytes_received":                    "%BYTES_RECEIVED%",
	"bytes_sent":                        "%BYTES_SENT%",
	"duration":                          "%DURATION%",
	"upstream_service_time":             "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%",
	"x_forwarded_for":                   "%REQ(X-FORWARDED-FOR)%",
	"user_agent":                        "%REQ(USER-AGENT)%",
	"request_id":                        "%REQ(X-REQUEST-ID)%",
	"authority":                         "%REQ(:AUTHORITY)%",
	"upstream_host":                     "%UPSTREAM_HOST%",
	"upstream_cluster":                  "%UPSTREAM_CLUSTER_RAW%",
	"upstream_local_address":            "%UPSTREAM_LOCAL_ADDRESS%",
	"downstream_local_address":          "%DOWNSTREAM_LOCAL_ADDRESS%",
	"downstream_remote_address":         "%DOWNSTREAM_REMOTE_ADDRESS%",
	"requested_server_name":             "%REQUESTED_SERVER_NAME%",
	"route_name":                        "%ROUTE_NAME%",
	labelDownstreamPeer:                 "%FILTER_STATE(downstream_peer)%",
	labelUpstreamPeer:                   "%FILTER_STATE(upstream_peer)%",
}

// IstioLabels returns the labels the processor reads from an envoyOtelAls
// record, each with the Envoy command Istio's JSON format gives it: what a
// provider's logFormat.labels should hold.
func IstioLabels() map[string]string { return maps.Clone(istioLabels) }

// labelField is where a label's value goes in an entry; nil for the peers
// and for attributes that are not Istio's labels.
func labelField(e *envoytext.Entry, name string) *string {
	switch name {
	case "start_time":
		return &e.StartTime
	case "method":
		return &e.Method
	case "path":
		return &e.Path
	case "protocol":
		return &e.Protocol
	case "response_code":
		return &e.ResponseCode
	case "response_flags":
		return &e.ResponseFlags
	case "response_code_details":
		return &e.ResponseCodeDetails
	case "connection_termination_details":
		return &e.ConnectionTerminationDetails
	case "upstream_transport_failure_reason":
		return &e.UpstreamTransportFailureReason
	case "bytes_received":
		return &e.BytesReceived
	case "bytes_sent":
		return &e.BytesSent
	case "duration":
		return &e.Duration
	case "upstream_service_time":
		return &e.UpstreamServiceTime
	case "x_forwarded_for":
		return &e.XForwardedFor
	case "user_agent":
		return &e.UserAgent
	case "request_id":
		return &e.RequestID
	case "authority":
		return &e.Authority
	case "upstream_host":
		return &e.UpstreamHost
	case "upstream_cluster":
		return &e.UpstreamCluster
	case "upstream_local_address":
		return &e.UpstreamLocalAddress
	case "downstream_local_address":
		return &e.DownstreamLocalAddress
	case "downstream_remote_address":
		return &e.DownstreamRemoteAddress
	case "requested_server_name":
		return &e.RequestedServerName
	case "route_name":
		return &e.RouteName
	}
	return nil
}

// isIstioLabel says whether an attribute is one the processor consumes.
func isIstioLabel(k string, _ pcommon.Value) bool {
	_, ok := istioLabels[k]
	return ok
}

// hasIstioLabels recognises a record whose attributes are Istio's labels:
// the start time, and one of the addresses or the cluster Envoy always has.
func hasIstioLabels(attrs pcommon.Map) bool {
	if _, ok := attrs.Get("start_time"); !ok {
		return false
	}
	for _, k := range [...]string{"downstream_remote_address", "upstream_cluster", "response_code"} {
		if _, ok := attrs.Get(k); ok {
			return true
		}
	}
	return false
}

// labelsEntry reads Istio's labels into e: every value a string, Envoy's
// "-" for a value it does not have read as absent. It says whether the
// response flags were among them.
func labelsEntry(attrs pcommon.Map, e *envoytext.Entry) (hasFlags bool) {
	*e = envoytext.Entry{}
	attrs.Range(func(k string, v pcommon.Value) bool {
		if p := labelField(e, k); p != nil {
			if s := v.AsString(); s != "-" {
				*p = s
			}
			hasFlags = hasFlags || k == "response_flags"
		}
		return true
	})
	return hasFlags
}
