package istioals // import "github.com/otelcol-pan/otelcol-pan/receiver/istioals"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configgrpc"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/otelcol-pan/otelcol-pan/receiver/istioals/internal/metadata"
)

// defaultEndpoint is where Istio's envoyHttpAls/envoyTcpAls providers are
// usually pointed; localhost by default, as every stock receiver does.
const defaultEndpoint = "localhost:9001"

// NewFactory creates the istioals receiver factory.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(
		metadata.Type,
		createDefaultConfig,
		receiver.WithLogs(createLogs, metadata.LogsStability),
	)
}

func createDefaultConfig() component.Config {
	grpc := configgrpc.NewDefaultServerConfig()
	grpc.NetAddr.Endpoint = defaultEndpoint
	return &Config{
		ServerConfig:    grpc,
		MeshDomains:     []string{"cluster.local"},
		ConsumerRetry:   5 * time.Second,
		ShutdownTimeout: 5 * time.Second,
	}
}

func createLogs(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
	return newReceiver(cfg.(*Config), set, next)
}
