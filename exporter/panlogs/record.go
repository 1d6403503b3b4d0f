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

	// clocks and shape survive resets: the formatting of the current second
	// (receive time; session times) and the last record's key order.
	clocks [2]timeCache
	shape  recordShape
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

func (r *record) resetWith(rv *resourceView, lr plog.LogRecord) {
	clocks, shape := r.clocks, r.shape
	*r = blankRecord
	r.clocks, r.shape = clocks, shape
	r.observed, r.start, r.event = lr.ObservedTimestamp(), lr.Timestamp(), lr.EventName()
	r.attrs = lr.Attributes()
	r.pod, r.namespace, r.proxy, r.containers = rv.pod, rv.namespace, rv.proxy, rv.containers
	keys := &r.shape
	i := 0
	lr.Attributes().Range(func(k string, v pcommon.Value) bool {
		// Records from one producer come with the same keys in the same
		// order, and the same key strings: compare with the last record's
		// key at this position (pointer-equal strings compare in O(1)) and
		// fall back to the name switch only when the shape changes.
		var slot uint8
		if i < len(keys.keys) && keys.keys[i] == k {
			slot = keys.slots[i]
		} else {
			slot = slotOf(k)
			if i < len(keys.keys) {
				keys.keys[i], keys.slots[i] = k, slot
			} else if i < maxShape {
				keys.keys = append(keys.keys, k)
				keys.slots = append(keys.slots, slot)
			}
		}
		i++
		if slot != 0 {
			r.set(slot, v)
		}
		return true
	})
}

// maxShape bounds the remembered key order (records with more attributes
// than this look the rest up by name).
const maxShape = 128

// recordShape is the key order of the last record seen, with each key's slot.
type recordShape struct {
	keys  []string
	slots []uint8
}

// slotOf maps an attribute name to the record field it fills (0: unused).
func slotOf(k string) uint8 {
	switch k {
	case fields.SourceAddress:
		return 1
	case fields.SourcePort:
		return 2
	case fields.DestinationAddress:
		return 3
	case fields.DestinationPort:
		return 4
	case fields.EnvoyUpstreamAddress:
		return 5
	case fields.EnvoyUpstreamPort:
		return 6
	case fields.NetworkTransport:
		return 7
	case fields.NetworkProtocolName:
		return 8
	case fields.NetworkProtocolVersion:
		return 9
	case fields.HTTPRequestMethod:
		return 10
	case fields.URLScheme:
		return 11
	case fields.URLPath:
		return 12
	case fields.URLQuery:
		return 13
	case fields.ServerAddress:
		return 14
	case fields.ServerPort:
		return 15
	case fields.UserAgentOriginal:
		return 16
	case fields.HTTPRequestHeaderXFF:
		return 17
	case fields.HTTPRequestHeaderReqID:
		return 18
	case fields.HTTPResponseStatusCode:
		return 19
	case fields.HTTPRequestBodySize:
		return 20
	case fields.HTTPResponseBodySize:
		return 21
	case fields.EnvoyTCPReceivedBytes:
		return 22
	case fields.EnvoyTCPSentBytes:
		return 23
	case fields.EnvoyDurationMs:
		return 24
	case fields.EnvoyResponseFlags:
		return 25
	case fields.EnvoyResponseCodeDetails:
		return 26
	case fields.EnvoyConnTerminationDetails:
		return 27
	case fields.EnvoyUpstreamCluster:
		return 28
	case fields.EnvoyRouteName:
		return 29
	case fields.TLSEstablished:
		return 30
	case fields.TLSProtocolVersion:
		return 31
	case fields.TLSCipher:
		return 32
	case fields.TLSServerName:
		return 33
	case fields.IstioDirection:
		return 34
	case fields.IstioMTLS:
		return 35
	case fields.PanAction:
		return 36
	case fields.PanRule:
		return 37
	case fields.PanSessionEndReason:
		return 38
	case fields.PanEgress:
		return 39
	case fields.PanPrefix:
		return 40
	case fields.IstioSourceWorkload:
		return 41
	case fields.IstioSourceNamespace:
		return 42
	case fields.IstioSourcePrincipal:
		return 43
	case fields.IstioDestinationWorkload:
		return 44
	case fields.IstioDestinationNamespace:
		return 45
	case fields.IstioDestinationPrincipal:
		return 46
	}
	return 0
}

// set fills the field for slot.
func (r *record) set(slot uint8, v pcommon.Value) {
	switch slot {
	case 1:
		r.srcAddr = v
	case 2:
		r.srcPort = v
	case 3:
		r.dstAddr = v
	case 4:
		r.dstPort = v
	case 5:
		r.natAddr = v
	case 6:
		r.natPort = v
	case 7:
		r.transport = v
	case 8:
		r.protoName = v
	case 9:
		r.protoVersion = v
	case 10:
		r.method = v
	case 11:
		r.scheme = v
	case 12:
		r.path = v
	case 13:
		r.query = v
	case 14:
		r.host = v
	case 15:
		r.hostPort = v
	case 16:
		r.userAgent = v
	case 17:
		r.xff = v
	case 18:
		r.requestID = v
	case 19:
		r.status = v
	case 20:
		r.reqSize = v
	case 21:
		r.respSize = v
	case 22:
		r.tcpRecv = v
	case 23:
		r.tcpSent = v
	case 24:
		r.durationMs = v
	case 25:
		r.flags = v
	case 26:
		r.codeDetails = v
	case 27:
		r.termDetails = v
	case 28:
		r.cluster = v
	case 29:
		r.route = v
	case 30:
		r.tlsEstablished = v
	case 31:
		r.tlsVersion = v
	case 32:
		r.tlsCipher = v
	case 33:
		r.tlsSNI = v
	case 34:
		r.direction = v
	case 35:
		r.mtls = v
	case 36:
		r.action = v
	case 37:
		r.rule = v
	case 38:
		r.endReason = v
	case 39:
		r.egress = v
	case 40:
		r.prefix = v
	case 41:
		r.srcWorkload = v
	case 42:
		r.srcNamespace = v
	case 43:
		r.srcPrincipal = v
	case 44:
		r.dstWorkload = v
	case 45:
		r.dstNamespace = v
	case 46:
		r.dstPrincipal = v
	}
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
