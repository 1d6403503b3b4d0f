package encode

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
		"tok%65n=x&y=1":             "tok%65n=REDACTED&y=1",
		"%74oken=x&session%3D=y":    "%74oken=REDACTED&session%3D=y",
		"se+ssion=1&tok%zz=2":       "se+ssion=1&tok%zz=2",
	} {
		assert.Equal(t, want, r.redact(in), in)
	}
	assert.Equal(t, "token=abc", newURLRedactor(nil).redact("token=abc"))
}

func TestCredentialsNeverWrittenAndAllowListedHeadersAre(t *testing.T) {
	o := options(JSON, PrefixNone)
	o.IncludeHeaders = []string{"X-B3-TraceId"}
	o.RedactQueryParams = []string{"token"}
	line := oneLine(t, encodeWith(t, o, filled(nil, map[string]any{
		"http.request.method": "GET", "url.path": "/login", "url.query": "user=ann&token=s3cret",
		"http.request.header.authorization": "Bearer s3cret", "http.request.header.cookie": "sid=s3cret",
		"http.request.header.x-b3-traceid":  "80f198ee56343ba8",
		"http.response.header.x-b3-traceid": "80f198ee56343ba9",
	})))
	assert.NotContains(t, line, "s3cret")
	_, m := decodeLine(t, []byte(line+"\n"), PrefixNone)
	h := m["http"].(map[string]any)
	assert.Equal(t, "/login?user=ann&token=REDACTED", h["url"])
	assert.Equal(t, map[string]any{"x-b3-traceid": "80f198ee56343ba8"}, h["headers"])
	assert.Equal(t, map[string]any{"x-b3-traceid": "80f198ee56343ba9"}, h["response_headers"])

	for _, f := range []string{CEF, LEEF} {
		line := oneLine(t, encodeWith(t, options(f, PrefixNone), func(_, a pcommon.Map) {
			a.PutStr("url.path", "/login")
			a.PutStr("url.query", "token=s3cret")
			a.PutStr("http.request.header.authorization", "Bearer s3cret")
		}))
		require.Contains(t, line, "/login?token")
		assert.Contains(t, line, "s3cret", "redaction is opt-in (%s)", f)
		assert.NotContains(t, line, "Bearer", "headers are never written by %s", f)
	}
}
