package panlogs

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

func TestRedactQuery(t *testing.T) {
	r := newURLRedactor([]string{"token", "session"})
	for in, want := range map[string]string{
		"token=abc&x=1&token=def&y": "token=REDACTED&x=1&token=REDACTED&y",
		"x=1":                       "x=1",
		"session=":                  "session=REDACTED",
		"token":                     "token",
		"":                          "",
		"a=1&session=s&b=2":         "a=1&session=REDACTED&b=2",
		"tokens=1&xtoken=2":         "tokens=1&xtoken=2",
		"&&token=1&":                "&&token=REDACTED&",
	} {
		assert.Equal(t, want, r.redact(in), in)
	}
	assert.Equal(t, "token=abc", newURLRedactor(nil).redact("token=abc"))
}

func TestCredentialsNeverWrittenAndAllowListedHeadersAre(t *testing.T) {
	cfg := formatConfig(FormatJSON, PrefixModeNone)
	cfg.IncludeHeaders = []string{"X-B3-TraceId"}
	cfg.RedactQueryParams = []string{"token"}
	line := oneLine(t, encodeWith(t, cfg, func(_, a pcommon.Map) {
		a.PutStr("http.request.method", "GET")
		a.PutStr("url.path", "/login")
		a.PutStr("url.query", "user=ann&token=s3cret")
		a.PutStr("http.request.header.authorization", "Bearer s3cret")
		a.PutStr("http.request.header.cookie", "sid=s3cret")
		a.PutStr("http.request.header.x-b3-traceid", "80f198ee56343ba8")
		a.PutStr("http.response.header.x-b3-traceid", "80f198ee56343ba9")
	}))
	assert.NotContains(t, line, "s3cret")
	_, m := decodeLine(t, []byte(line+"\n"), PrefixModeNone)
	h := m["http"].(map[string]any)
	assert.Equal(t, "/login?user=ann&token=REDACTED", h["url"])
	assert.Equal(t, map[string]any{"x-b3-traceid": "80f198ee56343ba8"}, h["headers"])
	assert.Equal(t, map[string]any{"x-b3-traceid": "80f198ee56343ba9"}, h["response_headers"])

	for _, f := range []string{FormatCEF, FormatLEEF} {
		line := oneLine(t, encodeWith(t, formatConfig(f, PrefixModeNone), func(_, a pcommon.Map) {
			a.PutStr("url.path", "/login")
			a.PutStr("url.query", "token=s3cret")
			a.PutStr("http.request.header.authorization", "Bearer s3cret")
		}))
		require.Contains(t, line, "/login?token")
		assert.Contains(t, line, "s3cret", "redaction is opt-in (%s)", f)
		assert.NotContains(t, line, "Bearer", "headers are never written by %s", f)
	}
}
