package encode // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/encode"

import (
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/record"
)

// PAN-OS's view of a record, shared by every format.

// The TRAFFIC log's type and subtypes.
const (
	logType        = "TRAFFIC"
	subtypeEnd     = "end"
	subtypeDeny    = "deny"
	externalZone   = "external"
	timeFormatPAN  = "2006/01/02 15:04:05"
	severityDeny   = 7 // CEF's 0–10 scale, as LEEF's sev
	severityReset  = 5
	severityNormal = 3
)

// headerEscaper escapes the header fields of CEF and LEEF: '\' and '|'.
var headerEscaper = newEscaper(true, [2]byte{'|', '|'})

// appendHeader writes the start of a CEF or LEEF header, the same in both:
// "<magic>|Palo Alto Networks|otelcol-pan|<version>|TRAFFIC|".
func appendHeader(b []byte, magic, version string) []byte {
	b = append(b, magic...)
	b = append(b, "|Palo Alto Networks|otelcol-pan|"...)
	b = headerEscaper.append(b, version)
	b = append(b, '|')
	b = append(b, logType...)
	return append(b, '|')
}

// subtype is PAN-OS's TRAFFIC subtype.
func subtype(r *record.Record) string {
	if r.IsDenial() {
		return subtypeDeny
	}
	return subtypeEnd
}

var externalValue = pcommon.NewValueStr(externalZone)

// toZone is the destination "zone": its namespace, or external for egress.
func toZone(r *record.Record) pcommon.Value {
	if r.IsEgress() && !r.Has(record.DstNamespace) {
		return externalValue
	}
	return r.Get(record.DstNamespace)
}

// severity: 7 for denials, 5 for resets, 3 otherwise.
func severity(r *record.Record) int {
	switch {
	case r.IsDenial():
		return severityDeny
	case r.IsReset():
		return severityReset
	}
	return severityNormal
}

// SyslogSeverity is the syslog severity of a record: warning (4) for
// denials and resets, informational (6) else.
func SyslogSeverity(r *record.Record) int {
	if severity(r) > severityNormal {
		return 4
	}
	return 6
}

// appendValue appends an attribute's text through an escaper; numbers and
// booleans need no escaping.
func appendValue(b []byte, v pcommon.Value, esc *escaper) []byte {
	switch v.Type() {
	case pcommon.ValueTypeEmpty:
		return b
	case pcommon.ValueTypeStr:
		return esc.append(b, v.Str())
	case pcommon.ValueTypeInt:
		return strconv.AppendInt(b, v.Int(), 10)
	case pcommon.ValueTypeBool:
		return strconv.AppendBool(b, v.Bool())
	case pcommon.ValueTypeDouble:
		return strconv.AppendFloat(b, v.Double(), 'f', -1, 64)
	}
	return esc.append(b, v.AsString())
}

// appendPANTime writes PAN-OS's "YYYY/MM/DD HH:MM:SS" in UTC.
func appendPANTime(b []byte, ts pcommon.Timestamp) []byte {
	if ts == 0 {
		return b
	}
	return ts.AsTime().UTC().AppendFormat(b, timeFormatPAN)
}

// appendMillis writes a timestamp as Unix milliseconds (CEF rt/start/end).
func appendMillis(b []byte, ts pcommon.Timestamp) []byte {
	return strconv.AppendInt(b, int64(ts)/int64(time.Millisecond), 10)
}

// appendURL writes the request target as Envoy saw it, the parameters red
// names masked, through esc.
func appendURL(b []byte, r *record.Record, red *urlRedactor, esc *escaper) []byte {
	b = esc.append(b, r.Get(record.Path).AsString())
	if r.Has(record.Query) {
		b = append(b, '?')
		b = esc.append(b, red.redact(r.Get(record.Query).AsString()))
	}
	return b
}

// kvWriter appends key=value pairs separated by sep, values escaped (CEF's
// extension, LEEF's attributes).
type kvWriter struct {
	b    []byte
	sep  byte
	esc  *escaper
	more bool
}

func (w *kvWriter) key(k string) {
	if w.more {
		w.b = append(w.b, w.sep)
	}
	w.more = true
	w.b = append(w.b, k...)
	w.b = append(w.b, '=')
}

func (w *kvWriter) str(k, v string) {
	w.key(k)
	w.b = w.esc.append(w.b, v)
}

func (w *kvWriter) int(k string, v int64) {
	w.key(k)
	w.b = strconv.AppendInt(w.b, v, 10)
}

func (w *kvWriter) millis(k string, ts pcommon.Timestamp) {
	w.key(k)
	w.b = appendMillis(w.b, ts)
}

func (w *kvWriter) val(k string, v pcommon.Value) {
	if v.Type() == pcommon.ValueTypeEmpty {
		return
	}
	w.key(k)
	w.b = appendValue(w.b, v, w.esc)
}

// slot writes the fact in slot s under k, when present.
func (w *kvWriter) slot(r *record.Record, k string, s record.Slot) { w.val(k, r.Get(s)) }

// fields writes the facts of fs that are present, in order.
func (w *kvWriter) fields(r *record.Record, fs []field) {
	for _, f := range fs {
		w.val(f.key, r.Get(f.slot))
	}
}

// field is a fact a format writes as the record holds it, under its own key.
type field struct {
	key  string
	slot record.Slot
}

// url writes the request target under k, when the record has a path.
func (w *kvWriter) url(k string, r *record.Record, red *urlRedactor) {
	if r.Has(record.Path) {
		w.key(k)
		w.b = appendURL(w.b, r, red, w.esc)
	}
}
