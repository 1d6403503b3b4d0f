package panlogs

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	tests := []struct {
		id      string
		check   func(t *testing.T, c *Config)
		wantErr string
	}{
		{id: "", check: func(t *testing.T, c *Config) {
			assert.Equal(t, createDefaultConfig(), c)
		}},
		{id: "file", check: func(t *testing.T, c *Config) {
			assert.Equal(t, PrefixModeField, c.PrefixMode)
			assert.Equal(t, "mesh-audit", c.Prefix)
			assert.Equal(t, TransportFile, c.Transport)
			assert.Equal(t, "/var/log/pan/mesh.log", c.File.Path)
			assert.False(t, c.QueueConfig.HasValue())
		}},
		{id: "bad_format", wantErr: `format: "xml" is not one of json`},
		{id: "bad_mode", wantErr: `prefix_mode: "both" is not one of line, field, none`},
		{id: "file_without_path", wantErr: "file::path: must be set for transport file"},
		{id: "bad_prefix", wantErr: `prefix: "bad prefix!" may only hold`},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			sub, err := cm.Sub(component.NewIDWithName(metadata.Type, tt.id).String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))
			err = confmap.Validate(cfg)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			tt.check(t, cfg)
		})
	}
}
