package istionorm // import "github.com/otelcol-pan/otelcol-pan/processor/istionorm"

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-pan/otelcol-pan/internal/fields"
	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
	"github.com/otelcol-pan/otelcol-pan/processor/istionorm/internal/envoytext"
	"github.com/otelcol-pan/otelcol-pan/processor/istionorm/internal/metadata"
	"github.com/otelcol-pan/otelcol-pan/processor/istionorm/internal/ztunnel"
)

// kind is what a record turned out to be.
type kind uint8

const (
	kindUnreadable kind = iota
	kindPassed          // already an envoy.access_log event
	kindZtunnel
	kindEnvoyText
	kindEnvoyLabels
	numKinds
)

// sourceNames are the values of the source attribute of the normalised
// records counter.
var sourceNames = [numKinds]string{kindZtunnel: "ztunnel", kindEnvoyText: "envoy_text", kindEnvoyLabels: "envoy_labels"}

type normalizer struct {
	domains    mesh.Domains
	drop       bool
	tel        *metadata.TelemetryBuilder
	scopeName  string
	scopeVer   string
	bySource   [numKinds]metric.AddOption
	scratchBox sync.Pool // *scratch: processLogs runs on many goroutines at once
}

func newNormalizer(cfg *Config, set processor.Settings) (*normalizer, error) {
	tel, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	n := &normalizer{
		domains:   mesh.NewDomains(cfg.MeshDomains),
		drop:      cfg.Unreadable == UnreadableDrop,
		tel:       tel,
		scopeName: metadata.ScopeName,
		scopeVer:  set.BuildInfo.Version,
	}
	for k, name := range sourceNames {
		if name != "" {
			n.bySource[k] = metric.WithAttributeSet(attribute.NewSet(attribute.String("source", name)))
		}
	}
	n.scratchBox.New = func() any { return newScratch() }
	return n, nil
}

func (n *normalizer) shutdown(context.Context) error {
	n.tel.Shutdown()
	return nil
}

// scratch is the reused working space of one processLogs call.
type scratch struct {
	line    ztunnel.Line
	entry   envoytext.Entry
	local   local        // the local side of the resource being read (Envoy records)
	res     resourceInfo // what ztunnel records keep of the resource being read
	resRead bool
	now     pcommon.Timestamp // when this call saw the batch
	remove  []bool
	// groups collect the ztunnel records of one call by the workload their
	// ztunnel logged for (the resource they move to).
	groupIndex map[groupKey]int
	groups     []plog.LogRecordSlice
	out        plog.ResourceLogsSlice
	peers      peerCache
}

// release drops every reference the scratch holds into the batch it just
// read, keeping its room: a pooled scratch must not keep a batch alive.
func (s *scratch) release() {
	clear(s.groupIndex)
	clear(s.groups[:cap(s.groups)])
	s.groups = s.groups[:0]
	s.out = plog.ResourceLogsSlice{}
	clear(s.line.Fields[:cap(s.line.Fields)])
	s.line = ztunnel.Line{Fields: s.line.Fields[:0]}
	s.entry = envoytext.Entry{}
	s.local = local{}
}

func newScratch() *scratch {
	return &scratch{groupIndex: map[groupKey]int{}, peers: peerCache{m: map[string]peerEntry{}}}
}

// processLogs normalises every record it can read, in place. ztunnel's
// records move to resources that describe the workload they were logged for
// (as a sidecar's stream does), appended after the batch's own resources;
// a resource that this leaves empty goes.
func (n *normalizer) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	s := n.scratchBox.Get().(*scratch)
	defer n.scratchBox.Put(s)
	defer s.release()
	s.out = plog.NewResourceLogsSlice()

	var counts [numKinds]int64
	s.now = pcommon.NewTimestampFromTime(time.Now())
	rls := ld.ResourceLogs()
	emptied := false
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		res := rl.Resource().Attributes()
		s.local = local{}
		s.resRead = false
		sls := rl.ScopeLogs()
		removed := false
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			s.remove = s.remove[:0]
			moved := false
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				kd, key := n.record(lr, res, s)
				counts[kd]++
				rm := false
				switch {
				case kd == kindZtunnel:
					key.resourceInfo = s.resInfo(res)
					lr.MoveTo(n.group(s, key).AppendEmpty())
					rm = true
				case kd == kindUnreadable && n.drop:
					rm = true
				}
				s.remove = append(s.remove, rm)
				moved = moved || rm
			}
			if moved {
				idx := 0
				lrs.RemoveIf(func(plog.LogRecord) bool {
					r := s.remove[idx]
					idx++
					return r
				})
				removed = true
			}
		}
		if removed {
			sls.RemoveIf(func(sl plog.ScopeLogs) bool { return sl.LogRecords().Len() == 0 })
			emptied = emptied || sls.Len() == 0
		}
	}
	if emptied {
		rls.RemoveIf(func(rl plog.ResourceLogs) bool { return rl.ScopeLogs().Len() == 0 })
	}
	s.out.MoveAndAppendTo(rls)
	n.count(ctx, &counts)
	return ld, nil
}

func (n *normalizer) count(ctx context.Context, c *[numKinds]int64) {
	if c[kindPassed] > 0 {
		n.tel.ProcessorIstionormRecordsPassed.Add(ctx, c[kindPassed])
	}
	if c[kindUnreadable] > 0 {
		n.tel.ProcessorIstionormRecordsUnreadable.Add(ctx, c[kindUnreadable])
	}
	for k := kindZtunnel; k < numKinds; k++ {
		if c[k] > 0 {
			n.tel.ProcessorIstionormRecordsNormalized.Add(ctx, c[k], n.bySource[k])
		}
	}
}

// record normalises one record in place, if it can, and says what it was;
// for a ztunnel record, key names the workload it belongs to.
func (n *normalizer) record(lr plog.LogRecord, res pcommon.Map, s *scratch) (kind, groupKey) {
	if ev := lr.EventName(); ev == fields.EventHTTP || ev == fields.EventTCP {
		return kindPassed, groupKey{}
	}
	attrs := lr.Attributes()
	if hasIstioLabels(attrs) {
		hasFlags := labelsEntry(attrs, &s.entry)
		n.envoy(lr, &s.entry, hasFlags, res, s)
		return kindEnvoyLabels, groupKey{}
	}
	body := lr.Body()
	switch body.Type() {
	case pcommon.ValueTypeStr:
		b := body.Str()
		if b == "" {
			return kindUnreadable, groupKey{}
		}
		if b[0] == '[' {
			e, err := envoytext.Parse(b)
			if err != nil {
				return kindUnreadable, groupKey{}
			}
			s.entry = e
			n.envoy(lr, &s.entry, true, res, s)
			return kindEnvoyText, groupKey{}
		}
		if s.line.Parse(b) != nil {
			return kindUnreadable, groupKey{}
		}
	case pcommon.ValueTypeMap:
		if !lineFromMap(&s.line, body.Map()) {
			return kindUnreadable, groupKey{}
		}
	default:
		return kindUnreadable, groupKey{}
	}
	if !isConnection(&s.line) {
		return kindUnreadable, groupKey{}
	}
	return kindZtunnel, n.ztunnel(lr, &s.line)
}

// group is where the ztunnel records of key go: a resource of their own in
// s.out, made the first time.
func (n *normalizer) group(s *scratch, key groupKey) plog.LogRecordSlice {
	if i, ok := s.groupIndex[key]; ok {
		return s.groups[i]
	}
	rl := s.out.AppendEmpty()
	key.put(rl.Resource().Attributes())
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(n.scopeName)
	sl.Scope().SetVersion(n.scopeVer)
	s.groupIndex[key] = len(s.groups)
	s.groups = append(s.groups, sl.LogRecords())
	return sl.LogRecords()
}

// clearBody leaves the body empty, as the receiver's records have it.
func clearBody(lr plog.LogRecord) { _ = lr.Body().FromRaw(nil) }
