package serviceentry

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	datav3 "github.com/envoyproxy/go-control-plane/envoy/data/accesslog/v3"
	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-pan/otelcol-pan/exporter/serviceentry/internal/metadatatest"
	"github.com/otelcol-pan/otelcol-pan/internal/alsgen"
	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
	"github.com/otelcol-pan/otelcol-pan/receiver/istioals"
)

// pipeline is the istioals receiver, with its real conversion of Envoy's
// ALS messages, feeding a serviceentry exporter; alsgen streams to it over
// real gRPC.
type pipeline struct {
	exp      exporter.Logs
	rcv      receiver.Logs
	endpoint string
	tt       *componenttest.Telemetry
	logs     *observer.ObservedLogs
	stopped  bool
}

func testConfig(t *testing.T) *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.Directory = filepath.Join(t.TempDir(), "egress")
	cfg.Interval = time.Hour // the tests see what shutdown writes
	return cfg
}

func startPipeline(t *testing.T, cfg *Config, host component.Host) *pipeline {
	t.Helper()
	ctx := context.Background()
	p := &pipeline{tt: componenttest.NewTelemetry()}
	t.Cleanup(func() { require.NoError(t, p.tt.Shutdown(ctx)) })
	set := metadatatest.NewSettings(p.tt)
	core, logs := observer.New(zap.InfoLevel)
	set.Logger, p.logs = zap.New(core), logs
	var err error
	p.exp, err = NewFactory().CreateLogs(ctx, set, cfg)
	require.NoError(t, err)
	require.NoError(t, p.exp.Start(ctx, host))

	rf := istioals.NewFactory()
	rcfg := rf.CreateDefaultConfig().(*istioals.Config)
	p.endpoint = freeAddr(t)
	rcfg.NetAddr.Endpoint = p.endpoint
	p.rcv, err = rf.CreateLogs(ctx, receivertest.NewNopSettings(rf.Type()), rcfg, p.exp)
	require.NoError(t, err)
	require.NoError(t, p.rcv.Start(ctx, componenttest.NewNopHost()))
	t.Cleanup(func() { p.stop(t) })
	return p
}

// send streams to the receiver and returns once it has consumed everything.
func (p *pipeline) send(t *testing.T, streams ...alsgen.Stream) {
	t.Helper()
	_, err := alsgen.Run(context.Background(), alsgen.Options{Endpoint: p.endpoint, Wait: 10 * time.Second}, streams)
	require.NoError(t, err)
}

// stop shuts the receiver and then the exporter down: the exporter's last
// write happens here.
func (p *pipeline) stop(t *testing.T) {
	if p.stopped {
		return
	}
	p.stopped = true
	require.NoError(t, p.rcv.Shutdown(context.Background()))
	require.NoError(t, p.exp.Shutdown(context.Background()))
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// The mesh of the tests: three workloads in two namespaces.
var (
	checkout = alsgen.Workload{Namespace: "payments", Name: "checkout", Index: 1}
	billing  = alsgen.Workload{Namespace: "payments", Name: "billing", Index: 2}
	web      = alsgen.Workload{Namespace: "shop", Name: "web", Index: 3}

	stripe  = alsgen.EgressDest{Cluster: mesh.PassthroughCluster, Host: "api.stripe.com", IP: "198.51.100.10", Port: 443}
	httpbin = alsgen.EgressDest{Cluster: mesh.PassthroughCluster, Host: "httpbin.org", IP: "198.51.100.20", Port: 80}
	pg      = alsgen.EgressDest{Cluster: mesh.PassthroughCluster, IP: "203.0.113.7", Port: 5432}
	exfil   = alsgen.EgressDest{Cluster: mesh.BlackHoleCluster, Host: "exfil.example.net", IP: "192.0.2.50", Port: 443}
)

// meshTraffic is each workload's egress, interleaved with in-mesh requests
// and connections that must teach nothing: checkout and billing call Stripe
// over TLS, billing reaches a database by bare IP, web fetches httpbin.org
// over plain HTTP and is refused exfil.example.net at the BlackHoleCluster.
func meshTraffic(rounds int) []alsgen.Stream {
	start := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	at := func(i int) time.Time { return start.Add(time.Duration(i) * time.Minute) }
	var streams []alsgen.Stream
	for _, w := range []alsgen.Workload{checkout, billing, web} {
		var msgs []*accesslogMessage
		for i := range rounds {
			msgs = append(msgs, alsgen.Message(w, "http", i*10, 3, at(i)), alsgen.Message(w, "tcp", i*10+5, 2, at(i)))
			switch w {
			case checkout:
				msgs = append(msgs, alsgen.EgressTCPMessage(alsgen.EgressTLSEntry(w, stripe, i, at(i))))
			case billing:
				msgs = append(msgs, alsgen.EgressTCPMessage(alsgen.EgressTLSEntry(w, stripe, i, at(i)), alsgen.EgressTCPEntry(w, pg, i, at(i))))
			case web:
				msgs = append(msgs, alsgen.EgressHTTPMessage(alsgen.EgressHTTPEntry(w, httpbin, i, at(i))),
					alsgen.EgressTCPMessage(alsgen.EgressTLSEntry(w, exfil, i, at(i))))
			}
		}
		streams = append(streams, alsgen.EgressStream(w, msgs...))
	}
	return streams
}

// readDir returns the names of the .yaml files under dir/sub.
func yamlFiles(t *testing.T, dir, sub string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, sub))
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	slices.Sort(out)
	return out
}

func readFile(t *testing.T, path ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(path...))
	require.NoError(t, err)
	return b
}

func readReport(t *testing.T, dir string) report {
	t.Helper()
	var r report
	require.NoError(t, json.Unmarshal(readFile(t, dir, reportFile), &r))
	return r
}

type (
	accesslogMessage = accesslogv3.StreamAccessLogsMessage
	httpEntry        = datav3.HTTPAccessLogEntry
)

// storageHost offers a real file_storage extension to the exporter.
type storageHost struct {
	component.Host
	ext component.Component
}

func (h *storageHost) GetExtensions() map[component.ID]component.Component {
	return map[component.ID]component.Component{component.MustNewID("file_storage"): h.ext}
}

func (h *storageHost) shutdown(t *testing.T) {
	require.NoError(t, h.ext.Shutdown(context.Background()))
}

func startFileStorage(t *testing.T, dir string) *storageHost {
	t.Helper()
	f := filestorage.NewFactory()
	cfg := f.CreateDefaultConfig().(*filestorage.Config)
	cfg.Directory = dir
	ext, err := f.Create(context.Background(), extensiontest.NewNopSettings(f.Type()), cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	return &storageHost{Host: componenttest.NewNopHost(), ext: ext}
}

func mkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }

func writeTestFile(t *testing.T, path string) {
	require.NoError(t, os.WriteFile(path, []byte("x"), 0o644))
}
