package loadtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/otelcol-pan/otelcol-pan/internal/alsgen"
	"github.com/otelcol-pan/otelcol-pan/internal/testutil"
)

// FanIn is a sustained-overload run: Streams Envoy-like clients, each on its
// own connection (Envoy opens one per worker thread and proxy), send as fast
// as flow control lets them for Duration, through the pipeline that deploy/
// ships. Every entry is unique, so the sink can tell loss from duplicates
// however long the run.
type FanIn struct {
	Streams  int
	Duration time.Duration
	Batch    int // entries per message
	// DeployDir is the repository's deploy/ directory: the run takes its
	// collector configuration, GOMEMLIMIT and memory limit from there.
	DeployDir string
	// Receiver overrides istioals settings of deploy/ (experiments).
	Receiver map[string]any
	// MemoryLimitMiB and GoMemLimitMiB, when set, stand for a pod sized
	// otherwise than deploy/'s (memory_limiter's limits follow).
	MemoryLimitMiB, GoMemLimitMiB int64
	// PprofEndpoint, when set, turns on the pprof extension there, for
	// profiling a run from outside.
	PprofEndpoint string
	// Edit, when set, rewrites the generated configuration (experiments).
	Edit func(config string) string
}

// FanInResult is what a fan-in run measured.
type FanInResult struct {
	FanIn
	Sent, Delivered, Lost, Duplicates, Unknown int
	// Refused is what the receiver itself counted as dropped
	// (otelcol_receiver_istioals_entries_refused).
	Refused int64
	PeakRSS int64
	// PeakAnon is the highest anonymous resident memory sampled (every
	// 100 ms): RSS without the binary's file-backed pages.
	PeakAnon int64
	Elapsed  time.Duration // first send to last delivery
	CPU      time.Duration
	// SenderCPU is this process's CPU over the run: the load generator and
	// the sink share the machine's cores with the collector.
	SenderCPU time.Duration
}

// EntriesPerSec is the delivered throughput.
func (r FanInResult) EntriesPerSec() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Delivered) / r.Elapsed.Seconds()
}

// fanInMessages is how many distinct messages a stream cycles through; the
// destination port tells the rounds apart.
const fanInMessages = 4

// The destination port of every entry is written as this sentinel, found in
// the marshalled message and overwritten per round with firstRoundPort +
// round. Both are three-byte varints, so the patch never moves a byte.
const (
	sentinelPort   = 65000
	firstRoundPort = 20000
	maxRounds      = sentinelPort - firstRoundPort
)

// fanInStream is one client's messages and where their ports sit.
type fanInStream struct {
	msgs    [][]byte
	ports   [][]int // offsets of the port varints, per message
	entries []int   // per message
}

func fanInCorpus(streams, batch int) ([]fanInStream, error) {
	start := time.Now()
	out := make([]fanInStream, streams)
	for s := range out {
		w := alsgen.Workload{Namespace: []string{"default", "payments"}[s%2], Name: fmt.Sprintf("app%d", s), Index: s}
		for m := 0; m < fanInMessages; m++ {
			first := m * batch
			msg := alsgen.Message(w, "http", first, batch, start.Add(time.Duration(first)*time.Microsecond))
			for j, e := range msg.GetHttpLogs().GetLogEntry() {
				i := first + j
				e.CommonProperties.DownstreamRemoteAddress = addr(w.IP(), uint32(i%20000)+1)
				e.CommonProperties.DownstreamLocalAddress = addr(fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255), sentinelPort)
			}
			if m == 0 {
				msg.Identifier = w.Identifier()
			}
			b, err := proto.Marshal(msg)
			if err != nil {
				return nil, err
			}
			// port_value is field 3, a varint: tag 0x18, then the value.
			pat := append([]byte{0x18}, varint3(sentinelPort)...)
			var offs []int
			for k := 0; ; {
				x := bytes.Index(b[k:], pat)
				if x < 0 {
					break
				}
				offs = append(offs, k+x+1)
				k += x + len(pat)
			}
			if len(offs) != batch {
				return nil, fmt.Errorf("stream %d message %d: found the port sentinel %d times, want %d", s, m, len(offs), batch)
			}
			out[s].msgs = append(out[s].msgs, b)
			out[s].ports = append(out[s].ports, offs)
			out[s].entries = append(out[s].entries, batch)
		}
	}
	return out, nil
}

// varint3 is v (2^14 ≤ v < 2^21) as a three-byte protobuf varint.
func varint3(v int) []byte {
	return []byte{byte(v&0x7f | 0x80), byte(v>>7&0x7f | 0x80), byte(v >> 14)}
}

// fanInTally counts arrivals by (stream, round, entry) in growing bitsets.
type fanInTally struct {
	mu       sync.Mutex
	perRound int
	streamOf map[string]int
	seen     [][]uint64
	unique   int
	dups     int
	unknown  int
	lastSeen time.Time
}

func newFanInTally(streams, batch int) *fanInTally {
	t := &fanInTally{perRound: fanInMessages * batch, streamOf: map[string]int{}, seen: make([][]uint64, streams)}
	for s := 0; s < streams; s++ {
		t.streamOf[alsgen.Workload{Index: s}.IP()] = s
	}
	return t
}

func (t *fanInTally) onLine(line []byte, at time.Time) {
	src, ok1 := jsonStr(line, []byte(`"src":"`))
	dst, ok2 := jsonStr(line, []byte(`"dst":"`))
	dport, ok3 := jsonInt(line, []byte(`"dport":`))
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lastSeen = at
	s, known := t.streamOf[src]
	ip := net.ParseIP(dst).To4()
	round := dport - firstRoundPort
	if !ok1 || !ok2 || !ok3 || !known || ip == nil || ip[0] != 10 || round < 0 || round >= maxRounds {
		t.unknown++
		return
	}
	i := int(ip[1])<<16 | int(ip[2])<<8 | int(ip[3])
	if i >= t.perRound {
		t.unknown++
		return
	}
	bit := round*t.perRound + i
	for bit/64 >= len(t.seen[s]) {
		t.seen[s] = append(t.seen[s], make([]uint64, 1024)...)
	}
	if t.seen[s][bit/64]&(1<<(bit%64)) != 0 {
		t.dups++
		return
	}
	t.seen[s][bit/64] |= 1 << (bit % 64)
	t.unique++
}

func (t *fanInTally) counts() (unique, dups, unknown int, last time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.unique, t.dups, t.unknown, t.lastSeen
}

func jsonInt(line, key []byte) (int, bool) {
	i := bytes.Index(line, key)
	if i < 0 {
		return 0, false
	}
	rest := line[i+len(key):]
	j := 0
	for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
		j++
	}
	n, err := strconv.Atoi(string(rest[:j]))
	return n, err == nil
}

// RunFanIn measures one fan-in run in dir.
func RunFanIn(ctx context.Context, bins Bins, fi FanIn, dir string) (FanInResult, error) {
	res := FanInResult{FanIn: fi}
	corpus, err := fanInCorpus(fi.Streams, fi.Batch)
	if err != nil {
		return res, err
	}
	recvAddr, metricsAddr := FreeAddr(), FreeAddr()
	out := filepath.Join(dir, "out.log")
	tally := newFanInTally(fi.Streams, fi.Batch)
	dep, err := LoadDeploy(fi.DeployDir)
	if err != nil {
		return res, err
	}
	if fi.MemoryLimitMiB > 0 {
		dep.MemoryLimitMiB = fi.MemoryLimitMiB
	}
	if fi.GoMemLimitMiB > 0 {
		dep.Env = []string{fmt.Sprintf("GOMEMLIMIT=%dMiB", fi.GoMemLimitMiB)}
	}
	cfg, err := dep.Config(recvAddr, metricsAddr, out, fi.PprofEndpoint, fi.Receiver)
	if err != nil {
		return res, err
	}
	if fi.Edit != nil {
		cfg = fi.Edit(cfg)
	}
	cfgPath := filepath.Join(dir, "config.yaml")
	if err := writeFile(cfgPath, cfg); err != nil {
		return res, err
	}
	env := dep.Env
	proc, err := Start(bins.Collector, env, append([]string{"--config", cfgPath}, bins.CollectorArgs...)...)
	if err != nil {
		return res, err
	}
	stop := make(chan struct{})
	tailDone := make(chan struct{})
	go func() { defer close(tailDone); TailFile(out, stop, tally.onLine) }()
	defer func() {
		proc.Stop()
		close(stop)
		<-tailDone
	}()
	if err := proc.WaitTCP(recvAddr, 30*time.Second); err != nil {
		return res, err
	}
	if err := proc.WaitTCP(metricsAddr, 10*time.Second); err != nil {
		return res, err
	}

	cpu0, err := proc.CPU()
	if err != nil {
		return res, err
	}
	self0 := selfCPU()
	stopAnon := make(chan struct{})
	peakAnon := proc.SamplePeakAnon(stopAnon, 100*time.Millisecond)
	defer func() { // on the error paths
		select {
		case <-stopAnon:
		default:
			close(stopAnon)
		}
	}()
	begin := time.Now()
	sent, err := sendFanIn(ctx, recvAddr, corpus, begin.Add(fi.Duration))
	res.Sent = int(sent)
	if err != nil {
		return res, fmt.Errorf("fan-in %d streams: sending: %w\n%s", fi.Streams, err, tail(proc.Log()))
	}
	awaitDelivery(func() int {
		if proc.Exited() {
			return res.Sent
		}
		n, _, _, _ := tally.counts()
		return n
	}, res.Sent, 15*time.Second, 50*time.Millisecond)
	cpu1, err := proc.CPU()
	if err != nil {
		return res, fmt.Errorf("collector gone: %w\n%s", err, tail(proc.Log()))
	}
	res.PeakRSS, _ = proc.PeakRSS()
	close(stopAnon)
	res.PeakAnon = <-peakAnon
	res.Refused = metricSum(metricsAddr, "otelcol_receiver_istioals_entries_refused")
	var lastSeen time.Time
	res.Delivered, res.Duplicates, res.Unknown, lastSeen = tally.counts()
	res.Lost = max(res.Sent-res.Delivered, 0)
	res.Elapsed = lastSeen.Sub(begin)
	res.CPU = cpu1 - cpu0
	res.SenderCPU = selfCPU() - self0
	return res, nil
}

// selfCPU is this process's user+system CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// sendFanIn runs one connection and one stream per corpus stream until
// deadline, cycling each stream's messages with a new destination port per
// round; it returns how many entries the client handed to gRPC.
func sendFanIn(ctx context.Context, endpoint string, corpus []fanInStream, deadline time.Time) (int64, error) {
	var sent atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, len(corpus))
	for s := range corpus {
		wg.Go(func() { errs[s] = sendFanInStream(ctx, endpoint, &corpus[s], deadline, &sent) })
	}
	wg.Wait()
	return sent.Load(), errors.Join(errs...)
}

func sendFanInStream(ctx context.Context, endpoint string, sc *fanInStream, deadline time.Time, sent *atomic.Int64) error {
	conn, err := testutil.DialRaw(endpoint)
	if err != nil {
		return err
	}
	defer conn.Close()
	st, err := conn.NewStream(ctx, &testutil.ALSStream, testutil.ALSMethod)
	if err != nil {
		return err
	}
	port := make([]byte, 3)
	for round := 0; round < maxRounds && time.Now().Before(deadline); round++ {
		copy(port, varint3(firstRoundPort+round))
		for m, tmpl := range sc.msgs {
			// gRPC may still hold a sent message's bytes: patch a copy.
			b := bytes.Clone(tmpl)
			for _, off := range sc.ports[m] {
				copy(b[off:], port)
			}
			if err := st.SendMsg(&b); err != nil {
				var resp []byte
				return fmt.Errorf("round %d message %d: %w (%v)", round, m, err, st.RecvMsg(&resp))
			}
			sent.Add(int64(sc.entries[m]))
		}
	}
	if err := st.CloseSend(); err != nil {
		return err
	}
	var resp []byte
	return st.RecvMsg(&resp)
}

func writeFile(path, content string) error { return os.WriteFile(path, []byte(content), 0o600) }
