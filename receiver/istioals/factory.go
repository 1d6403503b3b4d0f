package istioals // import "github.com/otelcol-pan/otelcol-pan/receiver/istioals"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configgrpc"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
	"github.com/otelcol-pan/otelcol-pan/receiver/istioals/internal/metadata"
)

// defaultEndpoint is where Istio's envoyHttpAls/envoyTcpAls providers are
// usually pointed; localhost by default, as every stock receiver does.
const defaultEndpoint = "localhost:9001"

const (
	defaultMaxInflightMiB        = 1
	defaultMaxConnectionAge      = 10 * time.Minute
	defaultMaxConnectionAgeGrace = 30 * time.Second
)

// NewFactory creates the istioals receiver factory.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(metadata.Type, createDefaultConfig, receiver.WithLogs(createLogs, metadata.LogsStability))
}

func createDefaultConfig() component.Config {
	grpc := configgrpc.NewDefaultServerConfig()
	grpc.NetAddr.Endpoint = defaultEndpoint
	// Envoy's streams never end on their own, so without a maximum age a
	// replica added later gets no streams. After max_connection_age (±10 %
	// jitter) gRPC asks Envoy to move (GOAWAY); Envoy opens its next stream
	// on a new connection, which the Service may send to another replica.
	// The grace then lets the old stream run on before it is closed.
	if ka := grpc.Keepalive.Get(); ka != nil {
		if sp := ka.ServerParameters.Get(); sp != nil {
			sp.MaxConnectionAge = defaultMaxConnectionAge
			sp.MaxConnectionAgeGrace = defaultMaxConnectionAgeGrace
		}
	}
	return &Config{
		ServerConfig:    grpc,
		MeshDomains:     []string{mesh.DefaultDomain},
		MaxInflightMiB:  defaultMaxInflightMiB,
		StreamWindowKiB: minStreamWindowKiB,
		ShutdownTimeout: 5 * time.Second,
	}
}

func createLogs(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
	return newReceiver(cfg.(*Config), set, next)
}
