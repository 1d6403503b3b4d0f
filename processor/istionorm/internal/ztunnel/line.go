// Package ztunnel reads the access lines of Istio's ambient node proxy,
// ztunnel, in both of its log formats.
//
// ztunnel writes one line per connection on completion: "connection
// complete" (level info, or error with an error field) or, for a denial
// before the connection was set up, "connection failed" (warn). The default
// plain format is
//
//	<RFC 3339 time>\t<level>\t<target>\t<message>\t<key>=<value> <key>=<value> …
//
// where string values are quoted and escaped as Rust's Debug formatting
// does ("…", \" \\ \n \r \t \0 \' and \u{…}) and numbers and addresses are
// bare. With LOG_FORMAT=json the same fields are keys of one flat JSON
// object beside level, time, scope (the target) and message. Upstream calls
// the format unstable, so lines are read by key, and unknown keys are kept.
package ztunnel // import "github.com/otelcol-pan/otelcol-pan/processor/istionorm/internal/ztunnel"

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Line is one ztunnel log line.
type Line struct {
	Time    string // as written: RFC 3339 with microseconds
	Level   string // info, warn, error, …
	Target  string // "access" for access lines
	Message string // "connection complete", "connection failed", …
	Fields  []Field
}

// Field is one key=value of a line, the value unquoted.
type Field struct {
	Key, Value string
	// Quoted says the value was a string (quoted in the plain format, a
	// JSON string), not a number or an address.
	Quoted bool
}

// Get returns the value of key and whether the line has it.
func (l *Line) Get(key string) (string, bool) {
	for i := range l.Fields {
		if l.Fields[i].Key == key {
			return l.Fields[i].Value, true
		}
	}
	return "", false
}

// IsAccess says whether the line is an access line (target "access").
func (l *Line) IsAccess() bool { return l.Target == "access" }

// ErrNotZtunnel says a line is not in either ztunnel format.
var ErrNotZtunnel = errors.New("not a ztunnel log line")

// Parse reads a line in whichever format it is.
func Parse(s string) (Line, error) {
	var l Line
	err := l.Parse(s)
	return l, err
}

// Parse reads a line in whichever format it is into l, reusing the room of
// its Fields. String values point into s when they hold no escape.
func (l *Line) Parse(s string) error {
	s = strings.TrimRight(s, "\r\n")
	if j := strings.TrimLeft(s, " \t"); strings.HasPrefix(j, "{") {
		return l.parseJSON(j)
	}
	return l.parsePlain(s)
}

func (l *Line) parsePlain(s string) error {
	*l = Line{Fields: l.Fields[:0]}
	var ok bool
	if l.Time, s, ok = strings.Cut(s, "\t"); !ok || !looksLikeTime(l.Time) {
		return ErrNotZtunnel
	}
	if l.Level, s, ok = strings.Cut(s, "\t"); !ok || l.Level == "" {
		return ErrNotZtunnel
	}
	// The target, with span names and fields after ':' when the event has a
	// parent span (access events have none).
	target, rest, ok := strings.Cut(s, "\t")
	if !ok {
		l.Target = s
		return nil
	}
	if i := strings.IndexByte(target, ':'); i >= 0 && !strings.HasPrefix(target[i:], "::") {
		target = target[:i]
	}
	l.Target = target
	// ztunnel writes the message followed by a tab, then the fields.
	msg, fields, hasFields := strings.Cut(rest, "\t")
	l.Message = msg
	if hasFields {
		fs, err := parseFields(l.Fields, fields)
		l.Fields = fs
		if err != nil {
			return err
		}
	}
	return nil
}

func looksLikeTime(s string) bool {
	return len(s) >= 20 && s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == 't')
}

// parseFields appends the fields of `k=v k="quoted v" …` to out.
func parseFields(out []Field, s string) ([]Field, error) {
	for len(s) > 0 {
		if s[0] == ' ' {
			s = s[1:]
			continue
		}
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return out, fmt.Errorf("ztunnel: field without '=' at %q", abbreviate(s))
		}
		key := s[:eq]
		if strings.ContainsAny(key, " \"") {
			return out, fmt.Errorf("ztunnel: bad field name %q", abbreviate(key))
		}
		s = s[eq+1:]
		if strings.HasPrefix(s, `"`) {
			v, n, err := unquoteRust(s)
			if err != nil {
				return out, fmt.Errorf("ztunnel: %s: %w", key, err)
			}
			out = append(out, Field{Key: key, Value: v, Quoted: true})
			s = s[n:]
			continue
		}
		end := strings.IndexByte(s, ' ')
		if end < 0 {
			end = len(s)
		}
		out = append(out, Field{Key: key, Value: s[:end]})
		s = s[end:]
	}
	return out, nil
}

// unquoteRust reads a string as Rust's Debug formatting writes it, starting
// at its opening quote; it returns the string and the bytes it took.
func unquoteRust(s string) (string, int, error) {
	// Most values hold no escape: the string is then a slice of s.
	for i := 1; i < len(s); i++ {
		if s[i] == '"' {
			return s[1:i], i + 1, nil
		}
		if s[i] == '\\' {
			break
		}
	}
	var b strings.Builder
	for i := 1; i < len(s); {
		c := s[i]
		switch {
		case c == '"':
			return b.String(), i + 1, nil
		case c != '\\':
			// Copy a run of plain bytes at once.
			j := i
			for j < len(s) && s[j] != '"' && s[j] != '\\' {
				j++
			}
			b.WriteString(s[i:j])
			i = j
		case i+1 >= len(s):
			return "", 0, errors.New("unfinished escape")
		default:
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case '0':
				b.WriteByte(0)
			case '\\', '"', '\'':
				b.WriteByte(s[i])
			case 'u':
				end := strings.IndexByte(s[i:], '}')
				if !strings.HasPrefix(s[i:], "u{") || end < 0 {
					return "", 0, errors.New(`bad \u escape`)
				}
				r, err := strconv.ParseUint(s[i+2:i+end], 16, 32)
				if err != nil || !utf8.ValidRune(rune(r)) {
					return "", 0, errors.New(`bad \u escape`)
				}
				b.WriteRune(rune(r))
				i += end
			default:
				return "", 0, fmt.Errorf(`unknown escape \%c`, s[i])
			}
			i++
		}
	}
	return "", 0, errors.New("unterminated string")
}

func abbreviate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
