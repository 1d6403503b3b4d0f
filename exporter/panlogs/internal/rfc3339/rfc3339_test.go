package rfc3339

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The cache writes what time.Format would, across seconds and back.
func TestCacheMatchesTimeFormat(t *testing.T) {
	var c Cache
	for _, ts := range []time.Time{
		time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), time.Date(2026, 1, 2, 3, 4, 5, 999999999, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC), time.Date(1999, 12, 31, 23, 59, 59, 123456789, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 7000, time.UTC),
	} {
		got := string(c.Append(nil, ts.UnixNano()))
		assert.Equal(t, ts.UTC().Format("2006-01-02T15:04:05.000000Z07:00"), got)
	}
}
