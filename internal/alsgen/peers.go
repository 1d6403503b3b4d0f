package alsgen

import (
	"sync"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// PeerState is the filter state a sidecar logs for the in-mesh peer
// workload in namespace (downstream_peer or upstream_peer): Istio's
// workload metadata of "<workload>-v1", its pod and its identity, as a
// google.protobuf.Struct with lower-case keys. Envoy logs the same bytes
// for the same peer, so the value is marshalled deterministically and
// built once per peer.
func PeerState(namespace, workload string) *anypb.Any {
	key := namespace + "/" + workload
	if a, ok := peerStates.Load(key); ok {
		return a.(*anypb.Any)
	}
	s, _ := structpb.NewStruct(map[string]any{
		"namespace": namespace,
		"workload":  workload + "-v1",
		"app":       workload,
		"version":   "v1",
		"service":   workload,
		"revision":  "v1",
		"cluster":   "Kubernetes",
		"type":      "deployment",
		"name":      workload + "-v1-6f7d9c8b5-x2k4p",
		"identity":  "spiffe://cluster.local/ns/" + namespace + "/sa/" + workload,
	})
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(s)
	a := &anypb.Any{TypeUrl: "type.googleapis.com/google.protobuf.Struct", Value: b}
	peerStates.Store(key, a)
	return a
}

var peerStates sync.Map
