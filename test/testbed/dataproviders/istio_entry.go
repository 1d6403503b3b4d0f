package dataproviders

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Kind is the sort of traffic an entry records.
type Kind int

const (
	OutboundHTTP       Kind = iota // a sidecar calls an in-mesh service
	OutboundHTTPReset              // the same, the client hanging up before the response
	InboundHTTP                    // a sidecar receives an mTLS request
	InboundHTTPDenied              // an AuthorizationPolicy refuses a request (403)
	OutboundTCP                    // a sidecar opens a connection to an in-mesh database
	InboundTCPDenied               // an AuthorizationPolicy refuses a TCP connection
	EgressHTTP                     // plain HTTP to an unknown host through the PassthroughCluster
	EgressTLS                      // TLS to an unknown host, passed through (SNI only)
	EgressServiceEntry             // HTTP to a host declared by a ServiceEntry
	EgressBlackHole                // REGISTRY_ONLY sends an unknown host to the BlackHoleCluster
)

var kindNames = [...]string{
	"outbound-http", "outbound-http-reset", "inbound-http", "inbound-http-denied",
	"outbound-tcp", "inbound-tcp-denied", "egress-http", "egress-tls", "egress-serviceentry", "egress-blackhole",
}

func (k Kind) String() string { return kindNames[k] }

// kindCycle is the traffic mix, one id after another: mostly in-mesh HTTP,
// some TCP, one entry in five leaving the mesh, one in ten denied.
var kindCycle = [20]Kind{
	OutboundHTTP, OutboundHTTP, OutboundHTTP, OutboundHTTP, OutboundHTTP, OutboundHTTPReset,
	InboundHTTP, InboundHTTP, InboundHTTP, InboundHTTP, InboundHTTPDenied,
	OutboundTCP, OutboundTCP, OutboundTCP, InboundTCPDenied,
	EgressHTTP, EgressTLS, EgressServiceEntry, EgressHTTP, EgressBlackHole,
}

// Source ports come from Linux's default ephemeral range (32768–60999); the
// id picks the port and, through the rest of its value, the address that
// varies (a ClusterIP, a client pod, an external host). So the four-tuple
// src, sport, dst, dport, which every panlogs format writes, is unique per
// entry and leads back to its id.
const (
	portLow   = 32768
	portCount = 28232
)

// Entry is one access-log entry as the collector must report it: what the
// provider generates, what the ALS sender turns into Envoy's protobuf, and
// what the validator expects to find again in the backend.
type Entry struct {
	ID   uint64
	Kind Kind
	// Pod is the sidecar that logged the entry.
	Pod Pod

	Direction  string // inbound or outbound
	Start      time.Time
	DurationMs int64

	SrcAddr string
	SrcPort int
	DstAddr string
	DstPort int
	// Upstream is where Envoy forwarded to ("" when nothing was connected).
	UpstreamAddr      string
	UpstreamPort      int
	UpstreamLocalAddr string
	UpstreamLocalPort int
	Cluster           string
	Route             string
	ResponseFlags     string // Envoy's short codes, comma-joined

	// HTTP only (HTTP is false for TCP entries).
	HTTP            bool
	ProtocolVersion string // 1.1 or 2
	Method          string
	Authority       string
	Path            string // without the query
	Query           string
	UserAgent       string
	RequestID       string
	Status          int // 0: no response was sent
	RequestBytes    int64
	ResponseBytes   int64
	CodeDetails     string

	// TCP only.
	HasConnBytes bool
	ReceivedTCP  int64
	SentTCP      int64
	TermDetails  string

	// TLS as Envoy saw the downstream connection.
	SNI         string
	TLSVersion  string // "1.3" when Envoy terminated mTLS
	PeerURISAN  string
	LocalURISAN string

	// Identity: Source and Destination as the record must carry them;
	// Remote is the peer Envoy learned through the metadata exchange (nil
	// for hosts outside the mesh).
	Source, Destination Peer
	Remote              *Peer

	// The verdict.
	Action    string
	Rule      string
	EndReason string
	Egress    bool
}

// MTLS reports istio.mtls: set for inbound traffic only, true when the
// client presented a SPIFFE certificate.
func (e *Entry) MTLS() (value, set bool) {
	if e.Direction != "inbound" {
		return false, false
	}
	return e.PeerURISAN != "", true
}

// TLSHandshake reports whether Envoy terminated TLS (not just read the SNI).
func (e *Entry) TLSHandshake() bool { return e.TLSVersion != "" }

// Key is the entry's four-tuple, as the validator reads it from any format.
func (e *Entry) Key() string {
	return Key(e.SrcAddr, fmt.Sprint(e.SrcPort), e.DstAddr, fmt.Sprint(e.DstPort))
}

// Key joins a four-tuple into one map key.
func Key(src, sport, dst, dport string) string {
	return src + "|" + sport + "|" + dst + "|" + dport
}

// entryAt builds the entry with the given id, logged by pod, starting at
// start.
func entryAt(id uint64, pod Pod, start time.Time) Entry {
	port := portLow + int(id%portCount)
	block := id / portCount
	e := Entry{ID: id, Kind: kindCycle[id%uint64(len(kindCycle))], Pod: pod, Start: start}
	round := int(id / uint64(len(kindCycle))) // varies the details between cycles
	local := pod.Peer

	switch e.Kind {
	case OutboundHTTP, OutboundHTTPReset:
		svc := appPeer(httpServices[round%len(httpServices)], pod.Namespace)
		e.outbound(pod, port, varying(clusterIPs, block), httpPort)
		e.UpstreamAddr, e.UpstreamPort = serviceEndpoint(svc.App, pod.Namespace), httpPort
		e.Cluster = fmt.Sprintf("outbound|%d||%s.%s.svc.%s", httpPort, svc.App, pod.Namespace, trustDomain)
		e.Route = "default"
		e.Source, e.Destination, e.Remote = local, svc, &svc
		e.Source.Principal = "" // Envoy does not log the sidecar's own certificate outbound
		e.request(id, round, svc.App+":"+fmt.Sprint(httpPort), "/"+svc.App+"/"+fmt.Sprint(id%1000))
		if round%4 == 3 {
			e.ProtocolVersion = "2"
		}
		if e.Kind == OutboundHTTPReset {
			// The client went away: no response, Envoy flags DC.
			e.Status, e.ResponseBytes, e.CodeDetails = 0, 0, ""
			e.ResponseFlags = "DC"
			e.Action, e.EndReason = "reset-client", "tcp-rst-from-client"
		}
	case InboundHTTP, InboundHTTPDenied:
		caller := appPeer(callers[round%len(callers)], callerSpaces[round%len(callerSpaces)])
		if e.Kind == InboundHTTPDenied {
			caller = appPeer(callers[round%len(callers)], untrustedSpace)
		}
		e.inbound(pod, port, varying(clientIPs, block), httpPort, caller)
		e.Cluster = fmt.Sprintf("inbound|%d||", httpPort)
		e.Route = "default"
		e.request(id, round, pod.App+":"+fmt.Sprint(httpPort), "/api/v1/"+pod.App+"/"+fmt.Sprint(id%500))
		if e.Kind == InboundHTTPDenied {
			policy := fmt.Sprintf("ns[%s]-policy[deny-untrusted]-rule[0]", pod.Namespace)
			e.UpstreamAddr, e.UpstreamPort, e.UpstreamLocalAddr, e.UpstreamLocalPort = "", 0, "", 0
			e.Status, e.ResponseBytes = 403, int64(len("RBAC: access denied"))
			e.CodeDetails = "rbac_access_denied_matched_policy[" + policy + "]"
			e.Action, e.Rule, e.EndReason = "deny", pod.Namespace+"/deny-untrusted", "policy-deny"
		}
	case OutboundTCP:
		db := tcpServices[round%len(tcpServices)]
		peer := appPeer(db.name, pod.Namespace)
		e.outbound(pod, port, varying(clusterIPs, block), db.port)
		e.UpstreamAddr, e.UpstreamPort = serviceEndpoint(db.name, pod.Namespace), db.port
		e.Cluster = fmt.Sprintf("outbound|%d||%s.%s.svc.%s", db.port, db.name, pod.Namespace, trustDomain)
		e.Source, e.Destination, e.Remote = local, peer, &peer
		e.Source.Principal = ""
		e.tcp(1000+int64(id%5000), 20000+int64(id%50000), 1000+int64(id%9000))
	case InboundTCPDenied:
		caller := appPeer(callers[round%len(callers)], untrustedSpace)
		e.inbound(pod, port, varying(clientIPs, block), opaquePort, caller)
		e.UpstreamAddr, e.UpstreamPort, e.UpstreamLocalAddr, e.UpstreamLocalPort = "", 0, "", 0
		e.Cluster = fmt.Sprintf("inbound|%d||", opaquePort)
		e.tcp(64, 0, 2)
		policy := fmt.Sprintf("ns[%s]-policy[deny-sandbox]-rule[0]", pod.Namespace)
		e.TermDetails = "rbac_access_denied_matched_policy[" + policy + "]"
		e.Action, e.Rule, e.EndReason = "deny", pod.Namespace+"/deny-sandbox", "policy-deny"
	case EgressHTTP:
		e.egress(pod, port, varying(externalIPs, block), 80, "PassthroughCluster", local)
		e.Route = "allow_any"
		e.request(id, round, "downloads.example.org", "/v1/items/"+fmt.Sprint(id%1000))
	case EgressTLS:
		e.egress(pod, port, varying(externalIPs, block), 443, "PassthroughCluster", local)
		e.SNI = "api.github.example"
		e.tcp(900+int64(id%500), 4000+int64(id%9000), 120)
	case EgressServiceEntry:
		e.egress(pod, port, varying(externalIPs, block), 80, "outbound|80||api.example.com", local)
		e.Route = "api.example.com:80"
		e.request(id, round, "api.example.com", "/v2/charges")
		e.Method, e.Status, e.RequestBytes = "POST", 201, 300+int64(id%700)
	case EgressBlackHole:
		e.egress(pod, port, varying(externalIPs, block), 5432, "BlackHoleCluster", local)
		// Refused at once: nothing upstream, no bytes either way.
		e.UpstreamAddr, e.UpstreamPort, e.UpstreamLocalAddr, e.UpstreamLocalPort = "", 0, "", 0
		e.DurationMs = 0
		e.Action, e.Rule, e.EndReason = "deny", "outbound_traffic_policy_registry_only", "policy-deny"
	}
	return e
}

// outbound fills a connection the pod opened to dst:dport.
func (e *Entry) outbound(pod Pod, sport int, dst string, dport int) {
	e.Direction = "outbound"
	e.SrcAddr, e.SrcPort = pod.IP, sport
	e.DstAddr, e.DstPort = dst, dport
	e.UpstreamLocalAddr, e.UpstreamLocalPort = pod.IP, 10000+sport%20000
	e.Action, e.EndReason = "allow", "tcp-fin"
}

// egress fills a connection the pod opened to ext:port, outside the mesh,
// through cluster: the pod's workload is the source, with no principal
// (nothing vouches for it beyond the sidecar).
func (e *Entry) egress(pod Pod, sport int, ext string, port int, cluster string, local Peer) {
	e.outbound(pod, sport, ext, port)
	e.UpstreamAddr, e.UpstreamPort = ext, port
	e.Cluster = cluster
	e.Source, e.Egress = local, true
	e.Source.Principal = ""
}

// inbound fills a connection from a client at src to the pod, over mTLS.
func (e *Entry) inbound(pod Pod, sport int, src string, dport int, caller Peer) {
	e.Direction = "inbound"
	e.SrcAddr, e.SrcPort = src, sport
	e.DstAddr, e.DstPort = pod.IP, dport
	e.UpstreamAddr, e.UpstreamPort = pod.IP, dport
	e.UpstreamLocalAddr, e.UpstreamLocalPort = inboundLocal, sport
	e.TLSVersion, e.PeerURISAN, e.LocalURISAN = "1.3", caller.Principal, pod.Principal
	e.Source, e.Destination, e.Remote = caller, pod.Peer, &caller
	e.Action, e.EndReason = "allow", "tcp-fin"
}

var methods = []string{"GET", "GET", "POST", "PUT", "GET", "DELETE"}

// request fills an HTTP/1.1 exchange with a unique x-request-id.
func (e *Entry) request(id uint64, round int, authority, path string) {
	e.HTTP, e.ProtocolVersion = true, "1.1"
	e.Method = methods[round%len(methods)]
	e.Authority, e.Path = authority, path
	if round%3 == 1 {
		// '=' and '&' need escaping in CEF and LEEF values.
		e.Query = fmt.Sprintf("user=%d&tags=a,b", id%97)
	}
	e.UserAgent = "Mozilla/5.0 (X11; Linux x86_64) istio-testbed/1.0"
	e.RequestID = fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", id>>32, (id>>16)&0xffff, id&0xfff, (id>>12)&0xfff, id)
	switch e.Method {
	case http.MethodPost, http.MethodPut:
		e.RequestBytes = 100 + int64(id%900)
	}
	e.Status = map[string]int{"GET": 200, "POST": 201, "PUT": 200, "DELETE": 204}[e.Method]
	if e.Method == http.MethodGet && round%10 == 7 {
		e.Status = 404
	}
	if e.Status != 204 {
		e.ResponseBytes = 200 + int64(id%4000)
	}
	e.CodeDetails = "via_upstream"
	e.DurationMs = 2 + int64(id%300)
}

// tcp fills a connection's byte counts (received from and sent to the
// client) and its length.
func (e *Entry) tcp(received, sent, durationMs int64) {
	e.HasConnBytes, e.ReceivedTCP, e.SentTCP, e.DurationMs = true, received, sent, durationMs
}

// serviceEndpoint is the pod address behind an in-mesh service.
func serviceEndpoint(service, namespace string) string {
	h := 0
	for _, s := range []string{service, namespace} {
		for i := 0; i < len(s); i++ {
			h = h*31 + int(s[i])
		}
	}
	return addrAt(svcPodBase, uint64(h&0xfff)+1)
}

// URL is the request target as Envoy logged it: path and query.
func (e *Entry) URL() string {
	if e.Query == "" {
		return e.Path
	}
	return e.Path + "?" + e.Query
}

// Host is the authority without its port; AuthorityPort its port (0: none).
func (e *Entry) Host() string {
	h, _, _ := strings.Cut(e.Authority, ":")
	return h
}
