package paprefix

import (
	"context"
	"flag"
	"path/filepath"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-pan/otelcol-pan/internal/fields"
	"github.com/otelcol-pan/otelcol-pan/processor/paprefix/internal/metadata"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden/*-expected.yaml from the processor's output")

// loadConfig reads paprefix/<id> from testdata/config.yaml as the collector
// would, Validate included.
func loadConfig(t *testing.T, id string) *Config {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(component.NewIDWithName(metadata.Type, id).String())
	require.NoError(t, err)
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg))
	require.NoError(t, confmap.Validate(cfg))
	return cfg
}

// The records of testdata/golden/input.yaml through the real processor, under
// the configurations of testdata/config.yaml, come out as
// testdata/golden/<config>-expected.yaml: pan.prefix set (or replaced) and
// nothing else touched.
func TestGolden(t *testing.T) {
	for _, id := range []string{"rules", "template", "team"} {
		t.Run(id, func(t *testing.T) {
			sink := new(consumertest.LogsSink)
			p, err := NewFactory().CreateLogs(context.Background(), processortest.NewNopSettings(metadata.Type), loadConfig(t, id), sink)
			require.NoError(t, err)
			require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
			t.Cleanup(func() { require.NoError(t, p.Shutdown(context.Background())) })

			in, err := golden.ReadLogs(filepath.Join("testdata", "golden", "input.yaml"))
			require.NoError(t, err)
			require.NoError(t, p.ConsumeLogs(context.Background(), in))
			require.Len(t, sink.AllLogs(), 1)
			got := sink.AllLogs()[0]

			path := filepath.Join("testdata", "golden", id+"-expected.yaml")
			if *updateGolden {
				require.NoError(t, golden.WriteLogsToFile(path, got))
			}
			want, err := golden.ReadLogs(path)
			require.NoError(t, err)
			require.NoError(t, plogtest.CompareLogs(want, got))

			// Apart from pan.prefix, the output is the input: a check
			// that does not trust the expected file.
			orig, err := golden.ReadLogs(filepath.Join("testdata", "golden", "input.yaml"))
			require.NoError(t, err)
			require.NoError(t, plogtest.CompareLogs(withoutPrefix(orig), withoutPrefix(got)))
		})
	}
}

// withoutPrefix is a copy of ld with every pan.prefix removed.
func withoutPrefix(ld plog.Logs) plog.Logs {
	out := plog.NewLogs()
	ld.CopyTo(out)
	for _, rl := range out.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				lr.Attributes().Remove(fields.PanPrefix)
			}
		}
	}
	return out
}
