package alsgen

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	datav3 "github.com/envoyproxy/go-control-plane/envoy/data/accesslog/v3"
	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/otelcol-pan/otelcol-pan/internal/alsmsg"
	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
)

// The sample mesh: a small shop behind an Istio ingress gateway, written the
// way its proxies' ALS streams would carry it. Everything is fixed (times,
// addresses, ports, ids), so the recorded files never change unless this
// code does. testdata/als/mesh holds the recording (`make samples`).
//
//	client 203.0.113.77 ─TLS─► istio-ingressgateway (istio-system) ─mTLS─► frontend (shop)
//	frontend ─► catalog (shop, HTTP/2) · cart (shop, resets) · cdn.example.com (PassthroughCluster)
//	catalog ─► checkout (payments): denied by the AuthorizationPolicy payments/deny-shop-catalog
//	cart ─TCP─► redis (shop, StatefulSet)
//	checkout ─► api.psp.example (ServiceEntry) · 198.51.100.66 (BlackHoleCluster) · ip-api.example (block_all)
//
// shop runs under outboundTrafficPolicy ALLOW_ANY; payments has a Sidecar
// with REGISTRY_ONLY.

// MeshStart is when the sample mesh's first request starts.
var MeshStart = time.Date(2026, 11, 2, 9, 15, 0, 0, time.UTC)

// Istio's names for the log of its ALS providers (envoyHttpAls, envoyTcpAls).
const (
	httpLogName = "http_envoy_accesslog"
	tcpLogName  = "tcp_envoy_accesslog"
)

// NamedStream is a stream with the name of the file it is recorded in and a
// line or two saying what it holds.
type NamedStream struct {
	Name        string
	Description string
	Stream
}

// meshProxy is one Envoy of the sample mesh and the workload it serves.
type meshProxy struct {
	kind      string // sidecar or router
	namespace string
	workload  string // the owner's name
	ownerKind string // deployments, statefulsets
	pod       string
	ip        string
	sa        string
	app       string
	version   string
	node      string
	zone      string
}

var (
	meshGateway  = meshProxy{kind: "router", namespace: "istio-system", workload: "istio-ingressgateway", ownerKind: "deployments", pod: "istio-ingressgateway-5c7d9f8b6-h4kzt", ip: "10.20.0.5", sa: "istio-ingressgateway-service-account", app: "istio-ingressgateway", version: "1.28.1", node: "gke-shop-pool-1-a1b2", zone: "europe-west1-b"}
	meshFrontend = meshProxy{kind: "sidecar", namespace: "shop", workload: "frontend-v1", ownerKind: "deployments", pod: "frontend-v1-6b8d7c9f4-m2x7q", ip: "10.20.1.11", sa: "frontend", app: "frontend", version: "v1", node: "gke-shop-pool-1-a1b2", zone: "europe-west1-b"}
	meshCatalog  = meshProxy{kind: "sidecar", namespace: "shop", workload: "catalog-v2", ownerKind: "deployments", pod: "catalog-v2-7f9c8d6b5-p8r2n", ip: "10.20.1.23", sa: "catalog", app: "catalog", version: "v2", node: "gke-shop-pool-1-c3d4", zone: "europe-west1-c"}
	meshCart     = meshProxy{kind: "sidecar", namespace: "shop", workload: "cart-v1", ownerKind: "deployments", pod: "cart-v1-5d6c7b8f9-t4v6w", ip: "10.20.1.31", sa: "cart", app: "cart", version: "v1", node: "gke-shop-pool-1-c3d4", zone: "europe-west1-c"}
	meshRedis    = meshProxy{kind: "sidecar", namespace: "shop", workload: "redis", ownerKind: "statefulsets", pod: "redis-0", ip: "10.20.1.40", sa: "redis", app: "redis", version: "7.4", node: "gke-shop-pool-1-a1b2", zone: "europe-west1-b"}
	meshCheckout = meshProxy{kind: "sidecar", namespace: "payments", workload: "checkout-v1", ownerKind: "deployments", pod: "checkout-v1-8c9d6f7b5-k2m4p", ip: "10.20.2.15", sa: "checkout", app: "checkout", version: "v1", node: "gke-shop-pool-2-e5f6", zone: "europe-west1-d"}
)

// principal is the workload's SPIFFE identity.
func (p meshProxy) principal() string {
	return "spiffe://cluster.local/ns/" + p.namespace + "/sa/" + p.sa
}

// identifier is what the proxy sends first on its stream for the log
// logName: the node in current Istio's metadata style.
func (p meshProxy) identifier(logName string) *accesslogv3.StreamAccessLogsMessage_Identifier {
	labels := map[string]any{
		"app":                                 p.app,
		"version":                             p.version,
		"service.istio.io/canonical-name":     p.app,
		"service.istio.io/canonical-revision": p.version,
	}
	if p.kind == "router" {
		labels["istio"] = "ingressgateway"
	}
	md := map[string]any{
		"NAME":            p.pod,
		"NAMESPACE":       p.namespace,
		"INSTANCE_IPS":    p.ip,
		"WORKLOAD_NAME":   p.workload,
		"OWNER":           "kubernetes://apis/apps/v1/namespaces/" + p.namespace + "/" + p.ownerKind + "/" + p.workload,
		"CLUSTER_ID":      "Kubernetes",
		"MESH_ID":         "cluster.local",
		"NODE_NAME":       p.node,
		"SERVICE_ACCOUNT": p.sa,
		"LABELS":          labels,
	}
	if p.kind == "sidecar" {
		md["APP_CONTAINERS"] = p.app
	}
	s, err := structpb.NewStruct(md)
	if err != nil {
		panic(err) // only strings and maps above
	}
	return &accesslogv3.StreamAccessLogsMessage_Identifier{
		Node: &corev3.Node{
			Id:       p.kind + "~" + p.ip + "~" + p.pod + "." + p.namespace + "~" + p.namespace + ".svc.cluster.local",
			Cluster:  p.app + "." + p.namespace,
			Metadata: s,
			Locality: &corev3.Locality{Region: "europe-west1", Zone: p.zone},
		},
		LogName: logName,
	}
}

// filterState is the peer metadata Istio's metadata exchange leaves in the
// downstream_peer / upstream_peer filter state of the proxy that talks to p,
// as a sidecar logs it: a google.protobuf.Struct with lower-case keys.
func (p meshProxy) filterState() *anypb.Any {
	kind := "deployment"
	if p.ownerKind == "statefulsets" {
		kind = "statefulset"
	}
	s, err := structpb.NewStruct(map[string]any{
		"namespace": p.namespace,
		"workload":  p.workload,
		"app":       p.app,
		"version":   p.version,
		"service":   p.app,
		"revision":  p.version,
		"cluster":   "Kubernetes",
		"type":      kind,
		"name":      p.pod,
		"identity":  p.principal(),
	})
	if err != nil {
		panic(err)
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(s)
	if err != nil {
		panic(err)
	}
	return &anypb.Any{TypeUrl: "type.googleapis.com/google.protobuf.Struct", Value: b}
}

func meshAt(ms int) *timestamppb.Timestamp {
	return timestamppb.New(MeshStart.Add(time.Duration(ms) * time.Millisecond))
}

func us(n int) *durationpb.Duration { return durationpb.New(time.Duration(n) * time.Microsecond) }

// meshTimings fills Envoy's request timings for a request that took total
// microseconds, the upstream answering after upstream of them.
func meshTimings(c *datav3.AccessLogCommon, upstream, total int) {
	c.TimeToLastRxByte = us(60)
	c.TimeToFirstUpstreamTxByte = us(420)
	c.TimeToLastUpstreamTxByte = us(450)
	c.TimeToFirstUpstreamRxByte = us(upstream)
	c.TimeToLastUpstreamRxByte = us(total - 150)
	c.TimeToFirstDownstreamTxByte = us(upstream + 80)
	c.TimeToLastDownstreamTxByte = us(total - 40)
	c.Duration = us(total)
}

// mtls is the downstream TLS session of a sidecar's inbound listener: Istio
// mutual TLS, with both workloads' SPIFFE certificates.
func mtls(local, peer meshProxy, port int) *datav3.TLSProperties {
	return &datav3.TLSProperties{
		TlsVersion:                 datav3.TLSProperties_TLSv1_3,
		TlsCipherSuite:             wrapperspb.UInt32(0x1301), // TLS_AES_128_GCM_SHA256
		TlsSniHostname:             fmt.Sprintf("outbound_.%d_._.%s.%s.svc.cluster.local", port, local.app, local.namespace),
		PeerCertificateProperties:  uriSAN(peer.principal()),
		LocalCertificateProperties: uriSAN(local.principal()),
	}
}

func uriSAN(uri string) *datav3.TLSProperties_CertificateProperties {
	return &datav3.TLSProperties_CertificateProperties{SubjectAltName: []*datav3.TLSProperties_CertificateProperties_SubjectAltName{
		{San: &datav3.TLSProperties_CertificateProperties_SubjectAltName_Uri{Uri: uri}},
	}}
}

// filterStates is the filter state map of an entry whose peer (downstream_peer
// or upstream_peer, as key says) is p.
func filterStates(key string, p meshProxy) map[string]*anypb.Any {
	return map[string]*anypb.Any{key: p.filterState()}
}

// Request ids: the gateway makes one per request and the services pass it on.
const (
	reqHome     = "7f3c2a1e-5b4d-4c6e-9a8b-1d2e3f405162"
	reqCartAdd  = "0b9e8d7c-6a5f-4e3d-8c2b-a19f8e7d6c5b"
	reqRefund   = "c4d5e6f7-0819-4a2b-9c3d-4e5f60718293"
	browserUA   = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0"
	rbacDenyPol = "rbac_access_denied_matched_policy[ns[payments]-policy[deny-shop-catalog]-rule[0]]"
)

func httpMessage(id *accesslogv3.StreamAccessLogsMessage_Identifier, entries ...*datav3.HTTPAccessLogEntry) *accesslogv3.StreamAccessLogsMessage {
	return &accesslogv3.StreamAccessLogsMessage{Identifier: id, LogEntries: &accesslogv3.StreamAccessLogsMessage_HttpLogs{
		HttpLogs: &accesslogv3.StreamAccessLogsMessage_HTTPAccessLogEntries{LogEntry: entries},
	}}
}

func tcpMessage(id *accesslogv3.StreamAccessLogsMessage_Identifier, entries ...*datav3.TCPAccessLogEntry) *accesslogv3.StreamAccessLogsMessage {
	return &accesslogv3.StreamAccessLogsMessage{Identifier: id, LogEntries: &accesslogv3.StreamAccessLogsMessage_TcpLogs{
		TcpLogs: &accesslogv3.StreamAccessLogsMessage_TCPAccessLogEntries{LogEntry: entries},
	}}
}

// fixedStream sends msgs once, in order.
func fixedStream(msgs ...*accesslogv3.StreamAccessLogsMessage) Stream {
	return ReplayStreams([][]*accesslogv3.StreamAccessLogsMessage{msgs}, 1)[0]
}

// Mesh returns the sample mesh's streams, one per proxy and log type, in
// the order of their file names.
func Mesh() []NamedStream {
	gw, fe, cat, cart, redis, co := meshGateway, meshFrontend, meshCatalog, meshCart, meshRedis, meshCheckout

	// The gateway terminates the client's TLS and routes to frontend.
	gwHome := &datav3.HTTPAccessLogEntry{
		CommonProperties: &datav3.AccessLogCommon{
			DownstreamRemoteAddress:     sockAddr("203.0.113.77", 53012),
			DownstreamLocalAddress:      sockAddr(gw.ip, 8443),
			UpstreamRemoteAddress:       sockAddr(fe.ip, 8080),
			UpstreamLocalAddress:        sockAddr(gw.ip, 46120),
			StartTime:                   meshAt(0),
			UpstreamCluster:             "outbound|8080||frontend.shop.svc.cluster.local",
			RouteName:                   "shop-frontend",
			ResponseFlags:               &datav3.ResponseFlags{},
			UpstreamRequestAttemptCount: 1,
			TlsProperties: &datav3.TLSProperties{
				TlsVersion:     datav3.TLSProperties_TLSv1_3,
				TlsCipherSuite: wrapperspb.UInt32(0x1302), // TLS_AES_256_GCM_SHA384
				TlsSniHostname: "shop.example.com",
			},
			FilterStateObjects: filterStates("upstream_peer", fe),
		},
		ProtocolVersion: datav3.HTTPAccessLogEntry_HTTP2,
		Request: &datav3.HTTPRequestProperties{
			RequestMethod:       corev3.RequestMethod_GET,
			Scheme:              "https",
			Authority:           "shop.example.com",
			Path:                "/",
			UserAgent:           browserUA,
			ForwardedFor:        "203.0.113.77",
			RequestId:           reqHome,
			Referer:             "https://search.example.net/",
			RequestHeadersBytes: 512,
		},
		Response: &datav3.HTTPResponseProperties{
			ResponseCode:         wrapperspb.UInt32(200),
			ResponseHeadersBytes: 210,
			ResponseBodyBytes:    18432,
			ResponseCodeDetails:  "via_upstream",
		},
	}
	meshTimings(gwHome.CommonProperties, 21500, 23800)

	gwCartAdd := proto.CloneOf(gwHome)
	c := gwCartAdd.CommonProperties
	c.DownstreamRemoteAddress = sockAddr("203.0.113.77", 53014)
	c.UpstreamLocalAddress = sockAddr(gw.ip, 46134)
	c.StartTime = meshAt(1250)
	meshTimings(c, 30200, 31900)
	gwCartAdd.Request.RequestMethod = corev3.RequestMethod_POST
	gwCartAdd.Request.Path = "/api/cart/items"
	gwCartAdd.Request.RequestId = reqCartAdd
	gwCartAdd.Request.Referer = "https://shop.example.com/"
	gwCartAdd.Request.RequestBodyBytes = 64
	gwCartAdd.Response.ResponseCode = wrapperspb.UInt32(503)
	gwCartAdd.Response.ResponseBodyBytes = 95

	// frontend's sidecar: the two requests arrive over mTLS from the
	// gateway (its upstream local address is their downstream remote one).
	feInbound := func(from *datav3.HTTPAccessLogEntry, localPort uint32, total int) *datav3.HTTPAccessLogEntry {
		e := proto.CloneOf(from)
		c := e.CommonProperties
		c.DownstreamRemoteAddress = c.UpstreamLocalAddress
		c.DownstreamLocalAddress = sockAddr(fe.ip, 8080)
		c.UpstreamRemoteAddress = sockAddr(fe.ip, 8080)
		c.UpstreamLocalAddress = sockAddr("127.0.0.6", localPort)
		c.StartTime = timestamppb.New(from.CommonProperties.StartTime.AsTime().Add(1200 * time.Microsecond))
		c.UpstreamCluster = "inbound|8080||"
		c.RouteName = "default"
		c.TlsProperties = mtls(fe, gw, 8080)
		c.FilterStateObjects = filterStates("downstream_peer", gw)
		meshTimings(c, total-2200, total)
		e.ProtocolVersion = datav3.HTTPAccessLogEntry_HTTP11
		e.Request.Scheme = "http"
		e.Request.RequestHeadersBytes = 1180
		return e
	}
	feHome := feInbound(gwHome, 39021, 21300)
	feCartAdd := feInbound(gwCartAdd, 39027, 29800)

	// frontend calls catalog, then cart (which resets), and fetches a
	// script from a CDN no ServiceEntry declares: under ALLOW_ANY it leaves
	// through PassthroughCluster.
	feToCatalog := &datav3.HTTPAccessLogEntry{
		CommonProperties: &datav3.AccessLogCommon{
			DownstreamRemoteAddress:     sockAddr(fe.ip, 51022),
			DownstreamLocalAddress:      sockAddr("10.96.10.20", 8080),
			UpstreamRemoteAddress:       sockAddr(cat.ip, 8080),
			UpstreamLocalAddress:        sockAddr(fe.ip, 51024),
			StartTime:                   meshAt(3),
			UpstreamCluster:             "outbound|8080||catalog.shop.svc.cluster.local",
			RouteName:                   "catalog.shop.svc.cluster.local:8080",
			ResponseFlags:               &datav3.ResponseFlags{},
			UpstreamRequestAttemptCount: 1,
			FilterStateObjects:          filterStates("upstream_peer", cat),
		},
		ProtocolVersion: datav3.HTTPAccessLogEntry_HTTP11,
		Request: &datav3.HTTPRequestProperties{
			RequestMethod:       corev3.RequestMethod_GET,
			Scheme:              "http",
			Authority:           "catalog.shop:8080",
			Path:                "/api/products?page=2&sort=price",
			UserAgent:           "frontend/1.4.2",
			RequestId:           reqHome,
			ForwardedFor:        "203.0.113.77",
			RequestHeadersBytes: 640,
		},
		Response: &datav3.HTTPResponseProperties{
			ResponseCode:         wrapperspb.UInt32(200),
			ResponseHeadersBytes: 180,
			ResponseBodyBytes:    9321,
			ResponseCodeDetails:  "via_upstream",
		},
	}
	meshTimings(feToCatalog.CommonProperties, 15100, 16200)

	feToCart := &datav3.HTTPAccessLogEntry{
		CommonProperties: &datav3.AccessLogCommon{
			DownstreamRemoteAddress:     sockAddr(fe.ip, 51040),
			DownstreamLocalAddress:      sockAddr("10.96.10.30", 8080),
			UpstreamRemoteAddress:       sockAddr(cart.ip, 8080),
			UpstreamLocalAddress:        sockAddr(fe.ip, 51042),
			StartTime:                   meshAt(1253),
			UpstreamCluster:             "outbound|8080||cart.shop.svc.cluster.local",
			RouteName:                   "cart.shop.svc.cluster.local:8080",
			ResponseFlags:               &datav3.ResponseFlags{UpstreamConnectionTermination: true},
			UpstreamRequestAttemptCount: 1,
			FilterStateObjects:          filterStates("upstream_peer", cart),
		},
		ProtocolVersion: datav3.HTTPAccessLogEntry_HTTP11,
		Request: &datav3.HTTPRequestProperties{
			RequestMethod:       corev3.RequestMethod_POST,
			Scheme:              "http",
			Authority:           "cart.shop:8080",
			Path:                "/api/cart/items",
			UserAgent:           "frontend/1.4.2",
			RequestId:           reqCartAdd,
			ForwardedFor:        "203.0.113.77",
			RequestHeadersBytes: 655,
			RequestBodyBytes:    64,
		},
		Response: &datav3.HTTPResponseProperties{
			ResponseCode:         wrapperspb.UInt32(503),
			ResponseHeadersBytes: 120,
			ResponseBodyBytes:    95,
			ResponseCodeDetails:  "upstream_reset_before_response_started{connection_termination}",
		},
	}
	meshTimings(feToCart.CommonProperties, 27600, 28400)

	feToCDN := &datav3.HTTPAccessLogEntry{
		CommonProperties: &datav3.AccessLogCommon{
			DownstreamRemoteAddress: sockAddr(fe.ip, 51050),
			DownstreamLocalAddress:  sockAddr("192.0.2.80", 80),
			UpstreamRemoteAddress:   sockAddr("192.0.2.80", 80),
			UpstreamLocalAddress:    sockAddr(fe.ip, 51052),
			StartTime:               meshAt(1310),
			UpstreamCluster:         mesh.PassthroughCluster,
			RouteName:               "allow_any",
			ResponseFlags:           &datav3.ResponseFlags{},
		},
		ProtocolVersion: datav3.HTTPAccessLogEntry_HTTP11,
		Request: &datav3.HTTPRequestProperties{
			RequestMethod:       corev3.RequestMethod_GET,
			Scheme:              "http",
			Authority:           "cdn.example.com",
			Path:                "/assets/app.js?v=20261101",
			UserAgent:           "frontend/1.4.2",
			RequestId:           "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d",
			RequestHeadersBytes: 420,
		},
		Response: &datav3.HTTPResponseProperties{
			ResponseCode:         wrapperspb.UInt32(200),
			ResponseHeadersBytes: 310,
			ResponseBodyBytes:    48211,
			ResponseCodeDetails:  "via_upstream",
		},
	}
	meshTimings(feToCDN.CommonProperties, 38000, 44500)

	// catalog answers frontend over HTTP/2 (mTLS), and tries to refund
	// through checkout in payments, which an AuthorizationPolicy forbids.
	catFromFrontend := &datav3.HTTPAccessLogEntry{
		CommonProperties: &datav3.AccessLogCommon{
			DownstreamRemoteAddress: sockAddr(fe.ip, 51024),
			DownstreamLocalAddress:  sockAddr(cat.ip, 8080),
			UpstreamRemoteAddress:   sockAddr(cat.ip, 8080),
			UpstreamLocalAddress:    sockAddr("127.0.0.6", 40311),
			StartTime:               meshAt(4),
			UpstreamCluster:         "inbound|8080||",
			RouteName:               "default",
			ResponseFlags:           &datav3.ResponseFlags{},
			TlsProperties:           mtls(cat, fe, 8080),
			FilterStateObjects:      filterStates("downstream_peer", fe),
		},
		ProtocolVersion: datav3.HTTPAccessLogEntry_HTTP2,
		Request: &datav3.HTTPRequestProperties{
			RequestMethod:       corev3.RequestMethod_GET,
			Scheme:              "http",
			Authority:           "catalog.shop:8080",
			Path:                "/api/products?page=2&sort=price",
			UserAgent:           "frontend/1.4.2",
			RequestId:           reqHome,
			ForwardedFor:        "203.0.113.77",
			RequestHeadersBytes: 1210,
		},
		Response: &datav3.HTTPResponseProperties{
			ResponseCode:         wrapperspb.UInt32(200),
			ResponseHeadersBytes: 140,
			ResponseBodyBytes:    9321,
			ResponseCodeDetails:  "via_upstream",
		},
	}
	meshTimings(catFromFrontend.CommonProperties, 13900, 14300)

	catToCheckout := &datav3.HTTPAccessLogEntry{
		CommonProperties: &datav3.AccessLogCommon{
			DownstreamRemoteAddress:     sockAddr(cat.ip, 44310),
			DownstreamLocalAddress:      sockAddr("10.96.20.15", 8080),
			UpstreamRemoteAddress:       sockAddr(co.ip, 8080),
			UpstreamLocalAddress:        sockAddr(cat.ip, 44312),
			StartTime:                   meshAt(2400),
			UpstreamCluster:             "outbound|8080||checkout.payments.svc.cluster.local",
			RouteName:                   "checkout.payments.svc.cluster.local:8080",
			ResponseFlags:               &datav3.ResponseFlags{},
			UpstreamRequestAttemptCount: 1,
			FilterStateObjects:          filterStates("upstream_peer", co),
		},
		ProtocolVersion: datav3.HTTPAccessLogEntry_HTTP11,
		Request: &datav3.HTTPRequestProperties{
			RequestMethod:       corev3.RequestMethod_POST,
			Scheme:              "http",
			Authority:           "checkout.payments:8080",
			Path:                "/api/refunds",
			UserAgent:           "catalog/2.0.7",
			RequestId:           reqRefund,
			RequestHeadersBytes: 380,
			RequestBodyBytes:    212,
		},
		Response: &datav3.HTTPResponseProperties{
			ResponseCode:         wrapperspb.UInt32(403),
			ResponseHeadersBytes: 90,
			ResponseBodyBytes:    19,
			ResponseCodeDetails:  "via_upstream",
		},
	}
	meshTimings(catToCheckout.CommonProperties, 1900, 2100)

	// checkout's sidecar refuses catalog (RBAC, a named DENY policy); under
	// REGISTRY_ONLY, plain HTTP to an undeclared host gets block_all's 502.
	coDenied := &datav3.HTTPAccessLogEntry{
		CommonProperties: &datav3.AccessLogCommon{
			DownstreamRemoteAddress:     sockAddr(cat.ip, 44312),
			DownstreamLocalAddress:      sockAddr(co.ip, 8080),
			StartTime:                   meshAt(2401),
			UpstreamCluster:             "inbound|8080||",
			RouteName:                   "default",
			ResponseFlags:               &datav3.ResponseFlags{},
			TlsProperties:               mtls(co, cat, 8080),
			FilterStateObjects:          filterStates("downstream_peer", cat),
			TimeToLastRxByte:            us(55),
			TimeToFirstDownstreamTxByte: us(310),
			TimeToLastDownstreamTxByte:  us(330),
			Duration:                    us(340),
		},
		ProtocolVersion: datav3.HTTPAccessLogEntry_HTTP11,
		Request: &datav3.HTTPRequestProperties{
			RequestMethod:       corev3.RequestMethod_POST,
			Scheme:              "http",
			Authority:           "checkout.payments:8080",
			Path:                "/api/refunds",
			UserAgent:           "catalog/2.0.7",
			RequestId:           reqRefund,
			RequestHeadersBytes: 1020,
			RequestBodyBytes:    212,
		},
		Response: &datav3.HTTPResponseProperties{
			ResponseCode:         wrapperspb.UInt32(403),
			ResponseHeadersBytes: 90,
			ResponseBodyBytes:    19,
			ResponseCodeDetails:  rbacDenyPol,
		},
	}

	coBlockAll := &datav3.HTTPAccessLogEntry{
		CommonProperties: &datav3.AccessLogCommon{
			DownstreamRemoteAddress:     sockAddr(co.ip, 47810),
			DownstreamLocalAddress:      sockAddr("203.0.113.140", 80),
			StartTime:                   meshAt(3100),
			RouteName:                   "block_all",
			ResponseFlags:               &datav3.ResponseFlags{},
			TimeToLastRxByte:            us(40),
			TimeToFirstDownstreamTxByte: us(95),
			TimeToLastDownstreamTxByte:  us(100),
			Duration:                    us(110),
		},
		ProtocolVersion: datav3.HTTPAccessLogEntry_HTTP11,
		Request: &datav3.HTTPRequestProperties{
			RequestMethod:       corev3.RequestMethod_GET,
			Scheme:              "http",
			Authority:           "ip-api.example",
			Path:                "/json",
			UserAgent:           "Go-http-client/1.1",
			RequestId:           "9d8c7b6a-5f4e-4d3c-8b2a-19f8e7d6c5b4",
			RequestHeadersBytes: 110,
		},
		Response: &datav3.HTTPResponseProperties{
			ResponseCode:         wrapperspb.UInt32(502),
			ResponseHeadersBytes: 75,
			ResponseCodeDetails:  "direct_response",
		},
	}

	// TCP: cart holds a connection to redis for a minute (mTLS at redis's
	// sidecar); checkout reaches its payment provider, declared by a
	// ServiceEntry, and is refused an undeclared address (BlackHoleCluster).
	cartToRedis := &datav3.TCPAccessLogEntry{
		CommonProperties: &datav3.AccessLogCommon{
			DownstreamRemoteAddress: sockAddr(cart.ip, 36001),
			DownstreamLocalAddress:  sockAddr("10.96.10.40", 6379),
			UpstreamRemoteAddress:   sockAddr(redis.ip, 6379),
			UpstreamLocalAddress:    sockAddr(cart.ip, 36003),
			StartTime:               meshAt(-60000),
			Duration:                durationpb.New(61*time.Second + 500*time.Millisecond),
			UpstreamCluster:         "outbound|6379||redis.shop.svc.cluster.local",
			ResponseFlags:           &datav3.ResponseFlags{},
			AccessLogType:           datav3.AccessLogType_TcpConnectionEnd,
			FilterStateObjects:      filterStates("upstream_peer", redis),
		},
		ConnectionProperties: &datav3.ConnectionProperties{ReceivedBytes: 2048, SentBytes: 16384},
	}

	redisFromCart := &datav3.TCPAccessLogEntry{
		CommonProperties: &datav3.AccessLogCommon{
			DownstreamRemoteAddress: sockAddr(cart.ip, 36003),
			DownstreamLocalAddress:  sockAddr(redis.ip, 6379),
			UpstreamRemoteAddress:   sockAddr(redis.ip, 6379),
			UpstreamLocalAddress:    sockAddr("127.0.0.6", 44219),
			StartTime:               meshAt(-59998),
			Duration:                durationpb.New(61*time.Second + 497*time.Millisecond),
			UpstreamCluster:         "inbound|6379||",
			ResponseFlags:           &datav3.ResponseFlags{},
			AccessLogType:           datav3.AccessLogType_TcpConnectionEnd,
			TlsProperties:           mtls(redis, cart, 6379),
			FilterStateObjects:      filterStates("downstream_peer", cart),
		},
		ConnectionProperties: &datav3.ConnectionProperties{ReceivedBytes: 2048, SentBytes: 16384},
	}

	coToPSP := &datav3.TCPAccessLogEntry{
		CommonProperties: &datav3.AccessLogCommon{
			DownstreamRemoteAddress: sockAddr(co.ip, 47702),
			DownstreamLocalAddress:  sockAddr("198.51.100.10", 443),
			UpstreamRemoteAddress:   sockAddr("198.51.100.10", 443),
			UpstreamLocalAddress:    sockAddr(co.ip, 47704),
			StartTime:               meshAt(2950),
			Duration:                durationpb.New(412 * time.Millisecond),
			UpstreamCluster:         "outbound|443||api.psp.example",
			ResponseFlags:           &datav3.ResponseFlags{},
			AccessLogType:           datav3.AccessLogType_TcpConnectionEnd,
			TlsProperties:           &datav3.TLSProperties{TlsSniHostname: "api.psp.example"},
		},
		ConnectionProperties: &datav3.ConnectionProperties{ReceivedBytes: 3120, SentBytes: 6877},
	}

	coBlackHole := &datav3.TCPAccessLogEntry{
		CommonProperties: &datav3.AccessLogCommon{
			DownstreamRemoteAddress: sockAddr(co.ip, 47720),
			DownstreamLocalAddress:  sockAddr("198.51.100.66", 443),
			StartTime:               meshAt(3020),
			Duration:                us(150),
			UpstreamCluster:         mesh.BlackHoleCluster,
			ResponseFlags:           &datav3.ResponseFlags{NoHealthyUpstream: true},
			AccessLogType:           datav3.AccessLogType_TcpConnectionEnd,
			TlsProperties:           &datav3.TLSProperties{TlsSniHostname: "telemetry.vendor.example"},
		},
		ConnectionProperties: &datav3.ConnectionProperties{ReceivedBytes: 517},
	}

	return []NamedStream{
		{
			Name: "istio-system-ingressgateway-http", Stream: fixedStream(httpMessage(gw.identifier(httpLogName), gwHome, gwCartAdd)),
			Description: "The ingress gateway (router) terminates the client's TLS for shop.example.com and routes two requests to frontend.",
		},
		{
			Name: "payments-checkout-http", Stream: fixedStream(httpMessage(co.identifier(httpLogName), coDenied, coBlockAll)),
			Description: "checkout's sidecar (payments, REGISTRY_ONLY): inbound from catalog denied by the AuthorizationPolicy deny-shop-catalog;\nplain HTTP to an undeclared host answered 502 by the block_all route.",
		},
		{
			Name: "payments-checkout-tcp", Stream: fixedStream(tcpMessage(co.identifier(tcpLogName), coToPSP, coBlackHole)),
			Description: "checkout's sidecar, TCP: TLS to api.psp.example, declared by a ServiceEntry (egress, allowed);\nTLS to an undeclared address sent to BlackHoleCluster (egress, denied by REGISTRY_ONLY).",
		},
		{
			Name: "shop-cart-tcp", Stream: fixedStream(tcpMessage(cart.identifier(tcpLogName), cartToRedis)),
			Description: "cart's sidecar, TCP: outbound to redis, the StatefulSet, for a minute.",
		},
		{
			Name: "shop-catalog-http", Stream: fixedStream(httpMessage(cat.identifier(httpLogName), catFromFrontend, catToCheckout)),
			Description: "catalog's sidecar: inbound from frontend over HTTP/2 and mTLS; outbound to checkout in payments, answered 403.",
		},
		{
			Name: "shop-frontend-http", Stream: fixedStream(
				httpMessage(fe.identifier(httpLogName), feHome, feToCatalog),
				httpMessage(nil, feCartAdd, feToCart, feToCDN)),
			Description: "frontend's sidecar, two messages (the identifier on the first only): inbound from the gateway over mTLS;\noutbound to catalog, to cart (reset by cart: 503), and to cdn.example.com through PassthroughCluster (ALLOW_ANY).",
		},
		{
			Name: "shop-redis-tcp", Stream: fixedStream(tcpMessage(redis.identifier(tcpLogName), redisFromCart)),
			Description: "redis's sidecar, TCP: inbound from cart over mTLS.",
		},
	}
}

// MeshNote ends the header of every recorded sample mesh file.
const MeshNote = "Recorded by `alsgen -mesh -record DIR` (`make samples`); regenerate rather than edit."

// Record writes each stream to dir/<name>.msg exactly as Run would send it
// (the identifier on the first message only), with a header of the stream's
// description and note.
func Record(dir, note string, streams []NamedStream) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	for _, s := range streams {
		var msgs []*accesslogv3.StreamAccessLogsMessage
		for i := 0; ; i++ {
			m, _ := s.Sent(i)
			if m == nil {
				break
			}
			msgs = append(msgs, m)
		}
		header := strings.TrimSpace(s.Description + "\n" + note)
		b, err := alsmsg.Marshal(header, msgs)
		if err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, s.Name+".msg"), b, 0o600); err != nil {
			return err
		}
	}
	return nil
}
