package serviceentry

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-pan/otelcol-pan/exporter/serviceentry/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	tests := []struct {
		id      string
		check   func(t *testing.T, c *Config)
		wantErr string
	}{
		{id: "", wantErr: "directory: must be set"},
		{id: "full", check: func(t *testing.T, c *Config) {
			storage := component.MustNewID("file_storage")
			want := &Config{
				Directory:           "/var/lib/otelcol-pan/egress",
				Interval:            30 * time.Second,
				MeshDomains:         []string{"cluster.local", "mesh.example.internal"},
				IgnoreHosts:         []string{"*.internal", "metadata.google.internal"},
				IgnoreCIDRs:         []string{"10.0.0.0/8", "169.254.169.254"},
				MinConnections:      3,
				Namespaces:          []string{"payments", "shop"},
				MaxHosts:            500,
				MaxHostsPerWorkload: 50,
				StorageID:           &storage,
				ServiceEntries:      ServiceEntriesConfig{Namespace: "istio-system", ExportTo: []string{"learned"}, IPResolution: ResolutionStatic},
				Sidecars:            SidecarsConfig{Enabled: true, Name: "default", EgressHosts: []string{"./*", "istio-system/*", "shared/*"}},
			}
			assert.Equal(t, want, c)
		}},
		{id: "no_directory", wantErr: "directory: must be set"},
		{id: "bad_interval", wantErr: "interval: must be positive"},
		{id: "bad_mesh_domain", wantErr: `mesh_domains[0]: ".cluster.local" is not a DNS suffix`},
		{id: "bad_glob", wantErr: `ignore_hosts[0]: "[a-" is not a host glob`},
		{id: "bad_cidr", wantErr: `ignore_cidrs[0]: "10.0.0.0/33" is not a CIDR`},
		{id: "bad_min", wantErr: "min_connections: 0 must be at least 1"},
		{id: "bad_namespace", wantErr: `namespaces[0]: "Payments" is not a Kubernetes namespace name`},
		{id: "bad_max_hosts", wantErr: "max_hosts: 0 must be at least 1"},
		{id: "bad_per_workload", wantErr: "max_hosts_per_workload: -1 must not be negative"},
		{id: "bad_export_to", wantErr: `service_entries::export_to[0]: "*" must be the only entry`},
		{id: "bad_export_name", wantErr: `service_entries::export_to[0]: "Bad_Name" is not`},
		{id: "bad_ip_resolution", wantErr: `service_entries::ip_resolution: "DNS" is not one of NONE, STATIC`},
		{id: "bad_se_namespace", wantErr: `service_entries::namespace: "istio system" is not a Kubernetes namespace name`},
		{id: "bad_sidecar_host", wantErr: `sidecars::egress_hosts[0]: "api.example.com" is not namespace/host`},
		{id: "bad_sidecar_name", wantErr: `sidecars::name: "Default" is not a Kubernetes object name`},
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

func TestDefaultConfigIsValidWithADirectory(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Directory = t.TempDir()
	require.NoError(t, confmap.Validate(cfg))
	assert.Equal(t, []string{"cluster.local"}, cfg.MeshDomains)
	assert.Equal(t, ResolutionNone, cfg.ServiceEntries.IPResolution)
	assert.False(t, cfg.Sidecars.Enabled)
}
