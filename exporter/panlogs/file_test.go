package panlogs

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/exporter/exportertest"

	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/metadata"
	"github.com/otelcol-pan/otelcol-pan/internal/ocsfschema"
)

func TestFileAppendsAcrossRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "pan.log")
	cfg := createDefaultConfig().(*Config)
	cfg.Transport, cfg.File.Path = TransportFile, path
	for round := 0; round < 2; round++ {
		e, err := newExporter(cfg, exportertest.NewNopSettings(metadata.Type))
		require.NoError(t, err)
		require.NoError(t, e.start(context.Background(), componenttest.NewNopHost()))
		require.NoError(t, e.pushLogs(context.Background(), makeLogs(3, "")))
		require.NoError(t, e.shutdown(context.Background()))
		require.Error(t, e.pushLogs(context.Background(), makeLogs(1, "")), "a closed file takes no more lines")
	}
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, 6, strings.Count(string(b), "\n"), "the second start appends, never truncates")
}

func TestFileRotationKeepsWholeLines(t *testing.T) {
	dir := t.TempDir()
	cfg := createDefaultConfig().(*Config)
	cfg.Transport, cfg.File.Path = TransportFile, filepath.Join(dir, "pan.log")
	cfg.File.Rotation = configoptional.Some(RotationConfig{MaxMegabytes: 1, MaxBackups: 50})
	e := newTestExporter(t, cfg)
	// ~3 MiB in batches of 2000 records forces rotations inside batches.
	total := 0
	for i := 0; i < 15; i++ {
		require.NoError(t, e.pushLogs(context.Background(), makeLogs(2000, "")))
		total += 2000
	}
	require.NoError(t, e.shutdown(context.Background()))
	files, err := filepath.Glob(filepath.Join(dir, "pan*.log"))
	require.NoError(t, err)
	require.Greater(t, len(files), 2, "rotated")
	lines := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		require.LessOrEqual(t, len(b), 1<<20)
		require.True(t, len(b) == 0 || b[len(b)-1] == '\n', "%s ends with a whole line", f)
		for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
			require.True(t, strings.HasPrefix(l, DefaultPrefix+` {"`) && strings.HasSuffix(l, "}"), "whole line in %s: %q", f, l)
			lines++
		}
	}
	assert.Equal(t, total, lines)
}

// OCSF through the exporter: every line of a batch in the file is one
// event the OCSF 1.8.0 schema accepts, with the prefix as metadata.log_name.
func TestOCSFFileLinesAreValidEvents(t *testing.T) {
	schema, err := ocsfschema.Load()
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "mesh.ocsf")
	cfg := formatConfig(FormatOCSF, PrefixModeField)
	cfg.Transport, cfg.File.Path = TransportFile, path
	e := newTestExporter(t, cfg)
	require.NoError(t, e.pushLogs(context.Background(), benchLogs()))
	require.NoError(t, e.shutdown(context.Background()))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	require.Len(t, lines, 1000)
	for _, l := range lines {
		require.Empty(t, schema.Validate([]byte(l)), l)
		var ev struct {
			ClassUID int `json:"class_uid"`
			Metadata struct {
				LogName string `json:"log_name"`
			} `json:"metadata"`
		}
		require.NoError(t, json.Unmarshal([]byte(l), &ev))
		assert.Equal(t, 4002, ev.ClassUID)
		assert.Equal(t, "panw_istio_logs", ev.Metadata.LogName)
	}
}
