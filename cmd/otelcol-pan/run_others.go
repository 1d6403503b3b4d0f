//go:build !windows

package main

import (
	"os"

	"go.opentelemetry.io/collector/otelcol"
)

// run replaces ocb's main_others.go (the Makefile removes that file after
// generation) so that the embedded default configuration and the stamped
// version apply.
func run(params otelcol.CollectorSettings) error {
	os.Args = append(os.Args[:1], argsWithDefault(os.Args[1:])...)
	return runInteractive(withVersion(withDefaultConfig(params)))
}
