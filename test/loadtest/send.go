package loadtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"google.golang.org/grpc"

	"github.com/otelcol-pan/otelcol-pan/internal/testutil"
)

// otlpMethod is OTLP's logs Export.
const otlpMethod = "/opentelemetry.proto.collector.logs.v1.LogsService/Export"

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
	return sendAll(endpoint, c, rate, func(conn *grpc.ClientConn, s int, sc *StreamCorpus, p *pacer) error {
		return sendStream(ctx, conn, sc, s, p)
	})
}

// SendOTLP sends the corpus's OTLP form with unary Export calls, one caller
// per corpus stream, as Istio's envoyOtelAls provider would, at rate
// entries/s in all.
func SendOTLP(ctx context.Context, endpoint string, c *Corpus, rate float64) error {
	return sendAll(endpoint, c, rate, func(conn *grpc.ClientConn, s int, sc *StreamCorpus, p *pacer) error {
		var resp []byte
		for m, b := range sc.OTLP {
			if err := p.wait(ctx, sc.N[m]); err != nil {
				return err
			}
			sc.Sent[m].Store(time.Now().UnixNano())
			for attempt := 0; ; attempt++ {
				err := conn.Invoke(ctx, otlpMethod, &b, &resp)
				if err == nil {
					break
				}
				if attempt > 50 || ctx.Err() != nil {
					return fmt.Errorf("stream %d export %d: %w", s, m, err)
				}
				time.Sleep(20 * time.Millisecond) // refused under pressure: retry, as the SDK would
			}
		}
		return nil
	})
}

// sendAll runs send for every corpus stream at once over one connection,
// each paced to its share of rate entries/s, and joins their errors.
func sendAll(endpoint string, c *Corpus, rate float64, send func(conn *grpc.ClientConn, s int, sc *StreamCorpus, p *pacer) error) error {
	conn, err := testutil.DialRaw(endpoint)
	if err != nil {
		return err
	}
	defer conn.Close()
	var wg sync.WaitGroup
	errs := make([]error, len(c.Streams))
	begin := time.Now()
	for s := range c.Streams {
		p := &pacer{begin: begin, rate: rate / float64(len(c.Streams))}
		wg.Go(func() { errs[s] = send(conn, s, &c.Streams[s], p) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

func sendStream(ctx context.Context, conn *grpc.ClientConn, sc *StreamCorpus, s int, p *pacer) error {
	st, err := conn.NewStream(ctx, &testutil.ALSStream, testutil.ALSMethod)
	if err != nil {
		return err
	}
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
