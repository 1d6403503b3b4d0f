package serviceentry // import "github.com/otelcol-pan/otelcol-pan/exporter/serviceentry"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/otelcol-pan/otelcol-pan/exporter/serviceentry/internal/metadata"
	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
)

func createDefaultConfig() component.Config {
	return &Config{
		Interval:            time.Minute,
		MeshDomains:         []string{mesh.DefaultDomain},
		MinConnections:      1,
		MaxHosts:            2000,
		MaxHostsPerWorkload: 200,
		ServiceEntries:      ServiceEntriesConfig{IPResolution: ResolutionNone},
		Sidecars:            SidecarsConfig{Name: "default", EgressHosts: []string{"./*", "istio-system/*"}},
	}
}

// NewFactory creates the serviceentry exporter factory.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(metadata.Type, createDefaultConfig, exporter.WithLogs(createLogs, metadata.LogsStability))
}

// createLogs builds on exporterhelper for its standard self-telemetry, but
// without a sending queue or retries: learning is an in-memory update that
// cannot fail, and a queue would only delay it and hold records twice.
func createLogs(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Logs, error) {
	e, err := newExporter(cfg.(*Config), set)
	if err != nil {
		return nil, err
	}
	return exporterhelper.NewLogs(ctx, set, cfg, e.consume,
		exporterhelper.WithStart(e.start),
		exporterhelper.WithShutdown(e.shutdown),
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
	)
}
