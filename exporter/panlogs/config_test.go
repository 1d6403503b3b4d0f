package panlogs

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/exporter/exportertest"

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
		{id: "siem", check: func(t *testing.T, c *Config) {
			assert.Equal(t, FormatPANCSV, c.Format)
			assert.Equal(t, "siem.example.com:6514", c.Syslog.Endpoint)
			assert.Equal(t, "tcp", c.Syslog.Network)
			assert.Equal(t, 20, c.Syslog.Facility)
			assert.Equal(t, "/etc/pan/ca.pem", c.Syslog.TLS.Get().CAFile)
			assert.Equal(t, []string{"token", "session"}, c.RedactQueryParams)
		}},
		{id: "cortex", check: func(t *testing.T, c *Config) {
			assert.Equal(t, "https://api-tenant.xdr.example/logs/v1/event", c.HTTP.Endpoint)
			assert.Equal(t, 1000000, c.HTTP.MaxBatchBytes)
			assert.Equal(t, "gzip", string(c.HTTP.Compression))
			require.True(t, c.QueueConfig.HasValue())
			require.NotNil(t, c.QueueConfig.Get().StorageID)
			assert.Equal(t, "file_storage", c.QueueConfig.Get().StorageID.String())
		}},
		{id: "rotating", check: func(t *testing.T, c *Config) {
			r := c.File.Rotation.Get()
			require.NotNil(t, r)
			assert.Equal(t, RotationConfig{MaxMegabytes: 50, MaxDays: 7, MaxBackups: 5, Compress: true}, *r)
		}},
		{id: "sensitive_allowed", check: func(t *testing.T, c *Config) {
			assert.True(t, c.AllowSensitiveHeaders)
		}},
		{id: "ocsf_lake", check: func(t *testing.T, c *Config) {
			assert.Equal(t, FormatOCSF, c.Format)
			assert.Equal(t, PrefixModeField, c.PrefixMode)
			assert.Equal(t, "application/json", c.contentType())
		}},
		{id: "udp_tls", wantErr: "syslog::tls: needs network tcp"},
		{id: "udp_only", check: func(t *testing.T, c *Config) {
			assert.Equal(t, 8192, c.Syslog.maxMessageSize(), "the default follows the network")
		}},
		{id: "udp_insecure_tls", check: func(t *testing.T, c *Config) {
			assert.False(t, c.Syslog.usesTLS(), "insecure: true is no TLS")
		}},
		{id: "udp_too_big", wantErr: "syslog::max_message_size: 70000 does not fit a UDP datagram (at most 65000)"},
		{id: "bad_syslog", wantErr: "syslog::endpoint: must be set"},
		{id: "sensitive_header", wantErr: `include_headers[0]: "Authorization" carries credentials`},
		{id: "http_too_big", wantErr: "http::max_batch_bytes: 10000000 is not in 1..5242880"},
		{id: "csv_field", wantErr: "prefix_mode: field has no column in pan_csv"},
		{id: "bad_format", wantErr: `format: "xml" is not one of json, pan_csv, cef, leef, ocsf`},
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

// format: ocsf is accepted with every prefix mode over every transport.
func TestOCSFEveryPrefixModeAndTransport(t *testing.T) {
	for _, mode := range []string{PrefixModeLine, PrefixModeField, PrefixModeNone} {
		for _, transport := range []string{TransportStdout, TransportFile, TransportSyslog, TransportHTTP} {
			t.Run(mode+"/"+transport, func(t *testing.T) {
				cfg := createDefaultConfig().(*Config)
				cfg.Format, cfg.PrefixMode, cfg.Transport = FormatOCSF, mode, transport
				cfg.File.Path = "/var/log/pan/mesh.ocsf"
				cfg.Syslog.Endpoint = "siem.example.com:6514"
				cfg.HTTP.Endpoint = "https://lake.example.com/ingest"
				require.NoError(t, confmap.Validate(cfg))
				e, err := newExporter(cfg, exportertest.NewNopSettings(metadata.Type))
				require.NoError(t, err)
				require.NotNil(t, e.enc)
			})
		}
	}
}
