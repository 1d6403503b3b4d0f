package panlogs // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs"

import (
	"reflect"
	"unsafe"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-pan/otelcol-pan/internal/fields"
)

// record is the view of one log record that every encoding reads: the
// attributes of DESIGN.md §3 picked out in one pass over the record's and
// its resource's attributes, instead of one map lookup per output key.
// A zero pcommon.Value (Type() == ValueTypeEmpty) is an absent fact.
type record struct {
	observed, start pcommon.Timestamp
	event           string

	srcAddr, srcPort, dstAddr, dstPort, natAddr, natPort pcommon.Value
	transport, protoName, protoVersion                   pcommon.Value

	method, scheme, path, query, host, hostPort, userAgent, xff, requestID pcommon.Value
	status, reqSize, respSize, tcpRecv, tcpSent, durationMs                pcommon.Value

	flags, codeDetails, termDetails, cluster, route pcommon.Value
	tlsEstablished, tlsVersion, tlsCipher, tlsSNI   pcommon.Value

	direction, mtls, action, rule, endReason, egress, prefix pcommon.Value
	srcWorkload, srcNamespace, srcPrincipal                  pcommon.Value
	dstWorkload, dstNamespace, dstPrincipal                  pcommon.Value

	// From the resource.
	pod, namespace, proxy, containers pcommon.Value

	// attrs is the record's attribute map, for lookups by configured key.
	attrs pcommon.Map

	// clock survives resets: it caches the formatting of the current second.
	clock timeCache
}

// blankRecord has every Value field set to one shared empty value: the zero
// pcommon.Value may not even be asked its type.
var blankRecord = func() record {
	var r record
	empty := pcommon.NewValueEmpty()
	v := reflect.ValueOf(&r).Elem()
	for i := 0; i < v.NumField(); i++ {
		if f := v.Field(i); f.Type() == reflect.TypeOf(empty) {
			reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Set(reflect.ValueOf(empty))
		}
	}
	return r
}()

// resourceView is what the encoders read from a resource; every record of a
// ResourceLogs shares it, so it is read once per resource.
type resourceView struct {
	pod, namespace, proxy, containers pcommon.Value
}

func newResourceView(res pcommon.Map) resourceView {
	v := resourceView{pod: blankRecord.pod, namespace: blankRecord.pod, proxy: blankRecord.pod, containers: blankRecord.pod}
	res.Range(func(k string, val pcommon.Value) bool {
		switch k {
		case fields.K8sPodName:
			v.pod = val
		case fields.K8sNamespaceName:
			v.namespace = val
		case fields.IstioProxyType:
			v.proxy = val
		case fields.IstioAppContainers:
			v.containers = val
		}
		return true
	})
	return v
}

func (r *record) reset(res pcommon.Map, lr plog.LogRecord) {
	rv := newResourceView(res)
	r.resetWith(&rv, lr)
}

func (r *record) resetWith(rv *resourceView, lr plog.LogRecord) {
	clock := r.clock
	*r = blankRecord
	r.clock = clock
	r.observed, r.start, r.event = lr.ObservedTimestamp(), lr.Timestamp(), lr.EventName()
	r.attrs = lr.Attributes()
	r.pod, r.namespace, r.proxy, r.containers = rv.pod, rv.namespace, rv.proxy, rv.containers
	lr.Attributes().Range(func(k string, v pcommon.Value) bool {
		switch k {
		case fields.SourceAddress:
			r.srcAddr = v
		case fields.SourcePort:
			r.srcPort = v
		case fields.DestinationAddress:
			r.dstAddr = v
		case fields.DestinationPort:
			r.dstPort = v
		case fields.EnvoyUpstreamAddress:
			r.natAddr = v
		case fields.EnvoyUpstreamPort:
			r.natPort = v
		case fields.NetworkTransport:
			r.transport = v
		case fields.NetworkProtocolName:
			r.protoName = v
		case fields.NetworkProtocolVersion:
			r.protoVersion = v
		case fields.HTTPRequestMethod:
			r.method = v
		case fields.URLScheme:
			r.scheme = v
		case fields.URLPath:
			r.path = v
		case fields.URLQuery:
			r.query = v
		case fields.ServerAddress:
			r.host = v
		case fields.ServerPort:
			r.hostPort = v
		case fields.UserAgentOriginal:
			r.userAgent = v
		case fields.HTTPRequestHeaderXFF:
			r.xff = v
		case fields.HTTPRequestHeaderReqID:
			r.requestID = v
		case fields.HTTPResponseStatusCode:
			r.status = v
		case fields.HTTPRequestBodySize:
			r.reqSize = v
		case fields.HTTPResponseBodySize:
			r.respSize = v
		case fields.EnvoyTCPReceivedBytes:
			r.tcpRecv = v
		case fields.EnvoyTCPSentBytes:
			r.tcpSent = v
		case fields.EnvoyDurationMs:
			r.durationMs = v
		case fields.EnvoyResponseFlags:
			r.flags = v
		case fields.EnvoyResponseCodeDetails:
			r.codeDetails = v
		case fields.EnvoyConnTerminationDetails:
			r.termDetails = v
		case fields.EnvoyUpstreamCluster:
			r.cluster = v
		case fields.EnvoyRouteName:
			r.route = v
		case fields.TLSEstablished:
			r.tlsEstablished = v
		case fields.TLSProtocolVersion:
			r.tlsVersion = v
		case fields.TLSCipher:
			r.tlsCipher = v
		case fields.TLSServerName:
			r.tlsSNI = v
		case fields.IstioDirection:
			r.direction = v
		case fields.IstioMTLS:
			r.mtls = v
		case fields.PanAction:
			r.action = v
		case fields.PanRule:
			r.rule = v
		case fields.PanSessionEndReason:
			r.endReason = v
		case fields.PanEgress:
			r.egress = v
		case fields.PanPrefix:
			r.prefix = v
		case fields.IstioSourceWorkload:
			r.srcWorkload = v
		case fields.IstioSourceNamespace:
			r.srcNamespace = v
		case fields.IstioSourcePrincipal:
			r.srcPrincipal = v
		case fields.IstioDestinationWorkload:
			r.dstWorkload = v
		case fields.IstioDestinationNamespace:
			r.dstNamespace = v
		case fields.IstioDestinationPrincipal:
			r.dstPrincipal = v
		}
		return true
	})
}

func present(v pcommon.Value) bool { return v.Type() != pcommon.ValueTypeEmpty }

// intOf reads an integer attribute; ok is false when it is absent or of
// another type (an OTLP producer may send anything).
func intOf(v pcommon.Value) (int64, bool) {
	switch v.Type() {
	case pcommon.ValueTypeInt:
		return v.Int(), true
	case pcommon.ValueTypeDouble:
		return int64(v.Double()), true
	}
	return 0, false
}

// bytesSentReceived follows PAN-OS: bytes_sent is client to server (what
// Envoy received from downstream), bytes_received is server to client.
func (r *record) bytesSentReceived() (sent, recv int64, ok bool) {
	if s, ok1 := intOf(r.tcpRecv); ok1 {
		rv, _ := intOf(r.tcpSent)
		return s, rv, true
	}
	s, ok1 := intOf(r.reqSize)
	rv, ok2 := intOf(r.respSize)
	return s, rv, ok1 || ok2
}

// isDeny reports whether the verdict is a denial (subtype deny).
func (r *record) isDeny() bool {
	if r.action.Type() != pcommon.ValueTypeStr {
		return false
	}
	a := r.action.Str()
	return a == "deny" || a == "drop"
}

// isEgress reports pan.egress.
func (r *record) isEgress() bool {
	return r.egress.Type() == pcommon.ValueTypeBool && r.egress.Bool()
}

// clusterHost is the service host of an Istio cluster name
// ("outbound|9080||details.default.svc.cluster.local"), "" for others.
func (r *record) clusterHost() string {
	if r.cluster.Type() != pcommon.ValueTypeStr {
		return ""
	}
	c := r.cluster.Str()
	n := 0
	for i := 0; i < len(c); i++ {
		if c[i] == '|' {
			n++
			if n == 3 {
				return c[i+1:]
			}
		}
	}
	return ""
}
