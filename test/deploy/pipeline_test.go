package deploy

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// TestOperatorAndConfigMapHoldTheSamePipeline: the operator resource and the
// plain manifests are two ways to run one collector configuration.
func TestOperatorAndConfigMapHoldTheSamePipeline(t *testing.T) {
	plain := asMap(t, []byte(configMapConfig(t)))
	operator := asMap(t, operatorConfigYAML(t))
	require.Equal(t, plain, operator, "deploy/kubernetes/20-configmap.yaml and deploy/operator/20-collector.yaml spec.config differ")
}

// TestOperatorConfigHasNoNulls: the operator's admission webhook refuses a
// spec.config with null values (an empty `batch:`); write `batch: {}`.
func TestOperatorConfigHasNoNulls(t *testing.T) {
	for _, path := range nullPaths(asMap(t, operatorConfigYAML(t)), "spec.config") {
		t.Errorf("%s is null: write {} instead", path)
	}
}

// TestDeployedConfigEnvIsDefined: a ${env:X} the pod does not define expands
// to nothing, and an endpoint like "${env:MY_POD_IP}:9001" would then
// quietly listen on every interface.
func TestDeployedConfigEnvIsDefined(t *testing.T) {
	dep := deployment(t)
	defined := map[string]bool{}
	for _, e := range dep.Spec.Template.Spec.Containers[0].Env {
		defined[e.Name] = true
	}
	for _, ref := range envRefs([]byte(configMapConfig(t))) {
		if !defined[ref] {
			t.Errorf("deploy/kubernetes: the config uses ${env:%s}, which the Deployment's container does not define", ref)
		}
	}
	cr := collectorCR(t)
	defined = map[string]bool{}
	for _, e := range cr.Spec.Env {
		defined[e.Name] = true
	}
	for _, ref := range envRefs(operatorConfigYAML(t)) {
		if !defined[ref] {
			t.Errorf("deploy/operator: spec.config uses ${env:%s}, which spec.env does not define", ref)
		}
	}
}

// asMap decodes YAML into plain maps and slices, numbers as JSON numbers, so
// two configurations compare by content.
func asMap(t *testing.T, y []byte) map[string]any {
	t.Helper()
	j, err := yaml.YAMLToJSON(y)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(j, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// nullPaths lists the dotted paths of null values in a decoded document.
func nullPaths(v any, path string) []string {
	switch v := v.(type) {
	case nil:
		return []string{path}
	case map[string]any:
		var out []string
		for k, e := range v {
			out = append(out, nullPaths(e, path+"."+k)...)
		}
		return out
	case []any:
		var out []string
		for i, e := range v {
			out = append(out, nullPaths(e, fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	}
	return nil
}

// endpointPort is the port of a collector endpoint such as
// "${env:MY_POD_IP}:9001" (whose host net.SplitHostPort would refuse).
func endpointPort(t *testing.T, cfg map[string]any, section, component string) int32 {
	t.Helper()
	sec, _ := cfg[section].(map[string]any)
	comp, _ := sec[component].(map[string]any)
	ep, _ := comp["endpoint"].(string)
	i := strings.LastIndexByte(ep, ':')
	p, err := strconv.ParseInt(ep[i+1:], 10, 32)
	if i < 0 || err != nil {
		t.Fatalf("%s::%s::endpoint %q has no port", section, component, ep)
	}
	return int32(p)
}
