package paprefix // import "github.com/otelcol-pan/otelcol-pan/processor/paprefix"

import (
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/confmap"
)

// DefaultPrefix is the original Palo Alto Networks Istio adapter's log prefix.
const DefaultPrefix = "panw_istio_logs"

// maxPrefixLen is the longest prefix: RFC 5424's APP-NAME, which the syslog
// transport fills with it.
const maxPrefixLen = 48

// Config is the paprefix processor's configuration.
type Config struct {
	// Prefix is written to pan.prefix on every record.
	Prefix string `mapstructure:"prefix"`

	// prevent unkeyed literal initialization
	_ struct{}
}

var _ confmap.Validator = (*Config)(nil)

// Validate refuses a prefix that a downstream parser could not take as is.
func (cfg *Config) Validate() error {
	if cfg.Prefix == "" {
		return errors.New("prefix: must not be empty")
	}
	if len(cfg.Prefix) > maxPrefixLen {
		return fmt.Errorf("prefix: %q is longer than %d bytes", cfg.Prefix, maxPrefixLen)
	}
	for i := 0; i < len(cfg.Prefix); i++ {
		if !prefixByte(cfg.Prefix[i]) {
			return fmt.Errorf("prefix: %q may only hold A-Z a-z 0-9 . _ - (byte %d is %q)", cfg.Prefix, i, cfg.Prefix[i])
		}
	}
	return nil
}

// prefixByte reports whether b may appear in a rendered prefix.
func prefixByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '.' || b == '_' || b == '-'
}
