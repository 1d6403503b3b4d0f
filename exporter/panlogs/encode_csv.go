package panlogs // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs"

import (
	"bytes"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// csvEscaper: CSV has no escape of its own but quoting, and a quoted field
// may hold a line break, which would split the record for every line-based
// reader; so control bytes are backslash-escaped first, then the field is
// quoted per RFC 4180 when it holds a comma or a quote.
var csvEscaper = newEscaper(false)

// csvEncoder writes PAN-OS TRAFFIC log lines in the documented column order
// (columns 1 to 47, through session_end_reason); a column the mesh has no
// fact for is empty.
type csvEncoder struct {
	opts *encodeOptions
}

func (e csvEncoder) appendRecord(b []byte, r *record, _ string) []byte {
	w := csvLine{b: b}
	w.str("")                                   // 1 FUTURE_USE
	w.raw(appendPANTime(w.start(), r.observed)) // 2 receive time
	w.str("")                                   // 3 serial number
	w.str("TRAFFIC")                            // 4 type
	w.str(r.subtype())                          // 5 subtype
	w.str("")                                   // 6 FUTURE_USE
	w.raw(appendPANTime(w.start(), r.timeGenerated()))
	w.val(r.srcAddr)      // 8 source address
	w.val(r.dstAddr)      // 9 destination address
	w.str("")             // 10 NAT source IP
	w.val(r.natAddr)      // 11 NAT destination IP
	w.val(r.rule)         // 12 rule name
	w.val(r.srcPrincipal) // 13 source user
	w.val(r.dstPrincipal) // 14 destination user
	w.str(r.app())        // 15 application
	w.str("")             // 16 virtual system
	w.val(r.srcNamespace) // 17 source zone
	w.val(r.toZone())     // 18 destination zone
	w.str("")             // 19 inbound interface
	w.str("")             // 20 outbound interface
	w.str("")             // 21 log action
	w.str("")             // 22 FUTURE_USE
	w.str("")             // 23 session ID
	w.str("1")            // 24 repeat count
	w.val(r.srcPort)      // 25 source port
	w.val(r.dstPort)      // 26 destination port
	w.str("")             // 27 NAT source port
	w.val(r.natPort)      // 28 NAT destination port
	w.str("")             // 29 flags
	w.val(r.transport)    // 30 protocol
	w.val(r.action)       // 31 action
	if sent, recv, ok := r.bytesSentReceived(); ok {
		w.int(sent + recv) // 32 bytes
		w.int(sent)        // 33 bytes sent
		w.int(recv)        // 34 bytes received
	} else {
		w.str("")
		w.str("")
		w.str("")
	}
	w.str("")                                // 35 packets
	w.raw(appendPANTime(w.start(), r.start)) // 36 start time
	if ms, ok := intOf(r.durationMs); ok {   // 37 elapsed time (seconds)
		w.int(ms / 1000)
	} else {
		w.str("")
	}
	w.str("")          // 38 category
	w.str("")          // 39 FUTURE_USE
	w.str("")          // 40 sequence number
	w.str("")          // 41 action flags
	w.str("")          // 42 source location
	w.str("")          // 43 destination location
	w.str("")          // 44 FUTURE_USE
	w.str("")          // 45 packets sent
	w.str("")          // 46 packets received
	w.val(r.endReason) // 47 session end reason
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

func (w *csvLine) int(v int64) { w.b = strconv.AppendInt(w.start(), v, 10) }

func (w *csvLine) str(s string) { w.field(s) }

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
