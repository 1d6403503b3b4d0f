package dataproviders

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-pan/otelcol-pan/test/testbed/meshattr"
)

// The generated log records are the records the istioals receiver must
// produce for the entries: the load generator hands them to the ALS data
// sender, which turns them back into what Envoy would have sent.

// putResource writes the pod's identity, which the ALS sender turns into the
// node of the stream's identifier.
func putResource(res pcommon.Map, pod Pod) {
	res.PutStr(meshattr.PodName, pod.Name)
	res.PutStr(meshattr.Namespace, pod.Namespace)
	res.PutStr(meshattr.PodIP, pod.IP)
	res.PutStr(meshattr.NodeName, pod.Node)
	res.PutStr(meshattr.ClusterName, kubeCluster)
	res.PutStr(meshattr.DeploymentName, pod.Workload)
	res.PutStr(meshattr.WorkloadName, pod.Workload)
	res.PutStr(meshattr.ProxyType, "sidecar")
	res.PutStr(meshattr.MeshID, trustDomain)
	res.PutStr(meshattr.AppContainers, pod.App)
	res.PutStr(meshattr.ServiceName, pod.App)
	res.PutStr(meshattr.ServiceVersion, pod.Version)
	res.PutStr(meshattr.CloudRegion, "europe-west4")
	res.PutStr(meshattr.CloudZone, "europe-west4-b")
}

// putRecord writes the entry as a log record.
func (e *Entry) putRecord(lr plog.LogRecord) {
	lr.SetTimestamp(pcommon.NewTimestampFromTime(e.Start))
	a := lr.Attributes()
	a.EnsureCapacity(48)
	putStr(a, meshattr.SourceAddress, e.SrcAddr)
	putInt(a, meshattr.SourcePort, int64(e.SrcPort))
	putStr(a, meshattr.DestinationAddress, e.DstAddr)
	putInt(a, meshattr.DestinationPort, int64(e.DstPort))
	putStr(a, meshattr.UpstreamAddress, e.UpstreamAddr)
	putInt(a, meshattr.UpstreamPort, int64(e.UpstreamPort))
	putStr(a, meshattr.UpstreamLocalAddress, e.UpstreamLocalAddr)
	putInt(a, meshattr.UpstreamLocalPort, int64(e.UpstreamLocalPort))
	putStr(a, meshattr.UpstreamCluster, e.Cluster)
	putStr(a, meshattr.RouteName, e.Route)
	putStr(a, meshattr.ResponseFlags, e.ResponseFlags)
	a.PutInt(meshattr.DurationMs, e.DurationMs)
	a.PutStr(meshattr.NetworkTransport, "tcp")

	if e.HTTP {
		lr.SetEventName(meshattr.EventHTTP)
		a.PutStr(meshattr.ProtocolName, "http")
		a.PutStr(meshattr.ProtocolVersion, e.ProtocolVersion)
		a.PutStr(meshattr.HTTPMethod, e.Method)
		a.PutStr(meshattr.URLScheme, "http")
		a.PutStr(meshattr.URLPath, e.Path)
		putStr(a, meshattr.URLQuery, e.Query)
		a.PutStr(meshattr.ServerAddress, e.Host())
		if _, port, ok := cutPort(e.Authority); ok {
			a.PutInt(meshattr.ServerPort, port)
		}
		a.PutStr(meshattr.UserAgent, e.UserAgent)
		a.PutStr(meshattr.RequestID, e.RequestID)
		a.PutInt(meshattr.RequestBodySize, e.RequestBytes)
		if e.Status != 0 {
			a.PutInt(meshattr.StatusCode, int64(e.Status))
			a.PutInt(meshattr.ResponseBodySize, e.ResponseBytes)
			putStr(a, meshattr.ResponseCodeDetails, e.CodeDetails)
		}
	} else {
		lr.SetEventName(meshattr.EventTCP)
		if e.HasConnBytes {
			a.PutInt(meshattr.TCPReceivedBytes, e.ReceivedTCP)
			a.PutInt(meshattr.TCPSentBytes, e.SentTCP)
		}
		putStr(a, meshattr.TerminationDetails, e.TermDetails)
	}

	putStr(a, meshattr.TLSServerName, e.SNI)
	putStr(a, meshattr.TLSVersion, e.TLSVersion)
	if e.PeerURISAN != "" {
		a.PutEmptySlice(meshattr.TLSPeerURISANs).AppendEmpty().SetStr(e.PeerURISAN)
	}
	if e.LocalURISAN != "" {
		a.PutEmptySlice(meshattr.TLSLocalURISANs).AppendEmpty().SetStr(e.LocalURISAN)
	}

	a.PutStr(meshattr.Direction, e.Direction)
	putPeer(a, &e.Source, meshattr.SourceWorkload, meshattr.SourceNamespace, meshattr.SourcePrincipal,
		meshattr.SourceApp, meshattr.SourceVersion, meshattr.SourceCanonicalService, meshattr.SourceCluster)
	putPeer(a, &e.Destination, meshattr.DestinationWorkload, meshattr.DestinationNamespace, meshattr.DestinationPrincipal,
		meshattr.DestinationApp, meshattr.DestinationVersion, meshattr.DestinationCanonicalService, meshattr.DestinationCluster)
	if v, ok := e.MTLS(); ok {
		a.PutBool(meshattr.MTLS, v)
	}
	a.PutStr(meshattr.Action, e.Action)
	putStr(a, meshattr.Rule, e.Rule)
	a.PutStr(meshattr.SessionEndReason, e.EndReason)
	a.PutBool(meshattr.Egress, e.Egress)
}

func putPeer(a pcommon.Map, p *Peer, workload, namespace, principal, app, version, canonical, cluster string) {
	putStr(a, workload, p.Workload)
	putStr(a, namespace, p.Namespace)
	putStr(a, principal, p.Principal)
	putStr(a, app, p.App)
	putStr(a, version, p.Version)
	putStr(a, canonical, p.App) // the canonical-name label is the app's
	putStr(a, cluster, p.Cluster)
}

func putStr(a pcommon.Map, k, v string) {
	if v != "" {
		a.PutStr(k, v)
	}
}

func putInt(a pcommon.Map, k string, v int64) {
	if v != 0 {
		a.PutInt(k, v)
	}
}

// cutPort splits "host:port".
func cutPort(authority string) (string, int64, bool) {
	for i := len(authority) - 1; i >= 0; i-- {
		if authority[i] == ':' {
			var p int64
			for _, c := range authority[i+1:] {
				if c < '0' || c > '9' {
					return authority, 0, false
				}
				p = p*10 + int64(c-'0')
			}
			return authority[:i], p, true
		}
	}
	return authority, 0, false
}
