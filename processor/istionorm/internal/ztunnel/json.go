package ztunnel // import "github.com/otelcol-pan/otelcol-pan/processor/istionorm/internal/ztunnel"

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// parseJSON reads ztunnel's JSON format: one flat object whose values are
// strings, numbers, booleans or null (the fields of a parent span, which
// access events do not have, are objects: kept as their JSON text). It is a
// scanner for that shape rather than a general decoder: it allocates only
// for strings with escapes, and refuses anything that is not one object.
func (l *Line) parseJSON(s string) error {
	*l = Line{Fields: l.Fields[:0]}
	p := jsonScanner{s: s}
	p.space()
	if !p.byte('{') {
		return ErrNotZtunnel
	}
	p.space()
	if p.byte('}') {
		return l.checkJSON()
	}
	for {
		p.space()
		key, ok := p.str()
		if !ok {
			return ErrNotZtunnel
		}
		p.space()
		if !p.byte(':') {
			return ErrNotZtunnel
		}
		p.space()
		val, quoted, null, ok := p.value()
		if !ok {
			return ErrNotZtunnel
		}
		switch {
		case quoted && key == "time":
			l.Time = val
		case quoted && key == "level":
			l.Level = val
		case quoted && key == "scope":
			l.Target = val
		case quoted && key == "message":
			l.Message = val
		case !null:
			l.Fields = append(l.Fields, Field{Key: key, Value: val, Quoted: quoted})
		}
		p.space()
		if p.byte('}') {
			p.space()
			if p.i != len(p.s) {
				return ErrNotZtunnel
			}
			return l.checkJSON()
		}
		if !p.byte(',') {
			return ErrNotZtunnel
		}
	}
}

func (l *Line) checkJSON() error {
	if l.Time == "" || l.Level == "" {
		return ErrNotZtunnel
	}
	return nil
}

type jsonScanner struct {
	s string
	i int
}

func (p *jsonScanner) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonScanner) byte(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// value reads a string (unescaped), a number or a boolean (as written),
// null, or an object or array (as its JSON text).
func (p *jsonScanner) value() (val string, quoted, null, ok bool) {
	if p.i >= len(p.s) {
		return "", false, false, false
	}
	switch c := p.s[p.i]; {
	case c == '"':
		v, ok := p.str()
		return v, true, false, ok
	case c == '{' || c == '[':
		start := p.i
		if !p.skipComposite() {
			return "", false, false, false
		}
		return p.s[start:p.i], false, false, true
	case strings.HasPrefix(p.s[p.i:], "null"):
		p.i += 4
		return "", false, true, true
	case strings.HasPrefix(p.s[p.i:], "true"):
		p.i += 4
		return "true", false, false, true
	case strings.HasPrefix(p.s[p.i:], "false"):
		p.i += 5
		return "false", false, false, true
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.i
		for p.i < len(p.s) && strings.IndexByte("+-.eE0123456789", p.s[p.i]) >= 0 {
			p.i++
		}
		num := p.s[start:p.i]
		if _, err := strconv.ParseFloat(num, 64); err != nil {
			return "", false, false, false
		}
		return num, false, false, true
	}
	return "", false, false, false
}

// skipComposite steps over an object or array, strings inside included.
func (p *jsonScanner) skipComposite() bool {
	depth := 0
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case '"':
			if _, ok := p.str(); !ok {
				return false
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				p.i++
				return true
			}
		}
		p.i++
	}
	return false
}

// str reads a JSON string starting at its quote.
func (p *jsonScanner) str() (string, bool) {
	if !p.byte('"') {
		return "", false
	}
	start := p.i
	for p.i < len(p.s) {
		switch c := p.s[p.i]; {
		case c == '"':
			p.i++
			return p.s[start : p.i-1], true
		case c == '\\':
			return p.strEscaped(start)
		case c < 0x20:
			return "", false
		}
		p.i++
	}
	return "", false
}

// strEscaped finishes a string that holds escapes, from its first byte.
func (p *jsonScanner) strEscaped(start int) (string, bool) {
	var b strings.Builder
	b.WriteString(p.s[start:p.i])
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), true
		case c < 0x20:
			return "", false
		case c != '\\':
			b.WriteByte(c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.s) {
			return "", false
		}
		p.i++
		switch p.s[p.i] {
		case '"', '\\', '/':
			b.WriteByte(p.s[p.i])
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := p.hex4(p.i + 1)
			if !ok {
				return "", false
			}
			p.i += 4
			if utf16.IsSurrogate(r) {
				r2, ok := p.hex4(p.i + 3)
				if ok && p.s[p.i+1] == '\\' && p.s[p.i+2] == 'u' {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						r = dec
						p.i += 6
					}
				}
			}
			b.WriteRune(r)
		default:
			return "", false
		}
		p.i++
	}
	return "", false
}

func (p *jsonScanner) hex4(at int) (rune, bool) {
	if at+4 > len(p.s) {
		return 0, false
	}
	v, err := strconv.ParseUint(p.s[at:at+4], 16, 32)
	return rune(v), err == nil
}
