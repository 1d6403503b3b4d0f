package encode // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/encode"

import (
	"net/url"
	"strings"
)

// urlRedactor masks the values of configured query parameters
// (redact_query_params): "token=abc&x=1" becomes "token=REDACTED&x=1". Names
// match case-sensitively, as servers read them, and after percent-decoding,
// as servers read them too ("tok%65n" is "token"); a parameter given twice is
// masked twice. It allocates only when something is masked or a name is
// percent-encoded.
type urlRedactor struct {
	names map[string]struct{}
}

const redacted = "REDACTED"

func newURLRedactor(names []string) *urlRedactor {
	r := &urlRedactor{}
	if len(names) > 0 {
		r.names = make(map[string]struct{}, len(names))
		for _, n := range names {
			r.names[n] = struct{}{}
		}
	}
	return r
}

func (r *urlRedactor) redact(query string) string {
	if r == nil || len(r.names) == 0 || query == "" {
		return query
	}
	var b *strings.Builder
	start := 0
	for start <= len(query) {
		end := strings.IndexByte(query[start:], '&')
		if end < 0 {
			end = len(query)
		} else {
			end += start
		}
		param := query[start:end]
		name, _, hasValue := strings.Cut(param, "=")
		if hasValue && r.hit(name) {
			if b == nil {
				b = &strings.Builder{}
				b.Grow(len(query))
				b.WriteString(query[:start])
			}
			b.WriteString(name)
			b.WriteString("=" + redacted)
		} else if b != nil {
			b.WriteString(param)
		}
		if end < len(query) && b != nil {
			b.WriteByte('&')
		}
		start = end + 1
	}
	if b == nil {
		return query
	}
	return b.String()
}

// hit reports whether a parameter name, as written or percent-decoded, is
// one to redact.
func (r *urlRedactor) hit(name string) bool {
	if _, ok := r.names[name]; ok {
		return true
	}
	if !strings.ContainsAny(name, "%+") {
		return false
	}
	decoded, err := url.QueryUnescape(name)
	if err != nil {
		return false
	}
	_, ok := r.names[decoded]
	return ok
}
