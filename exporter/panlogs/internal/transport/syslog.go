package transport // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/transport"

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
	"go.opentelemetry.io/collector/config/configtls"
	"go.uber.org/zap"

	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/rfc3339"
)

// SyslogSettings configure a Syslog transport.
type SyslogSettings struct {
	Endpoint string
	Network  string // tcp or udp
	// TLS secures a tcp connection (RFC 5425); nil for none.
	TLS *configtls.ClientConfig
	// RFC3164 writes BSD syslog headers instead of RFC 5424's.
	RFC3164 bool
	// LineFraming ends each TCP message with '\n' instead of counting
	// octets (RFC 6587).
	LineFraming bool
	Facility    int
	// Hostname is the HOSTNAME field; empty takes the machine's.
	Hostname string
	// MaxMessageSize bounds a message, header included; a longer one is cut
	// at a UTF-8 boundary.
	MaxMessageSize            int
	DialTimeout, WriteTimeout time.Duration
	Logger                    *zap.Logger
	// OnTruncated counts the messages cut to MaxMessageSize.
	OnTruncated func(ctx context.Context, n int)
}

// Syslog sends each message as one syslog message over one long-lived
// connection (TCP, TLS) or as one datagram (UDP). A failed write drops the
// connection, which the next write re-dials; the batch is retried by
// exporterhelper, so TCP delivery is at least once. UDP is best effort.
type Syslog struct {
	set      SyslogSettings
	hostname string
	tlsCfg   *tls.Config

	mu    sync.Mutex
	conn  net.Conn
	frame []byte
	clock rfc3339.Cache // RFC 5424 timestamps
}

// NewSyslog sends to the server set names.
func NewSyslog(set SyslogSettings) *Syslog { return &Syslog{set: set} }

// Start loads the TLS settings; it does not dial: a destination that is
// down at start must delay records, not fail the collector.
func (t *Syslog) Start(ctx context.Context, _ component.Host) error {
	t.hostname = t.set.Hostname
	if t.hostname == "" {
		h, err := os.Hostname()
		if err != nil || h == "" {
			h = "-"
		}
		t.hostname = sanitizeHeaderField(h, 255)
	}
	if tc := t.set.TLS; tc != nil {
		c, err := tc.LoadTLSConfig(ctx)
		if err != nil {
			return fmt.Errorf("syslog::tls: %w", err)
		}
		if c == nil { // insecure: true, plain TCP
			return nil
		}
		if c.ServerName == "" {
			host, _, _ := net.SplitHostPort(t.set.Endpoint)
			c.ServerName = host
		}
		t.tlsCfg = c
	}
	return nil
}

func (t *Syslog) dial(ctx context.Context) (net.Conn, error) {
	d := &net.Dialer{Timeout: t.set.DialTimeout, KeepAlive: 30 * time.Second}
	if t.tlsCfg != nil {
		return (&tls.Dialer{NetDialer: d, Config: t.tlsCfg}).DialContext(ctx, "tcp", t.set.Endpoint)
	}
	return d.DialContext(ctx, t.set.Network, t.set.Endpoint)
}

// Write sends every message of the batch: in one write on TCP, one
// datagram each on UDP.
func (t *Syslog) Write(ctx context.Context, b *Batch) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.conn == nil {
		c, err := t.dial(ctx)
		if err != nil {
			return fmt.Errorf("syslog %s: %w", t.set.Endpoint, err)
		}
		t.conn = c
		t.set.Logger.Info("connected to syslog server", zap.String("endpoint", t.set.Endpoint), zap.String("network", t.set.Network))
	}
	udp := t.set.Network == "udp"
	t.frame = t.frame[:0]
	truncated := 0
	for i := range b.Msgs {
		start := len(t.frame)
		var cut bool
		t.frame, cut = t.appendMessage(t.frame, b, &b.Msgs[i])
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
	if truncated > 0 && t.set.OnTruncated != nil {
		t.set.OnTruncated(ctx, truncated)
	}
	if udp {
		return nil
	}
	return t.send(t.frame)
}

func (t *Syslog) send(p []byte) error {
	if err := t.conn.SetWriteDeadline(time.Now().Add(t.set.WriteTimeout)); err != nil {
		return t.drop(err)
	}
	if _, err := t.conn.Write(p); err != nil {
		return t.drop(err)
	}
	return nil
}

// drop closes a broken connection so the next write re-dials.
func (t *Syslog) drop(err error) error {
	_ = t.conn.Close()
	t.conn = nil
	t.set.Logger.Warn("syslog write failed; reconnecting on the next attempt", zap.String("endpoint", t.set.Endpoint), zap.Error(err))
	return fmt.Errorf("syslog %s: %w", t.set.Endpoint, err)
}

// appendMessage frames one message: header, MSG (cut to the maximum size at
// a UTF-8 boundary), then the framing.
func (t *Syslog) appendMessage(dst []byte, b *Batch, m *Message) ([]byte, bool) {
	var hdr [320]byte
	h := t.appendHeader(hdr[:0], m)
	msg := b.Buf[m.LineStart:m.End]
	cut := false
	if room := t.set.MaxMessageSize - len(h); len(msg) > room {
		room = max(room, 0)
		for room > 0 && !utf8.RuneStart(msg[room]) {
			room--
		}
		msg, cut = msg[:room], true
	}
	tcp := t.set.Network == "tcp"
	if tcp && !t.set.LineFraming {
		dst = strconv.AppendInt(dst, int64(len(h)+len(msg)), 10)
		dst = append(dst, ' ')
	}
	dst = append(dst, h...)
	dst = append(dst, msg...)
	if tcp && t.set.LineFraming {
		dst = append(dst, '\n')
	}
	return dst, cut
}

// appendHeader writes the RFC 5424 header ("<PRI>1 TIMESTAMP HOSTNAME
// APP-NAME - TRAFFIC - ") or the RFC 3164 one ("<PRI>Mmm _d hh:mm:ss HOSTNAME
// TAG: ", the day padded with a space as RFC 3164 requires, in UTC).
func (t *Syslog) appendHeader(b []byte, m *Message) []byte {
	b = append(b, '<')
	b = strconv.AppendInt(b, int64(t.set.Facility*8+m.Severity), 10)
	b = append(b, '>')
	ns := m.Time
	if ns == 0 {
		ns = time.Now().UnixNano()
	}
	if t.set.RFC3164 {
		b = time.Unix(0, ns).UTC().AppendFormat(b, time.Stamp)
		b = append(b, ' ')
		b = append(b, t.hostname...)
		b = append(b, ' ')
		tag := m.AppName
		if len(tag) > 32 {
			tag = tag[:32] // RFC 3164 §4.1.3: at most 32 characters
		}
		b = append(b, tag...)
		return append(b, ':', ' ')
	}
	b = append(b, '1', ' ')
	b = t.clock.Append(b, ns)
	b = append(b, ' ')
	b = append(b, t.hostname...)
	b = append(b, ' ')
	app := m.AppName
	if app == "" {
		app = "-"
	}
	b = append(b, app...) // sanitised to at most 48 printable bytes
	return append(b, " - TRAFFIC - "...)
}

// Close closes the connection.
func (t *Syslog) Close() error {
	if err := closeOnce(&t.mu, &t.conn); !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
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
