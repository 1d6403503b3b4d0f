package dataproviders

import (
	"fmt"
	"net/netip"
)

// The mesh the provider simulates: sidecar pods spread over namespaces, the
// in-mesh services they call, the clients that call them, and hosts outside
// the mesh. Everything is a pure function of an index, so that the validator
// can rebuild any entry from its id alone.

var (
	namespaces   = []string{"bookinfo", "payments", "shop"}
	apps         = []string{"productpage", "reviews", "ratings", "details", "checkout", "cart"}
	httpServices = []string{"reviews", "ratings", "details"}
	tcpServices  = []struct {
		name string
		port int
	}{{"postgres", 5432}, {"redis", 6379}}
	callers        = []string{"frontend", "productpage", "batch-jobs"}
	callerSpaces   = []string{"bookinfo", "payments", "shop", "frontend"}
	untrustedSpace = "sandbox"
)

const (
	trustDomain = "cluster.local"
	// kubeCluster is the CLUSTER_ID Istio reports for a single-cluster mesh.
	kubeCluster = "Kubernetes"
	httpPort    = 9080
	// opaquePort is a plain TCP port the pods expose (inbound TCP entries).
	opaquePort = 7070
	// safeAlphabet is what Kubernetes draws generated name suffixes from.
	safeAlphabet = "bcdfghjklmnpqrstvwxz2456789"
)

// Peer is one side of a connection as Istio knows it: the workload metadata
// that the metadata exchange puts into Envoy's filter state.
type Peer struct {
	Workload  string // the Deployment
	Namespace string
	App       string
	Version   string
	Principal string // SPIFFE ID
	Cluster   string
}

func spiffeID(namespace, serviceAccount string) string {
	return "spiffe://" + trustDomain + "/ns/" + namespace + "/sa/" + serviceAccount
}

func appPeer(app, namespace string) Peer {
	return Peer{
		Workload:  app + "-v1",
		Namespace: namespace,
		App:       app,
		Version:   "v1",
		Principal: spiffeID(namespace, app),
		Cluster:   kubeCluster,
	}
}

// Pod is a sidecar that streams access logs: the node identity of an ALS
// stream.
type Pod struct {
	Index int
	Peer
	Name string
	IP   string
	Node string
}

// PodAt is the i-th sidecar of the mesh.
func PodAt(i int) Pod {
	ns := namespaces[i%len(namespaces)]
	app := apps[(i/len(namespaces))%len(apps)]
	p := Pod{Index: i, Peer: appPeer(app, ns)}
	// A Deployment's pod: "<deployment>-<replica set hash>-<suffix>".
	p.Name = p.Workload + "-" + safeName(uint64(i%(len(namespaces)*len(apps))), 9) + "-" + safeName(uint64(i)+1<<20, 5)
	p.IP = addrAt(podBase, uint64(i)+1)
	p.Node = fmt.Sprintf("node-%d", i%3)
	return p
}

// safeName is n characters of Kubernetes' generated-name alphabet drawn
// from seed (a linear congruential step per character).
func safeName(seed uint64, n int) string {
	b := make([]byte, n)
	for i := range b {
		seed = seed*6364136223846793005 + 1442695040888963407
		b[i] = safeAlphabet[(seed>>33)%uint64(len(safeAlphabet))]
	}
	return string(b)
}

// Address ranges, one per role, disjoint so that an address says which role
// it plays (see IDFromKey):
var (
	podBase      = netip.MustParseAddr("10.0.0.0")        // sidecar pods (10.0.0.0/16)
	svcPodBase   = netip.MustParseAddr("10.1.0.0")        // pods behind in-mesh services (10.1.0.0/16)
	clusterIPs   = netip.MustParsePrefix("10.96.0.0/12")  // Service ClusterIPs: outbound destinations
	clientIPs    = netip.MustParsePrefix("10.128.0.0/10") // remote client pods: inbound sources
	externalIPs  = netip.MustParsePrefix("198.18.0.0/15") // hosts outside the mesh: egress destinations
	inboundLocal = "127.0.0.6"                            // Istio's inbound upstream bind address
)

// addrAt is base + off as a dotted IPv4 address.
func addrAt(base netip.Addr, off uint64) string {
	b := base.As4()
	v := uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
	v += off
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}).String()
}

// varying is the block-th address of a role's range, skipping the network
// address itself.
func varying(role netip.Prefix, block uint64) string { return addrAt(role.Addr(), block+1) }

// blockOf undoes varying: which block addr is in role's range.
func blockOf(role netip.Prefix, addr string) (uint64, bool) {
	off, ok := offsetIn(role, addr)
	if !ok || off == 0 {
		return 0, false
	}
	return off - 1, true
}

// offsetIn is addr - prefix's base when addr lies in prefix.
func offsetIn(prefix netip.Prefix, addr string) (uint64, bool) {
	a, err := netip.ParseAddr(addr)
	if err != nil || !a.Is4() || !prefix.Contains(a) {
		return 0, false
	}
	x, y := a.As4(), prefix.Addr().As4()
	av := uint64(x[0])<<24 | uint64(x[1])<<16 | uint64(x[2])<<8 | uint64(x[3])
	bv := uint64(y[0])<<24 | uint64(y[1])<<16 | uint64(y[2])<<8 | uint64(y[3])
	return av - bv, true
}
