package tests

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/testbed/testbed"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-pan/otelcol-pan/test/testbed/agent"
	"github.com/otelcol-pan/otelcol-pan/test/testbed/dataproviders"
	"github.com/otelcol-pan/otelcol-pan/test/testbed/datareceivers"
	"github.com/otelcol-pan/otelcol-pan/test/testbed/datasenders"
	"github.com/otelcol-pan/otelcol-pan/test/testbed/panlines"
	"github.com/otelcol-pan/otelcol-pan/test/testbed/validators"
)

// The transports of the panlogs exporter the scenarios drive.
const (
	syslogTransport = "syslog"
	httpTransport   = "http"
)

// memoryLimiter heads the pipeline, as in the distribution's default; the
// default has no batch processor either: the exporter's queue batches.
const memoryLimiter = `
  memory_limiter:
    check_interval: 1s
    limit_mib: 512
    spike_limit_mib: 128
`

// component is a processor or extension: its name and its YAML section
// (indented two spaces).
type component struct{ name, body string }

// run is one scenario's moving parts.
type run struct {
	t         *testing.T
	provider  *dataproviders.IstioProvider
	sender    *datasenders.ALSSender
	receiver  datareceivers.Outage
	validator *validators.Correctness
	collector *agent.Collector
	tc        *testbed.TestCase
	options   testbed.LoadOptions
}

// setup is what a scenario varies.
type setup struct {
	// format is panlogs' format, json (the one that writes the most
	// fields) when empty; transport is syslogTransport or httpTransport.
	format, transport string
	options           testbed.LoadOptions
	pods              int
	limits            testbed.ResourceSpec
	// processors are the pipeline's, in order; nil means memory_limiter
	// and paprefix.
	processors []component
	// exporterSettings (YAML under the exporter, indented four spaces) and
	// extensions go into the collector's config.
	exporterSettings string
	extensions       []component
}

// newRun wires the provider, the ALS sender, a panlogs receiver with the
// correctness validator watching it, and otelcol-pan, and registers the
// test case's stop (which writes the results row).
func newRun(t *testing.T, s setup) *run {
	exe, err := agent.Binary()
	require.NoError(t, err)

	if s.format == "" {
		s.format = panlines.FormatJSON
	}
	r := &run{t: t, options: s.options}
	r.provider = dataproviders.NewIstioProvider(s.options, s.pods)
	r.sender = datasenders.NewALSSender(testbed.DefaultHost, freePort(t))
	r.validator = validators.NewCorrectness(t, r.provider, s.format, s.transport == syslogTransport)
	var receiver datareceivers.Receiver
	switch s.transport {
	case syslogTransport:
		receiver = datareceivers.NewSyslogReceiver(freePort(t), s.format)
	case httpTransport:
		receiver = datareceivers.NewHTTPReceiver(freePort(t), s.format)
	default:
		t.Fatalf("unknown transport %q", s.transport)
	}
	receiver.Observe(r.validator.Observe)
	receiver.AddExporterSettings(s.exporterSettings)
	r.receiver = receiver
	r.collector = agent.NewCollector(exe, map[string]string{"GOMAXPROCS": "2"})

	processors := s.processors
	if processors == nil {
		processors = []component{{"memory_limiter", memoryLimiter}, {"paprefix", validators.PrefixProcessor}}
	}
	cleanup, err := r.collector.PrepareConfig(t, collectorConfig(r.sender, r.receiver, processors, s.extensions))
	require.NoError(t, err)
	t.Cleanup(cleanup)

	r.tc = testbed.NewTestCase(t, r.provider, r.sender, r.receiver, r.collector, r.validator, performanceResults,
		testbed.WithResourceLimits(s.limits))
	t.Cleanup(r.tc.Stop)
	return r
}

// collectorConfig is otelcol-pan's configuration: the sender's receiver,
// the processors, the receiver's exporter, in one logs pipeline. The
// collector's own metrics are off: they are not under test, and their
// fixed port could clash with another collector on the machine.
func collectorConfig(sender testbed.DataSender, receiver testbed.DataReceiver, processors, extensions []component) string {
	names, bodies := split(processors)
	extNames, extBodies := split(extensions)
	return fmt.Sprintf(`
receivers:%s
processors:%s
exporters:%s
extensions:%s
service:
  extensions: [%s]
  telemetry:
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [%s]
      processors: [%s]
      exporters: [%s]
`, sender.GenConfigYAMLStr(), bodies, receiver.GenConfigYAMLStr(), extBodies,
		extNames, sender.ProtocolName(), names, receiver.ProtocolName())
}

// split lists the components' names for a pipeline and joins their sections.
func split(cs []component) (names, bodies string) {
	n := make([]string, len(cs))
	var b strings.Builder
	for i, c := range cs {
		n[i] = c.name
		b.WriteString(c.body)
	}
	return strings.Join(n, ", "), b.String()
}

// freePort is a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// sent and received are the load generator's and the mock backend's counts.
func (r *run) sent() uint64     { return r.tc.LoadGenerator.DataItemsSent() }
func (r *run) received() uint64 { return r.tc.MockBackend.DataItemsReceived() }

// waitFor polls cond until it holds, failing the scenario after within (or
// at once when the testbed has already signalled an error, such as a broken
// resource ceiling).
func (r *run) waitFor(within time.Duration, what string, cond func() bool) {
	r.t.Helper()
	if !r.tc.WaitForN(cond, within, what) {
		r.failOnLimit()
		r.t.Fatalf("not within %s: %s (sent %d, received %d)", within, what, r.sent(), r.received())
	}
}

// failOnLimit fails the scenario if the collector broke its CPU or RAM
// ceiling: the testbed stops the collector then, but only logs why.
func (r *run) failOnLimit() {
	r.t.Helper()
	if err := r.collector.LimitError(); err != nil {
		r.t.Fatalf("otelcol-pan broke its resource ceiling: %v", err)
	}
}

// start starts the backend, the collector and the load.
func (r *run) start() {
	r.tc.StartBackend()
	r.tc.StartAgent()
	r.tc.StartLoad(r.options)
	r.waitFor(10*time.Second, "the load generator to start", func() bool { return r.sent() > 0 })
}

// drain stops the load (the ALS streams end, so the collector has read
// every entry) and waits until the backend holds every entry.
func (r *run) drain(within time.Duration) {
	r.tc.StopLoad()
	r.awaitAll(within)
}

// awaitAll waits until the backend holds as many records as were sent; the
// validator then says whether they are the right ones. When they do not
// all come, it says which are missing.
func (r *run) awaitAll(within time.Duration) {
	r.t.Helper()
	if r.tc.WaitForN(func() bool { return r.received() >= r.sent() }, within, "every entry in the backend") {
		return
	}
	r.failOnLimit()
	r.t.Errorf("not within %s: every entry in the backend (sent %d, received %d)", within, r.sent(), r.received())
	// The testbed skips validation once it has signalled an error, so ask
	// the validator directly which entries are missing.
	r.validator.Validate(r.tc)
	r.t.FailNow()
}

// finish validates the data and checks the ceilings.
func (r *run) finish() {
	r.failOnLimit()
	r.tc.ValidateData()
}
