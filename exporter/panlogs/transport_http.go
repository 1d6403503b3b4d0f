package panlogs // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs"

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.uber.org/zap"
)

// httpTransport posts newline-delimited records to an HTTP log collector
// such as Cortex XSIAM/XDR's: requests of at most max_batch_bytes
// (uncompressed), compression and headers (the Authorization token) from
// confighttp. 429 and 503 are retried after Retry-After; 413 splits the
// request; 408 and 5xx are retried; any other 4xx is permanent.
type httpTransport struct {
	cfg         *HTTPConfig
	contentType string
	set         exporter.Settings
	client      *http.Client
	// onDrop counts records dropped for good (a single record refused as
	// too large).
	onDrop func(ctx context.Context, n int)
}

func newHTTPTransport(cfg *HTTPConfig, contentType string, set exporter.Settings) *httpTransport {
	return &httpTransport{cfg: cfg, contentType: contentType, set: set}
}

func (t *httpTransport) start(ctx context.Context, host component.Host) error {
	c, err := t.cfg.ToClient(ctx, host.GetExtensions(), t.set.TelemetrySettings)
	if err != nil {
		return fmt.Errorf("http: %w", err)
	}
	t.client = c
	return nil
}

func (t *httpTransport) close() error {
	if t.client != nil {
		t.client.CloseIdleConnections()
	}
	return nil
}

func (t *httpTransport) write(ctx context.Context, b *batch) error {
	// Requests of whole lines, each at most max_batch_bytes.
	first := 0
	for i := range b.msgs {
		lineEnd := b.msgs[i].end + 1
		if lineEnd-b.msgs[first].lineStart > t.cfg.MaxBatchBytes && i > first {
			if sent, err := t.post(ctx, b, first, i); err != nil {
				return partial(sent, err)
			}
			first = i
		}
	}
	sent, err := t.post(ctx, b, first, len(b.msgs))
	return partial(sent, err)
}

// partialError says that the records before sent were delivered, so that
// only the rest is retried (no duplicates for what already arrived).
type partialError struct {
	sent int
	err  error
}

func (e *partialError) Error() string { return e.err.Error() }
func (e *partialError) Unwrap() error { return e.err }

func partial(sent int, err error) error {
	if err == nil || sent == 0 {
		return err
	}
	return &partialError{sent: sent, err: err}
}

// post sends records [from, to), splitting them on 413. On failure it
// returns the index of the first record not delivered.
func (t *httpTransport) post(ctx context.Context, b *batch, from, to int) (int, error) {
	body := b.buf[b.msgs[from].lineStart : b.msgs[to-1].end+1]
	status, retryAfter, err := t.do(ctx, body)
	switch {
	case err != nil:
		return from, err
	case status >= 200 && status < 300:
		return to, nil
	case status == http.StatusRequestEntityTooLarge:
		if to-from == 1 {
			// One record the collector will never take: drop it, say so and
			// count it, and deliver the rest of the batch.
			t.set.Logger.Error("the log collector refuses a single record as too large; dropping it",
				zap.Int("bytes", len(body)), zap.String("endpoint", t.cfg.Endpoint))
			if t.onDrop != nil {
				t.onDrop(ctx, 1)
			}
			return to, nil
		}
		mid := from + (to-from)/2
		if sent, err := t.post(ctx, b, from, mid); err != nil {
			return sent, err
		}
		return t.post(ctx, b, mid, to)
	case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
		return from, exporterhelper.NewThrottleRetry(fmt.Errorf("http: %s answered %d", t.cfg.Endpoint, status), retryAfter)
	case status == http.StatusRequestTimeout || status >= 500:
		return from, fmt.Errorf("http: %s answered %d", t.cfg.Endpoint, status)
	default:
		return from, consumererror.NewPermanent(fmt.Errorf("http: %s refused the records with %d", t.cfg.Endpoint, status))
	}
}

func (t *httpTransport) do(ctx context.Context, body []byte) (int, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.cfg.Endpoint, bytes.NewReader(body))
	if err != nil {
		return 0, 0, consumererror.NewPermanent(err)
	}
	req.Header.Set("Content-Type", t.contentType)
	resp, err := t.client.Do(req)
	if err != nil {
		return 0, 0, fmt.Errorf("http: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	return resp.StatusCode, retryAfter(resp.Header.Get("Retry-After")), nil
}

// retryAfter reads Retry-After as seconds or an HTTP date; 0 when absent.
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}
