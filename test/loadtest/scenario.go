package loadtest

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/otelcol-pan/otelcol-pan/internal/alsgen"
)

// Pipelines a scenario can measure.
const (
	OursJSONFile = "ours json→file"
	OursCSVFile  = "ours pan_csv→file"
	OursOCSFFile = "ours ocsf→file"
	OursSyslog   = "ours rfc5424→tcp"
	Baseline     = "baseline otlp→file"
	Ceiling      = "ceiling decode-only"
	// Istio's envoyOtelAls provider (Envoy's text line, or Istio's labels)
	// through the otlp receiver and istionorm to panlogs json→file.
	OTelText   = "otel text→istionorm"
	OTelLabels = "otel labels→istionorm"
)

// otlpShape is the form of the OTLP records a pipeline is sent: "" for
// none (ALS), istioals's records for the baseline, Envoy's for istionorm.
func otlpShape(pipeline string) string {
	switch pipeline {
	case Baseline:
		return otlpRecords
	case OTelText:
		return alsgen.OTLPText
	case OTelLabels:
		return alsgen.OTLPLabels
	}
	return ""
}

// Scenario is one measured run.
type Scenario struct {
	Pipeline string
	Kind     string  // http, tcp, mixed
	Rate     float64 // entries/s in all; 0 is saturation (as fast as it goes)
	Entries  int
	Streams  int
	Batch    int
}

// Result is what a run measured on the collector process.
type Result struct {
	Scenario
	Delivered     int
	Lost          int
	Duplicates    int
	Unknown       int
	Elapsed       time.Duration // first send to last delivery
	CPU           time.Duration // the collector's user+system time over Elapsed
	PeakRSS       int64
	AllocPerEntry float64 // -1 when the process reports none
	P99           time.Duration
}

// EntriesPerSec is the delivered throughput.
func (r Result) EntriesPerSec() float64 { return float64(r.Delivered) / r.Elapsed.Seconds() }

// EntriesPerCPUSec is delivered entries per CPU-second of the collector.
func (r Result) EntriesPerCPUSec() float64 {
	if r.CPU <= 0 {
		return 0
	}
	return float64(r.Delivered) / r.CPU.Seconds()
}

// Bins are the programs a run starts.
type Bins struct {
	Collector string // bin/otelcol-pan
	Decoder   string // the decode-only ALS server (ceiling)
	// CollectorArgs are extra arguments for every collector run, ours and
	// the baseline alike.
	CollectorArgs []string
}

func collectorConfig(pipeline, recvAddr, metricsAddr, out, syslogAddr string) string {
	host, port, _ := net.SplitHostPort(metricsAddr)
	telemetry := fmt.Sprintf(`
  telemetry:
    logs: {level: warn}
    metrics:
      level: normal
      readers:
        - pull:
            exporter:
              prometheus: {host: %q, port: %s}`, host, port)
	if pipeline == Baseline {
		return fmt.Sprintf(`
receivers:
  otlp:
    protocols:
      grpc: {endpoint: %q}
processors:
  batch:
exporters:
  file:
    path: %q
service:%s
  pipelines:
    logs: {receivers: [otlp], processors: [batch], exporters: [file]}
`, recvAddr, out, telemetry)
	}
	if otlpShape(pipeline) == alsgen.OTLPText || otlpShape(pipeline) == alsgen.OTLPLabels {
		return fmt.Sprintf(`
receivers:
  otlp:
    protocols:
      grpc: {endpoint: %q}
processors:
  istionorm:
  paprefix:
exporters:
  panlogs:
    format: json
    transport: file
    file: {path: %q}
service:%s
  pipelines:
    logs: {receivers: [otlp], processors: [istionorm, paprefix], exporters: [panlogs]}
`, recvAddr, out, telemetry)
	}
	exporter := fmt.Sprintf("format: json\n    transport: file\n    file: {path: %q}", out)
	switch pipeline {
	case OursCSVFile:
		exporter = fmt.Sprintf("format: pan_csv\n    transport: file\n    file: {path: %q}", out)
	case OursOCSFFile:
		exporter = fmt.Sprintf("format: ocsf\n    transport: file\n    file: {path: %q}", out)
	case OursSyslog:
		exporter = fmt.Sprintf("format: json\n    transport: syslog\n    syslog: {endpoint: %q, network: tcp, protocol: rfc5424, framing: octet_counting}", syslogAddr)
	}
	// No batch processor: panlogs batches in its own queue, as deploy/ and
	// the examples have it.
	return fmt.Sprintf(`
receivers:
  istioals:
    endpoint: %q
processors:
  paprefix:
exporters:
  panlogs:
    %s
service:%s
  pipelines:
    logs: {receivers: [istioals], processors: [paprefix], exporters: [panlogs]}
`, recvAddr, exporter, telemetry)
}

// Run measures one scenario in dir.
func Run(ctx context.Context, bins Bins, sc Scenario, dir string) (Result, error) {
	res := Result{Scenario: sc, AllocPerEntry: -1}
	corpus, err := NewCorpus(sc.Kind, sc.Streams, sc.Entries, sc.Batch, otlpShape(sc.Pipeline))
	if err != nil {
		return res, err
	}
	recvAddr, metricsAddr := FreeAddr(), FreeAddr()
	tally := newTally(corpus)
	out := filepath.Join(dir, "out.log")

	var proc *Process
	var syslog *SyslogSink
	var count func() int
	stop := make(chan struct{})
	tailDone := make(chan struct{})
	switch sc.Pipeline {
	case Ceiling:
		proc, err = Start(bins.Decoder, nil, "-listen", recvAddr, "-http", metricsAddr)
		count = func() int { return decoderCount(metricsAddr) }
		close(tailDone)
	case OursSyslog:
		if syslog, err = NewSyslogSink(tally); err != nil {
			return res, err
		}
		defer syslog.Close()
		proc, err = StartCollector(bins.Collector, dir, collectorConfig(sc.Pipeline, recvAddr, metricsAddr, out, syslog.Addr()), bins.CollectorArgs...)
		count = tally.Unique
		close(tailDone)
	default:
		proc, err = StartCollector(bins.Collector, dir, collectorConfig(sc.Pipeline, recvAddr, metricsAddr, out, ""), bins.CollectorArgs...)
		count = tally.Unique
		onLine := tally.OnPANJSONLine
		switch sc.Pipeline {
		case OursCSVFile:
			onLine = tally.OnPANCSVLine
		case OursOCSFFile:
			onLine = tally.OnOCSFLine
		case Baseline:
			onLine = tally.OnOTLPJSONLine
		}
		go func() { defer close(tailDone); TailFile(out, stop, onLine) }()
	}
	if err != nil {
		return res, err
	}
	defer func() {
		proc.Stop()
		select {
		case <-stop:
		default:
			close(stop)
		}
		<-tailDone
	}()
	if err := proc.WaitTCP(recvAddr, 30*time.Second); err != nil {
		return res, err
	}
	if sc.Pipeline != Ceiling {
		if err := proc.WaitTCP(metricsAddr, 10*time.Second); err != nil {
			return res, err
		}
	}

	cpu0, err := proc.CPU()
	if err != nil {
		return res, err
	}
	alloc0 := AllocBytes(metricsAddr)
	begin := time.Now()
	if otlpShape(sc.Pipeline) != "" {
		err = SendOTLP(ctx, recvAddr, corpus, sc.Rate)
	} else {
		err = SendALS(ctx, recvAddr, corpus, sc.Rate)
	}
	if err != nil {
		return res, fmt.Errorf("%s: sending: %w\n%s", sc.Pipeline, err, tail(proc.Log()))
	}
	awaitDelivery(count, sc.Entries, 10*time.Second, 20*time.Millisecond)
	end := time.Now()
	if ls := tally.LastSeen(); !ls.IsZero() && sc.Pipeline != Ceiling {
		end = ls
	}
	cpu1, err := proc.CPU()
	if err != nil {
		return res, err
	}
	res.PeakRSS, _ = proc.PeakRSS()
	if alloc0 >= 0 {
		if alloc1 := AllocBytes(metricsAddr); alloc1 >= 0 {
			res.AllocPerEntry = float64(alloc1-alloc0) / float64(max(count(), 1))
		}
	}
	res.Delivered = count()
	res.Lost = max(sc.Entries-res.Delivered, 0)
	res.Duplicates, res.Unknown, res.P99 = tally.Stats()
	res.Elapsed = end.Sub(begin)
	res.CPU = cpu1 - cpu0
	return res, nil
}

func decoderCount(addr string) int {
	resp, err := http.Get("http://" + addr + "/count")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

func tail(s string) string {
	if len(s) > 4000 {
		return s[len(s)-4000:]
	}
	return s
}
