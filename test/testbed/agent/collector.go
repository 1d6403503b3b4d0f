// Package agent runs the built otelcol-pan binary as the testbed's collector
// under test.
package agent

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/testbed/testbed"
	"github.com/shirou/gopsutil/v4/process"
)

// Binary is the distribution under test: $OTELCOL_PAN_BIN (make sets it), or
// bin/otelcol-pan at the repository root, seen from test/testbed.
func Binary() (string, error) {
	p := os.Getenv("OTELCOL_PAN_BIN")
	if p == "" {
		p = filepath.Join("..", "..", "bin", "otelcol-pan")
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(abs); err != nil {
		return "", fmt.Errorf("the otelcol-pan binary is missing (%w): run `make testbed`, which builds it first", err)
	}
	return abs, nil
}

// Collector is a testbed.OtelcolRunner for otelcol-pan: the testbed's child
// process runner, which can also be started again after a stop (the
// testbed's runs once), and which remembers a broken resource ceiling so
// that the scenario can fail on it (the testbed only logs it).
type Collector struct {
	exe    string
	env    map[string]string
	t      *testing.T
	config string

	mu       sync.Mutex
	current  testbed.OtelcolRunner
	runs     int
	previous []*testbed.ResourceConsumption
	limitErr error
}

var _ testbed.OtelcolRunner = (*Collector)(nil)

// NewCollector runs exe with the environment additions env.
func NewCollector(exe string, env map[string]string) *Collector {
	c := &Collector{exe: exe, env: env}
	c.current = c.newRunner()
	return c
}

func (c *Collector) newRunner() testbed.OtelcolRunner {
	opts := []testbed.ChildProcessOption{testbed.WithAgentExePath(c.exe)}
	for k, v := range c.env {
		opts = append(opts, testbed.WithEnvVar(k, v))
	}
	return testbed.NewChildProcessCollector(opts...)
}

// PrepareConfig writes the configuration the collector runs with.
func (c *Collector) PrepareConfig(t *testing.T, configStr string) (func(), error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t, c.config = t, configStr
	return c.current.PrepareConfig(t, configStr)
}

// Start starts the collector; after a Stop, a new process with the same
// configuration, logging to agent-<n>.log.
func (c *Collector) Start(params testbed.StartParams) error {
	c.mu.Lock()
	if c.runs > 0 {
		c.previous = append(c.previous, c.current.GetTotalConsumption())
		c.current = c.newRunner()
		if _, err := c.current.PrepareConfig(c.t, c.config); err != nil {
			c.mu.Unlock()
			return err
		}
		params.LogFilePath = strings.TrimSuffix(params.LogFilePath, ".log") + fmt.Sprintf("-%d.log", c.runs+1)
	}
	c.runs++
	r := c.current
	c.mu.Unlock()
	return r.Start(params)
}

// Stop stops the running process.
func (c *Collector) Stop() (bool, error) { return c.runner().Stop() }

// WatchResourceConsumption watches the running process, and keeps the
// error of a broken ceiling.
func (c *Collector) WatchResourceConsumption() error {
	err := c.runner().WatchResourceConsumption()
	if err != nil {
		c.mu.Lock()
		c.limitErr = err
		c.mu.Unlock()
	}
	return err
}

// LimitError is the resource ceiling the collector broke, if any.
func (c *Collector) LimitError() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.limitErr
}

// GetProcessMon is the running process's monitor.
func (c *Collector) GetProcessMon() *process.Process { return c.runner().GetProcessMon() }

// GetResourceConsumption describes the running process's current use.
func (c *Collector) GetResourceConsumption() string { return c.runner().GetResourceConsumption() }

// GetTotalConsumption covers every process the collector ran: the maxima
// over all, the averages weighted equally per process.
func (c *Collector) GetTotalConsumption() *testbed.ResourceConsumption {
	c.mu.Lock()
	all := append(append([]*testbed.ResourceConsumption(nil), c.previous...), c.current.GetTotalConsumption())
	c.mu.Unlock()
	total := *all[len(all)-1]
	var cpu float64
	var ram uint64
	for _, rc := range all {
		total.CPUPercentMax = max(total.CPUPercentMax, rc.CPUPercentMax)
		total.RAMMiBMax = max(total.RAMMiBMax, rc.RAMMiBMax)
		cpu += rc.CPUPercentAvg
		ram += uint64(rc.RAMMiBAvg)
	}
	total.CPUPercentAvg = cpu / float64(len(all))
	total.RAMMiBAvg = uint32(ram / uint64(len(all)))
	return &total
}

func (c *Collector) runner() testbed.OtelcolRunner {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.current
}
