package mesh // import "github.com/otelcol-pan/otelcol-pan/internal/mesh"

import (
	"strings"
)

// Istio's names for the clusters that are not a service: where a sidecar
// sends what its registry does not know (PassthroughCluster under
// outboundTrafficPolicy ALLOW_ANY, BlackHoleCluster under REGISTRY_ONLY),
// and where inbound traffic to a port no service declares goes.
//
//nolint:gosec // G101: "Passthrough" is no password
const (
	PassthroughCluster            = "PassthroughCluster"
	BlackHoleCluster              = "BlackHoleCluster"
	InboundPassthroughCluster     = "InboundPassthroughCluster"
	InboundPassthroughClusterIPv4 = "InboundPassthroughClusterIpv4"
	InboundPassthroughClusterIPv6 = "InboundPassthroughClusterIpv6"
)

// BlockAllRoute is the route on which Istio answers plain HTTP to an unknown
// host under REGISTRY_ONLY: its catch-all virtual host replies 502 itself,
// so the entry names this route and no cluster at all.
const BlockAllRoute = "block_all"

// Prefixes of the service clusters "<direction>|<port>|<subset>|<host>".
// Waypoints name their inbound clusters inbound-vip| and inbound-pod|.
const (
	outboundPrefix   = "outbound|"
	inboundPrefix    = "inbound|"
	inboundVIPPrefix = "inbound-vip|"
	inboundPodPrefix = "inbound-pod|"
)

// Direction is the way traffic crosses the proxy that logged it, as Istio's
// cluster names say: the values of istio.direction.
type Direction string

const (
	// Inbound traffic arrives at the proxy's own workload.
	Inbound Direction = "inbound"
	// Outbound traffic leaves the proxy's workload (or a gateway) for
	// another service or a host outside the mesh.
	Outbound Direction = "outbound"
	// Unknown is a cluster name that says nothing about direction.
	Unknown Direction = ""
)

// ClusterKind is what an Envoy cluster name is in Istio's naming.
type ClusterKind uint8

const (
	// ClusterOther is any name Istio does not generate (or none).
	ClusterOther ClusterKind = iota
	// ClusterInbound is "inbound|port|subset|host" (and a waypoint's
	// "inbound-vip|…", "inbound-pod|…").
	ClusterInbound
	// ClusterOutbound is "outbound|port|subset|host": a service in the
	// registry, in the mesh or declared by a ServiceEntry.
	ClusterOutbound
	// ClusterPassthrough is PassthroughCluster: an unknown host under
	// ALLOW_ANY.
	ClusterPassthrough
	// ClusterBlackHole is BlackHoleCluster: an unknown host refused under
	// REGISTRY_ONLY.
	ClusterBlackHole
	// ClusterInboundPassthrough is InboundPassthroughCluster (and its
	// Ipv4/Ipv6 forms): inbound to a port no service declares.
	ClusterInboundPassthrough
)

// Cluster is an Envoy cluster name read with Istio's naming.
type Cluster struct {
	Kind ClusterKind
	// Port, Subset and Host are the parts of a service cluster name; Port is
	// 0 when missing or not a port number, Host "" when the name has no
	// fourth part.
	Port   uint32
	Subset string
	Host   string
}

// ParseCluster reads an Envoy cluster name. It allocates nothing: the parts
// are slices of name.
func ParseCluster(name string) Cluster {
	var c Cluster
	var rest string
	switch {
	case strings.HasPrefix(name, outboundPrefix):
		c.Kind, rest = ClusterOutbound, name[len(outboundPrefix):]
	case strings.HasPrefix(name, inboundPrefix):
		c.Kind, rest = ClusterInbound, name[len(inboundPrefix):]
	case strings.HasPrefix(name, inboundVIPPrefix):
		c.Kind, rest = ClusterInbound, name[len(inboundVIPPrefix):]
	case strings.HasPrefix(name, inboundPodPrefix):
		c.Kind, rest = ClusterInbound, name[len(inboundPodPrefix):]
	default:
		switch name {
		case PassthroughCluster:
			c.Kind = ClusterPassthrough
		case BlackHoleCluster:
			c.Kind = ClusterBlackHole
		case InboundPassthroughCluster, InboundPassthroughClusterIPv4, InboundPassthroughClusterIPv6:
			c.Kind = ClusterInboundPassthrough
		}
		return c
	}
	port, rest, ok := cutBar(rest)
	if !ok {
		return c
	}
	c.Port = ParsePort(port)
	if c.Subset, c.Host, ok = cutBar(rest); !ok {
		c.Subset = ""
	}
	return c
}

// cutBar is strings.Cut(s, "|") for the short port and subset parts, where
// a loop costs less than the call to the vectorised search.
func cutBar(s string) (before, after string, found bool) {
	for i := range len(s) {
		if s[i] == '|' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// Direction is the direction the cluster name implies.
func (c Cluster) Direction() Direction {
	switch c.Kind {
	case ClusterInbound, ClusterInboundPassthrough:
		return Inbound
	case ClusterOutbound, ClusterPassthrough, ClusterBlackHole:
		return Outbound
	}
	return Unknown
}

// IsBlockAll reports REGISTRY_ONLY's answer to plain HTTP for an unknown
// host: the block_all route, with no cluster.
func IsBlockAll(cluster, route string) bool {
	return cluster == "" && route == BlockAllRoute
}

// ParsePort reads a port number; 0 when s is not one (empty, not decimal,
// or above 65535).
func ParsePort(s string) uint32 {
	// By hand: every entry's cluster name has one, and strconv's generality
	// costs more than the rest of ParseCluster.
	if s == "" || len(s) > 5 {
		return 0
	}
	var p uint32
	for i := range len(s) {
		c := s[i]
		if c < '0' || c > '9' {
			return 0
		}
		p = p*10 + uint32(c-'0')
	}
	if p > 65535 {
		return 0
	}
	return p
}

// IsWaypointCluster reports a cluster only a waypoint uses: its inbound
// clusters "inbound-vip|…" and "inbound-pod|…". A record naming one was
// logged by a waypoint, which is neither end of the traffic.
func IsWaypointCluster(name string) bool {
	return strings.HasPrefix(name, inboundVIPPrefix) || strings.HasPrefix(name, inboundPodPrefix)
}
