package panlogs // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs"

import (
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// CEF escaping (ArcSight CEF spec): in the header '\' and '|' are escaped; in
// extension values '\' and '=', and line breaks as \n and \r. Tabs may stay.
var (
	cefHeaderEscaper = newEscaper(true, [2]byte{'|', '|'})
	cefValueEscaper  = newEscaper(true, [2]byte{'=', '='})
)

// cefEncoder writes "CEF:0|Palo Alto Networks|otelcol-pan|<version>|TRAFFIC|<subtype>|<severity>|<extension>",
// with the extension keys PAN-OS's own CEF traffic format uses where one fits.
type cefEncoder struct {
	opts *encodeOptions
}

func (e cefEncoder) appendRecord(b []byte, r *record, prefix string) []byte {
	b = append(b, "CEF:0|Palo Alto Networks|otelcol-pan|"...)
	b = cefHeaderEscaper.append(b, e.opts.version)
	b = append(b, "|TRAFFIC|"...)
	b = append(b, r.subtype()...)
	b = append(b, '|')
	b = strconv.AppendInt(b, int64(r.severity()), 10)
	b = append(b, '|')

	w := kvWriter{b: b, sep: ' ', esc: cefValueEscaper}
	if r.observed != 0 {
		w.key("rt")
		w.b = appendMillis(w.b, r.observed)
	}
	if r.start != 0 {
		w.key("start")
		w.b = appendMillis(w.b, r.start)
		w.key("end")
		w.b = appendMillis(w.b, r.timeGenerated())
	}
	w.val("src", r.srcAddr)
	w.val("spt", r.srcPort)
	w.val("dst", r.dstAddr)
	w.val("dpt", r.dstPort)
	w.val("destinationTranslatedAddress", r.natAddr)
	w.val("destinationTranslatedPort", r.natPort)
	w.val("proto", r.transport)
	if app := r.app(); app != "" {
		w.str("app", app)
	}
	w.val("act", r.action)
	w.label("cs1", "Rule", r.rule)
	w.val("suser", r.srcPrincipal)
	w.val("duser", r.dstPrincipal)
	w.label("cs4", "Source Zone", r.srcNamespace)
	w.label("cs5", "Destination Zone", r.toZone())
	w.label("cs2", "Source Workload", r.srcWorkload)
	w.label("cs3", "Destination Workload", r.dstWorkload)
	if sent, recv, ok := r.bytesSentReceived(); ok {
		w.key("in")
		w.b = strconv.AppendInt(w.b, sent, 10)
		w.key("out")
		w.b = strconv.AppendInt(w.b, recv, 10)
	}
	if ms, ok := intOf(r.durationMs); ok {
		w.key("cn1Label")
		w.b = append(w.b, "Elapsed ms"...)
		w.key("cn1")
		w.b = strconv.AppendInt(w.b, ms, 10)
	}
	w.val("reason", r.endReason)
	w.val("requestMethod", r.method)
	if present(r.path) {
		w.key("request")
		w.b, _ = e.opts.redactor.appendURL(w.b, r, w.esc)
	}
	w.val("dhost", r.host)
	w.val("requestClientApplication", r.userAgent)
	w.label("cn2", "HTTP Status", r.status)
	w.val("deviceDirection", r.cefDirection())
	if e.opts.prefixField {
		w.key("cs6Label")
		w.b = append(w.b, "Prefix"...)
		w.str("cs6", prefix)
	}
	return w.b
}

// severity: 7 for denials, 5 for resets, 3 otherwise (CEF's 0–10 scale).
func (r *record) severity() int {
	if r.isDeny() {
		return 7
	}
	if r.action.Type() == pcommon.ValueTypeStr && strings.HasPrefix(r.action.Str(), "reset-") {
		return 5
	}
	return 3
}

var (
	cefInbound  = pcommon.NewValueInt(0)
	cefOutbound = pcommon.NewValueInt(1)
	noValue     = pcommon.NewValueEmpty()
)

// cefDirection is CEF's deviceDirection: 0 inbound, 1 outbound.
func (r *record) cefDirection() pcommon.Value {
	if r.direction.Type() != pcommon.ValueTypeStr {
		return noValue
	}
	switch r.direction.Str() {
	case "inbound":
		return cefInbound
	case "outbound":
		return cefOutbound
	}
	return noValue
}

// kvWriter appends key=value pairs separated by sep, values escaped.
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

func (w *kvWriter) val(k string, v pcommon.Value) {
	if !present(v) {
		return
	}
	w.key(k)
	w.b = appendValue(w.b, v, w.esc)
}

// label writes a CEF custom field with its label (csNLabel=…, csN=…).
func (w *kvWriter) label(k, label string, v pcommon.Value) {
	if !present(v) {
		return
	}
	w.key(k + "Label")
	w.b = append(w.b, label...)
	w.val(k, v)
}
