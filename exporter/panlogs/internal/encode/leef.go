package encode // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/encode"

import (
	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/record"
)

// leefDelimiter separates LEEF 2.0 attributes; the header declares it. A
// caret, not LEEF's default tab, so that tabs inside values stay harmless.
const leefDelimiter = '^'

// LEEF escaping: '\' and the delimiter are backslash-escaped in values, '|'
// and '\' in the header (headerEscaper), and line breaks as \n and \r
// everywhere.
var leefValueEscaper = newEscaper(true, [2]byte{leefDelimiter, leefDelimiter})

// leefFormat writes "LEEF:2.0|Palo Alto Networks|otelcol-pan|<version>|TRAFFIC|^|<attributes>"
// with LEEF's predefined keys where one fits (devTime, src, dst, srcPort,
// dstPort, dstPostNAT, proto, usrName, srcBytes, dstBytes, totalBytes,
// policy, url, cat, sev) and PAN-OS names for the rest.
type leefFormat struct {
	s *settings
}

func (f leefFormat) appendRecord(b []byte, r *record.Record, prefix string, _ *Scratch) []byte {
	b = appendHeader(b, "LEEF:2.0", f.s.version)
	b = append(b, leefDelimiter, '|')

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
	w.fields(r, leefConnection)
	if app := r.App(); app != "" {
		w.str("app", app)
	}
	w.fields(r, leefVerdict)
	w.val("dstZone", toZone(r))
	w.fields(r, leefWorkloads)
	if sent, recv, ok := r.BytesSentReceived(); ok {
		w.int("srcBytes", sent)
		w.int("dstBytes", recv)
		w.int("totalBytes", sent+recv)
	}
	w.fields(r, leefSession)
	w.url("url", r, f.s.redactor)
	w.fields(r, leefHTTP)
	if f.s.prefixField {
		w.str("prefix", prefix)
	}
	return w.b
}

// The facts LEEF writes as the record holds them, by key, in their order on
// the line.
var (
	leefConnection = []field{{"src", record.SrcAddr}, {"srcPort", record.SrcPort}, {"dst", record.DstAddr}, {"dstPort", record.DstPort}, {"dstPostNAT", record.NatAddr}, {"dstPostNATPort", record.NatPort}, {"proto", record.Transport}}
	leefVerdict    = []field{{"action", record.Action}, {"policy", record.Rule}, {"usrName", record.SrcPrincipal}, {"dstUser", record.DstPrincipal}, {"srcZone", record.SrcNamespace}}
	leefWorkloads  = []field{{"srcWorkload", record.SrcWorkload}, {"dstWorkload", record.DstWorkload}}
	leefSession    = []field{{"elapsedMs", record.DurationMs}, {"sessionEndReason", record.EndReason}, {"direction", record.Direction}, {"method", record.Method}}
	leefHTTP       = []field{{"host", record.Host}, {"userAgent", record.UserAgent}, {"status", record.Status}}
)
