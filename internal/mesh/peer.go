package mesh // import "github.com/otelcol-pan/otelcol-pan/internal/mesh"

import (
	"cmp"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-pan/otelcol-pan/internal/fields"
)

// Peer is one side's identity, as written to istio.source.* or
// istio.destination.*.
type Peer struct {
	Workload         string
	Namespace        string
	Principal        string
	App              string
	Version          string
	CanonicalService string
	Cluster          string
}

// Empty reports a peer nothing is known about.
func (p *Peer) Empty() bool { return *p == Peer{} }

// Metadata is Istio's workload metadata about a peer, however a source
// carries it: a google.protobuf.Struct in ALS filter state, a JSON object in
// an OpenTelemetry attribute. Str returns a top-level string ("" when absent
// or not a string), Has whether a top-level key is present at all, and Label
// a string under LABELS.
type Metadata interface {
	Str(key string) string
	Has(key string) bool
	Label(key string) string
}

// PeerFrom reads a peer from Istio's workload metadata in either style that
// Istio's metadata exchange leaves in the downstream_peer and upstream_peer
// filter state: sidecars write the workload metadata object with lower-case
// keys (workload, namespace, identity, app, version, service, cluster);
// waypoints and older proxies the node-metadata style with upper-case keys
// (WORKLOAD_NAME, NAMESPACE, CLUSTER_ID, LABELS, OWNER). ok is false when
// nothing was learnt.
func PeerFrom(md Metadata) (p Peer, ok bool) {
	if md.Has("NAMESPACE") || md.Has("WORKLOAD_NAME") || md.Has("LABELS") {
		p = Peer{
			Workload:         md.Str("WORKLOAD_NAME"),
			Namespace:        md.Str("NAMESPACE"),
			Principal:        NormalizeSPIFFE(cmp.Or(md.Str("IDENTITY"), md.Str("SPIFFE_ID"))),
			App:              cmp.Or(md.Label("app.kubernetes.io/name"), md.Label("app")),
			Version:          cmp.Or(md.Label("app.kubernetes.io/version"), md.Label("version")),
			CanonicalService: md.Label("service.istio.io/canonical-name"),
			Cluster:          md.Str("CLUSTER_ID"),
		}
		if p.Workload == "" {
			if _, name := OwnerWorkload(md.Str("OWNER")); name != "" {
				p.Workload = name
			}
		}
	} else {
		p = Peer{
			Workload:         md.Str("workload"),
			Namespace:        md.Str("namespace"),
			Principal:        NormalizeSPIFFE(md.Str("identity")),
			App:              md.Str("app"),
			Version:          md.Str("version"),
			CanonicalService: md.Str("service"),
			Cluster:          md.Str("cluster"),
		}
	}
	if p.CanonicalService == "" {
		p.CanonicalService = p.App
	}
	return p, !p.Empty()
}

// peerKeys are the attributes of each side's identity (istio.source.* and
// istio.destination.*), in the order of Peer.values.
var peerKeys = [2][7]string{
	{
		fields.IstioSourceWorkload, fields.IstioSourceNamespace, fields.IstioSourcePrincipal, fields.IstioSourceApp,
		fields.IstioSourceVersion, fields.IstioSourceCanonicalService, fields.IstioSourceCluster,
	},
	{
		fields.IstioDestinationWorkload, fields.IstioDestinationNamespace, fields.IstioDestinationPrincipal, fields.IstioDestinationApp,
		fields.IstioDestinationVersion, fields.IstioDestinationCanonicalService, fields.IstioDestinationCluster,
	},
}

func (p *Peer) values() [7]string {
	return [7]string{p.Workload, p.Namespace, p.Principal, p.App, p.Version, p.CanonicalService, p.Cluster}
}

// Put writes one side's identity, the source's or the destination's; what
// is unknown stays absent.
func (p *Peer) Put(attrs pcommon.Map, destination bool) {
	keys := &peerKeys[0]
	if destination {
		keys = &peerKeys[1]
	}
	for i, v := range p.values() {
		if v != "" {
			attrs.PutStr(keys[i], v)
		}
	}
}

// OwnerWorkload reads Istio's OWNER metadata
// ("kubernetes://apis/apps/v1/namespaces/ns/deployments/name") into the
// semantic-convention attribute for that kind (k8s.deployment.name, …) and
// the owner's name; both "" when it names no workload kind.
func OwnerWorkload(owner string) (attr, name string) {
	const marker = "/namespaces/"
	i := strings.Index(owner, marker)
	if i < 0 {
		return "", ""
	}
	rest := strings.Split(owner[i+len(marker):], "/") // ns, kind, name
	if len(rest) != 3 || rest[2] == "" {
		return "", ""
	}
	attr, ok := ownerKinds[rest[1]]
	if !ok {
		return "", ""
	}
	return attr, rest[2]
}

// ownerKinds maps the resource of an OWNER to its name's attribute.
var ownerKinds = map[string]string{
	"deployments": fields.K8sDeploymentName, "statefulsets": fields.K8sStatefulSetName, "daemonsets": fields.K8sDaemonSetName,
	"replicasets": fields.K8sReplicaSetName, "jobs": fields.K8sJobName, "cronjobs": fields.K8sCronJobName,
}

// WorkloadFromPod derives a Deployment's name from its pod's name: a
// Deployment pod is named "<deployment>-<replicaset hash>-<suffix>", both
// generated parts drawn from Kubernetes' safe alphabet. The
// pod-template-hash label is tried first when known (older clusters encoded
// it differently from the name); otherwise the name's shape decides, and a
// name of another shape (a StatefulSet's "db-0", a bare pod) gives "".
func WorkloadFromPod(pod, templateHash string) string {
	if pod == "" {
		return ""
	}
	if templateHash != "" {
		if i := strings.Index(pod, "-"+templateHash+"-"); i > 0 {
			return pod[:i]
		}
	}
	last := strings.LastIndexByte(pod, '-')
	if last <= 0 || !isSafeName(pod[last+1:], 5, 5) {
		return ""
	}
	prev := strings.LastIndexByte(pod[:last], '-')
	if prev <= 0 || !isSafeName(pod[prev+1:last], 6, 10) {
		return ""
	}
	return pod[:prev]
}

// isSafeName reports whether s is n..m characters of the alphabet that
// Kubernetes uses for generated names (no vowels, no 0/1/3).
func isSafeName(s string, n, m int) bool {
	if len(s) < n || len(s) > m {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune("bcdfghjklmnpqrstvwxz2456789", rune(s[i])) {
			return false
		}
	}
	return true
}
