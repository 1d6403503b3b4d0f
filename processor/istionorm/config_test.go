package istionorm

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-pan/otelcol-pan/processor/istionorm/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	for _, tt := range []struct {
		id      string
		want    *Config
		wantErr []string
	}{
		{id: "", want: &Config{MeshDomains: []string{"cluster.local"}, Unreadable: UnreadablePass}},
		{id: "agent", want: &Config{MeshDomains: []string{"cluster.local", "corp.internal"}, Unreadable: UnreadableDrop}},
		{id: "bad_domain", wantErr: []string{`mesh_domains[1]: "corp internal" is not a DNS suffix`}},
		{id: "bad_unreadable", wantErr: []string{`unreadable: "keep" is neither "pass" nor "drop"`}},
		{id: "several_errors", wantErr: []string{"mesh_domains[0]:", "unreadable:"}},
	} {
		t.Run(tt.id, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			sub, err := cm.Sub(component.NewIDWithName(metadata.Type, tt.id).String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))
			err = confmap.Validate(cfg)
			if tt.wantErr != nil {
				require.Error(t, err)
				for _, w := range tt.wantErr {
					require.ErrorContains(t, err, w)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg)
		})
	}
}

// The collector refuses a misspelt key while unmarshalling.
func TestUnknownKeyRefused(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(component.NewIDWithName(metadata.Type, "unknown_key").String())
	require.NoError(t, err)
	require.ErrorContains(t, sub.Unmarshal(createDefaultConfig()), "has invalid keys: mesh_domain")
}
