// Package datasenders holds the testbed's Envoy ALS data sender: a real gRPC
// client of envoy.service.accesslog.v3.AccessLogService that streams the load
// generator's log records to otelcol-pan's istioals receiver as a fleet of
// Istio sidecars would.
package datasenders

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	datav3 "github.com/envoyproxy/go-control-plane/envoy/data/accesslog/v3"
	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"github.com/open-telemetry/opentelemetry-collector-contrib/testbed/testbed"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/otelcol-pan/otelcol-pan/test/testbed/meshattr"
)

// ALSSender is a testbed.LogDataSender speaking Envoy ALS v3. Each pod (a
// ResourceLogs' k8s.pod.name) is one sidecar with two access loggers, so two
// streams: HTTP entries on one, TCP entries on the other, as Istio's
// envoyHttpAls and envoyTcpAls providers configure Envoy. Like Envoy, a
// stream sends its node identifier on its first message only and then stays
// open; each sidecar has its own gRPC connection unless PodsPerConnection
// says otherwise.
type ALSSender struct {
	testbed.DataSenderBase
	entriesPerMessage int
	podsPerConnection int

	mu      sync.Mutex
	pods    map[string]int // pod → the order it was first seen in
	conns   map[int]*grpc.ClientConn
	streams map[streamKey]*alsStream

	opened atomic.Int64
}

type streamKey struct {
	pod string // namespace/name
	tcp bool
}

// alsStream is one open StreamAccessLogs call. Its lock orders the sends of
// the load generator's parallel workers.
type alsStream struct {
	mu         sync.Mutex
	call       grpc.ClientStreamingClient[accesslogv3.StreamAccessLogsMessage, accesslogv3.StreamAccessLogsResponse]
	cancel     context.CancelFunc
	identifier *accesslogv3.StreamAccessLogsMessage_Identifier // until the first send
}

var _ testbed.LogDataSender = (*ALSSender)(nil)

// NewALSSender sends to the istioals receiver it configures on host:port.
func NewALSSender(host string, port int) *ALSSender {
	return &ALSSender{
		DataSenderBase: testbed.DataSenderBase{Host: host, Port: port},
		// Envoy flushes its ALS buffer at 16 KiB: a few dozen entries.
		entriesPerMessage: 32,
		podsPerConnection: 1,
		pods:              map[string]int{},
		conns:             map[int]*grpc.ClientConn{},
		streams:           map[streamKey]*alsStream{},
	}
}

// WithEntriesPerMessage caps the entries of one ALS message.
func (s *ALSSender) WithEntriesPerMessage(n int) *ALSSender {
	s.entriesPerMessage = max(n, 1)
	return s
}

// WithPodsPerConnection multiplexes the streams of n pods on one gRPC
// connection (an Envoy per pod has its own; a waypoint or gateway carries
// many).
func (s *ALSSender) WithPodsPerConnection(n int) *ALSSender {
	s.podsPerConnection = max(n, 1)
	return s
}

// Start does nothing: connections and streams open on first use.
func (*ALSSender) Start() error { return nil }

// GenConfigYAMLStr is the collector's receiver section.
func (s *ALSSender) GenConfigYAMLStr() string {
	return fmt.Sprintf(`
  istioals:
    endpoint: "%s"`, s.GetEndpoint())
}

// ProtocolName is the receiver's type.
func (*ALSSender) ProtocolName() string { return "istioals" }

// Capabilities: the sender does not change the records.
func (*ALSSender) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

// StreamsOpened counts the ALS streams opened so far.
func (s *ALSSender) StreamsOpened() int64 { return s.opened.Load() }

// ConsumeLogs sends every record as an Envoy entry on its pod's stream.
// Conversion errors are permanent (the records can never be sent); a failed
// send is not, and the stream is opened again next time, identifier first.
func (s *ALSSender) ConsumeLogs(_ context.Context, ld plog.Logs) error {
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		res := rl.Resource().Attributes()
		pod := attrStr(res, meshattr.Namespace) + "/" + attrStr(res, meshattr.PodName)
		var https []*datav3.HTTPAccessLogEntry
		var tcps []*datav3.TCPAccessLogEntry
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				if lr.EventName() == meshattr.EventTCP {
					e, err := tcpEntry(lr)
					if err != nil {
						return consumererror.NewPermanent(err)
					}
					tcps = append(tcps, e)
					continue
				}
				e, err := httpEntry(lr)
				if err != nil {
					return consumererror.NewPermanent(err)
				}
				https = append(https, e)
			}
		}
		for len(https) > 0 {
			n := min(len(https), s.entriesPerMessage)
			msg := &accesslogv3.StreamAccessLogsMessage{LogEntries: &accesslogv3.StreamAccessLogsMessage_HttpLogs{
				HttpLogs: &accesslogv3.StreamAccessLogsMessage_HTTPAccessLogEntries{LogEntry: https[:n]},
			}}
			if err := s.send(streamKey{pod: pod}, res, msg); err != nil {
				return err
			}
			https = https[n:]
		}
		for len(tcps) > 0 {
			n := min(len(tcps), s.entriesPerMessage)
			msg := &accesslogv3.StreamAccessLogsMessage{LogEntries: &accesslogv3.StreamAccessLogsMessage_TcpLogs{
				TcpLogs: &accesslogv3.StreamAccessLogsMessage_TCPAccessLogEntries{LogEntry: tcps[:n]},
			}}
			if err := s.send(streamKey{pod: pod, tcp: true}, res, msg); err != nil {
				return err
			}
			tcps = tcps[n:]
		}
	}
	return nil
}

func (s *ALSSender) send(key streamKey, res pcommon.Map, msg *accesslogv3.StreamAccessLogsMessage) error {
	st, err := s.stream(key, res)
	if err != nil {
		return fmt.Errorf("opening the ALS stream of %s: %w", key.pod, err)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	msg.Identifier = st.identifier
	if err := st.call.Send(msg); err != nil {
		// The server ended the stream; its status says why. Forget the
		// stream so that the next send opens a new one, identifier first.
		s.forget(key, st)
		_, status := st.call.CloseAndRecv()
		st.cancel()
		return fmt.Errorf("ALS stream of %s: %w", key.pod, errors.Join(err, status))
	}
	st.identifier = nil
	return nil
}

// stream returns the open stream for key, opening it (and the pod's
// connection) the first time.
func (s *ALSSender) stream(key streamKey, res pcommon.Map) (*alsStream, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.streams[key]; ok {
		return st, nil
	}
	order, ok := s.pods[key.pod]
	if !ok {
		order = len(s.pods)
		s.pods[key.pod] = order
	}
	conn := s.conns[order/s.podsPerConnection]
	if conn == nil {
		c, err := grpc.NewClient(s.GetEndpoint().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			return nil, err
		}
		conn = c
		s.conns[order/s.podsPerConnection] = conn
	}
	// The stream outlives any one ConsumeLogs call: Envoy keeps it open.
	ctx, cancel := context.WithCancel(context.Background())
	call, err := accesslogv3.NewAccessLogServiceClient(conn).StreamAccessLogs(ctx)
	if err != nil {
		cancel()
		return nil, err
	}
	logName := httpLogName
	if key.tcp {
		logName = tcpLogName
	}
	st := &alsStream{call: call, cancel: cancel, identifier: identifier(res, logName)}
	s.streams[key] = st
	s.opened.Add(1)
	return st, nil
}

func (s *ALSSender) forget(key streamKey, st *alsStream) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.streams[key] == st {
		delete(s.streams, key)
	}
}

// Flush ends every stream and waits for the receiver's answer, so that all
// sent entries have been read by the collector when it returns (a stream
// Send only hands a message to gRPC's buffers). The load generator calls it
// once it has stopped.
func (s *ALSSender) Flush() {
	s.mu.Lock()
	streams, conns := s.streams, s.conns
	s.streams, s.conns, s.pods = map[streamKey]*alsStream{}, map[int]*grpc.ClientConn{}, map[string]int{}
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, st := range streams {
		wg.Go(func() { _ = st.close() })
	}
	wg.Wait()
	for _, c := range conns {
		_ = c.Close()
	}
}

func (st *alsStream) close() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	defer st.cancel()
	_, err := st.call.CloseAndRecv()
	return err
}
