// Package istioals receives Envoy access logs over gRPC (Envoy ALS v3) from Istio
// sidecars, gateways and waypoints and turns each entry into an OTel log record.
package istioals // import "github.com/otelcol-pan/otelcol-pan/receiver/istioals"

//go:generate go tool -modfile=../../tools/go.mod mdatagen metadata.yaml
