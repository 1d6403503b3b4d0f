// Package istionorm turns the access logs of Istio's other data paths into
// the record that receiver/istioals makes of Envoy's ALS entries: ztunnel's
// access lines (ambient mode), and the records of Istio's OpenTelemetry
// access-log provider (envoyOtelAls), with Envoy's default text line as the
// body or Istio's label names as attributes. Records already in that form
// pass untouched; records it cannot read pass untouched and are counted.
package istionorm // import "github.com/otelcol-pan/otelcol-pan/processor/istionorm"

//go:generate go tool -modfile=../../tools/go.mod mdatagen metadata.yaml
