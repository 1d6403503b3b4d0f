package testutil // import "github.com/otelcol-pan/otelcol-pan/internal/testutil"

import (
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// ALSMethod and ALSStream are Envoy's AccessLogService.StreamAccessLogs, for
// clients that send messages already in wire format.
const ALSMethod = "/envoy.service.accesslog.v3.AccessLogService/StreamAccessLogs"

// ALSStream describes the StreamAccessLogs client stream.
var ALSStream = grpc.StreamDesc{StreamName: "StreamAccessLogs", ClientStreams: true}

// RawCodec sends and receives gRPC messages as the bytes they are (each
// message a *[]byte): what a fuzzer or a load generator with pre-marshalled
// messages sends is exactly what the server decodes.
type RawCodec struct{}

// Marshal returns the message's bytes.
func (RawCodec) Marshal(v any) ([]byte, error) { return *v.(*[]byte), nil }

// Unmarshal copies data into the message.
func (RawCodec) Unmarshal(data []byte, v any) error {
	*v.(*[]byte) = append((*v.(*[]byte))[:0], data...)
	return nil
}

// Name is the content subtype the server expects.
func (RawCodec) Name() string { return "proto" }

// DialRaw connects to a gRPC server over plain TCP with RawCodec.
func DialRaw(endpoint string) (*grpc.ClientConn, error) {
	return grpc.NewClient(endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(RawCodec{})))
}
