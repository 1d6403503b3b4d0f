// Package loadtest drives the built otelcol-pan binary with ALS (or OTLP)
// load over loopback, in the manner of the collector-contrib testbed: a load
// generator, the collector as a separate process started from a YAML config,
// a sink that checks every item, and the collector's CPU and memory read
// from /proc. `make bench` runs its scenarios; `make test` runs a smoke.
package loadtest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/otelcol-pan/otelcol-pan/internal/testutil"
)

// clockTicks is USER_HZ, the unit of utime/stime in /proc/<pid>/stat; 100 on
// every Linux architecture Go supports.
const clockTicks = 100

// Process is a collector (or ceiling server) under measurement.
type Process struct {
	*testutil.Process
}

// Start runs bin with args, stdout discarded, stderr kept for diagnosis.
func Start(bin string, env []string, args ...string) (*Process, error) {
	p, err := testutil.Start(bin, env, io.Discard, &testutil.SyncBuffer{Limit: 1 << 20}, args...)
	if err != nil {
		return nil, err
	}
	return &Process{Process: p}, nil
}

// StartCollector writes config into dir and runs the collector on it, with
// any extra command-line arguments (e.g. --feature-gates).
func StartCollector(bin, dir, config string, extra ...string) (*Process, error) {
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		return nil, err
	}
	return Start(bin, nil, append([]string{"--config", path}, extra...)...)
}

// Stop sends SIGTERM, then kills after a grace period.
func (p *Process) Stop() { p.Process.Stop(15 * time.Second) }

// CPU is the process's user+system CPU time so far.
func (p *Process) CPU() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.Pid()))
	if err != nil {
		return 0, err
	}
	// Fields after the command name (which may hold spaces) start at ')'.
	rest := string(b[bytes.LastIndexByte(b, ')')+2:])
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc stat: %q", rest)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bad /proc stat: %q", rest)
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// PeakRSS is the process's high-water resident set (VmHWM).
func (p *Process) PeakRSS() (int64, error) { return p.status("VmHWM") }

// AnonRSS is the process's anonymous resident memory now (RssAnon): the
// part of its resident set that a cgroup cannot reclaim, unlike the
// binary's file-backed pages, which RSS also counts.
func (p *Process) AnonRSS() (int64, error) { return p.status("RssAnon") }

// status reads one memory field of /proc/<pid>/status, in bytes.
func (p *Process) status(field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", p.Pid()))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, p.Pid())
}

// SamplePeakAnon polls AnonRSS every interval until stop is closed and
// returns the highest value seen (the kernel keeps no high-water mark for
// it).
func (p *Process) SamplePeakAnon(stop <-chan struct{}, interval time.Duration) <-chan int64 {
	out := make(chan int64, 1)
	go func() {
		var peak int64
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if v, err := p.AnonRSS(); err == nil {
				peak = max(peak, v)
			}
			select {
			case <-stop:
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}

// WaitTCP waits until addr accepts connections or the process dies.
func (p *Process) WaitTCP(addr string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if p.Exited() {
			return fmt.Errorf("process exited:\n%s", p.Log())
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			return c.Close()
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s not listening after %s:\n%s", addr, within, p.Log())
}

// AllocBytes reads the collector's own total allocated bytes from its
// Prometheus telemetry endpoint (Go runtime metric); -1 when unavailable.
func AllocBytes(metricsAddr string) int64 {
	return metricSum(metricsAddr, "otelcol_process_runtime_total_alloc_bytes")
}

// FreeAddr returns a loopback address that was free a moment ago (see
// testutil.FreeAddr); the harness picks its addresses where it has no way to
// report an error, and cannot run without one.
func FreeAddr() string {
	a, err := testutil.FreeAddr()
	if err != nil {
		panic(err)
	}
	return a
}

// metricSum adds every sample of a counter on the collector's Prometheus
// endpoint; -1 when unavailable.
func metricSum(metricsAddr, name string) int64 {
	text, err := scrape(metricsAddr)
	if err != nil {
		return -1
	}
	var sum float64
	for _, line := range bytes.Split(text, []byte("\n")) {
		if !bytes.HasPrefix(line, []byte(name)) {
			continue
		}
		rest := line[len(name):]
		if len(rest) == 0 || (rest[0] != '{' && rest[0] != ' ' && !bytes.HasPrefix(rest, []byte("_total"))) {
			continue
		}
		f := bytes.Fields(line)
		if v, err := strconv.ParseFloat(string(f[len(f)-1]), 64); err == nil {
			sum += v
		}
	}
	return int64(sum)
}

// scrape reads the collector's Prometheus text.
func scrape(metricsAddr string) ([]byte, error) {
	resp, err := http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}
