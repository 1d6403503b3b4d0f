package prefix

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		"panw_istio_logs":       "panw_istio_logs",
		"team a/b\nc":           "team_a_b_c",
		"é":                     "__",
		strings.Repeat("x", 60): strings.Repeat("x", MaxLen),
		"":                      "",
	} {
		assert.Equal(t, want, Sanitize(in), in)
	}
	assert.Equal(t, 0, int(testing.AllocsPerRun(10, func() { _ = Sanitize("already-clean") })), "no allocation when clean")
}
