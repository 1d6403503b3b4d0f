package paprefix // import "github.com/otelcol-pan/otelcol-pan/processor/paprefix"

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	pfx "github.com/otelcol-pan/otelcol-pan/internal/prefix"
)

// maxPrefixLen is the longest prefix (internal/prefix holds the rule).
const maxPrefixLen = pfx.MaxLen

// missingValue stands in for a placeholder whose attribute the record and its
// resource lack (or hold empty), so that a prefix never silently collapses into its neighbour
// ("mesh-" instead of "mesh-unknown").
const missingValue = "unknown"

// template is a prefix parsed once at start: literal text and %{attribute}
// placeholders, which take the record's attribute, else its resource's. Its
// literal text is already clean; only attribute values are sanitised per
// record.
type template struct {
	// static is the whole prefix when the template has no placeholder: the
	// hot path then sets it as is.
	static string
	parts  []part
}

type part struct {
	lit  string // literal text, or
	attr string // the attribute a placeholder takes,
	slot int    // and its slot in the record's view
}

// parseTemplate compiles s. Its errors do not name the YAML key; the caller
// knows it.
func parseTemplate(s string) (template, error) {
	if s == "" {
		return template{}, errors.New("must not be empty")
	}
	var t template
	literal := 0
	rest := s
	for rest != "" {
		at := len(s) - len(rest)
		i := strings.Index(rest, "%{")
		if i < 0 {
			t.parts = append(t.parts, part{lit: rest})
			literal += len(rest)
			break
		}
		if i > 0 {
			t.parts = append(t.parts, part{lit: rest[:i]})
			literal += i
		}
		end := strings.IndexByte(rest[i+2:], '}')
		if end < 0 {
			return template{}, fmt.Errorf("%q: unclosed %%{ at byte %d", s, at+i)
		}
		name := rest[i+2 : i+2+end]
		switch {
		case name == "":
			return template{}, fmt.Errorf("%q: empty placeholder %%{} at byte %d", s, at+i)
		case strings.ContainsAny(name, "{%"):
			return template{}, fmt.Errorf("%q: placeholder at byte %d holds %q; placeholders do not nest", s, at+i, name)
		case strings.TrimSpace(name) != name:
			// An attribute name never starts or ends with a space; a
			// placeholder that does would silently render "unknown".
			return template{}, fmt.Errorf("%q: placeholder name %q at byte %d has surrounding spaces", s, name, at+i)
		}
		t.parts = append(t.parts, part{attr: name})
		rest = rest[i+2+end+1:]
	}

	// Literal text that would need sanitising is a typing error, not
	// something to fix silently: the operator would search for a prefix
	// that never appears.
	for _, p := range t.parts {
		if p.attr != "" {
			continue
		}
		for j := 0; j < len(p.lit); j++ {
			if !pfx.Byte(p.lit[j]) {
				return template{}, fmt.Errorf("%q may only hold A-Z a-z 0-9 . _ - and %%{attribute} placeholders (%q is not allowed)", s, p.lit[j])
			}
		}
	}
	if len(t.parts) == 1 && t.parts[0].attr == "" {
		if len(s) > maxPrefixLen {
			return template{}, fmt.Errorf("%q is longer than %d bytes", s, maxPrefixLen)
		}
		t.static = s
		t.parts = nil
		return t, nil
	}
	if literal >= maxPrefixLen {
		return template{}, fmt.Errorf("%q: its fixed text is %d bytes, leaving no room for the placeholders within %d bytes", s, literal, maxPrefixLen)
	}
	return t, nil
}

func (t *template) assignSlots(a *attrSlots) {
	for i := range t.parts {
		if t.parts[i].attr != "" {
			t.parts[i].slot = a.add(t.parts[i].attr)
		}
	}
}

// render appends the prefix for a record to buf (which it expects empty) and
// returns it: at most maxPrefixLen bytes, all of them prefix bytes.
func (t *template) render(buf []byte, v *view) []byte {
	for _, p := range t.parts {
		if len(buf) >= maxPrefixLen {
			break
		}
		if p.attr == "" {
			buf = append(buf, p.lit...)
			continue
		}
		val, ok := v.get(p.slot)
		if !ok {
			buf = append(buf, missingValue...)
			continue
		}
		buf = appendValue(buf, val)
	}
	if len(buf) > maxPrefixLen {
		buf = buf[:maxPrefixLen]
	}
	return buf
}

// appendValue appends v sanitised. A value with no sensible text form
// (empty string, map, slice, bytes) renders as missingValue: a prefix is a
// search key, not a place for JSON or base64.
func appendValue(buf []byte, v pcommon.Value) []byte {
	start := len(buf)
	switch v.Type() {
	case pcommon.ValueTypeStr:
		s := v.Str()
		if s == "" {
			return append(buf, missingValue...)
		}
		// Bound the work on a hostile megabyte-long value: nothing past
		// maxPrefixLen survives anyway.
		if room := maxPrefixLen - start; len(s) > room {
			s = s[:max(room, 0)]
		}
		buf = append(buf, s...)
	case pcommon.ValueTypeBool:
		buf = strconv.AppendBool(buf, v.Bool())
	case pcommon.ValueTypeInt:
		buf = strconv.AppendInt(buf, v.Int(), 10)
	case pcommon.ValueTypeDouble:
		buf = strconv.AppendFloat(buf, v.Double(), 'f', -1, 64)
	default:
		return append(buf, missingValue...)
	}
	pfx.SanitizeBytes(buf[start:])
	return buf
}
