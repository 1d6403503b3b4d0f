// Package prefix holds the one rule for a Palo Alto Networks search prefix,
// shared by processor/paprefix (which renders it) and exporter/panlogs
// (which must not trust whoever set pan.prefix): at most MaxLen bytes of
// A-Z a-z 0-9 . _ -, every other byte replaced by '_'.
package prefix

// Default is the prefix of a record nobody gave one: the original Palo Alto
// Networks Istio adapter's.
const Default = "panw_istio_logs"

// MaxLen is the longest prefix: RFC 5424's APP-NAME, which the syslog
// transport fills with it.
const MaxLen = 48

// Byte reports whether b may appear in a prefix.
func Byte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '.' || b == '_' || b == '-'
}

// SanitizeBytes replaces, in place, every byte that may not appear in a
// prefix with '_'. It works on bytes: a multi-byte UTF-8 character becomes
// several underscores, which keeps the length rule simple and the result
// ASCII. It does not cut the length.
func SanitizeBytes(b []byte) {
	for i, c := range b {
		if !Byte(c) {
			b[i] = '_'
		}
	}
}

// Sanitize returns s cut to MaxLen bytes with every other byte replaced; it
// allocates only when s needs changing.
func Sanitize(s string) string {
	clean := len(s) <= MaxLen
	for i := 0; clean && i < len(s); i++ {
		clean = Byte(s[i])
	}
	if clean {
		return s
	}
	b := []byte(s[:min(len(s), MaxLen)])
	SanitizeBytes(b)
	return string(b)
}
