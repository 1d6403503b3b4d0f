package ocsfschema

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// validHTTP is an HTTP Activity event written by hand from the 1.8.0
// documentation, with the security control and container profiles.
const validHTTP = `{
  "activity_id": 3, "activity_name": "Get",
  "category_uid": 4, "category_name": "Network Activity",
  "class_uid": 4002, "class_name": "HTTP Activity",
  "type_uid": 400203, "type_name": "HTTP Activity: Get",
  "severity_id": 1, "severity": "Informational",
  "status_id": 1, "status": "Success",
  "time": 1767323046000,
  "action_id": 1, "action": "Allowed", "disposition_id": 1, "disposition": "Allowed",
  "metadata": {"version": "1.8.0", "profiles": ["security_control", "container"],
    "product": {"name": "otelcol-pan", "vendor_name": "Palo Alto Networks", "version": "0.1.0"}},
  "src_endpoint": {"ip": "10.1.2.3", "port": 51234, "namespace_pid": 7},
  "dst_endpoint": {"ip": "10.1.2.4", "port": 9080, "svc_name": "reviews"},
  "http_request": {"http_method": "GET", "url": {"path": "/reviews/1", "hostname": "reviews", "port": 9080}},
  "http_response": {"code": 200},
  "observables": [{"name": "src_endpoint.ip", "type_id": 2, "type": "IP Address", "value": "10.1.2.3"}]
}`

func load(t *testing.T) *Schema {
	t.Helper()
	s, err := Load()
	require.NoError(t, err)
	require.Equal(t, "1.8.0", s.Version)
	return s
}

func TestValidEventPasses(t *testing.T) {
	s := load(t)
	assert.Empty(t, s.Validate([]byte(validHTTP)))
	require.NotNil(t, s.Class(4001), "Network Activity")
	require.NotNil(t, s.Class(4002), "HTTP Activity")
}

// Each broken copy of the valid event must be refused, naming the attribute.
func TestBrokenEventsAreRefused(t *testing.T) {
	s := load(t)
	for _, tt := range []struct {
		name string
		edit func(ev map[string]any)
		want string
	}{
		{"missing required", func(ev map[string]any) { delete(ev, "severity_id") }, "severity_id: required"},
		{"missing nested required", func(ev map[string]any) { delete(ev["metadata"].(map[string]any), "product") }, "metadata.product: required"},
		{"enum out of range", func(ev map[string]any) { ev["action_id"] = 7 }, "action_id: 7 is not one of its enum values"},
		{"sibling caption", func(ev map[string]any) { ev["status"] = "Failure" }, `status: "Failure", but status_id 1 is "Success"`},
		{"type_uid", func(ev map[string]any) { ev["type_uid"] = 400299 }, "type_uid: 400299, want class_uid*100+activity_id = 400203"},
		{"category", func(ev map[string]any) { ev["category_uid"] = 3 }, "category_uid: 3, class http_activity is in category 4"},
		{"unknown attribute", func(ev map[string]any) { ev["verdict"] = "ok" }, "verdict: not an attribute of http_activity"},
		{"wrong type", func(ev map[string]any) { ev["time"] = "yesterday" }, "time: want an integer"},
		{"port range", func(ev map[string]any) { ev["src_endpoint"].(map[string]any)["port"] = 70000 }, "src_endpoint.port: 70000 is outside port_t's range"},
		{"bad ip", func(ev map[string]any) { ev["src_endpoint"].(map[string]any)["ip"] = "10.1.2" }, `src_endpoint.ip: "10.1.2" does not match ip_t's pattern`},
		{"profile not listed", func(ev map[string]any) {
			ev["metadata"].(map[string]any)["profiles"] = []any{"container"}
		}, "action_id: belongs to profile security_control"},
		{"at least one", func(ev map[string]any) { delete(ev, "http_request"); delete(ev, "http_response") }, "needs at least one of http_request, http_response"},
		{"object constraint", func(ev map[string]any) { ev["dst_endpoint"] = map[string]any{"port": 80} }, "dst_endpoint: network_endpoint needs at least one of ip"},
		{"array", func(ev map[string]any) { ev["observables"] = map[string]any{} }, "observables: want an array"},
		{"observable type", func(ev map[string]any) { observable(ev)["type_id"] = 1 }, "observables[0].type_id: 1, but src_endpoint.ip is observable type 2"},
		{"observable caption", func(ev map[string]any) { observable(ev)["type"] = "Hostname" }, `observables[0].type: "Hostname", but type_id 2 is "IP Address"`},
		{"observable value", func(ev map[string]any) { observable(ev)["value"] = "10.9.9.9" }, "observables[0].value: 10.9.9.9, but src_endpoint.ip holds 10.1.2.3"},
		{"observable of nothing", func(ev map[string]any) { observable(ev)["name"] = "proxy.ip" }, `observables[0].name: "proxy.ip" is not an attribute this event holds`},
		{"observable not observable", func(ev map[string]any) { observable(ev)["name"] = "http_response.code" }, `observables[0].name: "http_response.code" is not an observable attribute`},
		{"observable type unknown", func(ev map[string]any) { observable(ev)["type_id"] = 77 }, "observables[0].type_id: 77 is not one of its enum values"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var ev map[string]any
			require.NoError(t, json.Unmarshal([]byte(validHTTP), &ev))
			tt.edit(ev)
			b, err := json.Marshal(ev)
			require.NoError(t, err)
			errs := s.Validate(b)
			var msgs []string
			for _, e := range errs {
				msgs = append(msgs, e.Error())
			}
			assert.Contains(t, strings.Join(msgs, "\n"), tt.want)
		})
	}
}

func observable(ev map[string]any) map[string]any {
	return ev["observables"].([]any)[0].(map[string]any)
}

// The observable type_id enum is compiled from the schema's observable
// markers, with the captions the release gives them.
func TestObservableTypes(t *testing.T) {
	s := load(t)
	typeID := s.objects["observable"].Attributes["type_id"]
	for id, want := range map[string]string{
		"0": "Unknown", "1": "Hostname", "2": "IP Address", "4": "User Name", "6": "URL String", "11": "Port",
		"16": "HTTP User-Agent", "20": "Endpoint", "21": "User", "23": "Uniform Resource Locator",
		"31": "User Object: uid", "47": "Device Object: uid", "99": "Other",
	} {
		got, ok := typeID.caption(id)
		assert.True(t, ok, id)
		assert.Equal(t, want, got, id)
	}
	ep := s.objects["network_endpoint"]
	assert.Equal(t, 20, ep.Observable, "inherited from endpoint")
	assert.Equal(t, 2, s.observableOf("ip", ep.Attributes["ip"]))
	assert.Equal(t, 31, s.observableOf("uid", s.objects["user"].Attributes["uid"]))
	assert.Equal(t, 21, s.observableOf("owner", ep.Attributes["owner"]))
	assert.Equal(t, 11, s.observableOf("port", ep.Attributes["port"]), "port_t")
	assert.Equal(t, 0, s.observableOf("zone", ep.Attributes["zone"]))
}
