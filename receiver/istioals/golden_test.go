package istioals

import (
	"flag"
	"path/filepath"
	"testing"
	"time"

	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"google.golang.org/protobuf/proto"

	"github.com/otelcol-pan/otelcol-pan/internal/testutil"
	"github.com/otelcol-pan/otelcol-pan/receiver/istioals/internal/convert"
	"github.com/otelcol-pan/otelcol-pan/receiver/istioals/internal/metadata"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden/*.yaml from the current conversion")

// convertMessage converts msg as the first message of a stream, through the
// receiver's own converter.
func convertMessage(tb testing.TB, msg *accesslogv3.StreamAccessLogsMessage) plog.Logs {
	r, err := newReceiver(createDefaultConfig().(*Config), receivertest.NewNopSettings(metadata.Type), consumertest.NewNop())
	require.NoError(tb, err)
	wire, err := proto.Marshal(msg)
	require.NoError(tb, err)
	var st convert.Stream
	logs, _, err := r.conv.Message(wire, &st, pcommon.NewTimestampFromTime(time.Now()))
	require.NoError(tb, err)
	return logs
}

// checkGolden compares logs with testdata/golden/<name>.yaml (or rewrites it
// under -update-golden). Observed timestamps are the receipt time: ignored.
func checkGolden(t *testing.T, name string, logs plog.Logs) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".yaml")
	if *updateGolden {
		require.NoError(t, golden.WriteLogsToFile(path, logs))
	}
	want, err := golden.ReadLogs(path)
	require.NoError(t, err)
	require.NoError(t, plogtest.CompareLogs(want, logs, plogtest.IgnoreObservedTimestamp()))
}

func TestGoldenSharedSamples(t *testing.T) {
	samples := testutil.Samples(t)
	require.Len(t, samples, 4)
	for _, s := range samples {
		t.Run(s.Name, func(t *testing.T) {
			checkGolden(t, "sample-"+s.Name, convertMessage(t, s.Msg))
		})
	}
}
