package panlogs

import (
	"bufio"
	"context"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configtls"
)

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
