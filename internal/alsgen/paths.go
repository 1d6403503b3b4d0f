package alsgen

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	datav3 "github.com/envoyproxy/go-control-plane/envoy/data/accesslog/v3"
	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
)

// The other two data paths for the same traffic: what Istio's
// envoyOtelAls provider would send for each ALS entry (Envoy's default text
// line, or Istio's labels), and what ztunnel would write for each
// connection in ambient mode. The demo and the end-to-end tests feed the
// same requests through all three and compare what comes out.

// OTLP formats of the envoyOtelAls provider.
const (
	OTLPText   = "text"   // no logFormat: Envoy's default text line as the body
	OTLPLabels = "labels" // logFormat.labels: Istio's JSON format's names
)

// ztunnel's formats.
const (
	ZtunnelPlain = "plain"
	ZtunnelJSON  = "json"
)

// Entry is one ALS entry of a stream with its stream's identifier (Envoy
// sends it on the first message only).
type Entry struct {
	Identifier *accesslogv3.StreamAccessLogsMessage_Identifier
	HTTP       *datav3.HTTPAccessLogEntry
	TCP        *datav3.TCPAccessLogEntry
}

func (e *Entry) common() *datav3.AccessLogCommon {
	if e.HTTP != nil {
		return e.HTTP.GetCommonProperties()
	}
	return e.TCP.GetCommonProperties()
}

// StreamEntries lists every entry the streams send, in order, each with its
// stream's identifier.
func StreamEntries(streams []Stream) []Entry {
	var out []Entry
	for _, s := range streams {
		id := s.Identifier
		for i := 0; ; i++ {
			m, _ := s.Next(i)
			if m == nil {
				break
			}
			if id == nil {
				id = m.GetIdentifier()
			}
			for _, h := range m.GetHttpLogs().GetLogEntry() {
				out = append(out, Entry{Identifier: id, HTTP: h})
			}
			for _, t := range m.GetTcpLogs().GetLogEntry() {
				out = append(out, Entry{Identifier: id, TCP: t})
			}
		}
	}
	return out
}

// envoyValues are the values of Istio's text format (and labels) for an
// entry, "-" for what Envoy would not have, by label name.
func envoyValues(e *Entry) map[string]string {
	c := e.common()
	v := map[string]string{
		"start_time": "-", "method": "-", "path": "-", "protocol": "-", "response_code": "0", "response_flags": "-",
		"response_code_details": "-", "connection_termination_details": dash(c.GetConnectionTerminationDetails()),
		"upstream_transport_failure_reason": dash(c.GetUpstreamTransportFailureReason()), "bytes_received": "0", "bytes_sent": "0",
		"duration": "-", "upstream_service_time": "-", "x_forwarded_for": "-", "user_agent": "-", "request_id": "-", "authority": "-",
		"upstream_host": addr(c.GetUpstreamRemoteAddress()), "upstream_cluster": dash(c.GetUpstreamCluster()),
		"upstream_local_address": addr(c.GetUpstreamLocalAddress()), "downstream_local_address": addr(c.GetDownstreamLocalAddress()),
		"downstream_remote_address": addr(c.GetDownstreamRemoteAddress()), "requested_server_name": dash(c.GetTlsProperties().GetTlsSniHostname()),
		"route_name": dash(c.GetRouteName()),
	}
	if c.GetStartTime() != nil {
		v["start_time"] = c.GetStartTime().AsTime().UTC().Format("2006-01-02T15:04:05.000Z")
	}
	if f := flagsOf(c.GetResponseFlags()); f != "" {
		v["response_flags"] = f
	}
	switch {
	case c.GetDuration() != nil:
		v["duration"] = strconv.FormatInt(c.GetDuration().AsDuration().Milliseconds(), 10)
	case c.GetTimeToLastDownstreamTxByte() != nil:
		v["duration"] = strconv.FormatInt(c.GetTimeToLastDownstreamTxByte().AsDuration().Milliseconds(), 10)
	}
	if h := e.HTTP; h != nil {
		req, resp := h.GetRequest(), h.GetResponse()
		if m := req.GetRequestMethod(); m != corev3.RequestMethod_METHOD_UNSPECIFIED {
			v["method"] = m.String()
		}
		v["path"] = dash(cmp.Or(req.GetOriginalPath(), req.GetPath()))
		v["protocol"] = map[datav3.HTTPAccessLogEntry_HTTPVersion]string{
			datav3.HTTPAccessLogEntry_HTTP10: "HTTP/1.0", datav3.HTTPAccessLogEntry_HTTP11: "HTTP/1.1",
			datav3.HTTPAccessLogEntry_HTTP2: "HTTP/2", datav3.HTTPAccessLogEntry_HTTP3: "HTTP/3",
		}[h.GetProtocolVersion()]
		v["protocol"] = dash(v["protocol"])
		if code := resp.GetResponseCode(); code != nil {
			v["response_code"] = strconv.Itoa(int(code.GetValue()))
		}
		v["response_code_details"] = dash(resp.GetResponseCodeDetails())
		v["bytes_received"] = strconv.FormatUint(req.GetRequestBodyBytes(), 10)
		v["bytes_sent"] = strconv.FormatUint(resp.GetResponseBodyBytes(), 10)
		v["x_forwarded_for"] = dash(req.GetForwardedFor())
		v["user_agent"] = dash(req.GetUserAgent())
		v["request_id"] = dash(req.GetRequestId())
		v["authority"] = dash(req.GetAuthority())
	} else {
		v["bytes_received"] = strconv.FormatUint(e.TCP.GetConnectionProperties().GetReceivedBytes(), 10)
		v["bytes_sent"] = strconv.FormatUint(e.TCP.GetConnectionProperties().GetSentBytes(), 10)
	}
	return v
}

// EnvoyText is the line Envoy writes for e in Istio's default text format
// (EnvoyTextLogFormat), newline included.
func EnvoyText(e *Entry) string {
	v := envoyValues(e)
	return "[" + v["start_time"] + `] "` + v["method"] + " " + v["path"] + " " + v["protocol"] + `" ` +
		v["response_code"] + " " + v["response_flags"] + " " + v["response_code_details"] + " " + v["connection_termination_details"] +
		` "` + v["upstream_transport_failure_reason"] + `" ` + v["bytes_received"] + " " + v["bytes_sent"] + " " + v["duration"] + " " +
		v["upstream_service_time"] + ` "` + v["x_forwarded_for"] + `" "` + v["user_agent"] + `" "` + v["request_id"] + `" "` +
		v["authority"] + `" "` + v["upstream_host"] + `" ` + v["upstream_cluster"] + " " + v["upstream_local_address"] + " " +
		v["downstream_local_address"] + " " + v["downstream_remote_address"] + " " + v["requested_server_name"] + " " + v["route_name"] + "\n"
}

// peerJSON is a peer filter state as %FILTER_STATE(…)% renders it: the
// google.protobuf.Struct as a JSON object; "-" when there is none.
func peerJSON(a *anypb.Any) string {
	if a == nil {
		return "-"
	}
	var s structpb.Struct
	if a.GetTypeUrl() != "type.googleapis.com/google.protobuf.Struct" || proto.Unmarshal(a.GetValue(), &s) != nil {
		return "-"
	}
	b, err := protojson.Marshal(&s)
	if err != nil {
		return "-"
	}
	return string(b)
}

// OTLPLogs is what Istio's envoyOtelAls provider sends for the entries:
// per entry a record whose body is the text line (OTLPText) or whose
// attributes are Istio's labels (OTLPLabels), both with the upstream_peer
// and downstream_peer labels, the time the start of the request. With
// k8sResource each stream's records get the resource the k8s_attributes
// processor gives them (the proxy's pod found by the connection);
// otherwise the resource is empty, as Istio (1.20 on) sends it.
func OTLPLogs(entries []Entry, format string, k8sResource bool) plog.Logs {
	ld := plog.NewLogs()
	var lrs plog.LogRecordSlice
	var last *accesslogv3.StreamAccessLogsMessage_Identifier
	for i := range entries {
		e := &entries[i]
		if i == 0 || e.Identifier != last {
			rl := ld.ResourceLogs().AppendEmpty()
			if k8sResource {
				putK8sResource(rl.Resource().Attributes(), e.Identifier)
			}
			lrs = rl.ScopeLogs().AppendEmpty().LogRecords()
			last = e.Identifier
		}
		lr := lrs.AppendEmpty()
		c := e.common()
		if c.GetStartTime() != nil {
			lr.SetTimestamp(pcommon.NewTimestampFromTime(c.GetStartTime().AsTime()))
		}
		attrs := lr.Attributes()
		if format == OTLPLabels {
			for k, v := range envoyValues(e) {
				attrs.PutStr(k, v)
			}
		} else {
			lr.Body().SetStr(EnvoyText(e))
		}
		attrs.PutStr("upstream_peer", peerJSON(c.GetFilterStateObjects()["upstream_peer"]))
		attrs.PutStr("downstream_peer", peerJSON(c.GetFilterStateObjects()["downstream_peer"]))
	}
	return ld
}

// putK8sResource writes what k8s_attributes knows of the proxy's pod (as
// the central collector extracts it): name, namespace, address, owner and
// the labels istionorm reads.
func putK8sResource(res pcommon.Map, id *accesslogv3.StreamAccessLogsMessage_Identifier) {
	md := id.GetNode().GetMetadata().GetFields()
	str := func(k string) string { return md[k].GetStringValue() }
	put := func(k, v string) {
		if v != "" {
			res.PutStr(k, v)
		}
	}
	put("k8s.pod.name", str("NAME"))
	put("k8s.namespace.name", str("NAMESPACE"))
	put("k8s.pod.ip", strings.Split(str("INSTANCE_IPS"), ",")[0])
	if attr, name := mesh.OwnerWorkload(str("OWNER")); attr != "" {
		put(attr, name)
	}
	for _, l := range []string{"app", "version", "app.kubernetes.io/name", "app.kubernetes.io/version", "service.istio.io/canonical-name"} {
		put("k8s.pod.labels."+l, md["LABELS"].GetStructValue().GetFields()[l].GetStringValue())
	}
}

// ZtunnelLine is the line the ztunnel of e's proxy's node would write for
// the same connection in ambient mode, in its plain or JSON format, with
// no newline; ok is false for what ztunnel has no counterpart of (a
// REGISTRY_ONLY refusal, a waypoint's or gateway's entry, an entry with no
// direction).
//
// The proxy's workload is the source of outbound traffic and the
// destination of inbound; the peer comes from the filter state. ztunnel
// logs pod names and, when both ends are in the mesh, identities (mutual
// TLS); in-mesh traffic travels HBONE: outbound, ztunnel connects to the
// peer's address on port 15008 with the workload's address as the tunnel's
// target.
func ZtunnelLine(e *Entry, format string) (string, bool) {
	c := e.common()
	cluster := mesh.ParseCluster(c.GetUpstreamCluster())
	dir := cluster.Direction()
	nodeID := e.Identifier.GetNode().GetId()
	if dir == mesh.Unknown || cluster.Kind == mesh.ClusterBlackHole || !strings.HasPrefix(nodeID, mesh.ProxySidecar+"~") {
		return "", false
	}
	md := e.Identifier.GetNode().GetMetadata().GetFields()
	str := func(k string) string { return md[k].GetStringValue() }
	local := ztSide{
		workload: str("NAME"), namespace: str("NAMESPACE"), cluster: str("CLUSTER_ID"),
		identity: "spiffe://cluster.local/ns/" + str("NAMESPACE") + "/sa/" + str("SERVICE_ACCOUNT"),
	}
	var peer ztSide
	peerState := c.GetFilterStateObjects()["upstream_peer"]
	if dir == mesh.Inbound {
		peerState = c.GetFilterStateObjects()["downstream_peer"]
	}
	if p := peerStruct(peerState); p != nil {
		f := p.GetFields()
		peer = ztSide{
			workload: cmp.Or(f["name"].GetStringValue(), f["workload"].GetStringValue()), namespace: f["namespace"].GetStringValue(),
			identity: f["identity"].GetStringValue(), cluster: f["cluster"].GetStringValue(),
		}
	}
	mtls := peer.identity != ""
	if !mtls {
		local.identity = ""
	}

	var kv []ztField
	add := func(k, v string, quoted bool) {
		if v != "" {
			kv = append(kv, ztField{k, v, quoted})
		}
	}
	src, dst := local, peer
	if dir == mesh.Inbound {
		src, dst = peer, local
	}
	add("src.addr", addr(c.GetDownstreamRemoteAddress()), false)
	add("src.workload", src.workload, true)
	add("src.namespace", src.namespace, true)
	add("src.identity", src.identity, true)
	add("src.cluster", src.cluster, true)
	target := addr(c.GetUpstreamRemoteAddress())
	if dir == mesh.Inbound {
		target = addr(c.GetDownstreamLocalAddress())
	}
	switch {
	case mtls:
		host, _, _ := strings.Cut(target, ":")
		add("dst.addr", host+":15008", false)
		add("dst.hbone_addr", target, false)
	case dir == mesh.Outbound:
		add("dst.addr", addr(c.GetDownstreamLocalAddress()), false)
	default:
		add("dst.addr", target, false)
	}
	if cluster.Kind == mesh.ClusterOutbound {
		add("dst.service", cluster.Host, true)
	}
	add("dst.workload", dst.workload, true)
	add("dst.namespace", dst.namespace, true)
	add("dst.identity", dst.identity, true)
	add("dst.cluster", dst.cluster, true)
	add("direction", string(dir), true)
	recv, sent := ztBytes(e)
	if dir == mesh.Outbound {
		add("bytes_sent", strconv.FormatUint(recv, 10), false)
		add("bytes_recv", strconv.FormatUint(sent, 10), false)
	} else {
		add("bytes_sent", strconv.FormatUint(sent, 10), false)
		add("bytes_recv", strconv.FormatUint(recv, 10), false)
	}
	dur := entryDuration(c)
	add("duration", strconv.FormatInt(dur.Milliseconds(), 10)+"ms", true)
	level := "info"
	if err := ztError(e); err != "" {
		add("error", err, true)
		level = "error"
	}
	end := c.GetStartTime().AsTime().Add(dur).UTC().Format("2006-01-02T15:04:05.000000Z")
	if format == ZtunnelJSON {
		// ztunnel's order: level, time, scope, then the event's fields, the
		// message first; numbers as numbers, addresses as strings.
		b := []byte(`{"level":` + jsonString(level) + `,"time":` + jsonString(end) + `,"scope":"access","message":"connection complete"`)
		for _, f := range kv {
			b = append(b, ',')
			b = append(b, jsonString(f.k)...)
			b = append(b, ':')
			if _, err := strconv.ParseUint(f.v, 10, 64); err == nil && !f.quoted {
				b = append(b, f.v...)
			} else {
				b = append(b, jsonString(f.v)...)
			}
		}
		return string(append(b, '}')), true
	}
	var b strings.Builder
	b.WriteString(end + "\t" + level + "\taccess\tconnection complete\t")
	for i, f := range kv {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(f.k + "=")
		if f.quoted {
			b.WriteString(RustQuote(f.v))
		} else {
			b.WriteString(f.v)
		}
	}
	return b.String(), true
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// CRILine frames a container's log line as the kubelet's CRI runtimes write
// it under /var/log/pods (what file_log's container operator reads).
func CRILine(line string, at time.Time) string {
	return at.UTC().Format(time.RFC3339Nano) + " stdout F " + line + "\n"
}

// entryDuration is the entry's duration, or, for Envoys before 1.29, the
// time to its last byte sent downstream (as the receiver reads it).
func entryDuration(c *datav3.AccessLogCommon) time.Duration {
	if c.GetDuration() != nil {
		return c.GetDuration().AsDuration()
	}
	return c.GetTimeToLastDownstreamTxByte().AsDuration()
}

type ztSide struct{ workload, namespace, identity, cluster string }

type ztField struct {
	k, v   string
	quoted bool
}

// ztBytes are the bytes from the client and to it.
func ztBytes(e *Entry) (fromClient, toClient uint64) {
	if e.HTTP != nil {
		return e.HTTP.GetRequest().GetRequestBodyBytes(), e.HTTP.GetResponse().GetResponseBodyBytes()
	}
	return e.TCP.GetConnectionProperties().GetReceivedBytes(), e.TCP.GetConnectionProperties().GetSentBytes()
}

// ztError is ztunnel's error for what Envoy's entry says went wrong: an
// RBAC denial names its policy as ztunnel does ("<ns>/<name>"), a failed
// connection is refused.
func ztError(e *Entry) string {
	c := e.common()
	for _, d := range []string{c.GetConnectionTerminationDetails(), e.HTTP.GetResponse().GetResponseCodeDetails()} {
		matched, ok := strings.CutPrefix(d, "rbac_access_denied_matched_policy[")
		if !ok {
			continue
		}
		if rule := mesh.PolicyRule(strings.TrimSuffix(matched, "]")); rule != mesh.RuleNoAllowMatched {
			return "connection closed due to policy rejection: explicitly denied by: " + rule
		}
		return "connection closed due to policy rejection: allow policies exist, but none allowed"
	}
	if c.GetResponseFlags().GetUpstreamConnectionFailure() {
		return "connection failed: Connection refused (os error 111)"
	}
	return ""
}

func peerStruct(a *anypb.Any) *structpb.Struct {
	if a == nil {
		return nil
	}
	var s structpb.Struct
	if proto.Unmarshal(a.GetValue(), &s) != nil {
		return nil
	}
	return &s
}

// RustQuote writes s as Rust's {:?} does, as ztunnel's plain format quotes
// strings.
func RustQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case 0:
			b.WriteString(`\0`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u{%x}`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

func flagsOf(f *datav3.ResponseFlags) string {
	if f == nil {
		return ""
	}
	var flags mesh.Flags
	m := f.ProtoReflect()
	fields := m.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if m.Has(fd) && int(fd.Number()) <= 28 {
			flags |= 1 << (fd.Number() - 1)
		}
	}
	return flags.String()
}

// addr renders a socket address as Envoy's formatters do, "-" for none.
func addr(a *corev3.Address) string {
	sa := a.GetSocketAddress()
	if sa == nil {
		if p := a.GetPipe().GetPath(); p != "" {
			return p
		}
		return "-"
	}
	host := sa.GetAddress()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return host + ":" + strconv.Itoa(int(sa.GetPortValue()))
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
