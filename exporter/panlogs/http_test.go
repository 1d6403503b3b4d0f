package panlogs

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumererror"
)

// gunzip reads a gzip request body; an HTTP handler cannot stop the test,
// so a failure is reported and the caller answers 400.
func gunzip(t *testing.T, r *http.Request) ([]byte, bool) {
	t.Helper()
	zr, err := gzip.NewReader(r.Body)
	var b []byte
	if err == nil {
		b, err = io.ReadAll(zr)
	}
	if err != nil {
		t.Errorf("reading the request body: %v", err)
		return nil, false
	}
	return b, true
}

// cortexLike behaves like the Cortex HTTP log collector as the test scripts it.
func TestHTTPStatusHandling(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		retryHdr  string
		permanent bool
		throttle  bool
	}{
		{"ok", 200, "", false, false},
		{"too many", 429, "3", false, true},
		{"unavailable", 503, "1", false, true},
		{"timeout", 408, "", false, false},
		{"server error", 500, "", false, false},
		{"bad request", 400, "", true, false},
		{"unauthorized", 401, "", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if tt.retryHdr != "" {
					w.Header().Set("Retry-After", tt.retryHdr)
				}
				w.WriteHeader(tt.status)
			}))
			defer srv.Close()
			cfg := createDefaultConfig().(*Config)
			cfg.Transport, cfg.HTTP.Endpoint = TransportHTTP, srv.URL
			e := newTestExporter(t, cfg)
			err := e.pushLogs(context.Background(), makeLogs(2, ""))
			if tt.status == 200 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.permanent, consumererror.IsPermanent(err))
			if tt.throttle {
				// exporterhelper's throttle error carries the Retry-After delay.
				assert.Contains(t, err.Error(), "Throttle ("+tt.retryHdr+"s)")
			}
		})
	}
}

func TestHTTPSplitsOn413AndBatchesBelowLimit(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	const limit = 3000
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "Bearer s3cret", r.Header.Get("Authorization"))
		assert.Equal(t, "gzip", r.Header.Get("Content-Encoding"))
		b, ok := gunzip(t, r)
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if len(b) > limit {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			return
		}
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
	}))
	defer srv.Close()
	cfg := createDefaultConfig().(*Config)
	cfg.Transport, cfg.HTTP.Endpoint = TransportHTTP, srv.URL
	cfg.HTTP.Headers.Set("Authorization", "Bearer s3cret")
	cfg.HTTP.MaxBatchBytes = 20000
	e := newTestExporter(t, cfg)
	require.NoError(t, e.pushLogs(context.Background(), makeLogs(100, "")))
	seen := map[string]int{}
	for _, b := range bodies {
		require.True(t, strings.HasSuffix(b, "\n"))
		for _, l := range strings.Split(strings.TrimSuffix(b, "\n"), "\n") {
			i := strings.Index(l, `"request_id":"`)
			require.Positive(t, i, l)
			seen[l[i:i+20]]++
		}
	}
	assert.Len(t, seen, 100, "every record arrived")
	assert.Greater(t, len(bodies), 1, "413 split the batch")
}

// After a failure mid-batch only the records not yet delivered are handed
// back for retry, so the collector does not receive duplicates.
func TestHTTPPartialFailureRetriesOnlyTheRest(t *testing.T) {
	var mu sync.Mutex
	calls, received := 0, 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := gunzip(t, r)
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		received += strings.Count(string(b), "\n")
	}))
	defer srv.Close()
	cfg := createDefaultConfig().(*Config)
	cfg.Transport, cfg.HTTP.Endpoint = TransportHTTP, srv.URL
	cfg.HTTP.MaxBatchBytes = 2000 // a few records a request
	e := newTestExporter(t, cfg)
	ld := makeLogs(20, "")
	err := e.pushLogs(context.Background(), ld)
	require.Error(t, err)
	var le consumererror.Logs
	require.ErrorAs(t, err, &le)
	assert.Equal(t, 20-received, le.Data().LogRecordCount(), "only the undelivered records are retried")
	assert.Positive(t, received)
	// The retry delivers exactly the rest.
	require.NoError(t, e.pushLogs(context.Background(), le.Data()))
	assert.Equal(t, 20, received)
}

// A single record the collector refuses as too large is dropped (logged and
// counted); the rest of the batch is delivered.
func TestHTTPDropsOnlyTheOversizedRecord(t *testing.T) {
	var mu sync.Mutex
	received := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := gunzip(t, r)
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if strings.Contains(string(b), "HUGE") {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			return
		}
		mu.Lock()
		received += strings.Count(string(b), "\n")
		mu.Unlock()
	}))
	defer srv.Close()
	cfg := createDefaultConfig().(*Config)
	cfg.Transport, cfg.HTTP.Endpoint = TransportHTTP, srv.URL
	e := newTestExporter(t, cfg)
	ld := makeLogs(5, "")
	ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(2).Attributes().PutStr("user_agent.original", "HUGE")
	require.NoError(t, e.pushLogs(context.Background(), ld))
	assert.Equal(t, 4, received)
}

// The HTTP transport declares JSON only when every line is a JSON object.
func TestHTTPContentType(t *testing.T) {
	for _, tt := range []struct {
		format, mode, want string
	}{
		{FormatJSON, PrefixModeField, "application/json"},
		{FormatJSON, PrefixModeNone, "application/json"},
		{FormatJSON, PrefixModeLine, "text/plain"},
		{FormatCEF, PrefixModeNone, "text/plain"},
		{FormatLEEF, PrefixModeField, "text/plain"},
		{FormatPANCSV, PrefixModeLine, "text/plain"},
		{FormatOCSF, PrefixModeField, "application/json"},
		{FormatOCSF, PrefixModeNone, "application/json"},
		{FormatOCSF, PrefixModeLine, "text/plain"},
	} {
		t.Run(tt.format+"/"+tt.mode, func(t *testing.T) {
			got := make(chan string, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				got <- r.Header.Get("Content-Type")
			}))
			defer srv.Close()
			cfg := createDefaultConfig().(*Config)
			cfg.Format, cfg.PrefixMode = tt.format, tt.mode
			cfg.Transport, cfg.HTTP.Endpoint = TransportHTTP, srv.URL
			e := newTestExporter(t, cfg)
			require.NoError(t, e.pushLogs(context.Background(), makeLogs(1, "")))
			assert.Equal(t, tt.want, <-got)
		})
	}
}
