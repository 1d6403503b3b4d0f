package main

import "go.opentelemetry.io/collector/otelcol"

// versionSuffix follows the distribution's version (dist.version in
// builder-config.yaml, which ocb writes into main.go) in what
// `otelcol-pan --version` prints and in the CEF and LEEF headers. The
// Makefile sets it with -ldflags "-X main.versionSuffix=+<commit>[.dirty]"
// unless the build is of the release tag itself, so that every binary names
// the commit it was built from. Empty (a plain `go build`): the version alone.
var versionSuffix string

func withVersion(set otelcol.CollectorSettings) otelcol.CollectorSettings {
	set.BuildInfo.Version += versionSuffix
	return set
}
