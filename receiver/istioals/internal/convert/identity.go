package convert

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/otelcol-pan/otelcol-pan/internal/fields"
	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
)

// Filter-state keys under which Istio's metadata exchange leaves the peers
// (Istio's filterStateObjectsToLog must name them for Envoy to send them).
const (
	downstreamPeerKey = "downstream_peer"
	upstreamPeerKey   = "upstream_peer"
	structTypeURL     = "type.googleapis.com/google.protobuf.Struct"
)

// Peer is one side's identity, as written to istio.source.* or
// istio.destination.*.
type Peer struct {
	Workload         string
	Namespace        string
	Principal        string
	App              string
	Version          string
	CanonicalService string
	Cluster          string
}

func (p *Peer) empty() bool { return *p == Peer{} }

// peerFromFilterState reads a downstream_peer/upstream_peer filter state: an
// Any holding a google.protobuf.Struct. Sidecars write Istio's
// WorkloadMetadataObject with lower-case keys (workload, namespace, identity,
// app, version, service, cluster); waypoints write the node-metadata style
// with upper-case keys (WORKLOAD_NAME, NAMESPACE, CLUSTER_ID, LABELS).
func peerFromFilterState(a *anyView) (Peer, bool) {
	if !a.present || a.typeURL != structTypeURL {
		return Peer{}, false
	}
	var s structpb.Struct
	if err := proto.Unmarshal(a.value, &s); err != nil {
		return Peer{}, false
	}
	f := s.GetFields()
	var p Peer
	if _, upper := f["NAMESPACE"]; upper || f["WORKLOAD_NAME"] != nil || f["LABELS"] != nil {
		labels := f["LABELS"].GetStructValue().GetFields()
		p = Peer{
			Workload:         str(f, "WORKLOAD_NAME"),
			Namespace:        str(f, "NAMESPACE"),
			Principal:        mesh.NormalizeSPIFFE(first(str(f, "IDENTITY"), str(f, "SPIFFE_ID"))),
			App:              first(str(labels, "app.kubernetes.io/name"), str(labels, "app")),
			Version:          first(str(labels, "app.kubernetes.io/version"), str(labels, "version")),
			CanonicalService: str(labels, "service.istio.io/canonical-name"),
			Cluster:          str(f, "CLUSTER_ID"),
		}
		if p.Workload == "" {
			if _, name := ownerWorkload(str(f, "OWNER")); name != "" {
				p.Workload = name
			}
		}
	} else {
		p = Peer{
			Workload:         str(f, "workload"),
			Namespace:        str(f, "namespace"),
			Principal:        mesh.NormalizeSPIFFE(str(f, "identity")),
			App:              str(f, "app"),
			Version:          str(f, "version"),
			CanonicalService: str(f, "service"),
			Cluster:          str(f, "cluster"),
		}
	}
	if p.CanonicalService == "" {
		p.CanonicalService = p.App
	}
	return p, !p.empty()
}

// peerURI returns the first SPIFFE URI SAN of a certificate, else "".
func peerURI(c *certView) string {
	for _, u := range c.uris {
		if mesh.IsSPIFFE(u) {
			return u
		}
	}
	return ""
}

// putIdentity fills istio.source.* and istio.destination.*. The source is the
// downstream peer when Envoy knows it (filter state, or the client
// certificate's SPIFFE ID), else the proxy itself when it originated the
// traffic (outbound sidecar, gateway). The destination is the proxy itself
// for inbound traffic, else the upstream peer. A waypoint is neither end: both
// sides come from its peers.
func putIdentity(c *commonView, local *Local, dir mesh.Direction, attrs pcommon.Map) {
	var src, dst Peer
	srcKnown := false
	if p, ok := local.cachedPeer(&c.dsPeer); ok {
		src, srcKnown = p, true
	}
	tlsProps := &c.tls
	if uri := peerURI(&tlsProps.peer); uri != "" {
		// The certificate is what the TLS stack verified: it wins over
		// metadata the peer announced about itself.
		src.Principal = uri
		if src.Namespace == "" {
			src.Namespace = mesh.SPIFFENamespace(uri)
		}
		srcKnown = true
	}
	waypoint := local != nil && local.ProxyType == mesh.ProxyWaypoint
	if !srcKnown && local != nil && !waypoint && dir == mesh.Outbound {
		src = local.peer()
	}
	if dir == mesh.Inbound && local != nil && !waypoint {
		dst = local.peer()
		dst.Principal = peerURI(&tlsProps.local)
	} else if p, ok := local.cachedPeer(&c.usPeer); ok {
		dst = p
		if dst.Namespace == "" {
			dst.Namespace = mesh.SPIFFENamespace(dst.Principal)
		}
	}
	putPeer(attrs, &src, false)
	putPeer(attrs, &dst, true)

	// mTLS: a downstream TLS session whose client presented a SPIFFE
	// certificate. Plaintext arriving inbound is a fact (false); for traffic
	// a sidecar originates, ALS does not say how the upstream leg was secured.
	switch {
	case tlsProps.present && tlsProps.handshake():
		attrs.PutBool(fields.IstioMTLS, peerURI(&tlsProps.peer) != "")
	case dir == mesh.Inbound && !waypoint:
		attrs.PutBool(fields.IstioMTLS, false)
	}
}

// cachedPeer decodes a peer filter state through the stream's cache. A nil
// Local (no identifier yet) decodes without caching.
func (l *Local) cachedPeer(a *anyView) (Peer, bool) {
	if !a.present || a.typeURL != structTypeURL {
		return Peer{}, false
	}
	if l == nil {
		return peerFromFilterState(a)
	}
	if e, hit := l.peers[string(a.value)]; hit {
		return e.peer, e.ok
	}
	p, ok := peerFromFilterState(a)
	if l.peers == nil || len(l.peers) >= maxCachedPeers {
		l.peers = make(map[string]peerEntry, 16)
	}
	// string(...) copies: the key must not point into the message.
	l.peers[string(a.value)] = peerEntry{peer: p, ok: ok}
	return p, ok
}

func (l *Local) peer() Peer {
	return Peer{
		Workload:         l.Workload,
		Namespace:        l.Namespace,
		App:              l.App,
		Version:          l.Version,
		CanonicalService: l.CanonicalService,
		Cluster:          l.Cluster,
	}
}

// peerKeys are the attributes of each side's identity (istio.source.* and
// istio.destination.*), in the order of Peer.values.
var peerKeys = func() (k [2][7]string) {
	for side, prefix := range [2]string{fields.IstioSourcePrefix, fields.IstioDestinationPrefix} {
		for i, name := range [7]string{
			fields.PeerWorkload, fields.PeerNamespace, fields.PeerPrincipal, fields.PeerApp,
			fields.PeerVersion, fields.PeerCanonicalService, fields.PeerCluster,
		} {
			k[side][i] = prefix + name
		}
	}
	return k
}()

func (p *Peer) values() [7]string {
	return [7]string{p.Workload, p.Namespace, p.Principal, p.App, p.Version, p.CanonicalService, p.Cluster}
}

// putPeer writes one side's identity: the source, or the destination.
func putPeer(attrs pcommon.Map, p *Peer, destination bool) {
	keys := &peerKeys[0]
	if destination {
		keys = &peerKeys[1]
	}
	for i, v := range p.values() {
		putStr(attrs, keys[i], v)
	}
}
