package panlogs // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs"

import (
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
)

// Formats, prefix modes and transports this exporter knows.
const (
	FormatJSON = "json"

	PrefixModeLine  = "line"
	PrefixModeField = "field"
	PrefixModeNone  = "none"

	TransportStdout = "stdout"
	TransportFile   = "file"
)

// DefaultPrefix is used when a record carries no pan.prefix.
const DefaultPrefix = "panw_istio_logs"

// Config is the panlogs exporter's configuration.
type Config struct {
	// Format is the record encoding: json.
	Format string `mapstructure:"format"`
	// PrefixMode says where the prefix goes: line ("<prefix> <record>"),
	// field (inside the record) or none.
	PrefixMode string `mapstructure:"prefix_mode"`
	// Prefix is used for records without a pan.prefix attribute.
	Prefix string `mapstructure:"prefix"`
	// Transport is where records go: stdout or file.
	Transport string `mapstructure:"transport"`
	// File configures transport: file.
	File FileConfig `mapstructure:"file"`

	TimeoutConfig exporterhelper.TimeoutConfig                             `mapstructure:",squash"`
	QueueConfig   configoptional.Optional[exporterhelper.QueueBatchConfig] `mapstructure:"sending_queue"`
	BackOffConfig configretry.BackOffConfig                                `mapstructure:"retry_on_failure"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// FileConfig configures the file transport.
type FileConfig struct {
	// Path of the file records are appended to; created if missing.
	Path string `mapstructure:"path"`

	// prevent unkeyed literal initialization
	_ struct{}
}

var _ confmap.Validator = (*Config)(nil)

// Validate checks the configuration and names the offending YAML key.
func (cfg *Config) Validate() error {
	var errs error
	switch cfg.Format {
	case FormatJSON:
	default:
		errs = errors.Join(errs, fmt.Errorf("format: %q is not one of json", cfg.Format))
	}
	switch cfg.PrefixMode {
	case PrefixModeLine, PrefixModeField, PrefixModeNone:
	default:
		errs = errors.Join(errs, fmt.Errorf("prefix_mode: %q is not one of line, field, none", cfg.PrefixMode))
	}
	if cfg.Prefix == "" && cfg.PrefixMode != PrefixModeNone {
		errs = errors.Join(errs, errors.New("prefix: must not be empty"))
	}
	if s := sanitizePrefix(cfg.Prefix); s != cfg.Prefix {
		errs = errors.Join(errs, fmt.Errorf("prefix: %q may only hold up to %d of A-Z a-z 0-9 . _ -", cfg.Prefix, maxPrefixLen))
	}
	switch cfg.Transport {
	case TransportStdout:
	case TransportFile:
		if cfg.File.Path == "" {
			errs = errors.Join(errs, errors.New("file::path: must be set for transport file"))
		}
	default:
		errs = errors.Join(errs, fmt.Errorf("transport: %q is not one of stdout, file", cfg.Transport))
	}
	return errs
}
