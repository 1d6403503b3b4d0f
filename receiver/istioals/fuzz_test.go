package istioals

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/otelcol-pan/otelcol-pan/internal/testutil"
	"github.com/otelcol-pan/otelcol-pan/receiver/istioals/internal/metadatatest"
)

// FuzzGRPCFrames sends arbitrary bytes as ALS messages to a running receiver
// over real gRPC: each must be converted or answered with a gRPC error, and
// the server must keep serving (a panic would end the fuzz process).
func FuzzGRPCFrames(f *testing.F) {
	for _, msg := range goldenCases(f) {
		b, err := proto.Marshal(msg)
		require.NoError(f, err)
		f.Add(b, b[:len(b)/2])
	}
	f.Add([]byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f}, []byte{})
	f.Add([]byte{}, []byte{0x12, 0x02, 0x0a, 0x00})

	sink := new(consumertest.LogsSink)
	cfg := createDefaultConfig().(*Config)
	cfg.NetAddr.Endpoint = "127.0.0.1:0"
	cfg.ShutdownTimeout = time.Second
	tt := componenttest.NewTelemetry()
	r, err := newReceiver(cfg, metadatatest.NewSettings(tt), sink)
	require.NoError(f, err)
	require.NoError(f, r.Start(context.Background(), componenttest.NewNopHost()))
	f.Cleanup(func() { _ = r.Shutdown(context.Background()); _ = tt.Shutdown(context.Background()) })
	// The fuzzer's bytes go out as they are, so the server's own decoding
	// sees them.
	conn, err := testutil.DialRaw(r.addr.String())
	require.NoError(f, err)
	f.Cleanup(func() { conn.Close() })

	f.Fuzz(func(t *testing.T, first, second []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s, err := conn.NewStream(ctx, &testutil.ALSStream, testutil.ALSMethod)
		require.NoError(t, err)
		for _, frame := range [][]byte{first, second} {
			if err := s.SendMsg(&frame); err != nil {
				break // the server answered already; RecvMsg says how
			}
		}
		_ = s.CloseSend()
		var resp []byte
		err = s.RecvMsg(&resp)
		if err != nil && !errors.Is(err, io.EOF) {
			code := status.Code(err)
			if code != codes.Internal && code != codes.InvalidArgument && code != codes.ResourceExhausted {
				t.Fatalf("unexpected error for a malformed message: %v", err)
			}
		}
	})
}
