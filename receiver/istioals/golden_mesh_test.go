package istioals

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-pan/otelcol-pan/internal/alsgen"
	"github.com/otelcol-pan/otelcol-pan/internal/alsmsg"
)

// meshSamples is the repository's own sample mesh traffic (testdata/als/mesh
// at the root): always present, so these goldens run on a bare clone.
var meshSamples = filepath.Join("..", "..", "testdata", "als", "mesh")

// TestGoldenMeshSamples streams each sample file through a running receiver,
// over gRPC, as alsgen -replay (and make demo) sends it, and compares the
// records of every message with testdata/golden/mesh-<file>.yaml.
func TestGoldenMeshSamples(t *testing.T) {
	files, err := alsmsg.Files(meshSamples)
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".msg")
		t.Run(name, func(t *testing.T) {
			msgs, err := alsmsg.ReadStream(f)
			require.NoError(t, err)
			checkGolden(t, "mesh-"+name, receiveStream(t, msgs))
		})
	}
}

// receiveStream sends msgs on one ALS stream to a receiver and returns what
// it handed on, one ResourceLogs per message, in order.
func receiveStream(t *testing.T, msgs []*accesslogv3.StreamAccessLogsMessage) plog.Logs {
	t.Helper()
	sink := new(consumertest.LogsSink)
	r, _ := startReceiver(t, sink, newTelemetry(t))
	res, err := alsgen.Run(context.Background(), alsgen.Options{Endpoint: r.addr.String(), Wait: 10 * time.Second},
		alsgen.ReplayStreams([][]*accesslogv3.StreamAccessLogsMessage{msgs}, 1))
	require.NoError(t, err)
	want := 0
	for _, m := range msgs {
		want += alsgen.Entries(m)
	}
	require.EqualValues(t, want, res.Entries)
	require.Equal(t, want, sink.LogRecordCount())
	out := plog.NewLogs()
	for _, ld := range sink.AllLogs() {
		ld.ResourceLogs().MoveAndAppendTo(out.ResourceLogs())
	}
	return out
}
