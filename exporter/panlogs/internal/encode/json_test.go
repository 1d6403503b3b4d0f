package encode

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/record"
	"github.com/otelcol-pan/otelcol-pan/internal/prefix"
)

// hostile values: each could end, split or forge a line or a field if it
// were written unescaped.
var hostile = []string{
	"/a\nFAKE 1,2,3|x=y\\",
	"agent \" , | = ^ \t end",
	"nul\x00byte",
	"bad utf8 \xff\xfe",
	"cr\rlf\n",
	"line sep \u2028 para \u2029 nel \u0085",
	"del\x7f",
	`}{"type":"forged"}`,
}

// filled fills a record's resource with res and the record with attrs.
func filled(res, attrs map[string]any) func(res, attrs pcommon.Map) {
	return func(r, a pcommon.Map) {
		if err := r.FromRaw(res); err != nil {
			panic(err)
		}
		if err := a.FromRaw(attrs); err != nil {
			panic(err)
		}
	}
}

// options are the exporter's defaults for format and mode (its version is
// the test settings' "latest").
func options(format, mode string) Options {
	return Options{Format: format, PrefixMode: mode, Prefix: prefix.Default, Version: "latest"}
}

func encodeOne(tb testing.TB, mode string, fill func(res, attrs pcommon.Map)) []byte {
	return encodeWith(tb, options(JSON, mode), fill)
}

// encodeWith encodes, as one line, the record that fill describes: started
// at 2026-01-02T03:04:05Z, received a second later.
func encodeWith(tb testing.TB, o Options, fill func(res, attrs pcommon.Map)) []byte {
	e, err := New(o)
	require.NoError(tb, err)
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTimestamp(pcommon.NewTimestampFromTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
	lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC)))
	fill(rl.Resource().Attributes(), lr.Attributes())
	res := record.NewResource(rl.Resource().Attributes())
	r := record.New()
	r.Reset(&res, lr)
	line, l := e.AppendLine(nil, r, &Scratch{})
	require.Equal(tb, len(line)-1, l.End)
	return line
}

func decodeLine(tb testing.TB, line []byte, mode string) (string, map[string]any) {
	require.True(tb, bytes.HasSuffix(line, []byte("\n")))
	body := line[:len(line)-1]
	require.NotContains(tb, string(body), "\n")
	require.NotContains(tb, string(body), "\r")
	linePrefix := ""
	if mode == PrefixLine {
		i := bytes.IndexByte(body, ' ')
		require.Positive(tb, i)
		linePrefix, body = string(body[:i]), body[i+1:]
	}
	require.True(tb, utf8.Valid(body))
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	require.NoError(tb, dec.Decode(&m), string(body))
	require.False(tb, dec.More(), "exactly one JSON value on the line")
	return linePrefix, m
}

func TestJSONHostileValuesStayOnOneLine(t *testing.T) {
	for _, v := range hostile {
		t.Run(v, func(t *testing.T) {
			line := encodeOne(t, PrefixLine, func(res, a pcommon.Map) {
				a.PutStr("url.path", v)
				a.PutStr("url.query", v)
				a.PutStr("user_agent.original", v)
				a.PutStr("http.request.method", "GET")
				a.PutStr("pan.prefix", v)
				res.PutStr("istio.app_containers", v)
			})
			linePrefix, m := decodeLine(t, line, PrefixLine)
			want := validUTF8(v)
			h := m["http"].(map[string]any)
			assert.Equal(t, want, h["user_agent"])
			assert.Equal(t, want, h["path"])
			assert.Equal(t, want+"?"+want, h["url"])
			assert.Equal(t, want, m["containers"])
			assert.Equal(t, prefix.Sanitize(v), linePrefix)
			assert.NotContains(t, linePrefix, " ")
		})
	}
}

func TestJSONKeys(t *testing.T) {
	line := encodeOne(t, PrefixField, filled(map[string]any{
		"k8s.pod.name": "productpage-v1-abc", "k8s.namespace.name": "default", "istio.proxy.type": "sidecar",
	}, map[string]any{
		"source.address": "10.0.0.1", "source.port": 51000, "destination.address": "10.0.0.2",
		"destination.port": 9080, "envoy.upstream.address": "10.0.0.3", "envoy.upstream.port": 9080,
		"envoy.upstream.cluster": "outbound|9080||details.default.svc.cluster.local", "istio.direction": "outbound",
		"network.transport": "tcp", "network.protocol.name": "http", "network.protocol.version": "2",
		"http.request.method": "POST", "url.path": "/pay", "url.query": "id=7", "server.address": "details",
		"server.port": 9080, "http.response.status_code": 403, "http.request.body.size": 10,
		"http.response.body.size": 20, "envoy.duration_ms": 1500, "pan.action": "deny", "pan.prefix": "team-a",
		"istio.source.namespace": "default", "pan.egress": true,
	}))
	_, m := decodeLine(t, line, PrefixField)
	want := map[string]any{
		"prefix": "team-a", "receive_time": "2026-01-02T03:04:06.000000Z", "time_generated": "2026-01-02T03:04:06.500000Z",
		"type": "TRAFFIC", "subtype": "deny", "src": "10.0.0.1", "sport": json.Number("51000"), "dst": "10.0.0.2",
		"dport": json.Number("9080"), "natdst": "10.0.0.3", "natdport": json.Number("9080"), "proto": "tcp", "app": "http2",
		"action": "deny", "from": "default", "to": "external", "bytes": json.Number("30"), "bytes_sent": json.Number("10"),
		"bytes_received": json.Number("20"), "start": "2026-01-02T03:04:05.000000Z", "elapsed_ms": json.Number("1500"),
		"src_pod": "productpage-v1-abc", "dst_service": "details.default.svc.cluster.local", "direction": "outbound",
		"proxy": "sidecar", "egress": true,
		"http": map[string]any{
			"method": "POST", "url": "/pay?id=7", "host": "details:9080", "path": "/pay",
			"status": json.Number("403"), "request_size": json.Number("10"), "response_size": json.Number("20"),
		},
		"envoy": map[string]any{"cluster": "outbound|9080||details.default.svc.cluster.local"},
	}
	assert.Equal(t, want, m)
}

func TestPrefixModes(t *testing.T) {
	fill := func(_, a pcommon.Map) { a.PutStr("pan.prefix", "payments") }
	assert.True(t, bytes.HasPrefix(encodeOne(t, PrefixLine, fill), []byte(`payments {"receive_time"`)))
	assert.True(t, bytes.HasPrefix(encodeOne(t, PrefixField, fill), []byte(`{"prefix":"payments","receive_time"`)))
	assert.True(t, bytes.HasPrefix(encodeOne(t, PrefixNone, fill), []byte(`{"receive_time"`)))
	// Without pan.prefix the configured prefix applies.
	assert.True(t, bytes.HasPrefix(encodeOne(t, PrefixLine, func(_, _ pcommon.Map) {}), []byte(prefix.Default+` {`)))
}

// FuzzJSONLine: any attribute values encode to exactly one line holding one
// JSON object that reads back to the same (valid-UTF-8) values.
func FuzzJSONLine(f *testing.F) {
	for _, v := range hostile {
		f.Add(v, v, v)
	}
	f.Fuzz(func(t *testing.T, path, agent, pfx string) {
		line := encodeOne(t, PrefixLine, func(_, a pcommon.Map) {
			a.PutStr("url.path", path)
			a.PutStr("user_agent.original", agent)
			a.PutStr("pan.prefix", pfx)
		})
		if bytes.Count(line, []byte("\n")) != 1 {
			t.Fatalf("not one line: %q", line)
		}
		gotPrefix, m := decodeLine(t, line, PrefixLine)
		h := m["http"].(map[string]any)
		if h["path"] != validUTF8(path) || h["user_agent"] != validUTF8(agent) {
			t.Fatalf("values changed: %q", line)
		}
		if pfx != "" && gotPrefix != prefix.Sanitize(pfx) {
			t.Fatalf("prefix %q became %q", pfx, gotPrefix)
		}
	})
}

// validUTF8 is what a JSON reader gets back: each invalid byte becomes U+FFFD.
func validUTF8(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(r)
		i += n
	}
	return b.String()
}
