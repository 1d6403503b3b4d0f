package istionorm // import "github.com/otelcol-pan/otelcol-pan/processor/istionorm"

import (
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
)

// What becomes of a record the processor cannot read (Config.Unreadable).
const (
	UnreadablePass = "pass"
	UnreadableDrop = "drop"
)

// Config is the istionorm processor's configuration.
type Config struct {
	// MeshDomains are the DNS suffixes of services inside the mesh, as the
	// istioals receiver's: outbound traffic to any other host is egress.
	MeshDomains []string `mapstructure:"mesh_domains"`

	// Unreadable says what becomes of a record in none of the forms the
	// processor reads: "pass" (untouched, the default) or "drop" (a node
	// agent tailing ztunnel's whole log keeps only its access lines).
	// Either way it is counted.
	Unreadable string `mapstructure:"unreadable"`

	// prevent unkeyed literal initialization
	_ struct{}
}

var _ confmap.Validator = (*Config)(nil)

// Validate checks the configuration and names the offending YAML key.
func (cfg *Config) Validate() error {
	var errs error
	for i, d := range cfg.MeshDomains {
		if err := mesh.ValidateDomain(d); err != nil {
			errs = errors.Join(errs, fmt.Errorf("mesh_domains[%d]: %q %w", i, d, err))
		}
	}
	switch cfg.Unreadable {
	case UnreadablePass, UnreadableDrop:
	default:
		errs = errors.Join(errs, fmt.Errorf("unreadable: %q is neither %q nor %q", cfg.Unreadable, UnreadablePass, UnreadableDrop))
	}
	return errs
}
