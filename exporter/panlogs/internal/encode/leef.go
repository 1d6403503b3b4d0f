package encode // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/encode"

import (
	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/record"
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

// leefFormat writes "LEEF:2.0|Palo Alto Networks|otelcol-pan|<version>|TRAFFIC|^|<attributes>"
// with LEEF's predefined keys where one fits (devTime, src, dst, srcPort,
// dstPort, dstPostNAT, proto, usrName, srcBytes, dstBytes, totalBytes,
// policy, url, cat, sev) and PAN-OS names for the rest.
type leefFormat struct {
	s *settings
}

func (f leefFormat) appendRecord(b []byte, r *record.Record, prefix string, _ *Scratch) []byte {
	b = append(b, "LEEF:2.0|Palo Alto Networks|otelcol-pan|"...)
	b = leefHeaderEscaper.append(b, f.s.version)
	b = append(b, '|')
	b = append(b, logType...)
	b = append(b, '|', leefDelimiter, '|')

	w := kvWriter{b: b, sep: leefDelimiter, esc: leefValueEscaper}
	w.str("cat", subtype(r))
	w.int("sev", int64(severity(r)))
	if r.Start != 0 {
		w.millis("devTime", r.TimeGenerated())
		w.str("devTimeFormat", "milliseconds")
	}
	if r.Observed != 0 {
		w.millis("receiveTime", r.Observed)
	}
	w.slot(r, "src", record.SrcAddr)
	w.slot(r, "srcPort", record.SrcPort)
	w.slot(r, "dst", record.DstAddr)
	w.slot(r, "dstPort", record.DstPort)
	w.slot(r, "dstPostNAT", record.NatAddr)
	w.slot(r, "dstPostNATPort", record.NatPort)
	w.slot(r, "proto", record.Transport)
	if app := r.App(); app != "" {
		w.str("app", app)
	}
	w.slot(r, "action", record.Action)
	w.slot(r, "policy", record.Rule)
	w.slot(r, "usrName", record.SrcPrincipal)
	w.slot(r, "dstUser", record.DstPrincipal)
	w.slot(r, "srcZone", record.SrcNamespace)
	w.val("dstZone", toZone(r))
	w.slot(r, "srcWorkload", record.SrcWorkload)
	w.slot(r, "dstWorkload", record.DstWorkload)
	if sent, recv, ok := r.BytesSentReceived(); ok {
		w.int("srcBytes", sent)
		w.int("dstBytes", recv)
		w.int("totalBytes", sent+recv)
	}
	w.slot(r, "elapsedMs", record.DurationMs)
	w.slot(r, "sessionEndReason", record.EndReason)
	w.slot(r, "direction", record.Direction)
	w.slot(r, "method", record.Method)
	w.url("url", r, f.s.redactor)
	w.slot(r, "host", record.Host)
	w.slot(r, "userAgent", record.UserAgent)
	w.slot(r, "status", record.Status)
	if f.s.prefixField {
		w.str("prefix", prefix)
	}
	return w.b
}
