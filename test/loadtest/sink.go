package loadtest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"sort"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
)

// Tally counts what a sink saw, by the corpus's entry keys.
type Tally struct {
	mu       sync.Mutex
	c        *Corpus
	seen     [][]bool
	unique   int
	dups     int
	unknown  int
	delays   []time.Duration
	lastSeen time.Time
}

func newTally(c *Corpus) *Tally {
	t := &Tally{c: c, seen: make([][]bool, len(c.Streams))}
	for s := range c.Streams {
		t.seen[s] = make([]bool, (c.Entries/len(c.Streams))+1)
	}
	return t
}

func (t *Tally) add(src, dst string, at time.Time) {
	s, i, sent, ok := t.c.sentAt(src, dst)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lastSeen = at
	if !ok || i >= len(t.seen[s]) {
		t.unknown++
		return
	}
	if t.seen[s][i] {
		t.dups++
		return
	}
	t.seen[s][i] = true
	t.unique++
	if sent > 0 {
		t.delays = append(t.delays, at.Sub(time.Unix(0, sent)))
	}
}

// LastSeen is when the last record arrived.
func (t *Tally) LastSeen() time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lastSeen
}

// Unique is how many distinct corpus entries arrived.
func (t *Tally) Unique() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.unique
}

// Stats returns duplicates, unknown records and the p99 delay.
func (t *Tally) Stats() (dups, unknown int, p99 time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.delays) > 0 {
		d := append([]time.Duration(nil), t.delays...)
		sort.Slice(d, func(a, b int) bool { return d[a] < d[b] })
		p99 = d[len(d)*99/100]
	}
	return t.dups, t.unknown, p99
}

// jsonKey pulls "src" and "dst" out of a panlogs JSON line without decoding
// the whole object.
func jsonKey(line []byte) (src, dst string, ok bool) {
	src, ok1 := jsonStr(line, []byte(`"src":"`))
	dst, ok2 := jsonStr(line, []byte(`"dst":"`))
	return src, dst, ok1 && ok2
}

func jsonStr(line, key []byte) (string, bool) {
	i := bytes.Index(line, key)
	if i < 0 {
		return "", false
	}
	rest := line[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return "", false
	}
	return string(rest[:j]), true
}

// ocsfKey pulls the peers' addresses out of an OCSF event (the encoder
// writes ip first in src_endpoint and dst_endpoint) without decoding it.
func ocsfKey(line []byte) (src, dst string, ok bool) {
	src, ok1 := jsonStr(line, []byte(`"src_endpoint":{"ip":"`))
	dst, ok2 := jsonStr(line, []byte(`"dst_endpoint":{"ip":"`))
	return src, dst, ok1 && ok2
}

// csvKey reads columns 8 and 9 (source and destination) of a pan_csv line,
// after the line prefix.
func csvKey(line []byte) (string, string, bool) {
	if i := bytes.IndexByte(line, ' '); i >= 0 {
		line = line[i+1:]
	}
	cols := bytes.SplitN(line, []byte(","), 10)
	if len(cols) < 10 {
		return "", "", false
	}
	return string(cols[7]), string(cols[8]), true
}

// TailFile follows a file as the collector writes it, handing each complete
// line to onLine (valid only during the call), until stop is closed (then it
// reads what is left).
func TailFile(path string, stop <-chan struct{}, onLine func([]byte, time.Time)) {
	var f *os.File
	var r *bufio.Reader
	var partial []byte
	// Lines are handed over as views of the reader's buffer (onLine keeps
	// nothing of them), so that following the output costs the benchmark
	// no copy per line: the sink shares the cores it measures on, and a
	// format with longer lines would pay for the sink's copies too.
	drain := func() {
		for {
			chunk, err := r.ReadSlice('\n')
			switch {
			case len(chunk) > 0 && chunk[len(chunk)-1] == '\n':
				line := chunk[:len(chunk)-1]
				if len(partial) > 0 {
					line = append(partial, line...)
					partial = partial[:0]
				}
				onLine(line, time.Now())
			case len(chunk) > 0:
				partial = append(partial, chunk...) // a line longer than the buffer, or not yet complete
			}
			if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
				return
			}
		}
	}
	ticker := time.NewTicker(20 * time.Millisecond)
	defer ticker.Stop()
	for {
		if f == nil {
			if fh, err := os.Open(path); err == nil {
				f, r = fh, bufio.NewReaderSize(fh, 1<<20)
				defer f.Close()
			}
		}
		if f != nil {
			drain()
		}
		select {
		case <-stop:
			if f != nil {
				drain()
			}
			return
		case <-ticker.C:
		}
	}
}

// OnPANJSONLine tallies a panlogs json line.
func (t *Tally) OnPANJSONLine(line []byte, at time.Time) { t.onKeyed(jsonKey, line, at) }

// OnOCSFLine tallies a panlogs ocsf line.
func (t *Tally) OnOCSFLine(line []byte, at time.Time) { t.onKeyed(ocsfKey, line, at) }

// OnPANCSVLine tallies a panlogs pan_csv line.
func (t *Tally) OnPANCSVLine(line []byte, at time.Time) { t.onKeyed(csvKey, line, at) }

// onKeyed tallies a line by the entry key reads from it, or as unknown.
func (t *Tally) onKeyed(key func([]byte) (src, dst string, ok bool), line []byte, at time.Time) {
	if src, dst, ok := key(line); ok {
		t.add(src, dst, at)
		return
	}
	t.mu.Lock()
	t.unknown++
	t.mu.Unlock()
}

// awaitDelivery waits until count reaches want, or gives up once it has not
// moved for stall, polling every poll.
func awaitDelivery(count func() int, want int, stall, poll time.Duration) {
	last, lastChange := -1, time.Now()
	for {
		n := count()
		if n >= want {
			return
		}
		if n != last {
			last, lastChange = n, time.Now()
		} else if time.Since(lastChange) > stall {
			return
		}
		time.Sleep(poll)
	}
}

// OnOTLPJSONLine tallies a file exporter line: one OTLP JSON request.
func (t *Tally) OnOTLPJSONLine(line []byte, at time.Time) {
	ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(line)
	if err != nil {
		t.mu.Lock()
		t.unknown++
		t.mu.Unlock()
		return
	}
	for i := 0; i < ld.ResourceLogs().Len(); i++ {
		sls := ld.ResourceLogs().At(i).ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				a := lrs.At(k).Attributes()
				src, _ := a.Get("source.address")
				dst, _ := a.Get("destination.address")
				t.add(src.AsString(), dst.AsString(), at)
			}
		}
	}
}

// SyslogSink accepts RFC 5424 over TCP with octet counting and tallies each
// message's JSON body.
type SyslogSink struct {
	ln net.Listener
	t  *Tally
}

// NewSyslogSink listens on a free loopback port.
func NewSyslogSink(t *Tally) (*SyslogSink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &SyslogSink{ln: ln, t: t}
	go s.accept()
	return s, nil
}

// Addr is where the sink listens.
func (s *SyslogSink) Addr() string { return s.ln.Addr().String() }

// Close stops accepting.
func (s *SyslogSink) Close() error { return s.ln.Close() }

func (s *SyslogSink) accept() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			r := bufio.NewReaderSize(c, 1<<20)
			buf := make([]byte, 0, 4096)
			for {
				n, err := r.ReadString(' ')
				if err != nil {
					return
				}
				size, err := strconv.Atoi(n[:len(n)-1])
				if err != nil || size <= 0 || size > 1<<20 {
					return
				}
				buf = buf[:size]
				if _, err := io.ReadFull(r, buf); err != nil {
					return
				}
				s.t.OnPANJSONLine(buf, time.Now())
			}
		}()
	}
}
