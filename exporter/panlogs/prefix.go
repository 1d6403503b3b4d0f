package panlogs // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs"

import "github.com/otelcol-pan/otelcol-pan/internal/prefix"

// maxPrefixLen is the longest prefix written: RFC 5424's APP-NAME.
const maxPrefixLen = prefix.MaxLen

// sanitizePrefix makes any pan.prefix safe to write as the line prefix: it
// may come from any producer (OTLP, a transform), so the exporter does not
// trust that paprefix set it.
func sanitizePrefix(s string) string { return prefix.Sanitize(s) }
