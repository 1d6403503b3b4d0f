package datareceivers

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"strconv"
	"sync"

	"github.com/open-telemetry/opentelemetry-collector-contrib/testbed/testbed"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-pan/otelcol-pan/test/testbed/panlines"
)

// SyslogReceiver is a syslog server for the panlogs exporter's syslog
// transport: RFC 5424 messages over TCP, framed by octet counting (RFC 6587).
type SyslogReceiver struct {
	panlogsBase

	ln    net.Listener
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

var _ Outage = (*SyslogReceiver)(nil)

// maxFrame bounds one syslog message (the exporter's max_message_size is
// 64 KiB by default).
const maxFrame = 1 << 20

// NewSyslogReceiver reads format lines over syslog on 127.0.0.1:port.
func NewSyslogReceiver(port int, format string) *SyslogReceiver {
	return &SyslogReceiver{panlogsBase: panlogsBase{DataReceiverBase: testbed.DataReceiverBase{Port: port}, format: format}}
}

// GenConfigYAMLStr is the collector's exporter section.
func (r *SyslogReceiver) GenConfigYAMLStr() string {
	return r.exporterConfig(fmt.Sprintf(`    transport: syslog
    syslog:
      endpoint: "%s"
      network: tcp
      protocol: rfc5424
      framing: octet_counting
`, r.addr()))
}

// Start listens and feeds lc.
func (r *SyslogReceiver) Start(_ consumer.Traces, _ consumer.Metrics, lc consumer.Logs) error {
	r.setConsumer(lc)
	ln, err := net.Listen("tcp", r.addr())
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.ln, r.conns = ln, map[net.Conn]struct{}{}
	r.mu.Unlock()
	r.wg.Go(func() { r.accept(ln) })
	return nil
}

// Stop closes the listener and every connection, and waits for the readers.
// Syslog has no acknowledgement: what the exporter wrote and this side had
// not read yet is lost, as it would be with any syslog server going down.
func (r *SyslogReceiver) Stop() error {
	r.mu.Lock()
	ln := r.ln
	r.ln = nil
	for c := range r.conns {
		_ = c.Close()
	}
	r.mu.Unlock()
	if ln == nil {
		return nil
	}
	err := ln.Close()
	r.wg.Wait()
	return err
}

func (r *SyslogReceiver) accept(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		r.mu.Lock()
		if r.ln != ln {
			r.mu.Unlock()
			_ = c.Close()
			return
		}
		r.conns[c] = struct{}{}
		r.mu.Unlock()
		r.wg.Go(func() {
			defer func() {
				r.mu.Lock()
				delete(r.conns, c)
				r.mu.Unlock()
				_ = c.Close()
			}()
			// read returns only when the connection ends, with why.
			if err := r.read(c); !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				log.Printf("syslog receiver: %v", err)
			}
		})
	}
}

// read handles one connection: frames are gathered while more are already
// buffered, then handed over as one batch.
func (r *SyslogReceiver) read(c net.Conn) error {
	br := bufio.NewReaderSize(c, 256<<10)
	var msgs [][]byte
	for {
		size, err := br.ReadString(' ')
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(size[:len(size)-1])
		if err != nil || n <= 0 || n > maxFrame {
			return fmt.Errorf("bad octet count %q", size)
		}
		msg := make([]byte, n)
		if _, err := io.ReadFull(br, msg); err != nil {
			return err
		}
		msgs = append(msgs, msg)
		if br.Buffered() > 0 && len(msgs) < 1000 {
			continue
		}
		if err := r.deliver(msgs); err != nil {
			return err
		}
		msgs = nil
	}
}

// deliver splits each RFC 5424 message into its header and the line, and
// records the header fields the exporter sets.
func (r *SyslogReceiver) deliver(msgs [][]byte) error {
	lines := make([][]byte, len(msgs))
	headers := make([]rfc5424Header, len(msgs))
	for i, m := range msgs {
		h, line, err := splitRFC5424(m)
		if err != nil {
			// Hand the whole message to the parser: it fails, and the
			// record carries why.
			lines[i] = m
			continue
		}
		headers[i], lines[i] = h, line
	}
	return r.consume(lines, func(i int, fields pcommon.Map) {
		h := headers[i]
		fields.PutStr(panlines.SyslogSeverity, strconv.Itoa(h.severity))
		fields.PutStr(panlines.SyslogAppName, h.appName)
		fields.PutStr(panlines.SyslogMsgID, h.msgID)
	})
}

type rfc5424Header struct {
	severity int
	appName  string
	msgID    string
}

// splitRFC5424 reads "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG"
// (the exporter writes no structured data).
func splitRFC5424(m []byte) (rfc5424Header, []byte, error) {
	var h rfc5424Header
	if len(m) < 4 || m[0] != '<' {
		return h, nil, errors.New("syslog: no PRI")
	}
	end := bytes.IndexByte(m, '>')
	if end < 0 {
		return h, nil, errors.New("syslog: unterminated PRI")
	}
	pri, err := strconv.Atoi(string(m[1:end]))
	if err != nil || pri < 0 || pri > 191 {
		return h, nil, fmt.Errorf("syslog: PRI %q", m[1:end])
	}
	h.severity = pri % 8
	parts := bytes.SplitN(m[end+1:], []byte{' '}, 8)
	if len(parts) != 8 || string(parts[0]) != "1" || string(parts[6]) != "-" {
		return h, nil, errors.New("syslog: not an RFC 5424 header without structured data")
	}
	h.appName, h.msgID = string(parts[3]), string(parts[5])
	return h, parts[7], nil
}

// Pause takes the backend away: the collector finds nothing listening.
func (r *SyslogReceiver) Pause() error { return r.Stop() }

// Resume brings it back on the same port, feeding the same mock backend.
func (r *SyslogReceiver) Resume() error { return r.Start(nil, nil, r.currentConsumer()) }
