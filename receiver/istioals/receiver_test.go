package istioals

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"

	"github.com/otelcol-pan/otelcol-pan/internal/alsgen"
	"github.com/otelcol-pan/otelcol-pan/receiver/istioals/internal/metadatatest"
)

// startReceiver runs the receiver on a free loopback port and returns it
// with a client connected to it; it is shut down when the test ends.
func startReceiver(t *testing.T, next consumer.Logs, tt *componenttest.Telemetry, mutate ...func(*Config)) (*alsReceiver, accesslogv3.AccessLogServiceClient) {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.NetAddr.Endpoint = "127.0.0.1:0"
	for _, m := range mutate {
		m(cfg)
	}
	r, err := newReceiver(cfg, metadatatest.NewSettings(tt), next)
	require.NoError(t, err)
	require.NoError(t, r.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, r.Shutdown(context.Background())) })
	conn, err := grpc.NewClient(r.addr.String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return r, accesslogv3.NewAccessLogServiceClient(conn)
}

// openStream opens an ALS stream and sends its first message: n HTTP entries
// from w, with w's identifier, as Envoy starts a stream.
func openStream(t *testing.T, client accesslogv3.AccessLogServiceClient, w alsgen.Workload, n int, at time.Time) accesslogv3.AccessLogService_StreamAccessLogsClient {
	t.Helper()
	stream, err := client.StreamAccessLogs(context.Background())
	require.NoError(t, err)
	first := alsgen.Message(w, "http", 0, n, at)
	first.Identifier = w.Identifier()
	require.NoError(t, stream.Send(first))
	return stream
}

func newTelemetry(t *testing.T) *componenttest.Telemetry {
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	return tt
}

// Envoy sends the identifier only on a stream's first message: records from
// later messages must still carry the workload.
func TestStreamCachesIdentifier(t *testing.T) {
	sink := new(consumertest.LogsSink)
	tt := newTelemetry(t)
	_, client := startReceiver(t, sink, tt)
	w := alsgen.Workload{Namespace: "payments", Name: "checkout", Index: 7}

	stream := openStream(t, client, w, 2, time.Unix(1700000000, 0))
	require.NoError(t, stream.Send(alsgen.Message(w, "tcp", 2, 3, time.Unix(1700000001, 0))))
	_, err := stream.CloseAndRecv()
	require.NoError(t, err)

	require.Equal(t, 5, sink.LogRecordCount())
	kinds := map[string]int{}
	for _, ld := range sink.AllLogs() {
		res := ld.ResourceLogs().At(0).Resource().Attributes()
		pod, ok := res.Get("k8s.pod.name")
		require.True(t, ok, "every message's records carry the stream's workload")
		assert.Equal(t, w.PodName(), pod.Str())
		ns, _ := res.Get("k8s.namespace.name")
		assert.Equal(t, "payments", ns.Str())
		lrs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
		for i := 0; i < lrs.Len(); i++ {
			kinds[lrs.At(i).EventName()]++
			src, _ := lrs.At(i).Attributes().Get("istio.source.workload")
			assert.Equal(t, "checkout", src.Str())
		}
	}
	assert.Equal(t, map[string]int{"envoy.access_log.http": 2, "envoy.access_log.tcp": 3}, kinds)

	assert.Equal(t, map[string]int64{"http": 2, "tcp": 3}, counterByType(t, tt, "otelcol_receiver_istioals_entries_converted"))
	assert.Equal(t, map[string]int64{"http": 2, "tcp": 3}, counterByType(t, tt, "otelcol_receiver_istioals_entries_received"))
}

// flakyConsumer refuses its first calls with a retryable error.
type flakyConsumer struct {
	consumertest.LogsSink
	failures atomic.Int32
}

func (f *flakyConsumer) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	if f.failures.Add(-1) >= 0 {
		return errors.New("memory limit reached")
	}
	return f.LogsSink.ConsumeLogs(ctx, ld)
}

// A retryable refusal is retried for as long as the stream is open (the
// default), so the records arrive however long the pipeline refuses; the
// stream goes on.
func TestTransientConsumerErrorIsRetried(t *testing.T) {
	next := &flakyConsumer{}
	next.failures.Store(6) // about 10+20+…+320 ms of refusals
	tt := newTelemetry(t)
	_, client := startReceiver(t, next, tt)
	w := alsgen.Workload{Namespace: "default", Name: "web"}

	stream := openStream(t, client, w, 4, time.Now())
	require.NoError(t, stream.Send(alsgen.Message(w, "http", 4, 1, time.Now())))
	_, err := stream.CloseAndRecv()
	require.NoError(t, err)
	assert.Equal(t, 5, next.LogRecordCount())
	_, err = tt.GetMetric("otelcol_receiver_istioals_entries_refused")
	require.ErrorContains(t, err, "not found", "nothing is dropped")
	retries := sumOf(t, tt, "otelcol_receiver_istioals_consumer_retries")
	assert.Equal(t, int64(6), retries)
}

// A refusal that outlasts consumer_retry is counted as refused, and the
// stream stays open for the next message.
func TestPersistentConsumerErrorIsCountedAndStreamContinues(t *testing.T) {
	next := &flakyConsumer{}
	next.failures.Store(1 << 30)
	tt := newTelemetry(t)
	_, client := startReceiver(t, next, tt, func(c *Config) { c.ConsumerRetry = 30 * time.Millisecond })
	w := alsgen.Workload{Namespace: "default", Name: "web"}

	stream := openStream(t, client, w, 4, time.Now())
	require.NoError(t, stream.Send(alsgen.Message(w, "tcp", 4, 2, time.Now())))
	_, err := stream.CloseAndRecv()
	require.NoError(t, err, "a refused batch must not end the stream")

	assert.Equal(t, map[string]int64{"http": 4, "tcp": 2}, counterByType(t, tt, "otelcol_receiver_istioals_entries_refused"))
}

// Envoy's streams never end: shutdown must close them within its bound.
func TestShutdownWithOpenStreamIsBounded(t *testing.T) {
	tt := newTelemetry(t)
	r, client := startReceiver(t, consumertest.NewNop(), tt, func(c *Config) { c.ShutdownTimeout = 200 * time.Millisecond })
	openStream(t, client, alsgen.Workload{Namespace: "default", Name: "web"}, 1, time.Now())

	begin := time.Now()
	require.NoError(t, r.Shutdown(context.Background()))
	assert.Less(t, time.Since(begin), 3*time.Second)
}

// While the pipeline refuses, a stream waits; at shutdown the wait ends
// within shutdown_timeout and its entries are counted as refused, not lost
// silently.
func TestShutdownWhileRetryingCountsTheEntries(t *testing.T) {
	next := &flakyConsumer{}
	next.failures.Store(1 << 30)
	tt := newTelemetry(t)
	r, client := startReceiver(t, next, tt, func(c *Config) { c.ShutdownTimeout = 200 * time.Millisecond })
	openStream(t, client, alsgen.Workload{Namespace: "default", Name: "web"}, 3, time.Now())
	require.Eventually(t, func() bool { return next.failures.Load() < 1<<30-1 }, 5*time.Second, 5*time.Millisecond, "the stream is retrying")

	begin := time.Now()
	require.NoError(t, r.Shutdown(context.Background()))
	assert.Less(t, time.Since(begin), 3*time.Second)
	assert.Equal(t, map[string]int64{"http": 3}, counterByType(t, tt, "otelcol_receiver_istioals_entries_refused"))
}

// gatedConsumer blocks every call until open is closed, and records the most
// calls it held at once.
type gatedConsumer struct {
	consumertest.LogsSink
	open            chan struct{}
	inside, maxSeen atomic.Int32
}

func (g *gatedConsumer) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	n := g.inside.Add(1)
	for {
		m := g.maxSeen.Load()
		if n <= m || g.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	<-g.open
	g.inside.Add(-1)
	return g.LogsSink.ConsumeLogs(ctx, ld)
}

// max_inflight_mib bounds what all streams together hold between gRPC and
// the pipeline: with the pipeline stalled, only as many messages as fit are
// converted and waiting; the other streams stop reading until there is room,
// and then everything arrives.
func TestInflightBytesAreBounded(t *testing.T) {
	next := &gatedConsumer{open: make(chan struct{})}
	tt := newTelemetry(t)
	_, client := startReceiver(t, next, tt, func(c *Config) { c.MaxInflightMiB = 1 })

	const streams, perMsg = 80, 60
	w := alsgen.Workload{Namespace: "default", Name: "web"}
	msg := alsgen.Message(w, "http", 0, perMsg, time.Now())
	msg.Identifier = w.Identifier()
	size := proto.Size(msg)
	capacity := (1 << 20) / size
	require.Less(t, capacity, streams, "the test needs more streams than fit")

	errs := make(chan error, streams)
	for range streams {
		go func() {
			stream, err := client.StreamAccessLogs(context.Background())
			if err == nil {
				err = stream.Send(msg)
			}
			if err == nil {
				_, err = stream.CloseAndRecv()
			}
			errs <- err
		}()
	}
	require.Eventually(t, func() bool { return int(next.inside.Load()) == capacity }, 10*time.Second, 5*time.Millisecond,
		"the pipeline holds as many messages as max_inflight_mib admits")
	assert.LessOrEqual(t, sumOf(t, tt, "otelcol_receiver_istioals_inflight_bytes"), int64(1<<20))
	close(next.open)
	for range streams {
		require.NoError(t, <-errs)
	}
	assert.Equal(t, streams*perMsg, next.LogRecordCount())
	assert.Equal(t, int32(capacity), next.maxSeen.Load(), "never more admitted than fit")
	assert.Zero(t, sumOf(t, tt, "otelcol_receiver_istioals_inflight_bytes"), "everything admitted was released")
}

// sumOf adds every data point of one of the receiver's int sums.
func sumOf(t *testing.T, tt *componenttest.Telemetry, name string) int64 {
	t.Helper()
	m, err := tt.GetMetric(name)
	require.NoError(t, err)
	sum, ok := m.Data.(metricdata.Sum[int64])
	require.True(t, ok, "%s is a sum", name)
	var total int64
	for _, dp := range sum.DataPoints {
		total += dp.Value
	}
	return total
}

// counterByType reads one of the receiver's counters by its entry_type.
func counterByType(t *testing.T, tt *componenttest.Telemetry, name string) map[string]int64 {
	t.Helper()
	m, err := tt.GetMetric(name)
	require.NoError(t, err)
	sum, ok := m.Data.(metricdata.Sum[int64])
	require.True(t, ok, "%s is a sum", name)
	out := map[string]int64{}
	for _, dp := range sum.DataPoints {
		v, _ := dp.Attributes.Value("entry_type")
		out[v.AsString()] += dp.Value
	}
	return out
}
