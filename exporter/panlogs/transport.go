package panlogs // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs"

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// transport delivers encoded records. write gets whole lines (each ending in
// '\n') and either delivers all of them or returns an error; exporterhelper
// then retries the batch.
type transport interface {
	start(ctx context.Context) error
	write(ctx context.Context, lines []byte, records int) error
	close() error
}

// writerTransport writes to one io.Writer with one write call per batch, so
// that concurrent queue consumers never interleave within a line.
type writerTransport struct {
	mu sync.Mutex
	w  io.Writer
}

func (t *writerTransport) start(context.Context) error { return nil }

func (t *writerTransport) write(_ context.Context, lines []byte, _ int) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, err := t.w.Write(lines)
	return err
}

func (t *writerTransport) close() error { return nil }

// fileTransport appends to a file, creating it and its directory; records
// already in the file survive a restart.
type fileTransport struct {
	writerTransport
	path string
	f    *os.File
}

func (t *fileTransport) start(context.Context) error {
	if err := os.MkdirAll(filepath.Dir(t.path), 0o750); err != nil {
		return fmt.Errorf("file::path: %w", err)
	}
	f, err := os.OpenFile(t.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return fmt.Errorf("file::path: %w", err)
	}
	t.f = f
	t.w = f
	return nil
}

func (t *fileTransport) close() error {
	if t.f == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	err := t.f.Close()
	t.f = nil
	return err
}
