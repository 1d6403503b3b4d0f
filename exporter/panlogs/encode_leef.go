package panlogs // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs"

import (
	"strconv"
)

// leefDelimiter separates LEEF 2.0 attributes; the header declares it. A
// caret, not LEEF's default tab, so that tabs inside values stay harmless.
const leefDelimiter = '^'

// LEEF escaping: '\' and the delimiter are backslash-escaped in values, '|'
// and '\' in the header, and line breaks as \n and \r everywhere.
var (
	leefHeaderEscaper = newEscaper(true, [2]byte{'|', '|'})
	leefValueEscaper  = newEscaper(true, [2]byte{leefDelimiter, leefDelimiter})
)

// leefEncoder writes "LEEF:2.0|Palo Alto Networks|otelcol-pan|<version>|TRAFFIC|^|<attributes>"
// with LEEF's predefined keys where one fits (devTime, src, dst, srcPort,
// dstPort, dstPostNAT, proto, usrName, srcBytes, dstBytes, totalBytes,
// policy, url, cat, sev) and PAN-OS names for the rest.
type leefEncoder struct {
	opts *encodeOptions
}

func (e leefEncoder) appendRecord(b []byte, r *record, prefix string) []byte {
	b = append(b, "LEEF:2.0|Palo Alto Networks|otelcol-pan|"...)
	b = leefHeaderEscaper.append(b, e.opts.version)
	b = append(b, "|TRAFFIC|^|"...)

	w := kvWriter{b: b, sep: leefDelimiter, esc: leefValueEscaper}
	w.str("cat", r.subtype())
	w.key("sev")
	w.b = strconv.AppendInt(w.b, int64(r.severity()), 10)
	if r.start != 0 {
		w.key("devTime")
		w.b = appendMillis(w.b, r.timeGenerated())
		w.str("devTimeFormat", "milliseconds")
	}
	if r.observed != 0 {
		w.key("receiveTime")
		w.b = appendMillis(w.b, r.observed)
	}
	w.val("src", r.srcAddr)
	w.val("srcPort", r.srcPort)
	w.val("dst", r.dstAddr)
	w.val("dstPort", r.dstPort)
	w.val("dstPostNAT", r.natAddr)
	w.val("dstPostNATPort", r.natPort)
	w.val("proto", r.transport)
	if app := r.app(); app != "" {
		w.str("app", app)
	}
	w.val("action", r.action)
	w.val("policy", r.rule)
	w.val("usrName", r.srcPrincipal)
	w.val("dstUser", r.dstPrincipal)
	w.val("srcZone", r.srcNamespace)
	w.val("dstZone", r.toZone())
	w.val("srcWorkload", r.srcWorkload)
	w.val("dstWorkload", r.dstWorkload)
	if sent, recv, ok := r.bytesSentReceived(); ok {
		w.key("srcBytes")
		w.b = strconv.AppendInt(w.b, sent, 10)
		w.key("dstBytes")
		w.b = strconv.AppendInt(w.b, recv, 10)
		w.key("totalBytes")
		w.b = strconv.AppendInt(w.b, sent+recv, 10)
	}
	w.val("elapsedMs", r.durationMs)
	w.val("sessionEndReason", r.endReason)
	w.val("direction", r.direction)
	w.val("method", r.method)
	if present(r.path) {
		w.key("url")
		w.b, _ = e.opts.redactor.appendURL(w.b, r, w.esc)
	}
	w.val("host", r.host)
	w.val("userAgent", r.userAgent)
	w.val("status", r.status)
	if e.opts.prefixField {
		w.str("prefix", prefix)
	}
	return w.b
}
