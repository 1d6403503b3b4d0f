package istionorm // import "github.com/otelcol-pan/otelcol-pan/processor/istionorm"

import (
	"encoding/json"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
)

// maxCachedPeers bounds the peer cache of one scratch; it is emptied when
// full.
const maxCachedPeers = 1024

// peerCache keeps the peers decoded from their JSON text: a proxy logs the
// same few peers over and over, and decoding is the dearest part of a
// record.
type peerCache struct {
	m map[string]peerEntry
}

type peerEntry struct {
	peer mesh.Peer
	ok   bool
}

// get reads the peer in the attribute key: Istio's workload metadata as a
// JSON object (%FILTER_STATE(…)%), or already a map.
func (c *peerCache) get(attrs pcommon.Map, key string) (mesh.Peer, bool) {
	v, ok := attrs.Get(key)
	if !ok {
		return mesh.Peer{}, false
	}
	switch v.Type() {
	case pcommon.ValueTypeMap:
		return mesh.PeerFrom(mapMetadata(v.Map().AsRaw()))
	case pcommon.ValueTypeStr:
	default:
		return mesh.Peer{}, false
	}
	text := v.Str()
	if text == "" || text == "-" {
		return mesh.Peer{}, false
	}
	if e, hit := c.m[text]; hit {
		return e.peer, e.ok
	}
	var raw map[string]any
	var e peerEntry
	if json.Unmarshal([]byte(text), &raw) == nil {
		e.peer, e.ok = mesh.PeerFrom(mapMetadata(raw))
	}
	if len(c.m) >= maxCachedPeers {
		clear(c.m)
	}
	c.m[text] = e
	return e.peer, e.ok
}

// mapMetadata is a decoded JSON object as Istio's workload metadata.
type mapMetadata map[string]any

func (m mapMetadata) Str(k string) string { s, _ := m[k].(string); return s }
func (m mapMetadata) Has(k string) bool   { _, ok := m[k]; return ok }
func (m mapMetadata) Label(k string) string {
	labels, _ := m["LABELS"].(map[string]any)
	s, _ := labels[k].(string)
	return s
}
