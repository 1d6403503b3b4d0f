package panlogs // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/pdata/plog"
)

// defaultQueueBytes bounds the default in-memory queue: every record the
// exporter holds (queued, being batched, being written) counts against it
// until its write returns, by its protobuf size, which for these records is
// close to what they take in memory.
const defaultQueueBytes = 16 << 20

// defaultQueueConfig bounds the queue in bytes, not requests (the stock 1000
// requests of up to 8192 records can hold gigabytes) nor records (a record
// with a long attacker-chosen URL is many times the size of another), and
// blocks when it is full: the receiver then waits and Envoy buffers, instead
// of records being refused. The queue batches itself (2048 to 4096 records
// a write, or what came within 200 ms), so no batch processor is needed in
// front of it, and there is one bounded buffer rather than two.
func defaultQueueConfig() exporterhelper.QueueBatchConfig {
	q := exporterhelper.NewDefaultQueueConfig()
	q.Sizer = exporterhelper.RequestSizerTypeBytes
	q.QueueSize = defaultQueueBytes
	q.BlockOnOverflow = true
	q.NumConsumers = 4
	q.Batch = configoptional.Some(exporterhelper.BatchConfig{
		FlushTimeout: 200 * time.Millisecond,
		Sizer:        exporterhelper.RequestSizerTypeItems,
		MinSize:      2048,
		MaxSize:      4096,
	})
	return q
}

// splitter hands the queue requests of at most half its capacity. The queue
// refuses a request larger than its whole capacity (in memory: dropped; on
// disk with block_on_overflow: waiting forever), and a batch processor in
// front of a bytes-sized queue sends exactly such requests. Splitting costs
// one size computation per request above a record count that could be
// large. With the queue's batching on, exporterhelper declares that it
// mutates data, so the pipeline hands over records it may change: they are
// moved into the pieces, not copied.
type splitter struct {
	exporter.Logs
	limit   int64
	sizeOf  func(plog.Logs) int64
	minRecs int // requests with fewer records are never measured
}

// newSplitter wraps exp for the queue of cfg; no queue, or one sized in
// requests, needs no splitting.
func newSplitter(exp exporter.Logs, q configoptional.Optional[exporterhelper.QueueBatchConfig]) exporter.Logs {
	cfg := q.Get()
	if cfg == nil || cfg.QueueSize <= 1 {
		return exp
	}
	s := &splitter{Logs: exp, limit: cfg.QueueSize / 2}
	switch cfg.Sizer {
	case exporterhelper.RequestSizerTypeItems:
		s.sizeOf = func(ld plog.Logs) int64 { return int64(ld.LogRecordCount()) }
	case exporterhelper.RequestSizerTypeBytes:
		m := &plog.ProtoMarshaler{}
		s.sizeOf = func(ld plog.Logs) int64 { return int64(m.LogsSize(ld)) }
		// No record this exporter writes comes near 64 KiB on the wire
		// (Envoy's own header limit is 60 KiB); below that count a
		// request cannot reach the limit.
		s.minRecs = int(s.limit / (64 << 10))
	default:
		return exp
	}
	return s
}

func (s *splitter) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	n := ld.LogRecordCount()
	if n <= max(s.minRecs, 1) || s.sizeOf(ld) <= s.limit {
		return s.Logs.ConsumeLogs(ctx, ld)
	}
	move := s.Capabilities().MutatesData
	half := n / 2
	// Both halves are taken before either is consumed: the queue may change
	// the first while the second is still being cut out of ld.
	first, second := takeRecords(ld, 0, half, move), takeRecords(ld, half, n, move)
	if err := s.ConsumeLogs(ctx, first); err != nil {
		return err
	}
	return s.ConsumeLogs(ctx, second)
}
