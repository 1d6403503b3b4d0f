// Package e2e starts the built otelcol-pan binary with a real YAML
// configuration and talks to it with real peers over loopback.
package e2e

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// binary is the distribution under test: $OTELCOL_PAN_BIN (make test sets it)
// or bin/otelcol-pan at the repository root.
func binary(t *testing.T) string {
	t.Helper()
	p := os.Getenv("OTELCOL_PAN_BIN")
	if p == "" {
		p = filepath.Join("..", "..", "bin", "otelcol-pan")
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("the otelcol-pan binary is missing (%v): run `make test`, which builds it first", err)
	}
	return p
}

// sharedSamples is the directory of real ALS captures, or a skip.
func sharedSamples(t *testing.T) string {
	dir := filepath.Join("..", "..", "..", "shared", "testdata", "als", "skywalking")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared ALS samples not present (%v): skipping", err)
	}
	return dir
}

// freeAddr returns a loopback address that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// collector is a running otelcol-pan process.
type collector struct {
	cmd            *exec.Cmd
	stdout, stderr lockedBuffer
	exited         chan struct{}
}

// lockedBuffer collects a process's output while tests read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.b.Bytes())
}

// startCollector runs the binary with args and waits until healthURL answers
// 200 (health_check), failing with the collector's log if it does not.
func startCollector(t *testing.T, healthURL string, args ...string) *collector {
	t.Helper()
	return startCollectorEnv(t, nil, healthURL, args...)
}

// startCollectorEnv is startCollector with extra environment variables.
func startCollectorEnv(t *testing.T, env []string, healthURL string, args ...string) *collector {
	t.Helper()
	c := &collector{exited: make(chan struct{})}
	c.cmd = exec.Command(binary(t), args...)
	c.cmd.Env = append(os.Environ(), env...)
	c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
	require.NoError(t, c.cmd.Start())
	go func() { _ = c.cmd.Wait(); close(c.exited) }()
	t.Cleanup(func() { c.stop(t) })

	eventually(t, 60*time.Second, func() error {
		select {
		case <-c.exited:
			t.Fatalf("collector exited early:\n%s", c.logs())
		default:
		}
		resp, err := http.Get(healthURL)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("health %d", resp.StatusCode)
		}
		return nil
	})
	return c
}

// stop sends SIGTERM and waits for a clean exit, then kills.
func (c *collector) stop(t *testing.T) {
	select {
	case <-c.exited:
		return
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
	case <-time.After(20 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.exited
		t.Errorf("collector did not stop within 20s of SIGTERM:\n%s", c.logs())
	}
}

func (c *collector) logs() string { return string(c.stderr.Bytes()) }

// stdoutLines are the complete lines the collector printed so far.
func (c *collector) stdoutLines() []string { return completeLines(c.stdout.Bytes()) }

// eventually polls f until it returns nil or the deadline passes.
func eventually(t *testing.T, within time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(within)
	var err error
	for time.Now().Before(deadline) {
		if err = f(); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("not within %s: %v", within, err)
}

func splitLines(s string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// fileLines reads the complete lines of a file written by the collector.
func fileLines(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return completeLines(b)
}

// completeLines splits b into lines, leaving out a last line still being
// written.
func completeLines(b []byte) []string {
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[:i+1]
	} else {
		b = nil
	}
	return splitLines(string(b))
}

// writeConfig writes a collector configuration into the test's directory.
func writeConfig(t *testing.T, yaml string) string {
	p := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(p, []byte(yaml), 0o600))
	return p
}
