package panlogs // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs"

import (
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Helpers shared by the text formats (pan_csv, cef, leef).

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
	return ts.AsTime().UTC().AppendFormat(b, "2006/01/02 15:04:05")
}

// appendMillis writes a timestamp as Unix milliseconds (CEF rt/start/end).
func appendMillis(b []byte, ts pcommon.Timestamp) []byte {
	return strconv.AppendInt(b, int64(ts)/int64(time.Millisecond), 10)
}

// subtype is PAN-OS's TRAFFIC subtype.
func (r *record) subtype() string {
	if r.isDeny() {
		return "deny"
	}
	return "end"
}

// toZone is the destination "zone": its namespace, or external for egress.
func (r *record) toZone() pcommon.Value {
	if r.isEgress() && !present(r.dstNamespace) {
		return externalValue
	}
	return r.dstNamespace
}

var externalValue = pcommon.NewValueStr("external")

// appendURL writes the request target as Envoy saw it, redacted parameters
// masked, through esc; ok is false when the record has no path.
func (e *urlRedactor) appendURL(b []byte, r *record, esc *escaper) ([]byte, bool) {
	if !present(r.path) {
		return b, false
	}
	b = esc.append(b, r.path.AsString())
	if present(r.query) {
		b = append(b, '?')
		b = esc.append(b, e.redact(r.query.AsString()))
	}
	return b, true
}
