package encode // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/encode"

import (
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/record"
	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/rfc3339"
	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
)

// jsonFormat writes one JSON object per record with the keys docs/formats.md
// lists. It appends by hand (no reflection, no maps) and escapes every control
// byte, so that no value can end the line or the object early.
type jsonFormat struct {
	s *settings
}

func (f jsonFormat) appendRecord(b []byte, r *record.Record, prefix string, sc *Scratch) []byte {
	w := jsonObject{b: append(b, '{')}
	if f.s.prefixField {
		w.str("prefix", prefix)
	}
	w.time("receive_time", r.Observed, &sc.received)
	w.time("time_generated", r.TimeGenerated(), &sc.session)
	w.str("type", logType)
	w.str("subtype", subtype(r))
	w.fields(r, jsonConnection)
	if app := r.App(); app != "" {
		w.str("app", app)
	}
	w.fields(r, jsonVerdict)
	w.val("to", toZone(r))
	if sent, recv, ok := r.BytesSentReceived(); ok {
		w.int("bytes", sent+recv)
		w.int("bytes_sent", sent)
		w.int("bytes_received", recv)
	}
	w.time("start", r.Start, &sc.session)
	w.fields(r, jsonSession)
	if pod, ns, ok := r.LocalPod(); ok {
		if r.Direction() == mesh.Inbound {
			w.str("dst_pod", pod)
			w.key("dst_uid")
			w.podUID(pod, ns)
		} else {
			w.str("src_pod", pod)
		}
	}
	if h := r.DestinationService(); h != "" {
		w.str("dst_service", h)
	}
	w.fields(r, jsonMesh)

	if r.Has(record.Method) || r.Has(record.Status) || r.Has(record.Path) {
		w.key("http")
		h := jsonObject{b: append(w.b, '{')}
		h.val("method", r.Get(record.Method))
		if r.Has(record.Path) {
			h.key("url")
			h.b = append(h.b, '"')
			h.b = appendJSONChars(h.b, r.Get(record.Path).AsString())
			if r.Has(record.Query) {
				h.b = append(h.b, '?')
				h.b = appendJSONChars(h.b, f.s.redactor.redact(r.Get(record.Query).AsString()))
			}
			h.b = append(h.b, '"')
		}
		if r.Has(record.Host) {
			h.key("host")
			h.b = append(h.b, '"')
			h.b = appendJSONChars(h.b, r.Get(record.Host).AsString())
			if p, ok := r.Int(record.HostPort); ok {
				h.b = append(h.b, ':')
				h.b = strconv.AppendInt(h.b, p, 10)
			}
			h.b = append(h.b, '"')
		}
		h.fields(r, jsonHTTP)
		f.appendHeaders(&h, r)
		w.b = append(h.b, '}')
	}
	// Envoy's own account, written when it names how the traffic ended or
	// where it went (termination details alone do not open the object).
	if r.Has(record.ResponseFlags) || r.Has(record.CodeDetails) || r.Has(record.Cluster) || r.Has(record.Route) {
		w.object(r, "envoy", jsonEnvoy)
	}
	if r.Has(record.TLSVersion) || r.Has(record.TLSCipher) || r.Has(record.TLSSNI) {
		w.object(r, "tls", jsonTLS)
	}
	return append(w.b, '}')
}

// The facts the json format writes as the record holds them, by key, in
// their order on the line.
var (
	jsonConnection = []field{{"src", record.SrcAddr}, {"sport", record.SrcPort}, {"dst", record.DstAddr}, {"dport", record.DstPort}, {"natdst", record.NatAddr}, {"natdport", record.NatPort}, {"proto", record.Transport}}
	jsonVerdict    = []field{{"action", record.Action}, {"rule", record.Rule}, {"srcuser", record.SrcPrincipal}, {"dstuser", record.DstPrincipal}, {"from", record.SrcNamespace}}
	jsonSession    = []field{{"elapsed_ms", record.DurationMs}, {"session_end_reason", record.EndReason}, {"src_workload", record.SrcWorkload}, {"dst_workload", record.DstWorkload}}
	jsonMesh       = []field{{"containers", record.Containers}, {"direction", record.Direction}, {"proxy", record.Proxy}, {"mtls", record.MTLS}, {"egress", record.Egress}}
	jsonHTTP       = []field{{"path", record.Path}, {"status", record.Status}, {"user_agent", record.UserAgent}, {"request_id", record.RequestID}, {"xff", record.XFF}, {"request_size", record.ReqSize}, {"response_size", record.RespSize}}
	jsonEnvoy      = []field{{"response_flags", record.ResponseFlags}, {"code_details", record.CodeDetails}, {"termination_details", record.TermDetails}, {"cluster", record.Cluster}, {"route", record.Route}}
	jsonTLS        = []field{{"version", record.TLSVersion}, {"cipher", record.TLSCipher}, {"sni", record.TLSSNI}}
)

// appendHeaders writes the include_headers that the record holds: request
// headers as http.headers, response headers as http.response_headers.
func (f jsonFormat) appendHeaders(h *jsonObject, r *record.Record) {
	if len(f.s.headers) == 0 {
		return
	}
	for _, response := range [2]bool{false, true} {
		var inner jsonObject
		open := false
		for _, hk := range f.s.headers {
			v, ok := hk.in(r, response)
			if !ok {
				continue
			}
			if !open {
				if response {
					h.key("response_headers")
				} else {
					h.key("headers")
				}
				inner = jsonObject{b: append(h.b, '{')}
				open = true
			}
			inner.val(hk.name, v)
		}
		if open {
			h.b = append(inner.b, '}')
		}
	}
}

// jsonObject appends "key":value pairs with the commas between them.
type jsonObject struct {
	b    []byte
	more bool
}

func (o *jsonObject) key(k string) {
	if o.more {
		o.b = append(o.b, ',')
	}
	o.more = true
	o.b = append(o.b, '"')
	o.b = append(o.b, k...) // keys are our own constants: nothing to escape
	o.b = append(o.b, '"', ':')
}

func (o *jsonObject) str(k, v string) {
	o.key(k)
	o.b = appendJSONString(o.b, v)
}

// podUID writes the pod's uid as Istio names it, kubernetes://<pod>.<ns>,
// without building the string.
func (o *jsonObject) podUID(pod, ns string) {
	o.b = append(o.b, `"kubernetes://`...)
	o.b = appendJSONChars(o.b, pod)
	o.b = append(o.b, '.')
	o.b = appendJSONChars(o.b, ns)
	o.b = append(o.b, '"')
}

func (o *jsonObject) int(k string, v int64) {
	o.key(k)
	o.b = strconv.AppendInt(o.b, v, 10)
}

// time writes ts (RFC 3339, UTC, microseconds) through a second cache.
func (o *jsonObject) time(k string, ts pcommon.Timestamp, clock *rfc3339.Cache) {
	if ts == 0 {
		return
	}
	o.key(k)
	o.b = append(o.b, '"')
	o.b = clock.Append(o.b, int64(ts))
	o.b = append(o.b, '"')
}

// fields writes the facts of fs that are present, in order.
func (o *jsonObject) fields(r *record.Record, fs []field) {
	for _, f := range fs {
		o.val(f.key, r.Get(f.slot))
	}
}

// object writes the facts of fs as the object k.
func (o *jsonObject) object(r *record.Record, k string, fs []field) {
	o.key(k)
	inner := jsonObject{b: append(o.b, '{')}
	inner.fields(r, fs)
	o.b = append(inner.b, '}')
}

// val writes an attribute as its JSON type; absent values write nothing.
func (o *jsonObject) val(k string, v pcommon.Value) {
	switch v.Type() {
	case pcommon.ValueTypeEmpty:
		return
	case pcommon.ValueTypeStr:
		o.key(k)
		o.b = appendJSONString(o.b, v.Str())
	case pcommon.ValueTypeInt:
		o.key(k)
		o.b = strconv.AppendInt(o.b, v.Int(), 10)
	case pcommon.ValueTypeBool:
		o.key(k)
		o.b = strconv.AppendBool(o.b, v.Bool())
	case pcommon.ValueTypeDouble:
		o.key(k)
		o.b = strconv.AppendFloat(o.b, v.Double(), 'f', -1, 64)
	default:
		o.key(k)
		o.b = appendJSONString(o.b, v.AsString())
	}
}
