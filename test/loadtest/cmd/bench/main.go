// Command bench runs the load scenarios against the built binary and prints
// one table, then the summary line
//
//	bench: ours/baseline=R ours/ceiling=C entries_per_cpu_s=N
//	bench: ocsf/json=O
//
// computed from the same run: R and C compare entries per CPU-second of the
// collector process (ours: istioals → paprefix → panlogs json → file,
// at saturation, HTTP entries with peer metadata) with the baseline (otlp →
// batch → file exporter, fed the same records as OTLP) and the decode-only
// ALS server; O compares the ocsf format's entries per CPU-second with
// json's (both to a file, HTTP entries). -compare json,ocsf runs only the
// formats' saturation runs, back to back, -repeat times.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/otelcol-pan/otelcol-pan/test/loadtest"
)

func main() {
	collector := flag.String("collector", "bin/otelcol-pan", "the otelcol-pan binary")
	decoder := flag.String("decoder", "bin/alsdecode", "the decode-only ALS server")
	entries := flag.Int("entries", 300000, "entries per saturation run")
	streams := flag.Int("streams", 8, "concurrent ALS streams")
	batch := flag.Int("batch", 30, "entries per ALS message (Envoy flushes ~30 per 16 KiB)")
	quick := flag.Bool("quick", false, "only the three runs of the summary line")
	gates := flag.String("feature-gates", "", "collector feature gates for ours and the baseline alike")
	fanIn := flag.String("fanin", "8,64,256,1024", "stream counts of the fan-in runs (deploy/ pipeline, sustained overload); empty skips them")
	fanInFor := flag.Duration("fanin-duration", 60*time.Second, "how long each fan-in run overloads the collector")
	fanInOnly := flag.Bool("fanin-only", false, "only the fan-in runs")
	receiverExtra := flag.String("fanin-receiver", "", "istioals settings over deploy/'s for the fan-in runs, as YAML (e.g. \"{max_inflight_mib: 8}\")")
	podMiB := flag.Int64("fanin-pod-mib", 0, "fan-in runs as in a pod with this memory limit instead of deploy/'s (memory_limiter follows)")
	goMemMiB := flag.Int64("fanin-gomemlimit-mib", 0, "GOMEMLIMIT of the fan-in runs instead of deploy/'s")
	pprofAt := flag.String("fanin-pprof", "", "pprof endpoint of the fan-in collectors, for profiling them from outside")
	compare := flag.String("compare", "", "only compare panlogs formats to file, e.g. json,ocsf: their saturation runs (http, then mixed) back to back, -repeat times, and the ratios to the first")
	repeat := flag.Int("repeat", 2, "rounds of -compare")
	flag.Parse()
	fanInTmpl := loadtest.FanIn{Duration: *fanInFor, Batch: *batch, PprofEndpoint: *pprofAt, MemoryLimitMiB: *podMiB, GoMemLimitMiB: *goMemMiB, DeployDir: "deploy"}

	bins := loadtest.Bins{Collector: *collector, Decoder: *decoder}
	if *gates != "" {
		bins.CollectorArgs = []string{"--feature-gates=" + *gates}
	}
	sat := func(p, kind string) loadtest.Scenario {
		return loadtest.Scenario{Pipeline: p, Kind: kind, Entries: *entries, Streams: *streams, Batch: *batch}
	}
	fixed := func(p, kind string, rate float64) loadtest.Scenario {
		// Eight seconds at the rate: long enough for a steady state.
		return loadtest.Scenario{Pipeline: p, Kind: kind, Rate: rate, Entries: int(rate * 8), Streams: *streams, Batch: *batch}
	}
	headline := []loadtest.Scenario{sat(loadtest.OursJSONFile, "http"), sat(loadtest.Baseline, "http"), sat(loadtest.Ceiling, "http")}
	runs := headline
	if !*quick {
		runs = append(runs,
			sat(loadtest.OursJSONFile, "tcp"), sat(loadtest.OursJSONFile, "mixed"),
			sat(loadtest.OursOCSFFile, "http"), sat(loadtest.OursOCSFFile, "mixed"),
			sat(loadtest.OursCSVFile, "mixed"), sat(loadtest.OursSyslog, "mixed"),
			fixed(loadtest.OursJSONFile, "mixed", 10000), fixed(loadtest.OursJSONFile, "mixed", 25000), fixed(loadtest.OursJSONFile, "mixed", 50000),
			fixed(loadtest.OursCSVFile, "mixed", 25000), fixed(loadtest.OursSyslog, "mixed", 25000),
			fixed(loadtest.Baseline, "http", 10000),
			sat(loadtest.OTelText, "http"), sat(loadtest.OTelLabels, "http"), sat(loadtest.OTelText, "tcp"),
		)
	}

	printRow := func(sc loadtest.Scenario, r loadtest.Result) {
		rate := "max"
		if sc.Rate > 0 {
			rate = fmt.Sprintf("%.0f", sc.Rate)
		}
		alloc := "n/a"
		if r.AllocPerEntry >= 0 {
			alloc = fmt.Sprintf("%.0f", r.AllocPerEntry)
		}
		p99 := "n/a"
		if sc.Pipeline != loadtest.Ceiling {
			p99 = r.P99.Round(time.Millisecond).String()
		}
		fmt.Printf("%-22s %-6s %-8s %9d %9.0f %12.0f %8.0fM %10s %6d %8s\n",
			sc.Pipeline, sc.Kind, rate, sc.Entries, r.EntriesPerSec(), r.EntriesPerCPUSec(), float64(r.PeakRSS)/(1<<20), alloc, r.Lost, p99)
	}
	run := func(sc loadtest.Scenario) (loadtest.Result, error) {
		dir, err := os.MkdirTemp("", "otelcol-pan-bench-")
		if err != nil {
			return loadtest.Result{}, err
		}
		defer os.RemoveAll(dir)
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		return loadtest.Run(ctx, bins, sc, dir)
	}

	if *compare != "" {
		if err := runCompare(run, printRow, sat, strings.Split(*compare, ","), *repeat); err != nil {
			fatal(err)
		}
		return
	}

	if *fanInOnly {
		if failed := runFanIn(bins, *fanIn, fanInTmpl, *receiverExtra); failed {
			os.Exit(1)
		}
		return
	}

	fmt.Printf("%-22s %-6s %-8s %9s %9s %12s %9s %10s %6s %8s\n",
		"pipeline", "kind", "rate/s", "entries", "deliv/s", "entries/cpu_s", "peak_rss", "alloc_B/e", "loss", "p99")
	results := map[string]loadtest.Result{}
	failed := false
	for _, sc := range runs {
		r, err := run(sc)
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench: %s %s: %v\n", sc.Pipeline, sc.Kind, err)
			failed = true
			continue
		}
		printRow(sc, r)
		if sc.Rate == 0 {
			results[sc.Pipeline+"/"+sc.Kind] = r
		}
	}

	// Ramp: raise the offered rate in steps until the collector no longer
	// delivers it all (less than 90% of the rate over six seconds, or any loss); the last
	// step it kept up with is its sustained rate.
	if !*quick {
		sustained := 0.0
		for _, rate := range []float64{50000, 75000, 100000, 125000, 150000, 200000, 250000, 300000} {
			sc := fixed(loadtest.OursJSONFile, "mixed", rate)
			sc.Entries = int(rate * 6)
			r, err := run(sc)
			if err != nil {
				fmt.Fprintf(os.Stderr, "bench: ramp %.0f: %v\n", rate, err)
				break
			}
			printRow(sc, r)
			if r.Lost > 0 || r.EntriesPerSec() < 0.9*rate {
				break
			}
			sustained = rate
		}
		fmt.Printf("ramp: %s mixed sustained %.0f entries/s with zero loss\n", loadtest.OursJSONFile, sustained)
	}
	if *fanIn != "" && runFanIn(bins, *fanIn, fanInTmpl, *receiverExtra) {
		failed = true
	}
	ours, base, ceil := results[loadtest.OursJSONFile+"/http"], results[loadtest.Baseline+"/http"], results[loadtest.Ceiling+"/http"]
	if ours.EntriesPerCPUSec() == 0 || base.EntriesPerCPUSec() == 0 || ceil.EntriesPerCPUSec() == 0 {
		fatal(fmt.Errorf("a headline run failed"))
	}
	fmt.Printf("bench: ours/baseline=%.2f ours/ceiling=%.2f entries_per_cpu_s=%.0f\n",
		ours.EntriesPerCPUSec()/base.EntriesPerCPUSec(), ours.EntriesPerCPUSec()/ceil.EntriesPerCPUSec(), ours.EntriesPerCPUSec())
	if o, j := results[loadtest.OursOCSFFile+"/http"], results[loadtest.OursJSONFile+"/http"]; o.EntriesPerCPUSec() > 0 {
		fmt.Printf("bench: ocsf/json=%.2f (entries per CPU-second, http, same run)\n", o.EntriesPerCPUSec()/j.EntriesPerCPUSec())
	}
	if failed {
		os.Exit(1)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bench:", strings.TrimSpace(err.Error()))
	os.Exit(1)
}

// runFanIn runs the fan-in scenarios and prints their table and the ratio of
// the widest fan-in's throughput to the narrowest's; it reports whether any
// run failed or lost entries.
func runFanIn(bins loadtest.Bins, list string, tmpl loadtest.FanIn, receiverExtra string) (failed bool) {
	if err := yaml.Unmarshal([]byte(receiverExtra), &tmpl.Receiver); err != nil {
		fatal(fmt.Errorf("-fanin-receiver: %w", err))
	}
	pod := "pod settings"
	if tmpl.MemoryLimitMiB > 0 || tmpl.GoMemLimitMiB > 0 {
		pod = fmt.Sprintf("a pod limit of %d MiB and GOMEMLIMIT %d MiB (0: deploy/'s)", tmpl.MemoryLimitMiB, tmpl.GoMemLimitMiB)
	}
	fmt.Printf("\nfan-in: deploy/kubernetes pipeline and %s (without k8s_attributes; panlogs json→file), %s of overload per run\n", pod, tmpl.Duration)
	fmt.Printf("%8s %10s %10s %6s %5s %7s %8s %9s %9s %9s %13s %10s\n", "streams", "sent", "delivered", "lost", "dups", "refused", "wall", "deliv/s", "peak_rss", "peak_anon", "entries/cpu_s", "sender_cpu")
	var first, lastRate float64
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			fatal(fmt.Errorf("-fanin: %q is not a stream count", f))
		}
		dir, err := os.MkdirTemp("", "otelcol-pan-fanin-")
		if err != nil {
			fatal(err)
		}
		fi := tmpl
		fi.Streams = n
		ctx, cancel := context.WithTimeout(context.Background(), fi.Duration+5*time.Minute)
		r, err := loadtest.RunFanIn(ctx, bins, fi, dir)
		cancel()
		os.RemoveAll(dir)
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench: fan-in %d: %v\n", n, err)
			failed = true
			continue
		}
		perCPU := 0.0
		if r.CPU > 0 {
			perCPU = float64(r.Delivered) / r.CPU.Seconds()
		}
		fmt.Printf("%8d %10d %10d %6d %5d %7d %8s %9.0f %8.0fM %8.0fM %13.0f %9.0f%%\n", n, r.Sent, r.Delivered, r.Lost, r.Duplicates, r.Refused,
			r.Elapsed.Round(100*time.Millisecond), r.EntriesPerSec(), float64(r.PeakRSS)/(1<<20), float64(r.PeakAnon)/(1<<20), perCPU, 100*r.SenderCPU.Seconds()/r.Elapsed.Seconds())
		if r.Lost > 0 || r.Duplicates > 0 || r.Unknown > 0 {
			failed = true
		}
		if first == 0 {
			first = r.EntriesPerSec()
		}
		lastRate = r.EntriesPerSec()
	}
	if first > 0 {
		fmt.Printf("fan-in: widest/narrowest entries/s = %.2f\n", lastRate/first)
	}
	return failed
}

// filePipelines are the pipelines that write a panlogs format to a file.
var filePipelines = map[string]string{"json": loadtest.OursJSONFile, "pan_csv": loadtest.OursCSVFile, "ocsf": loadtest.OursOCSFFile}

// runCompare runs the formats' saturation scenarios back to back (so that
// they share the machine's state as far as it can be shared), round after
// round, and prints each format's entries per CPU-second as a ratio to the
// first format's in the same round.
func runCompare(run func(loadtest.Scenario) (loadtest.Result, error), printRow func(loadtest.Scenario, loadtest.Result),
	sat func(p, kind string) loadtest.Scenario, formats []string, rounds int,
) error {
	for _, f := range formats {
		if filePipelines[f] == "" {
			return fmt.Errorf("-compare: %q is not one of json, pan_csv, ocsf", f)
		}
	}
	fmt.Printf("%-22s %-6s %-8s %9s %9s %12s %9s %10s %6s %8s\n",
		"pipeline", "kind", "rate/s", "entries", "deliv/s", "entries/cpu_s", "peak_rss", "alloc_B/e", "loss", "p99")
	for round := 1; round <= rounds; round++ {
		for _, kind := range []string{"http", "mixed"} {
			var first float64
			for i, f := range formats {
				sc := sat(filePipelines[f], kind)
				r, err := run(sc)
				if err != nil {
					return fmt.Errorf("%s %s: %w", sc.Pipeline, kind, err)
				}
				printRow(sc, r)
				if i == 0 {
					first = r.EntriesPerCPUSec()
				} else if first > 0 {
					fmt.Printf("bench: round %d %s %s/%s=%.2f\n", round, kind, f, formats[0], r.EntriesPerCPUSec()/first)
				}
			}
		}
	}
	return nil
}
