package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-pan/otelcol-pan/internal/alsgen"
	"github.com/otelcol-pan/otelcol-pan/internal/ocsfschema"
)

// ocsfEvent is what the end-to-end checks read of an OCSF event.
type ocsfEvent struct {
	ClassUID     int    `json:"class_uid"`
	ActivityID   int    `json:"activity_id"`
	ActionID     int    `json:"action_id"`
	Time         int64  `json:"time"`
	Disposition  int    `json:"disposition_id"`
	ActivityName string `json:"activity_name"`
	Policy       struct {
		Name string `json:"name"`
	} `json:"policy"`
	Unmapped map[string]any `json:"unmapped"`
	Metadata struct {
		Version string `json:"version"`
		LogName string `json:"log_name"`
	} `json:"metadata"`
}

// format: ocsf through the built binary: the generator's synthetic traffic
// (HTTP and TCP inside the mesh, egress) becomes one OCSF 1.8.0 event per
// entry, each accepted by the schema's own definitions (denials, which the
// sample mesh has, in TestOCSFMeshSamples).
func TestOCSFEventsFromALS(t *testing.T) {
	schema, err := ocsfschema.Load()
	require.NoError(t, err)
	alsAddr := freeAddr(t)
	out := tempPath(t, "out/mesh.ocsf")
	c := runCollector(t, fmt.Sprintf(`
receivers: {istioals: {endpoint: %s}}
processors: {paprefix: {prefix: mesh-ocsf}}
exporters: {panlogs: {format: ocsf, prefix_mode: field, transport: file, file: {path: %s}}}
service: {pipelines: {logs: {receivers: [istioals], processors: [paprefix], exporters: [panlogs]}}}
`, alsAddr, out))
	streams := alsgen.Synthetic("mixed", []string{"default", "payments"}, 2, 200, 10)
	streams = append(streams, alsgen.Synthetic("egress", []string{"payments"}, 1, 100, 10)...)
	res := send(t, alsAddr, 0, streams)
	require.EqualValues(t, 300, res.Entries)

	lines := c.stopWithLines(t, out, 300)
	classes := map[int]int{}
	for _, line := range lines {
		require.True(t, strings.HasPrefix(line, "{"), "prefix_mode field: the line is the event")
		for _, e := range schema.Validate([]byte(line)) {
			t.Errorf("OCSF: %v\n%s", e, line)
		}
		var ev ocsfEvent
		require.NoError(t, json.Unmarshal([]byte(line), &ev), line)
		classes[ev.ClassUID]++
		assert.Equal(t, "1.8.0", ev.Metadata.Version)
		assert.Equal(t, "mesh-ocsf", ev.Metadata.LogName)
		assert.True(t, ev.Time > 1e12 && ev.Time < 1e13, "time in epoch milliseconds: %d", ev.Time)
	}
	assert.Positive(t, classes[4001], "Network Activity events")
	assert.Positive(t, classes[4002], "HTTP Activity events")
	assert.Equal(t, 300, classes[4001]+classes[4002], "every entry names a peer: no Base Event")
}

// The repository's sample mesh through the binary as OCSF lines with the
// prefix in front (testdata/mesh.ocsf holds them, TestMeshSamplesInEveryFormat
// compares): every one a valid event, the AuthorizationPolicy denial and the
// REGISTRY_ONLY refusals Denied with their rule, everything else Allowed.
func TestOCSFMeshSamples(t *testing.T) {
	schema, err := ocsfschema.Load()
	require.NoError(t, err)
	streams, entries := readMesh(t)
	alsAddr := freeAddr(t)
	out := tempPath(t, "out/mesh.ocsf")
	c := runCollector(t, fmt.Sprintf(`
receivers: {istioals: {endpoint: %s}}
processors: {paprefix: {prefix: e2e-audit}}
exporters: {panlogs: {format: ocsf, transport: file, file: {path: %s}}}
service: {pipelines: {logs: {receivers: [istioals], processors: [paprefix], exporters: [panlogs]}}}
`, alsAddr, out))
	send(t, alsAddr, 0, alsgen.ReplayStreams(streams, 1))
	lines := c.stopWithLines(t, out, entries)
	denied := map[string]int{}
	for _, line := range lines {
		var ev ocsfEvent
		assert.Equal(t, "e2e-audit", prefixedRecord(t, line, &ev))
		_, body, _ := strings.Cut(line, " ")
		for _, e := range schema.Validate([]byte(body)) {
			t.Errorf("OCSF: %v\n%s", e, line)
		}
		assert.Empty(t, ev.Metadata.LogName, "prefix_mode line: the prefix is before the event")
		if ev.ActionID == 2 {
			denied[ev.Policy.Name]++
		} else {
			assert.Equal(t, 1, ev.ActionID, line)
		}
	}
	assert.Equal(t, map[string]int{"payments/deny-shop-catalog": 1, "outbound_traffic_policy_registry_only": 2}, denied)
}
