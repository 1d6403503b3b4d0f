package istioals // import "github.com/otelcol-pan/otelcol-pan/receiver/istioals"

import (
	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"google.golang.org/protobuf/proto"

	"github.com/otelcol-pan/otelcol-pan/receiver/istioals/internal/convert"
	"github.com/otelcol-pan/otelcol-pan/receiver/istioals/internal/metadata"
)

// newConverter is the conversion a receiver with cfg does; version is the
// distribution's, the records' scope version.
func newConverter(cfg *Config, version string) *convert.Converter {
	return convert.NewConverter(convert.Settings{
		MeshDomains:  cfg.MeshDomains,
		ScopeName:    metadata.ScopeName,
		ScopeVersion: version,
	})
}

// ConvertMessage converts one ALS message as a receiver configured with cfg
// (nil: the default configuration) does, through the same function, on a
// stream whose identifier is id; the message's own identifier, when it has
// one, wins. The records' scope carries no version (the receiver writes its
// distribution's). The benchmark uses it to feed the OTLP baseline the very
// records istioals produces.
func ConvertMessage(cfg *Config, id *accesslogv3.StreamAccessLogsMessage_Identifier, msg *accesslogv3.StreamAccessLogsMessage, observed pcommon.Timestamp) (plog.Logs, error) {
	if cfg == nil {
		cfg = createDefaultConfig().(*Config)
	}
	if msg.GetIdentifier() != nil {
		id = msg.GetIdentifier()
	}
	wire, err := proto.Marshal(&accesslogv3.StreamAccessLogsMessage{Identifier: id, LogEntries: msg.GetLogEntries()})
	if err != nil {
		return plog.Logs{}, err
	}
	var st convert.Stream
	logs, _, err := newConverter(cfg, "").Message(wire, &st, observed)
	return logs, err
}
