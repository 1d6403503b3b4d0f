package panlogs // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs"

// maxPrefixLen is the longest prefix written: RFC 5424's APP-NAME.
const maxPrefixLen = 48

// sanitizePrefix makes any string safe to write as the line prefix: only
// A-Z a-z 0-9 . _ - survive, other bytes become '_', and it is cut at 48
// bytes. pan.prefix may come from any producer (OTLP, a transform), so the
// exporter does not trust that paprefix set it. It allocates only when the
// prefix needs changing.
func sanitizePrefix(s string) string {
	clean := len(s) <= maxPrefixLen
	for i := 0; clean && i < len(s); i++ {
		clean = prefixByte(s[i])
	}
	if clean {
		return s
	}
	if len(s) > maxPrefixLen {
		s = s[:maxPrefixLen]
	}
	b := []byte(s)
	for i := range b {
		if !prefixByte(b[i]) {
			b[i] = '_'
		}
	}
	return string(b)
}

func prefixByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '.' || b == '_' || b == '-'
}
