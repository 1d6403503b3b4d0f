//go:build windows

package main

import (
	"errors"
	"fmt"
	"os"

	"go.opentelemetry.io/collector/otelcol"
	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
)

// run replaces ocb's main_windows.go (the Makefile removes that file after
// generation, as it does main_others.go) so that the embedded default
// configuration and the stamped version apply on Windows too: as a service
// and from a console.
func run(params otelcol.CollectorSettings) error {
	os.Args = append(os.Args[:1], argsWithDefault(os.Args[1:])...)
	params = withVersion(withDefaultConfig(params))
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
