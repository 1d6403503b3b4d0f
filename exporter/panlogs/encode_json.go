package panlogs // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs"

import (
	"strconv"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-pan/otelcol-pan/internal/fields"
)

// jsonEncoder writes one JSON object per record with the keys of DESIGN.md
// §5.1. It appends by hand (no reflection, no maps) and escapes every control
// byte, so that no value can end the line or the object early.
type jsonEncoder struct {
	opts *encodeOptions
}

func (e jsonEncoder) appendRecord(b []byte, r *record, prefix string) []byte {
	w := jsonObject{b: append(b, '{')}
	if e.opts.prefixField {
		w.str("prefix", prefix)
	}
	// Two clocks: receive times and session times each stay in one second
	// across a batch, so each keeps its formatted second.
	w.time("receive_time", r.observed, &r.clocks[0])
	w.time("time_generated", r.timeGenerated(), &r.clocks[1])
	w.str("type", "TRAFFIC")
	w.str("subtype", r.subtype())
	w.val("src", r.srcAddr)
	w.val("sport", r.srcPort)
	w.val("dst", r.dstAddr)
	w.val("dport", r.dstPort)
	w.val("natdst", r.natAddr)
	w.val("natdport", r.natPort)
	w.val("proto", r.transport)
	if app := r.app(); app != "" {
		w.str("app", app)
	}
	w.val("action", r.action)
	w.val("rule", r.rule)
	w.val("srcuser", r.srcPrincipal)
	w.val("dstuser", r.dstPrincipal)
	w.val("from", r.srcNamespace)
	w.val("to", r.toZone())
	if sent, recv, ok := r.bytesSentReceived(); ok {
		w.int("bytes", sent+recv)
		w.int("bytes_sent", sent)
		w.int("bytes_received", recv)
	}
	w.time("start", r.start, &r.clocks[1])
	w.val("elapsed_ms", r.durationMs)
	w.val("session_end_reason", r.endReason)
	w.val("src_workload", r.srcWorkload)
	w.val("dst_workload", r.dstWorkload)
	if pod, ns, ok := r.localPod(); ok {
		if r.direction.Str() == "inbound" {
			w.str("dst_pod", pod)
			w.str("dst_uid", "kubernetes://"+pod+"."+ns)
		} else {
			w.str("src_pod", pod)
		}
	}
	if h := r.clusterHost(); h != "" {
		w.str("dst_service", h)
	}
	w.val("containers", r.containers)
	w.val("direction", r.direction)
	w.val("proxy", r.proxy)
	w.val("mtls", r.mtls)
	w.val("egress", r.egress)

	if present(r.method) || present(r.status) || present(r.path) {
		w.key("http")
		h := jsonObject{b: append(w.b, '{')}
		h.val("method", r.method)
		if present(r.path) {
			h.key("url")
			h.b = append(h.b, '"')
			h.b = appendJSONChars(h.b, r.path.AsString())
			if present(r.query) {
				h.b = append(h.b, '?')
				h.b = appendJSONChars(h.b, e.opts.redactor.redact(r.query.AsString()))
			}
			h.b = append(h.b, '"')
		}
		if present(r.host) {
			h.key("host")
			h.b = append(h.b, '"')
			h.b = appendJSONChars(h.b, r.host.AsString())
			if p, ok := intOf(r.hostPort); ok {
				h.b = append(h.b, ':')
				h.b = strconv.AppendInt(h.b, p, 10)
			}
			h.b = append(h.b, '"')
		}
		h.val("path", r.path)
		h.val("status", r.status)
		h.val("user_agent", r.userAgent)
		h.val("request_id", r.requestID)
		h.val("xff", r.xff)
		h.val("request_size", r.reqSize)
		h.val("response_size", r.respSize)
		e.appendHeaders(&h, r)
		w.b = append(h.b, '}')
	}
	if present(r.flags) || present(r.codeDetails) || present(r.cluster) || present(r.route) {
		w.key("envoy")
		o := jsonObject{b: append(w.b, '{')}
		o.val("response_flags", r.flags)
		o.val("code_details", r.codeDetails)
		o.val("termination_details", r.termDetails)
		o.val("cluster", r.cluster)
		o.val("route", r.route)
		w.b = append(o.b, '}')
	}
	if present(r.tlsVersion) || present(r.tlsCipher) || present(r.tlsSNI) {
		w.key("tls")
		o := jsonObject{b: append(w.b, '{')}
		o.val("version", r.tlsVersion)
		o.val("cipher", r.tlsCipher)
		o.val("sni", r.tlsSNI)
		w.b = append(o.b, '}')
	}
	return append(w.b, '}')
}

// appendHeaders writes the include_headers that the record holds: request
// headers as http.headers, response headers as http.response_headers.
func (e jsonEncoder) appendHeaders(h *jsonObject, r *record) {
	if len(e.opts.headers) == 0 {
		return
	}
	for _, response := range [2]bool{false, true} {
		var inner jsonObject
		open := false
		for _, hk := range e.opts.headers {
			key := hk.requestKey
			if response {
				key = hk.responseKey
			}
			v, ok := r.attrs.Get(key)
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

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Control bytes, DEL, and the
// Unicode line and paragraph separators (which some readers treat as line
// ends) are escaped; invalid UTF-8 becomes U+FFFD so that the output is
// always valid JSON on one line.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendJSONChars(b, s)
	return append(b, '"')
}

// appendJSONChars appends s escaped for the inside of a JSON string.
func appendJSONChars(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < 0x7f {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			b = append(b, s[start:i]...)
			switch r {
			case '\u2028':
				b = append(b, `\u2028`...)
			case '\u2029':
				b = append(b, `\u2029`...)
			case '\u0085':
				b = append(b, `\u0085`...)
			default:
				b = append(b, `\ufffd`...)
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(b, s[start:]...)
}

// timeGenerated is when the session ended: its start plus its duration.
func (r *record) timeGenerated() pcommon.Timestamp {
	if r.start == 0 {
		return 0
	}
	if ms, ok := intOf(r.durationMs); ok && ms > 0 {
		return r.start + pcommon.Timestamp(ms*int64(time.Millisecond))
	}
	return r.start
}

// app names the application the way PAN-OS App-ID would for mesh traffic.
func (r *record) app() string {
	if present(r.protoName) {
		name := r.protoName.AsString()
		if v := r.protoVersion.AsString(); v == "2" || v == "3" {
			return name + v
		}
		return name
	}
	if r.tlsEstablished.Type() == pcommon.ValueTypeBool && r.tlsEstablished.Bool() {
		return "ssl"
	}
	if r.event == fields.EventTCP {
		return "tcp"
	}
	return ""
}

// localPod is the proxy's own pod when it is a sidecar: the destination of
// inbound traffic, the source of outbound traffic.
func (r *record) localPod() (pod, ns string, ok bool) {
	if r.proxy.Str() != "sidecar" || !present(r.pod) || !present(r.direction) {
		return "", "", false
	}
	return r.pod.AsString(), r.namespace.AsString(), true
}
