package e2e

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-pan/otelcol-pan/internal/alsgen"
)

// cortexCollector is a local HTTP server that behaves like Cortex XSIAM's
// HTTP log collector: it checks the token, reads gzip, and, as scripted,
// answers 429 with Retry-After, then 413 to a large batch, then 200.
type cortexCollector struct {
	token      string
	tooLarge   int // bodies above this many bytes get 413 while large413 is set
	mu         sync.Mutex
	calls      int
	statuses   []int
	records    map[string]int
	large413   bool
	throttled  bool
	badRequest []string
}

func (c *cortexCollector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	reply := func(code int) { c.statuses = append(c.statuses, code); w.WriteHeader(code) }
	if r.Header.Get("Authorization") != c.token {
		c.badRequest = append(c.badRequest, "token "+r.Header.Get("Authorization"))
		reply(http.StatusUnauthorized)
		return
	}
	if r.Header.Get("Content-Encoding") != "gzip" {
		c.badRequest = append(c.badRequest, "encoding "+r.Header.Get("Content-Encoding"))
		reply(http.StatusBadRequest)
		return
	}
	zr, err := gzip.NewReader(r.Body)
	if err != nil {
		reply(http.StatusBadRequest)
		return
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		reply(http.StatusBadRequest)
		return
	}
	if !c.throttled {
		c.throttled = true
		w.Header().Set("Retry-After", "1")
		reply(http.StatusTooManyRequests)
		return
	}
	if c.large413 && len(body) > c.tooLarge {
		reply(http.StatusRequestEntityTooLarge)
		return
	}
	for _, line := range completeLines(body) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			c.badRequest = append(c.badRequest, "line "+line)
			continue
		}
		c.records[recordKey(rec)]++
	}
	reply(http.StatusOK)
}

func recordKey(rec map[string]any) string {
	if h, ok := rec["http"].(map[string]any); ok {
		return fmt.Sprint(h["request_id"])
	}
	return fmt.Sprint(rec["src"], ":", rec["sport"], "-", rec["dst"])
}

func (c *cortexCollector) count() (int, []int, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.records), append([]int(nil), c.statuses...), append([]string(nil), c.badRequest...)
}

func serve(t *testing.T, addr string, h http.Handler) {
	ln, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
}

// cortexConfig sends ALS records to a Cortex-like collector at httpAddr;
// with storageDir the queue is on disk.
func cortexConfig(alsAddr, httpAddr, storageDir string) string {
	queue, extensions, service := "", "", ""
	if storageDir != "" {
		queue = "\n      storage: file_storage"
		extensions = "\nextensions:\n  file_storage:\n    directory: " + storageDir
		service = "\n  extensions: [file_storage]"
	}
	return fmt.Sprintf(`
receivers:
  istioals:
    endpoint: %s
exporters:
  panlogs:
    format: json
    prefix_mode: field
    transport: http
    http:
      endpoint: http://%s/logs/v1/event
      headers:
        Authorization: ${env:CORTEX_TOKEN}
      compression: gzip
      timeout: 5s
    sending_queue:
      enabled: true
      num_consumers: 2%s
    retry_on_failure:
      enabled: true
      initial_interval: 100ms
      max_interval: 1s
      max_elapsed_time: 0%s
service:%s
  pipelines:
    logs:
      receivers: [istioals]
      exporters: [panlogs]
`, alsAddr, httpAddr, queue, extensions, service)
}

// Every record reaches a Cortex-like collector at least once through a 429
// with Retry-After, a 413 that splits a large batch, then 200s.
func TestCortexHTTPCollector(t *testing.T) {
	t.Setenv("CORTEX_TOKEN", "Bearer e2e-token")
	httpAddr, alsAddr := freeAddr(t), freeAddr(t)
	cc := &cortexCollector{token: "Bearer e2e-token", tooLarge: 64 << 10, large413: true, records: map[string]int{}}
	serve(t, httpAddr, cc)
	c := runCollector(t, cortexConfig(alsAddr, httpAddr, ""))

	const n = 600
	send(t, alsAddr, 0, alsgen.Synthetic("http", []string{"default"}, 2, n, 100))
	eventually(t, 30*time.Second, func() error {
		if got, st, bad := cc.count(); got < n {
			return fmt.Errorf("%d of %d records; statuses %v; bad %v; log:\n%s", got, n, st, bad, c.logs())
		}
		return nil
	})
	_, statuses, bad := cc.count()
	assert.Empty(t, bad)
	assert.Equal(t, http.StatusTooManyRequests, statuses[0])
	assert.Contains(t, statuses, http.StatusRequestEntityTooLarge, "a large batch was split")
	assert.Contains(t, statuses, http.StatusOK)
}

// With a persistent queue, records accepted before a SIGKILL while the
// collector is down are delivered after a restart once it is back.
func TestPersistentQueueSurvivesSIGKILL(t *testing.T) {
	t.Setenv("CORTEX_TOKEN", "Bearer e2e-token")
	httpAddr, alsAddr := freeAddr(t), freeAddr(t)
	storage := tempPath(t, "queue")
	require.NoError(t, os.MkdirAll(storage, 0o755))
	cfg := cortexConfig(alsAddr, httpAddr, storage)

	c := runCollector(t, cfg)
	const n = 300
	// The destination is down (nothing listens on httpAddr). The stream's
	// clean close means the receiver handed every entry to the queue.
	send(t, alsAddr, 0, alsgen.Synthetic("mixed", []string{"default", "payments"}, 3, n, 30))
	require.NoError(t, c.Kill())

	cc := &cortexCollector{token: "Bearer e2e-token", records: map[string]int{}, throttled: true}
	serve(t, httpAddr, cc)
	c2 := runCollector(t, cfg)
	eventually(t, 45*time.Second, func() error {
		if got, st, bad := cc.count(); got < n {
			return fmt.Errorf("%d of %d records after restart; statuses %v; bad %v; log:\n%s", got, n, st, bad, c2.logs())
		}
		return nil
	})
	got, _, bad := cc.count()
	assert.Equal(t, n, got)
	assert.Empty(t, bad)
}
