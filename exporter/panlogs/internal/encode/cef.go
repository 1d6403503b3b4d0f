package encode // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/encode"

import (
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/record"
	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
)

// CEF escaping (ArcSight CEF spec): in the header '\' and '|' are escaped
// (headerEscaper); in extension values '\' and '=', and line breaks as \n
// and \r. Tabs may stay.
var cefValueEscaper = newEscaper(true, [2]byte{'=', '='})

// cefFormat writes "CEF:0|Palo Alto Networks|otelcol-pan|<version>|TRAFFIC|<subtype>|<severity>|<extension>",
// with the extension keys PAN-OS's own CEF traffic format uses where one fits.
type cefFormat struct {
	s *settings
}

func (f cefFormat) appendRecord(b []byte, r *record.Record, prefix string, _ *Scratch) []byte {
	b = appendHeader(b, "CEF:0", f.s.version)
	b = append(b, subtype(r)...)
	b = append(b, '|')
	b = strconv.AppendInt(b, int64(severity(r)), 10)
	b = append(b, '|')

	w := kvWriter{b: b, sep: ' ', esc: cefValueEscaper}
	if r.Observed != 0 {
		w.millis("rt", r.Observed)
	}
	if r.Start != 0 {
		w.millis("start", r.Start)
		w.millis("end", r.TimeGenerated())
	}
	w.fields(r, cefConnection)
	if app := r.App(); app != "" {
		w.str("app", app)
	}
	w.slot(r, "act", record.Action)
	w.label("cs1", "Rule", r.Get(record.Rule))
	w.fields(r, cefUsers)
	w.label("cs4", "Source Zone", r.Get(record.SrcNamespace))
	w.label("cs5", "Destination Zone", toZone(r))
	w.label("cs2", "Source Workload", r.Get(record.SrcWorkload))
	w.label("cs3", "Destination Workload", r.Get(record.DstWorkload))
	if sent, recv, ok := r.BytesSentReceived(); ok {
		w.int("in", sent)
		w.int("out", recv)
	}
	if ms, ok := r.Int(record.DurationMs); ok {
		w.str("cn1Label", "Elapsed ms")
		w.int("cn1", ms)
	}
	w.fields(r, cefRequest)
	w.url("request", r, f.s.redactor)
	w.fields(r, cefClient)
	w.label("cn2", "HTTP Status", r.Get(record.Status))
	w.val("deviceDirection", cefDirection(r))
	if f.s.prefixField {
		w.str("cs6Label", "Prefix")
		w.str("cs6", prefix)
	}
	return w.b
}

// The facts CEF writes as the record holds them, by key, in their order on
// the line.
var (
	cefConnection = []field{{"src", record.SrcAddr}, {"spt", record.SrcPort}, {"dst", record.DstAddr}, {"dpt", record.DstPort}, {"destinationTranslatedAddress", record.NatAddr}, {"destinationTranslatedPort", record.NatPort}, {"proto", record.Transport}}
	cefUsers      = []field{{"suser", record.SrcPrincipal}, {"duser", record.DstPrincipal}}
	cefRequest    = []field{{"reason", record.EndReason}, {"requestMethod", record.Method}}
	cefClient     = []field{{"dhost", record.Host}, {"requestClientApplication", record.UserAgent}}
)

var (
	cefInbound  = pcommon.NewValueInt(0)
	cefOutbound = pcommon.NewValueInt(1)
	noValue     = pcommon.NewValueEmpty()
)

// cefDirection is CEF's deviceDirection: 0 inbound, 1 outbound.
func cefDirection(r *record.Record) pcommon.Value {
	switch r.Direction() {
	case mesh.Inbound:
		return cefInbound
	case mesh.Outbound:
		return cefOutbound
	}
	return noValue
}

// label writes a CEF custom field with its label (csNLabel=…, csN=…).
func (w *kvWriter) label(k, label string, v pcommon.Value) {
	if v.Type() == pcommon.ValueTypeEmpty {
		return
	}
	w.key(k + "Label")
	w.b = append(w.b, label...)
	w.val(k, v)
}
