package glob

import (
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern     string
		match, miss []string
	}{
		// The two cases github.com/gobwas/glob v0.2.3 gets wrong.
		{"a*a", []string{"aa", "aba", "a.b.a"}, []string{"a", "ab"}},
		{"?ay", []string{"pay", "éay", "\xffay"}, []string{"ay", "éeay"}},

		{"*", []string{"", "x", "a/b.c d"}, nil},
		{"**", []string{"", "x"}, nil},
		{"*x*", []string{"x", "axb", "xxx"}, []string{"", "abc"}},
		{"a*b*c", []string{"abc", "aXbYc", "abbbc", "acbc"}, []string{"ab", "acb", "abcd"}},
		{"*ab", []string{"ab", "aab", "abab"}, []string{"aba", "a"}},
		{"??", []string{"ab", "é€"}, []string{"a", "abc"}},
		{"[a-c][!a-c]", []string{"ad", "cz"}, []string{"aa", "da", "a"}},
		{"[^0-9]", []string{"a"}, []string{"5"}},
		{"[é-ë]", []string{"é", "ê"}, []string{"e", "ì"}},
		{`[\]\-]`, []string{"]", "-"}, []string{"a"}},
		{`\*\?\[\{\}\\`, []string{`*?[{}\`}, []string{"x"}},
		{"{a,b,}x", []string{"ax", "bx", "x"}, []string{"cx", "abx"}},
		{"{*.svc.cluster.local,PassthroughCluster}", []string{"reviews.default.svc.cluster.local", "PassthroughCluster"}, []string{"api.example.com"}},
		{"[{]x{1,2}", []string{"{x1", "{x2"}, []string{"{x3"}},
		{`\{a,b\}`, []string{"{a,b}"}, []string{"a"}},
		{"a,b", []string{"a,b"}, []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			g, err := Compile(tt.pattern)
			require.NoError(t, err)
			for _, s := range tt.match {
				assert.True(t, g.Match(s), "%q should match %q", tt.pattern, s)
				assert.True(t, g.MatchBytes([]byte(s)), "%q should match []byte %q", tt.pattern, s)
			}
			for _, s := range tt.miss {
				assert.False(t, g.Match(s), "%q should not match %q", tt.pattern, s)
				assert.False(t, g.MatchBytes([]byte(s)), "%q should not match []byte %q", tt.pattern, s)
			}
		})
	}
}

func TestGlobErrors(t *testing.T) {
	tests := map[string]string{
		"[pay":                     `unclosed "["`,
		"[]":                       `empty character class "[]"`,
		"[!]":                      `empty character class "[]"`,
		"[z-a]":                    `character range 'z'-'a' runs backwards`,
		"[a-]":                     `character range without an end`,
		"[-a]":                     `"-" in "[…]" must be escaped`,
		`pay\`:                     `trailing "\"`,
		"{a,b":                     `unclosed "{"`,
		"a}":                       `unmatched "}"`,
		"{a,{b,c}}":                "alternatives do not nest",
		"{a,[b}":                   `unclosed "["`,
		strings.Repeat("{a,b}", 7): "more than 64 alternatives",
	}
	for pattern, want := range tests {
		t.Run(pattern, func(t *testing.T) {
			_, err := Compile(pattern)
			require.ErrorContains(t, err, want)
		})
	}
	// Six groups of two are 64 patterns: still allowed.
	_, err := Compile(strings.Repeat("{a,b}", 6))
	require.NoError(t, err)
}

// Without braces and "!" the syntax is path.Match's, and so must be the
// answers (path.Match's "*" stops at "/", so values hold none).
func FuzzGlobAgainstPathMatch(f *testing.F) {
	for _, s := range [][2]string{{"a*a", "a"}, {"?ay", "éay"}, {"[a-c]*x", "bxx"}, {`\**`, "*a"}, {"*[^a]", "ab"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if strings.ContainsAny(pattern, "{}!/") || strings.Contains(s, "/") {
			return
		}
		want, perr := path.Match(pattern, s)
		g, err := Compile(pattern)
		if perr != nil || err != nil {
			// path.Match stops reading a pattern once the answer is
			// known, so it accepts some bad ones; we never accept one
			// it refuses.
			if perr != nil && err == nil {
				t.Fatalf("%q: path.Match refuses it (%v), Compile accepts it", pattern, perr)
			}
			return
		}
		if got := g.Match(s); got != want {
			t.Fatalf("%q against %q: %v, path.Match says %v", pattern, s, got, want)
		}
	})
}
