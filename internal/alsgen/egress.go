package alsgen

import (
	"strconv"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	datav3 "github.com/envoyproxy/go-control-plane/envoy/data/accesslog/v3"
	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
)

// EgressDest is a destination outside the mesh as a sidecar sees it.
type EgressDest struct {
	// Cluster is where Envoy sent the traffic: PassthroughCluster,
	// BlackHoleCluster or a ServiceEntry's "outbound|port||host".
	Cluster string
	// Host is the name the application asked for: the HTTP authority's host
	// (EgressHTTPEntry) or the TLS SNI (EgressTLSEntry). EgressTCPEntry
	// ignores it: plain TCP carries no name.
	Host string
	// IP and Port are the original destination the application connected to.
	IP   string
	Port uint32
}

func egressCommon(w Workload, d EgressDest, i int, start time.Time) *datav3.AccessLogCommon {
	c := &datav3.AccessLogCommon{
		DownstreamRemoteAddress: sockAddr(w.IP(), uint32(30000+i%30000)),
		DownstreamLocalAddress:  sockAddr(d.IP, d.Port),
		StartTime:               timestamppb.New(start),
		Duration:                durationpb.New(120 * time.Millisecond),
		UpstreamCluster:         d.Cluster,
	}
	if d.Cluster == mesh.BlackHoleCluster {
		// Nothing was connected upstream; Envoy flags "no healthy upstream".
		c.ResponseFlags = &datav3.ResponseFlags{NoHealthyUpstream: true}
	} else {
		c.UpstreamRemoteAddress = sockAddr(d.IP, d.Port)
		c.UpstreamLocalAddress = sockAddr(w.IP(), uint32(40000+i%20000))
	}
	return c
}

// EgressHTTPEntry is a plain HTTP request from w to d: the authority is
// d.Host, with the port when it is not 80.
func EgressHTTPEntry(w Workload, d EgressDest, i int, start time.Time) *datav3.HTTPAccessLogEntry {
	authority := d.Host
	if d.Port != 80 {
		authority += ":" + strconv.Itoa(int(d.Port))
	}
	status := uint32(200)
	if d.Cluster == mesh.BlackHoleCluster {
		status = 502
	}
	return &datav3.HTTPAccessLogEntry{
		CommonProperties: egressCommon(w, d, i, start),
		ProtocolVersion:  datav3.HTTPAccessLogEntry_HTTP11,
		Request: &datav3.HTTPRequestProperties{
			RequestMethod: corev3.RequestMethod_GET,
			Scheme:        "http",
			Authority:     authority,
			Path:          "/v1/items/" + strconv.Itoa(i%100),
			UserAgent:     "otelcol-pan-alsgen",
		},
		Response: &datav3.HTTPResponseProperties{
			ResponseCode:      wrapperspb.UInt32(status),
			ResponseBodyBytes: uint64(200 + i%1000),
		},
	}
}

// EgressTLSEntry is a TLS connection from w to d that the sidecar passed
// through without terminating it: Envoy's TLS inspector read the SNI
// (d.Host), which is all it logs of the TLS session.
func EgressTLSEntry(w Workload, d EgressDest, i int, start time.Time) *datav3.TCPAccessLogEntry {
	c := egressCommon(w, d, i, start)
	c.TlsProperties = &datav3.TLSProperties{TlsSniHostname: d.Host}
	c.AccessLogType = datav3.AccessLogType_TcpConnectionEnd
	return &datav3.TCPAccessLogEntry{
		CommonProperties:     c,
		ConnectionProperties: &datav3.ConnectionProperties{ReceivedBytes: uint64(900 + i%500), SentBytes: uint64(4000 + i%9000)},
	}
}

// EgressTCPEntry is an opaque TCP connection from w to d.IP:d.Port.
func EgressTCPEntry(w Workload, d EgressDest, i int, start time.Time) *datav3.TCPAccessLogEntry {
	c := egressCommon(w, d, i, start)
	c.AccessLogType = datav3.AccessLogType_TcpConnectionEnd
	return &datav3.TCPAccessLogEntry{
		CommonProperties:     c,
		ConnectionProperties: &datav3.ConnectionProperties{ReceivedBytes: uint64(300 + i%500), SentBytes: uint64(700 + i%900)},
	}
}

// EgressHTTPMessage wraps HTTP entries in one ALS message.
func EgressHTTPMessage(entries ...*datav3.HTTPAccessLogEntry) *accesslogv3.StreamAccessLogsMessage {
	return httpMessage(nil, entries...)
}

// EgressTCPMessage wraps TCP (and TLS) entries in one ALS message.
func EgressTCPMessage(entries ...*datav3.TCPAccessLogEntry) *accesslogv3.StreamAccessLogsMessage {
	return tcpMessage(nil, entries...)
}

// EgressStream sends msgs in order on one stream from w's sidecar, the
// identifier on the first message as Envoy does.
func EgressStream(w Workload, msgs ...*accesslogv3.StreamAccessLogsMessage) Stream {
	return Stream{
		Identifier: w.Identifier(),
		Next: func(i int) (*accesslogv3.StreamAccessLogsMessage, int) {
			if i >= len(msgs) {
				return nil, 0
			}
			m := msgs[i]
			return m, len(m.GetHttpLogs().GetLogEntry()) + len(m.GetTcpLogs().GetLogEntry())
		},
	}
}
