package istioals // import "github.com/otelcol-pan/otelcol-pan/receiver/istioals"

import (
	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"google.golang.org/protobuf/proto"

	"github.com/otelcol-pan/otelcol-pan/receiver/istioals/internal/convert"
)

// ConvertMessage converts one ALS message exactly as the receiver does, with
// id as the stream's identifier. The benchmark uses it to feed the OTLP
// baseline the very records istioals would produce.
func ConvertMessage(id *accesslogv3.StreamAccessLogsMessage_Identifier, msg *accesslogv3.StreamAccessLogsMessage, observed pcommon.Timestamp) plog.Logs {
	node := convert.NewNode(id.GetNode(), id.GetLogName())
	logs := plog.NewLogs()
	rl := logs.ResourceLogs().AppendEmpty()
	node.Resource.CopyTo(rl.Resource().Attributes())
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	wire, err := proto.Marshal(msg)
	if err != nil {
		return logs
	}
	cv := convert.NewConverter(nil)
	var sc convert.Scratch
	if _, err := cv.Split(wire, &sc); err == nil {
		_, _, _ = cv.Convert(&sc, &node.Local, observed, lrs)
	}
	return logs
}
