package istioals // import "github.com/otelcol-pan/otelcol-pan/receiver/istioals"

import (
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/config/configgrpc"
	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
)

// Config is the istioals receiver's configuration: the stock gRPC server
// settings (endpoint, tls, keepalive, auth, max_recv_msg_size_mib,
// max_concurrent_streams, …) plus what is particular to Envoy's ALS.
type Config struct {
	configgrpc.ServerConfig `mapstructure:",squash"`

	// AllowedPrincipals lists the SPIFFE IDs (URI SANs of the client
	// certificate) allowed to stream; empty allows every client that the
	// transport accepted. Requires tls with client_ca_file.
	AllowedPrincipals []string `mapstructure:"allowed_principals"`

	// MeshDomains are the DNS suffixes of services inside the mesh. Outbound
	// traffic to a host outside them (a ServiceEntry host, PassthroughCluster,
	// BlackHoleCluster) is marked pan.egress.
	MeshDomains []string `mapstructure:"mesh_domains"`

	// ConsumerRetry bounds how long a stream waits, retrying, when the next
	// consumer refuses a batch with a retryable error (for example the
	// memory_limiter). While it waits the stream reads nothing more, so
	// HTTP/2 flow control holds Envoy, which buffers and then counts its own
	// drops: back-pressure instead of loss. Zero (the default) retries for as
	// long as the stream is open; a positive value drops the batch, counted
	// and logged, once it has waited that long.
	ConsumerRetry time.Duration `mapstructure:"consumer_retry"`

	// MaxInflightMiB bounds the wire bytes of ALS messages, across all
	// streams, that have been read and are being converted or handed to the
	// pipeline. A stream whose message does not fit waits before converting
	// it and reads nothing more meanwhile. Converted records take about six
	// times their wire size, so this bounds what the receiver holds between
	// gRPC and the pipeline.
	MaxInflightMiB int `mapstructure:"max_inflight_mib"`

	// StreamWindowKiB is the HTTP/2 flow-control window of every stream
	// (and the least of every connection): how many bytes one Envoy may send
	// ahead of what the receiver has read. gRPC's default widens windows up
	// to 16 MiB per stream on a fast link, which at hundreds of streams is
	// most of a pod's memory; a fixed window bounds it. 64 is the least gRPC
	// accepts.
	StreamWindowKiB int `mapstructure:"stream_window_kib"`

	// ShutdownTimeout bounds the graceful stop: Envoy's streams never end on
	// their own, so after this the server closes them.
	ShutdownTimeout time.Duration `mapstructure:"shutdown_timeout"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// gRPC ignores windows below 64 KiB; HTTP/2 allows up to 2^31-1 bytes.
const (
	minStreamWindowKiB = 64
	maxStreamWindowKiB = 1 << 20
)

var _ confmap.Validator = (*Config)(nil)

// Validate checks the configuration and names the offending YAML key.
func (cfg *Config) Validate() error {
	var errs error
	if cfg.NetAddr.Endpoint == "" {
		errs = errors.Join(errs, errors.New("endpoint: must not be empty"))
	}
	if cfg.ConsumerRetry < 0 {
		errs = errors.Join(errs, errors.New("consumer_retry: must not be negative"))
	}
	if cfg.MaxInflightMiB <= 0 {
		errs = errors.Join(errs, errors.New("max_inflight_mib: must be positive"))
	}
	if cfg.StreamWindowKiB < minStreamWindowKiB || cfg.StreamWindowKiB > maxStreamWindowKiB {
		errs = errors.Join(errs, fmt.Errorf("stream_window_kib: %d is not in %d..%d (HTTP/2's and gRPC's bounds)", cfg.StreamWindowKiB, minStreamWindowKiB, maxStreamWindowKiB))
	}
	if cfg.ShutdownTimeout <= 0 {
		errs = errors.Join(errs, errors.New("shutdown_timeout: must be positive"))
	}
	for i, d := range cfg.MeshDomains {
		if err := mesh.ValidateDomain(d); err != nil {
			errs = errors.Join(errs, fmt.Errorf("mesh_domains[%d]: %q %w", i, d, err))
		}
	}
	for i, p := range cfg.AllowedPrincipals {
		if err := mesh.ValidateSPIFFE(p); err != nil {
			errs = errors.Join(errs, fmt.Errorf("allowed_principals[%d]: %q %w", i, p, err))
		}
	}
	if len(cfg.AllowedPrincipals) > 0 {
		tls := cfg.TLS.Get()
		if tls == nil || tls.ClientCAFile == "" {
			errs = errors.Join(errs, errors.New("allowed_principals: needs tls with client_ca_file, so that clients present a certificate"))
		}
	}
	return errs
}
