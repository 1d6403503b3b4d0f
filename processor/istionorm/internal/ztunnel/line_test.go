package ztunnel

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-pan/otelcol-pan/internal/alsgen"
)

// Lines as ztunnel writes them (plain and LOG_FORMAT=json), for the cases
// that matter: an mTLS connection, a policy denial, an early denial and a
// connection to an address outside the mesh.
const (
	plainComplete = "2026-11-29T10:11:12.345678Z\tinfo\taccess\tconnection complete\t" +
		`src.addr=10.244.1.5:43210 src.workload="sleep-7656cf8794-r7zb9" src.namespace="default" src.identity="spiffe://cluster.local/ns/default/sa/sleep" src.cluster="Kubernetes" ` +
		`dst.addr=10.244.2.7:15008 dst.hbone_addr=10.244.2.7:9080 dst.service="reviews.default.svc.cluster.local" dst.workload="reviews-v1-5fd6d4f8f8-knbht" dst.namespace="default" dst.identity="spiffe://cluster.local/ns/default/sa/bookinfo-reviews" dst.cluster="Kubernetes" ` +
		`direction="outbound" bytes_sent=1234 bytes_recv=5678 duration="13ms"` + "\n"
	plainDenied = "2026-11-29T10:11:13.000001Z\terror\taccess\tconnection complete\t" +
		`src.addr=10.244.1.5:43211 src.workload="sleep-7656cf8794-r7zb9" src.namespace="default" src.identity="spiffe://cluster.local/ns/default/sa/sleep" ` +
		`dst.addr=10.244.2.7:15008 dst.hbone_addr=10.244.2.7:9080 dst.workload="reviews-v1-5fd6d4f8f8-knbht" dst.namespace="default" dst.identity="spiffe://cluster.local/ns/default/sa/bookinfo-reviews" ` +
		`direction="inbound" bytes_sent=0 bytes_recv=0 duration="1ms" error="connection closed due to policy rejection: explicitly denied by: default/deny-sleep"`
	plainFailed = "2026-11-29T10:11:14.5Z\twarn\taccess\tconnection failed\t" +
		`src.addr=10.244.1.5:43212 dst.addr=10.244.2.7:15008 direction="inbound" error="connection closed due to policy rejection: allow policies exist, but none allowed"`
	jsonComplete = `{"level":"info","time":"2026-11-29T10:11:15.000002Z","scope":"access","message":"connection complete",` +
		`"src.addr":"10.244.1.5:43213","src.workload":"sleep-7656cf8794-r7zb9","src.namespace":"default",` +
		`"dst.addr":"93.184.216.34:443","dst.service":"example.com","direction":"outbound","bytes_sent":517,"bytes_recv":4096,"duration":"250ms"}`
)

func TestParseAccessLines(t *testing.T) {
	for _, tt := range []struct {
		name, line string
		level, msg string
		want       map[string]string
	}{
		{"complete", plainComplete, "info", "connection complete", map[string]string{
			"src.addr": "10.244.1.5:43210", "src.workload": "sleep-7656cf8794-r7zb9", "src.identity": "spiffe://cluster.local/ns/default/sa/sleep",
			"dst.addr": "10.244.2.7:15008", "dst.hbone_addr": "10.244.2.7:9080", "direction": "outbound",
			"bytes_sent": "1234", "bytes_recv": "5678", "duration": "13ms",
		}},
		{"denied", plainDenied, "error", "connection complete", map[string]string{
			"error": "connection closed due to policy rejection: explicitly denied by: default/deny-sleep", "direction": "inbound",
		}},
		{"failed", plainFailed, "warn", "connection failed", map[string]string{
			"src.addr": "10.244.1.5:43212", "error": "connection closed due to policy rejection: allow policies exist, but none allowed",
		}},
		{"json", jsonComplete, "info", "connection complete", map[string]string{
			"src.addr": "10.244.1.5:43213", "dst.addr": "93.184.216.34:443", "dst.service": "example.com", "bytes_sent": "517", "duration": "250ms",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Parse(tt.line)
			require.NoError(t, err)
			assert.True(t, l.IsAccess())
			assert.Equal(t, tt.level, l.Level)
			assert.Equal(t, tt.msg, l.Message)
			for k, v := range tt.want {
				got, ok := l.Get(k)
				assert.True(t, ok, k)
				assert.Equal(t, v, got, k)
			}
			_, ok := l.Get("dst.no_such_key")
			assert.False(t, ok)
		})
	}
}

// Unknown keys are kept (the format is unstable upstream); values with
// spaces, quotes and escapes come back as they were.
func TestParseEscapesAndUnknownKeys(t *testing.T) {
	line := "2026-11-29T10:11:12.345678Z\tinfo\taccess\tconnection complete\t" +
		`new.key=42 error="tls error: \"bad\" cert\nline2 \\ tab\t nul\0 quote\' \u{1b}" src.addr=[fd00::1]:80`
	l, err := Parse(line)
	require.NoError(t, err)
	v, _ := l.Get("new.key")
	assert.Equal(t, "42", v)
	v, _ = l.Get("error")
	assert.Equal(t, "tls error: \"bad\" cert\nline2 \\ tab\t nul\x00 quote' \x1b", v)
	v, _ = l.Get("src.addr")
	assert.Equal(t, "[fd00::1]:80", v)
}

func TestNotZtunnel(t *testing.T) {
	for _, s := range []string{
		"", "hello world", `[2026-11-29T10:11:12.345Z] "GET / HTTP/1.1" 200`, `{"not":"ztunnel"}`,
		"2026-11-29T10:11:12.345678Z\tinfo\taccess\tconnection complete\tsrc.addr=\"unterminated",
	} {
		_, err := Parse(s)
		assert.Error(t, err, "%q", s)
	}
}

// Any value ztunnel could write (quoted as alsgen writes ztunnel's lines)
// comes back unchanged, and no input makes the parser panic.
func FuzzParsePlain(f *testing.F) {
	f.Add("sleep-7656cf8794-r7zb9", "connection closed due to policy rejection: explicitly denied by: default/x")
	f.Add("a\"b\\c\nd", "\x00\x1b\u2028é")
	f.Add("", " ")
	f.Fuzz(func(t *testing.T, workload, errText string) {
		line := "2026-11-29T10:11:12.345678Z\terror\taccess\tconnection complete\t" +
			"src.addr=10.0.0.1:1 src.workload=" + alsgen.RustQuote(workload) + " bytes_sent=3 error=" + alsgen.RustQuote(errText)
		l, err := Parse(line)
		if !validUTF8(workload) || !validUTF8(errText) {
			return // Rust strings are UTF-8; what else the parser does is only not to panic
		}
		require.NoError(t, err, line)
		w, _ := l.Get("src.workload")
		e, _ := l.Get("error")
		n, _ := l.Get("bytes_sent")
		require.Equal(t, workload, w)
		require.Equal(t, errText, e)
		require.Equal(t, "3", n)
		_, _ = Parse(workload + "\t" + errText) // arbitrary input: no panic
	})
}

func validUTF8(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// Any strings ztunnel's JSON format could hold come back unchanged (keys and
// values through encoding/json's escaping), numbers as written, and no
// input makes the scanner panic.
func FuzzParseJSON(f *testing.F) {
	f.Add("error", "connection closed due to policy rejection: explicitly denied by: default/x", int64(12))
	f.Add("a\"b", "\x00\u2028é\\/", int64(-1))
	f.Add("", "", int64(0))
	f.Fuzz(func(t *testing.T, key, value string, n int64) {
		_, _ = Parse("{" + key + value) // arbitrary text: no panic
		_, _ = Parse(value)
		if !validUTF8(key) || !validUTF8(value) || key == "" || key == "n" || key == "time" || key == "level" || key == "scope" || key == "message" {
			return
		}
		b, err := json.Marshal(map[string]any{"level": "info", "time": "2026-11-29T10:11:12.345678Z", "scope": "access", "message": "connection complete", key: value, "n": n})
		require.NoError(t, err)
		l, err := Parse(string(b))
		require.NoError(t, err, string(b))
		got, ok := l.Get(key)
		require.True(t, ok)
		require.Equal(t, value, got)
		num, _ := l.Get("n")
		require.Equal(t, strconv.FormatInt(n, 10), num)
		require.Equal(t, "access", l.Target)
	})
}

func TestParseJSONShapes(t *testing.T) {
	l, err := Parse(`  {"level":"warn","time":"2026-11-29T10:11:12Z","scope":"access","message":"connection failed","error":"x\ty\u00e9\ud83d\ude00","n":1.5e3,"b":true,"z":null,"span":{"a":[1,"}"]}}` + "\n")
	require.NoError(t, err)
	v, _ := l.Get("error")
	assert.Equal(t, "x\tyé😀", v)
	v, _ = l.Get("n")
	assert.Equal(t, "1.5e3", v)
	v, _ = l.Get("b")
	assert.Equal(t, "true", v)
	_, ok := l.Get("z")
	assert.False(t, ok, "null is absent")
	v, _ = l.Get("span")
	assert.JSONEq(t, `{"a":[1,"}"]}`, v)
	for _, bad := range []string{`{"level":"info"}`, `{"level":"info","time":"t"`, `{"level":"info","time":"t"} x`, `{"level":"info","time":"t",}`, `{"a":01x}`, `{"a":"\q"}`} {
		_, err := Parse(bad)
		assert.Error(t, err, bad)
	}
}
