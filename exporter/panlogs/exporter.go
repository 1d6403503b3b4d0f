package panlogs // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs"

import (
	"context"
	"errors"
	"os"
	"strings"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/metadata"
	"github.com/otelcol-pan/otelcol-pan/internal/fields"
)

// encoder appends one record, without the line prefix or the newline.
type encoder interface {
	appendRecord(b []byte, r *record, prefix string) []byte
}

// encodeOptions are what the encoders need from the configuration.
type encodeOptions struct {
	prefixField bool
	redactor    *urlRedactor
	version     string
	headers     []headerKey
}

// headerKey is an include_headers entry with its attribute keys precomputed.
type headerKey struct {
	name, requestKey, responseKey string
}

// defaultChunkBytes is how much pushLogs encodes before writing.
const defaultChunkBytes = 1 << 20

// batch is one push's records, encoded: buf holds every line (each ending in
// '\n', prefixed per prefix_mode); msgs locate each record's body for the
// transports that frame records themselves (syslog).
type batch struct {
	buf  []byte
	msgs []message
	// rec is reused record by record, and batch by batch: it keeps its
	// timestamp caches and the last key order (see record.resetWith).
	rec record
}

type message struct {
	lineStart, bodyStart, end int // end excludes the '\n'
	prefix                    string
	severity                  int // syslog severity
	ts                        pcommon.Timestamp
}

type panExporter struct {
	cfg       *Config
	enc       encoder
	tr        transport
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
	opts := &encodeOptions{
		prefixField: cfg.PrefixMode == PrefixModeField,
		redactor:    newURLRedactor(cfg.RedactQueryParams),
		version:     set.BuildInfo.Version,
	}
	for _, h := range cfg.IncludeHeaders {
		h = strings.ToLower(h)
		opts.headers = append(opts.headers, headerKey{name: h, requestKey: fields.HTTPRequestHeaderPfx + h, responseKey: fields.HTTPResponseHeaderPfx + h})
	}
	e := &panExporter{
		cfg:       cfg,
		telemetry: tb,
		metricOpt: metric.WithAttributeSet(attribute.NewSet(attribute.String("transport", cfg.Transport))),
	}
	switch cfg.Format {
	case FormatPANCSV:
		e.enc = csvEncoder{opts: opts}
	case FormatCEF:
		e.enc = cefEncoder{opts: opts}
	case FormatLEEF:
		e.enc = leefEncoder{opts: opts}
	default:
		e.enc = jsonEncoder{opts: opts}
	}
	switch cfg.Transport {
	case TransportFile:
		e.tr = newFileTransport(&cfg.File)
	case TransportSyslog:
		e.tr = newSyslogTransport(&cfg.Syslog, set, tb)
	case TransportHTTP:
		ht := newHTTPTransport(&cfg.HTTP, cfg.contentType(), set)
		ht.onDrop = func(ctx context.Context, n int) {
			e.telemetry.ExporterPanlogsRecordsFailed.Add(ctx, int64(n), e.metricOpt)
		}
		e.tr = ht
	default:
		e.tr = &writerTransport{w: os.Stdout}
	}
	e.batches = make(chan *batch, 16)
	// One write per MiB costs nothing against the encoding; HTTP sends a
	// chunk as one request, so its chunks are as large as a request may be.
	e.chunkBytes = defaultChunkBytes
	if cfg.Transport == TransportHTTP {
		e.chunkBytes = cfg.HTTP.MaxBatchBytes
	}
	return e, nil
}

func (e *panExporter) start(ctx context.Context, host component.Host) error {
	return e.tr.start(ctx, host)
}

func (e *panExporter) shutdown(context.Context) error {
	defer e.telemetry.Shutdown()
	if e.tr == nil {
		return nil
	}
	return e.tr.close()
}

// pushLogs encodes the records, one line each, and hands them to the
// transport in chunks of about chunkBytes: the encoding buffer stays that
// small however large the batch. If a chunk fails, the chunks before it
// (and, for HTTP, the part of it that was accepted) are reported written
// and exporterhelper gets only the rest to retry.
func (e *panExporter) pushLogs(ctx context.Context, ld plog.Logs) error {
	bt := e.getBatch()
	defer e.putBatch(bt)

	written := 0 // records of earlier chunks, delivered
	rec := &bt.rec
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		rv := newResourceView(rl.Resource().Attributes())
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				rec.resetWith(&rv, lrs.At(k))
				e.appendLine(bt, rec)
				if len(bt.buf) >= e.chunkBytes {
					if err := e.flush(ctx, bt, ld, &written); err != nil {
						return err
					}
				}
			}
		}
	}
	return e.flush(ctx, bt, ld, &written)
}

// flush writes the encoded chunk and empties the batch. written counts the
// records of ld delivered so far; on failure the error carries the records
// from the first undelivered one on.
func (e *panExporter) flush(ctx context.Context, bt *batch, ld plog.Logs, written *int) error {
	n := len(bt.msgs)
	if n == 0 {
		return nil
	}
	err := e.tr.write(ctx, bt)
	if err == nil {
		e.telemetry.ExporterPanlogsRecordsWritten.Add(ctx, int64(n), e.metricOpt)
		e.telemetry.ExporterPanlogsBytesWritten.Add(ctx, int64(len(bt.buf)), e.metricOpt)
		*written += n
		bt.buf, bt.msgs = bt.buf[:0], bt.msgs[:0]
		return nil
	}
	sent := 0
	var pe *partialError
	if errors.As(err, &pe) {
		sent, err = pe.sent, pe.err
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
		bt.buf, bt.msgs = bt.buf[:0], bt.msgs[:0]
		return bt
	default:
		return &batch{buf: make([]byte, 0, e.chunkBytes+e.chunkBytes/4)}
	}
}

// putBatch keeps a buffer for reuse unless the list is full or the buffer
// grew far past a chunk (one huge record should not pin its memory forever).
func (e *panExporter) putBatch(bt *batch) {
	if cap(bt.buf) > 4*e.chunkBytes {
		return
	}
	// Let go of the pushed records: the view must not keep them alive.
	clocks, shape := bt.rec.clocks, bt.rec.shape
	bt.rec = blankRecord
	bt.rec.clocks, bt.rec.shape = clocks, shape
	select {
	case e.batches <- bt:
	default:
	}
}

// appendLine writes "<prefix> <record>\n" (prefix_mode line) or
// "<record>\n" and notes where the record's body lies.
func (e *panExporter) appendLine(bt *batch, r *record) {
	prefix := e.cfg.Prefix
	if r.prefix.Type() == pcommon.ValueTypeStr && r.prefix.Str() != "" {
		prefix = sanitizePrefix(r.prefix.Str())
	}
	m := message{lineStart: len(bt.buf), prefix: prefix, severity: r.syslogSeverity(), ts: r.observed}
	if r.start != 0 {
		m.ts = r.timeGenerated()
	}
	if e.cfg.PrefixMode == PrefixModeLine {
		bt.buf = append(bt.buf, prefix...)
		bt.buf = append(bt.buf, ' ')
	}
	m.bodyStart = len(bt.buf)
	bt.buf = e.enc.appendRecord(bt.buf, r, prefix)
	m.end = len(bt.buf)
	bt.buf = append(bt.buf, '\n')
	bt.msgs = append(bt.msgs, m)
}

// recordsFrom copies the records from index k on (in iteration order), with
// their resources and scopes, for a retry of what was not delivered.
func recordsFrom(ld plog.Logs, k int) plog.Logs {
	return recordsBetween(ld, k, ld.LogRecordCount())
}

// recordsBetween copies the records [from, to) in iteration order, with
// their resources and scopes.
func recordsBetween(ld plog.Logs, from, to int) plog.Logs {
	return takeRecords(ld, from, to, false)
}

// takeRecords is recordsBetween that, with move, moves the records out of
// ld instead of copying them (resources and scopes are still copied): for
// data the caller owns.
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

// syslogSeverity: warning (4) for denials and resets, informational (6) else.
func (r *record) syslogSeverity() int {
	if r.severity() > 3 {
		return 4
	}
	return 6
}
