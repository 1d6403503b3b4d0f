package istionorm // import "github.com/otelcol-pan/otelcol-pan/processor/istionorm"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
	"github.com/otelcol-pan/otelcol-pan/processor/istionorm/internal/metadata"
)

// NewFactory creates the istionorm processor factory.
func NewFactory() processor.Factory {
	return processor.NewFactory(metadata.Type, createDefaultConfig, processor.WithLogs(createLogs, metadata.LogsStability))
}

func createDefaultConfig() component.Config {
	return &Config{MeshDomains: []string{mesh.DefaultDomain}, Unreadable: UnreadablePass}
}

func createLogs(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	n, err := newNormalizer(cfg.(*Config), set)
	if err != nil {
		return nil, err
	}
	return processorhelper.NewLogs(ctx, set, cfg, next, n.processLogs,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}),
		processorhelper.WithShutdown(n.shutdown))
}
