package paprefix // import "github.com/otelcol-pan/otelcol-pan/processor/paprefix"

import (
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/confmap"

	pfx "github.com/otelcol-pan/otelcol-pan/internal/prefix"
)

// DefaultPrefix is the prefix when none is configured: the original Palo Alto
// Networks Istio adapter's.
const DefaultPrefix = pfx.Default

// Config is the paprefix processor's configuration.
type Config struct {
	// Prefix is written to pan.prefix on every record no rule matches. It
	// may hold %{attribute} placeholders (${...} is the collector's own
	// config expansion, so placeholders use %).
	Prefix string `mapstructure:"prefix"`

	// Rules are tried in order; the first whose match holds gives the
	// prefix.
	Rules []Rule `mapstructure:"rules"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// Rule routes the records whose attributes match to a prefix of their own.
type Rule struct {
	// Match maps attribute names (the record's, else its resource's) to the
	// value or glob each must have; all must hold. Values are `any` because
	// YAML reads `pan.egress: true` as a bool and a status code as a number.
	Match map[string]any `mapstructure:"match"`

	// Prefix is the prefix, with optional %{attribute} placeholders.
	Prefix string `mapstructure:"prefix"`

	// prevent unkeyed literal initialization
	_ struct{}
}

var _ confmap.Validator = (*Config)(nil)

// Validate compiles the templates and rules as the processor will, so that
// whatever it accepts starts, and refuses the rest naming the YAML key.
func (cfg *Config) Validate() error {
	_, err := compile(cfg)
	return err
}

// compiled is the configuration ready for the hot path.
type compiled struct {
	prefix template
	rules  []rule
	slots  attrSlots // every attribute the rules and templates read
}

func compile(cfg *Config) (compiled, error) {
	var c compiled
	var errs []error
	t, err := parseTemplate(cfg.Prefix)
	if err != nil {
		errs = append(errs, fmt.Errorf("prefix: %w", err))
	}
	c.prefix = t
	for i, r := range cfg.Rules {
		cr, err := compileRule(i, r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.rules = append(c.rules, cr)
	}
	if err := errors.Join(errs...); err != nil {
		return compiled{}, err
	}
	c.prefix.assignSlots(&c.slots)
	for i := range c.rules {
		r := &c.rules[i]
		for j := range r.conds {
			r.conds[j].slot = c.slots.add(r.conds[j].attr)
		}
		r.prefix.assignSlots(&c.slots)
	}
	return c, nil
}
