package alsgen

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"
)

// Stream is what one ALS stream sends, in order. Like Envoy, the client puts
// the identifier on the first message only; Messages' own identifiers after
// the first are stripped.
type Stream struct {
	Identifier *accesslogv3.StreamAccessLogsMessage_Identifier
	// Next returns the stream's i-th message and how many entries it holds,
	// or nil when the stream is done.
	Next func(i int) (*accesslogv3.StreamAccessLogsMessage, int)
}

// Options control a run.
type Options struct {
	Endpoint string
	// Rate is the total entries per second over all streams; 0 sends as fast
	// as the server takes them.
	Rate float64
	// Creds secures the connection; nil means plaintext.
	Creds credentials.TransportCredentials
	// Wait keeps retrying the first connection for this long, so that a
	// collector that is still starting is waited for.
	Wait time.Duration
}

// Result counts what a run sent.
type Result struct {
	Streams  int
	Messages int64
	Entries  int64
	Elapsed  time.Duration
}

// Run opens one gRPC connection and one ALS stream per element of streams,
// sends every message and closes each stream, waiting for the server's
// response so that a nil error means the server read everything.
func Run(ctx context.Context, opts Options, streams []Stream) (Result, error) {
	creds := opts.Creds
	if creds == nil {
		creds = insecure.NewCredentials()
	}
	conn, err := grpc.NewClient(opts.Endpoint, grpc.WithTransportCredentials(creds))
	if err != nil {
		return Result{}, err
	}
	defer conn.Close()
	client := accesslogv3.NewAccessLogServiceClient(conn)
	if err := waitReady(ctx, conn, opts.Wait); err != nil {
		return Result{}, err
	}

	var messages, entries atomic.Int64
	perStream := opts.Rate / float64(max(len(streams), 1))
	begin := time.Now()
	errs := make([]error, len(streams))
	var wg sync.WaitGroup
	for s := range streams {
		wg.Go(func() {
			errs[s] = runStream(ctx, client, streams[s], perStream, &messages, &entries)
		})
	}
	wg.Wait()
	return Result{Streams: len(streams), Messages: messages.Load(), Entries: entries.Load(), Elapsed: time.Since(begin)}, errors.Join(errs...)
}

func waitReady(ctx context.Context, conn *grpc.ClientConn, wait time.Duration) error {
	if wait <= 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	conn.Connect()
	for {
		st := conn.GetState()
		if st.String() == "READY" {
			return nil
		}
		if !conn.WaitForStateChange(ctx, st) {
			return fmt.Errorf("ALS server at %s not ready after %s (state %s)", conn.Target(), wait, st)
		}
	}
}

func runStream(ctx context.Context, client accesslogv3.AccessLogServiceClient, s Stream, rate float64, messages, entries *atomic.Int64) error {
	stream, err := client.StreamAccessLogs(ctx)
	if err != nil {
		return err
	}
	begin := time.Now()
	sent := 0
	for i := 0; ; i++ {
		msg, n := s.Sent(i)
		if msg == nil {
			break
		}
		if rate > 0 {
			due := begin.Add(time.Duration(float64(sent) / rate * float64(time.Second)))
			if d := time.Until(due); d > 0 {
				select {
				case <-time.After(d):
				case <-ctx.Done():
					return ctx.Err()
				}
			}
		}
		if err := stream.Send(msg); err != nil {
			// A failed Send means the server ended the stream: its status,
			// from CloseAndRecv, says why.
			if _, rerr := stream.CloseAndRecv(); rerr != nil {
				return fmt.Errorf("send: %v: %w", err, rerr)
			}
			return fmt.Errorf("send: %w", err)
		}
		sent += n
		messages.Add(1)
		entries.Add(int64(n))
	}
	_, err = stream.CloseAndRecv()
	return err
}

// Sent returns the stream's i-th message exactly as Run sends it, and how
// many entries it holds; nil when the stream is done. As Envoy does, only the
// first message carries the identifier: s.Identifier if set, else the first
// message's own; later messages' identifiers are stripped.
func (s Stream) Sent(i int) (*accesslogv3.StreamAccessLogsMessage, int) {
	msg, n := s.Next(i)
	if msg == nil {
		return nil, 0
	}
	if i == 0 {
		if s.Identifier != nil {
			msg = proto.CloneOf(msg)
			msg.Identifier = s.Identifier
		}
	} else if msg.GetIdentifier() != nil {
		msg = proto.CloneOf(msg)
		msg.Identifier = nil
	}
	return msg, n
}

// Synthetic returns streams that send total entries between them, batch
// entries a message, from workloads spread over namespaces.
func Synthetic(kind string, namespaces []string, streams, total, batch int) []Stream {
	out := make([]Stream, streams)
	start := time.Now()
	for s := range out {
		w := Workload{Namespace: namespaces[s%len(namespaces)], Name: fmt.Sprintf("app%d", s/len(namespaces)), Index: s}
		share := total / streams
		if s < total%streams {
			share++
		}
		out[s] = Stream{
			Identifier: w.Identifier(),
			Next: func(i int) (*accesslogv3.StreamAccessLogsMessage, int) {
				first := i * batch
				if first >= share {
					return nil, 0
				}
				n := min(batch, share-first)
				return Message(w, kind, s*1_000_000+first, n, start.Add(time.Duration(first)*time.Millisecond)), n
			},
		}
	}
	return out
}

// Replay returns one stream per message, each sending its message repeat
// times: the identifier rides the first send only, as Envoy does.
func Replay(msgs []*accesslogv3.StreamAccessLogsMessage, repeat int) []Stream {
	streams := make([][]*accesslogv3.StreamAccessLogsMessage, len(msgs))
	for k, m := range msgs {
		streams[k] = []*accesslogv3.StreamAccessLogsMessage{m}
	}
	return ReplayStreams(streams, repeat)
}

// ReplayStreams returns one stream per element of streams (the messages of
// one recorded stream, as alsmsg.ReadStream reads a file), each sending its
// messages in order, repeat times over: the identifier rides the first send
// only, as Envoy does.
func ReplayStreams(streams [][]*accesslogv3.StreamAccessLogsMessage, repeat int) []Stream {
	out := make([]Stream, len(streams))
	for k, msgs := range streams {
		out[k] = Stream{Next: func(i int) (*accesslogv3.StreamAccessLogsMessage, int) {
			if len(msgs) == 0 || i >= repeat*len(msgs) {
				return nil, 0
			}
			return msgs[i%len(msgs)], Entries(msgs[i%len(msgs)])
		}}
	}
	return out
}

// Entries counts a message's HTTP and TCP entries.
func Entries(m *accesslogv3.StreamAccessLogsMessage) int {
	return len(m.GetHttpLogs().GetLogEntry()) + len(m.GetTcpLogs().GetLogEntry())
}
