package record

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// The view remembers the last record's key order; records whose attributes
// come in another order, or with other keys, must still read every slot
// right, within a batch and across batches (the view outlives them).
func TestKeyOrderChangesWithinAndAcrossBatches(t *testing.T) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for i := 0; i < 6; i++ {
		a := lrs.AppendEmpty().Attributes()
		src, dst := "10.0.0."+strconv.Itoa(i), "10.1.0."+strconv.Itoa(i)
		switch i % 3 {
		case 0:
			a.PutStr("source.address", src)
			a.PutStr("destination.address", dst)
		case 1:
			a.PutStr("destination.address", dst)
			a.PutStr("source.address", src)
		case 2:
			a.PutStr("unrelated", "x")
			a.PutStr("destination.address", dst)
			a.PutStr("pan.rule", "r"+strconv.Itoa(i))
			a.PutStr("source.address", src)
		}
	}
	r := New()
	res := NewResource(rl.Resource().Attributes())
	for round := 0; round < 2; round++ {
		for i := 0; i < lrs.Len(); i++ {
			r.Reset(&res, lrs.At(i))
			assert.Equal(t, "10.0.0."+strconv.Itoa(i), r.Str(SrcAddr))
			assert.Equal(t, "10.1.0."+strconv.Itoa(i), r.Str(DstAddr))
			if i%3 == 2 {
				assert.Equal(t, "r"+strconv.Itoa(i), r.Str(Rule))
			} else {
				assert.False(t, r.Has(Rule), "record %d has no rule", i)
			}
		}
		r.Release()
	}
}

// Every slot has its attribute, each attribute one slot, and resource
// attributes are read from the resource only.
func TestSlotTable(t *testing.T) {
	seen := map[string]Slot{}
	for s := none + 1; s < NumSlots; s++ {
		k := Keys[s]
		assert.NotEmpty(t, k, "slot %d has no attribute", s)
		if prev, dup := seen[k]; dup {
			t.Errorf("%s is the attribute of slots %d and %d", k, prev, s)
		}
		seen[k] = s
	}

	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("k8s.pod.name", "web-1")
	rl.Resource().Attributes().PutStr("source.address", "from the resource")
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.Attributes().PutStr("k8s.pod.name", "from the record")
	lr.Attributes().PutInt("source.port", 51000)
	lr.Attributes().PutDouble("envoy.duration_ms", 12.7)
	lr.Attributes().PutBool("pan.egress", true)
	res := NewResource(rl.Resource().Attributes())
	r := New()
	r.Reset(&res, lr)
	assert.Equal(t, "web-1", r.Str(Pod))
	assert.False(t, r.Has(SrcAddr))
	port, ok := r.Int(SrcPort)
	assert.True(t, ok)
	assert.Equal(t, int64(51000), port)
	ms, ok := r.Int(DurationMs)
	assert.True(t, ok)
	assert.Equal(t, int64(12), ms)
	assert.True(t, r.IsEgress())
	assert.Equal(t, pcommon.ValueTypeEmpty, r.Get(Action).Type())

	r.Release()
	assert.False(t, r.Has(Pod), "released: nothing of the record or its resource is held")
	assert.False(t, r.Has(SrcPort))
}

func TestFacts(t *testing.T) {
	lr := plog.NewLogRecord()
	a := lr.Attributes()
	a.PutStr("envoy.upstream.cluster", "outbound|9080||details.default.svc.cluster.local")
	a.PutStr("pan.action", "reset-client")
	a.PutInt("http.request.body.size", 10)
	a.PutStr("network.protocol.name", "http")
	a.PutStr("network.protocol.version", "2")
	lr.SetTimestamp(1_000_000_000)
	a.PutInt("envoy.duration_ms", 1500)
	var res Resource
	copy(res.v[:], blank[firstResourceSlot:])
	r := New()
	r.Reset(&res, lr)
	assert.Equal(t, "details.default.svc.cluster.local", r.ClusterHost())
	assert.True(t, r.IsReset())
	assert.False(t, r.IsDenial())
	sent, recv, ok := r.BytesSentReceived()
	assert.Equal(t, []any{int64(10), int64(0), true}, []any{sent, recv, ok})
	assert.Equal(t, pcommon.Timestamp(2_500_000_000), r.TimeGenerated())
	assert.Equal(t, "http2", r.App())
	_, _, local := r.LocalPod()
	assert.False(t, local, "no sidecar resource")
}
