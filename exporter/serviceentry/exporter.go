package serviceentry // import "github.com/otelcol-pan/otelcol-pan/exporter/serviceentry"

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-pan/otelcol-pan/exporter/serviceentry/internal/metadata"
)

type seExporter struct {
	cfg       *Config
	set       exporter.Settings
	telemetry *metadata.TelemetryBuilder
	match     *matcher

	mu     sync.Mutex // guards learner and the pending log counts
	learn  *learner
	client storage.Client // nil: state in memory only
	// Drops and flooding workloads since the last flush, for its log line.
	logDropsMax, logDropsFlood int64
	logFlooding                []source

	stop, done chan struct{}
}

func newExporter(cfg *Config, set exporter.Settings) (*seExporter, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	e := &seExporter{cfg: cfg, set: set, telemetry: tb, match: newMatcher(cfg)}
	e.learn = newLearner(cfg.MaxHosts, cfg.MaxHostsPerWorkload)
	return e, nil
}

// start loads the persisted state, makes sure the directory can be
// created (a wrong path fails the collector's start, not the first write a
// minute later) and starts the interval.
func (e *seExporter) start(ctx context.Context, host component.Host) error {
	if id := e.cfg.StorageID; id != nil {
		c, err := storageClient(ctx, host, *id, e.set.ID)
		if err != nil {
			return err
		}
		e.client = c
		if err := e.load(ctx); err != nil {
			return err
		}
	} else {
		e.set.Logger.Info("No storage configured: what is learned is lost at restart (set storage: file_storage to keep it)")
	}
	if err := os.MkdirAll(e.cfg.Directory, 0o755); err != nil { //nolint:gosec // G301: the resources are for whoever runs kubectl apply
		return err
	}
	e.stop, e.done = make(chan struct{}), make(chan struct{})
	go e.loop() //nolint:gosec // G118: the loop outlives Start, whose context ends with it; shutdown stops it
	e.set.Logger.Info("Learning egress destinations",
		zap.String("directory", e.cfg.Directory), zap.Duration("interval", e.cfg.Interval), zap.Int("hosts", len(e.learn.hosts)))
	return nil
}

func (e *seExporter) load(ctx context.Context) error {
	b, err := e.client.Get(ctx, stateKey)
	if err != nil {
		return err
	}
	if b == nil {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	left, err := e.learn.loadState(b, e.match)
	if err != nil {
		// A state this version cannot read must not keep the collector from
		// starting; it is overwritten at the next write.
		e.set.Logger.Warn("Discarding the persisted egress state", zap.Error(err))
		return nil
	}
	// Regenerate the files from what was loaded: the directory may be new.
	e.learn.changed = len(e.learn.hosts) > 0 || left > 0
	e.set.Logger.Info("Loaded the persisted egress state", zap.Int("hosts", len(e.learn.hosts)), zap.Int("left_out_by_config", left))
	return nil
}

func (e *seExporter) loop() {
	defer close(e.done)
	t := time.NewTicker(e.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			_ = e.flush(context.Background())
		case <-e.stop:
			return
		}
	}
}

// shutdown stops the interval and writes a last time.
func (e *seExporter) shutdown(ctx context.Context) error {
	defer e.telemetry.Shutdown()
	if e.stop != nil {
		close(e.stop)
		<-e.done
	}
	err := e.flush(ctx)
	if e.client != nil {
		err = errors.Join(err, e.client.Close(ctx))
	}
	return err
}

// The reasons hosts are dropped, as the hosts_dropped metric labels them.
var (
	reasonMaxHosts    = metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", "max_hosts")))
	reasonPerWorkload = metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", "max_hosts_per_workload")))
)

// consume learns from a batch under one lock; nothing here logs.
func (e *seExporter) consume(ctx context.Context, ld plog.Logs) error {
	e.mu.Lock()
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		res := rl.Resource().Attributes()
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				o, r := e.match.observe(res, lrs.At(k))
				if r != learned {
					e.learn.count(r)
					continue
				}
				e.learn.add(&o)
			}
		}
	}
	hosts, dropsMax, dropsFlood, flooding := e.learn.takeNews()
	e.logDropsMax += dropsMax
	e.logDropsFlood += dropsFlood
	e.logFlooding = append(e.logFlooding, flooding...)
	e.mu.Unlock()

	if hosts > 0 {
		e.telemetry.ExporterServiceentryHostsLearned.Add(ctx, hosts)
	}
	if dropsMax > 0 {
		e.telemetry.ExporterServiceentryHostsDropped.Add(ctx, dropsMax, reasonMaxHosts)
	}
	if dropsFlood > 0 {
		e.telemetry.ExporterServiceentryHostsDropped.Add(ctx, dropsFlood, reasonPerWorkload)
	}
	return nil
}

// flush writes the files and persists the state when anything changed.
// Rendering happens under the lock (it reads the learner); disk and storage
// I/O happen outside it.
func (e *seExporter) flush(ctx context.Context) error {
	e.mu.Lock()
	dropsMax, dropsFlood, flooding := e.logDropsMax, e.logDropsFlood, e.logFlooding
	e.logDropsMax, e.logDropsFlood, e.logFlooding = 0, 0, nil
	if !e.learn.changed {
		e.mu.Unlock()
		e.logCaps(dropsMax, dropsFlood, flooding)
		return nil
	}
	e.learn.changed = false
	files, err := e.learn.build(e.cfg, time.Now())
	var state []byte
	if err == nil && e.client != nil {
		state, err = e.learn.marshal()
	}
	e.mu.Unlock()
	e.logCaps(dropsMax, dropsFlood, flooding)

	if err == nil {
		var written map[string]int64
		written, err = files.write(e.cfg.Directory)
		for kind, n := range written {
			e.telemetry.ExporterServiceentryFilesWritten.Add(ctx, n, metric.WithAttributeSet(attribute.NewSet(attribute.String("kind", kind))))
		}
		if state != nil {
			err = errors.Join(err, e.client.Set(ctx, stateKey, state))
		}
	}
	if err != nil {
		e.mu.Lock()
		e.learn.changed = true // try again at the next interval
		e.mu.Unlock()
		e.set.Logger.Error("Writing the learned egress destinations failed", zap.String("directory", e.cfg.Directory), zap.Error(err))
	}
	return err
}

// logCaps reports, once per interval at most, the hosts a cap kept out.
func (e *seExporter) logCaps(dropsMax, dropsFlood int64, flooding []source) {
	if dropsMax == 0 && dropsFlood == 0 {
		return
	}
	names := make([]string, 0, min(len(flooding), 10))
	for _, s := range flooding[:min(len(flooding), 10)] {
		names = append(names, sourceName(s))
	}
	e.set.Logger.Warn("New egress hosts dropped by the caps; see dropped in report.json",
		zap.Int64("max_hosts", dropsMax), zap.Int64("max_hosts_per_workload", dropsFlood),
		zap.Int("new_flooding_workloads", len(flooding)), zap.String("flooding", strings.Join(names, ",")),
		zap.String("report", e.cfg.Directory+"/"+reportFile))
}
