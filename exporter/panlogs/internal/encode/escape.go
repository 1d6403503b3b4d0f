package encode // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/encode"

import "unicode/utf8"

// escaper writes attacker-controlled text into a line-oriented format so that
// it can neither end the line nor fake a delimiter. Each format lists the
// bytes it escapes with a backslash (its own delimiters, and the backslash
// itself); every other control byte that the format has no escape for, and
// the Unicode line separators, become "\xNN" / "\uNNNN", and invalid UTF-8
// becomes U+FFFD. The README documents the scheme; tests parse it back.
type escaper struct {
	// backslashed[b] is the letter written after '\' for byte b (0: none).
	backslashed [256]byte
	// rawTab leaves tabs as they are (CEF and LEEF may carry them).
	rawTab bool
}

func newEscaper(rawTab bool, pairs ...[2]byte) *escaper {
	e := &escaper{rawTab: rawTab}
	e.backslashed['\\'] = '\\'
	e.backslashed['\n'] = 'n'
	e.backslashed['\r'] = 'r'
	if !rawTab {
		e.backslashed['\t'] = 't'
	}
	for _, p := range pairs {
		e.backslashed[p[0]] = p[1]
	}
	return e
}

func (e *escaper) append(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			esc := e.backslashed[c]
			ctrl := (c < 0x20 || c == 0x7f) && (c != '\t' || !e.rawTab)
			if esc == 0 && !ctrl {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			if esc != 0 {
				b = append(b, '\\', esc)
			} else {
				b = append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, "\uFFFD"...)
		case r == '\u2028' || r == '\u2029' || r == '\u0085':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '0', '0', '0', '0')
			b[len(b)-4] = hexDigits[r>>12&0xf]
			b[len(b)-3] = hexDigits[r>>8&0xf]
			b[len(b)-2] = hexDigits[r>>4&0xf]
			b[len(b)-1] = hexDigits[r&0xf]
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(b, s[start:]...)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Control bytes, DEL, and the
// Unicode line and paragraph separators (which some readers treat as line
// ends) are escaped; invalid UTF-8 becomes U+FFFD so that the output is
// always valid JSON on one line.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendJSONChars(b, s)
	return append(b, '"')
}

// appendJSONChars appends s escaped for the inside of a JSON string.
func appendJSONChars(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < 0x7f {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			b = append(b, s[start:i]...)
			switch r {
			case '\u2028':
				b = append(b, `\u2028`...)
			case '\u2029':
				b = append(b, `\u2029`...)
			case '\u0085':
				b = append(b, `\u0085`...)
			default:
				b = append(b, `\ufffd`...)
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(b, s[start:]...)
}
