package datasenders

import (
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/otelcol-pan/otelcol-pan/test/testbed/meshattr"
)

// The log names of Istio's envoyHttpAls and envoyTcpAls providers: a sidecar
// runs one access logger, so one ALS stream, for each.
const (
	httpLogName = "http_envoy_accesslog"
	tcpLogName  = "tcp_envoy_accesslog"
)

// identifier is what a current Istio sidecar sends on the first message of
// a stream: its node, with the proxy metadata istio-agent sets (NAME,
// NAMESPACE, INSTANCE_IPS, WORKLOAD_NAME, OWNER, LABELS, …), built from the
// pod's resource attributes.
func identifier(res pcommon.Map, logName string) *accesslogv3.StreamAccessLogsMessage_Identifier {
	pod, ns, ip := attrStr(res, meshattr.PodName), attrStr(res, meshattr.Namespace), attrStr(res, meshattr.PodIP)
	app, version := attrStr(res, meshattr.ServiceName), attrStr(res, meshattr.ServiceVersion)
	deployment := attrStr(res, meshattr.DeploymentName)
	labels, _ := structpb.NewStruct(map[string]any{
		"app":                                 app,
		"version":                             version,
		"service.istio.io/canonical-name":     app,
		"service.istio.io/canonical-revision": version,
		"security.istio.io/tlsMode":           "istio",
	})
	md, _ := structpb.NewStruct(map[string]any{
		"NAME":            pod,
		"NAMESPACE":       ns,
		"INSTANCE_IPS":    ip,
		"WORKLOAD_NAME":   attrStr(res, meshattr.WorkloadName),
		"OWNER":           "kubernetes://apis/apps/v1/namespaces/" + ns + "/deployments/" + deployment,
		"CLUSTER_ID":      attrStr(res, meshattr.ClusterName),
		"MESH_ID":         attrStr(res, meshattr.MeshID),
		"APP_CONTAINERS":  attrStr(res, meshattr.AppContainers),
		"NODE_NAME":       attrStr(res, meshattr.NodeName),
		"SERVICE_ACCOUNT": app,
		"ISTIO_VERSION":   "1.27.1",
	})
	md.Fields["LABELS"] = structpb.NewStructValue(labels)
	return &accesslogv3.StreamAccessLogsMessage_Identifier{
		Node: &corev3.Node{
			Id:       "sidecar~" + ip + "~" + pod + "." + ns + "~" + ns + ".svc.cluster.local",
			Cluster:  deployment + "." + ns,
			Metadata: md,
			Locality: &corev3.Locality{Region: attrStr(res, meshattr.CloudRegion), Zone: attrStr(res, meshattr.CloudZone)},
		},
		LogName: logName,
	}
}

func attrStr(m pcommon.Map, k string) string {
	if v, ok := m.Get(k); ok {
		return v.AsString()
	}
	return ""
}

func attrInt(m pcommon.Map, k string) (int64, bool) {
	v, ok := m.Get(k)
	if !ok || v.Type() != pcommon.ValueTypeInt {
		return 0, false
	}
	return v.Int(), true
}
