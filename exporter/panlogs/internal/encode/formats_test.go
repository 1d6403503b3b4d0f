package encode

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// unescape reverses the escaper: \\ \n \r \t \xNN \uNNNN and the format's
// own backslashed delimiters.
func unescape(t testing.TB, s string, delims string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(s) {
			t.Fatalf("dangling backslash in %q", s)
		}
		switch d := s[i]; {
		case d == '\\':
			b.WriteByte('\\')
		case d == 'n':
			b.WriteByte('\n')
		case d == 'r':
			b.WriteByte('\r')
		case d == 't':
			b.WriteByte('\t')
		case d == 'x':
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			require.NoError(t, err)
			b.WriteByte(byte(v))
			i += 2
		case d == 'u':
			v, err := strconv.ParseUint(s[i+1:i+5], 16, 32)
			require.NoError(t, err)
			b.WriteRune(rune(v))
			i += 4
		case strings.IndexByte(delims, d) >= 0:
			b.WriteByte(d)
		default:
			t.Fatalf("unknown escape \\%c in %q", d, s)
		}
	}
	return b.String()
}

// parseCSV reads one pan_csv line with RFC 4180 rules, then unescapes.
func parseCSV(t testing.TB, line string) []string {
	r := csv.NewReader(strings.NewReader(line))
	recs, err := r.ReadAll()
	require.NoError(t, err, line)
	require.Len(t, recs, 1, "one record per line")
	out := recs[0]
	for i := range out {
		out[i] = unescape(t, out[i], "")
	}
	return out
}

// splitEscaped splits s at every unescaped sep.
func splitEscaped(s string, sep byte) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == sep {
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// parseCEF reads a CEF line: seven header fields, then key=value pairs where
// a key starts after a space and ends at an unescaped '='.
func parseCEF(t testing.TB, line string) (header []string, ext map[string]string) {
	parts := splitEscaped(line, '|')
	require.GreaterOrEqual(t, len(parts), 8, line)
	header = parts[:7]
	for i := range header {
		header[i] = unescape(t, header[i], "|")
	}
	rest := strings.Join(parts[7:], "|")
	ext = map[string]string{}
	var eqs []int
	for i := 0; i < len(rest); i++ {
		if rest[i] == '\\' {
			i++
			continue
		}
		if rest[i] == '=' {
			eqs = append(eqs, i)
		}
	}
	keyStart := func(eq int) int { return strings.LastIndexByte(rest[:eq], ' ') + 1 }
	for n, eq := range eqs {
		k := rest[keyStart(eq):eq]
		end := len(rest)
		if n+1 < len(eqs) {
			end = keyStart(eqs[n+1]) - 1
		}
		_, dup := ext[k]
		require.False(t, dup, "key %s twice in %s", k, line)
		ext[k] = unescape(t, rest[eq+1:end], "=")
	}
	return header, ext
}

// parseLEEF reads a LEEF 2.0 line with the declared delimiter.
func parseLEEF(t testing.TB, line string) (header []string, attrs map[string]string) {
	parts := splitEscaped(line, '|')
	require.GreaterOrEqual(t, len(parts), 7, line)
	header = parts[:6]
	require.Equal(t, "LEEF:2.0", header[0])
	require.Equal(t, "^", header[5])
	attrs = map[string]string{}
	for _, kv := range splitEscaped(strings.Join(parts[6:], "|"), '^') {
		k, v, ok := strings.Cut(kv, "=")
		require.True(t, ok, "attribute %q in %s", kv, line)
		_, dup := attrs[k]
		require.False(t, dup, "key %s twice", k)
		attrs[k] = unescape(t, v, "^")
	}
	return header, attrs
}

// hostileRecord fills the attacker-reachable fields with v.
func hostileRecord(v string) func(res, a pcommon.Map) {
	return func(res, a pcommon.Map) {
		a.PutStr("url.path", "/p")
		a.PutStr("url.query", "q="+v)
		a.PutStr("user_agent.original", v)
		a.PutStr("server.address", v)
		a.PutStr("istio.source.principal", v)
		a.PutStr("istio.source.namespace", v)
		a.PutStr("istio.source.workload", v)
		a.PutStr("pan.rule", v)
		a.PutStr("pan.action", "deny")
		a.PutStr("http.request.method", "GET")
		a.PutStr("source.address", "10.0.0.1")
		a.PutInt("source.port", 5)
	}
}

func oneLine(t testing.TB, line []byte) string {
	require.Equal(t, 1, bytes.Count(line, []byte("\n")), "exactly one line: %q", line)
	require.True(t, bytes.HasSuffix(line, []byte("\n")))
	require.Equal(t, -1, bytes.IndexByte(line, '\r'))
	require.Equal(t, -1, bytes.IndexByte(line, 0))
	require.True(t, utf8.Valid(line))
	return string(line[:len(line)-1])
}

// checkRoundTrip encodes a record whose attacker-reachable fields hold v in
// every format and parses each line back with that format's rules.
func checkRoundTrip(t testing.TB, v string) {
	want := validUTF8(v)

	line := oneLine(t, encodeWith(t, options(PANCSV, PrefixNone), hostileRecord(v)))
	cols := parseCSV(t, line)
	require.Len(t, cols, 47, line)
	assert.Equal(t, "TRAFFIC", cols[3])
	assert.Equal(t, "deny", cols[4])
	assert.Equal(t, want, cols[11], "rule")
	assert.Equal(t, want, cols[12], "source user")
	assert.Equal(t, want, cols[16], "source zone")
	assert.Equal(t, "10.0.0.1", cols[7])
	assert.Equal(t, "5", cols[24])

	line = oneLine(t, encodeWith(t, options(CEF, PrefixNone), hostileRecord(v)))
	hdr, ext := parseCEF(t, line)
	assert.Equal(t, []string{"CEF:0", "Palo Alto Networks", "otelcol-pan", "latest", "TRAFFIC", "deny", "7"}, hdr)
	assert.Equal(t, "/p?q="+want, ext["request"])
	assert.Equal(t, want, ext["requestClientApplication"])
	assert.Equal(t, want, ext["dhost"])
	assert.Equal(t, want, ext["suser"])
	assert.Equal(t, want, ext["cs1"])
	assert.Equal(t, "Rule", ext["cs1Label"])
	assert.Equal(t, want, ext["cs4"])
	assert.Equal(t, "10.0.0.1", ext["src"])

	line = oneLine(t, encodeWith(t, options(LEEF, PrefixNone), hostileRecord(v)))
	lhdr, attrs := parseLEEF(t, line)
	assert.Equal(t, "TRAFFIC", lhdr[4])
	assert.Equal(t, "/p?q="+want, attrs["url"])
	assert.Equal(t, want, attrs["userAgent"])
	assert.Equal(t, want, attrs["usrName"])
	assert.Equal(t, want, attrs["policy"])
	assert.Equal(t, want, attrs["srcZone"])
	assert.Equal(t, want, attrs["srcWorkload"])
	assert.Equal(t, "10.0.0.1", attrs["src"])
}

func TestTextFormatsRoundTripHostileValues(t *testing.T) {
	for _, v := range append(hostile, "plain", "", `\`, `\\x41`, "a=b c=d", "|^|=|") {
		t.Run(v, func(t *testing.T) { checkRoundTrip(t, v) })
	}
}

func FuzzTextFormats(f *testing.F) {
	for _, v := range hostile {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) { checkRoundTrip(t, v) })
}

func TestCSVColumns(t *testing.T) {
	line := oneLine(t, encodeWith(t, options(PANCSV, PrefixLine), func(res, a pcommon.Map) {
		a.PutStr("pan.prefix", "mesh")
		a.PutStr("source.address", "10.0.0.1")
		a.PutInt("source.port", 51000)
		a.PutStr("destination.address", "10.0.0.2")
		a.PutInt("destination.port", 9080)
		a.PutStr("envoy.upstream.address", "10.0.0.3")
		a.PutInt("envoy.upstream.port", 9081)
		a.PutStr("network.transport", "tcp")
		a.PutStr("event", "x")
		a.PutInt("envoy.tcp.received_bytes", 100)
		a.PutInt("envoy.tcp.sent_bytes", 2000)
		a.PutInt("envoy.duration_ms", 2500)
		a.PutStr("pan.action", "allow")
		a.PutStr("pan.session_end_reason", "tcp-fin")
		a.PutStr("istio.destination.namespace", "payments")
	}))
	prefix, rest, _ := strings.Cut(line, " ")
	assert.Equal(t, "mesh", prefix)
	cols := parseCSV(t, rest)
	want := map[int]string{2: "2026/01/02 03:04:06", 4: "TRAFFIC", 5: "end", 7: "2026/01/02 03:04:07", 8: "10.0.0.1", 9: "10.0.0.2",
		11: "10.0.0.3", 18: "payments", 24: "1", 25: "51000", 26: "9080", 28: "9081", 30: "tcp", 31: "allow", 32: "2100", 33: "100",
		34: "2000", 36: "2026/01/02 03:04:05", 37: "2", 47: "tcp-fin"}
	for col, v := range want {
		assert.Equal(t, v, cols[col-1], "column %d", col)
	}
}
