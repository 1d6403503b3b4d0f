// Package rfc3339 formats timestamps as RFC 3339 in UTC with microseconds
// ("2006-01-02T15:04:05.000000Z"), the form every panlogs output writes,
// fast enough for one call per record.
package rfc3339 // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/rfc3339"

import "time"

// Cache formats timestamps. A batch's records fall in a handful of
// seconds, so the date and time up to the second are formatted once per
// second and only the microseconds per call. Not safe for concurrent use.
type Cache struct {
	sec    int64
	prefix []byte // "2006-01-02T15:04:05."
}

// Append appends the time unixNano (nanoseconds since the Unix epoch, not
// before it).
func (c *Cache) Append(b []byte, unixNano int64) []byte {
	sec, frac := unixNano/1e9, unixNano%1e9
	if sec != c.sec || c.prefix == nil {
		c.sec = sec
		c.prefix = time.Unix(sec, 0).UTC().AppendFormat(c.prefix[:0], "2006-01-02T15:04:05.")
	}
	b = append(b, c.prefix...)
	us := frac / 1000
	var d [6]byte
	for i := 5; i >= 0; i-- {
		d[i] = byte('0' + us%10)
		us /= 10
	}
	b = append(b, d[:]...)
	return append(b, 'Z')
}
