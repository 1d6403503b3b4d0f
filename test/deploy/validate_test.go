package deploy

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/otelcol-pan/otelcol-pan/internal/testutil"
)

// validateEnv is what the ${env:…} references in the shipped configurations
// resolve to during `otelcol-pan validate`; in a pod the downward API sets
// them (see TestDeployedConfigEnvIsDefined), or a Secret (CORTEX_TOKEN, used
// only by examples/cortex-xsiam-http.yaml).
var validateEnv = map[string]string{
	"MY_POD_IP":     "10.1.2.3",
	"K8S_NODE_NAME": "node-1",
	"CORTEX_TOKEN":  "test-cortex-api-key",
}

// collectorConfigs returns every collector configuration shipped, by name:
// each file in examples/, the ConfigMap's config.yaml and the operator
// resource's spec.config.
func collectorConfigs(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for file, kinds := range shipped {
		if len(kinds) == 1 && kinds[0] == kindCollectorConfig {
			out[file] = readDocs(t, file)[0]
		}
	}
	out["deploy/kubernetes ConfigMap config.yaml"] = []byte(configMapConfig(t))
	out["deploy/operator spec.config"] = operatorConfigYAML(t)
	out["deploy/ambient/kubernetes ConfigMap config.yaml"] = []byte(agentConfigMapConfig(t))
	out["deploy/ambient/operator spec.config"] = agentOperatorConfigYAML(t)
	return out
}

// configMapConfig is the collector configuration in deploy/kubernetes.
func configMapConfig(t *testing.T) string {
	t.Helper()
	return configMapConfigOf(t, "deploy/kubernetes/20-configmap.yaml")
}

// agentConfigMapConfig is the node agent's configuration in
// deploy/ambient/kubernetes.
func agentConfigMapConfig(t *testing.T) string {
	t.Helper()
	return configMapConfigOf(t, "deploy/ambient/kubernetes/20-configmap.yaml")
}

func configMapConfigOf(t *testing.T, file string) string {
	t.Helper()
	cm := load[corev1.ConfigMap](t, file, "v1/ConfigMap")
	cfg, ok := cm.Data["config.yaml"]
	if !ok {
		t.Fatalf("%s: no config.yaml key", file)
	}
	return cfg
}

// operatorConfigYAML is the operator resource's spec.config as the YAML the
// operator writes into the collector's ConfigMap.
func operatorConfigYAML(t *testing.T) []byte {
	t.Helper()
	return operatorConfigYAMLOf(t, "deploy/operator/20-collector.yaml")
}

// agentOperatorConfigYAML is the node agent's operator resource's
// spec.config.
func agentOperatorConfigYAML(t *testing.T) []byte {
	t.Helper()
	return operatorConfigYAMLOf(t, "deploy/ambient/operator/20-collector.yaml")
}

func operatorConfigYAMLOf(t *testing.T, file string) []byte {
	t.Helper()
	var raw struct {
		Spec struct {
			Config json.RawMessage `json:"config"`
		} `json:"spec"`
	}
	doc := loadDoc(t, file, "opentelemetry.io/v1beta1/OpenTelemetryCollector")
	if err := yaml.Unmarshal(doc, &raw); err != nil {
		t.Fatal(err)
	}
	y, err := yaml.JSONToYAML(raw.Spec.Config)
	if err != nil {
		t.Fatal(err)
	}
	return y
}

// validate runs `otelcol-pan validate` on a configuration.
func validate(t *testing.T, config []byte) (string, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, config, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(testutil.Binary(t), "validate", "--config", p)
	cmd.Env = os.Environ()
	for k, v := range validateEnv {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestCollectorConfigsValidate runs `otelcol-pan validate` on every shipped
// collector configuration, inline ones included.
func TestCollectorConfigsValidate(t *testing.T) {
	configs := collectorConfigs(t)
	if len(configs) < 7 {
		t.Fatalf("found %d collector configurations, want the examples plus the four deploy ones", len(configs))
	}
	for name, cfg := range configs {
		t.Run(name, func(t *testing.T) {
			for _, ref := range envRefs(cfg) {
				if _, ok := validateEnv[ref]; !ok {
					t.Errorf("${env:%s} is not in validateEnv; add it (and to the pod's env if deployed)", ref)
				}
			}
			if out, err := validate(t, cfg); err != nil {
				t.Errorf("otelcol-pan validate: %v\n%s", err, out)
			}
		})
	}
}

// TestValidateRefusesBrokenConfig shows that the validation above can fail:
// a shipped configuration with one unknown key must be refused.
func TestValidateRefusesBrokenConfig(t *testing.T) {
	cfg := asMap(t, []byte(configMapConfig(t)))
	exporters, _ := cfg["exporters"].(map[string]any)
	panlogs, ok := exporters["panlogs"].(map[string]any)
	if !ok {
		t.Fatal("the ConfigMap's config has no panlogs exporter; update this test")
	}
	panlogs["prefix_mod"] = "field"
	broken, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	out, err := validate(t, broken)
	if err == nil {
		t.Fatalf("otelcol-pan validate accepted an unknown key:\n%s", out)
	}
	if !strings.Contains(out, "prefix_mod") {
		t.Errorf("the error does not name the unknown key:\n%s", out)
	}
}

var envRefRE = regexp.MustCompile(`\$\{env:([A-Za-z_][A-Za-z0-9_]*)`)

// envRefs lists the environment variables a configuration refers to.
func envRefs(cfg []byte) []string {
	var refs []string
	for _, m := range envRefRE.FindAllSubmatch(cfg, -1) {
		refs = append(refs, string(m[1]))
	}
	return refs
}
