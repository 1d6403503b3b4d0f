package transport // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/transport"

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.uber.org/zap"
)

// HTTPSettings configure an HTTP transport.
type HTTPSettings struct {
	Client *confighttp.ClientConfig
	// MaxBatchBytes bounds one request's uncompressed body.
	MaxBatchBytes int
	ContentType   string
	Telemetry     component.TelemetrySettings
	// OnDrop counts messages dropped for good (a single message refused as
	// too large).
	OnDrop func(ctx context.Context, n int)
}

// HTTP posts newline-delimited messages to an HTTP log collector such as
// Cortex XSIAM/XDR's: requests of at most MaxBatchBytes (uncompressed),
// compression and headers (the Authorization token) from confighttp. 429
// and 503 are retried after Retry-After; 413 splits the request; 408 and 5xx
// are retried; any other 4xx is permanent.
type HTTP struct {
	set    HTTPSettings
	client *http.Client
}

// NewHTTP posts to the collector set names.
func NewHTTP(set HTTPSettings) *HTTP { return &HTTP{set: set} }

// Start builds the HTTP client.
func (t *HTTP) Start(ctx context.Context, host component.Host) error {
	c, err := t.set.Client.ToClient(ctx, host.GetExtensions(), t.set.Telemetry)
	if err != nil {
		return fmt.Errorf("http: %w", err)
	}
	t.client = c
	return nil
}

// Close lets go of idle connections.
func (t *HTTP) Close() error {
	if t.client != nil {
		t.client.CloseIdleConnections()
	}
	return nil
}

// Write posts the batch in requests of whole lines, each at most
// MaxBatchBytes.
func (t *HTTP) Write(ctx context.Context, b *Batch) error {
	first := 0
	for i := range b.Msgs {
		lineEnd := b.Msgs[i].End + 1
		if lineEnd-b.Msgs[first].LineStart > t.set.MaxBatchBytes && i > first {
			if sent, err := t.post(ctx, b, first, i); err != nil {
				return partial(sent, err)
			}
			first = i
		}
	}
	sent, err := t.post(ctx, b, first, len(b.Msgs))
	return partial(sent, err)
}

// post sends messages [from, to), splitting them on 413. On failure it
// returns the index of the first message not delivered.
func (t *HTTP) post(ctx context.Context, b *Batch, from, to int) (int, error) {
	body := b.Buf[b.Msgs[from].LineStart : b.Msgs[to-1].End+1]
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
			t.set.Telemetry.Logger.Error("the log collector refuses a single record as too large; dropping it",
				zap.Int("bytes", len(body)), zap.String("endpoint", t.set.Client.Endpoint))
			if t.set.OnDrop != nil {
				t.set.OnDrop(ctx, 1)
			}
			return to, nil
		}
		mid := from + (to-from)/2
		if sent, err := t.post(ctx, b, from, mid); err != nil {
			return sent, err
		}
		return t.post(ctx, b, mid, to)
	case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
		return from, exporterhelper.NewThrottleRetry(fmt.Errorf("http: %s answered %d", t.set.Client.Endpoint, status), retryAfter)
	case status == http.StatusRequestTimeout || status >= 500:
		return from, fmt.Errorf("http: %s answered %d", t.set.Client.Endpoint, status)
	default:
		return from, consumererror.NewPermanent(fmt.Errorf("http: %s refused the records with %d", t.set.Client.Endpoint, status))
	}
}

func (t *HTTP) do(ctx context.Context, body []byte) (int, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.set.Client.Endpoint, bytes.NewReader(body))
	if err != nil {
		return 0, 0, consumererror.NewPermanent(err)
	}
	req.Header.Set("Content-Type", t.set.ContentType)
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
