package istioals // import "github.com/otelcol-pan/otelcol-pan/receiver/istioals"

import (
	"context"
	"errors"
	"io"
	"net"
	"slices"
	"sync"
	"time"

	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/config/configgrpc"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"
	"golang.org/x/sync/semaphore"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	"github.com/otelcol-pan/otelcol-pan/receiver/istioals/internal/convert"
	"github.com/otelcol-pan/otelcol-pan/receiver/istioals/internal/metadata"
)

const (
	transport = "grpc"
	format    = "protobuf"
)

// connWindow is the least HTTP/2 connection window: room for several
// streams' windows on one connection.
const connWindow = 1 << 20

var (
	attrHTTP = metric.WithAttributeSet(attribute.NewSet(attribute.String("entry_type", "http")))
	attrTCP  = metric.WithAttributeSet(attribute.NewSet(attribute.String("entry_type", "tcp")))
)

type alsReceiver struct {
	cfg       *Config
	set       receiver.Settings
	next      consumer.Logs
	obsrecv   *receiverhelper.ObsReport
	telemetry *metadata.TelemetryBuilder
	conv      *convert.Converter

	// inflight admits received messages by their wire size (see
	// max_inflight_mib); inflightMax is its capacity in bytes.
	inflight    *semaphore.Weighted
	inflightMax int64

	mu       sync.Mutex
	addr     net.Addr // where the server listens, once started
	server   *grpc.Server
	serveErr chan struct{}
}

func newReceiver(cfg *Config, set receiver.Settings, next consumer.Logs) (*alsReceiver, error) {
	obsrecv, err := receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{
		ReceiverID:             set.ID,
		Transport:              transport,
		ReceiverCreateSettings: set,
	})
	if err != nil {
		return nil, err
	}
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return &alsReceiver{
		cfg:         cfg,
		set:         set,
		next:        next,
		obsrecv:     obsrecv,
		telemetry:   tb,
		conv:        newConverter(cfg, set.BuildInfo.Version),
		inflight:    semaphore.NewWeighted(int64(cfg.MaxInflightMiB) << 20),
		inflightMax: int64(cfg.MaxInflightMiB) << 20,
	}, nil
}

// Start listens on the endpoint and serves Envoy's AccessLogService.
func (r *alsReceiver) Start(ctx context.Context, host component.Host) error {
	window := int32(r.cfg.StreamWindowKiB) << 10
	srv, err := r.cfg.ToServer(ctx, host.GetExtensions(), r.set.TelemetrySettings,
		configgrpc.WithGrpcServerOption(grpc.ForceServerCodecV2(alsCodec{proto: encoding.GetCodecV2("proto")})),
		// Fixed windows (no BDP growth): what a stream may hold unread is
		// its window, whatever the link. The connection's window is only
		// a cap on the sum of its streams' (gRPC replenishes it on
		// arrival), so it is set wide enough for several streams.
		configgrpc.WithGrpcServerOption(grpc.StaticStreamWindowSize(window)),
		configgrpc.WithGrpcServerOption(grpc.StaticConnWindowSize(max(window, connWindow))))
	if err != nil {
		return err
	}
	ln, err := r.cfg.NetAddr.Listen(ctx)
	if err != nil {
		return err
	}
	srv.RegisterService(&alsServiceDesc, r)
	r.mu.Lock()
	r.server = srv
	r.addr = ln.Addr()
	r.serveErr = make(chan struct{})
	r.mu.Unlock()
	r.set.Logger.Info("Envoy ALS server listening", zap.String("endpoint", ln.Addr().String()))
	go func() {
		defer close(r.serveErr)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, grpc.ErrServerStopped) && !errors.Is(err, net.ErrClosed) {
			componentstatus.ReportStatus(host, componentstatus.NewFatalErrorEvent(err))
		}
	}()
	return nil
}

// Shutdown stops accepting streams and lets the open ones finish their
// current message; Envoy's streams never end by themselves, so after
// shutdown_timeout (or the context's deadline) the rest are closed.
func (r *alsReceiver) Shutdown(ctx context.Context) error {
	r.mu.Lock()
	srv := r.server
	done := r.serveErr
	r.server = nil
	r.mu.Unlock()
	if srv != nil {
		stopped := make(chan struct{})
		go func() {
			srv.GracefulStop()
			close(stopped)
		}()
		timer := time.NewTimer(r.cfg.ShutdownTimeout)
		defer timer.Stop()
		select {
		case <-stopped:
		case <-timer.C:
			srv.Stop()
		case <-ctx.Done():
			srv.Stop()
		}
		<-stopped
		<-done
	}
	r.telemetry.Shutdown()
	return nil
}

// alsServiceDesc is Envoy's AccessLogService with a handler that receives
// each message as raw bytes (see alsCodec), decoded by convert's wire
// decoder instead of the standard one.
var alsServiceDesc = grpc.ServiceDesc{
	ServiceName: "envoy.service.accesslog.v3.AccessLogService",
	HandlerType: (*any)(nil),
	Streams: []grpc.StreamDesc{{
		StreamName:    "StreamAccessLogs",
		Handler:       func(srv any, stream grpc.ServerStream) error { return srv.(*alsReceiver).streamAccessLogs(stream) },
		ClientStreams: true,
	}},
	Metadata: "envoy/service/accesslog/v3/als.proto",
}

// rawMessage is a received StreamAccessLogsMessage still in wire format.
type rawMessage struct{ b []byte }

// alsCodec hands StreamAccessLogsMessages over as bytes that the receiver
// owns (records point into them) and leaves everything else to the
// standard codec.
type alsCodec struct{ proto encoding.CodecV2 }

func (c alsCodec) Marshal(v any) (mem.BufferSlice, error) { return c.proto.Marshal(v) }

func (c alsCodec) Unmarshal(data mem.BufferSlice, v any) error {
	if m, ok := v.(*rawMessage); ok {
		m.b = data.Materialize()
		return nil
	}
	return c.proto.Unmarshal(data, v)
}

func (alsCodec) Name() string { return "proto" }

// streamAccessLogs handles one Envoy ALS stream. Envoy sends the identifier
// (its node and log name) only on the first message of a stream, so it is
// turned into the resource once and reused for every later message.
func (r *alsReceiver) streamAccessLogs(stream grpc.ServerStream) error {
	ctx := stream.Context()
	if err := r.checkPrincipal(ctx); err != nil {
		r.telemetry.ReceiverIstioalsStreamsRefused.Add(ctx, 1)
		return err
	}
	r.telemetry.ReceiverIstioalsStreamsOpen.Add(ctx, 1)
	defer r.telemetry.ReceiverIstioalsStreamsOpen.Add(context.WithoutCancel(ctx), -1)

	var st convert.Stream
	for {
		var msg rawMessage
		err := stream.RecvMsg(&msg)
		if errors.Is(err, io.EOF) {
			return stream.SendMsg(&accesslogv3.StreamAccessLogsResponse{})
		}
		if err != nil {
			return err
		}
		// Hold the message's share of max_inflight_mib until the pipeline
		// has it: while this waits the stream reads nothing more, so gRPC's
		// window fills and Envoy holds its entries.
		admitted := min(int64(len(msg.b)), r.inflightMax)
		if err := r.inflight.Acquire(ctx, admitted); err != nil {
			return status.FromContextError(err).Err()
		}
		r.telemetry.ReceiverIstioalsInflightBytes.Add(ctx, admitted)
		err = r.handleMessage(ctx, msg.b, &st)
		st.Release()
		r.inflight.Release(admitted)
		r.telemetry.ReceiverIstioalsInflightBytes.Add(context.WithoutCancel(ctx), -admitted)
		if err != nil {
			return err
		}
	}
}

// handleMessage converts one message and hands its records to the
// pipeline.
func (r *alsReceiver) handleMessage(ctx context.Context, b []byte, st *convert.Stream) error {
	first := !st.Started()
	logs, counts, err := r.conv.Message(b, st, pcommon.NewTimestampFromTime(time.Now()))
	if err != nil {
		return status.Errorf(codes.InvalidArgument, "istioals: %v", err)
	}
	if first && !st.Identified() {
		r.set.Logger.Debug("ALS stream started without an identifier; records carry no workload")
	}
	n := counts.Total()
	if n == 0 {
		return nil
	}
	opt := attrHTTP
	if counts.TCP > 0 {
		opt = attrTCP
	}
	r.telemetry.ReceiverIstioalsEntriesReceived.Add(ctx, int64(n), opt)
	r.consume(ctx, logs, n, opt)
	return nil
}

// consume hands one message's records to the pipeline. A retryable refusal
// (the memory_limiter, a queue that refuses when full) is retried with
// backoff while the stream waits, which pushes back on Envoy instead of
// dropping: for as long as the stream is open, or for consumer_retry when
// set. A permanent refusal, an expired consumer_retry, or a stream that
// ends (Envoy went away, or shutdown_timeout passed) drops the entries,
// counted and logged.
func (r *alsReceiver) consume(ctx context.Context, logs plog.Logs, n int, opt metric.AddOption) {
	opCtx := r.obsrecv.StartLogsOp(ctx)
	var deadline time.Time
	if r.cfg.ConsumerRetry > 0 {
		deadline = time.Now().Add(r.cfg.ConsumerRetry)
	}
	backoff := 10 * time.Millisecond
	for {
		err := r.next.ConsumeLogs(opCtx, logs)
		if err == nil {
			r.obsrecv.EndLogsOp(opCtx, format, n, nil)
			r.telemetry.ReceiverIstioalsEntriesConverted.Add(ctx, int64(n), opt)
			return
		}
		permanent := consumererror.IsPermanent(err)
		if permanent || (!deadline.IsZero() && time.Now().Add(backoff).After(deadline)) {
			r.drop(ctx, opCtx, n, opt, err, "next consumer refused ALS entries; they are dropped", zap.Bool("permanent", permanent))
			return
		}
		r.telemetry.ReceiverIstioalsConsumerRetries.Add(ctx, 1)
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			r.drop(ctx, opCtx, n, opt, err, "ALS stream ended while the next consumer refused its entries; they are dropped")
			return
		}
		backoff = min(backoff*2, time.Second)
	}
}

// drop counts and logs entries the pipeline never took.
func (r *alsReceiver) drop(ctx, opCtx context.Context, n int, opt metric.AddOption, err error, msg string, extra ...zap.Field) {
	ctx = context.WithoutCancel(ctx)
	r.obsrecv.EndLogsOp(opCtx, format, n, err)
	r.telemetry.ReceiverIstioalsEntriesRefused.Add(ctx, int64(n), opt)
	r.set.Logger.Warn(msg, append([]zap.Field{zap.Int("entries", n), zap.Error(err)}, extra...)...)
}

// checkPrincipal refuses a stream whose client certificate carries none of
// allowed_principals among its URI SANs.
func (r *alsReceiver) checkPrincipal(ctx context.Context) error {
	if len(r.cfg.AllowedPrincipals) == 0 {
		return nil
	}
	p, ok := peer.FromContext(ctx)
	if !ok {
		return status.Error(codes.PermissionDenied, "istioals: no peer information")
	}
	info, ok := p.AuthInfo.(credentials.TLSInfo)
	if !ok || len(info.State.PeerCertificates) == 0 {
		return status.Error(codes.PermissionDenied, "istioals: a client certificate is required")
	}
	for _, u := range info.State.PeerCertificates[0].URIs {
		if slices.Contains(r.cfg.AllowedPrincipals, u.String()) {
			return nil
		}
	}
	r.set.Logger.Warn("refused an ALS stream from a principal not in allowed_principals", zap.String("peer", p.Addr.String()))
	return status.Error(codes.PermissionDenied, "istioals: client principal is not allowed")
}
