package panlogs

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/metadata"
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

func encodeOne(t testing.TB, mode string, fill func(res, attrs pcommon.Map)) []byte {
	cfg := createDefaultConfig().(*Config)
	cfg.PrefixMode = mode
	return encodeWith(t, cfg, fill)
}

func encodeWith(t testing.TB, cfg *Config, fill func(res, attrs pcommon.Map)) []byte {
	e, err := newExporter(cfg, exportertest.NewNopSettings(metadata.Type))
	require.NoError(t, err)
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTimestamp(pcommon.NewTimestampFromTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
	lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC)))
	fill(rl.Resource().Attributes(), lr.Attributes())
	var rec record
	rv := newResourceView(rl.Resource().Attributes())
	rec.resetWith(&rv, lr)
	var bt batch
	e.appendLine(&bt, &rec)
	return bt.buf
}

func decodeLine(t testing.TB, line []byte, mode string) (string, map[string]any) {
	require.True(t, bytes.HasSuffix(line, []byte("\n")))
	body := line[:len(line)-1]
	require.NotContains(t, string(body), "\n")
	require.NotContains(t, string(body), "\r")
	prefix := ""
	if mode == PrefixModeLine {
		i := bytes.IndexByte(body, ' ')
		require.Positive(t, i)
		prefix, body = string(body[:i]), body[i+1:]
	}
	require.True(t, utf8.Valid(body))
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&m), string(body))
	require.False(t, dec.More(), "exactly one JSON value on the line")
	return prefix, m
}

func TestJSONHostileValuesStayOnOneLine(t *testing.T) {
	for _, v := range hostile {
		t.Run(v, func(t *testing.T) {
			line := encodeOne(t, PrefixModeLine, func(res, a pcommon.Map) {
				a.PutStr("url.path", v)
				a.PutStr("url.query", v)
				a.PutStr("user_agent.original", v)
				a.PutStr("http.request.method", "GET")
				a.PutStr("pan.prefix", v)
				res.PutStr("istio.app_containers", v)
			})
			prefix, m := decodeLine(t, line, PrefixModeLine)
			want := validUTF8(v)
			h := m["http"].(map[string]any)
			assert.Equal(t, want, h["user_agent"])
			assert.Equal(t, want, h["path"])
			assert.Equal(t, want+"?"+want, h["url"])
			assert.Equal(t, want, m["containers"])
			assert.Equal(t, sanitizePrefix(v), prefix)
			assert.NotContains(t, prefix, " ")
		})
	}
}

func TestJSONKeys(t *testing.T) {
	line := encodeOne(t, PrefixModeField, func(res, a pcommon.Map) {
		res.PutStr("k8s.pod.name", "productpage-v1-abc")
		res.PutStr("k8s.namespace.name", "default")
		res.PutStr("istio.proxy.type", "sidecar")
		a.PutStr("source.address", "10.0.0.1")
		a.PutInt("source.port", 51000)
		a.PutStr("destination.address", "10.0.0.2")
		a.PutInt("destination.port", 9080)
		a.PutStr("envoy.upstream.address", "10.0.0.3")
		a.PutInt("envoy.upstream.port", 9080)
		a.PutStr("envoy.upstream.cluster", "outbound|9080||details.default.svc.cluster.local")
		a.PutStr("istio.direction", "outbound")
		a.PutStr("network.transport", "tcp")
		a.PutStr("network.protocol.name", "http")
		a.PutStr("network.protocol.version", "2")
		a.PutStr("http.request.method", "POST")
		a.PutStr("url.path", "/pay")
		a.PutStr("url.query", "id=7")
		a.PutStr("server.address", "details")
		a.PutInt("server.port", 9080)
		a.PutInt("http.response.status_code", 403)
		a.PutInt("http.request.body.size", 10)
		a.PutInt("http.response.body.size", 20)
		a.PutInt("envoy.duration_ms", 1500)
		a.PutStr("pan.action", "deny")
		a.PutStr("pan.prefix", "team-a")
		a.PutStr("istio.source.namespace", "default")
		a.PutBool("pan.egress", true)
	})
	_, m := decodeLine(t, line, PrefixModeField)
	want := map[string]any{
		"prefix": "team-a", "receive_time": "2026-01-02T03:04:06.000000Z", "time_generated": "2026-01-02T03:04:06.500000Z",
		"type": "TRAFFIC", "subtype": "deny", "src": "10.0.0.1", "sport": json.Number("51000"), "dst": "10.0.0.2",
		"dport": json.Number("9080"), "natdst": "10.0.0.3", "natdport": json.Number("9080"), "proto": "tcp", "app": "http2",
		"action": "deny", "from": "default", "to": "external", "bytes": json.Number("30"), "bytes_sent": json.Number("10"),
		"bytes_received": json.Number("20"), "start": "2026-01-02T03:04:05.000000Z", "elapsed_ms": json.Number("1500"),
		"src_pod": "productpage-v1-abc", "dst_service": "details.default.svc.cluster.local", "direction": "outbound",
		"proxy": "sidecar", "egress": true,
		"http": map[string]any{"method": "POST", "url": "/pay?id=7", "host": "details:9080", "path": "/pay",
			"status": json.Number("403"), "request_size": json.Number("10"), "response_size": json.Number("20")},
		"envoy": map[string]any{"cluster": "outbound|9080||details.default.svc.cluster.local"},
	}
	assert.Equal(t, want, m)
}

func TestPrefixModes(t *testing.T) {
	fill := func(_, a pcommon.Map) { a.PutStr("pan.prefix", "payments") }
	assert.True(t, bytes.HasPrefix(encodeOne(t, PrefixModeLine, fill), []byte(`payments {"receive_time"`)))
	assert.True(t, bytes.HasPrefix(encodeOne(t, PrefixModeField, fill), []byte(`{"prefix":"payments","receive_time"`)))
	assert.True(t, bytes.HasPrefix(encodeOne(t, PrefixModeNone, fill), []byte(`{"receive_time"`)))
	// Without pan.prefix the configured prefix applies.
	assert.True(t, bytes.HasPrefix(encodeOne(t, PrefixModeLine, func(_, _ pcommon.Map) {}), []byte(DefaultPrefix+` {`)))
}

// FuzzJSONLine: any attribute values encode to exactly one line holding one
// JSON object that reads back to the same (valid-UTF-8) values.
func FuzzJSONLine(f *testing.F) {
	for _, v := range hostile {
		f.Add(v, v, v)
	}
	f.Fuzz(func(t *testing.T, path, agent, prefix string) {
		line := encodeOne(t, PrefixModeLine, func(_, a pcommon.Map) {
			a.PutStr("url.path", path)
			a.PutStr("user_agent.original", agent)
			a.PutStr("pan.prefix", prefix)
		})
		if bytes.Count(line, []byte("\n")) != 1 {
			t.Fatalf("not one line: %q", line)
		}
		gotPrefix, m := decodeLine(t, line, PrefixModeLine)
		h := m["http"].(map[string]any)
		if h["path"] != validUTF8(path) || h["user_agent"] != validUTF8(agent) {
			t.Fatalf("values changed: %q", line)
		}
		if prefix != "" && gotPrefix != sanitizePrefix(prefix) {
			t.Fatalf("prefix %q became %q", prefix, gotPrefix)
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

func TestTimeCacheMatchesTimeFormat(t *testing.T) {
	var c timeCache
	for _, ts := range []time.Time{
		time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), time.Date(2026, 1, 2, 3, 4, 5, 999999999, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC), time.Date(1999, 12, 31, 23, 59, 59, 123456789, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 7000, time.UTC),
	} {
		got := string(c.append(nil, pcommon.NewTimestampFromTime(ts)))
		assert.Equal(t, ts.UTC().Format("2006-01-02T15:04:05.000000Z07:00"), got)
	}
}

// The record view remembers the last record's key order; records whose
// attributes come in another order, or with other keys, must still read
// every field right.
func TestKeyOrderChangesWithinAndAcrossBatches(t *testing.T) {
	cfg := formatConfig(FormatJSON, PrefixModeNone)
	e, err := newExporter(cfg, exportertest.NewNopSettings(metadata.Type))
	require.NoError(t, err)
	sink := &writerTransport{w: &bytes.Buffer{}}
	e.tr = sink
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for i := 0; i < 6; i++ {
		a := lrs.AppendEmpty().Attributes()
		src, dst := "10.0.0."+strconv.Itoa(i), "10.1.0."+strconv.Itoa(i)
		switch i % 3 {
		case 0:
			a.PutStr("source.address", src)
			a.PutStr("destination.address", dst)
		case 1:
			a.PutStr("destination.address", dst)
			a.PutStr("source.address", src)
		case 2:
			a.PutStr("unrelated", "x")
			a.PutStr("destination.address", dst)
			a.PutStr("pan.rule", "r"+strconv.Itoa(i))
			a.PutStr("source.address", src)
		}
	}
	for round := 0; round < 2; round++ {
		require.NoError(t, e.pushLogs(context.Background(), ld))
	}
	lines := strings.Split(strings.TrimSuffix(sink.w.(*bytes.Buffer).String(), "\n"), "\n")
	require.Len(t, lines, 12)
	for n, line := range lines {
		i := n % 6
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m))
		assert.Equal(t, "10.0.0."+strconv.Itoa(i), m["src"], line)
		assert.Equal(t, "10.1.0."+strconv.Itoa(i), m["dst"], line)
		if i%3 == 2 {
			assert.Equal(t, "r"+strconv.Itoa(i), m["rule"], line)
		} else {
			assert.NotContains(t, m, "rule", line)
		}
	}
}
