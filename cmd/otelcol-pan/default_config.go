package main

import (
	_ "embed"
	"strings"

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

// argsWithDefault keeps the embedded default under --set. The collector
// replaces the configured URIs with the command line's and counts each --set
// as one of them, so `otelcol-pan --set exporters::panlogs::format=cef`
// alone would run on that one key and nothing else. With --set and no
// --config, the default is added as the first --config, and the --set
// values change it, as they change a --config file.
func argsWithDefault(args []string) []string {
	hasSet := false
	end := len(args) // flags stop at "--"
	for i, a := range args {
		if a == "--" {
			end = i
			break
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") {
			continue
		}
		switch name {
		case "config":
			return args
		case "set":
			hasSet = true
		}
	}
	if !hasSet {
		return args
	}
	out := make([]string, 0, len(args)+1)
	out = append(out, args[:end]...)
	out = append(out, "--config=yaml:"+defaultConfig)
	return append(out, args[end:]...)
}
