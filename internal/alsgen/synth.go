// Package alsgen produces Envoy ALS v3 traffic: synthetic Istio access-log
// entries shaped like a real mesh's, and a real gRPC client that streams them
// (or replayed captures) to an ALS server. cmd/alsgen, the end-to-end tests
// and the benchmark all use it.
package alsgen

import (
	"fmt"
	"strconv"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	datav3 "github.com/envoyproxy/go-control-plane/envoy/data/accesslog/v3"
	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
)

// Workload is one synthetic sidecar: the proxy whose stream the entries ride.
type Workload struct {
	Namespace string
	Name      string // the Deployment
	Index     int    // distinguishes pods and addresses
}

// PodName is the Deployment pod's name, "<name>-<hash>-<suffix>", both
// generated parts in Kubernetes' alphabet for generated names (so that the
// workload can be read back from the name, as ztunnel's logs need).
func (w Workload) PodName() string {
	const alphabet = "bcdfghjklmnpqrstvwxz2456789"
	suffix := make([]byte, 5)
	for i, n := 4, w.Index; i >= 0; i, n = i-1, n/len(alphabet) {
		suffix[i] = alphabet[n%len(alphabet)]
	}
	return w.Name + "-7c9f8d6b5-" + string(suffix)
}

// IP is the pod's address.
func (w Workload) IP() string {
	return fmt.Sprintf("10.%d.%d.%d", 40+w.Index/65536%200, w.Index/256%256, w.Index%256)
}

// Identifier is what a current Istio sidecar sends first on a stream.
func (w Workload) Identifier() *accesslogv3.StreamAccessLogsMessage_Identifier {
	labels, _ := structpb.NewStruct(map[string]any{
		"app":                                 w.Name,
		"version":                             "v1",
		"service.istio.io/canonical-name":     w.Name,
		"service.istio.io/canonical-revision": "v1",
		"pod-template-hash":                   "7c9f8d6b5",
	})
	md, _ := structpb.NewStruct(map[string]any{
		"NAME":            w.PodName(),
		"NAMESPACE":       w.Namespace,
		"INSTANCE_IPS":    w.IP(),
		"WORKLOAD_NAME":   w.Name,
		"OWNER":           "kubernetes://apis/apps/v1/namespaces/" + w.Namespace + "/deployments/" + w.Name,
		"CLUSTER_ID":      "Kubernetes",
		"MESH_ID":         "cluster.local",
		"APP_CONTAINERS":  w.Name,
		"NODE_NAME":       "node-" + strconv.Itoa(w.Index%3),
		"SERVICE_ACCOUNT": w.Name,
	})
	md.Fields["LABELS"] = structpb.NewStructValue(labels)
	return &accesslogv3.StreamAccessLogsMessage_Identifier{
		Node: &corev3.Node{
			Id:       "sidecar~" + w.IP() + "~" + w.PodName() + "." + w.Namespace + "~" + w.Namespace + ".svc.cluster.local",
			Cluster:  w.Name + "." + w.Namespace,
			Metadata: md,
			Locality: &corev3.Locality{Region: "us-central1", Zone: "us-central1-a"},
		},
		LogName: "otelcol-pan-als",
	}
}

func sockAddr(ip string, port uint32) *corev3.Address {
	return &corev3.Address{Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{
		Address: ip, PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: port},
	}}}
}

// toService is what an entry from w to the in-mesh service at dstIP:port
// says of the connection, i numbering it: the addresses, the start, the
// service's outbound cluster and its peer metadata.
func toService(w Workload, i int, dstIP string, port uint32, service string, start time.Time) *datav3.AccessLogCommon {
	return &datav3.AccessLogCommon{
		DownstreamRemoteAddress: sockAddr(w.IP(), uint32(30000+i%30000)),
		DownstreamLocalAddress:  sockAddr(dstIP, port),
		UpstreamRemoteAddress:   sockAddr(dstIP, port),
		StartTime:               timestamppb.New(start),
		UpstreamCluster:         "outbound|" + strconv.Itoa(int(port)) + "||" + service + "." + w.Namespace + ".svc.cluster.local",
		FilterStateObjects:      map[string]*anypb.Any{"upstream_peer": PeerState(w.Namespace, service)},
	}
}

// HTTPEntry is an outbound request from w to the service "reviews" in
// the same namespace, i numbering it.
func HTTPEntry(w Workload, i int, start time.Time) *datav3.HTTPAccessLogEntry {
	c := toService(w, i, fmt.Sprintf("10.96.%d.%d", i/256%256, i%256), 9080, "reviews", start)
	c.UpstreamLocalAddress = sockAddr(w.IP(), uint32(40000+i%20000))
	c.TimeToLastRxByte = durationpb.New(80 * time.Microsecond)
	c.TimeToFirstUpstreamTxByte = durationpb.New(700 * time.Microsecond)
	c.TimeToLastUpstreamTxByte = durationpb.New(800 * time.Microsecond)
	c.TimeToFirstUpstreamRxByte = durationpb.New(9 * time.Millisecond)
	c.TimeToLastUpstreamRxByte = durationpb.New(10 * time.Millisecond)
	c.TimeToFirstDownstreamTxByte = durationpb.New(9500 * time.Microsecond)
	c.TimeToLastDownstreamTxByte = durationpb.New(10500 * time.Microsecond)
	c.RouteName = "default"
	c.ResponseFlags = &datav3.ResponseFlags{}
	return &datav3.HTTPAccessLogEntry{
		CommonProperties: c,
		ProtocolVersion:  datav3.HTTPAccessLogEntry_HTTP11,
		Request: &datav3.HTTPRequestProperties{
			RequestMethod:       corev3.RequestMethod_GET,
			Scheme:              "http",
			Authority:           "reviews:9080",
			Path:                "/reviews/" + strconv.Itoa(i%1000) + "?user=" + strconv.Itoa(i%97),
			UserAgent:           "Mozilla/5.0 (X11; Linux x86_64) otelcol-pan-alsgen",
			RequestId:           fmt.Sprintf("%08x-84ae-4d3a-8b15-%012x", i, i),
			RequestHeadersBytes: 600,
			RequestBodyBytes:    0,
		},
		Response: &datav3.HTTPResponseProperties{
			ResponseCode:         wrapperspb.UInt32(200),
			ResponseHeadersBytes: 150,
			ResponseBodyBytes:    uint64(300 + i%4000),
			ResponseCodeDetails:  "via_upstream",
		},
	}
}

// TCPEntry is an outbound TCP connection from w to a database, i numbering it.
func TCPEntry(w Workload, i int, start time.Time) *datav3.TCPAccessLogEntry {
	c := toService(w, i, fmt.Sprintf("10.97.%d.%d", i/256%256, i%256), 5432, "postgres", start)
	c.Duration = durationpb.New(1500 * time.Millisecond)
	c.AccessLogType = datav3.AccessLogType_TcpConnectionEnd
	return &datav3.TCPAccessLogEntry{
		CommonProperties: c,
		ConnectionProperties: &datav3.ConnectionProperties{
			ReceivedBytes: uint64(1000 + i%5000),
			SentBytes:     uint64(20000 + i%50000),
		},
	}
}

// EgressEntry is an outbound HTTP request from w to a host outside the mesh,
// i numbering it: even i to api.example.com, declared by a ServiceEntry
// (cluster "outbound|443||api.example.com"), odd i to an undeclared host
// that Istio's ALLOW_ANY policy sends through PassthroughCluster. The
// external peer has no Istio metadata, so no upstream_peer filter state.
func EgressEntry(w Workload, i int, start time.Time) *datav3.HTTPAccessLogEntry {
	host, cluster, port := "api.example.com", "outbound|443||api.example.com", uint32(443)
	dstIP := fmt.Sprintf("203.0.113.%d", 1+i%254)
	if i%2 == 1 {
		host, cluster, port = "downloads.example.org", mesh.PassthroughCluster, 80
		dstIP = fmt.Sprintf("198.51.100.%d", 1+i%254)
	}
	return &datav3.HTTPAccessLogEntry{
		CommonProperties: &datav3.AccessLogCommon{
			DownstreamRemoteAddress:    sockAddr(w.IP(), uint32(30000+i%30000)),
			DownstreamLocalAddress:     sockAddr(dstIP, port),
			UpstreamRemoteAddress:      sockAddr(dstIP, port),
			UpstreamLocalAddress:       sockAddr(w.IP(), uint32(40000+i%20000)),
			StartTime:                  timestamppb.New(start),
			TimeToLastRxByte:           durationpb.New(90 * time.Microsecond),
			TimeToFirstUpstreamRxByte:  durationpb.New(40 * time.Millisecond),
			TimeToLastDownstreamTxByte: durationpb.New(45 * time.Millisecond),
			UpstreamCluster:            cluster,
			ResponseFlags:              &datav3.ResponseFlags{},
		},
		ProtocolVersion: datav3.HTTPAccessLogEntry_HTTP11,
		Request: &datav3.HTTPRequestProperties{
			RequestMethod:       corev3.RequestMethod_GET,
			Scheme:              "http",
			Authority:           host,
			Path:                "/v1/items/" + strconv.Itoa(i%1000),
			UserAgent:           "curl/8.5.0",
			RequestId:           fmt.Sprintf("%08x-e9e5-4f1c-9d2a-%012x", i, i),
			RequestHeadersBytes: 300,
		},
		Response: &datav3.HTTPResponseProperties{
			ResponseCode:         wrapperspb.UInt32(200),
			ResponseHeadersBytes: 200,
			ResponseBodyBytes:    uint64(1000 + i%4000),
			ResponseCodeDetails:  "via_upstream",
		},
	}
}

// Message builds one ALS message of n entries of the given kind ("http",
// "tcp", "egress"; "mixed" alternates http and tcp by message) numbered from
// first.
func Message(w Workload, kind string, first, n int, start time.Time) *accesslogv3.StreamAccessLogsMessage {
	if kind == "mixed" {
		kind = "http"
		if (first/max(n, 1))%2 == 1 {
			kind = "tcp"
		}
	}
	if kind == "tcp" {
		entries := make([]*datav3.TCPAccessLogEntry, n)
		for j := range entries {
			entries[j] = TCPEntry(w, first+j, start)
		}
		return &accesslogv3.StreamAccessLogsMessage{LogEntries: &accesslogv3.StreamAccessLogsMessage_TcpLogs{
			TcpLogs: &accesslogv3.StreamAccessLogsMessage_TCPAccessLogEntries{LogEntry: entries},
		}}
	}
	entry := HTTPEntry
	if kind == "egress" {
		entry = EgressEntry
	}
	entries := make([]*datav3.HTTPAccessLogEntry, n)
	for j := range entries {
		entries[j] = entry(w, first+j, start)
	}
	return &accesslogv3.StreamAccessLogsMessage{LogEntries: &accesslogv3.StreamAccessLogsMessage_HttpLogs{
		HttpLogs: &accesslogv3.StreamAccessLogsMessage_HTTPAccessLogEntries{LogEntry: entries},
	}}
}
