// Package serviceentry learns the hosts outside the mesh that workloads
// reach (PassthroughCluster, outbound clusters of non-mesh hosts, and
// BlackHoleCluster denials) from access records and writes the Istio
// ServiceEntry (and optionally Sidecar) resources that declare them, plus a
// JSON report of everything learned.
package serviceentry // import "github.com/otelcol-pan/otelcol-pan/exporter/serviceentry"

//go:generate go tool -modfile=../../tools/go.mod mdatagen metadata.yaml
