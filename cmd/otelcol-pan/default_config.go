package main

import (
	_ "embed"

	"go.opentelemetry.io/collector/otelcol"
)

// defaultConfig is the pipeline otelcol-pan runs when no --config is given.
//
//go:embed default_config.yaml
var defaultConfig string

// withDefaultConfig makes the embedded configuration the one used when the
// command line names none. --config replaces it, as in any collector: the
// collector's command takes the flag's URIs over these.
func withDefaultConfig(set otelcol.CollectorSettings) otelcol.CollectorSettings {
	if len(set.ConfigProviderSettings.ResolverSettings.URIs) == 0 {
		set.ConfigProviderSettings.ResolverSettings.URIs = []string{"yaml:" + defaultConfig}
	}
	return set
}
