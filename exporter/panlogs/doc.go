// Package panlogs writes log records as Palo Alto Networks-ready security logs.
package panlogs // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs"

//go:generate go tool -modfile=../../tools/go.mod mdatagen metadata.yaml
