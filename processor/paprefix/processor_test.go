package paprefix

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-pan/otelcol-pan/processor/paprefix/internal/metadata"
)

func TestEveryRecordGetsThePrefix(t *testing.T) {
	sink := new(consumertest.LogsSink)
	cfg := &Config{Prefix: "mesh-audit"}
	p, err := NewFactory().CreateLogs(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, sink)
	require.NoError(t, err)

	ld := plog.NewLogs()
	for r := 0; r < 2; r++ {
		sl := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty()
		for i := 0; i < 3; i++ {
			lr := sl.LogRecords().AppendEmpty()
			if i == 0 {
				lr.Attributes().PutStr("pan.prefix", "forged-by-producer")
			}
		}
	}
	require.NoError(t, p.ConsumeLogs(context.Background(), ld))
	require.Equal(t, 6, sink.LogRecordCount())
	got := sink.AllLogs()[0]
	for r := 0; r < got.ResourceLogs().Len(); r++ {
		lrs := got.ResourceLogs().At(r).ScopeLogs().At(0).LogRecords()
		for i := 0; i < lrs.Len(); i++ {
			v, ok := lrs.At(i).Attributes().Get("pan.prefix")
			require.True(t, ok)
			assert.Equal(t, "mesh-audit", v.Str())
		}
	}
}
