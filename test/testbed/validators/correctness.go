// Package validators holds the testbed's correctness validator for
// otelcol-pan: every generated Istio entry must reach the backend exactly
// once, with every field its format writes mapped right.
package validators

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/testbed/testbed"
	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-pan/otelcol-pan/test/testbed/dataproviders"
	"github.com/otelcol-pan/otelcol-pan/test/testbed/panlines"
)

// maxExamples bounds the problem lines kept for the report.
const maxExamples = 20

// Correctness is a testbed.TestCaseValidator. It sees the backend's records
// as they arrive (Observe, given to the data receiver) and keeps only a
// count per entry id and the problems, so that a run of a million entries
// costs a megabyte, not the records.
type Correctness struct {
	t        *testing.T
	provider *dataproviders.IstioProvider
	format   string
	carried  []string

	mu          sync.Mutex
	counts      []uint8 // by entry id: how often it arrived (saturating)
	records     int
	parseErrors int
	unknown     int
	mismatches  map[string]int // field → records where it was wrong
	examples    []string
}

var _ testbed.TestCaseValidator = (*Correctness)(nil)

// NewCorrectness validates records in the given panlogs format, with the
// syslog header fields when they came over syslog. The testbed's TestCase
// keeps its *testing.T to itself, so the validator gets the test's own.
func NewCorrectness(t *testing.T, provider *dataproviders.IstioProvider, format string, syslog bool) *Correctness {
	carried := append([]string(nil), panlines.Carried[format]...)
	if syslog {
		carried = append(carried, panlines.SyslogCarried...)
	}
	return &Correctness{t: t, provider: provider, format: format, carried: carried, mismatches: map[string]int{}}
}

// Observe checks one batch of the backend's records.
func (v *Correctness) Observe(ld plog.Logs) {
	v.mu.Lock()
	defer v.mu.Unlock()
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		sls := rls.At(i).ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				v.check(lrs.At(k))
			}
		}
	}
}

func (v *Correctness) check(lr plog.LogRecord) {
	v.records++
	a := lr.Attributes()
	if why, bad := a.Get(panlines.ParseError); bad {
		v.parseErrors++
		v.example("unreadable line (%s): %s", why.Str(), lr.Body().Str())
		return
	}
	get := func(k string) string {
		if val, ok := a.Get(k); ok {
			return val.Str()
		}
		return ""
	}
	e, ok := v.provider.Lookup(get(panlines.Src), get(panlines.SrcPort), get(panlines.Dst), get(panlines.DstPort))
	if !ok {
		v.unknown++
		v.example("a record that was never generated: %s", lr.Body().Str())
		return
	}
	for uint64(len(v.counts)) <= e.ID {
		v.counts = append(v.counts, make([]uint8, len(v.counts)+1024)...)
	}
	if v.counts[e.ID] < 255 {
		v.counts[e.ID]++
	}
	want := expectedIn(v.format, &e)
	for _, k := range v.carried {
		w, wok := want[k]
		g, gok := a.Get(k)
		switch {
		case wok && !gok:
			v.mismatch(k, "entry %d (%s): %s missing, want %q: %s", e.ID, e.Kind, k, w, lr.Body().Str())
		case !wok && gok:
			v.mismatch(k, "entry %d (%s): %s is %q, want none: %s", e.ID, e.Kind, k, g.Str(), lr.Body().Str())
		case wok && g.Str() != w:
			v.mismatch(k, "entry %d (%s): %s is %q, want %q: %s", e.ID, e.Kind, k, g.Str(), w, lr.Body().Str())
		}
	}
}

func (v *Correctness) mismatch(field, format string, args ...any) {
	v.mismatches[field]++
	if v.mismatches[field] <= 3 {
		v.example(format, args...)
	}
}

func (v *Correctness) example(format string, args ...any) {
	if len(v.examples) < maxExamples {
		v.examples = append(v.examples, fmt.Sprintf(format, args...))
	}
}

// Unique counts the generated entries that arrived at least once.
func (v *Correctness) Unique() uint64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	n := uint64(0)
	for _, c := range v.counts {
		if c > 0 {
			n++
		}
	}
	return n
}

// Validate fails the test unless every entry the load generator sent
// arrived exactly once and every record matched its entry.
func (v *Correctness) Validate(tc *testbed.TestCase) {
	sent := tc.LoadGenerator.DataItemsSent()
	v.mu.Lock()
	defer v.mu.Unlock()
	var missing, duplicates uint64
	var firstMissing []string
	for id := uint64(1); id <= sent; id++ {
		var c uint8
		if id < uint64(len(v.counts)) {
			c = v.counts[id]
		}
		switch {
		case c == 0:
			missing++
			if len(firstMissing) < 10 {
				e := v.provider.Entry(id)
				firstMissing = append(firstMissing, fmt.Sprintf("%d (%s %s)", id, e.Kind, e.Key()))
			}
		case c > 1:
			duplicates += uint64(c - 1)
		}
	}
	report := v.report(sent, missing, duplicates, firstMissing)
	_ = os.WriteFile(tc.ComposeTestResultFileName("correctness.txt"), []byte(report), 0o600)

	t := v.t
	assert.NotZero(t, sent, "the load generator sent nothing")
	assert.Zero(t, missing, "entries lost, first: %s", strings.Join(firstMissing, ", "))
	assert.Zero(t, duplicates, "entries delivered more than once")
	assert.Zero(t, v.unknown, "records that match no generated entry")
	assert.Zero(t, v.parseErrors, "lines the backend could not parse")
	assert.Empty(t, v.mismatches, "fields mapped wrong (records per field)")
	assert.Equal(t, int64(sent), int64(tc.MockBackend.DataItemsReceived()), "records in the backend")
	if t.Failed() && len(v.examples) > 0 {
		t.Logf("first problems:\n%s", strings.Join(v.examples, "\n"))
	}
}

func (v *Correctness) report(sent, missing, duplicates uint64, firstMissing []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "sent %d, records received %d, lost %d, duplicates %d, unknown %d, unparsable %d\n",
		sent, v.records, missing, duplicates, v.unknown, v.parseErrors)
	fields := make([]string, 0, len(v.mismatches))
	for f := range v.mismatches {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	for _, f := range fields {
		fmt.Fprintf(&b, "field %s wrong in %d records\n", f, v.mismatches[f])
	}
	if len(firstMissing) > 0 {
		fmt.Fprintf(&b, "first lost: %s\n", strings.Join(firstMissing, ", "))
	}
	for _, ex := range v.examples {
		fmt.Fprintln(&b, ex)
	}
	return b.String()
}

// RecordResults writes the scenario's row of TESTRESULTS.md: the testbed's
// performance row (CPU, RAM, sent, received), PASS or FAIL from the test.
func (*Correctness) RecordResults(tc *testbed.TestCase) {
	(&testbed.PerfTestValidator{IncludeLimitsInReport: true}).RecordResults(tc)
}
