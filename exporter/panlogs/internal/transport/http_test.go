package transport

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRetryAfter(t *testing.T) {
	assert.Equal(t, 3*time.Second, retryAfter("3"))
	assert.Equal(t, time.Duration(0), retryAfter(""))
	assert.Equal(t, time.Duration(0), retryAfter("soon"))
	assert.InDelta(t, float64(10*time.Second), float64(retryAfter(time.Now().Add(10*time.Second).UTC().Format(http.TimeFormat))), float64(2*time.Second))
}
