package istioals

import (
	"bytes"
	"testing"
	"time"

	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"google.golang.org/protobuf/proto"

	"github.com/otelcol-pan/otelcol-pan/internal/alsgen"
	"github.com/otelcol-pan/otelcol-pan/receiver/istioals/internal/convert"
	"github.com/otelcol-pan/otelcol-pan/receiver/istioals/internal/metadata"
)

// benchConvert measures decoding one wire message and converting it, as the
// receiver does; ns/entry is the figure to compare.
func benchConvert(b *testing.B, msg *accesslogv3.StreamAccessLogsMessage, entries int) {
	r, err := newReceiver(createDefaultConfig().(*Config), receivertest.NewNopSettings(metadata.Type), consumertest.NewNop())
	require.NoError(b, err)
	w := alsgen.Workload{Namespace: "default", Name: "productpage"}
	// The stream's first message identifies it; the measured ones do not.
	var st convert.Stream
	first, err := proto.Marshal(&accesslogv3.StreamAccessLogsMessage{Identifier: w.Identifier()})
	require.NoError(b, err)
	_, _, err = r.conv.Message(first, &st, 0)
	require.NoError(b, err)
	wire, err := proto.Marshal(msg)
	require.NoError(b, err)
	b.ReportAllocs()
	b.SetBytes(int64(len(wire)))
	b.ResetTimer()
	for b.Loop() {
		// The gRPC codec hands the receiver its own copy of the message.
		buf := bytes.Clone(wire)
		_, n, err := r.conv.Message(buf, &st, pcommon.NewTimestampFromTime(time.Now()))
		if err != nil || n.Total() != entries {
			b.Fatalf("%d entries, %v", n.Total(), err)
		}
		st.Release()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*entries), "ns/entry")
}

func BenchmarkConvertHTTP(b *testing.B) {
	w := alsgen.Workload{Namespace: "default", Name: "productpage"}
	b.Run("1", func(b *testing.B) { benchConvert(b, alsgen.Message(w, "http", 0, 1, time.Now()), 1) })
	b.Run("30", func(b *testing.B) { benchConvert(b, alsgen.Message(w, "http", 0, 30, time.Now()), 30) })
}

func BenchmarkConvertTCP(b *testing.B) {
	w := alsgen.Workload{Namespace: "default", Name: "productpage"}
	b.Run("1", func(b *testing.B) { benchConvert(b, alsgen.Message(w, "tcp", 0, 1, time.Now()), 1) })
	b.Run("30", func(b *testing.B) { benchConvert(b, alsgen.Message(w, "tcp", 0, 30, time.Now()), 30) })
}
