// Package tests runs otelcol-pan's testbed scenarios: the built binary as a
// child process, fed Envoy ALS by the load generator, its panlogs output
// received by a mock backend, checked for correctness and against its CPU
// and RAM ceilings. Results go to results/TESTRESULTS.md and
// results/benchmarks.json.
//
// Run them with `make testbed` (all) from the repository root; the
// scenarios are skipped unless RUN_TESTBED is set.
package tests

import (
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/testbed/testbed"
)

var performanceResults testbed.TestResultsSummary = &testbed.PerformanceResults{}

func TestMain(m *testing.M) {
	testbed.DoTestMain(m, performanceResults)
}
