package tests

import (
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/testbed/testbed"
)

// TestCorrectnessEveryKind is the short scenario `make test` runs: 6000
// entries (300 turns of the traffic mix: inbound and outbound HTTP and TCP,
// egress, denials, resets) at 2000/s from 4 sidecars, json over syslog, the
// format that writes the most fields. Every entry must arrive once with
// every field right.
func TestCorrectnessEveryKind(t *testing.T) {
	r := newRun(t, setup{
		transport: syslogTransport,
		options:   testbed.LoadOptions{DataItemsPerSecond: 2000, ItemsPerBatch: 40, Parallel: 1},
		pods:      4,
		limits:    tenKLimits,
	})
	r.start()
	r.waitFor(20*time.Second, "6000 entries sent", func() bool { return r.sent() >= 6000 })
	r.drain(20 * time.Second)
	r.finish()
}
