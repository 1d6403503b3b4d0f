package serviceentry // import "github.com/otelcol-pan/otelcol-pan/exporter/serviceentry"

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The output directory's layout. The two subdirectories are the exporter's:
// `kubectl apply -f <directory>/serviceentries/` applies exactly what was
// learned, and report.json stays out of kubectl's way.
const (
	serviceEntriesDir = "serviceentries"
	sidecarsDir       = "sidecars"
	reportFile        = "report.json"
)

// File kinds, the files_written metric's attribute.
const (
	kindServiceEntry = "service_entry"
	kindSidecar      = "sidecar"
	kindReport       = "report"
)

type report struct {
	GeneratedAt time.Time      `json:"generated_at"`
	Settings    reportSettings `json:"settings"`
	Summary     reportSummary  `json:"summary"`
	Hosts       []hostRecord   `json:"hosts"`
	Dropped     dropRecord     `json:"dropped"`
	Records     recordCounts   `json:"records"`
}

type reportSettings struct {
	MeshDomains         []string `json:"mesh_domains"`
	Namespaces          []string `json:"namespaces,omitempty"`
	MinConnections      int      `json:"min_connections"`
	MaxHosts            int      `json:"max_hosts"`
	MaxHostsPerWorkload int      `json:"max_hosts_per_workload"`
}

type reportSummary struct {
	Hosts               int    `json:"hosts"`
	ServiceEntries      int    `json:"service_entries"`
	Sidecars            int    `json:"sidecars"`
	BelowMinConnections int    `json:"below_min_connections"`
	WithheldFlooding    int    `json:"withheld_flooding"`
	Denied              int    `json:"denied_hosts"`
	HostsDropped        uint64 `json:"hosts_dropped"`
	FloodingWorkloads   int    `json:"flooding_workloads"`
}

// fileSet is one generation of the output: file name to content.
type fileSet struct {
	serviceEntries map[string][]byte
	sidecars       map[string][]byte
	report         []byte
}

// build renders everything learned. It holds no lock itself: the caller
// holds the exporter's.
func (l *learner) build(cfg *Config, now time.Time) (*fileSet, error) {
	out := &fileSet{serviceEntries: make(map[string][]byte), sidecars: make(map[string][]byte)}
	rep := report{
		GeneratedAt: now.UTC(),
		Settings: reportSettings{
			MeshDomains: cfg.MeshDomains, Namespaces: cfg.Namespaces, MinConnections: cfg.MinConnections,
			MaxHosts: cfg.MaxHosts, MaxHostsPerWorkload: cfg.MaxHostsPerWorkload,
		},
		Dropped: l.dropRecord(),
		Records: l.recordCounts(),
	}
	rep.Summary.HostsDropped = rep.Dropped.MaxHosts + rep.Dropped.MaxHostsPerWorkload
	rep.Summary.FloodingWorkloads = len(rep.Dropped.Flooding)
	byNamespace := map[string][]*host{}
	for _, h := range l.sortedHosts() {
		rec := h.record()
		rec.Status = l.status(h, cfg.MinConnections)
		if h.denied() > 0 {
			rep.Summary.Denied++
		}
		switch rec.Status {
		case statusEmitted:
			se, name := serviceEntryFor(h, &cfg.ServiceEntries)
			b, err := toYAML(se)
			if err != nil {
				return nil, fmt.Errorf("rendering the ServiceEntry of %s: %w", h.Name, err)
			}
			out.serviceEntries[name] = b
			rec.Resolution = se.Spec.Resolution
			rec.ServiceEntry = serviceEntriesDir + "/" + name
			for _, ns := range hostNamespaces(h) {
				byNamespace[ns] = append(byNamespace[ns], h)
			}
		case statusBelowMin:
			rep.Summary.BelowMinConnections++
		case statusWithheldFlooding:
			rep.Summary.WithheldFlooding++
		}
		rep.Hosts = append(rep.Hosts, rec)
	}
	rep.Summary.Hosts = len(rep.Hosts)
	rep.Summary.ServiceEntries = len(out.serviceEntries)
	if cfg.Sidecars.Enabled {
		for ns, hosts := range byNamespace {
			b, err := toYAML(sidecarFor(ns, hosts, cfg))
			if err != nil {
				return nil, fmt.Errorf("rendering the Sidecar of namespace %s: %w", ns, err)
			}
			out.sidecars[ns+".yaml"] = b
		}
		rep.Summary.Sidecars = len(out.sidecars)
	}
	if rep.Hosts == nil {
		rep.Hosts = []hostRecord{}
	}
	b, err := json.MarshalIndent(&rep, "", "  ")
	if err != nil {
		return nil, err
	}
	out.report = append(b, '\n')
	return out, nil
}

// write puts a generation on disk: files whose content changed are replaced
// atomically (a reader never sees half a file), files this exporter no
// longer emits are removed from its subdirectories. It returns how many
// files of each kind it wrote.
func (f *fileSet) write(dir string) (map[string]int64, error) {
	written := map[string]int64{}
	var errs error
	for _, sub := range []struct {
		name, kind string
		files      map[string][]byte
	}{{serviceEntriesDir, kindServiceEntry, f.serviceEntries}, {sidecarsDir, kindSidecar, f.sidecars}} {
		d := filepath.Join(dir, sub.name)
		if len(sub.files) > 0 {
			if err := os.MkdirAll(d, 0o755); err != nil { //nolint:gosec // G301: the resources are for whoever runs kubectl apply
				errs = errors.Join(errs, err)
				continue
			}
		}
		for name, b := range sub.files {
			w, err := writeIfChanged(filepath.Join(d, name), b)
			errs = errors.Join(errs, err)
			if w {
				written[sub.kind]++
			}
		}
		errs = errors.Join(errs, removeStale(d, sub.files))
	}
	w, err := writeIfChanged(filepath.Join(dir, reportFile), f.report)
	if w {
		written[kindReport]++
	}
	return written, errors.Join(errs, err)
}

func writeIfChanged(path string, b []byte) (bool, error) {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, b) {
		return false, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return false, err
	}
	// No fsync: the state of record is the storage extension's, and the files
	// are regenerated from it; rename alone keeps readers from torn files.
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	// World-readable: the resources are for whoever runs kubectl apply.
	if err = errors.Join(werr, cerr, os.Chmod(tmp.Name(), 0o644)); err == nil { //nolint:gosec // G302: see above
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return false, err
	}
	return true, nil
}

// removeStale deletes the .yaml files (and leftover temporary files) of dir
// that the current generation does not hold: a host now ignored, withheld or
// capped must not stay applied by the next `kubectl apply -f`.
func removeStale(dir string, keep map[string][]byte) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var errs error
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || (!strings.HasSuffix(name, ".yaml") && !strings.HasPrefix(name, ".tmp-")) {
			continue
		}
		if _, ok := keep[name]; !ok {
			errs = errors.Join(errs, os.Remove(filepath.Join(dir, name)))
		}
	}
	return errs
}
