package encode // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/encode"

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// timeCache formats timestamps as RFC 3339 UTC with microseconds. A batch's
// records fall in a handful of seconds, so the date and time up to the
// second are formatted once per second and only the microseconds per call.
type timeCache struct {
	sec    int64
	prefix []byte // "2006-01-02T15:04:05."
}

func (c *timeCache) append(b []byte, ts pcommon.Timestamp) []byte {
	ns := int64(ts)
	sec, frac := ns/1e9, ns%1e9
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
