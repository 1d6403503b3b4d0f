package panlines

import (
	"fmt"
	"strconv"
	"strings"
)

// unescape undoes the exporter's backslash escapes, which are the same
// scheme in the three text formats: \\ \n \r \t, the format's delimiter
// (\| \= \^), \xNN for other control bytes, and \u2028 \u2029 \u0085.
func unescape(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(s) {
			return "", fmt.Errorf("dangling backslash in %q", s)
		}
		i++
		e := s[i]
		if r, ok := letterEscapes[e]; ok {
			b.WriteByte(r)
			continue
		}
		if e != 'x' && e != 'u' {
			return "", fmt.Errorf("unknown escape \\%c in %q", e, s)
		}
		// \xNN is a byte, \uNNNN a character.
		width, bits := 2, 8
		if e == 'u' {
			width, bits = 4, 32
		}
		if i+width >= len(s) {
			return "", fmt.Errorf("short \\%c escape in %q", e, s)
		}
		v, err := strconv.ParseUint(s[i+1:i+1+width], 16, bits)
		if err != nil {
			return "", fmt.Errorf("bad \\%c escape in %q", e, s)
		}
		if e == 'x' {
			b.WriteByte(byte(v))
		} else {
			b.WriteRune(rune(v))
		}
		i += width
	}
	return b.String(), nil
}

// splitUnescaped splits s at each sep not preceded by an escaping
// backslash, at most n parts (n < 0: all).
func splitUnescaped(s string, sep byte, n int) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++ // the escaped byte is never a separator
		case sep:
			if n >= 0 && len(parts) == n-1 {
				return append(parts, s[start:])
			}
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// letterEscapes are the escapes of one character: the backslash, the
// formats' delimiters and the line breaks.
var letterEscapes = map[byte]byte{'\\': '\\', '|': '|', '=': '=', '^': '^', 'n': '\n', 'r': '\r', 't': '\t'}
