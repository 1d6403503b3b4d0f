// Package transport delivers panlogs' encoded lines: to a writer (stdout), a
// file it may rotate, a syslog server or an HTTP log collector. Transports
// know bytes and where each line and message lies, never a record: what a
// syslog header says of a message (its severity, time and APP-NAME) comes
// with the message.
package transport // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/transport"

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

// Batch is what one write delivers: Buf holds every line, each ending in
// '\n'; Msgs locate each line, the message a transport that frames messages
// itself (syslog) sends.
type Batch struct {
	Buf  []byte
	Msgs []Message
}

// Message is one line of a Batch.
type Message struct {
	// LineStart is where the line starts in Buf, End where it ends (before
	// the '\n').
	LineStart, End int
	// AppName is the syslog APP-NAME (RFC 5424) or TAG (RFC 3164): the
	// line's prefix, safe to write as it is.
	AppName string
	// Severity is the syslog severity (0–7).
	Severity int
	// Time is when the event happened, in Unix nanoseconds; 0 for now.
	Time int64
}

// Reset empties the batch, keeping its capacity.
func (b *Batch) Reset() { b.Buf, b.Msgs = b.Buf[:0], b.Msgs[:0] }

// Head is the first n messages (n > 0) as a batch of their own, sharing
// b's memory.
func (b *Batch) Head(n int) Batch {
	return Batch{Buf: b.Buf[:b.Msgs[n-1].End+1], Msgs: b.Msgs[:n]}
}

// Drop removes the first n messages and moves the rest to the front.
func (b *Batch) Drop(n int) {
	if n >= len(b.Msgs) {
		b.Reset()
		return
	}
	off := b.Msgs[n].LineStart
	b.Buf = b.Buf[:copy(b.Buf, b.Buf[off:])]
	b.Msgs = b.Msgs[:copy(b.Msgs, b.Msgs[n:])]
	for i := range b.Msgs {
		b.Msgs[i].LineStart -= off
		b.Msgs[i].End -= off
	}
}

// Transport delivers batches. Write either delivers every message of the
// batch or returns an error (a *PartialError when the first ones were
// delivered); exporterhelper then retries (so delivery is at least once) or,
// for a permanent error, reports the drop.
type Transport interface {
	Start(ctx context.Context, host component.Host) error
	Write(ctx context.Context, b *Batch) error
	Close() error
}

// PartialError says that the messages before Sent were delivered, so that
// only the rest is retried (no duplicates for what already arrived).
type PartialError struct {
	Sent int
	Err  error
}

func (e *PartialError) Error() string { return e.Err.Error() }
func (e *PartialError) Unwrap() error { return e.Err }

// partial wraps err when some messages went out before it.
func partial(sent int, err error) error {
	if err == nil || sent == 0 {
		return err
	}
	return &PartialError{Sent: sent, Err: err}
}

// Writer writes to one io.Writer with one write call per batch, so that
// concurrent queue consumers never interleave within a line.
type Writer struct {
	mu sync.Mutex
	w  io.Writer
}

// NewWriter writes to w (stdout, or a test's buffer).
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Start does nothing: the writer is open.
func (*Writer) Start(context.Context, component.Host) error { return nil }

// Write writes the whole batch in one call.
func (t *Writer) Write(_ context.Context, b *Batch) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, err := t.w.Write(b.Buf)
	return err
}

// Close does nothing: the writer is not ours to close.
func (*Writer) Close() error { return nil }

// Rotation sets when a file rotates and what is kept (lumberjack's terms).
type Rotation struct {
	MaxMegabytes, MaxDays, MaxBackups int
	Compress, LocalTime               bool
}

// File appends to a file, creating it and its directory; lines already in
// the file survive a restart. With rotation, lumberjack rotates between
// writes, and every write holds whole lines, so no line is split across
// files.
type File struct {
	path     string
	rotation *Rotation

	mu     sync.Mutex
	w      io.WriteCloser
	maxLen int // bytes per write call; 0: unbounded
}

// NewFile appends to path, rotating it when rotation is not nil.
func NewFile(path string, rotation *Rotation) *File { return &File{path: path, rotation: rotation} }

// Start opens the file.
func (t *File) Start(context.Context, component.Host) error {
	if err := os.MkdirAll(filepath.Dir(t.path), 0o750); err != nil {
		return fmt.Errorf("file::path: %w", err)
	}
	if r := t.rotation; r != nil {
		lj := &lumberjack.Logger{
			Filename:   t.path,
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
	// Group-readable: a log shipper beside the collector reads the file.
	f, err := os.OpenFile(t.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640) //nolint:gosec // G302: group-readable on purpose, see above
	if err != nil {
		return fmt.Errorf("file::path: %w", err)
	}
	t.w = f
	return nil
}

// Write appends the batch, in runs of whole lines when a rotating file
// bounds one write.
func (t *File) Write(_ context.Context, b *Batch) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.w == nil {
		return fmt.Errorf("file %s is closed", t.path)
	}
	if t.maxLen == 0 || len(b.Buf) <= t.maxLen {
		_, err := t.w.Write(b.Buf)
		return err
	}
	// lumberjack refuses a write larger than a whole file: write runs of
	// whole lines that each fit.
	runStart := 0
	for _, m := range b.Msgs {
		if m.End+1-runStart > t.maxLen && m.LineStart > runStart {
			if _, err := t.w.Write(b.Buf[runStart:m.LineStart]); err != nil {
				return err
			}
			runStart = m.LineStart
		}
	}
	_, err := t.w.Write(b.Buf[runStart:])
	return err
}

// Close closes the file.
func (t *File) Close() error { return closeOnce(&t.mu, &t.w) }

// closeOnce closes what *c holds and forgets it, under mu, so that a write
// after Close knows it is closed; nil is closed already.
func closeOnce[C io.Closer](mu *sync.Mutex, c *C) error {
	mu.Lock()
	defer mu.Unlock()
	closer := *c
	var closed C
	*c = closed
	if any(closer) == nil {
		return nil
	}
	return closer.Close()
}
