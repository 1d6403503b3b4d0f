// Package encode writes panlogs' record view as one line of a Palo Alto
// Networks log format or of OCSF. Each format is one file here (json.go,
// csv.go, cef.go, leef.go, ocsf.go) with its escaping, its golden file under
// testdata/ and a parser in the tests that reads every line back (OCSF's
// lines are also checked against the schema, internal/ocsfschema); what
// formats share (escaping, the time caches, query redaction, PAN-OS's facts
// such as the subtype and the zone) sits beside them.
//
// A new format is a type with an appendRecord method (see format), a name in
// Formats and a case in New; the exporter needs no change beyond its config
// accepting the name.
package encode // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/encode"

import (
	"fmt"
	"slices"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/record"
	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/rfc3339"
	"github.com/otelcol-pan/otelcol-pan/internal/fields"
	"github.com/otelcol-pan/otelcol-pan/internal/prefix"
)

// Format names, the exporter's format values; Formats lists them in the
// order the documentation gives them.
const JSON, PANCSV, CEF, LEEF, OCSF = "json", "pan_csv", "cef", "leef", "ocsf"

var Formats = []string{JSON, PANCSV, CEF, LEEF, OCSF}

// Prefix modes: where the search prefix goes.
const (
	// PrefixLine writes "<prefix> <record>".
	PrefixLine = "line"
	// PrefixField writes the prefix inside the record, in the format's own
	// field for it.
	PrefixField = "field"
	// PrefixNone leaves it out.
	PrefixNone = "none"
)

// Options are what the encoders take from the configuration.
type Options struct {
	Format     string
	PrefixMode string
	// Prefix is the prefix of records that carry no pan.prefix.
	Prefix string
	// RedactQueryParams are query parameters whose values are masked.
	RedactQueryParams []string
	// IncludeHeaders are logged headers the json format writes (names are
	// case-insensitive).
	IncludeHeaders []string
	// Version is the distribution's, written in the CEF and LEEF headers
	// and as OCSF's metadata.product.version.
	Version string
}

// settings are the Options as the formats read them.
type settings struct {
	prefixField bool
	redactor    *urlRedactor
	version     string
	headers     []headerKey
}

// headerKey is an include_headers entry with its attribute keys precomputed.
type headerKey struct {
	name, requestKey, responseKey string
}

// in is the header's value in the record, the request's or the response's.
func (hk headerKey) in(r *record.Record, response bool) (pcommon.Value, bool) {
	if response {
		return r.Attributes().Get(hk.responseKey)
	}
	return r.Attributes().Get(hk.requestKey)
}

// format appends one record, without the line prefix or the newline.
// prefix is the record's prefix (written when prefix_mode is field).
type format interface {
	appendRecord(b []byte, r *record.Record, prefix string, sc *Scratch) []byte
}

// Encoder writes records as lines of one format.
type Encoder struct {
	f          format
	prefixLine bool
	prefix     string
}

// New builds the encoder for o.
func New(o Options) (*Encoder, error) {
	s := &settings{
		prefixField: o.PrefixMode == PrefixField,
		redactor:    newURLRedactor(o.RedactQueryParams),
		version:     o.Version,
	}
	for _, h := range o.IncludeHeaders {
		h = strings.ToLower(h)
		s.headers = append(s.headers, headerKey{name: h, requestKey: fields.HTTPRequestHeaderPfx + h, responseKey: fields.HTTPResponseHeaderPfx + h})
	}
	e := &Encoder{prefixLine: o.PrefixMode == PrefixLine, prefix: o.Prefix}
	switch o.Format {
	case JSON:
		e.f = jsonFormat{s}
	case PANCSV:
		e.f = csvFormat{}
	case CEF:
		e.f = cefFormat{s}
	case LEEF:
		e.f = leefFormat{s}
	case OCSF:
		e.f = newOCSFFormat(s)
	default:
		return nil, fmt.Errorf("format %q is not one of %s", o.Format, strings.Join(Formats, ", "))
	}
	if !slices.Contains([]string{PrefixLine, PrefixField, PrefixNone}, o.PrefixMode) {
		return nil, fmt.Errorf("prefix mode %q is not one of line, field, none", o.PrefixMode)
	}
	return e, nil
}

// Scratch is what encoding keeps from record to record: the formatted
// second of each clock. One per goroutine (an exporter's batch), never
// shared.
type Scratch struct {
	// Two clocks: receive times and session times each stay in one second
	// across a batch, so each keeps its formatted second.
	received, session rfc3339.Cache
	// OCSF's logged_time: the receive time in milliseconds, formatted.
	loggedMs   int64
	loggedText []byte
}

// Line is where AppendLine put a record.
type Line struct {
	// End is where the line ends, before its newline.
	End int
	// Prefix is the record's prefix: its pan.prefix made safe, else the
	// configured one.
	Prefix string
}

// AppendLine appends one record as a line: "<prefix> <record>\n" in prefix
// mode line, "<record>\n" otherwise.
func (e *Encoder) AppendLine(b []byte, r *record.Record, sc *Scratch) ([]byte, Line) {
	l := Line{Prefix: e.prefix}
	if p := r.Str(record.Prefix); p != "" {
		// Any producer may set pan.prefix (OTLP, a transform): the
		// exporter does not trust that paprefix did.
		l.Prefix = prefix.Sanitize(p)
	}
	if e.prefixLine {
		b = append(b, l.Prefix...)
		b = append(b, ' ')
	}
	b = e.f.appendRecord(b, r, l.Prefix, sc)
	l.End = len(b)
	return append(b, '\n'), l
}
