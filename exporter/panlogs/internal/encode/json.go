package encode // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/encode"

import (
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/record"
	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
)

// jsonFormat writes one JSON object per record with the keys of DESIGN.md
// §5.1. It appends by hand (no reflection, no maps) and escapes every control
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
	w.slot(r, "src", record.SrcAddr)
	w.slot(r, "sport", record.SrcPort)
	w.slot(r, "dst", record.DstAddr)
	w.slot(r, "dport", record.DstPort)
	w.slot(r, "natdst", record.NatAddr)
	w.slot(r, "natdport", record.NatPort)
	w.slot(r, "proto", record.Transport)
	if app := r.App(); app != "" {
		w.str("app", app)
	}
	w.slot(r, "action", record.Action)
	w.slot(r, "rule", record.Rule)
	w.slot(r, "srcuser", record.SrcPrincipal)
	w.slot(r, "dstuser", record.DstPrincipal)
	w.slot(r, "from", record.SrcNamespace)
	w.val("to", toZone(r))
	if sent, recv, ok := r.BytesSentReceived(); ok {
		w.int("bytes", sent+recv)
		w.int("bytes_sent", sent)
		w.int("bytes_received", recv)
	}
	w.time("start", r.Start, &sc.session)
	w.slot(r, "elapsed_ms", record.DurationMs)
	w.slot(r, "session_end_reason", record.EndReason)
	w.slot(r, "src_workload", record.SrcWorkload)
	w.slot(r, "dst_workload", record.DstWorkload)
	if pod, ns, ok := r.LocalPod(); ok {
		if r.Direction() == mesh.Inbound {
			w.str("dst_pod", pod)
			w.str("dst_uid", "kubernetes://"+pod+"."+ns)
		} else {
			w.str("src_pod", pod)
		}
	}
	if h := r.ClusterHost(); h != "" {
		w.str("dst_service", h)
	}
	w.slot(r, "containers", record.Containers)
	w.slot(r, "direction", record.Direction)
	w.slot(r, "proxy", record.Proxy)
	w.slot(r, "mtls", record.MTLS)
	w.slot(r, "egress", record.Egress)

	if r.Has(record.Method) || r.Has(record.Status) || r.Has(record.Path) {
		w.key("http")
		h := jsonObject{b: append(w.b, '{')}
		h.slot(r, "method", record.Method)
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
		h.slot(r, "path", record.Path)
		h.slot(r, "status", record.Status)
		h.slot(r, "user_agent", record.UserAgent)
		h.slot(r, "request_id", record.RequestID)
		h.slot(r, "xff", record.XFF)
		h.slot(r, "request_size", record.ReqSize)
		h.slot(r, "response_size", record.RespSize)
		f.appendHeaders(&h, r)
		w.b = append(h.b, '}')
	}
	if r.Has(record.ResponseFlags) || r.Has(record.CodeDetails) || r.Has(record.Cluster) || r.Has(record.Route) {
		w.key("envoy")
		o := jsonObject{b: append(w.b, '{')}
		o.slot(r, "response_flags", record.ResponseFlags)
		o.slot(r, "code_details", record.CodeDetails)
		o.slot(r, "termination_details", record.TermDetails)
		o.slot(r, "cluster", record.Cluster)
		o.slot(r, "route", record.Route)
		w.b = append(o.b, '}')
	}
	if r.Has(record.TLSVersion) || r.Has(record.TLSCipher) || r.Has(record.TLSSNI) {
		w.key("tls")
		o := jsonObject{b: append(w.b, '{')}
		o.slot(r, "version", record.TLSVersion)
		o.slot(r, "cipher", record.TLSCipher)
		o.slot(r, "sni", record.TLSSNI)
		w.b = append(o.b, '}')
	}
	return append(w.b, '}')
}

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
			key := hk.requestKey
			if response {
				key = hk.responseKey
			}
			v, ok := r.Attributes().Get(key)
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

func (o *jsonObject) int(k string, v int64) {
	o.key(k)
	o.b = strconv.AppendInt(o.b, v, 10)
}

// time writes ts (RFC 3339, UTC, microseconds) through a second cache.
func (o *jsonObject) time(k string, ts pcommon.Timestamp, clock *timeCache) {
	if ts == 0 {
		return
	}
	o.key(k)
	o.b = append(o.b, '"')
	o.b = clock.append(o.b, ts)
	o.b = append(o.b, '"')
}

// slot writes the fact in slot s under k, when present.
func (o *jsonObject) slot(r *record.Record, k string, s record.Slot) { o.val(k, r.Get(s)) }

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
