package convert

import (
	"cmp"
	"strings"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/otelcol-pan/otelcol-pan/internal/fields"
	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
)

// Local is the identity of the proxy that sent the stream, taken once from
// the node metadata. It fills whichever side of a record is local.
type Local struct {
	ProxyType        string // sidecar, router, waypoint
	Workload         string
	Namespace        string
	App              string
	Version          string
	CanonicalService string
	Cluster          string

	// peers caches decoded peer filter states by their bytes: a stream
	// carries the same few peers over and over, and decoding the Struct is
	// the dearest part of an entry. Per stream, so no lock.
	peers map[string]peerEntry
}

type peerEntry struct {
	peer mesh.Peer
	ok   bool
}

// maxCachedPeers bounds a stream's peer cache; it is emptied when full.
const maxCachedPeers = 1024

// Node holds what a stream's identifier says about its proxy: the resource
// attributes, built once per stream, and the local identity.
type Node struct {
	Resource pcommon.Map
	Local    Local
}

// NewNode reads an Envoy node in either metadata style: current Istio sends
// NAME, NAMESPACE, INSTANCE_IPS, LABELS, WORKLOAD_NAME, OWNER, CLUSTER_ID;
// Istio before 1.3 sent POD_NAME, ISTIO_META_INSTANCE_IPS and the pod labels
// at the top level of the metadata. The node id ("sidecar~IP~pod.ns~ns.svc…")
// fills what the metadata lacks. A nil node gives an empty resource.
func NewNode(node *corev3.Node, logName string) Node {
	n := Node{Resource: pcommon.NewMap()}
	res := n.Resource
	putStr(res, fields.EnvoyAccessLogName, logName)
	if node == nil {
		return n
	}
	md := node.GetMetadata().GetFields()
	putStr(res, fields.EnvoyNodeID, node.GetId())

	idType, idIP, idPod, idNS := mesh.SplitNodeID(node.GetId())
	putStr(res, fields.IstioProxyType, idType)

	pod := cmp.Or(str(md, "NAME"), str(md, "POD_NAME"), idPod)
	ns := cmp.Or(str(md, "NAMESPACE"), idNS, str(md, "CONFIG_NAMESPACE"))
	putStr(res, fields.K8sPodName, pod)
	putStr(res, fields.K8sNamespaceName, ns)
	ips := cmp.Or(str(md, "INSTANCE_IPS"), str(md, "ISTIO_META_INSTANCE_IPS"))
	if i := strings.IndexByte(ips, ','); i >= 0 {
		ips = ips[:i]
	}
	putStr(res, fields.K8sPodIP, cmp.Or(ips, idIP))
	putStr(res, fields.K8sNodeName, str(md, "NODE_NAME"))
	cluster := str(md, "CLUSTER_ID")
	putStr(res, fields.K8sClusterName, cluster)
	putStr(res, fields.IstioMeshID, str(md, "MESH_ID"))
	putStr(res, fields.IstioAppContainers, str(md, "APP_CONTAINERS"))
	if loc := node.GetLocality(); loc != nil {
		putStr(res, fields.CloudRegion, loc.GetRegion())
		putStr(res, fields.CloudAvailZone, loc.GetZone())
	}

	// Labels: the LABELS struct in the current style, the top level in the old.
	labels := md
	if l := md["LABELS"].GetStructValue(); l != nil {
		labels = l.GetFields()
	}
	app := cmp.Or(str(labels, "app.kubernetes.io/name"), str(labels, "app"))
	version := cmp.Or(str(labels, "app.kubernetes.io/version"), str(labels, "version"))
	canonical := cmp.Or(str(labels, "service.istio.io/canonical-name"), app)
	revision := cmp.Or(str(labels, "service.istio.io/canonical-revision"), version)
	putStr(res, fields.ServiceName, canonical)
	putStr(res, fields.ServiceVersion, revision)

	workload := str(md, "WORKLOAD_NAME")
	if kindAttr, name := mesh.OwnerWorkload(str(md, "OWNER")); kindAttr != "" {
		putStr(res, kindAttr, name)
		if workload == "" {
			workload = name
		}
	}
	if workload == "" {
		workload = mesh.WorkloadFromPod(pod, str(labels, "pod-template-hash"))
	}
	putStr(res, fields.IstioWorkloadName, workload)

	n.Local = Local{
		ProxyType:        idType,
		Workload:         workload,
		Namespace:        ns,
		App:              app,
		Version:          version,
		CanonicalService: canonical,
		Cluster:          cluster,
	}
	return n
}

func str(m map[string]*structpb.Value, key string) string {
	return m[key].GetStringValue()
}

func putStr(m pcommon.Map, key, val string) {
	if val != "" {
		m.PutStr(key, val)
	}
}
