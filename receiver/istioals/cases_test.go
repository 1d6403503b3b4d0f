package istioals

import (
	"testing"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	datav3 "github.com/envoyproxy/go-control-plane/envoy/data/accesslog/v3"
	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// The cases below are built from Envoy's ALS integration tests and from what
// Istio's proxies log; each has a golden file testdata/golden/case-<name>.yaml.

var caseStart = time.Date(2026, 11, 20, 10, 30, 0, 123456789, time.UTC)

func addr(ip string, port uint32) *corev3.Address {
	return &corev3.Address{Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{
		Address: ip, PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: port},
	}}}
}

func structAny(tb testing.TB, m map[string]any) *anypb.Any {
	s, err := structpb.NewStruct(m)
	require.NoError(tb, err)
	a, err := anypb.New(s)
	require.NoError(tb, err)
	return a
}

func uriCert(uri string) *datav3.TLSProperties_CertificateProperties {
	return &datav3.TLSProperties_CertificateProperties{SubjectAltName: []*datav3.TLSProperties_CertificateProperties_SubjectAltName{
		{San: &datav3.TLSProperties_CertificateProperties_SubjectAltName_Uri{Uri: uri}},
	}}
}

// sidecarIdentifier is a current-style Istio sidecar in namespace ns.
func sidecarIdentifier(tb testing.TB, ns, app string, ip string) *accesslogv3.StreamAccessLogsMessage_Identifier {
	md, err := structpb.NewStruct(map[string]any{
		"NAME": app + "-v1-6d8f7b9c5-q2w4r", "NAMESPACE": ns, "INSTANCE_IPS": ip,
		"WORKLOAD_NAME": app + "-v1", "OWNER": "kubernetes://apis/apps/v1/namespaces/" + ns + "/deployments/" + app + "-v1",
		"CLUSTER_ID": "Kubernetes", "MESH_ID": "cluster.local", "APP_CONTAINERS": app, "NODE_NAME": "worker-1",
		"LABELS": map[string]any{"app": app, "version": "v1", "service.istio.io/canonical-name": app, "service.istio.io/canonical-revision": "v1"},
	})
	require.NoError(tb, err)
	return &accesslogv3.StreamAccessLogsMessage_Identifier{LogName: "otelcol-pan", Node: &corev3.Node{
		Id: "sidecar~" + ip + "~" + app + "-v1-6d8f7b9c5-q2w4r." + ns + "~" + ns + ".svc.cluster.local", Metadata: md,
	}}
}

func httpMsg(id *accesslogv3.StreamAccessLogsMessage_Identifier, e ...*datav3.HTTPAccessLogEntry) *accesslogv3.StreamAccessLogsMessage {
	return &accesslogv3.StreamAccessLogsMessage{Identifier: id, LogEntries: &accesslogv3.StreamAccessLogsMessage_HttpLogs{
		HttpLogs: &accesslogv3.StreamAccessLogsMessage_HTTPAccessLogEntries{LogEntry: e},
	}}
}

func tcpMsg(id *accesslogv3.StreamAccessLogsMessage_Identifier, e ...*datav3.TCPAccessLogEntry) *accesslogv3.StreamAccessLogsMessage {
	return &accesslogv3.StreamAccessLogsMessage{Identifier: id, LogEntries: &accesslogv3.StreamAccessLogsMessage_TcpLogs{
		TcpLogs: &accesslogv3.StreamAccessLogsMessage_TCPAccessLogEntries{LogEntry: e},
	}}
}

func goldenCases(tb testing.TB) map[string]*accesslogv3.StreamAccessLogsMessage {
	reviews := sidecarIdentifier(tb, "default", "reviews", "10.8.0.21")
	productpage := sidecarIdentifier(tb, "default", "productpage", "10.8.0.11")
	sleep := sidecarIdentifier(tb, "default", "sleep", "10.8.0.31")
	foo := sidecarIdentifier(tb, "foo", "httpbin", "10.8.1.7")
	const deny = "rbac_access_denied_matched_policy[ns[foo]-policy[deny-all]-rule[0]]"

	wpMD, err := structpb.NewStruct(map[string]any{
		"NAME": "waypoint-7d9f6b5c8-k2x4z", "NAMESPACE": "foo", "WORKLOAD_NAME": "waypoint", "CLUSTER_ID": "Kubernetes",
		"LABELS": map[string]any{"gateway.networking.k8s.io/gateway-name": "waypoint"},
	})
	require.NoError(tb, err)
	waypoint := &accesslogv3.StreamAccessLogsMessage_Identifier{LogName: "otelcol-pan", Node: &corev3.Node{
		Id: "waypoint~10.8.1.2~waypoint-7d9f6b5c8-k2x4z.foo~foo.svc.cluster.local", Metadata: wpMD,
	}}

	return map[string]*accesslogv3.StreamAccessLogsMessage{
		// A TCP connection from a sidecar to an in-mesh database.
		"tcp": tcpMsg(productpage, &datav3.TCPAccessLogEntry{
			CommonProperties: &datav3.AccessLogCommon{
				DownstreamRemoteAddress: addr("10.8.0.11", 45678), DownstreamLocalAddress: addr("10.96.12.5", 5432),
				UpstreamRemoteAddress: addr("10.8.2.9", 5432), UpstreamLocalAddress: addr("10.8.0.11", 50312),
				StartTime: timestamppb.New(caseStart), Duration: durationpb.New(2500 * time.Millisecond),
				UpstreamCluster: "outbound|5432||postgres.default.svc.cluster.local", AccessLogType: datav3.AccessLogType_TcpConnectionEnd,
				ResponseFlags: &datav3.ResponseFlags{},
				FilterStateObjects: map[string]*anypb.Any{"upstream_peer": structAny(tb, map[string]any{
					"namespace": "default", "workload": "postgres", "app": "postgres", "version": "15", "service": "postgres",
					"cluster": "Kubernetes", "identity": "spiffe://cluster.local/ns/default/sa/postgres",
				})},
			},
			ConnectionProperties: &datav3.ConnectionProperties{ReceivedBytes: 1843, SentBytes: 90211},
		}),
		// Inbound over mTLS: the client certificate names the sleep workload.
		"tls-inbound-spiffe": httpMsg(reviews, &datav3.HTTPAccessLogEntry{
			CommonProperties: &datav3.AccessLogCommon{
				DownstreamRemoteAddress: addr("10.8.0.31", 38812), DownstreamLocalAddress: addr("10.8.0.21", 9080),
				UpstreamRemoteAddress: addr("10.8.0.21", 9080), UpstreamLocalAddress: addr("127.0.0.6", 41209),
				StartTime: timestamppb.New(caseStart), TimeToLastDownstreamTxByte: durationpb.New(7 * time.Millisecond),
				UpstreamCluster: "inbound|9080||", RouteName: "default",
				TlsProperties: &datav3.TLSProperties{
					TlsVersion: datav3.TLSProperties_TLSv1_3, TlsCipherSuite: wrapperspb.UInt32(0x1301),
					TlsSniHostname:             "outbound_.9080_._.reviews.default.svc.cluster.local",
					PeerCertificateProperties:  uriCert("spiffe://cluster.local/ns/default/sa/sleep"),
					LocalCertificateProperties: uriCert("spiffe://cluster.local/ns/default/sa/bookinfo-reviews"),
				},
				FilterStateObjects: map[string]*anypb.Any{"downstream_peer": structAny(tb, map[string]any{
					"namespace": "default", "workload": "sleep", "app": "sleep", "service": "sleep", "revision": "latest", "cluster": "Kubernetes",
				})},
			},
			ProtocolVersion: datav3.HTTPAccessLogEntry_HTTP11,
			Request: &datav3.HTTPRequestProperties{
				RequestMethod: corev3.RequestMethod_GET, Scheme: "http", Authority: "reviews:9080",
				Path: "/reviews/1", UserAgent: "curl/8.5.0", RequestId: "b1d1a2c3-0000-4000-8000-000000000001",
			},
			Response: &datav3.HTTPResponseProperties{ResponseCode: wrapperspb.UInt32(200), ResponseBodyBytes: 358, ResponseCodeDetails: "via_upstream"},
		}),
		// An RBAC DENY policy matched an HTTP request: Envoy answers 403.
		"rbac-denied-http": httpMsg(foo, &datav3.HTTPAccessLogEntry{
			CommonProperties: &datav3.AccessLogCommon{
				DownstreamRemoteAddress: addr("10.8.0.31", 40001), DownstreamLocalAddress: addr("10.8.1.7", 8000),
				StartTime: timestamppb.New(caseStart), UpstreamCluster: "inbound|8000||",
				TlsProperties: &datav3.TLSProperties{
					TlsVersion:                datav3.TLSProperties_TLSv1_3,
					PeerCertificateProperties: uriCert("spiffe://cluster.local/ns/default/sa/sleep"),
				},
			},
			ProtocolVersion: datav3.HTTPAccessLogEntry_HTTP2,
			Request:         &datav3.HTTPRequestProperties{RequestMethod: corev3.RequestMethod_POST, Scheme: "http", Authority: "httpbin.foo:8000", Path: "/post"},
			Response:        &datav3.HTTPResponseProperties{ResponseCode: wrapperspb.UInt32(403), ResponseBodyBytes: 19, ResponseCodeDetails: deny},
		}),
		// The same policy on a TCP connection: the RBAC network filter closes it.
		"rbac-denied-tcp": tcpMsg(foo, &datav3.TCPAccessLogEntry{
			CommonProperties: &datav3.AccessLogCommon{
				DownstreamRemoteAddress: addr("10.8.0.31", 40002), DownstreamLocalAddress: addr("10.8.1.7", 9000),
				StartTime: timestamppb.New(caseStart), UpstreamCluster: "inbound|9000||",
				ConnectionTerminationDetails: deny, AccessLogType: datav3.AccessLogType_TcpConnectionEnd,
				TlsProperties: &datav3.TLSProperties{
					TlsVersion:                datav3.TLSProperties_TLSv1_3,
					PeerCertificateProperties: uriCert("spiffe://cluster.local/ns/default/sa/sleep"),
				},
			},
			ConnectionProperties: &datav3.ConnectionProperties{ReceivedBytes: 0, SentBytes: 0},
		}),
		// Outbound from productpage with the upstream's metadata from the exchange.
		"outbound-upstream-peer": httpMsg(productpage, &datav3.HTTPAccessLogEntry{
			CommonProperties: &datav3.AccessLogCommon{
				DownstreamRemoteAddress: addr("10.8.0.11", 51234), DownstreamLocalAddress: addr("10.96.0.40", 9080),
				UpstreamRemoteAddress: addr("10.8.0.21", 9080), StartTime: timestamppb.New(caseStart),
				Duration: durationpb.New(12 * time.Millisecond), UpstreamCluster: "outbound|9080|v1|reviews.default.svc.cluster.local",
				RouteName: "reviews.default.svc.cluster.local:9080", UpstreamRequestAttemptCount: 1,
				FilterStateObjects: map[string]*anypb.Any{"upstream_peer": structAny(tb, map[string]any{
					"namespace": "default", "workload": "reviews-v1", "app": "reviews", "version": "v1", "service": "reviews",
					"revision": "v1", "cluster": "Kubernetes", "identity": "cluster.local/ns/default/sa/bookinfo-reviews",
				})},
				CustomTags: map[string]string{"team": "bookinfo"},
			},
			ProtocolVersion: datav3.HTTPAccessLogEntry_HTTP11,
			Request: &datav3.HTTPRequestProperties{
				RequestMethod: corev3.RequestMethod_GET, Scheme: "http", Authority: "reviews:9080",
				Path: "/reviews/0?rating=true", RequestId: "b1d1a2c3-0000-4000-8000-000000000002", RequestHeadersBytes: 512,
				RequestHeaders: map[string]string{"X-B3-TraceId": "80f198ee56343ba864fe8b2a57d3eff7"},
			},
			Response: &datav3.HTTPResponseProperties{ResponseCode: wrapperspb.UInt32(200), ResponseBodyBytes: 295, ResponseCodeDetails: "via_upstream"},
		}),
		// A waypoint proxies sleep → httpbin; its peers carry upper-case keys.
		"waypoint-upper-peers": httpMsg(waypoint, &datav3.HTTPAccessLogEntry{
			CommonProperties: &datav3.AccessLogCommon{
				DownstreamRemoteAddress: addr("10.8.0.31", 0), DownstreamLocalAddress: addr("10.96.3.3", 8000),
				UpstreamRemoteAddress: addr("10.8.1.7", 8000), StartTime: timestamppb.New(caseStart),
				Duration: durationpb.New(4 * time.Millisecond), UpstreamCluster: "inbound-vip|8000|http|httpbin.foo.svc.cluster.local",
				FilterStateObjects: map[string]*anypb.Any{
					"downstream_peer": structAny(tb, map[string]any{
						"NAMESPACE": "default", "WORKLOAD_NAME": "sleep", "CLUSTER_ID": "Kubernetes",
						"LABELS": map[string]any{"app": "sleep", "service.istio.io/canonical-name": "sleep"},
					}),
					"upstream_peer": structAny(tb, map[string]any{
						"NAMESPACE": "foo", "WORKLOAD_NAME": "httpbin", "CLUSTER_ID": "Kubernetes",
						"LABELS": map[string]any{"app": "httpbin", "version": "v1", "service.istio.io/canonical-name": "httpbin"},
					}),
				},
			},
			ProtocolVersion: datav3.HTTPAccessLogEntry_HTTP11,
			Request:         &datav3.HTTPRequestProperties{RequestMethod: corev3.RequestMethod_GET, Authority: "httpbin.foo:8000", Path: "/headers"},
			Response:        &datav3.HTTPResponseProperties{ResponseCode: wrapperspb.UInt32(200), ResponseBodyBytes: 512},
		}),
		// Egress under ALLOW_ANY: an unknown host leaves through PassthroughCluster.
		"egress-passthrough": httpMsg(sleep, &datav3.HTTPAccessLogEntry{
			CommonProperties: &datav3.AccessLogCommon{
				DownstreamRemoteAddress: addr("10.8.0.31", 52000), DownstreamLocalAddress: addr("93.184.215.14", 80),
				UpstreamRemoteAddress: addr("93.184.215.14", 80), StartTime: timestamppb.New(caseStart),
				Duration: durationpb.New(95 * time.Millisecond), UpstreamCluster: "PassthroughCluster", RouteName: "allow_any",
			},
			ProtocolVersion: datav3.HTTPAccessLogEntry_HTTP11,
			Request:         &datav3.HTTPRequestProperties{RequestMethod: corev3.RequestMethod_GET, Scheme: "http", Authority: "example.com", Path: "/"},
			Response:        &datav3.HTTPResponseProperties{ResponseCode: wrapperspb.UInt32(200), ResponseBodyBytes: 1256, ResponseCodeDetails: "via_upstream"},
		}),
		// Under REGISTRY_ONLY an unknown destination goes to BlackHoleCluster.
		"egress-blackhole": tcpMsg(sleep, &datav3.TCPAccessLogEntry{
			CommonProperties: &datav3.AccessLogCommon{
				DownstreamRemoteAddress: addr("10.8.0.31", 52010), DownstreamLocalAddress: addr("140.82.112.3", 443),
				StartTime: timestamppb.New(caseStart), UpstreamCluster: "BlackHoleCluster",
				ResponseFlags: &datav3.ResponseFlags{NoHealthyUpstream: true}, AccessLogType: datav3.AccessLogType_TcpConnectionEnd,
			},
			ConnectionProperties: &datav3.ConnectionProperties{},
		}),
		// REGISTRY_ONLY answers plain HTTP to an unknown host from the
		// block_all route: a 502, no cluster.
		"egress-block-all-http": httpMsg(sleep, &datav3.HTTPAccessLogEntry{
			CommonProperties: &datav3.AccessLogCommon{
				DownstreamRemoteAddress: addr("10.8.0.31", 52020), DownstreamLocalAddress: addr("93.184.215.14", 80),
				StartTime: timestamppb.New(caseStart), RouteName: "block_all",
			},
			ProtocolVersion: datav3.HTTPAccessLogEntry_HTTP11,
			Request:         &datav3.HTTPRequestProperties{RequestMethod: corev3.RequestMethod_GET, Scheme: "http", Authority: "example.com", Path: "/"},
			Response:        &datav3.HTTPResponseProperties{ResponseCode: wrapperspb.UInt32(502), ResponseCodeDetails: "direct_response"},
		}),
		// TLS that the sidecar only passed through: Envoy logs the SNI its
		// TLS inspector read, and no handshake of its own.
		"egress-tls-passthrough-sni": tcpMsg(sleep, &datav3.TCPAccessLogEntry{
			CommonProperties: &datav3.AccessLogCommon{
				DownstreamRemoteAddress: addr("10.8.0.31", 52030), DownstreamLocalAddress: addr("140.82.112.3", 443),
				UpstreamRemoteAddress: addr("140.82.112.3", 443), StartTime: timestamppb.New(caseStart),
				UpstreamCluster: "PassthroughCluster", TlsProperties: &datav3.TLSProperties{TlsSniHostname: "api.github.com"},
			},
			ConnectionProperties: &datav3.ConnectionProperties{ReceivedBytes: 517, SentBytes: 5120},
		}),
		// Entries with nearly everything missing are converted with what is there.
		"nearly-empty": httpMsg(nil,
			&datav3.HTTPAccessLogEntry{},
			&datav3.HTTPAccessLogEntry{CommonProperties: &datav3.AccessLogCommon{StartTime: timestamppb.New(caseStart)}},
			&datav3.HTTPAccessLogEntry{Request: &datav3.HTTPRequestProperties{Authority: "[::1]:8080"}}),
		"nearly-empty-tcp": tcpMsg(&accesslogv3.StreamAccessLogsMessage_Identifier{},
			&datav3.TCPAccessLogEntry{}, &datav3.TCPAccessLogEntry{ConnectionProperties: &datav3.ConnectionProperties{SentBytes: 7}}),
	}
}

func TestGoldenCases(t *testing.T) {
	for name, msg := range goldenCases(t) {
		t.Run(name, func(t *testing.T) {
			checkGolden(t, "case-"+name, convertMessage(t, msg))
		})
	}
}
