package alsgen

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"testing"

	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/service/accesslog/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/otelcol-pan/otelcol-pan/internal/alsmsg"
)

// meshDir is the committed recording of the sample mesh.
var meshDir = filepath.Join("..", "..", "testdata", "als", "mesh")

func msgFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.msg"))
	require.NoError(t, err)
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		out[filepath.Base(f)] = b
	}
	return out
}

// Regenerating the samples gives the committed files byte for byte, and
// twice in a row the same bytes: nothing in them depends on the clock, map
// order or protojson's unstable spacing.
func TestMeshSamplesAreUpToDate(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	require.NoError(t, Record(a, MeshNote, Mesh()))
	require.NoError(t, Record(b, MeshNote, Mesh()))
	first, second := msgFiles(t, a), msgFiles(t, b)
	require.Equal(t, first, second, "two recordings differ")

	committed := msgFiles(t, meshDir)
	var want, got []string
	for n := range first {
		want = append(want, n)
	}
	for n := range committed {
		got = append(got, n)
	}
	sort.Strings(want)
	sort.Strings(got)
	require.Equal(t, want, got, "testdata/als/mesh holds other files than the generator writes: run `make samples`")
	for n, b := range first {
		if !bytes.Equal(b, committed[n]) {
			t.Errorf("testdata/als/mesh/%s differs from what the generator writes: run `make samples` (and update the goldens)", n)
		}
	}
}

// The files read back as exactly what Run sends: the identifier on each
// stream's first message only.
func TestMeshSamplesReadBack(t *testing.T) {
	streams := Mesh()
	for _, s := range streams {
		msgs, err := alsmsg.ReadStream(filepath.Join(meshDir, s.Name+".msg"))
		require.NoError(t, err, s.Name)
		for i := 0; ; i++ {
			want, _ := s.Sent(i)
			if want == nil {
				require.Len(t, msgs, i, s.Name)
				break
			}
			require.Less(t, i, len(msgs), s.Name)
			assert.True(t, proto.Equal(want, msgs[i]), "%s: message %d", s.Name, i)
			if i == 0 {
				assert.NotNil(t, msgs[i].GetIdentifier().GetNode(), "%s: the first message names the proxy", s.Name)
			} else {
				assert.Nil(t, msgs[i].GetIdentifier(), "%s: message %d carries an identifier", s.Name, i)
			}
		}
	}
}

// The samples cover what the documentation promises they do.
func TestMeshSamplesCoverage(t *testing.T) {
	var all bytes.Buffer
	entries, multi := 0, false
	for _, s := range Mesh() {
		var msgs []*accesslogv3.StreamAccessLogsMessage
		for i := 0; ; i++ {
			m, n := s.Sent(i)
			if m == nil {
				break
			}
			entries += n
			msgs = append(msgs, m)
		}
		multi = multi || len(msgs) > 1
		b, err := alsmsg.Marshal("", msgs)
		require.NoError(t, err)
		all.Write(b)
	}
	assert.True(t, multi, "a stream of several messages")
	assert.Equal(t, 15, entries)
	for _, want := range []string{
		`"httpLogs"`, `"tcpLogs"`, // both kinds
		`"id": "router~`, `"id": "sidecar~`, // a gateway and sidecars
		`"downstream_peer"`, `"upstream_peer"`, // peer metadata
		`"uri": "spiffe://cluster.local/ns/`,                                       // mTLS with SPIFFE SANs
		`"upstreamCluster": "PassthroughCluster"`,                                  // egress under ALLOW_ANY
		`"upstreamCluster": "BlackHoleCluster"`,                                    // REGISTRY_ONLY denial
		`"routeName": "block_all"`,                                                 // REGISTRY_ONLY, plain HTTP
		`"upstreamCluster": "outbound|443||api.psp.example"`,                       // a ServiceEntry host
		`rbac_access_denied_matched_policy[ns[payments]-policy[deny-shop-catalog]`, // a named RBAC policy
		`"upstreamCluster": "inbound|`, `"upstreamCluster": "outbound|`,            // both directions
	} {
		assert.Contains(t, all.String(), want)
	}
}

// The samples' README describes every file.
func TestMeshSamplesREADME(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(meshDir, "README.md"))
	require.NoError(t, err)
	for _, s := range Mesh() {
		assert.Contains(t, string(readme), s.Name+".msg", "README.md does not mention it")
	}
}
