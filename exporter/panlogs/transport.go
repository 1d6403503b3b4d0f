package panlogs // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs"

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"go.opentelemetry.io/collector/component"
	"gopkg.in/natefinch/lumberjack.v2"
)

// transport delivers encoded records. write either delivers every record of
// the batch or returns an error; exporterhelper then retries the batch (so
// delivery is at least once) or, for a permanent error, reports the drop.
type transport interface {
	start(ctx context.Context, host component.Host) error
	write(ctx context.Context, b *batch) error
	close() error
}

// writerTransport writes to one io.Writer with one write call per batch, so
// that concurrent queue consumers never interleave within a line.
type writerTransport struct {
	mu sync.Mutex
	w  io.Writer
}

func (t *writerTransport) start(context.Context, component.Host) error { return nil }

func (t *writerTransport) write(_ context.Context, b *batch) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, err := t.w.Write(b.buf)
	return err
}

func (t *writerTransport) close() error { return nil }

// fileTransport appends to a file, creating it and its directory; records
// already in the file survive a restart. With rotation, lumberjack rotates
// between writes, and every write holds whole lines, so no line is split
// across files.
type fileTransport struct {
	mu     sync.Mutex
	cfg    *FileConfig
	w      io.WriteCloser
	maxLen int // bytes per write call; 0: unbounded
}

func newFileTransport(cfg *FileConfig) *fileTransport { return &fileTransport{cfg: cfg} }

func (t *fileTransport) start(context.Context, component.Host) error {
	if err := os.MkdirAll(filepath.Dir(t.cfg.Path), 0o750); err != nil {
		return fmt.Errorf("file::path: %w", err)
	}
	if r := t.cfg.Rotation.Get(); r != nil {
		lj := &lumberjack.Logger{
			Filename:   t.cfg.Path,
			MaxSize:    r.MaxMegabytes,
			MaxAge:     r.MaxDays,
			MaxBackups: r.MaxBackups,
			Compress:   r.Compress,
			LocalTime:  r.LocalTime,
		}
		if lj.MaxSize == 0 {
			lj.MaxSize = 100 // lumberjack's own default, stated here to bound writes
		}
		t.w, t.maxLen = lj, lj.MaxSize<<20
		return nil
	}
	f, err := os.OpenFile(t.cfg.Path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return fmt.Errorf("file::path: %w", err)
	}
	t.w = f
	return nil
}

func (t *fileTransport) write(_ context.Context, b *batch) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.w == nil {
		return fmt.Errorf("file %s is closed", t.cfg.Path)
	}
	if t.maxLen == 0 || len(b.buf) <= t.maxLen {
		_, err := t.w.Write(b.buf)
		return err
	}
	// lumberjack refuses a write larger than a whole file: write runs of
	// whole lines that each fit.
	runStart := 0
	for _, m := range b.msgs {
		if m.end+1-runStart > t.maxLen && m.lineStart > runStart {
			if _, err := t.w.Write(b.buf[runStart:m.lineStart]); err != nil {
				return err
			}
			runStart = m.lineStart
		}
	}
	_, err := t.w.Write(b.buf[runStart:])
	return err
}

func (t *fileTransport) close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.w == nil {
		return nil
	}
	err := t.w.Close()
	t.w = nil
	return err
}
