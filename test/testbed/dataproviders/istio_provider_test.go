package dataproviders

import (
	"strconv"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/testbed/testbed"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every entry's four-tuple is unique and leads back to it: the validator
// depends on both.
func TestLookupFindsEveryEntry(t *testing.T) {
	p := NewIstioProvider(testbed.LoadOptions{ItemsPerBatch: 100}, 7)
	const n = 300_000
	for range n / 100 {
		_, done := p.GenerateLogs()
		require.False(t, done)
	}
	require.EqualValues(t, n, p.Generated())
	seen := make(map[string]uint64, n)
	kinds := map[Kind]int{}
	for id := uint64(1); id <= n; id++ {
		e := p.Entry(id)
		if prev, dup := seen[e.Key()]; dup {
			t.Fatalf("ids %d and %d share the four-tuple %s", prev, id, e.Key())
		}
		seen[e.Key()] = id
		got, ok := p.Lookup(e.SrcAddr, strconv.Itoa(e.SrcPort), e.DstAddr, strconv.Itoa(e.DstPort))
		require.True(t, ok, "id %d (%s) not found by its four-tuple", id, e.Kind)
		require.Equal(t, id, got.ID)
		kinds[e.Kind]++
	}
	assert.Len(t, kinds, len(kindNames), "every kind of traffic is generated")
	_, ok := p.Lookup("10.128.0.1", "40000", "10.0.0.1", "9080")
	assert.False(t, ok, "a four-tuple that was never generated is unknown")
}

// A batch is one pod's, as one sidecar's stream would carry it.
func TestBatchIsOnePod(t *testing.T) {
	p := NewIstioProvider(testbed.LoadOptions{ItemsPerBatch: 40}, 3)
	for b := range 6 {
		ld, _ := p.GenerateLogs()
		require.Equal(t, 1, ld.ResourceLogs().Len())
		rl := ld.ResourceLogs().At(0)
		pod, _ := rl.Resource().Attributes().Get("k8s.pod.name")
		assert.Equal(t, PodAt(b%3).Name, pod.Str())
		assert.Equal(t, 40, rl.ScopeLogs().At(0).LogRecords().Len())
	}
}
