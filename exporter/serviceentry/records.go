package serviceentry // import "github.com/otelcol-pan/otelcol-pan/exporter/serviceentry"

import (
	"cmp"
	"slices"
	"strings"
)

// The JSON shapes below are both the persisted state and the body of the
// report, so that what survives a restart is exactly what was reported.

type portRecord struct {
	Number uint32 `json:"number"`
	// Protocol is what the ServiceEntry declares: the one protocol seen, or
	// TCP when several were (opaque TCP carries them all).
	Protocol      string   `json:"protocol"`
	ProtocolsSeen []string `json:"protocols_seen"`
	Connections   uint64   `json:"connections"`
}

type sourceRecord struct {
	source
	usage
}

type viaRecord struct {
	Passthrough uint64 `json:"passthrough,omitempty"`
	Registered  uint64 `json:"registered,omitempty"`
	BlackHole   uint64 `json:"blackhole,omitempty"`
	Other       uint64 `json:"other,omitempty"`
}

type hostRecord struct {
	Host string `json:"host"`
	// Address is set for a bare IP address (Host is then the address too).
	Address string `json:"address,omitempty"`
	usage
	Denied           uint64         `json:"denied,omitempty"`
	Via              viaRecord      `json:"via"`
	Ports            []portRecord   `json:"ports"`
	PortsDropped     uint64         `json:"ports_dropped,omitempty"`
	Workloads        []sourceRecord `json:"workloads"`
	WorkloadsDropped uint64         `json:"workloads_dropped,omitempty"`
	// Addresses are the original destinations a name was reached at.
	Addresses []string `json:"addresses,omitempty"`

	// Report only: what became of the host.
	Status       string `json:"status,omitempty"`
	Resolution   string `json:"resolution,omitempty"`
	ServiceEntry string `json:"service_entry,omitempty"`
}

type dropSourceRecord struct {
	source
	Dropped  uint64 `json:"dropped"`
	Flooding bool   `json:"flooding,omitempty"`
}

type dropRecord struct {
	MaxHosts            uint64             `json:"max_hosts"`
	MaxHostsPerWorkload uint64             `json:"max_hosts_per_workload"`
	ByWorkload          []dropSourceRecord `json:"by_workload,omitempty"`
	// Unattributed counts drops by workloads beyond the ones listed.
	Unattributed uint64 `json:"unattributed,omitempty"`
	// Flooding lists every workload over max_hosts_per_workload.
	Flooding []source `json:"flooding_workloads,omitempty"`
}

// recordCounts says what became of the records the exporter read.
type recordCounts struct {
	Learned         uint64 `json:"learned"`
	NotEgress       uint64 `json:"not_egress"`
	InMesh          uint64 `json:"in_mesh"`
	NoHost          uint64 `json:"no_host"`
	NoPort          uint64 `json:"no_port"`
	IgnoredHost     uint64 `json:"ignored_host"`
	IgnoredCIDR     uint64 `json:"ignored_cidr"`
	OutOfNamespaces uint64 `json:"out_of_namespaces"`
}

var protoNames = [...]struct {
	bit  protoSet
	name string
}{{protoTLS, "TLS"}, {protoHTTP, "HTTP"}, {protoTCP, "TCP"}}

func (p protoSet) names() []string {
	var out []string
	for _, n := range protoNames {
		if p&n.bit != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

// istio is the protocol to declare: the one seen, else TCP.
func (p protoSet) istio() string {
	for _, n := range protoNames {
		if p == n.bit {
			return n.name
		}
	}
	return "TCP"
}

func protoFromNames(names []string) protoSet {
	var p protoSet
	for _, s := range names {
		for _, n := range protoNames {
			if strings.EqualFold(s, n.name) {
				p |= n.bit
			}
		}
	}
	return p
}

func compareSource(a, b source) int {
	return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Workload, b.Workload), cmp.Compare(a.Principal, b.Principal))
}

// record renders a host, its ports by number and its workloads sorted.
func (h *host) record() hostRecord {
	r := hostRecord{
		Host:             h.Name,
		usage:            h.usage,
		Denied:           h.denied(),
		Via:              viaRecord{Passthrough: h.Via[viaPassthrough], Registered: h.Via[viaRegistered], BlackHole: h.Via[viaBlackHole], Other: h.Via[viaOther]},
		Ports:            make([]portRecord, 0, len(h.Ports)),
		PortsDropped:     h.PortsDropped,
		Workloads:        make([]sourceRecord, 0, len(h.Sources)),
		WorkloadsDropped: h.SourcesDropped,
	}
	if h.Addr.IsValid() {
		r.Address = h.Addr.String()
	}
	for n, p := range h.Ports {
		r.Ports = append(r.Ports, portRecord{Number: n, Protocol: p.Protocols.istio(), ProtocolsSeen: p.Protocols.names(), Connections: p.Connections})
	}
	slices.SortFunc(r.Ports, func(a, b portRecord) int { return cmp.Compare(a.Number, b.Number) })
	for s, u := range h.Sources {
		r.Workloads = append(r.Workloads, sourceRecord{source: s, usage: *u})
	}
	slices.SortFunc(r.Workloads, func(a, b sourceRecord) int { return compareSource(a.source, b.source) })
	for _, a := range h.Addresses {
		r.Addresses = append(r.Addresses, a.String())
	}
	return r
}

// hostFromRecord rebuilds a host from its persisted record, within the
// per-host bounds.
func hostFromRecord(r *hostRecord) *host {
	h := &host{
		Name:           r.Host,
		Addr:           addrOf(r.Address),
		usage:          r.usage,
		Ports:          make(map[uint32]*portUse, len(r.Ports)),
		PortsDropped:   r.PortsDropped,
		Sources:        make(map[source]*usage, len(r.Workloads)),
		SourcesDropped: r.WorkloadsDropped,
	}
	h.Via[viaPassthrough], h.Via[viaRegistered], h.Via[viaBlackHole], h.Via[viaOther] = r.Via.Passthrough, r.Via.Registered, r.Via.BlackHole, r.Via.Other
	for _, p := range r.Ports {
		if p.Number == 0 || p.Number > 65535 || len(h.Ports) >= maxPortsPerHost {
			continue
		}
		proto := protoFromNames(p.ProtocolsSeen)
		if proto == 0 {
			proto = protoFromNames([]string{p.Protocol})
		}
		h.Ports[p.Number] = &portUse{Protocols: proto, Connections: p.Connections}
	}
	for _, w := range r.Workloads {
		if len(h.Sources) < maxSourcesPerHost {
			u := w.usage
			h.Sources[w.source] = &u
		}
	}
	for _, s := range r.Addresses {
		if a := addrOf(s); a.IsValid() && len(h.Addresses) < maxAddressesPerHost {
			h.Addresses = append(h.Addresses, a)
		}
	}
	return h
}

func (l *learner) dropRecord() dropRecord {
	d := dropRecord{MaxHosts: l.dropped.MaxHosts, MaxHostsPerWorkload: l.dropped.PerWorkload, Unattributed: l.dropped.Unattributed}
	for s, n := range l.dropped.BySource {
		d.ByWorkload = append(d.ByWorkload, dropSourceRecord{source: s, Dropped: *n, Flooding: l.flooding[s]})
	}
	slices.SortFunc(d.ByWorkload, func(a, b dropSourceRecord) int {
		return cmp.Or(cmp.Compare(b.Dropped, a.Dropped), compareSource(a.source, b.source))
	})
	for s := range l.flooding {
		d.Flooding = append(d.Flooding, s)
	}
	slices.SortFunc(d.Flooding, compareSource)
	return d
}

func (l *learner) recordCounts() recordCounts {
	s := &l.skipped
	return recordCounts{
		Learned: s[learned], NotEgress: s[skipNotEgress], InMesh: s[skipInMesh], NoHost: s[skipNoHost], NoPort: s[skipNoPort],
		IgnoredHost: s[skipIgnoredHost], IgnoredCIDR: s[skipIgnoredCIDR], OutOfNamespaces: s[skipNamespace],
	}
}

func (l *learner) setRecordCounts(c recordCounts) {
	s := &l.skipped
	s[learned], s[skipNotEgress], s[skipInMesh], s[skipNoHost], s[skipNoPort] = c.Learned, c.NotEgress, c.InMesh, c.NoHost, c.NoPort
	s[skipIgnoredHost], s[skipIgnoredCIDR], s[skipNamespace] = c.IgnoredHost, c.IgnoredCIDR, c.OutOfNamespaces
}

// sortedHosts returns the hosts by name.
func (l *learner) sortedHosts() []*host {
	out := make([]*host, 0, len(l.hosts))
	for _, h := range l.hosts {
		out = append(out, h)
	}
	slices.SortFunc(out, func(a, b *host) int { return cmp.Compare(a.Name, b.Name) })
	return out
}
