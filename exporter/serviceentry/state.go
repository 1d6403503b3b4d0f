package serviceentry // import "github.com/otelcol-pan/otelcol-pan/exporter/serviceentry"

import (
	"net/netip"
	"strings"
	"time"
)

// Bounds on what one host holds, so that memory stays proportional to
// max_hosts whatever the traffic: a port scan of one address, or a host every
// workload of a large mesh uses, is truncated and the truncation counted.
const (
	maxPortsPerHost     = 32
	maxSourcesPerHost   = 100
	maxAddressesPerHost = 8
	maxDropSources      = 100
)

// usage counts connections over time.
type usage struct {
	Connections uint64    `json:"connections"`
	FirstSeen   time.Time `json:"first_seen"`
	LastSeen    time.Time `json:"last_seen"`
}

func (u *usage) add(ts time.Time) {
	u.Connections++
	if u.FirstSeen.IsZero() || ts.Before(u.FirstSeen) {
		u.FirstSeen = ts
	}
	if ts.After(u.LastSeen) {
		u.LastSeen = ts
	}
}

// portUse is one port of a host.
type portUse struct {
	Protocols   protoSet
	Connections uint64
}

// host is everything learned about one external destination.
type host struct {
	Name string
	Addr netip.Addr // valid for a bare address
	usage
	Via            [numVia]uint64
	Ports          map[uint32]*portUse
	PortsDropped   uint64
	Sources        map[source]*usage
	SourcesDropped uint64
	Addresses      []netip.Addr // original destinations of a name
}

// dropStats counts new hosts that a cap kept out.
type dropStats struct {
	MaxHosts     uint64
	PerWorkload  uint64
	BySource     map[source]*uint64 // at most maxDropSources workloads
	Unattributed uint64             // drops by workloads beyond that bound
}

// learner is the exporter's state: bounded by max_hosts, guarded by the
// exporter's lock.
type learner struct {
	maxHosts    int
	perWorkload int // 0: unlimited

	hosts     map[string]*host
	perSource map[source]int // distinct hosts each workload used
	flooding  map[source]bool
	dropped   dropStats
	skipped   [numSkip]uint64 // records by outcome; skipped[learned] counts the learned ones

	// Since the last takeNews, for the exporter's metrics and logs.
	newHosts, newDropsMax, newDropsFlood int64
	newFlooding                          []source
	// changed is set by every learned record and cleared by a write.
	changed bool
}

func newLearner(maxHosts, perWorkload int) *learner {
	return &learner{
		maxHosts:    maxHosts,
		perWorkload: perWorkload,
		hosts:       make(map[string]*host),
		perSource:   make(map[source]int),
		flooding:    make(map[source]bool),
		dropped:     dropStats{BySource: make(map[source]*uint64)},
	}
}

// count notes a record that taught nothing. It does not mark the state
// changed: in-mesh traffic alone must not rewrite the files every interval;
// the report carries these counts as of its last write.
func (l *learner) count(r skip) {
	l.skipped[r]++
}

// add learns one observation. A new host is refused when its workload is
// flooding (over max_hosts_per_workload) or the table is full (max_hosts);
// an existing host always takes the connection.
func (l *learner) add(o *observation) {
	l.skipped[learned]++
	l.changed = true
	h := l.hosts[o.host]
	if h == nil {
		if l.perWorkload > 0 && (l.flooding[o.src] || l.perSource[o.src] >= l.perWorkload) {
			if !l.flooding[o.src] {
				src := o.src.clone()
				l.flooding[src] = true
				l.newFlooding = append(l.newFlooding, src)
			}
			l.dropped.PerWorkload++
			l.newDropsFlood++
			l.dropBy(o.src)
			return
		}
		if len(l.hosts) >= l.maxHosts {
			l.dropped.MaxHosts++
			l.newDropsMax++
			l.dropBy(o.src)
			return
		}
		h = &host{Name: strings.Clone(o.host), Addr: o.addr, Ports: make(map[uint32]*portUse, 1), Sources: make(map[source]*usage, 1)}
		l.hosts[h.Name] = h
		l.newHosts++
	}
	h.add(o.ts)
	h.Via[o.via]++
	if p := h.Ports[o.port]; p != nil {
		p.Protocols |= o.proto
		p.Connections++
	} else if len(h.Ports) < maxPortsPerHost {
		h.Ports[o.port] = &portUse{Protocols: o.proto, Connections: 1}
	} else {
		h.PortsDropped++
	}
	if s := h.Sources[o.src]; s != nil {
		s.add(o.ts)
	} else if len(h.Sources) < maxSourcesPerHost {
		// Map keys are written only here, with copies: an assignment to an
		// existing string key replaces the stored key with the new one.
		src := o.src.clone()
		s = &usage{}
		s.add(o.ts)
		h.Sources[src] = s
		l.perSource[src]++
	} else {
		h.SourcesDropped++
	}
	if !o.addr.IsValid() && o.dest.IsValid() && len(h.Addresses) < maxAddressesPerHost {
		for _, a := range h.Addresses {
			if a == o.dest {
				return
			}
		}
		h.Addresses = append(h.Addresses, o.dest)
	}
}

func (l *learner) dropBy(s source) {
	if n := l.dropped.BySource[s]; n != nil {
		*n++
		return
	}
	if len(l.dropped.BySource) < maxDropSources {
		one := uint64(1)
		l.dropped.BySource[s.clone()] = &one
		return
	}
	l.dropped.Unattributed++
}

// clone copies the strings of a source before it is kept. Records' strings
// may be views into the buffer of the message that carried them (istioals
// decodes the wire format in place): a kept view would pin that whole
// buffer for as long as the state holds the host.
func (s source) clone() source {
	return source{Namespace: strings.Clone(s.Namespace), Workload: strings.Clone(s.Workload), Principal: strings.Clone(s.Principal)}
}

// withheld reports a host that only flooding workloads used: their
// ServiceEntries are not written, whatever the count.
func (l *learner) withheld(h *host) bool {
	if len(h.Sources) == 0 || h.SourcesDropped > 0 || len(l.flooding) == 0 {
		return false
	}
	for s := range h.Sources {
		if !l.flooding[s] {
			return false
		}
	}
	return true
}

// denied is the number of the host's connections REGISTRY_ONLY refused.
func (h *host) denied() uint64 { return h.Via[viaBlackHole] }

// takeNews returns and resets the counts of new hosts, drops and flooding
// workloads since the last call, for the exporter's metrics and logs.
func (l *learner) takeNews() (hosts, dropsMax, dropsFlood int64, flooding []source) {
	hosts, dropsMax, dropsFlood, flooding = l.newHosts, l.newDropsMax, l.newDropsFlood, l.newFlooding
	l.newHosts, l.newDropsMax, l.newDropsFlood, l.newFlooding = 0, 0, 0, nil
	return
}
