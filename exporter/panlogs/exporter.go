package panlogs // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs"

import (
	"context"
	"os"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/metadata"
)

// encoder appends one record, without the line prefix or the newline.
type encoder interface {
	appendRecord(b []byte, r *record, prefix string) []byte
}

type panExporter struct {
	cfg       *Config
	enc       encoder
	tr        transport
	telemetry *metadata.TelemetryBuilder
	bufs      sync.Pool
}

func newExporter(cfg *Config, set exporter.Settings) (*panExporter, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	e := &panExporter{
		cfg:       cfg,
		enc:       jsonEncoder{prefixField: cfg.PrefixMode == PrefixModeField},
		telemetry: tb,
	}
	switch cfg.Transport {
	case TransportFile:
		e.tr = &fileTransport{path: cfg.File.Path}
	default:
		e.tr = &writerTransport{w: os.Stdout}
	}
	e.bufs.New = func() any { b := make([]byte, 0, 64<<10); return &b }
	return e, nil
}

func (e *panExporter) start(ctx context.Context, _ component.Host) error {
	return e.tr.start(ctx)
}

func (e *panExporter) shutdown(context.Context) error {
	defer e.telemetry.Shutdown()
	return e.tr.close()
}

// pushLogs encodes the whole batch into one buffer, one line per record, and
// hands it to the transport in one write.
func (e *panExporter) pushLogs(ctx context.Context, ld plog.Logs) error {
	bp := e.bufs.Get().(*[]byte)
	b := (*bp)[:0]
	defer func() { *bp = b[:0]; e.bufs.Put(bp) }()

	var rec record
	n := 0
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		res := rl.Resource().Attributes()
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				rec.reset(res, lrs.At(k))
				b = e.appendLine(b, &rec)
				n++
			}
		}
	}
	if n == 0 {
		return nil
	}
	if err := e.tr.write(ctx, b, n); err != nil {
		e.telemetry.ExporterPanlogsRecordsFailed.Add(ctx, int64(n))
		return err
	}
	e.telemetry.ExporterPanlogsRecordsWritten.Add(ctx, int64(n))
	e.telemetry.ExporterPanlogsBytesWritten.Add(ctx, int64(len(b)))
	return nil
}

// appendLine writes "<prefix> <record>\n" (prefix_mode line) or
// "<record>\n".
func (e *panExporter) appendLine(b []byte, r *record) []byte {
	prefix := e.cfg.Prefix
	if r.prefix.Type() == pcommon.ValueTypeStr && r.prefix.Str() != "" {
		prefix = sanitizePrefix(r.prefix.Str())
	}
	if e.cfg.PrefixMode == PrefixModeLine {
		b = append(b, prefix...)
		b = append(b, ' ')
	}
	b = e.enc.appendRecord(b, r, prefix)
	return append(b, '\n')
}
