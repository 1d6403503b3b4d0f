package panlogs

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/metadata"
)

// recordingLogs stands for exporterhelper's exporter: it notes each request.
type recordingLogs struct {
	component.StartFunc
	component.ShutdownFunc
	mutates bool
	sizes   []int // records per request
	bytes   []int // protobuf bytes per request
	paths   []string
}

func (r *recordingLogs) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: r.mutates}
}

func (r *recordingLogs) ConsumeLogs(_ context.Context, ld plog.Logs) error {
	r.sizes = append(r.sizes, ld.LogRecordCount())
	r.bytes = append(r.bytes, (&plog.ProtoMarshaler{}).LogsSize(ld))
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		lrs := rls.At(i).ScopeLogs().At(0).LogRecords()
		for j := 0; j < lrs.Len(); j++ {
			p, _ := lrs.At(j).Attributes().Get("url.path")
			r.paths = append(r.paths, p.Str())
		}
	}
	return nil
}

// A request larger than the queue would be refused whole (or, on disk,
// wait for ever): the splitter hands it over in pieces of at most half the
// queue, every record once and in order; small requests pass untouched.
func TestSplitterKeepsRequestsUnderTheQueue(t *testing.T) {
	for _, tt := range []struct {
		name    string
		sizer   exporterhelper.RequestSizerType
		size    int64
		mutates bool // the queue batches: records are moved, not copied
		check   func(t *testing.T, r *recordingLogs)
	}{
		{"items", exporterhelper.RequestSizerTypeItems, 1000, false, func(t *testing.T, r *recordingLogs) {
			for _, n := range r.sizes {
				assert.LessOrEqual(t, n, 500)
			}
		}},
		{"bytes", exporterhelper.RequestSizerTypeBytes, 64 << 10, false, func(t *testing.T, r *recordingLogs) {
			assert.Greater(t, len(r.bytes), 2, "split by bytes")
			for _, n := range r.bytes {
				assert.LessOrEqual(t, n, 32<<10)
			}
		}},
		{"bytes_moving", exporterhelper.RequestSizerTypeBytes, 64 << 10, true, func(t *testing.T, r *recordingLogs) {
			assert.Greater(t, len(r.bytes), 2, "split by bytes")
			for _, n := range r.bytes {
				assert.LessOrEqual(t, n, 32<<10)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q := defaultQueueConfig()
			q.Sizer, q.QueueSize = tt.sizer, tt.size
			inner := &recordingLogs{mutates: tt.mutates}
			exp := newSplitter(inner, configoptional.Some(q))
			ld := makeLogs(3000, "")
			require.NoError(t, exp.ConsumeLogs(context.Background(), ld))
			tt.check(t, inner)
			// MoveTo leaves an empty record behind.
			left := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes().Len()
			if tt.mutates {
				assert.Zero(t, left, "the queue may mutate: records are moved out")
			} else {
				assert.Positive(t, left, "the queue shares the data: records are copied")
			}
			require.Len(t, inner.paths, 3000)
			for i, p := range inner.paths {
				require.Equal(t, "/r/"+strconv.Itoa(i), p)
			}

			inner.sizes = nil
			require.NoError(t, exp.ConsumeLogs(context.Background(), makeLogs(30, "")))
			assert.Equal(t, []int{30}, inner.sizes, "an ALS message's records pass as one request")
		})
	}
	inner := &recordingLogs{}
	assert.Same(t, inner, newSplitter(inner, configoptional.None[exporterhelper.QueueBatchConfig]()), "no queue, nothing to split for")
}

// The factory's exporter is wrapped whenever its queue is on (the default).
func TestFactoryWrapsTheQueuedExporter(t *testing.T) {
	f := NewFactory()
	exp, err := f.CreateLogs(context.Background(), exportertest.NewNopSettings(metadata.Type), f.CreateDefaultConfig())
	require.NoError(t, err)
	_, ok := exp.(*splitter)
	assert.True(t, ok, "default exporter splits oversized requests")
}
