package loadtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// rawCodec sends pre-marshalled bytes as they are.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return *(v.(*[]byte)), nil }
func (rawCodec) Unmarshal(data []byte, v any) error {
	*(v.(*[]byte)) = append((*(v.(*[]byte)))[:0], data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

var alsDesc = grpc.StreamDesc{StreamName: "StreamAccessLogs", ClientStreams: true}

const (
	alsMethod  = "/envoy.service.accesslog.v3.AccessLogService/StreamAccessLogs"
	otlpMethod = "/opentelemetry.proto.collector.logs.v1.LogsService/Export"
)

// pacer spaces one stream's sends to its share of the rate (0: unpaced).
type pacer struct {
	begin time.Time
	rate  float64
	sent  int
}

func (p *pacer) wait(ctx context.Context, n int) error {
	if p.rate > 0 {
		due := p.begin.Add(time.Duration(float64(p.sent) / p.rate * float64(time.Second)))
		if d := time.Until(due); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	p.sent += n
	return nil
}

// SendALS streams the corpus to an ALS server, one gRPC stream per corpus
// stream over one connection, at rate entries/s in all (0: as fast as it goes).
func SendALS(ctx context.Context, endpoint string, c *Corpus, rate float64) error {
	conn, err := grpc.NewClient(endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{})))
	if err != nil {
		return err
	}
	defer conn.Close()
	var wg sync.WaitGroup
	errs := make([]error, len(c.Streams))
	begin := time.Now()
	for s := range c.Streams {
		sc := &c.Streams[s]
		wg.Go(func() { errs[s] = sendStream(ctx, conn, sc, s, begin, rate/float64(len(c.Streams))) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

func sendStream(ctx context.Context, conn *grpc.ClientConn, sc *StreamCorpus, s int, begin time.Time, rate float64) error {
	st, err := conn.NewStream(ctx, &alsDesc, alsMethod)
	if err != nil {
		return err
	}
	p := pacer{begin: begin, rate: rate}
	for m, b := range sc.ALS {
		if err := p.wait(ctx, sc.N[m]); err != nil {
			return err
		}
		sc.Sent[m].Store(time.Now().UnixNano())
		if err := st.SendMsg(&b); err != nil {
			var resp []byte
			return fmt.Errorf("stream %d message %d: %w (%v)", s, m, err, st.RecvMsg(&resp))
		}
	}
	if err := st.CloseSend(); err != nil {
		return err
	}
	var resp []byte
	return st.RecvMsg(&resp)
}

// SendOTLP sends the corpus's OTLP form with unary Export calls, one caller
// per corpus stream, as Istio's envoyOtelAls provider would.
func SendOTLP(ctx context.Context, endpoint string, c *Corpus, rate float64) error {
	conn, err := grpc.NewClient(endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{})))
	if err != nil {
		return err
	}
	defer conn.Close()
	var wg sync.WaitGroup
	errs := make([]error, len(c.Streams))
	begin := time.Now()
	for s := range c.Streams {
		sc := &c.Streams[s]
		wg.Go(func() {
			p := pacer{begin: begin, rate: rate / float64(len(c.Streams))}
			var resp []byte
			for m, b := range sc.OTLP {
				if err := p.wait(ctx, sc.N[m]); err != nil {
					errs[s] = err
					return
				}
				sc.Sent[m].Store(time.Now().UnixNano())
				for attempt := 0; ; attempt++ {
					err := conn.Invoke(ctx, otlpMethod, &b, &resp)
					if err == nil {
						break
					}
					if attempt > 50 || ctx.Err() != nil {
						errs[s] = fmt.Errorf("stream %d export %d: %w", s, m, err)
						return
					}
					time.Sleep(20 * time.Millisecond) // refused under pressure: retry, as the SDK would
				}
			}
		})
	}
	wg.Wait()
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
