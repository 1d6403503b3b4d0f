package serviceentry // import "github.com/otelcol-pan/otelcol-pan/exporter/serviceentry"

import (
	"net/netip"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-pan/otelcol-pan/internal/fields"
	"github.com/otelcol-pan/otelcol-pan/internal/glob"
	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
)

// via says how a connection left the mesh.
type via uint8

const (
	viaPassthrough via = iota // PassthroughCluster (ALLOW_ANY)
	viaRegistered             // an outbound cluster of a host outside the mesh domains (a ServiceEntry exists)
	viaBlackHole              // denied: BlackHoleCluster or the block_all route (REGISTRY_ONLY)
	viaOther                  // marked pan.egress by its producer, cluster unknown
	numVia
)

// protoSet is the set of protocols seen on a port.
type protoSet uint8

const (
	protoTLS protoSet = 1 << iota
	protoHTTP
	protoTCP
)

// skip says why a record taught nothing.
type skip uint8

const (
	learned         skip = iota
	skipNotEgress        // inbound, in-mesh or no evidence of leaving the mesh
	skipInMesh           // a host inside the mesh domains
	skipNoHost           // no usable name and no original destination address
	skipNoPort           // no port anywhere in the record
	skipIgnoredHost      // ignore_hosts
	skipIgnoredCIDR      // ignore_cidrs
	skipNamespace        // source outside namespaces
	numSkip
)

// source is a workload that used a host.
type source struct {
	Namespace string `json:"namespace,omitempty"`
	Workload  string `json:"workload,omitempty"`
	Principal string `json:"principal,omitempty"`
}

// observation is what one egress record says.
type observation struct {
	host  string     // normalised name, or the address's text
	addr  netip.Addr // valid when host is an address
	dest  netip.Addr // the original destination, when known
	port  uint32
	proto protoSet
	via   via
	src   source
	ts    time.Time
}

// matcher holds the compiled learning filters.
type matcher struct {
	meshDomains mesh.Domains
	ignoreHosts []*glob.Pattern
	ignoreCIDRs []netip.Prefix
	namespaces  []string
}

func newMatcher(cfg *Config) *matcher {
	m := &matcher{namespaces: cfg.Namespaces, meshDomains: mesh.NewDomains(cfg.MeshDomains)}
	for _, h := range cfg.IgnoreHosts {
		if g, err := glob.Compile(strings.ToLower(h)); err == nil { // Validate refused the others
			m.ignoreHosts = append(m.ignoreHosts, g)
		}
	}
	for _, c := range cfg.IgnoreCIDRs {
		if p, err := parsePrefix(c); err == nil { // Validate refused the others
			m.ignoreCIDRs = append(m.ignoreCIDRs, p)
		}
	}
	return m
}

func (m *matcher) ignoredName(name string) bool {
	for _, g := range m.ignoreHosts {
		if g.Match(name) {
			return true
		}
	}
	return false
}

func (m *matcher) ignoredAddr(a netip.Addr) bool {
	for _, p := range m.ignoreCIDRs {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func (m *matcher) inScope(ns string) bool {
	return len(m.namespaces) == 0 || slices.Contains(m.namespaces, ns)
}

// observe reads one record. Inbound traffic, in-mesh traffic and records
// without evidence of leaving the mesh are skipped: an outbound cluster's
// host and every name are checked against the mesh domains here, so the
// exporter's mesh_domains hold whatever the producer of pan.egress used.
func (m *matcher) observe(res pcommon.Map, lr plog.LogRecord) (observation, skip) {
	attrs := lr.Attributes()
	if mesh.Direction(str(attrs, fields.IstioDirection)) == mesh.Inbound {
		return observation{}, skipNotEgress
	}
	var o observation
	name := str(attrs, fields.EnvoyUpstreamCluster)
	cluster := mesh.ParseCluster(name)
	var clusterHost string
	switch {
	case cluster.Kind == mesh.ClusterBlackHole, mesh.IsBlockAll(name, str(attrs, fields.EnvoyRouteName)):
		o.via = viaBlackHole
	case cluster.Kind == mesh.ClusterPassthrough:
		o.via = viaPassthrough
	case cluster.Kind == mesh.ClusterOutbound:
		clusterHost = mesh.NormalizeName(cluster.Host)
		if clusterHost == "" {
			return o, skipNotEgress
		}
		if m.meshDomains.Contains(clusterHost) {
			return o, skipInMesh
		}
		o.via = viaRegistered
	default:
		if !isTrue(attrs, fields.PanEgress) {
			return o, skipNotEgress
		}
		o.via = viaOther
	}

	sni := str(attrs, fields.TLSServerName)
	o.dest = addrOf(str(attrs, fields.DestinationAddress))
	if r := m.pickHost(&o, sni, str(attrs, fields.ServerAddress), clusterHost); r != learned {
		return o, r
	}
	if o.dest.IsValid() && m.ignoredAddr(o.dest) {
		return o, skipIgnoredCIDR
	}

	o.port = portOf(attrs, fields.DestinationPort)
	if o.port == 0 {
		o.port = portOf(attrs, fields.ServerPort)
	}
	if o.port == 0 {
		o.port = cluster.Port
	}
	if o.port == 0 {
		return o, skipNoPort
	}

	// As seen: a TLS handshake (the SNI, or a session Envoy took part in),
	// else an HTTP request Envoy parsed, else opaque TCP.
	switch {
	case sni != "" || isTrue(attrs, fields.TLSEstablished):
		o.proto = protoTLS
	case lr.EventName() == fields.EventHTTP || str(attrs, fields.HTTPRequestMethod) != "":
		o.proto = protoHTTP
	default:
		o.proto = protoTCP
	}

	o.src = sourceOf(res, attrs)
	if !m.inScope(o.src.Namespace) {
		return o, skipNamespace
	}
	o.ts = recordTime(lr)
	return o, learned
}

// pickHost chooses the host: the SNI, else the HTTP authority, else the
// outbound cluster's host, else the original destination address. A
// candidate that is not a usable external name (a search-path short name,
// junk) gives way to the next; a name inside the mesh domains makes the
// whole record in-mesh.
func (m *matcher) pickHost(o *observation, candidates ...string) skip {
	for _, c := range candidates {
		name := mesh.NormalizeName(strings.Trim(c, "[]"))
		if name == "" || strings.ContainsRune(name, '*') {
			continue
		}
		if a := addrOf(name); a.IsValid() {
			return m.useAddr(o, a)
		}
		if m.meshDomains.Contains(name) || strings.HasSuffix(name, ".svc") {
			return skipInMesh
		}
		if !isExternalName(name) {
			continue
		}
		if m.ignoredName(name) {
			return skipIgnoredHost
		}
		o.host = name
		return learned
	}
	if o.dest.IsValid() {
		return m.useAddr(o, o.dest)
	}
	return skipNoHost
}

func (m *matcher) useAddr(o *observation, a netip.Addr) skip {
	if a.IsLoopback() || a.IsUnspecified() {
		return skipNotEgress
	}
	if m.ignoredAddr(a) {
		return skipIgnoredCIDR
	}
	o.addr = a
	o.host = a.String()
	return learned
}

// sourceOf reads the workload that opened the connection: the record's
// istio.source.*, else the resource of the proxy that logged it (a sidecar
// is the source of its outbound traffic).
func sourceOf(res, attrs pcommon.Map) source {
	s := source{
		Namespace: str(attrs, fields.IstioSourceNamespace),
		Workload:  str(attrs, fields.IstioSourceWorkload),
		Principal: str(attrs, fields.IstioSourcePrincipal),
	}
	if s.Namespace == "" {
		s.Namespace = str(res, fields.K8sNamespaceName)
	}
	if s.Workload == "" {
		for _, k := range [...]string{
			fields.IstioWorkloadName, fields.K8sDeploymentName, fields.K8sStatefulSetName,
			fields.K8sDaemonSetName, fields.K8sCronJobName, fields.K8sJobName, fields.K8sReplicaSetName,
		} {
			if s.Workload = str(res, k); s.Workload != "" {
				break
			}
		}
	}
	return s
}

// recordTime is when the connection started, else when the record was
// observed, else now.
func recordTime(lr plog.LogRecord) time.Time {
	if ts := lr.Timestamp(); ts != 0 {
		return ts.AsTime()
	}
	if ts := lr.ObservedTimestamp(); ts != 0 {
		return ts.AsTime()
	}
	return time.Now().UTC()
}

func str(m pcommon.Map, key string) string {
	if v, ok := m.Get(key); ok && v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return ""
}

func isTrue(m pcommon.Map, key string) bool {
	v, ok := m.Get(key)
	return ok && v.Type() == pcommon.ValueTypeBool && v.Bool()
}

func portOf(m pcommon.Map, key string) uint32 {
	v, ok := m.Get(key)
	if !ok {
		return 0
	}
	switch v.Type() {
	case pcommon.ValueTypeInt:
		if p := v.Int(); p > 0 && p <= 65535 {
			return uint32(p)
		}
	case pcommon.ValueTypeStr:
		return mesh.ParsePort(v.Str())
	}
	return 0
}

// addrOf parses an IP address without a zone, IPv4-mapped IPv6 as IPv4.
func addrOf(s string) netip.Addr {
	if s == "" {
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}
	}
	return a.Unmap()
}
