package serviceentry // import "github.com/otelcol-pan/otelcol-pan/exporter/serviceentry"

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// stateKey is the one storage key the exporter writes: its whole state is a
// single JSON value, bounded by max_hosts.
const (
	stateKey     = "state"
	stateVersion = 1
)

type stateFile struct {
	Version int          `json:"version"`
	Hosts   []hostRecord `json:"hosts"`
	Dropped dropRecord   `json:"dropped"`
	Records recordCounts `json:"records"`
}

// storageClient gets a client from the storage extension named in the
// configuration, as exporterhelper's persistent queue does.
func storageClient(ctx context.Context, host component.Host, id component.ID, self component.ID) (storage.Client, error) {
	ext, ok := host.GetExtensions()[id]
	if !ok {
		return nil, fmt.Errorf("storage: extension %q not found (list it under service::extensions)", id)
	}
	se, ok := ext.(storage.Extension)
	if !ok {
		return nil, fmt.Errorf("storage: extension %q is not a storage extension", id)
	}
	return se.GetClient(ctx, component.KindExporter, self, "")
}

func (l *learner) marshal() ([]byte, error) {
	st := stateFile{Version: stateVersion, Dropped: l.dropRecord(), Records: l.recordCounts()}
	st.Hosts = make([]hostRecord, 0, len(l.hosts))
	for _, h := range l.sortedHosts() {
		st.Hosts = append(st.Hosts, h.record())
	}
	return json.Marshal(&st)
}

// loadState replaces the learner's content with a persisted state, under
// the current configuration: hosts it now ignores or puts in the mesh,
// and workloads outside its namespaces, are left out; if max_hosts shrank,
// the most recently seen hosts are kept and the others counted as dropped.
// It returns how many persisted hosts were left out.
func (l *learner) loadState(b []byte, m *matcher) (int, error) {
	var st stateFile
	if err := json.Unmarshal(b, &st); err != nil {
		return 0, fmt.Errorf("decoding persisted state: %w", err)
	}
	if st.Version != stateVersion {
		return 0, fmt.Errorf("persisted state has version %d, this exporter reads %d", st.Version, stateVersion)
	}
	fresh := newLearner(l.maxHosts, l.perWorkload)
	fresh.setRecordCounts(st.Records)
	fresh.dropped.MaxHosts, fresh.dropped.PerWorkload, fresh.dropped.Unattributed = st.Dropped.MaxHosts, st.Dropped.MaxHostsPerWorkload, st.Dropped.Unattributed
	for _, d := range st.Dropped.ByWorkload {
		if len(fresh.dropped.BySource) < maxDropSources {
			n := d.Dropped
			fresh.dropped.BySource[d.source] = &n
		}
	}
	for _, s := range st.Dropped.Flooding {
		fresh.flooding[s] = true
	}

	// Most recent first, so that a smaller max_hosts keeps what is current.
	slices.SortFunc(st.Hosts, func(a, b hostRecord) int { return cmp.Or(b.LastSeen.Compare(a.LastSeen), cmp.Compare(a.Host, b.Host)) })
	left := 0
	for i := range st.Hosts {
		h := hostFromRecord(&st.Hosts[i])
		if !m.keeps(h) {
			left++
			continue
		}
		if len(fresh.hosts) >= fresh.maxHosts {
			fresh.dropped.MaxHosts++
			left++
			continue
		}
		fresh.hosts[h.Name] = h
		for s := range h.Sources {
			fresh.perSource[s]++
		}
	}
	*l = *fresh
	return left, nil
}

// keeps applies the current filters to a persisted host, dropping the
// workloads now out of scope; a host left without workloads goes.
func (m *matcher) keeps(h *host) bool {
	if h.Name == "" || len(h.Ports) == 0 {
		return false
	}
	if h.Addr.IsValid() {
		if m.ignoredAddr(h.Addr) || h.Name != h.Addr.String() {
			return false
		}
	} else if !isExternalName(h.Name) || m.meshDomains.Contains(h.Name) || m.ignoredName(h.Name) {
		return false
	}
	if len(m.namespaces) > 0 {
		for s := range h.Sources {
			if !m.inScope(s.Namespace) {
				delete(h.Sources, s)
			}
		}
		if len(h.Sources) == 0 {
			return false
		}
	}
	return true
}
