package record // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/record"

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-pan/otelcol-pan/internal/fields"
	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
)

// Facts derived from the slots, in the mesh's vocabulary; every format reads
// them the same way.

// BytesSentReceived follows PAN-OS: bytes_sent is client to server (what
// Envoy received from downstream), bytes_received is server to client.
func (r *Record) BytesSentReceived() (sent, recv int64, ok bool) {
	if s, ok := r.Int(TCPRecv); ok {
		rv, _ := r.Int(TCPSent)
		return s, rv, true
	}
	s, okReq := r.Int(ReqSize)
	rv, okResp := r.Int(RespSize)
	return s, rv, okReq || okResp
}

// TimeGenerated is when the session ended: its start plus its duration; 0
// without a start.
func (r *Record) TimeGenerated() pcommon.Timestamp {
	if r.Start == 0 {
		return 0
	}
	if ms, ok := r.Int(DurationMs); ok && ms > 0 {
		return r.Start + pcommon.Timestamp(ms*int64(time.Millisecond))
	}
	return r.Start
}

// IsDenial reports a verdict that refused the traffic.
func (r *Record) IsDenial() bool { return mesh.IsDenial(r.Str(Action)) }

// IsReset reports a verdict that reset the connection.
func (r *Record) IsReset() bool { return mesh.IsReset(r.Str(Action)) }

// IsEgress reports pan.egress.
func (r *Record) IsEgress() bool { return r.Bool(Egress) }

// ClusterHost is the service host of an Istio cluster name
// ("outbound|9080||details.default.svc.cluster.local"), "" for others.
func (r *Record) ClusterHost() string { return mesh.ParseCluster(r.Str(Cluster)).Host }

// DestinationService is the service host the traffic went to: the host of
// Envoy's cluster, else the one ztunnel resolved (istio.destination.service).
func (r *Record) DestinationService() string {
	if h := r.ClusterHost(); h != "" {
		return h
	}
	return r.Str(DstService)
}

// App names the application the way PAN-OS App-ID would for mesh traffic:
// the HTTP version (http, http2, http3), else ssl for a TLS session, else
// tcp for a TCP entry; "" when nothing says.
func (r *Record) App() string {
	if r.Has(ProtoName) {
		name := r.Get(ProtoName).AsString()
		if v := r.Get(ProtoVersion).AsString(); v == "2" || v == "3" {
			return name + v
		}
		return name
	}
	if r.Bool(TLSEstablished) {
		return "ssl"
	}
	if r.Event == fields.EventTCP {
		return "tcp"
	}
	return ""
}

// LocalPod is the proxy's own pod when it is a sidecar, or the workload's
// pod a ztunnel logged for: the destination of inbound traffic, the source
// of outbound traffic.
func (r *Record) LocalPod() (pod, ns string, ok bool) {
	if p := r.Str(Proxy); (p != mesh.ProxySidecar && p != mesh.ProxyZtunnel) || !r.Has(Pod) || !r.Has(Direction) {
		return "", "", false
	}
	return r.Get(Pod).AsString(), r.Get(Namespace).AsString(), true
}

// Direction is istio.direction.
func (r *Record) Direction() mesh.Direction { return mesh.Direction(r.Str(Direction)) }

// Flags are Envoy's response flags (envoy.response_flags), none when absent.
func (r *Record) Flags() mesh.Flags {
	if f := r.Str(ResponseFlags); f != "" {
		return mesh.ParseFlags(f)
	}
	return 0
}
