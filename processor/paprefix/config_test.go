package paprefix

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-pan/otelcol-pan/processor/paprefix/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	tests := []struct {
		id         string
		wantPrefix string
		wantErr    string
	}{
		{id: "", wantPrefix: DefaultPrefix},
		{id: "team", wantPrefix: "payments-audit"},
		{id: "empty", wantErr: "prefix: must not be empty"},
		{id: "spaces", wantErr: `prefix: "team a" may only hold A-Z a-z 0-9 . _ -`},
		{id: "long", wantErr: "is longer than 48 bytes"},
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
			assert.Equal(t, tt.wantPrefix, cfg.Prefix)
		})
	}
}
