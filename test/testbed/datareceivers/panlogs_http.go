package datareceivers

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/testbed/testbed"
	"go.opentelemetry.io/collector/consumer"
)

// HTTPReceiver is a log collector in the style of Cortex XSIAM/XDR's HTTP
// collector: POSTs of newline-delimited records, optionally gzipped, with
// an Authorization token. A request is answered 200 only after all its
// records went to the mock backend, so an exporter retry never loses one.
type HTTPReceiver struct {
	panlogsBase
	token string

	srvMu    sync.Mutex
	srv      *http.Server
	done     chan struct{}
	requests atomic.Int64
	refused  atomic.Int64
}

var _ Outage = (*HTTPReceiver)(nil)

// NewHTTPReceiver reads format lines POSTed to http://127.0.0.1:port/logs/v1/event.
func NewHTTPReceiver(port int, format string) *HTTPReceiver {
	return &HTTPReceiver{
		panlogsBase: panlogsBase{DataReceiverBase: testbed.DataReceiverBase{Port: port}, format: format},
		token:       "testbed-api-key",
	}
}

// GenConfigYAMLStr is the collector's exporter section, with the timeouts
// of examples/cortex-xsiam-http.yaml: a request of thousands of records
// may take a slow collector (here: a test process on busy cores) more than
// the 5 s default, and a request that times out after it was taken is sent
// again, a duplicate.
func (r *HTTPReceiver) GenConfigYAMLStr() string {
	return r.exporterConfig(fmt.Sprintf(`    transport: http
    http:
      endpoint: "http://%s/logs/v1/event"
      headers:
        Authorization: "%s"
      compression: gzip
      timeout: 30s
    timeout: 30s
`, r.addr(), r.token))
}

// Requests counts the POSTs answered 200; Refused those answered otherwise.
func (r *HTTPReceiver) Requests() int64 { return r.requests.Load() }

// Refused counts the POSTs refused (wrong token, bad body, backend error).
func (r *HTTPReceiver) Refused() int64 { return r.refused.Load() }

// Start listens and feeds lc. After a Stop it listens again on the same port.
func (r *HTTPReceiver) Start(_ consumer.Traces, _ consumer.Metrics, lc consumer.Logs) error {
	r.setConsumer(lc)
	ln, err := net.Listen("tcp", r.addr())
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /logs/v1/event", r.handle)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	r.srvMu.Lock()
	r.srv, r.done = srv, done
	r.srvMu.Unlock()
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Printf("http receiver: %v", err)
		}
	}()
	return nil
}

// Stop shuts the server down gracefully: it stops listening, and requests
// in progress are answered before it returns (so each is either delivered
// and acknowledged, or refused and retried by the exporter).
func (r *HTTPReceiver) Stop() error {
	r.srvMu.Lock()
	srv, done := r.srv, r.done
	r.srv = nil
	r.srvMu.Unlock()
	if srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := srv.Shutdown(ctx)
	<-done
	return err
}

func (r *HTTPReceiver) handle(w http.ResponseWriter, req *http.Request) {
	if req.Header.Get("Authorization") != r.token {
		r.refuse(w, http.StatusUnauthorized, "wrong or missing Authorization")
		return
	}
	var body io.Reader = req.Body
	switch enc := req.Header.Get("Content-Encoding"); enc {
	case "":
	case "gzip":
		zr, err := gzip.NewReader(req.Body)
		if err != nil {
			r.refuse(w, http.StatusBadRequest, err.Error())
			return
		}
		defer zr.Close()
		body = zr
	default:
		r.refuse(w, http.StatusUnsupportedMediaType, "Content-Encoding "+enc)
		return
	}
	data, err := io.ReadAll(body)
	if err != nil {
		r.refuse(w, http.StatusBadRequest, err.Error())
		return
	}
	if len(data) == 0 || data[len(data)-1] != '\n' {
		r.refuse(w, http.StatusBadRequest, "the body does not end with a newline")
		return
	}
	lines := bytes.Split(data[:len(data)-1], []byte{'\n'})
	if err := r.consume(lines, nil); err != nil {
		r.refuse(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	r.requests.Add(1)
	w.WriteHeader(http.StatusOK)
}

func (r *HTTPReceiver) refuse(w http.ResponseWriter, status int, why string) {
	r.refused.Add(1)
	http.Error(w, why, status)
}

// Pause takes the backend away: the collector finds nothing listening.
func (r *HTTPReceiver) Pause() error { return r.Stop() }

// Resume brings it back on the same port, feeding the same mock backend.
func (r *HTTPReceiver) Resume() error { return r.Start(nil, nil, r.currentConsumer()) }
