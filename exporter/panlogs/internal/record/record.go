// Package record is the view of one log record that panlogs' encoders read:
// the attributes of docs/record.md (and four of its resource's) picked out in
// one pass over the record, each into its slot, instead of one map lookup
// per output key. It knows the record, not any output format.
package record // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/record"

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-pan/otelcol-pan/internal/fields"
)

// Slot is a fact the view holds: one attribute of the record or of its
// resource.
type Slot uint8

// The slots; Keys gives each one's attribute name.
const (
	none Slot = iota

	SrcAddr
	SrcPort
	DstAddr
	DstPort
	NatAddr
	NatPort
	Transport
	ProtoName
	ProtoVersion
	Method
	Scheme
	Path
	Query
	Host
	HostPort
	UserAgent
	XFF
	RequestID
	Status
	ReqSize
	RespSize
	TCPRecv
	TCPSent
	DurationMs
	ResponseFlags
	CodeDetails
	TermDetails
	Cluster
	Route
	TLSEstablished
	TLSVersion
	TLSCipher
	TLSSNI
	Direction
	MTLS
	Action
	Rule
	EndReason
	Egress
	Prefix
	SrcWorkload
	SrcNamespace
	SrcPrincipal
	DstWorkload
	DstNamespace
	DstPrincipal
	DstService
	StreamID
	LogType
	Intermediate
	ZtunnelError

	// Read from the resource, once per ResourceLogs.
	Pod
	Namespace
	Proxy
	Containers
	PodIP
	ZtunnelPod

	// NumSlots counts the slots.
	NumSlots
)

// firstResourceSlot starts the slots read from the resource.
const firstResourceSlot = Pod

// Keys is the attribute behind each slot.
var Keys = [NumSlots]string{
	SrcAddr:        fields.SourceAddress,
	SrcPort:        fields.SourcePort,
	DstAddr:        fields.DestinationAddress,
	DstPort:        fields.DestinationPort,
	NatAddr:        fields.EnvoyUpstreamAddress,
	NatPort:        fields.EnvoyUpstreamPort,
	Transport:      fields.NetworkTransport,
	ProtoName:      fields.NetworkProtocolName,
	ProtoVersion:   fields.NetworkProtocolVersion,
	Method:         fields.HTTPRequestMethod,
	Scheme:         fields.URLScheme,
	Path:           fields.URLPath,
	Query:          fields.URLQuery,
	Host:           fields.ServerAddress,
	HostPort:       fields.ServerPort,
	UserAgent:      fields.UserAgentOriginal,
	XFF:            fields.HTTPRequestHeaderXFF,
	RequestID:      fields.HTTPRequestHeaderReqID,
	Status:         fields.HTTPResponseStatusCode,
	ReqSize:        fields.HTTPRequestBodySize,
	RespSize:       fields.HTTPResponseBodySize,
	TCPRecv:        fields.EnvoyTCPReceivedBytes,
	TCPSent:        fields.EnvoyTCPSentBytes,
	DurationMs:     fields.EnvoyDurationMs,
	ResponseFlags:  fields.EnvoyResponseFlags,
	CodeDetails:    fields.EnvoyResponseCodeDetails,
	TermDetails:    fields.EnvoyConnTerminationDetails,
	Cluster:        fields.EnvoyUpstreamCluster,
	Route:          fields.EnvoyRouteName,
	TLSEstablished: fields.TLSEstablished,
	TLSVersion:     fields.TLSProtocolVersion,
	TLSCipher:      fields.TLSCipher,
	TLSSNI:         fields.TLSServerName,
	Direction:      fields.IstioDirection,
	MTLS:           fields.IstioMTLS,
	Action:         fields.PanAction,
	Rule:           fields.PanRule,
	EndReason:      fields.PanSessionEndReason,
	Egress:         fields.PanEgress,
	Prefix:         fields.PanPrefix,
	SrcWorkload:    fields.IstioSourceWorkload,
	SrcNamespace:   fields.IstioSourceNamespace,
	SrcPrincipal:   fields.IstioSourcePrincipal,
	DstWorkload:    fields.IstioDestinationWorkload,
	DstNamespace:   fields.IstioDestinationNamespace,
	DstPrincipal:   fields.IstioDestinationPrincipal,
	DstService:     fields.IstioDestinationService,
	StreamID:       fields.EnvoyStreamID,
	LogType:        fields.EnvoyAccessLogType,
	Intermediate:   fields.EnvoyAccessLogIntermediate,
	ZtunnelError:   fields.IstioZtunnelError,

	Pod:        fields.K8sPodName,
	Namespace:  fields.K8sNamespaceName,
	Proxy:      fields.IstioProxyType,
	Containers: fields.IstioAppContainers,
	PodIP:      fields.K8sPodIP,
	ZtunnelPod: fields.IstioZtunnelPodName,
}

// recordSlots and resourceSlots find a slot by attribute name, each among
// its own kind: a record attribute named like a resource one is not read.
var recordSlots, resourceSlots = func() (rec, res map[string]Slot) {
	rec, res = map[string]Slot{}, map[string]Slot{}
	for s := none + 1; s < NumSlots; s++ {
		if s >= firstResourceSlot {
			res[Keys[s]] = s
		} else {
			rec[Keys[s]] = s
		}
	}
	return rec, res
}()

// blank has every slot absent: one shared empty value (the zero
// pcommon.Value may not even be asked its type).
var blank = func() (b [NumSlots]pcommon.Value) {
	empty := pcommon.NewValueEmpty()
	for i := range b {
		b[i] = empty
	}
	return b
}()

// Resource is what the view reads from a resource; every record of a
// ResourceLogs shares it, so it is read once per resource.
type Resource struct {
	v [NumSlots - firstResourceSlot]pcommon.Value
}

// NewResource reads a resource's attributes.
func NewResource(res pcommon.Map) Resource {
	var rv Resource
	copy(rv.v[:], blank[firstResourceSlot:])
	res.Range(func(k string, val pcommon.Value) bool {
		if s, ok := resourceSlots[k]; ok {
			rv.v[s-firstResourceSlot] = val
		}
		return true
	})
	return rv
}

// Record is the view of one log record. It is reused record after record
// (Reset), and keeps across them the key order of the last record it read.
// A Value of type Empty is an absent fact.
type Record struct {
	// Observed, Start and Event are the record's observed timestamp,
	// timestamp and event name.
	Observed, Start pcommon.Timestamp
	Event           string

	attrs pcommon.Map
	v     [NumSlots]pcommon.Value
	shape shape
}

// New returns an empty view.
func New() *Record {
	r := &Record{}
	r.Release()
	return r
}

// Reset makes r the view of lr, whose resource is res.
func (r *Record) Reset(res *Resource, lr plog.LogRecord) {
	r.v = blank
	copy(r.v[firstResourceSlot:], res.v[:])
	r.Observed, r.Start, r.Event = lr.ObservedTimestamp(), lr.Timestamp(), lr.EventName()
	r.attrs = lr.Attributes()
	sh := &r.shape
	i := 0
	r.attrs.Range(func(k string, v pcommon.Value) bool {
		// Records from one producer come with the same keys in the same
		// order, and the same key strings: compare with the last record's
		// key at this position (pointer-equal strings compare in O(1)) and
		// look the name up only when the shape changes.
		var s Slot
		if i < len(sh.keys) && sh.keys[i] == k {
			s = sh.slots[i]
		} else {
			s = recordSlots[k]
			if i < len(sh.keys) {
				sh.keys[i], sh.slots[i] = k, s
			} else if i < maxShape {
				sh.keys = append(sh.keys, k)
				sh.slots = append(sh.slots, s)
			}
		}
		i++
		if s != none {
			r.v[s] = v
		}
		return true
	})
}

// Release lets go of the record last read, so that the view does not keep
// it alive; the remembered key order stays.
func (r *Record) Release() {
	r.v = blank
	r.attrs = pcommon.Map{}
	r.Observed, r.Start, r.Event = 0, 0, ""
}

// maxShape bounds the remembered key order (records with more attributes
// than this look the rest up by name).
const maxShape = 128

// shape is the key order of the last record seen, with each key's slot.
type shape struct {
	keys  []string
	slots []Slot
}

// Get is the value in slot s; its type is Empty when absent.
func (r *Record) Get(s Slot) pcommon.Value { return r.v[s] }

// Has reports whether the fact in slot s is present.
func (r *Record) Has(s Slot) bool { return r.v[s].Type() != pcommon.ValueTypeEmpty }

// Str is the string in slot s, "" when absent or not a string.
func (r *Record) Str(s Slot) string {
	if v := r.v[s]; v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return ""
}

// Int reads an integer fact; ok is false when it is absent or of another
// type (an OTLP producer may send anything). A double is truncated.
func (r *Record) Int(s Slot) (int64, bool) {
	switch v := r.v[s]; v.Type() {
	case pcommon.ValueTypeInt:
		return v.Int(), true
	case pcommon.ValueTypeDouble:
		return int64(v.Double()), true
	}
	return 0, false
}

// Bool is the bool in slot s, false when absent or not a bool.
func (r *Record) Bool(s Slot) bool {
	v := r.v[s]
	return v.Type() == pcommon.ValueTypeBool && v.Bool()
}

// Attributes is the record's attribute map, for lookups by configured key.
func (r *Record) Attributes() pcommon.Map { return r.attrs }
