// Command alsdecode is the benchmark's ceiling: an Envoy ALS v3 gRPC server
// that decodes every message with the standard protobuf decoder and counts
// the entries, doing nothing else. GET /count on -http returns the count.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"google.golang.org/grpc"
)

type server struct {
	accesslogv3.UnimplementedAccessLogServiceServer
	entries atomic.Int64
}

func (s *server) StreamAccessLogs(stream accesslogv3.AccessLogService_StreamAccessLogsServer) error {
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return stream.SendAndClose(&accesslogv3.StreamAccessLogsResponse{})
		}
		if err != nil {
			return err
		}
		s.entries.Add(int64(len(msg.GetHttpLogs().GetLogEntry()) + len(msg.GetTcpLogs().GetLogEntry())))
	}
}

func main() {
	listen := flag.String("listen", "127.0.0.1:9001", "ALS gRPC address")
	httpAddr := flag.String("http", "127.0.0.1:9002", "address of the /count endpoint")
	flag.Parse()
	s := &server{}
	http.HandleFunc("/count", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, s.entries.Load()) })
	go func() {
		srv := &http.Server{Addr: *httpAddr, ReadHeaderTimeout: 5 * time.Second}
		log.Fatal(srv.ListenAndServe())
	}()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	g := grpc.NewServer()
	accesslogv3.RegisterAccessLogServiceServer(g, s)
	log.Fatal(g.Serve(ln))
}
