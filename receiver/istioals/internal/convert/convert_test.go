package convert

import (
	"fmt"
	"testing"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	datav3 "github.com/envoyproxy/go-control-plane/envoy/data/accesslog/v3"
	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

func mustStruct(t *testing.T, m map[string]any) *structpb.Struct {
	s, err := structpb.NewStruct(m)
	require.NoError(t, err)
	return s
}

func TestNewNodeBothMetadataStyles(t *testing.T) {
	current := mustStruct(t, map[string]any{
		"NAME":           "reviews-v2-5b9c8d7f6-x7k2q",
		"NAMESPACE":      "bookinfo",
		"INSTANCE_IPS":   "10.1.2.3,fd00::3",
		"WORKLOAD_NAME":  "reviews-v2",
		"OWNER":          "kubernetes://apis/apps/v1/namespaces/bookinfo/deployments/reviews-v2",
		"CLUSTER_ID":     "east",
		"MESH_ID":        "mesh1",
		"NODE_NAME":      "node-a",
		"APP_CONTAINERS": "reviews,helper",
		"LABELS": map[string]any{
			"app": "reviews", "version": "v2",
			"service.istio.io/canonical-name": "reviews", "service.istio.io/canonical-revision": "v2",
		},
	})
	old := mustStruct(t, map[string]any{
		"POD_NAME":                "reviews-v2-5b9c8d7f6-x7k2q",
		"ISTIO_META_INSTANCE_IPS": "10.1.2.3,10.1.2.3,fe80::1",
		"CONFIG_NAMESPACE":        "bookinfo",
		"app":                     "reviews",
		"version":                 "v2",
		"pod-template-hash":       "1675383692",
	})
	tests := []struct {
		name      string
		node      *corev3.Node
		wantRes   map[string]any
		wantLocal Local
	}{
		{
			name: "current",
			node: &corev3.Node{
				Id: "sidecar~10.1.2.3~reviews-v2-5b9c8d7f6-x7k2q.bookinfo~bookinfo.svc.cluster.local", Metadata: current,
				Locality: &corev3.Locality{Region: "us-east1", Zone: "us-east1-b"},
			},
			wantRes: map[string]any{
				"envoy.access_log.name": "als", "envoy.node.id": "sidecar~10.1.2.3~reviews-v2-5b9c8d7f6-x7k2q.bookinfo~bookinfo.svc.cluster.local",
				"istio.proxy.type": "sidecar", "k8s.pod.name": "reviews-v2-5b9c8d7f6-x7k2q", "k8s.namespace.name": "bookinfo",
				"k8s.pod.ip": "10.1.2.3", "k8s.node.name": "node-a", "k8s.cluster.name": "east", "istio.mesh.id": "mesh1",
				"istio.app_containers": "reviews,helper", "cloud.region": "us-east1", "cloud.availability_zone": "us-east1-b",
				"service.name": "reviews", "service.version": "v2", "k8s.deployment.name": "reviews-v2", "istio.workload.name": "reviews-v2",
			},
			wantLocal: Local{ProxyType: "sidecar", Workload: "reviews-v2", Namespace: "bookinfo", App: "reviews", Version: "v2", CanonicalService: "reviews", Cluster: "east"},
		},
		{
			name: "old",
			node: &corev3.Node{Id: "sidecar~10.1.2.3~reviews-v2-5b9c8d7f6-x7k2q.bookinfo~bookinfo.svc.cluster.local", Metadata: old},
			wantRes: map[string]any{
				"envoy.access_log.name": "als", "envoy.node.id": "sidecar~10.1.2.3~reviews-v2-5b9c8d7f6-x7k2q.bookinfo~bookinfo.svc.cluster.local",
				"istio.proxy.type": "sidecar", "k8s.pod.name": "reviews-v2-5b9c8d7f6-x7k2q", "k8s.namespace.name": "bookinfo",
				"k8s.pod.ip": "10.1.2.3", "service.name": "reviews", "service.version": "v2", "istio.workload.name": "reviews-v2",
			},
			wantLocal: Local{ProxyType: "sidecar", Workload: "reviews-v2", Namespace: "bookinfo", App: "reviews", Version: "v2", CanonicalService: "reviews"},
		},
		{
			name:      "gateway without metadata",
			node:      &corev3.Node{Id: "router~10.0.0.9~istio-ingressgateway-699c7dc774-hjxq5.istio-system~istio-system.svc.cluster.local"},
			wantRes:   map[string]any{"envoy.access_log.name": "als", "envoy.node.id": "router~10.0.0.9~istio-ingressgateway-699c7dc774-hjxq5.istio-system~istio-system.svc.cluster.local", "istio.proxy.type": "router", "k8s.pod.name": "istio-ingressgateway-699c7dc774-hjxq5", "k8s.namespace.name": "istio-system", "k8s.pod.ip": "10.0.0.9", "istio.workload.name": "istio-ingressgateway"},
			wantLocal: Local{ProxyType: "router", Workload: "istio-ingressgateway", Namespace: "istio-system"},
		},
		{
			name:    "nil node",
			wantRes: map[string]any{"envoy.access_log.name": "als"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := NewNode(tt.node, "als")
			assert.Equal(t, tt.wantRes, n.Resource.AsRaw())
			assert.Equal(t, tt.wantLocal, n.Local)
		})
	}
}

// commonFromProto decodes an AccessLogCommon built with Envoy's protos
// through the wire decoder, as the receiver sees it (in a TCP entry).
func commonFromProto(tb testing.TB, c *datav3.AccessLogCommon) *commonView {
	b, err := proto.Marshal(&datav3.TCPAccessLogEntry{CommonProperties: c})
	require.NoError(tb, err)
	var d decoder
	var v tcpView
	require.NoError(tb, d.tcp(b, &v))
	return &v.common
}

func flagsOf(t *testing.T, f *datav3.ResponseFlags) string {
	return commonFromProto(t, &datav3.AccessLogCommon{ResponseFlags: f}).flags.String()
}

func TestResponseFlags(t *testing.T) {
	assert.Empty(t, flagsOf(t, &datav3.ResponseFlags{}))
	assert.Equal(t, "UH,UF,URX", flagsOf(t, &datav3.ResponseFlags{NoHealthyUpstream: true, UpstreamConnectionFailure: true, UpstreamRetryLimitExceeded: true}))
	assert.Equal(t, "UAEX", flagsOf(t, &datav3.ResponseFlags{UnauthorizedDetails: &datav3.ResponseFlags_Unauthorized{Reason: datav3.ResponseFlags_Unauthorized_EXTERNAL_SERVICE}}))
	assert.Equal(t, "DR", flagsOf(t, &datav3.ResponseFlags{DownstreamRemoteReset: true}))
	all := &datav3.ResponseFlags{
		FailedLocalHealthcheck: true, NoHealthyUpstream: true, UpstreamRequestTimeout: true, LocalReset: true,
		UpstreamRemoteReset: true, UpstreamConnectionFailure: true, UpstreamConnectionTermination: true, UpstreamOverflow: true,
		NoRouteFound: true, DelayInjected: true, FaultInjected: true, RateLimited: true, UnauthorizedDetails: &datav3.ResponseFlags_Unauthorized{},
		RateLimitServiceError: true, DownstreamConnectionTermination: true, UpstreamRetryLimitExceeded: true, StreamIdleTimeout: true,
		InvalidEnvoyRequestHeaders: true, DownstreamProtocolError: true, UpstreamMaxStreamDurationReached: true, ResponseFromCacheFilter: true,
		NoFilterConfigFound: true, DurationTimeout: true, UpstreamProtocolError: true, NoClusterFound: true, OverloadManager: true,
		DnsResolutionFailure: true, DownstreamRemoteReset: true,
	}
	assert.Equal(t, "LH,UH,UT,LR,UR,UF,UC,UO,NR,DI,FI,RL,UAEX,RLSE,DC,URX,SI,IH,DPE,UMSDR,RFCF,NFCF,DT,UPE,NC,OM,DF,DR", flagsOf(t, all))
}

// convertProto runs a message built with Envoy's protos through the wire
// decoder and the conversion, as the first message of a stream.
func convertProto(tb testing.TB, msg *accesslogv3.StreamAccessLogsMessage) (plog.LogRecordSlice, error) {
	b, err := proto.Marshal(msg)
	require.NoError(tb, err)
	return convertWire(b)
}

// convertWire converts wire bytes as the first message of a stream.
func convertWire(b []byte) (plog.LogRecordSlice, error) {
	var st Stream
	logs, n, err := NewConverter(Settings{}).Message(b, &st, pcommon.NewTimestampFromTime(time.Unix(5, 0)))
	if err != nil {
		return plog.NewLogRecordSlice(), err
	}
	lrs := logs.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	if n.Total() != lrs.Len() {
		return lrs, fmt.Errorf("%d entries counted, %d records", n.Total(), lrs.Len())
	}
	return lrs, nil
}

func TestHTTPPathQueryAndAbsentFields(t *testing.T) {
	lrs, err := convertProto(t, &accesslogv3.StreamAccessLogsMessage{LogEntries: &accesslogv3.StreamAccessLogsMessage_HttpLogs{
		HttpLogs: &accesslogv3.StreamAccessLogsMessage_HTTPAccessLogEntries{LogEntry: []*datav3.HTTPAccessLogEntry{
			{Request: &datav3.HTTPRequestProperties{Path: "/a/b?x=1&y=2"}},
			{}, // an entry with nothing: converted with what is there
		}},
	}})
	require.NoError(t, err)
	require.Equal(t, 2, lrs.Len())
	p, _ := lrs.At(0).Attributes().Get("url.path")
	q, _ := lrs.At(0).Attributes().Get("url.query")
	assert.Equal(t, "/a/b", p.Str())
	assert.Equal(t, "x=1&y=2", q.Str())
	_, hasStatus := lrs.At(0).Attributes().Get("http.response.status_code")
	assert.False(t, hasStatus, "a status Envoy did not send is absent, not 0")
	assert.Equal(t, 0, lrs.At(1).Attributes().Len())
	assert.Equal(t, "envoy.access_log.http", lrs.At(1).EventName())
}

// FuzzConvert feeds arbitrary bytes through the wire decoder and the
// conversion: any bytes convert or are refused with an error, never a panic;
// and whatever the standard protobuf decoder accepts, ours accepts too.
func FuzzConvert(f *testing.F) {
	seed := &accesslogv3.StreamAccessLogsMessage{LogEntries: &accesslogv3.StreamAccessLogsMessage_HttpLogs{
		HttpLogs: &accesslogv3.StreamAccessLogsMessage_HTTPAccessLogEntries{LogEntry: []*datav3.HTTPAccessLogEntry{{
			Request: &datav3.HTTPRequestProperties{Path: "/x?y", Authority: "[::1]:80"},
			CommonProperties: &datav3.AccessLogCommon{UpstreamCluster: "outbound|1||h", TlsProperties: &datav3.TLSProperties{
				PeerCertificateProperties: &datav3.TLSProperties_CertificateProperties{SubjectAltName: []*datav3.TLSProperties_CertificateProperties_SubjectAltName{{San: &datav3.TLSProperties_CertificateProperties_SubjectAltName_Uri{Uri: "spiffe://a/b"}}}},
			}},
		}}},
	}}
	b, err := proto.Marshal(seed)
	require.NoError(f, err)
	f.Add(b)
	tcp, _ := proto.Marshal(&accesslogv3.StreamAccessLogsMessage{LogEntries: &accesslogv3.StreamAccessLogsMessage_TcpLogs{
		TcpLogs: &accesslogv3.StreamAccessLogsMessage_TCPAccessLogEntries{LogEntry: []*datav3.TCPAccessLogEntry{{ConnectionProperties: &datav3.ConnectionProperties{ReceivedBytes: 1}}}},
	}})
	f.Add(tcp)
	f.Fuzz(func(t *testing.T, data []byte) {
		// Any bytes: converted or refused with an error, never a panic.
		_, _ = convertWire(data)

		// Whatever the standard decoder accepts, ours accepts too and
		// converts to as many records.
		msg := &accesslogv3.StreamAccessLogsMessage{}
		if proto.Unmarshal(data, msg) == nil {
			lrs, err := convertProto(t, msg)
			require.NoError(t, err)
			require.Equal(t, len(msg.GetHttpLogs().GetLogEntry())+len(msg.GetTcpLogs().GetLogEntry()), lrs.Len())
		}
	})
}
