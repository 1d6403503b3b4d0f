package istioals

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-pan/otelcol-pan/receiver/istioals/internal/metadata"
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
			assert.Equal(t, "localhost:9001", c.NetAddr.Endpoint)
			assert.Zero(t, c.ConsumerRetry, "retry while the stream is open")
			assert.Equal(t, 1, c.MaxInflightMiB)
			assert.Equal(t, 64, c.StreamWindowKiB)
			sp := c.Keepalive.Get().ServerParameters.Get()
			assert.Equal(t, 10*time.Minute, sp.MaxConnectionAge)
			assert.Equal(t, 30*time.Second, sp.MaxConnectionAgeGrace)
		}},
		{id: "custom", check: func(t *testing.T, c *Config) {
			assert.Equal(t, "0.0.0.0:15001", c.NetAddr.Endpoint)
			assert.Equal(t, 8, c.MaxRecvMsgSizeMiB)
			assert.Equal(t, uint32(4096), c.MaxConcurrentStreams)
			assert.Equal(t, 2*time.Second, c.ConsumerRetry)
			assert.Equal(t, 10*time.Second, c.ShutdownTimeout)
		}},
		{id: "mtls", check: func(t *testing.T, c *Config) {
			require.True(t, c.TLS.HasValue())
			assert.Equal(t, "/etc/certs/root-cert.pem", c.TLS.Get().ClientCAFile)
			assert.Len(t, c.AllowedPrincipals, 1)
		}},
		{id: "principals_without_tls", wantErr: "allowed_principals: needs tls with client_ca_file"},
		{id: "bad_principal", wantErr: `allowed_principals[0]: "default/sleep" is not a SPIFFE ID`},
		{id: "bad_mesh_domain", wantErr: `mesh_domains[1]: "mesh_domain|x" is not a DNS suffix such as cluster.local`},
		{id: "no_endpoint", wantErr: "endpoint: must not be empty"},
		{id: "small_window", wantErr: "stream_window_kib: 16 is not in 64..1048576"},
		{id: "no_inflight", wantErr: "max_inflight_mib: must be positive"},
		{id: "fanin", check: func(t *testing.T, c *Config) {
			assert.Equal(t, 16, c.MaxInflightMiB)
			assert.Equal(t, 128, c.StreamWindowKiB)
			sp := c.Keepalive.Get().ServerParameters.Get()
			assert.Equal(t, 5*time.Minute, sp.MaxConnectionAge)
			assert.Equal(t, 30*time.Second, sp.MaxConnectionAgeGrace, "the default grace stays")
		}},
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
