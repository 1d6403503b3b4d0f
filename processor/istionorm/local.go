package istionorm // import "github.com/otelcol-pan/otelcol-pan/processor/istionorm"

import (
	"cmp"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-pan/otelcol-pan/internal/fields"
	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
)

// local is the proxy's own workload, as the resource of an envoyOtelAls
// record describes it. Istio (1.20 on) sends an empty resource; the
// k8s_attributes processor, finding the pod by the connection, fills in the
// pod, its namespace and owner, and the labels it is told to extract
// (k8s.pod.labels.<label>); Istio before 1.20 sent Envoy's node id as
// node_name.
type local struct {
	read      bool
	known     bool
	proxyType string
	peer      mesh.Peer
}

// k8s_attributes extracts a pod's labels as k8s.pod.labels.<label>, or
// k8s.pod.label.<label> with its feature gate
// processor.k8sattributes.EmitV1K8sConventions. These name a workload's
// app, version and canonical service, as Istio reads them.
var labelPrefixes = [...]string{"k8s.pod.labels.", "k8s.pod.label."}

const (
	labelApp          = "app"
	labelAppName      = "app.kubernetes.io/name"
	labelVersion      = "version"
	labelAppVersion   = "app.kubernetes.io/version"
	labelCanonical    = "service.istio.io/canonical-name"
	labelTemplateHash = "pod-template-hash"
	// envoyNodeName is the resource attribute Envoy's built-in labels
	// put the node id under.
	envoyNodeName = "node_name"
)

// localOf reads the local workload of res, once per resource.
func (s *scratch) localOf(res pcommon.Map) *local {
	l := &s.local
	if l.read {
		return l
	}
	l.read = true
	if res.Len() == 0 {
		return l
	}
	get := func(k string) string { return strAttr(res, k) }
	label := func(k string) string {
		for _, p := range labelPrefixes {
			if v := get(p + k); v != "" {
				return v
			}
		}
		return ""
	}
	pod, ns := get(fields.K8sPodName), get(fields.K8sNamespaceName)
	l.proxyType = get(fields.IstioProxyType)
	if typ, _, idPod, idNS := mesh.SplitNodeID(get(envoyNodeName)); typ != "" {
		l.proxyType = cmp.Or(l.proxyType, typ)
		pod, ns = cmp.Or(pod, idPod), cmp.Or(ns, idNS)
	}
	workload := cmp.Or(get(fields.IstioWorkloadName), get(fields.K8sDeploymentName), get(fields.K8sStatefulSetName),
		get(fields.K8sDaemonSetName), get(fields.K8sCronJobName), get(fields.K8sJobName))
	if workload == "" {
		workload = mesh.WorkloadFromPod(pod, label(labelTemplateHash))
	}
	app := cmp.Or(label(labelAppName), label(labelApp))
	l.peer = mesh.Peer{
		Workload:         workload,
		Namespace:        ns,
		App:              app,
		Version:          cmp.Or(label(labelAppVersion), label(labelVersion)),
		CanonicalService: cmp.Or(label(labelCanonical), app),
		Cluster:          get(fields.K8sClusterName),
	}
	l.known = workload != "" || ns != ""
	return l
}
