// Command alsgen is an Envoy ALS v3 client: it replays recorded streams
// (.msg files, protobuf JSON), sends the sample mesh, or synthesises Istio
// sidecar traffic, over real gRPC streams, at a chosen rate; or it records
// any of these into .msg files instead of sending them.
//
//	alsgen -replay testdata/als/mesh                            # each file on its own stream
//	alsgen -mesh                                                # the sample mesh, straight from the generator
//	alsgen -mesh -record testdata/als/mesh                      # write the sample mesh's files (make samples)
//	alsgen -synth 100000 -streams 8 -rate 10000 -kind mixed     # synthetic load
//	alsgen -synth 100 -kind egress -namespaces payments         # traffic leaving the mesh
//
// The same traffic through Istio's two other data paths, besides (or, with
// -endpoint "", instead of) ALS:
//
//	alsgen -replay … -otlp localhost:4317 -otlp-format labels   # envoyOtelAls: Istio's labels (or text)
//	alsgen -replay … -ztunnel-log ztunnel.log -ztunnel-format json  # ambient: ztunnel's access lines
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"google.golang.org/grpc/credentials"

	"github.com/otelcol-pan/otelcol-pan/internal/alsgen"
	"github.com/otelcol-pan/otelcol-pan/internal/alsmsg"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "alsgen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("alsgen", flag.ContinueOnError)
	endpoint := fs.String("endpoint", "localhost:9001", "ALS server `host:port`")
	replay := fs.String("replay", "", "comma-separated .msg files or directories to replay, each file on its own stream")
	repeat := fs.Int("repeat", 1, "send each replayed stream's messages this many times over")
	mesh := fs.Bool("mesh", false, "the sample mesh: a fixed set of streams from a small shop (gateway, sidecars, mTLS, egress, denials)")
	record := fs.String("record", "", "write the streams to `dir`/<stream>.msg, as they would be sent, instead of sending them")
	synth := fs.Int("synth", 0, "synthesise this many entries in all")
	kind := fs.String("kind", "http", "synthetic entry kind: http, tcp, mixed (http and tcp) or egress (http to hosts outside the mesh)")
	namespaces := fs.String("namespaces", "default", "comma-separated namespaces the synthetic workloads live in")
	streams := fs.Int("streams", 1, "number of concurrent synthetic streams (one workload each)")
	batch := fs.Int("batch", 30, "synthetic entries per message (Envoy flushes ~30 per 16 KiB)")
	rate := fs.Float64("rate", 0, "entries per second over all streams; 0 is as fast as the server takes them")
	wait := fs.Duration("wait", 10*time.Second, "how long to wait for the server to accept connections")
	caFile := fs.String("ca", "", "CA file to verify the server with (enables TLS)")
	certFile := fs.String("cert", "", "client certificate for mTLS")
	keyFile := fs.String("key", "", "client key for mTLS")
	serverName := fs.String("server-name", "", "TLS server name to verify")
	otlp := fs.String("otlp", "", "also send the entries as Istio's envoyOtelAls provider does, over OTLP/gRPC to `host:port`")
	otlpFormat := fs.String("otlp-format", alsgen.OTLPText, "envoyOtelAls record shape: text (Envoy's default line as the body) or labels (Istio's label names)")
	otlpResource := fs.String("otlp-resource", "k8s", "envoyOtelAls resource: k8s (the proxy's pod, as k8s_attributes adds it) or none (as Istio sends it)")
	ztunnelLog := fs.String("ztunnel-log", "", "also append the line ztunnel would write for each connection (ambient mode) to this `file`")
	ztunnelFormat := fs.String("ztunnel-format", alsgen.ZtunnelPlain, "ztunnel's log format: plain or json (LOG_FORMAT=json)")
	ztunnelCRI := fs.Bool("ztunnel-cri", false, "frame the ztunnel lines as the kubelet writes container logs (for file_log's container operator)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case *otlpFormat != alsgen.OTLPText && *otlpFormat != alsgen.OTLPLabels:
		return fmt.Errorf("-otlp-format %q: want text or labels", *otlpFormat)
	case *otlpResource != "k8s" && *otlpResource != "none":
		return fmt.Errorf("-otlp-resource %q: want k8s or none", *otlpResource)
	case *ztunnelFormat != alsgen.ZtunnelPlain && *ztunnelFormat != alsgen.ZtunnelJSON:
		return fmt.Errorf("-ztunnel-format %q: want plain or json", *ztunnelFormat)
	}

	var streamList []alsgen.NamedStream
	sources := 0
	for _, on := range []bool{*replay != "", *synth > 0, *mesh} {
		if on {
			sources++
		}
	}
	switch {
	case sources > 1:
		return errors.New("-replay, -mesh and -synth are exclusive")
	case *replay != "":
		files, err := alsmsg.Files(strings.Split(*replay, ",")...)
		if err != nil {
			return err
		}
		recorded := make([][]*accesslogv3.StreamAccessLogsMessage, 0, len(files))
		for _, f := range files {
			msgs, err := alsmsg.ReadStream(f)
			if err != nil {
				return err
			}
			recorded = append(recorded, msgs)
		}
		for i, s := range alsgen.ReplayStreams(recorded, *repeat) {
			streamList = append(streamList, alsgen.NamedStream{Name: strings.TrimSuffix(filepath.Base(files[i]), ".msg"), Stream: s})
		}
	case *mesh:
		streamList = alsgen.Mesh()
	case *synth > 0:
		switch *kind {
		case "http", "tcp", "mixed", "egress":
		default:
			return fmt.Errorf("-kind %q: want http, tcp, mixed or egress", *kind)
		}
		if *streams < 1 || *batch < 1 {
			return errors.New("-streams and -batch must be at least 1")
		}
		for i, s := range alsgen.Synthetic(*kind, strings.Split(*namespaces, ","), *streams, *synth, *batch) {
			streamList = append(streamList, alsgen.NamedStream{Name: fmt.Sprintf("synth-%s-%03d", *kind, i), Stream: s})
		}
	default:
		return errors.New("nothing to send: give -replay, -mesh or -synth")
	}

	if *record != "" {
		note := alsgen.MeshNote
		if !*mesh {
			note = "Recorded by `alsgen " + strings.Join(args, " ") + "`."
		}
		if err := alsgen.Record(*record, note, streamList); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "alsgen: recorded %d streams in %s\n", len(streamList), *record)
		return nil
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	plain := make([]alsgen.Stream, len(streamList))
	for i, s := range streamList {
		plain[i] = s.Stream
	}
	if *otlp != "" || *ztunnelLog != "" {
		if err := otherPaths(ctx, plain, *otlp, *otlpFormat, *otlpResource == "k8s", *wait, *ztunnelLog, *ztunnelFormat, *ztunnelCRI); err != nil {
			return err
		}
	}
	if *endpoint == "" {
		return nil
	}

	opts := alsgen.Options{Endpoint: *endpoint, Rate: *rate, Wait: *wait}
	if *caFile != "" {
		creds, err := tlsCreds(*caFile, *certFile, *keyFile, *serverName)
		if err != nil {
			return err
		}
		opts.Creds = creds
	}
	res, err := alsgen.Run(ctx, opts, plain)
	fmt.Fprintf(os.Stderr, "alsgen: sent %d entries in %d messages over %d streams in %s (%.0f entries/s)\n",
		res.Entries, res.Messages, res.Streams, res.Elapsed.Round(time.Millisecond), float64(res.Entries)/max(res.Elapsed.Seconds(), 1e-9))
	return err
}

// otherPaths sends the streams' entries as envoyOtelAls records and writes
// them as ztunnel lines.
func otherPaths(ctx context.Context, streams []alsgen.Stream, otlp, otlpFormat string, k8sResource bool, wait time.Duration, ztunnelLog, ztunnelFormat string, cri bool) error {
	entries := alsgen.StreamEntries(streams)
	if ztunnelLog != "" {
		f, err := os.OpenFile(ztunnelLog, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		n, err := alsgen.WriteZtunnel(f, entries, ztunnelFormat, cri)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "alsgen: wrote %d ztunnel lines (%s) to %s\n", n, ztunnelFormat, ztunnelLog)
	}
	if otlp != "" {
		if err := alsgen.SendOTLP(ctx, otlp, wait, alsgen.OTLPLogs(entries, otlpFormat, k8sResource)); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "alsgen: sent %d envoyOtelAls records (%s) to %s\n", len(entries), otlpFormat, otlp)
	}
	return nil
}

func tlsCreds(caFile, certFile, keyFile, serverName string) (credentials.TransportCredentials, error) {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no certificates", caFile)
	}
	cfg := &tls.Config{RootCAs: pool, ServerName: serverName, MinVersion: tls.VersionTLS12}
	if certFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return credentials.NewTLS(cfg), nil
}
