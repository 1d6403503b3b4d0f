package datasenders

import (
	"errors"
	"io"
	"net"
	"sync"
	"testing"

	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"github.com/open-telemetry/opentelemetry-collector-contrib/testbed/testbed"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"

	"github.com/otelcol-pan/otelcol-pan/test/testbed/dataproviders"
)

// alsServer records every stream it is sent, in order.
type alsServer struct {
	accesslogv3.UnimplementedAccessLogServiceServer
	mu      sync.Mutex
	streams [][]*accesslogv3.StreamAccessLogsMessage
}

func (s *alsServer) StreamAccessLogs(stream accesslogv3.AccessLogService_StreamAccessLogsServer) error {
	var msgs []*accesslogv3.StreamAccessLogsMessage
	for {
		m, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			s.mu.Lock()
			s.streams = append(s.streams, msgs)
			s.mu.Unlock()
			return stream.SendAndClose(&accesslogv3.StreamAccessLogsResponse{})
		}
		if err != nil {
			return err
		}
		msgs = append(msgs, m)
	}
}

func (s *alsServer) got() [][]*accesslogv3.StreamAccessLogsMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]*accesslogv3.StreamAccessLogsMessage(nil), s.streams...)
}

func startALSServer(t *testing.T) (*alsServer, int) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := grpc.NewServer()
	als := &alsServer{}
	accesslogv3.RegisterAccessLogServiceServer(srv, als)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	return als, ln.Addr().(*net.TCPAddr).Port
}

// Like a sidecar: one HTTP and one TCP stream per pod, the identifier on
// the first message of each stream only, peers in the filter state.
func TestALSSenderStreamsLikeSidecars(t *testing.T) {
	als, port := startALSServer(t)
	provider := dataproviders.NewIstioProvider(testbed.LoadOptions{ItemsPerBatch: 100}, 2)
	sender := NewALSSender("127.0.0.1", port).WithEntriesPerMessage(16)
	require.NoError(t, sender.Start())
	for range 4 { // two batches per pod
		ld, _ := provider.GenerateLogs()
		require.NoError(t, sender.ConsumeLogs(t.Context(), ld))
	}
	sender.Flush() // returns once the server has read every stream

	streams := als.got()
	require.Len(t, streams, 4, "two pods, two access loggers each")
	require.EqualValues(t, 4, sender.StreamsOpened())
	entries := 0
	peers := map[string]int{}
	for _, msgs := range streams {
		require.NotEmpty(t, msgs)
		id := msgs[0].GetIdentifier()
		require.NotNil(t, id, "the first message carries the identifier")
		assert.Contains(t, []string{httpLogName, tcpLogName}, id.GetLogName())
		assert.Regexp(t, `^sidecar~10\.0\.0\.\d+~[a-z0-9-]+\.[a-z]+~[a-z]+\.svc\.cluster\.local$`, id.GetNode().GetId())
		assert.NotEmpty(t, id.GetNode().GetMetadata().GetFields()["WORKLOAD_NAME"].GetStringValue())
		for i, m := range msgs {
			if i > 0 {
				assert.Nil(t, m.GetIdentifier(), "only the first message carries the identifier")
			}
			if id.GetLogName() == tcpLogName {
				require.Nil(t, m.GetHttpLogs(), "TCP entries only on the TCP logger's stream")
				for _, e := range m.GetTcpLogs().GetLogEntry() {
					for k := range e.GetCommonProperties().GetFilterStateObjects() {
						peers[k]++
					}
				}
				entries += len(m.GetTcpLogs().GetLogEntry())
				continue
			}
			require.Nil(t, m.GetTcpLogs(), "HTTP entries only on the HTTP logger's stream")
			assert.LessOrEqual(t, len(m.GetHttpLogs().GetLogEntry()), 16)
			for _, e := range m.GetHttpLogs().GetLogEntry() {
				for k := range e.GetCommonProperties().GetFilterStateObjects() {
					peers[k]++
				}
			}
			entries += len(m.GetHttpLogs().GetLogEntry())
		}
	}
	assert.Equal(t, 400, entries)
	assert.Positive(t, peers["upstream_peer"], "outbound in-mesh entries name the server")
	assert.Positive(t, peers["downstream_peer"], "inbound entries name the client")

	// After a flush the streams are new: identifier first again.
	ld, _ := provider.GenerateLogs()
	require.NoError(t, sender.ConsumeLogs(t.Context(), ld))
	sender.Flush()
	streams = als.got()
	require.Len(t, streams, 6)
	assert.NotNil(t, streams[4][0].GetIdentifier())
	assert.NotNil(t, streams[5][0].GetIdentifier())
}
