package encode // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/encode"

import (
	"bytes"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/record"
)

// csvEscaper: CSV has no escape of its own but quoting, and a quoted field
// may hold a line break, which would split the record for every line-based
// reader; so control bytes are backslash-escaped first, then the field is
// quoted per RFC 4180 when it holds a comma or a quote.
var csvEscaper = newEscaper(false)

// csvFormat writes PAN-OS TRAFFIC log lines in the documented column order
// (columns 1 to 47, through session_end_reason); a column the mesh has no
// fact for is empty. It has no field for the prefix.
type csvFormat struct{}

func (csvFormat) appendRecord(b []byte, r *record.Record, _ string, _ *Scratch) []byte {
	w := csvLine{b: b}
	w.skip(1)                                          // 1 FUTURE_USE
	w.raw(appendPANTime(w.start(), r.Observed))        // 2 receive time
	w.skip(1)                                          // 3 serial number
	w.str(logType)                                     // 4 type
	w.str(subtype(r))                                  // 5 subtype
	w.skip(1)                                          // 6 FUTURE_USE
	w.raw(appendPANTime(w.start(), r.TimeGenerated())) // 7 generated time
	w.slot(r, record.SrcAddr)                          // 8 source address
	w.slot(r, record.DstAddr)                          // 9 destination address
	w.skip(1)                                          // 10 NAT source IP
	w.slot(r, record.NatAddr)                          // 11 NAT destination IP
	w.slot(r, record.Rule)                             // 12 rule name
	w.slot(r, record.SrcPrincipal)                     // 13 source user
	w.slot(r, record.DstPrincipal)                     // 14 destination user
	w.str(r.App())                                     // 15 application
	w.skip(1)                                          // 16 virtual system
	w.slot(r, record.SrcNamespace)                     // 17 source zone
	w.val(toZone(r))                                   // 18 destination zone
	w.skip(5)                                          // 19 inbound, 20 outbound interface, 21 log action, 22 FUTURE_USE, 23 session ID
	w.str("1")                                         // 24 repeat count
	w.slot(r, record.SrcPort)                          // 25 source port
	w.slot(r, record.DstPort)                          // 26 destination port
	w.skip(1)                                          // 27 NAT source port
	w.slot(r, record.NatPort)                          // 28 NAT destination port
	w.skip(1)                                          // 29 flags
	w.slot(r, record.Transport)                        // 30 protocol
	w.slot(r, record.Action)                           // 31 action
	if sent, recv, ok := r.BytesSentReceived(); ok {
		w.int(sent + recv) // 32 bytes
		w.int(sent)        // 33 bytes sent
		w.int(recv)        // 34 bytes received
	} else {
		w.skip(3)
	}
	w.skip(1)                                   // 35 packets
	w.raw(appendPANTime(w.start(), r.Start))    // 36 start time
	if ms, ok := r.Int(record.DurationMs); ok { // 37 elapsed time (seconds)
		w.int(ms / 1000)
	} else {
		w.skip(1)
	}
	w.skip(9)                   // 38 category, 39 FUTURE_USE, 40 sequence number, 41 action flags, 42 source and 43 destination location, 44 FUTURE_USE, 45 packets sent, 46 received
	w.slot(r, record.EndReason) // 47 session end reason
	return w.b
}

// csvLine appends comma-separated fields.
type csvLine struct {
	b []byte
	n int
}

// start begins a field and returns the buffer to append its raw bytes to.
func (w *csvLine) start() []byte {
	if w.n > 0 {
		w.b = append(w.b, ',')
	}
	w.n++
	return w.b
}

func (w *csvLine) raw(b []byte) { w.b = b }

// skip writes n empty fields.
func (w *csvLine) skip(n int) {
	for range n {
		w.start()
	}
}

func (w *csvLine) int(v int64) { w.b = strconv.AppendInt(w.start(), v, 10) }

func (w *csvLine) str(s string) { w.field(s) }

func (w *csvLine) slot(r *record.Record, s record.Slot) { w.val(r.Get(s)) }

func (w *csvLine) val(v pcommon.Value) {
	switch v.Type() {
	case pcommon.ValueTypeInt:
		w.int(v.Int())
	case pcommon.ValueTypeEmpty:
		w.start()
	case pcommon.ValueTypeStr:
		w.field(v.Str())
	default:
		w.field(v.AsString())
	}
}

// field escapes s and quotes it when it holds a comma or a double quote.
func (w *csvLine) field(s string) {
	b := w.start()
	mark := len(b)
	b = csvEscaper.append(b, s)
	if bytes.IndexByte(b[mark:], ',') >= 0 || bytes.IndexByte(b[mark:], '"') >= 0 {
		esc := append([]byte(nil), b[mark:]...)
		b = append(b[:mark], '"')
		for _, c := range esc {
			if c == '"' {
				b = append(b, '"')
			}
			b = append(b, c)
		}
		b = append(b, '"')
	}
	w.b = b
}
