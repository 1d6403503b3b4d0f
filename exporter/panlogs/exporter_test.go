package panlogs

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/metadata"
	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/transport"
)

// logsStart is when makeLogs' records start: 2026-03-05T07:08:09Z.
const logsStart = pcommon.Timestamp(1772694489 * 1e9)

// makeLogs builds n records with distinct request ids and the given prefix.
func makeLogs(n int, prefix string) plog.Logs {
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for i := 0; i < n; i++ {
		lr := lrs.AppendEmpty()
		lr.SetTimestamp(logsStart)
		lr.Attributes().PutStr("http.request.method", "GET")
		lr.Attributes().PutStr("url.path", "/r/"+strconv.Itoa(i))
		lr.Attributes().PutStr("http.request.header.x-request-id", "id-"+strconv.Itoa(i))
		if prefix != "" {
			lr.Attributes().PutStr("pan.prefix", prefix)
		}
	}
	return ld
}

// formatConfig is the default configuration in another format and mode.
func formatConfig(format, mode string) *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.Format, cfg.PrefixMode = format, mode
	return cfg
}

// newTestExporter builds the exporter around cfg without exporterhelper's
// queue, so a push returns the transport's own result.
func newTestExporter(t *testing.T, cfg *Config) *panExporter {
	e, err := newExporter(cfg, exportertest.NewNopSettings(metadata.Type))
	require.NoError(t, err)
	require.NoError(t, e.start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { _ = e.shutdown(context.Background()) })
	return e
}

// failingTransport accepts its first writes and fails the rest.
type failingTransport struct {
	okWrites int
	lines    []int // lines per write call
}

func (f *failingTransport) Start(context.Context, component.Host) error { return nil }

func (f *failingTransport) Close() error { return nil }

func (f *failingTransport) Write(_ context.Context, b *transport.Batch) error {
	if len(f.lines) == f.okWrites {
		return errors.New("destination down")
	}
	f.lines = append(f.lines, len(b.Msgs))
	return nil
}

// A large batch is written in chunks of about chunkBytes, so the encoding
// buffer stays small; when a chunk fails, only the records from it on go
// back to exporterhelper for a retry.
func TestPushWritesInChunksAndRetriesOnlyTheRest(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	e := newTestExporter(t, cfg)
	e.chunkBytes = 4 << 10
	tr := &failingTransport{okWrites: 2}
	e.tr = tr
	ld := makeLogs(500, "")
	err := e.pushLogs(context.Background(), ld)
	require.Error(t, err)
	require.Len(t, tr.lines, 2)
	assert.Greater(t, tr.lines[0], 1, "a chunk holds many records")
	var retry consumererror.Logs
	require.ErrorAs(t, err, &retry)
	rest := retry.Data()
	assert.Equal(t, 500-tr.lines[0]-tr.lines[1], rest.LogRecordCount())
	first := rest.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	p, _ := first.Attributes().Get("url.path")
	assert.Equal(t, "/r/"+strconv.Itoa(tr.lines[0]+tr.lines[1]), p.Str(), "the retry starts at the first record not written")

	tr.okWrites = 1 << 30
	require.NoError(t, e.pushLogs(context.Background(), rest))
	total := 0
	for _, n := range tr.lines {
		total += n
	}
	assert.Equal(t, 500, total, "every record written exactly once")
}

// chunkRecorder keeps each chunk's size in bytes and records.
type chunkRecorder struct{ bytes, records []int }

func (*chunkRecorder) Start(context.Context, component.Host) error { return nil }
func (*chunkRecorder) Close() error                                { return nil }
func (c *chunkRecorder) Write(_ context.Context, b *transport.Batch) error {
	c.bytes = append(c.bytes, len(b.Buf))
	c.records = append(c.records, len(b.Msgs))
	return nil
}

// Every chunk is at most chunkBytes: with HTTP (chunkBytes is
// max_batch_bytes) a chunk that ran over would go out as two requests, the
// second holding one line. Only a line larger than a chunk goes alone.
func TestPushChunksNeverExceedChunkBytes(t *testing.T) {
	e := newTestExporter(t, createDefaultConfig().(*Config))
	e.chunkBytes = 4 << 10
	tr := &chunkRecorder{}
	e.tr = tr
	ld := makeLogs(500, "")
	ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(250).Attributes().PutStr("url.path", "/"+strings.Repeat("x", 5<<10))
	require.NoError(t, e.pushLogs(context.Background(), ld))
	records, size, alone := 0, 0, 0
	for i, b := range tr.bytes {
		records += tr.records[i]
		size += b
		if tr.records[i] == 1 && b > e.chunkBytes {
			alone++
			continue
		}
		assert.LessOrEqual(t, b, e.chunkBytes, "chunk %d", i)
	}
	assert.Equal(t, 500, records, "every record written once")
	assert.Equal(t, 1, alone, "the oversized line goes alone")
	assert.LessOrEqual(t, len(tr.bytes), size/(e.chunkBytes/2)+2, "chunks are filled, not cut into single lines")
}
