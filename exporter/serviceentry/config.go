package serviceentry // import "github.com/otelcol-pan/otelcol-pan/exporter/serviceentry"

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-pan/otelcol-pan/internal/glob"
	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
)

// Resolutions a ServiceEntry for a bare IP address may take.
const (
	ResolutionNone   = "NONE"
	ResolutionStatic = "STATIC"
)

// ExportToLearned in service_entries::export_to stands for the namespaces
// whose workloads used the host.
const ExportToLearned = "learned"

// Config is the serviceentry exporter's configuration.
type Config struct {
	// Directory receives serviceentries/<name>.yaml, sidecars/<namespace>.yaml
	// and report.json. The exporter owns the two subdirectories: files there
	// that it no longer emits are removed.
	Directory string `mapstructure:"directory"`
	// Interval is how often the files are rewritten (when something changed)
	// and the state persisted; they are also written at shutdown.
	Interval time.Duration `mapstructure:"interval"`
	// MeshDomains are the DNS suffixes of in-mesh services: a host inside
	// them is never learned as external.
	MeshDomains []string `mapstructure:"mesh_domains"`
	// IgnoreHosts are globs (internal/glob: paprefix's dialect; "*" also
	// spans dots) of host names never learned, e.g. "*.internal".
	IgnoreHosts []string `mapstructure:"ignore_hosts"`
	// IgnoreCIDRs are networks never learned: a record is skipped when its
	// host is an address in one of them or its original destination is.
	IgnoreCIDRs []string `mapstructure:"ignore_cidrs"`
	// MinConnections is how many connections a host needs before its
	// ServiceEntry is written; below it the host is only in the report.
	MinConnections int `mapstructure:"min_connections"`
	// Namespaces scopes learning to workloads in these namespaces; empty
	// learns from every namespace.
	Namespaces []string `mapstructure:"namespaces"`
	// MaxHosts caps the distinct hosts held (and persisted); new hosts beyond
	// it are dropped and counted.
	MaxHosts int `mapstructure:"max_hosts"`
	// MaxHostsPerWorkload caps the distinct hosts one workload may use. A
	// workload at the cap that asks for another new host is flooding: its
	// further new hosts are dropped, and hosts only flooding workloads used
	// are withheld from the ServiceEntries. 0 disables the check.
	MaxHostsPerWorkload int `mapstructure:"max_hosts_per_workload"`
	// StorageID names a storage extension (file_storage) that keeps what was
	// learned across restarts; without one it lives in memory only.
	StorageID *component.ID `mapstructure:"storage"`

	ServiceEntries ServiceEntriesConfig `mapstructure:"service_entries"`
	Sidecars       SidecarsConfig       `mapstructure:"sidecars"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// ServiceEntriesConfig shapes the ServiceEntry resources.
type ServiceEntriesConfig struct {
	// Namespace is metadata.namespace of every ServiceEntry; empty leaves it
	// to `kubectl apply -n`.
	Namespace string `mapstructure:"namespace"`
	// ExportTo is spec.exportTo: ".", "*", "~", namespace names, or "learned"
	// (the namespaces whose workloads used the host). Empty omits it.
	ExportTo []string `mapstructure:"export_to"`
	// IPResolution is the resolution of a ServiceEntry for a bare IP address:
	// NONE (traffic goes to the original destination) or STATIC (the address
	// is also the endpoint).
	IPResolution string `mapstructure:"ip_resolution"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// SidecarsConfig controls the per-namespace Sidecar resources.
type SidecarsConfig struct {
	// Enabled writes sidecars/<namespace>.yaml for every namespace that used
	// an emitted host: a Sidecar whose egress lists only those hosts.
	Enabled bool `mapstructure:"enabled"`
	// Name is metadata.name of each Sidecar. A namespace should have one
	// Sidecar without a workload selector; "default" replaces an existing one.
	Name string `mapstructure:"name"`
	// EgressHosts are kept in every Sidecar's egress besides the learned
	// hosts ("namespace/host"): in-mesh services the namespace needs.
	EgressHosts []string `mapstructure:"egress_hosts"`

	// prevent unkeyed literal initialization
	_ struct{}
}

var _ confmap.Validator = (*Config)(nil)

// Validate checks the configuration and names the offending YAML key.
func (cfg *Config) Validate() error {
	var errs error
	add := func(format string, args ...any) { errs = errors.Join(errs, fmt.Errorf(format, args...)) }
	if cfg.Directory == "" {
		add("directory: must be set")
	}
	if cfg.Interval <= 0 {
		add("interval: must be positive")
	}
	for i, d := range cfg.MeshDomains {
		if err := mesh.ValidateDomain(d); err != nil {
			add("mesh_domains[%d]: %q %v", i, d, err)
		}
	}
	for i, p := range cfg.IgnoreHosts {
		if p == "" {
			add("ignore_hosts[%d]: must not be empty", i)
		} else if _, err := glob.Compile(p); err != nil {
			add("ignore_hosts[%d]: %q is not a host glob such as *.internal: %v", i, p, err)
		}
	}
	for i, c := range cfg.IgnoreCIDRs {
		if _, err := parsePrefix(c); err != nil {
			add("ignore_cidrs[%d]: %q is not a CIDR such as 10.0.0.0/8 or an IP address", i, c)
		}
	}
	if cfg.MinConnections < 1 {
		add("min_connections: %d must be at least 1", cfg.MinConnections)
	}
	for i, ns := range cfg.Namespaces {
		if !isDNSLabel(ns) {
			add("namespaces[%d]: %q is not a Kubernetes namespace name", i, ns)
		}
	}
	if cfg.MaxHosts < 1 {
		add("max_hosts: %d must be at least 1", cfg.MaxHosts)
	}
	if cfg.MaxHostsPerWorkload < 0 {
		add("max_hosts_per_workload: %d must not be negative (0 disables it)", cfg.MaxHostsPerWorkload)
	}
	errs = errors.Join(errs, cfg.ServiceEntries.validate(), cfg.Sidecars.validate())
	return errs
}

func (c *ServiceEntriesConfig) validate() error {
	var errs error
	add := func(format string, args ...any) { errs = errors.Join(errs, fmt.Errorf(format, args...)) }
	if c.Namespace != "" && !isDNSLabel(c.Namespace) {
		add("service_entries::namespace: %q is not a Kubernetes namespace name", c.Namespace)
	}
	seen := map[string]bool{}
	for i, e := range c.ExportTo {
		switch {
		case seen[e]:
			add("service_entries::export_to[%d]: %q is listed twice", i, e)
		case (e == "*" || e == "~") && len(c.ExportTo) > 1:
			add("service_entries::export_to[%d]: %q must be the only entry", i, e)
		case e == ".", e == "*", e == "~", e == ExportToLearned, isDNSLabel(e):
		default:
			add("service_entries::export_to[%d]: %q is not \".\", \"*\", \"~\", %q or a namespace name", i, e, ExportToLearned)
		}
		seen[e] = true
	}
	switch c.IPResolution {
	case ResolutionNone, ResolutionStatic:
	default:
		add("service_entries::ip_resolution: %q is not one of NONE, STATIC", c.IPResolution)
	}
	return errs
}

func (c *SidecarsConfig) validate() error {
	var errs error
	if !c.Enabled {
		return nil
	}
	if !isDNSSubdomain(c.Name) {
		errs = errors.Join(errs, fmt.Errorf("sidecars::name: %q is not a Kubernetes object name", c.Name))
	}
	for i, h := range c.EgressHosts {
		ns, host, ok := strings.Cut(h, "/")
		if !ok || ns == "" || host == "" || strings.Contains(host, "/") {
			errs = errors.Join(errs, fmt.Errorf("sidecars::egress_hosts[%d]: %q is not namespace/host such as istio-system/*", i, h))
		}
	}
	return errs
}

// parsePrefix reads a CIDR, or a bare address as a single-address prefix.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
}
