//go:build !windows

package main

import "go.opentelemetry.io/collector/otelcol"

// run replaces ocb's main_others.go (the Makefile removes that file after
// generation) so that the embedded default configuration applies.
func run(params otelcol.CollectorSettings) error {
	return runInteractive(withDefaultConfig(params))
}
