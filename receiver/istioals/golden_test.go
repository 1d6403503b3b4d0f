package istioals

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
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

	"github.com/otelcol-pan/otelcol-pan/internal/alsmsg"
	"github.com/otelcol-pan/otelcol-pan/receiver/istioals/internal/convert"
	"github.com/otelcol-pan/otelcol-pan/receiver/istioals/internal/metadata"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden/*.yaml from the current conversion")

// sharedSamples is the directory of real ALS captures; tests that need it
// skip when the shared material is absent (a clone outside this workplace).
func sharedSamples(t testing.TB) string {
	dir := filepath.Join("..", "..", "..", "shared", "testdata", "als", "skywalking")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared ALS samples not present (%v): skipping", err)
	}
	return dir
}

// convertMessage converts msg as the first message of a stream, through the
// receiver's own converter.
func convertMessage(t testing.TB, msg *accesslogv3.StreamAccessLogsMessage) plog.Logs {
	r, err := newReceiver(createDefaultConfig().(*Config), receivertest.NewNopSettings(metadata.Type), consumertest.NewNop())
	require.NoError(t, err)
	wire, err := proto.Marshal(msg)
	require.NoError(t, err)
	var st convert.Stream
	logs, _, err := r.conv.Message(wire, &st, pcommon.NewTimestampFromTime(time.Now()))
	require.NoError(t, err)
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
	files, err := alsmsg.Files(sharedSamples(t))
	require.NoError(t, err)
	require.Len(t, files, 4)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".msg")
		t.Run(name, func(t *testing.T) {
			msg, err := alsmsg.ReadFile(f)
			require.NoError(t, err)
			checkGolden(t, "sample-"+name, convertMessage(t, msg))
		})
	}
}
