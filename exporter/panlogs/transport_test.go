package panlogs

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configtls"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/metadata"
	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/transport"
)

// makeLogs builds n records with distinct request ids and the given prefix.
func makeLogs(n int, prefix string) plog.Logs {
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for i := 0; i < n; i++ {
		lr := lrs.AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(time.Date(2026, 3, 5, 7, 8, 9, 0, time.UTC)))
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

func TestFileAppendsAcrossRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "pan.log")
	cfg := createDefaultConfig().(*Config)
	cfg.Transport, cfg.File.Path = TransportFile, path
	for round := 0; round < 2; round++ {
		e, err := newExporter(cfg, exportertest.NewNopSettings(metadata.Type))
		require.NoError(t, err)
		require.NoError(t, e.start(context.Background(), componenttest.NewNopHost()))
		require.NoError(t, e.pushLogs(context.Background(), makeLogs(3, "")))
		require.NoError(t, e.shutdown(context.Background()))
	}
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, 6, strings.Count(string(b), "\n"), "the second start appends, never truncates")
}

func TestFileRotationKeepsWholeLines(t *testing.T) {
	dir := t.TempDir()
	cfg := createDefaultConfig().(*Config)
	cfg.Transport, cfg.File.Path = TransportFile, filepath.Join(dir, "pan.log")
	cfg.File.Rotation = configoptional.Some(RotationConfig{MaxMegabytes: 1, MaxBackups: 50})
	e := newTestExporter(t, cfg)
	// ~3 MiB in batches of 2000 records forces rotations inside batches.
	total := 0
	for i := 0; i < 15; i++ {
		require.NoError(t, e.pushLogs(context.Background(), makeLogs(2000, "")))
		total += 2000
	}
	require.NoError(t, e.shutdown(context.Background()))
	files, err := filepath.Glob(filepath.Join(dir, "pan*.log"))
	require.NoError(t, err)
	require.Greater(t, len(files), 2, "rotated")
	lines := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		require.LessOrEqual(t, len(b), 1<<20)
		require.True(t, len(b) == 0 || b[len(b)-1] == '\n', "%s ends with a whole line", f)
		for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
			require.True(t, strings.HasPrefix(l, DefaultPrefix+` {"`) && strings.HasSuffix(l, "}"), "whole line in %s: %q", f, l)
			lines++
		}
	}
	assert.Equal(t, total, lines)
}

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

// syslogSink accepts TCP connections and collects octet-counted frames.
type syslogSink struct {
	ln     net.Listener
	mu     sync.Mutex
	frames []string
	conns  []net.Conn
}

func newSyslogSink(t *testing.T) *syslogSink {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &syslogSink{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			go s.readOctetCounted(c)
		}
	}()
	return s
}

func (s *syslogSink) readOctetCounted(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	for {
		lenStr, err := r.ReadString(' ')
		if err != nil {
			return
		}
		n, err := strconv.Atoi(strings.TrimSuffix(lenStr, " "))
		if err != nil {
			return
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(r, buf); err != nil {
			return
		}
		s.mu.Lock()
		s.frames = append(s.frames, string(buf))
		s.mu.Unlock()
	}
}

// dropConnections closes every connection, as a server that restarts does.
func (s *syslogSink) dropConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		_ = c.Close()
	}
	s.conns = nil
}

func (s *syslogSink) got() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.frames...)
}

func TestSyslogRFC5424OctetCounting(t *testing.T) {
	sink := newSyslogSink(t)
	cfg := createDefaultConfig().(*Config)
	cfg.Transport = TransportSyslog
	cfg.Syslog.Endpoint = sink.ln.Addr().String()
	cfg.Syslog.Hostname = "collector-0"
	e := newTestExporter(t, cfg)
	require.NoError(t, e.pushLogs(context.Background(), makeLogs(3, "team-a")))
	deadline := time.Now().Add(5 * time.Second)
	for len(sink.got()) < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	frames := sink.got()
	require.Len(t, frames, 3)
	for i, f := range frames {
		assert.True(t, strings.HasPrefix(f, "<134>1 2026-03-05T07:08:09.000000Z collector-0 team-a - TRAFFIC - team-a {"), f)
		assert.Contains(t, f, `"url":"/r/`+strconv.Itoa(i)+`"`)
		assert.NotContains(t, f, "\n")
	}
}

func TestSyslogReconnectsAfterServerLoss(t *testing.T) {
	sink := newSyslogSink(t)
	cfg := createDefaultConfig().(*Config)
	cfg.Transport = TransportSyslog
	cfg.Syslog.Endpoint = sink.ln.Addr().String()
	cfg.Syslog.WriteTimeout = time.Second
	e := newTestExporter(t, cfg)
	require.NoError(t, e.pushLogs(context.Background(), makeLogs(1, "")))
	// The server drops the connection: the next write fails or succeeds
	// into a dead socket; within a few pushes the exporter must reconnect.
	require.Eventually(t, func() bool { return len(sink.got()) == 1 }, 5*time.Second, 10*time.Millisecond)
	sink.dropConnections()
	pushes := 0
	require.Eventually(t, func() bool {
		pushes++
		_ = e.pushLogs(context.Background(), makeLogs(1, ""))
		return len(sink.got()) >= 2
	}, 5*time.Second, 50*time.Millisecond)
	assert.LessOrEqual(t, pushes, 4, "reconnected within a few pushes")
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

// `tls: {insecure: true}` is the collector's spelling of "no TLS": the
// exporter starts and speaks plain TCP instead of failing on a nil TLS
// configuration.
func TestSyslogInsecureTLSIsPlainTCP(t *testing.T) {
	sink := newSyslogSink(t)
	cfg := createDefaultConfig().(*Config)
	cfg.Transport = TransportSyslog
	cfg.Syslog.Endpoint = sink.ln.Addr().String()
	cfg.Syslog.TLS = configoptional.Some(configtls.ClientConfig{Insecure: true})
	require.NoError(t, cfg.Validate())
	e := newTestExporter(t, cfg)
	require.NoError(t, e.pushLogs(context.Background(), makeLogs(2, "")))
	require.Eventually(t, func() bool { return len(sink.got()) == 2 }, 5*time.Second, 10*time.Millisecond)
	assert.Contains(t, sink.got()[0], " - TRAFFIC - ")
}

// max_message_size left out follows the network.
func TestSyslogMessageSizeFollowsNetwork(t *testing.T) {
	for _, tt := range []struct {
		network string
		set     int
		want    int
	}{
		{"tcp", 0, 65536},
		{"udp", 0, 8192},
		{"udp", 1200, 1200},
		{"tcp", 200000, 200000},
	} {
		cfg := createDefaultConfig().(*Config)
		cfg.Transport = TransportSyslog
		cfg.Syslog.Endpoint = "siem:514"
		cfg.Syslog.Network, cfg.Syslog.MaxMessageSize = tt.network, tt.set
		require.NoError(t, cfg.Validate(), "%s %d", tt.network, tt.set)
		assert.Equal(t, tt.want, cfg.Syslog.maxMessageSize(), "%s %d", tt.network, tt.set)
	}
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

// failingTransport accepts its first writes and fails the rest.
type failingTransport struct {
	okWrites int
	lines    []int // lines per write call
}

func (f *failingTransport) Start(context.Context, component.Host) error { return nil }
func (f *failingTransport) Close() error                                { return nil }
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
