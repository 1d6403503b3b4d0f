// Package e2e starts the built otelcol-pan binary with a real YAML
// configuration and talks to it with real peers over loopback.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/otelcol-pan/otelcol-pan/internal/alsgen"
	"github.com/otelcol-pan/otelcol-pan/internal/testutil"
)

// freeAddr returns a loopback address that was free a moment ago.
func freeAddr(t *testing.T) string { return testutil.MustFreeAddr(t) }

// collector is a running otelcol-pan process.
type collector struct {
	*testutil.Process
	stdout testutil.SyncBuffer
}

// runCollector completes config with what every test needs (the
// health_check extension on a free port, the collector's own metrics off),
// writes it into the test's directory and starts the binary on it.
func runCollector(t *testing.T, config string) *collector {
	t.Helper()
	health := freeAddr(t)
	return startCollector(t, nil, "http://"+health+"/", "--config", writeConfig(t, withHealth(t, config, health)))
}

// withHealth adds the health_check extension on addr and turns the
// collector's own metrics off, unless config says otherwise.
func withHealth(t *testing.T, config, addr string) string {
	t.Helper()
	var doc map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(config), &doc), config)
	section := func(m map[string]any, key string) map[string]any {
		sub, _ := m[key].(map[string]any)
		if sub == nil {
			sub = map[string]any{}
			m[key] = sub
		}
		return sub
	}
	section(doc, "extensions")["health_check"] = map[string]any{"endpoint": addr}
	service := section(doc, "service")
	exts, _ := service["extensions"].([]any)
	service["extensions"] = append([]any{"health_check"}, exts...)
	metrics := section(section(service, "telemetry"), "metrics")
	if _, set := metrics["level"]; !set {
		metrics["level"] = "none"
	}
	b, err := yaml.Marshal(doc)
	require.NoError(t, err)
	return string(b)
}

// startCollector runs the binary with args and waits until healthURL answers
// 200 (health_check), failing with the collector's log if it does not.
func startCollector(t *testing.T, env []string, healthURL string, args ...string) *collector {
	t.Helper()
	c := &collector{}
	p, err := testutil.Start(testutil.Binary(t), env, &c.stdout, nil, args...)
	require.NoError(t, err)
	c.Process = p
	t.Cleanup(func() { c.stop(t) })

	eventually(t, 60*time.Second, func() error {
		if c.Exited() {
			t.Fatalf("collector exited early:\n%s", c.logs())
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

// stop ends the collector with SIGTERM, as Kubernetes does, and fails the
// test if it does not exit within 20 s.
func (c *collector) stop(t *testing.T) {
	if c.Stop(20 * time.Second) {
		t.Errorf("collector did not stop within 20s of SIGTERM:\n%s", c.logs())
	}
}

// stopCleanly stops the collector and requires a clean exit, without a
// panic in its log.
func (c *collector) stopCleanly(t *testing.T) {
	c.stop(t)
	require.NotContains(t, c.logs(), "panic")
	require.Zero(t, c.ExitCode(), "clean exit:\n%s", c.logs())
}

func (c *collector) logs() string { return c.Log() }

// stdoutLines are the complete lines the collector printed so far.
func (c *collector) stdoutLines() []string { return completeLines(c.stdout.Bytes()) }

// otelcolPan runs the binary with args (validate, components) and returns
// what it printed.
func otelcolPan(t *testing.T, args ...string) (string, error) {
	t.Helper()
	return testutil.Output(testutil.Binary(t), args...)
}

// send streams ALS traffic to the receiver at addr, at rate entries/s in all
// (0: as fast as it takes them), waiting up to 10 s for it to listen.
func send(t *testing.T, addr string, rate float64, streams []alsgen.Stream) alsgen.Result {
	t.Helper()
	res, err := alsgen.Run(context.Background(), alsgen.Options{Endpoint: addr, Wait: 10 * time.Second, Rate: rate}, streams)
	require.NoError(t, err)
	return res
}

// waitLines waits up to 30 s for at least n complete lines in the file at
// path (stdout when path is empty), failing with the collector's log, and
// returns them.
func (c *collector) waitLines(t *testing.T, path string, n int) []string {
	t.Helper()
	lines := func() []string {
		if path == "" {
			return c.stdoutLines()
		}
		return fileLines(path)
	}
	eventually(t, 30*time.Second, func() error {
		if got := len(lines()); got < n {
			return fmt.Errorf("%d of %d lines in %q; collector log:\n%s", got, n, path, c.logs())
		}
		return nil
	})
	return lines()
}

// stopWithLines waits for n lines (waitLines), stops the collector, and
// requires that it wrote exactly n: no more and no fewer.
func (c *collector) stopWithLines(t *testing.T, path string, n int) []string {
	t.Helper()
	c.waitLines(t, path, n)
	c.stop(t)
	lines := c.waitLines(t, path, n)
	require.Len(t, lines, n, "no more and no fewer lines than records")
	return lines
}

// prefixedRecord splits a "<prefix> <json>" line and decodes the record into
// rec (numbers as json.Number); it returns the prefix.
func prefixedRecord(t *testing.T, line string, rec any) string {
	t.Helper()
	prefix, body, ok := strings.Cut(line, " ")
	require.True(t, ok, line)
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	require.NoError(t, dec.Decode(rec), line)
	return prefix
}

// tempPath is a path named name in a directory of the test's own.
func tempPath(t *testing.T, name string) string { return filepath.Join(t.TempDir(), name) }

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
