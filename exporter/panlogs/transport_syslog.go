package panlogs // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs"

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/exporter"
	"go.uber.org/zap"

	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/metadata"
)

// syslogTransport sends each record as one syslog message over one
// long-lived connection (TCP, TLS) or as one datagram (UDP). A failed write
// drops the connection, which the next write re-dials; the batch is retried
// by exporterhelper, so TCP delivery is at least once. UDP is best effort.
type syslogTransport struct {
	cfg      *SyslogConfig
	logger   *zap.Logger
	tel      *metadata.TelemetryBuilder
	hostname string
	tlsCfg   *tls.Config

	mu    sync.Mutex
	conn  net.Conn
	frame []byte
}

func newSyslogTransport(cfg *SyslogConfig, set exporter.Settings, tel *metadata.TelemetryBuilder) *syslogTransport {
	return &syslogTransport{cfg: cfg, logger: set.Logger, tel: tel}
}

func (t *syslogTransport) start(ctx context.Context, _ component.Host) error {
	t.hostname = t.cfg.Hostname
	if t.hostname == "" {
		h, err := os.Hostname()
		if err != nil || h == "" {
			h = "-"
		}
		t.hostname = sanitizeHeaderField(h, 255)
	}
	if tc := t.cfg.TLS.Get(); tc != nil {
		c, err := tc.LoadTLSConfig(ctx)
		if err != nil {
			return fmt.Errorf("syslog::tls: %w", err)
		}
		if c == nil { // insecure: true, plain TCP
			return nil
		}
		if c.ServerName == "" {
			host, _, _ := net.SplitHostPort(t.cfg.Endpoint)
			c.ServerName = host
		}
		t.tlsCfg = c
	}
	// No dial here: a destination that is down at start must delay
	// records, not fail the collector.
	return nil
}

func (t *syslogTransport) dial(ctx context.Context) (net.Conn, error) {
	d := &net.Dialer{Timeout: t.cfg.DialTimeout, KeepAlive: 30 * time.Second}
	if t.tlsCfg != nil {
		return (&tls.Dialer{NetDialer: d, Config: t.tlsCfg}).DialContext(ctx, "tcp", t.cfg.Endpoint)
	}
	return d.DialContext(ctx, t.cfg.Network, t.cfg.Endpoint)
}

func (t *syslogTransport) write(ctx context.Context, b *batch) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.conn == nil {
		c, err := t.dial(ctx)
		if err != nil {
			return fmt.Errorf("syslog %s: %w", t.cfg.Endpoint, err)
		}
		t.conn = c
		t.logger.Info("connected to syslog server", zap.String("endpoint", t.cfg.Endpoint), zap.String("network", t.cfg.Network))
	}
	udp := t.cfg.Network == "udp"
	t.frame = t.frame[:0]
	truncated := 0
	for i := range b.msgs {
		start := len(t.frame)
		var cut bool
		t.frame, cut = t.appendMessage(t.frame, b, &b.msgs[i])
		if cut {
			truncated++
		}
		if udp {
			if err := t.send(t.frame[start:]); err != nil {
				return err
			}
			t.frame = t.frame[:0]
		}
	}
	if truncated > 0 {
		t.tel.ExporterPanlogsRecordsTruncated.Add(ctx, int64(truncated))
	}
	if udp {
		return nil
	}
	return t.send(t.frame)
}

func (t *syslogTransport) send(p []byte) error {
	if err := t.conn.SetWriteDeadline(time.Now().Add(t.cfg.WriteTimeout)); err != nil {
		return t.drop(err)
	}
	if _, err := t.conn.Write(p); err != nil {
		return t.drop(err)
	}
	return nil
}

// drop closes a broken connection so the next write re-dials.
func (t *syslogTransport) drop(err error) error {
	_ = t.conn.Close()
	t.conn = nil
	t.logger.Warn("syslog write failed; reconnecting on the next attempt", zap.String("endpoint", t.cfg.Endpoint), zap.Error(err))
	return fmt.Errorf("syslog %s: %w", t.cfg.Endpoint, err)
}

// appendMessage frames one record: header, MSG (cut to max_message_size at
// a UTF-8 boundary), then the framing.
func (t *syslogTransport) appendMessage(dst []byte, b *batch, m *message) ([]byte, bool) {
	var hdr [320]byte
	h := t.appendHeader(hdr[:0], m)
	msg := b.buf[m.lineStart:m.end]
	cut := false
	if room := t.cfg.maxMessageSize() - len(h); len(msg) > room {
		room = max(room, 0)
		for room > 0 && !utf8.RuneStart(msg[room]) {
			room--
		}
		msg, cut = msg[:room], true
	}
	if t.cfg.Network == "tcp" && t.cfg.Framing == FramingOctetCounting {
		dst = strconv.AppendInt(dst, int64(len(h)+len(msg)), 10)
		dst = append(dst, ' ')
	}
	dst = append(dst, h...)
	dst = append(dst, msg...)
	if t.cfg.Network == "tcp" && t.cfg.Framing == FramingLF {
		dst = append(dst, '\n')
	}
	return dst, cut
}

// appendHeader writes the RFC 5424 header ("<PRI>1 TIMESTAMP HOSTNAME
// APP-NAME - TRAFFIC - ") or the RFC 3164 one ("<PRI>Mmm _d hh:mm:ss HOSTNAME
// TAG: ", the day padded with a space as RFC 3164 requires, in UTC).
func (t *syslogTransport) appendHeader(b []byte, m *message) []byte {
	b = append(b, '<')
	b = strconv.AppendInt(b, int64(t.cfg.Facility*8+m.severity), 10)
	b = append(b, '>')
	ts := time.Now()
	if m.ts != 0 {
		ts = m.ts.AsTime()
	}
	ts = ts.UTC()
	if t.cfg.Protocol == ProtocolRFC3164 {
		b = ts.AppendFormat(b, time.Stamp)
		b = append(b, ' ')
		b = append(b, t.hostname...)
		b = append(b, ' ')
		tag := m.prefix
		if len(tag) > 32 {
			tag = tag[:32] // RFC 3164 §4.1.3: at most 32 characters
		}
		b = append(b, tag...)
		return append(b, ':', ' ')
	}
	b = append(b, '1', ' ')
	b = ts.AppendFormat(b, "2006-01-02T15:04:05.000000Z07:00")
	b = append(b, ' ')
	b = append(b, t.hostname...)
	b = append(b, ' ')
	app := m.prefix
	if app == "" {
		app = "-"
	}
	b = append(b, app...) // sanitised to at most 48 printable bytes
	return append(b, " - TRAFFIC - "...)
}

func (t *syslogTransport) close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.conn == nil {
		return nil
	}
	err := t.conn.Close()
	t.conn = nil
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// sanitizeHeaderField keeps a syslog header field printable ASCII without
// spaces, at most n bytes.
func sanitizeHeaderField(s string, n int) string {
	b := []byte(s)
	if len(b) > n {
		b = b[:n]
	}
	for i, c := range b {
		if c <= ' ' || c >= 0x7f {
			b[i] = '_'
		}
	}
	return string(b)
}
