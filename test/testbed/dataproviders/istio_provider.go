// Package dataproviders holds the testbed's Istio data provider: realistic
// sidecar access-log entries (inbound and outbound, HTTP and TCP, egress,
// denials) as the log records the istioals receiver must make of them.
package dataproviders

import (
	"strconv"
	"sync/atomic"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/testbed/testbed"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// IstioProvider generates Istio access-log entries. Each batch comes from
// one sidecar pod (the pods take turns), and entry ids are handed out in
// contiguous ranges of one batch, so an entry is a pure function of its id:
// the validator rebuilds what it expects instead of remembering what was
// sent.
type IstioProvider struct {
	pods      int
	batch     uint64
	begin     time.Time
	generated *atomic.Uint64
}

var _ testbed.DataProvider = (*IstioProvider)(nil)

// NewIstioProvider generates options.ItemsPerBatch entries a batch from pods
// sidecars (streams, for the ALS sender: two per pod, HTTP and TCP).
func NewIstioProvider(options testbed.LoadOptions, pods int) *IstioProvider {
	batch := options.ItemsPerBatch
	if batch <= 0 {
		batch = 10 // the load generator's own default
	}
	return &IstioProvider{
		pods:  max(pods, 1),
		batch: uint64(batch),
		// Entries start a minute before the run, one microsecond apart:
		// always in the past, and each start is known from the id alone.
		begin:     time.Now().Truncate(time.Second).Add(-time.Minute),
		generated: &atomic.Uint64{},
	}
}

// SetLoadGeneratorCounters shares the load generator's count of items sent.
func (p *IstioProvider) SetLoadGeneratorCounters(generated *atomic.Uint64) {
	p.generated = generated
}

// GenerateTraces: the provider only makes logs.
func (*IstioProvider) GenerateTraces() (ptrace.Traces, bool) { return ptrace.NewTraces(), true }

// GenerateMetrics: the provider only makes logs.
func (*IstioProvider) GenerateMetrics() (pmetric.Metrics, bool) { return pmetric.NewMetrics(), true }

// GenerateLogs returns the next batch: one resource (the pod), one entry per
// id of the batch.
func (p *IstioProvider) GenerateLogs() (plog.Logs, bool) {
	last := p.generated.Add(p.batch)
	first := last - p.batch + 1
	pod := p.podOf(first)

	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	putResource(rl.Resource().Attributes(), pod)
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName("otelcol-pan/test/testbed")
	lrs := sl.LogRecords()
	lrs.EnsureCapacity(int(p.batch))
	for id := first; id <= last; id++ {
		e := entryAt(id, pod, p.startOf(id))
		e.putRecord(lrs.AppendEmpty())
	}
	return ld, false
}

// Generated is how many entries the provider has handed out.
func (p *IstioProvider) Generated() uint64 { return p.generated.Load() }

// Pods is how many sidecars the entries come from.
func (p *IstioProvider) Pods() int { return p.pods }

// Entry rebuilds the entry with the given id (1 is the first).
func (p *IstioProvider) Entry(id uint64) Entry {
	return entryAt(id, p.podOf(id), p.startOf(id))
}

func (p *IstioProvider) podOf(id uint64) Pod {
	return PodAt(int(((id - 1) / p.batch) % uint64(p.pods)))
}

func (p *IstioProvider) startOf(id uint64) time.Time {
	return p.begin.Add(time.Duration(id) * time.Microsecond)
}

// Lookup finds the generated entry with the four-tuple that a panlogs record
// carries: the source port holds the id modulo the port range, and the
// address that plays the varying role (the client of an inbound entry, the
// ClusterIP or external host of an outbound one) holds the rest.
func (p *IstioProvider) Lookup(src, sport, dst, dport string) (Entry, bool) {
	port, err := strconv.Atoi(sport)
	if err != nil || port < portLow || port >= portLow+portCount {
		return Entry{}, false
	}
	block, ok := blockOf(clientIPs, src)
	if !ok {
		if block, ok = blockOf(clusterIPs, dst); !ok {
			if block, ok = blockOf(externalIPs, dst); !ok {
				return Entry{}, false
			}
		}
	}
	id := block*portCount + uint64(port-portLow)
	if id == 0 || id > p.Generated() {
		return Entry{}, false
	}
	e := p.Entry(id)
	if e.Key() != Key(src, sport, dst, dport) {
		return Entry{}, false
	}
	return e, true
}
