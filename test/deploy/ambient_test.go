package deploy

import (
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

const (
	agentDaemonSetFile = "deploy/ambient/kubernetes/30-daemonset.yaml"
	agentCRFile        = "deploy/ambient/operator/20-collector.yaml"
)

func agentDaemonSet(t *testing.T) *appsv1.DaemonSet {
	t.Helper()
	ds := load[appsv1.DaemonSet](t, agentDaemonSetFile, "apps/v1/DaemonSet")
	if n := len(ds.Spec.Template.Spec.Containers); n != 1 {
		t.Fatalf("%s: %d containers, want 1", agentDaemonSetFile, n)
	}
	return ds
}

func agentCR(t *testing.T) *otelCollector {
	t.Helper()
	return load[otelCollector](t, agentCRFile, "opentelemetry.io/v1beta1/OpenTelemetryCollector")
}

// TestAgentConfigMapAndOperatorAgree: the node agent's two ways of
// deploying run one configuration, with no nulls for the operator.
func TestAgentConfigMapAndOperatorAgree(t *testing.T) {
	plain := asMap(t, []byte(agentConfigMapConfig(t)))
	operator := asMap(t, agentOperatorConfigYAML(t))
	require.Equal(t, plain, operator, "deploy/ambient: the ConfigMap's config and the operator resource's spec.config differ")
	for _, p := range nullPaths(operator, "spec.config") {
		t.Errorf("%s: %s is null: write {} instead", agentCRFile, p)
	}
}

// TestAgentEnvIsDefined: every ${env:…} of the agent's configuration is in
// the DaemonSet's container and in the operator resource's spec.env.
func TestAgentEnvIsDefined(t *testing.T) {
	ds := agentDaemonSet(t)
	cr := agentCR(t)
	for name, env := range map[string][]corev1.EnvVar{agentDaemonSetFile: ds.Spec.Template.Spec.Containers[0].Env, agentCRFile: cr.Spec.Env} {
		defined := map[string]bool{}
		for _, e := range env {
			defined[e.Name] = true
		}
		for _, ref := range envRefs([]byte(agentConfigMapConfig(t))) {
			if !defined[ref] {
				t.Errorf("%s: the config uses ${env:%s}, which the pod does not define", name, ref)
			}
		}
	}
}

// TestAgentPodsMatch: the operator resource asks for the pod the DaemonSet
// describes.
func TestAgentPodsMatch(t *testing.T) {
	ds := agentDaemonSet(t)
	pod := ds.Spec.Template.Spec
	ctr := pod.Containers[0]
	cr := agentCR(t)
	sa := load[corev1.ServiceAccount](t, "deploy/ambient/kubernetes/10-serviceaccount.yaml", "v1/ServiceAccount")
	osa := load[corev1.ServiceAccount](t, "deploy/ambient/operator/10-serviceaccount.yaml", "v1/ServiceAccount")

	require.Equal(t, "daemonset", cr.Spec.Mode)
	require.Equal(t, sa, osa, "the two directories' service accounts")
	require.Equal(t, sa.Name, pod.ServiceAccountName)
	require.Equal(t, sa.Name, cr.Spec.ServiceAccount)
	require.Equal(t, sa.Namespace, ds.Namespace)
	require.Equal(t, sa.Namespace, cr.Namespace)
	require.Equal(t, ctr.Image, cr.Spec.Image, "image")
	require.Equal(t, ctr.Env, cr.Spec.Env, "env")
	require.Equal(t, ctr.Resources, cr.Spec.Resources, "resources")
	require.Equal(t, ctr.SecurityContext, cr.Spec.SecurityContext, "container securityContext")
	require.Equal(t, pod.SecurityContext, cr.Spec.PodSecurityContext, "pod securityContext")
	require.Equal(t, pod.Tolerations, cr.Spec.Tolerations, "tolerations")
	require.Equal(t, pod.NodeSelector, cr.Spec.NodeSelector, "nodeSelector")
	require.Equal(t, pod.TerminationGracePeriodSeconds, cr.Spec.TerminationGracePeriodSeconds, "terminationGracePeriodSeconds")
	// The operator mounts the configuration itself; the rest is the same.
	var mounts []corev1.VolumeMount
	for _, m := range ctr.VolumeMounts {
		if m.Name != "config" {
			mounts = append(mounts, m)
		}
	}
	require.Equal(t, mounts, cr.Spec.VolumeMounts, "volumeMounts")
	var volumes []corev1.Volume
	for _, v := range pod.Volumes {
		if v.Name != "config" {
			volumes = append(volumes, v)
		}
	}
	require.Equal(t, volumes, cr.Spec.Volumes, "volumes")
	require.Equal(t, "false", ds.Spec.Template.Labels["sidecar.istio.io/inject"], "out of the sidecar mesh")
	require.Equal(t, "none", ds.Spec.Template.Labels["istio.io/dataplane-mode"], "out of ambient mode")
	require.Equal(t, "false", cr.Spec.PodAnnotations["sidecar.istio.io/inject"], "out of the sidecar mesh")
	require.Subset(t, ds.Spec.Template.Labels, ds.Spec.Selector.MatchLabels)
}

// TestAgentTailsZtunnelAndForwards follows a ztunnel line: the file_log
// glob lies under the pod-log mount (read-only, from the node), the
// checkpoints and the queue lie in file_storage on a writable hostPath,
// istionorm keeps the access lines only, and the otlp exporter sends to
// the central collector's Service on its OTLP port, which the central
// otlp receiver listens on.
func TestAgentTailsZtunnelAndForwards(t *testing.T) {
	cfg := asMap(t, []byte(agentConfigMapConfig(t)))
	ds := agentDaemonSet(t)
	ctr := ds.Spec.Template.Spec.Containers[0]
	hostPaths := map[string]string{}
	for _, v := range ds.Spec.Template.Spec.Volumes {
		if v.HostPath != nil {
			hostPaths[v.Name] = v.HostPath.Path
		}
	}
	mountOf := func(p string) corev1.VolumeMount {
		for _, m := range ctr.VolumeMounts {
			if p == m.MountPath || strings.HasPrefix(p, m.MountPath+"/") {
				return m
			}
		}
		t.Fatalf("%s is not under any volume mount of the agent", p)
		return corev1.VolumeMount{}
	}

	receivers, _ := cfg["receivers"].(map[string]any)
	fl, _ := receivers["file_log/ztunnel"].(map[string]any)
	require.NotNil(t, fl, "the agent's file_log/ztunnel receiver")
	include, _ := fl["include"].([]any)
	require.Equal(t, []any{"/var/log/pods/istio-system_ztunnel-*/*/*.log"}, include)
	glob := include[0].(string)
	m := mountOf(path.Dir(path.Dir(path.Dir(glob))))
	require.True(t, m.ReadOnly, "the pod logs are mounted read-only")
	require.Equal(t, m.MountPath, hostPaths[m.Name], "the pod logs come from the node's own path")
	require.Equal(t, true, fl["include_file_path"], "the container operator reads the pod from the path")
	ops, _ := fl["operators"].([]any)
	require.NotEmpty(t, ops)
	require.Equal(t, "container", ops[0].(map[string]any)["type"])
	require.Equal(t, "file_storage", fl["storage"], "file_log checkpoints its offsets")

	exts, _ := cfg["extensions"].(map[string]any)
	fs, _ := exts["file_storage"].(map[string]any)
	dir, _ := fs["directory"].(string)
	sm := mountOf(dir)
	require.False(t, sm.ReadOnly, "file_storage writes its directory")
	require.Equal(t, sm.MountPath, hostPaths[sm.Name], "file_storage lies on the node, outliving the pod")

	procs, _ := cfg["processors"].(map[string]any)
	norm, _ := procs["istionorm"].(map[string]any)
	require.Equal(t, "drop", norm["unreadable"], "only ztunnel's access lines go on")
	var c otelConfig
	require.NoError(t, unmarshalStrict([]byte(agentConfigMapConfig(t)), &c))
	require.Len(t, c.Service.Pipelines, 1)
	for _, p := range c.Service.Pipelines {
		require.Equal(t, []string{"file_log/ztunnel"}, p.Receivers)
		require.Contains(t, p.Processors, "istionorm")
		require.Equal(t, []string{"otlp_grpc"}, p.Exporters)
	}

	exps, _ := cfg["exporters"].(map[string]any)
	otlp, _ := exps["otlp_grpc"].(map[string]any)
	ep, _ := otlp["endpoint"].(string)
	host, port, ok := strings.Cut(ep, ":")
	require.True(t, ok, ep)
	svc := load[corev1.Service](t, "deploy/kubernetes/40-service.yaml", "v1/Service")
	require.Equal(t, svc.Name+"."+svc.Namespace+".svc.cluster.local", host, "the agent sends to the central collector's Service")
	require.Equal(t, strconv.Itoa(int(otlpServicePort(t, svc).Port)), port, "on its grpc-otlp port")
	queue, _ := otlp["sending_queue"].(map[string]any)
	require.Equal(t, "file_storage", queue["storage"], "the queue survives a restart and an outage of the central collector")
}

// TestAgentIsLockedDown: root only to read the kubelet's logs, with every
// capability dropped, a read-only root file system, no token, no
// privilege escalation, and the probes on the health_check port.
func TestAgentIsLockedDown(t *testing.T) {
	ds := agentDaemonSet(t)
	pod := ds.Spec.Template.Spec
	ctr := pod.Containers[0]
	sc := ctr.SecurityContext
	require.NotNil(t, sc)
	require.True(t, sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem, "readOnlyRootFilesystem")
	require.True(t, sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation, "allowPrivilegeEscalation")
	require.Equal(t, []corev1.Capability{"ALL"}, sc.Capabilities.Drop, "capabilities.drop")
	require.Empty(t, sc.Capabilities.Add)
	require.True(t, pod.AutomountServiceAccountToken != nil && !*pod.AutomountServiceAccountToken, "no API token")
	require.NotNil(t, pod.SecurityContext.SeccompProfile)
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		require.Contains(t, ctr.Resources.Requests, r, "requests")
		require.Contains(t, ctr.Resources.Limits, r, "limits")
	}
	healthPort := endpointPort(t, asMap(t, []byte(agentConfigMapConfig(t))), "extensions", "health_check")
	require.Equal(t, healthPort, containerPort(t, ctr, ctr.ReadinessProbe.HTTPGet.Port.String()), "readiness probe port")
	require.Equal(t, healthPort, containerPort(t, ctr, ctr.LivenessProbe.HTTPGet.Port.String()), "liveness probe port")
	require.True(t, slices.ContainsFunc(pod.Tolerations, func(tl corev1.Toleration) bool { return tl.Operator == corev1.TolerationOpExists && tl.Key == "" }),
		"runs on every node ztunnel runs on, tainted ones included")
}
