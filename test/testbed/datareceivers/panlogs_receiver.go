// Package datareceivers holds the testbed's mock backends for otelcol-pan's
// panlogs exporter: a syslog server (RFC 5424 over TCP, octet counting) and
// a Cortex-style HTTP log collector. Both parse every line they receive back
// into a log record (see panlines) and hand it to the testbed's MockBackend.
package datareceivers

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/testbed/testbed"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-pan/otelcol-pan/test/testbed/panlines"
)

// Observer sees every batch of parsed records before the mock backend does.
// The correctness validator checks records as they arrive instead of keeping
// hundreds of thousands of them until the end.
type Observer func(plog.Logs)

// panlogsBase is what both receivers share: the format they parse, where
// they listen, the exporter settings they write into the collector's config,
// and the consumer they feed.
type panlogsBase struct {
	testbed.DataReceiverBase
	format   string
	settings []string

	mu       sync.Mutex
	consumer consumer.Logs
	observer Observer
}

func (b *panlogsBase) addr() string { return fmt.Sprintf("127.0.0.1:%d", b.Port) }

// ProtocolName is the exporter's type.
func (*panlogsBase) ProtocolName() string { return "panlogs" }

// Format is the panlogs format the receiver reads.
func (b *panlogsBase) Format() string { return b.format }

// exporterConfig is the panlogs exporter section for the given transport
// settings, plus whatever AddExporterSettings added.
func (b *panlogsBase) exporterConfig(transport string) string {
	return fmt.Sprintf(`
  panlogs:
    format: %s
    prefix_mode: line
%s%s`, b.format, transport, strings.Join(b.settings, ""))
}

// consume parses lines into one batch of records and delivers it.
func (b *panlogsBase) consume(lines [][]byte, fill func(i int, fields pcommon.Map)) error {
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	lrs.EnsureCapacity(len(lines))
	now := pcommon.NewTimestampFromTime(time.Now())
	for i, line := range lines {
		lr := lrs.AppendEmpty()
		lr.SetObservedTimestamp(now)
		lr.Body().SetStr(string(line))
		fields := lr.Attributes()
		if err := panlines.Parse(b.format, line, fields); err != nil {
			fields.Clear()
			fields.PutStr(panlines.ParseError, err.Error())
			continue
		}
		if fill != nil {
			fill(i, fields)
		}
	}
	b.mu.Lock()
	c, obs := b.consumer, b.observer
	b.mu.Unlock()
	if obs != nil {
		obs(ld)
	}
	if c == nil {
		return nil
	}
	return c.ConsumeLogs(context.Background(), ld)
}

func (b *panlogsBase) setConsumer(lc consumer.Logs) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.consumer = lc
}

// AddExporterSettings adds YAML (indented four spaces, under the exporter)
// to the exporter's configuration: sending_queue, retry_on_failure, ….
func (b *panlogsBase) AddExporterSettings(yaml string) { b.settings = append(b.settings, yaml) }

// Observe lets o see every batch of records as it arrives.
func (b *panlogsBase) Observe(o Observer) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.observer = o
}

// Receiver is a panlogs backend the scenarios configure and watch.
type Receiver interface {
	Outage
	AddExporterSettings(yaml string)
	Observe(o Observer)
}

// Outage is a backend that can go away and come back mid-run, at the same
// address: the scenarios with a persistent queue stop and restart it.
type Outage interface {
	testbed.DataReceiver
	// Pause stops listening (Stop); Resume listens again and feeds the same
	// mock backend.
	Pause() error
	Resume() error
}

func (b *panlogsBase) currentConsumer() consumer.Logs {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.consumer
}
