package istionorm // import "github.com/otelcol-pan/otelcol-pan/processor/istionorm"

import (
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-pan/otelcol-pan/internal/fields"
	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
	"github.com/otelcol-pan/otelcol-pan/processor/istionorm/internal/ztunnel"
)

// ztunnel's messages for a finished connection: complete (info, or error
// with an error field), and refused before it was set up (warn).
const (
	ztComplete = "connection complete"
	ztFailed   = "connection failed"
)

// isConnection says whether a ztunnel line is the account of one connection.
func isConnection(l *ztunnel.Line) bool {
	return l.IsAccess() && (l.Message == ztComplete || l.Message == ztFailed)
}

// ztLine holds the fields of an access line the record reads, picked out in
// one pass (the format is unstable upstream: fields are read by key, and
// keys it does not know are left).
type ztLine struct {
	srcAddr, srcWorkload, srcNamespace, srcIdentity, srcCluster                       string
	dstAddr, dstHBONE, dstService, dstWorkload, dstNamespace, dstIdentity, dstCluster string
	direction, bytesSent, bytesRecv, duration, err                                    string
}

func (z *ztLine) read(l *ztunnel.Line) {
	for i := range l.Fields {
		f := &l.Fields[i]
		var p *string
		switch f.Key {
		case "src.addr":
			p = &z.srcAddr
		case "src.workload":
			p = &z.srcWorkload
		case "src.namespace":
			p = &z.srcNamespace
		case "src.identity":
			p = &z.srcIdentity
		case "src.cluster":
			p = &z.srcCluster
		case "dst.addr":
			p = &z.dstAddr
		case "dst.hbone_addr":
			p = &z.dstHBONE
		case "dst.service":
			p = &z.dstService
		case "dst.workload":
			p = &z.dstWorkload
		case "dst.namespace":
			p = &z.dstNamespace
		case "dst.identity":
			p = &z.dstIdentity
		case "dst.cluster":
			p = &z.dstCluster
		case "direction":
			p = &z.direction
		case "bytes_sent":
			p = &z.bytesSent
		case "bytes_recv":
			p = &z.bytesRecv
		case "duration":
			p = &z.duration
		case "error":
			p = &z.err
		default:
			continue
		}
		*p = f.Value
	}
}

// groupKey is the workload a ztunnel record was logged for: its ztunnel's
// own side of the connection (the source's for outbound, the
// destination's for inbound), and what the record keeps of the resource it
// arrived with.
type groupKey struct {
	pod, namespace, ip, cluster string
	resourceInfo
}

// resourceInfo is what a ztunnel record keeps of the resource it arrived
// with (file_log's, describing the ztunnel pod): the node, which is also its
// workload's, and the ztunnel pod's name.
type resourceInfo struct {
	node, ztunnelPod string
}

func (s *scratch) resInfo(res pcommon.Map) resourceInfo {
	if !s.resRead {
		s.res = resourceInfo{node: strAttr(res, fields.K8sNodeName), ztunnelPod: strAttr(res, fields.K8sPodName)}
		s.resRead = true
	}
	return s.res
}

// put writes the resource of a ztunnel group: the workload, as a sidecar's
// stream describes its own pod, with istio.proxy.type ztunnel.
func (k *groupKey) put(res pcommon.Map) {
	res.PutStr(fields.IstioProxyType, mesh.ProxyZtunnel)
	putStr(res, fields.K8sPodName, k.pod)
	putStr(res, fields.K8sNamespaceName, k.namespace)
	putStr(res, fields.K8sPodIP, k.ip)
	putStr(res, fields.K8sNodeName, k.node)
	putStr(res, fields.K8sClusterName, k.cluster)
	putStr(res, fields.IstioWorkloadName, mesh.WorkloadFromPod(k.pod, ""))
	putStr(res, fields.IstioZtunnelPodName, k.ztunnelPod)
}

// fileLogAttrs are what file_log and its container operator add to a line;
// the record has no use for them.
func isFileLogAttr(k string, _ pcommon.Value) bool {
	switch k {
	case "log.iostream", "logtag", "log.file.path", "log.file.name", "log.file.path_resolved", "log.file.name_resolved":
		return true
	}
	return false
}

// ztunnel turns an access line into the record, in place: a TCP entry with
// both workloads, ztunnel's addresses, the bytes each way, the duration, the
// facts and the verdict.
func (n *normalizer) ztunnel(lr plog.LogRecord, l *ztunnel.Line) groupKey {
	var z ztLine
	z.read(l)
	early := l.Message == ztFailed

	attrs := lr.Attributes()
	if attrs.Len() > 0 {
		attrs.RemoveIf(isFileLogAttr)
	}
	attrs.EnsureCapacity(attrs.Len() + 32)
	lr.SetEventName(fields.EventTCP)
	clearBody(lr)

	dir := mesh.Unknown
	switch mesh.Direction(z.direction) {
	case mesh.Inbound:
		dir = mesh.Inbound
	case mesh.Outbound:
		dir = mesh.Outbound
	}
	var dur time.Duration
	hasDur := false
	if z.duration != "" {
		if d, err := time.ParseDuration(z.duration); err == nil && d >= 0 {
			dur, hasDur = d, true
		}
	}
	// ztunnel writes the line when the connection ends.
	end := lr.Timestamp()
	if t, err := time.Parse(time.RFC3339Nano, l.Time); err == nil {
		end = pcommon.NewTimestampFromTime(t)
	}
	if end != 0 {
		lr.SetTimestamp(end - pcommon.Timestamp(dur))
	}

	// The target of the connection is the workload's (or, through a
	// waypoint, the service's) own address inside the HBONE tunnel, else
	// the address itself. Outbound, ztunnel connected to dst.addr; inbound,
	// it forwards to the target.
	target := z.dstHBONE
	if target == "" {
		target = z.dstAddr
	}
	upstream := z.dstAddr
	if dir == mesh.Inbound && z.dstHBONE != "" {
		upstream = z.dstHBONE
	}
	putHostPort(attrs, fields.SourceAddress, fields.SourcePort, z.srcAddr)
	putHostPort(attrs, fields.DestinationAddress, fields.DestinationPort, target)
	putHostPort(attrs, fields.EnvoyUpstreamAddress, fields.EnvoyUpstreamPort, upstream)
	putHostPort(attrs, fields.IstioZtunnelDstAddress, fields.IstioZtunnelDstPort, z.dstAddr)
	putHostPort(attrs, fields.IstioZtunnelHBONEAddress, fields.IstioZtunnelHBONEPort, z.dstHBONE)
	putStr(attrs, fields.IstioDestinationService, z.dstService)
	putStr(attrs, fields.IstioZtunnelError, z.err)
	if hasDur {
		attrs.PutInt(fields.EnvoyDurationMs, dur.Milliseconds())
	}

	zt := mesh.Ztunnel{Direction: dir, Service: z.dstService, Workload: z.dstWorkload, Error: z.err, Early: early}
	facts := n.domains.ClassifyZtunnel(&zt)
	facts.Put(attrs)

	src := ztPeer(z.srcWorkload, z.srcNamespace, z.srcIdentity, z.srcCluster)
	dst := ztPeer(z.dstWorkload, z.dstNamespace, z.dstIdentity, z.dstCluster)
	src.Put(attrs, false)
	dst.Put(attrs, true)
	if !early {
		// ztunnel logs the identities only when the connection was mutual
		// TLS.
		attrs.PutBool(fields.IstioMTLS, z.srcIdentity != "" || z.dstIdentity != "")
	}

	attrs.PutStr(fields.NetworkTransport, "tcp")
	// bytes_sent and bytes_recv are the reporter's workload's: outbound
	// the client sent bytes_sent, inbound the server did. Envoy's
	// received bytes are the client's.
	sent, okSent := parseCount(z.bytesSent)
	recv, okRecv := parseCount(z.bytesRecv)
	if okSent && okRecv && dir != mesh.Unknown {
		fromClient, toClient := sent, recv
		if dir == mesh.Inbound {
			fromClient, toClient = recv, sent
		}
		attrs.PutInt(fields.EnvoyTCPReceivedBytes, fromClient)
		attrs.PutInt(fields.EnvoyTCPSentBytes, toClient)
	}

	if dir == mesh.Inbound {
		return groupKey{pod: z.dstWorkload, namespace: z.dstNamespace, ip: hostOf(target), cluster: z.dstCluster}
	}
	return groupKey{pod: z.srcWorkload, namespace: z.srcNamespace, ip: hostOf(z.srcAddr), cluster: z.srcCluster}
}

// ztPeer is one side of a ztunnel line. ztunnel logs the pod's name as the
// workload (or, without one, the canonical service): a Deployment's pod
// name gives the Deployment, as Istio's metadata names the workload;
// another name is kept as it is.
func ztPeer(workload, namespace, identity, cluster string) mesh.Peer {
	p := mesh.Peer{Workload: workload, Namespace: namespace, Principal: mesh.NormalizeSPIFFE(identity), Cluster: cluster}
	if w := mesh.WorkloadFromPod(workload, ""); w != "" {
		p.Workload = w
	}
	if p.Namespace == "" {
		p.Namespace = mesh.SPIFFENamespace(p.Principal)
	}
	return p
}

// lineFromMap reads a line that an operator upstream (file_log's
// json_parser) already parsed into the body.
func lineFromMap(l *ztunnel.Line, m pcommon.Map) bool {
	*l = ztunnel.Line{Fields: l.Fields[:0]}
	m.Range(func(k string, v pcommon.Value) bool {
		switch k {
		case "time":
			l.Time = v.AsString()
		case "level":
			l.Level = v.AsString()
		case "scope":
			l.Target = v.AsString()
		case "message":
			l.Message = v.AsString()
		default:
			if v.Type() != pcommon.ValueTypeEmpty {
				l.Fields = append(l.Fields, ztunnel.Field{Key: k, Value: v.AsString(), Quoted: v.Type() == pcommon.ValueTypeStr})
			}
		}
		return true
	})
	return l.Time != "" && l.Level != ""
}

func parseCount(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, false
	}
	return int64(min(v, 1<<63-1)), true
}
