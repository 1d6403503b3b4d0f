package tests

import (
	"fmt"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/testbed/testbed"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-pan/otelcol-pan/test/testbed/panlines"
)

// Resource ceilings at 10k entries/s (% of one core, MiB of RSS). `make
// bench` measures about 100k entries per CPU-second end to end, 10% of a
// core at this rate, and about 90 MiB peak RSS. These scenarios add
// paprefix, a network transport and five formats
// (measured here: 10–18% CPU, 82–111 MiB at most, the top of the range
// while other work loaded the two cores), and share the cores with their
// own load generator and backend. The testbed checks every 3 s and fails
// on the first window above a ceiling, so the margins are wide.
var tenKLimits = testbed.ResourceSpec{ExpectedMaxCPU: 30, ExpectedMaxRAM: 150}

// tenK is the load of the 10k entries/s scenarios: batches of 100 from one
// generator.
var tenK = testbed.LoadOptions{DataItemsPerSecond: 10_000, ItemsPerBatch: 100, Parallel: 1}

// TestLog10kDPS: 10k Istio entries/s from 8 sidecars (16 ALS streams) into
// each format over each transport, every entry checked at the backend.
func TestLog10kDPS(t *testing.T) {
	for _, transport := range []string{syslogTransport, httpTransport} {
		for _, format := range panlines.Formats {
			t.Run(fmt.Sprintf("%s-%s", format, transport), func(t *testing.T) {
				r := newRun(t, setup{
					format:    format,
					transport: transport,
					options:   tenK,
					pods:      8,
					limits:    tenKLimits,
				})
				r.start()
				r.tc.Sleep(r.tc.Duration)
				r.drain(30 * time.Second)
				r.finish()
			})
		}
	}
}

// persistentQueue is the zero-loss setup of examples/cortex-xsiam-http.yaml:
// the exporter's queue on disk, batching in the queue (no batch processor
// holding accepted records in memory), retries that never give up (here
// with short intervals, so that the backlog drains quickly).
const persistentQueue = `    sending_queue:
      enabled: true
      storage: file_storage
      sizer: requests
      queue_size: 50000
      block_on_overflow: true
      num_consumers: 4
      batch:
        sizer: items
        flush_timeout: 200ms
        min_size: 2048
        max_size: 8192
    retry_on_failure:
      enabled: true
      initial_interval: 100ms
      max_interval: 1s
      max_elapsed_time: 0s
`

// TestLogPersistentQueueBackendOutage: the HTTP backend goes away at full
// load; the collector keeps taking entries into its queue on disk, is
// restarted while the backend is still down, and once the backend is back
// every entry arrives exactly once.
func TestLogPersistentQueueBackendOutage(t *testing.T) {
	storage := t.TempDir()
	r := newRun(t, setup{
		transport: httpTransport,
		options:   tenK,
		pods:      8,
		// After the restart the collector drains its backlog as fast as
		// the backend takes it (measured: about 50% of a core). While the
		// backend is down or slow, each of the queue's 4 consumers holds a
		// batch of up to 8192 records read back from disk: 117–141 MiB
		// measured, up to 219 MiB when the backend (this test process) was
		// starved of CPU by other work on the machine.
		limits:           testbed.ResourceSpec{ExpectedMaxCPU: 120, ExpectedMaxRAM: 256},
		exporterSettings: persistentQueue,
		extensions: []component{{"file_storage", fmt.Sprintf(`
  file_storage:
    directory: %s
    create_directory: true
`, storage)}},
	})
	r.start()
	r.waitFor(20*time.Second, "records at the backend before the outage", func() bool { return r.received() >= 20_000 })

	require.NoError(t, r.receiver.Pause())
	atOutage, sentAtOutage := r.received(), r.sent()
	r.waitFor(20*time.Second, "30k more entries taken in while the backend is down", func() bool {
		return r.sent() >= sentAtOutage+30_000
	})
	require.Equal(t, atOutage, r.received(), "nothing reaches a backend that is down")

	// Stop the load (the collector has read every entry when the streams
	// end), then restart the collector: the backlog must survive on disk.
	r.tc.StopLoad()
	r.tc.StopAgent()
	r.tc.StartAgent()
	require.Equal(t, atOutage, r.received(), "nothing reaches a backend that is down")

	require.NoError(t, r.receiver.Resume())
	r.awaitAll(60 * time.Second)
	r.finish()
}

// TestLogFanIn1kStreams: 500 sidecars, each with its own gRPC connection
// and two ALS streams (HTTP and TCP access loggers), 10k entries/s in all.
func TestLogFanIn1kStreams(t *testing.T) {
	r := newRun(t, setup{
		transport: syslogTransport,
		// A batch of 20 is one turn of the traffic mix, so every pod sends
		// both HTTP and TCP entries.
		options: testbed.LoadOptions{DataItemsPerSecond: 10_000, ItemsPerBatch: 20, Parallel: 4},
		pods:    500,
		// 500 connections cost buffers and goroutines (measured: 20–25%
		// CPU, 150–162 MiB at most).
		limits: testbed.ResourceSpec{ExpectedMaxCPU: 50, ExpectedMaxRAM: 240},
	})
	r.start()
	r.waitFor(30*time.Second, "a stream from every sidecar", func() bool { return r.sender.StreamsOpened() >= 1000 })
	r.tc.Sleep(r.tc.Duration)
	r.drain(30 * time.Second)
	require.EqualValues(t, 1000, r.sender.StreamsOpened(), "ALS streams")
	r.finish()
}
