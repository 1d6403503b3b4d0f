// Package testutil is what the tests that run the built distribution share:
// where the binary and the shared ALS captures are, free loopback ports, and
// a started process whose output is kept (test/e2e, test/loadtest,
// test/deploy, and the golden tests that read the captures).
package testutil // import "github.com/otelcol-pan/otelcol-pan/internal/testutil"

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"

	"github.com/otelcol-pan/otelcol-pan/internal/alsmsg"
)

// modulePath is the module whose root RepoRoot looks for.
const modulePath = "github.com/otelcol-pan/otelcol-pan"

// BinaryEnv names the binary under test; `make test` sets it.
const BinaryEnv = "OTELCOL_PAN_BIN"

// RepoRoot is the repository's root: the directory of this module's go.mod,
// found from the working directory (a test runs in its package's).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(string(b), "module "+modulePath+"\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the " + modulePath + " repository")
		}
		dir = parent
	}
}

// Binary is the distribution under test: $OTELCOL_PAN_BIN, else
// bin/otelcol-pan at the repository root. t fails when it is missing.
func Binary(tb testing.TB) string {
	tb.Helper()
	p := os.Getenv(BinaryEnv)
	if p == "" {
		root, err := RepoRoot()
		if err != nil {
			tb.Fatal(err)
		}
		p = filepath.Join(root, "bin", "otelcol-pan")
	}
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("the otelcol-pan binary is missing (%v): run `make test`, which builds it first", err)
	}
	return p
}

// Sample is one shared ALS capture.
type Sample struct {
	Name string // the file's name without .msg
	Msg  *accesslogv3.StreamAccessLogsMessage
}

// Samples reads the shared ALS captures of an Istio bookinfo mesh
// (../shared/testdata/als/skywalking beside the repository, not part of it),
// in file order. t skips when they are absent: a clone outside this
// workplace still passes, on the repository's own testdata/als/mesh.
func Samples(tb testing.TB) []Sample {
	tb.Helper()
	root, err := RepoRoot()
	if err != nil {
		tb.Fatal(err)
	}
	dir := filepath.Join(root, "..", "shared", "testdata", "als", "skywalking")
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("shared ALS samples not present (%v): skipping", err)
	}
	files, err := alsmsg.Files(dir)
	if err != nil {
		tb.Fatal(err)
	}
	samples := make([]Sample, 0, len(files))
	for _, f := range files {
		msg, err := alsmsg.ReadFile(f)
		if err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		samples = append(samples, Sample{Name: strings.TrimSuffix(filepath.Base(f), ".msg"), Msg: msg})
	}
	return samples
}

// SampleMessages is the messages of Samples.
func SampleMessages(tb testing.TB) []*accesslogv3.StreamAccessLogsMessage {
	tb.Helper()
	var msgs []*accesslogv3.StreamAccessLogsMessage
	for _, s := range Samples(tb) {
		msgs = append(msgs, s.Msg)
	}
	return msgs
}

// handedOut is every port FreeAddr has returned in this process: the
// kernel may offer a port again as soon as its probe listener closes, and
// two components of one collector given the same port make it exit.
var handedOut = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// FreeAddr returns a loopback address that was free a moment ago and that
// this process has not handed out before.
func FreeAddr() (string, error) {
	var probes []net.Listener
	defer func() {
		for _, ln := range probes {
			ln.Close()
		}
	}()
	handedOut.Lock()
	defer handedOut.Unlock()
	// Keeping each probe open until the end makes the kernel offer a new
	// port every time.
	for range 64 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", err
		}
		probes = append(probes, ln)
		port := ln.Addr().(*net.TCPAddr).Port
		if !handedOut.ports[port] {
			handedOut.ports[port] = true
			return ln.Addr().String(), nil
		}
	}
	return "", errors.New("testutil: no loopback port left that was not handed out before")
}

// MustFreeAddr is FreeAddr for a test: t fails instead of an error.
func MustFreeAddr(tb testing.TB) string {
	tb.Helper()
	a, err := FreeAddr()
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// SyncBuffer collects a process's output while others read it. With Limit
// set it keeps only the first Limit bytes: the head says why a run failed.
type SyncBuffer struct {
	Limit int

	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Limit > 0 && s.b.Len() > s.Limit {
		return len(p), nil
	}
	return s.b.Write(p)
}

// Bytes is a copy of what was written so far.
func (s *SyncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}

func (s *SyncBuffer) String() string { return string(s.Bytes()) }

// Process is a started command whose standard error is kept.
type Process struct {
	cmd    *exec.Cmd
	stderr *SyncBuffer
	done   chan struct{}
}

// Output runs bin with args to its end and returns what it printed, both
// streams.
func Output(bin string, args ...string) (string, error) {
	out, err := exec.Command(bin, args...).CombinedOutput()
	return string(out), err
}

// Start runs bin with args and env added to this process's environment;
// stdout receives its standard output, stderr its standard error (kept
// whole when nil).
func Start(bin string, env []string, stdout io.Writer, stderr *SyncBuffer, args ...string) (*Process, error) {
	if stderr == nil {
		stderr = &SyncBuffer{}
	}
	p := &Process{cmd: exec.Command(bin, args...), stderr: stderr, done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = stdout, stderr
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	return p, nil
}

// Pid is the process's id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Log is what the process wrote to its standard error.
func (p *Process) Log() string { return p.stderr.String() }

// Kill ends the process at once (SIGKILL), as a crash would, and waits
// for it.
func (p *Process) Kill() error {
	err := p.cmd.Process.Kill()
	<-p.done
	return err
}

// Done is closed once the process has ended.
func (p *Process) Done() <-chan struct{} { return p.done }

// ExitCode is the process's exit code once it has ended, -1 before.
func (p *Process) ExitCode() int {
	if !p.Exited() {
		return -1
	}
	return p.cmd.ProcessState.ExitCode()
}

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stop sends SIGTERM and waits for the process to end, killing it after
// grace; it reports whether it had to.
func (p *Process) Stop(grace time.Duration) (killed bool) {
	if p.Exited() {
		return false
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return false
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.done
		return true
	}
}
