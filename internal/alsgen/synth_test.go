package alsgen

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Egress entries leave the mesh both ways Istio lets them: to a ServiceEntry
// host and through PassthroughCluster, with no in-mesh peer.
func TestEgressMessage(t *testing.T) {
	w := Workload{Namespace: "payments", Name: "checkout", Index: 3}
	m := Message(w, "egress", 10, 4, time.Unix(1700000000, 0))
	entries := m.GetHttpLogs().GetLogEntry()
	require.Len(t, entries, 4)
	var clusters []string
	for _, e := range entries {
		c := e.GetCommonProperties()
		clusters = append(clusters, c.GetUpstreamCluster())
		assert.Empty(t, c.GetFilterStateObjects(), "an external peer has no Istio metadata")
		assert.Equal(t, w.IP(), c.GetDownstreamRemoteAddress().GetSocketAddress().GetAddress())
	}
	assert.Equal(t, []string{"outbound|443||api.example.com", "PassthroughCluster", "outbound|443||api.example.com", "PassthroughCluster"}, clusters)
	assert.Equal(t, "api.example.com", entries[0].GetRequest().GetAuthority())
	assert.Equal(t, "downloads.example.org", entries[1].GetRequest().GetAuthority())
}

// The existing kinds are unchanged by the egress one.
func TestSyntheticKinds(t *testing.T) {
	for kind, cluster := range map[string]string{
		"http":   "outbound|9080||reviews.default.svc.cluster.local",
		"egress": "outbound|443||api.example.com",
	} {
		streams := Synthetic(kind, []string{"default"}, 1, 5, 5)
		require.Len(t, streams, 1)
		m, n := streams[0].Next(0)
		require.Equal(t, 5, n)
		assert.Equal(t, cluster, m.GetHttpLogs().GetLogEntry()[0].GetCommonProperties().GetUpstreamCluster(), kind)
	}
	m, n := Synthetic("tcp", []string{"default"}, 1, 5, 5)[0].Next(0)
	require.Equal(t, 5, n)
	assert.Equal(t, "outbound|5432||postgres.default.svc.cluster.local", m.GetTcpLogs().GetLogEntry()[0].GetCommonProperties().GetUpstreamCluster())
}
