//go:build windows

package main

import (
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/otelcol"
	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
)

// run replaces ocb's main_windows.go (the Makefile removes that file after
// generation, as it does main_others.go) so that the embedded default
// configuration applies on Windows too: as a service and from a console.
func run(params otelcol.CollectorSettings) error {
	params = withDefaultConfig(params)
	// Started by the Service Control Manager, the collector runs as a
	// service; svc.Run says when it was not, and then it runs in the
	// console like on every other system.
	err := svc.Run("", otelcol.NewSvcHandler(params))
	switch {
	case errors.Is(err, windows.ERROR_FAILED_SERVICE_CONTROLLER_CONNECT):
		return runInteractive(params)
	case err != nil:
		return fmt.Errorf("running as a Windows service: %w", err)
	}
	return nil
}
