// Package glob is the one pattern dialect of otelcol-pan's configuration:
// paprefix's match values and serviceentry's ignore_hosts accept the same
// patterns, matched against a whole value. The syntax is path.Match's with
// no separators ("*" spans "." and "/") plus {a,b} alternatives; it is
// documented once, for users, under "Globs" in processor/paprefix/README.md.
// A malformed pattern is refused by Compile with what is wrong, so a
// configuration fails at start.
//
// We do not use github.com/gobwas/glob: v0.2.3, its latest release, finds
// that "a*a" matches "a" and that "?ay" does not match "éay".
package glob // import "github.com/otelcol-pan/otelcol-pan/internal/glob"

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Meta are the bytes that make a value a pattern rather than a plain string.
const Meta = `*?[]{}\`

// IsPattern reports whether s holds any glob syntax; a value without is
// best compared as it is.
func IsPattern(s string) bool { return strings.ContainsAny(s, Meta) }

// maxAlternatives bounds the patterns that {…} groups expand into, so that
// "{a,b}{a,b}{a,b}…" cannot blow up the compiled config.
const maxAlternatives = 64

// Pattern is a compiled glob: one token list per brace alternative.
type Pattern struct {
	alts [][]token
}

type tokenKind uint8

const (
	tokLiteral tokenKind = iota // lit, byte for byte
	tokOne                      // ?
	tokClass                    // [...]
	tokStar                     // *
)

type token struct {
	kind   tokenKind
	lit    string
	negate bool
	ranges []runeRange
}

type runeRange struct{ lo, hi rune }

// Compile compiles pattern or says what is wrong with it.
func Compile(pattern string) (*Pattern, error) {
	// Only a value that bypassed YAML (an environment variable) can be
	// invalid UTF-8; a class of half characters would mean nothing.
	if !utf8.ValidString(pattern) {
		return nil, errors.New("not valid UTF-8")
	}
	alts, err := expandBraces(pattern)
	if err != nil {
		return nil, err
	}
	g := &Pattern{alts: make([][]token, 0, len(alts))}
	for _, a := range alts {
		toks, err := tokenize(a)
		if err != nil {
			return nil, err
		}
		g.alts = append(g.alts, toks)
	}
	return g, nil
}

// expandBraces rewrites "x{a,b}y" as "xay" and "xby". Escapes and classes
// pass through untouched for tokenize; braces do not nest.
func expandBraces(p string) ([]string, error) {
	out := []string{""}
	for i := 0; i < len(p); {
		switch c := p[i]; c {
		case '\\', '[':
			n, err := atomLen(p[i:])
			if err != nil {
				return nil, err
			}
			for k := range out {
				out[k] += p[i : i+n]
			}
			i += n
		case '}':
			return nil, errors.New(`unmatched "}" (write \} for the character)`)
		case '{':
			alts, n, err := braceGroup(p[i:])
			if err != nil {
				return nil, err
			}
			if len(out)*len(alts) > maxAlternatives {
				return nil, fmt.Errorf("more than %d alternatives", maxAlternatives)
			}
			next := make([]string, 0, len(out)*len(alts))
			for _, o := range out {
				for _, a := range alts {
					next = append(next, o+a)
				}
			}
			out = next
			i += n
		default:
			for k := range out {
				out[k] += p[i : i+1]
			}
			i++
		}
	}
	return out, nil
}

// braceGroup splits "{a,b}…" into its alternatives and says how many bytes
// the group takes.
func braceGroup(p string) ([]string, int, error) {
	var alts []string
	start := 1
	for i := 1; i < len(p); {
		switch p[i] {
		case '\\', '[':
			n, err := atomLen(p[i:])
			if err != nil {
				return nil, 0, err
			}
			i += n
		case '{':
			return nil, 0, errors.New(`"{" inside "{…}": alternatives do not nest`)
		case ',':
			alts = append(alts, p[start:i])
			i++
			start = i
		case '}':
			return append(alts, p[start:i]), i + 1, nil
		default:
			i++
		}
	}
	return nil, 0, errors.New(`unclosed "{"`)
}

// atomLen is the length of the escape or class at the start of p.
func atomLen(p string) (int, error) {
	if p[0] == '\\' {
		if len(p) < 2 {
			return 0, errors.New(`trailing "\"`)
		}
		_, w := utf8.DecodeRuneInString(p[1:])
		return 1 + w, nil
	}
	for i := 1; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case ']':
			return i + 1, nil
		}
	}
	return 0, errors.New(`unclosed "["`)
}

// tokenize compiles a brace-free pattern.
func tokenize(p string) ([]token, error) {
	var toks []token
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			toks = append(toks, token{kind: tokLiteral, lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(p); {
		switch p[i] {
		case '*':
			flush()
			// "**" is "*".
			if len(toks) == 0 || toks[len(toks)-1].kind != tokStar {
				toks = append(toks, token{kind: tokStar})
			}
			i++
		case '?':
			flush()
			toks = append(toks, token{kind: tokOne})
			i++
		case '[':
			flush()
			n, _ := atomLen(p[i:]) // expandBraces checked it
			t, err := parseClass(p[i+1 : i+n-1])
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
			i += n
		case '\\':
			_, w := utf8.DecodeRuneInString(p[i+1:])
			lit.WriteString(p[i+1 : i+1+w])
			i += 1 + w
		default:
			lit.WriteByte(p[i])
			i++
		}
	}
	flush()
	return toks, nil
}

// parseClass compiles the inside of [...].
func parseClass(c string) (token, error) {
	t := token{kind: tokClass}
	if c != "" && (c[0] == '!' || c[0] == '^') {
		t.negate = true
		c = c[1:]
	}
	if c == "" {
		return token{}, errors.New(`empty character class "[]"`)
	}
	for c != "" {
		lo, n, err := classChar(c)
		if err != nil {
			return token{}, err
		}
		c = c[n:]
		hi := lo
		if c != "" && c[0] == '-' {
			if hi, n, err = classChar(c[1:]); err != nil {
				return token{}, err
			}
			if hi < lo {
				return token{}, fmt.Errorf("character range %q-%q runs backwards", lo, hi)
			}
			c = c[1+n:]
		}
		t.ranges = append(t.ranges, runeRange{lo, hi})
	}
	return t, nil
}

// classChar reads one character of a class, escaped or not.
func classChar(c string) (rune, int, error) {
	if c == "" {
		return 0, 0, errors.New(`character range without an end in "[…]"`)
	}
	switch c[0] {
	case '\\':
		r, w := utf8.DecodeRuneInString(c[1:])
		return r, 1 + w, nil
	case '-':
		return 0, 0, errors.New(`"-" in "[…]" must be escaped (\-) unless it makes a range`)
	}
	r, w := utf8.DecodeRuneInString(c)
	return r, w, nil
}

// text is what matching reads: an attribute's string, or the bytes of a
// number formatted into scratch space (which then needs no string).
type text interface{ ~string | ~[]byte }

// Match reports whether s matches the whole pattern.
func (g *Pattern) Match(s string) bool { return match(g, s) }

// MatchBytes is Match for text in a byte slice (a number formatted into
// scratch space), which then needs no string.
func (g *Pattern) MatchBytes(b []byte) bool { return match(g, b) }

// match reports whether s matches any alternative of g.
func match[T text](g *Pattern, s T) bool {
	for _, toks := range g.alts {
		// Most values miss, and most patterns end in text ("*.example.com",
		// "*-prod"): checking it first spares the star its backtracking.
		if n := len(toks); n > 1 && toks[n-1].kind == tokLiteral && !hasSuffix(s, toks[n-1].lit) {
			continue
		}
		if matchTokens(toks, s) {
			return true
		}
	}
	return false
}

func hasSuffix[T text](s T, suffix string) bool {
	if len(s) < len(suffix) {
		return false
	}
	off := len(s) - len(suffix)
	for i := 0; i < len(suffix); i++ {
		if s[off+i] != suffix[i] {
			return false
		}
	}
	return true
}

// matchTokens is the classic wildcard match with one backtracking point:
// on a mismatch, the most recent * takes one more character and the tokens
// after it start again. Earlier stars never need to take more, because
// what lies between two stars matches best at its leftmost place. Time is
// O(len(pattern)·len(s)) at worst, without recursion.
func matchTokens[T text](toks []token, s T) bool {
	ti, si := 0, 0
	starTi, starSi := -1, 0
	for {
		if ti < len(toks) && toks[ti].kind == tokStar {
			if ti == len(toks)-1 {
				return true
			}
			ti++
			starTi, starSi = ti, si
			continue
		}
		if ti < len(toks) {
			if n, ok := matchAt(&toks[ti], s, si); ok {
				ti++
				si += n
				continue
			}
		} else if si == len(s) {
			return true
		}
		if starTi < 0 || starSi >= len(s) {
			return false
		}
		_, w := decodeRune(s, starSi)
		starSi += w
		ti, si = starTi, starSi
	}
}

// matchAt matches one non-star token at s[i:] and says how many bytes it
// took.
func matchAt[T text](t *token, s T, i int) (int, bool) {
	switch t.kind {
	case tokLiteral:
		if len(s)-i < len(t.lit) {
			return 0, false
		}
		for k := 0; k < len(t.lit); k++ {
			if s[i+k] != t.lit[k] {
				return 0, false
			}
		}
		return len(t.lit), true
	case tokOne:
		if i >= len(s) {
			return 0, false
		}
		_, w := decodeRune(s, i)
		return w, true
	case tokClass:
		if i >= len(s) {
			return 0, false
		}
		r, w := decodeRune(s, i)
		in := false
		for _, rr := range t.ranges {
			if rr.lo <= r && r <= rr.hi {
				in = true
				break
			}
		}
		return w, in != t.negate
	}
	return 0, false
}

// decodeRune decodes the character at s[i:], which must not be empty; an
// invalid byte is one character of width 1.
func decodeRune[T text](s T, i int) (rune, int) {
	if s[i] < utf8.RuneSelf {
		return rune(s[i]), 1
	}
	var b [utf8.UTFMax]byte
	n := copy(b[:], s[i:min(i+utf8.UTFMax, len(s))])
	return utf8.DecodeRune(b[:n])
}
