package panlogs // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/metadata"
)

// NewFactory creates the panlogs exporter factory.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(metadata.Type, createDefaultConfig, exporter.WithLogs(createLogs, metadata.LogsStability))
}

func createDefaultConfig() component.Config {
	// The queue and retries are on by default: a destination that is down
	// must delay records, not lose them.
	httpClient := confighttp.NewDefaultClientConfig()
	httpClient.Timeout = 30 * time.Second
	httpClient.Compression = "gzip" // the Cortex collector takes gzip; it saves most of the bytes
	return &Config{
		Format:     FormatJSON,
		PrefixMode: PrefixModeLine,
		Prefix:     DefaultPrefix,
		Transport:  TransportStdout,
		Syslog: SyslogConfig{
			Network:      "tcp",
			Protocol:     ProtocolRFC5424,
			Framing:      FramingOctetCounting,
			Facility:     16, // local0
			DialTimeout:  5 * time.Second,
			WriteTimeout: 10 * time.Second,
		},
		HTTP: HTTPConfig{ClientConfig: httpClient, MaxBatchBytes: maxHTTPBatchBytes},
		// One attempt may take as long as the HTTP client allows a request:
		// with the stock 5 s, a slow collector that took a request after 5 s
		// would see it again on the retry.
		TimeoutConfig: exporterhelper.TimeoutConfig{Timeout: 30 * time.Second},
		QueueConfig:   configoptional.Some(defaultQueueConfig()),
		BackOffConfig: configretry.NewDefaultBackOffConfig(),
	}
}

func createLogs(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Logs, error) {
	c := cfg.(*Config)
	e, err := newExporter(c, set)
	if err != nil {
		return nil, err
	}
	exp, err := exporterhelper.NewLogs(ctx, set, cfg, e.pushLogs,
		exporterhelper.WithStart(e.start),
		exporterhelper.WithShutdown(e.shutdown),
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
		exporterhelper.WithTimeout(c.TimeoutConfig),
		exporterhelper.WithQueue(c.QueueConfig),
		exporterhelper.WithRetry(c.BackOffConfig),
	)
	if err != nil {
		return nil, err
	}
	return newSplitter(exp, c.QueueConfig), nil
}
