// Package paprefix stamps every log record with the operator's Palo Alto
// Networks search prefix in the pan.prefix attribute: a fixed one, or one
// chosen by ordered match rules and rendered from %{attribute} templates.
package paprefix // import "github.com/otelcol-pan/otelcol-pan/processor/paprefix"

//go:generate go tool -modfile=../../tools/go.mod mdatagen metadata.yaml
