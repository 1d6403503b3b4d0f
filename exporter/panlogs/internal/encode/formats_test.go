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

	"github.com/otelcol-pan/otelcol-pan/internal/prefix"
)

// oneLetter are the escapes every format writes as a backslash and a letter.
var oneLetter = map[byte]byte{'\\': '\\', 'n': '\n', 'r': '\r', 't': '\t'}

// unescape reverses the escaper: \\ \n \r \t \xNN \uNNNN and the format's
// own backslashed delimiters.
func unescape(tb testing.TB, s, delims string) string {
	var b strings.Builder
	for {
		before, after, found := strings.Cut(s, `\`)
		b.WriteString(before)
		if !found {
			return b.String()
		}
		require.NotEmpty(tb, after, "dangling backslash in %q", s)
		d, rest := after[0], after[1:]
		switch {
		case oneLetter[d] != 0:
			b.WriteByte(oneLetter[d])
		case d == 'x':
			v, err := strconv.ParseUint(rest[:2], 16, 8)
			require.NoError(tb, err)
			b.WriteByte(byte(v))
			rest = rest[2:]
		case d == 'u':
			v, err := strconv.ParseUint(rest[:4], 16, 32)
			require.NoError(tb, err)
			b.WriteRune(rune(v))
			rest = rest[4:]
		case strings.IndexByte(delims, d) >= 0:
			b.WriteByte(d)
		default:
			tb.Fatalf("unknown escape \\%c in %q", d, s)
		}
		s = rest
	}
}

// parseCSV reads one pan_csv line with RFC 4180 rules, then unescapes.
func parseCSV(tb testing.TB, line string) []string {
	r := csv.NewReader(strings.NewReader(line))
	recs, err := r.ReadAll()
	require.NoError(tb, err, line)
	require.Len(tb, recs, 1, "one record per line")
	out := recs[0]
	for i := range out {
		out[i] = unescape(tb, out[i], "")
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
func parseCEF(tb testing.TB, line string) (header []string, ext map[string]string) {
	parts := splitEscaped(line, '|')
	require.GreaterOrEqual(tb, len(parts), 8, line)
	header = parts[:7]
	for i := range header {
		header[i] = unescape(tb, header[i], "|")
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
		require.False(tb, dup, "key %s twice in %s", k, line)
		ext[k] = unescape(tb, rest[eq+1:end], "=")
	}
	return header, ext
}

// parseLEEF reads a LEEF 2.0 line with the declared delimiter.
func parseLEEF(tb testing.TB, line string) (header []string, attrs map[string]string) {
	parts := splitEscaped(line, '|')
	require.GreaterOrEqual(tb, len(parts), 7, line)
	header = parts[:6]
	require.Equal(tb, "LEEF:2.0", header[0])
	require.Equal(tb, "^", header[5])
	attrs = map[string]string{}
	for _, kv := range splitEscaped(strings.Join(parts[6:], "|"), '^') {
		k, v, ok := strings.Cut(kv, "=")
		require.True(tb, ok, "attribute %q in %s", kv, line)
		_, dup := attrs[k]
		require.False(tb, dup, "key %s twice", k)
		attrs[k] = unescape(tb, v, "^")
	}
	return header, attrs
}

// hostileRecord fills the attacker-reachable fields with v.
func hostileRecord(v string) func(res, a pcommon.Map) {
	return func(_, a pcommon.Map) {
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

func oneLine(tb testing.TB, line []byte) string {
	require.Equal(tb, 1, bytes.Count(line, []byte("\n")), "exactly one line: %q", line)
	require.True(tb, bytes.HasSuffix(line, []byte("\n")))
	require.Equal(tb, -1, bytes.IndexByte(line, '\r'))
	require.Equal(tb, -1, bytes.IndexByte(line, 0))
	require.True(tb, utf8.Valid(line))
	return string(line[:len(line)-1])
}

// checkRoundTrip encodes a record whose attacker-reachable fields hold v in
// every format and parses each line back with that format's rules.
func checkRoundTrip(tb testing.TB, v string) {
	want := validUTF8(v)

	line := oneLine(tb, encodeWith(tb, options(PANCSV, PrefixNone), hostileRecord(v)))
	cols := parseCSV(tb, line)
	require.Len(tb, cols, 47, line)
	assert.Equal(tb, "TRAFFIC", cols[3])
	assert.Equal(tb, "deny", cols[4])
	assert.Equal(tb, want, cols[11], "rule")
	assert.Equal(tb, want, cols[12], "source user")
	assert.Equal(tb, want, cols[16], "source zone")
	assert.Equal(tb, "10.0.0.1", cols[7])
	assert.Equal(tb, "5", cols[24])

	line = oneLine(tb, encodeWith(tb, options(CEF, PrefixNone), hostileRecord(v)))
	hdr, ext := parseCEF(tb, line)
	assert.Equal(tb, []string{"CEF:0", "Palo Alto Networks", "otelcol-pan", "latest", "TRAFFIC", "deny", "7"}, hdr)
	assert.Equal(tb, "/p?q="+want, ext["request"])
	assert.Equal(tb, want, ext["requestClientApplication"])
	assert.Equal(tb, want, ext["dhost"])
	assert.Equal(tb, want, ext["suser"])
	assert.Equal(tb, want, ext["cs1"])
	assert.Equal(tb, "Rule", ext["cs1Label"])
	assert.Equal(tb, want, ext["cs4"])
	assert.Equal(tb, "10.0.0.1", ext["src"])

	line = oneLine(tb, encodeWith(tb, options(LEEF, PrefixNone), hostileRecord(v)))
	lhdr, attrs := parseLEEF(tb, line)
	assert.Equal(tb, "TRAFFIC", lhdr[4])
	assert.Equal(tb, "/p?q="+want, attrs["url"])
	assert.Equal(tb, want, attrs["userAgent"])
	assert.Equal(tb, want, attrs["usrName"])
	assert.Equal(tb, want, attrs["policy"])
	assert.Equal(tb, want, attrs["srcZone"])
	assert.Equal(tb, want, attrs["srcWorkload"])
	assert.Equal(tb, "10.0.0.1", attrs["src"])

	for _, mode := range []string{PrefixNone, PrefixField} {
		o := options(OCSF, mode)
		o.RedactQueryParams = []string{"token"}
		line = oneLine(tb, encodeWith(tb, o, hostileRecord(v)))
		ev := checkOCSF(tb, line)
		assert.Equal(tb, "/p", path(ev, "http_request.url.path"))
		assert.Equal(tb, "q="+want, path(ev, "http_request.url.query_string"))
		assert.Equal(tb, want, path(ev, "http_request.user_agent"))
		assert.Equal(tb, want, path(ev, "http_request.url.hostname"))
		assert.Equal(tb, want, path(ev, "src_endpoint.name"))
		assert.Equal(tb, want, path(ev, "src_endpoint.zone"))
		assert.Equal(tb, want, path(ev, "policy.name"))
		if v != "" {
			assert.Equal(tb, want, path(ev, "src_endpoint.owner.uid"))
			assert.Equal(tb, want, path(ev, "dst_endpoint.hostname"))
		}
		assert.Equal(tb, "10.0.0.1", path(ev, "src_endpoint.ip"))
		assert.Equal(tb, "5", path(ev, "src_endpoint.port"))
		assert.Equal(tb, "2", path(ev, "action_id"), "deny")
		if mode == PrefixField {
			assert.Equal(tb, prefix.Default, path(ev, "metadata.log_name"))
		} else {
			assert.Nil(tb, path(ev, "metadata.log_name"))
		}
	}
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
	line := oneLine(t, encodeWith(t, options(PANCSV, PrefixLine), filled(nil, map[string]any{
		"pan.prefix": "mesh", "source.address": "10.0.0.1", "source.port": 51000, "destination.address": "10.0.0.2",
		"destination.port": 9080, "envoy.upstream.address": "10.0.0.3", "envoy.upstream.port": 9081,
		"network.transport": "tcp", "event": "x", "envoy.tcp.received_bytes": 100, "envoy.tcp.sent_bytes": 2000,
		"envoy.duration_ms": 2500, "pan.action": "allow", "pan.session_end_reason": "tcp-fin",
		"istio.destination.namespace": "payments",
	})))
	prefix, rest, _ := strings.Cut(line, " ")
	assert.Equal(t, "mesh", prefix)
	cols := parseCSV(t, rest)
	want := map[int]string{
		2: "2026/01/02 03:04:06", 4: "TRAFFIC", 5: "end", 7: "2026/01/02 03:04:07", 8: "10.0.0.1", 9: "10.0.0.2",
		11: "10.0.0.3", 18: "payments", 24: "1", 25: "51000", 26: "9080", 28: "9081", 30: "tcp", 31: "allow", 32: "2100", 33: "100",
		34: "2000", 36: "2026/01/02 03:04:05", 37: "2", 47: "tcp-fin",
	}
	for col, v := range want {
		assert.Equal(t, v, cols[col-1], "column %d", col)
	}
}
