package loadtest

import (
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	yaml "go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	k8syaml "sigs.k8s.io/yaml"
)

// Deploy is what deploy/kubernetes gives a collector pod: its configuration,
// its GOMEMLIMIT and its memory limit.
type Deploy struct {
	config         map[string]any
	Env            []string // GOMEMLIMIT as the pod sets it
	MemoryLimitMiB int64
}

// LoadDeploy reads deploy/kubernetes's ConfigMap and Deployment.
func LoadDeploy(deployDir string) (*Deploy, error) {
	var cm corev1.ConfigMap
	if err := readK8s(filepath.Join(deployDir, "kubernetes", "20-configmap.yaml"), &cm); err != nil {
		return nil, err
	}
	var d Deploy
	if err := yaml.Unmarshal([]byte(cm.Data["config.yaml"]), &d.config); err != nil {
		return nil, fmt.Errorf("deploy config.yaml: %w", err)
	}
	var dep appsv1.Deployment
	if err := readK8s(filepath.Join(deployDir, "kubernetes", "30-deployment.yaml"), &dep); err != nil {
		return nil, err
	}
	c := dep.Spec.Template.Spec.Containers[0]
	for _, e := range c.Env {
		if e.Name == "GOMEMLIMIT" {
			d.Env = append(d.Env, "GOMEMLIMIT="+e.Value)
		}
	}
	d.MemoryLimitMiB = c.Resources.Limits.Memory().Value() >> 20
	if d.MemoryLimitMiB == 0 {
		return nil, fmt.Errorf("deploy: the container has no memory limit")
	}
	return &d, nil
}

func readK8s(path string, into any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return k8syaml.UnmarshalStrict(b, into)
}

// Config is the deployed configuration made runnable on this machine:
// istioals on recvAddr (and otlp on a free address), panlogs writing to a
// file, the collector's metrics on metricsAddr; k8s_attributes, which needs
// a cluster, left out; and
// memory_limiter's percentages turned into MiB of the pod's limit, since a
// process here has no cgroup limit to take them from.
func (d *Deploy) Config(recvAddr, metricsAddr, out, pprofAddr string, receiver map[string]any) (string, error) {
	cfg := deepCopy(d.config).(map[string]any)
	recv := dig(cfg, "receivers", "istioals")
	recv["endpoint"] = recvAddr
	maps.Copy(recv, receiver)
	procs := dig(cfg, "processors")
	delete(procs, "k8s_attributes")
	if ml, ok := procs["memory_limiter"].(map[string]any); ok { // deploy/ may drop it
		if p, ok := ml["limit_percentage"].(int); ok {
			ml["limit_mib"] = d.MemoryLimitMiB * int64(p) / 100
			delete(ml, "limit_percentage")
		}
		if p, ok := ml["spike_limit_percentage"].(int); ok {
			ml["spike_limit_mib"] = d.MemoryLimitMiB * int64(p) / 100
			delete(ml, "spike_limit_percentage")
		}
	}
	exp := dig(cfg, "exporters", "panlogs")
	exp["transport"] = "file"
	exp["file"] = map[string]any{"path": out}
	health := FreeAddr()
	dig(cfg, "extensions", "health_check")["endpoint"] = health
	svc := dig(cfg, "service")
	if pprofAddr != "" {
		dig(cfg, "extensions")["pprof"] = map[string]any{"endpoint": pprofAddr}
		svc["extensions"] = append(svc["extensions"].([]any), "pprof")
	}
	host, portStr, _ := net.SplitHostPort(metricsAddr)
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return "", fmt.Errorf("metrics address %q: %w", metricsAddr, err)
	}
	svc["telemetry"] = map[string]any{
		"logs": map[string]any{"level": "warn"},
		"metrics": map[string]any{"level": "normal", "readers": []any{map[string]any{
			"pull": map[string]any{"exporter": map[string]any{"prometheus": map[string]any{"host": host, "port": port}}},
		}}},
	}
	for _, p := range dig(svc, "pipelines") {
		pl := p.(map[string]any)
		if procs, ok := pl["processors"].([]any); ok {
			pl["processors"] = slices.DeleteFunc(procs, func(p any) bool { return p == "k8s_attributes" })
		}
	}
	// The OTLP pipeline (ambient node agents, the envoyOtelAls provider)
	// takes no load here; its receiver listens where nothing else does.
	if recvs := dig(cfg, "receivers"); recvs["otlp"] != nil {
		dig(recvs, "otlp", "protocols", "grpc")["endpoint"] = FreeAddr()
	}
	b, err := yaml.Marshal(cfg)
	return string(b), err
}

// dig walks nested maps, creating none: a missing key is a broken deploy/.
func dig(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		next, ok := m[k].(map[string]any)
		if !ok {
			panic(fmt.Sprintf("deploy config: %s is not a map", k))
		}
		m = next
	}
	return m
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = deepCopy(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = deepCopy(x)
		}
		return out
	default:
		return v
	}
}
