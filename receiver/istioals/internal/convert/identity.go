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

// structMetadata is a google.protobuf.Struct's fields as Istio's workload
// metadata (mesh.Metadata).
type structMetadata map[string]*structpb.Value

func (m structMetadata) Str(key string) string { return m[key].GetStringValue() }
func (m structMetadata) Has(key string) bool   { _, ok := m[key]; return ok }
func (m structMetadata) Label(key string) string {
	return m["LABELS"].GetStructValue().GetFields()[key].GetStringValue()
}

// peerFromFilterState reads a downstream_peer/upstream_peer filter state: an
// Any holding a google.protobuf.Struct, in either of Istio's styles
// (mesh.PeerFrom).
func peerFromFilterState(a *anyView) (mesh.Peer, bool) {
	if !a.present || a.typeURL != structTypeURL {
		return mesh.Peer{}, false
	}
	var s structpb.Struct
	if err := proto.Unmarshal(a.value, &s); err != nil {
		return mesh.Peer{}, false
	}
	return mesh.PeerFrom(structMetadata(s.GetFields()))
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
	var src, dst mesh.Peer
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
	waypoint := local.ProxyType == mesh.ProxyWaypoint
	if !srcKnown && !waypoint && dir == mesh.Outbound {
		src = local.peer()
	}
	if dir == mesh.Inbound && !waypoint {
		dst = local.peer()
		dst.Principal = peerURI(&tlsProps.local)
	} else if p, ok := local.cachedPeer(&c.usPeer); ok {
		dst = p
		if dst.Namespace == "" {
			dst.Namespace = mesh.SPIFFENamespace(dst.Principal)
		}
	}
	src.Put(attrs, false)
	dst.Put(attrs, true)

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

// cachedPeer decodes a peer filter state through the stream's cache (a
// stream without an identifier has one too).
func (l *Local) cachedPeer(a *anyView) (mesh.Peer, bool) {
	if !a.present || a.typeURL != structTypeURL {
		return mesh.Peer{}, false
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

func (l *Local) peer() mesh.Peer {
	return mesh.Peer{
		Workload:         l.Workload,
		Namespace:        l.Namespace,
		App:              l.App,
		Version:          l.Version,
		CanonicalService: l.CanonicalService,
		Cluster:          l.Cluster,
	}
}
