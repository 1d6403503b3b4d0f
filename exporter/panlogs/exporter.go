package panlogs // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs"

import (
	"context"
	"errors"
	"os"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/encode"
	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/metadata"
	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/record"
	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/transport"
)

// defaultChunkBytes is how much pushLogs encodes before writing.
const defaultChunkBytes = 1 << 20

// batch is one push's records, encoded into out; rec and scratch are reused
// record by record, and batch by batch (the record view keeps the last key
// order, the scratch its formatted seconds).
type batch struct {
	out     transport.Batch
	rec     *record.Record
	scratch encode.Scratch
}

type panExporter struct {
	cfg       *Config
	enc       *encode.Encoder
	tr        transport.Transport
	telemetry *metadata.TelemetryBuilder
	metricOpt metric.AddOption
	// batches is a free list of encoding buffers. Not a sync.Pool: the GC
	// empties a pool at every cycle, and at full load that means growing a
	// fresh buffer for nearly every batch.
	batches chan *batch
	// chunkBytes is how much is encoded before it is handed to the
	// transport (see pushLogs).
	chunkBytes int
}

func newExporter(cfg *Config, set exporter.Settings) (*panExporter, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	enc, err := encode.New(encode.Options{
		Format:            cfg.Format,
		PrefixMode:        cfg.PrefixMode,
		Prefix:            cfg.Prefix,
		RedactQueryParams: cfg.RedactQueryParams,
		IncludeHeaders:    cfg.IncludeHeaders,
		Version:           set.BuildInfo.Version,
	})
	if err != nil {
		return nil, err
	}
	e := &panExporter{
		cfg:       cfg,
		enc:       enc,
		telemetry: tb,
		metricOpt: metric.WithAttributeSet(attribute.NewSet(attribute.String("transport", cfg.Transport))),
		batches:   make(chan *batch, 16),
		// One write per MiB costs nothing against the encoding; HTTP sends
		// a chunk as one request, so its chunks are as large as a request
		// may be.
		chunkBytes: defaultChunkBytes,
	}
	e.tr = e.newTransport(set)
	if cfg.Transport == TransportHTTP {
		e.chunkBytes = cfg.HTTP.MaxBatchBytes
	}
	return e, nil
}

// newTransport builds the configured transport.
func (e *panExporter) newTransport(set exporter.Settings) transport.Transport {
	cfg := e.cfg
	switch cfg.Transport {
	case TransportFile:
		var rot *transport.Rotation
		if r := cfg.File.Rotation.Get(); r != nil {
			rot = &transport.Rotation{MaxMegabytes: r.MaxMegabytes, MaxDays: r.MaxDays, MaxBackups: r.MaxBackups, Compress: r.Compress, LocalTime: r.LocalTime}
		}
		return transport.NewFile(cfg.File.Path, rot)
	case TransportSyslog:
		s := &cfg.Syslog
		return transport.NewSyslog(transport.SyslogSettings{
			Endpoint:       s.Endpoint,
			Network:        s.Network,
			TLS:            s.TLS.Get(),
			RFC3164:        s.Protocol == ProtocolRFC3164,
			LineFraming:    s.Framing == FramingLF,
			Facility:       s.Facility,
			Hostname:       s.Hostname,
			MaxMessageSize: s.maxMessageSize(),
			DialTimeout:    s.DialTimeout,
			WriteTimeout:   s.WriteTimeout,
			Logger:         set.Logger,
			OnTruncated: func(ctx context.Context, n int) {
				e.telemetry.ExporterPanlogsRecordsTruncated.Add(ctx, int64(n))
			},
		})
	case TransportHTTP:
		return transport.NewHTTP(transport.HTTPSettings{
			Client:        &cfg.HTTP.ClientConfig,
			MaxBatchBytes: cfg.HTTP.MaxBatchBytes,
			ContentType:   cfg.contentType(),
			Telemetry:     set.TelemetrySettings,
			OnDrop: func(ctx context.Context, n int) {
				e.telemetry.ExporterPanlogsRecordsFailed.Add(ctx, int64(n), e.metricOpt)
			},
		})
	}
	return transport.NewWriter(os.Stdout)
}

func (e *panExporter) start(ctx context.Context, host component.Host) error {
	return e.tr.Start(ctx, host)
}

func (e *panExporter) shutdown(context.Context) error {
	defer e.telemetry.Shutdown()
	if e.tr == nil {
		return nil
	}
	return e.tr.Close()
}

// pushLogs encodes the records, one line each, and hands them to the
// transport in chunks of at most chunkBytes (a line larger than that goes
// alone): the encoding buffer stays that small however large the batch,
// and for HTTP, where chunkBytes is max_batch_bytes, a chunk is exactly
// one request. If a chunk fails, the chunks before it (and, for HTTP, the
// part of it that was accepted) are reported written and exporterhelper
// gets only the rest to retry.
func (e *panExporter) pushLogs(ctx context.Context, ld plog.Logs) error {
	bt := e.getBatch()
	defer e.putBatch(bt)

	written := 0 // records of earlier chunks, delivered
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		res := record.NewResource(rl.Resource().Attributes())
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				bt.rec.Reset(&res, lrs.At(k))
				e.appendLine(bt)
				if len(bt.out.Buf) > e.chunkBytes {
					// The line did not fit: write the chunk before it,
					// and the line starts the next one.
					if err := e.flush(ctx, bt, max(len(bt.out.Msgs)-1, 1), ld, &written); err != nil {
						return err
					}
				}
			}
		}
	}
	return e.flush(ctx, bt, len(bt.out.Msgs), ld, &written)
}

// flush writes the first n encoded lines and drops them from the batch.
// written counts the records of ld delivered so far; on failure the error
// carries the records from the first undelivered one on.
func (e *panExporter) flush(ctx context.Context, bt *batch, n int, ld plog.Logs, written *int) error {
	if n == 0 {
		return nil
	}
	chunk := bt.out.Head(n)
	err := e.tr.Write(ctx, &chunk)
	if err == nil {
		e.telemetry.ExporterPanlogsRecordsWritten.Add(ctx, int64(n), e.metricOpt)
		e.telemetry.ExporterPanlogsBytesWritten.Add(ctx, int64(len(chunk.Buf)), e.metricOpt)
		*written += n
		bt.out.Drop(n)
		return nil
	}
	sent := 0
	var pe *transport.PartialError
	if errors.As(err, &pe) {
		sent, err = pe.Sent, pe.Err
	}
	e.telemetry.ExporterPanlogsRecordsWritten.Add(ctx, int64(sent), e.metricOpt)
	e.telemetry.ExporterPanlogsRecordsFailed.Add(ctx, int64(ld.LogRecordCount()-*written-sent), e.metricOpt)
	delivered := *written + sent
	if consumererror.IsPermanent(err) || delivered == 0 {
		return err
	}
	return consumererror.NewLogs(err, recordsFrom(ld, delivered))
}

func (e *panExporter) getBatch() *batch {
	select {
	case bt := <-e.batches:
		bt.out.Reset()
		return bt
	default:
		return &batch{out: transport.Batch{Buf: make([]byte, 0, e.chunkBytes+e.chunkBytes/4)}, rec: record.New()}
	}
}

// putBatch keeps a buffer for reuse unless the list is full or the buffer
// grew far past a chunk (one huge record should not pin its memory forever).
func (e *panExporter) putBatch(bt *batch) {
	if cap(bt.out.Buf) > 4*e.chunkBytes {
		return
	}
	// Let go of the pushed records: the view must not keep them alive.
	bt.rec.Release()
	select {
	case e.batches <- bt:
	default:
	}
}

// appendLine writes the record in bt.rec as one line and notes where it
// lies and what a syslog header says of it.
func (e *panExporter) appendLine(bt *batch) {
	r := bt.rec
	m := transport.Message{LineStart: len(bt.out.Buf), Severity: encode.SyslogSeverity(r), Time: int64(r.Observed)}
	if r.Start != 0 {
		m.Time = int64(r.TimeGenerated())
	}
	var l encode.Line
	bt.out.Buf, l = e.enc.AppendLine(bt.out.Buf, r, &bt.scratch)
	m.End, m.AppName = l.End, l.Prefix
	bt.out.Msgs = append(bt.out.Msgs, m)
}

// recordsFrom copies the records from index k on (in iteration order), with
// their resources and scopes, for a retry of what was not delivered.
func recordsFrom(ld plog.Logs, k int) plog.Logs {
	return takeRecords(ld, k, ld.LogRecordCount(), false)
}

// takeRecords copies the records [from, to) in iteration order, with their
// resources and scopes; with move, it moves the records out of ld instead
// (resources and scopes are still copied): for data the caller owns.
func takeRecords(ld plog.Logs, from, to int, move bool) plog.Logs {
	out := plog.NewLogs()
	i := 0
	rls := ld.ResourceLogs()
	for r := 0; r < rls.Len() && i < to; r++ {
		rl := rls.At(r)
		var outRL plog.ResourceLogs
		haveRL := false
		sls := rl.ScopeLogs()
		for s := 0; s < sls.Len() && i < to; s++ {
			sl := sls.At(s)
			var outSL plog.ScopeLogs
			haveSL := false
			lrs := sl.LogRecords()
			for l := 0; l < lrs.Len() && i < to; l++ {
				if i >= from {
					if !haveRL {
						outRL = out.ResourceLogs().AppendEmpty()
						rl.Resource().CopyTo(outRL.Resource())
						outRL.SetSchemaUrl(rl.SchemaUrl())
						haveRL = true
					}
					if !haveSL {
						outSL = outRL.ScopeLogs().AppendEmpty()
						sl.Scope().CopyTo(outSL.Scope())
						outSL.SetSchemaUrl(sl.SchemaUrl())
						haveSL = true
					}
					if move {
						lrs.At(l).MoveTo(outSL.LogRecords().AppendEmpty())
					} else {
						lrs.At(l).CopyTo(outSL.LogRecords().AppendEmpty())
					}
				}
				i++
			}
		}
	}
	return out
}
