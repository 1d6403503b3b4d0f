package deploy

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
)

func deployment(t *testing.T) *appsv1.Deployment {
	d := load[appsv1.Deployment](t, "deploy/kubernetes/30-deployment.yaml", "apps/v1/Deployment")
	if n := len(d.Spec.Template.Spec.Containers); n != 1 {
		t.Fatalf("deploy/kubernetes: the Deployment has %d containers, want 1", n)
	}
	return d
}

func collectorCR(t *testing.T) *otelCollector {
	return load[otelCollector](t, "deploy/operator/20-collector.yaml", "opentelemetry.io/v1beta1/OpenTelemetryCollector")
}

// TestOperatorDirSharesNamespaceAndRBAC: the two directories are alternatives
// for one collector; their namespace and RBAC must not drift apart.
func TestOperatorDirSharesNamespaceAndRBAC(t *testing.T) {
	for _, f := range []string{"00-namespace.yaml", "10-rbac.yaml"} {
		plain := readDocs(t, "deploy/kubernetes/"+f)
		operator := readDocs(t, "deploy/operator/"+f)
		require.Len(t, operator, len(plain), f)
		for i := range plain {
			require.Equal(t, asMap(t, plain[i]), asMap(t, operator[i]), "%s document %d", f, i)
		}
	}
}

// TestRBACCoversK8sAttributes: the k8s_attributes processor watches pods,
// namespaces and (for k8s.deployment.name) replica sets, cluster-wide, as the
// collector's service account.
func TestRBACCoversK8sAttributes(t *testing.T) {
	const file = "deploy/kubernetes/10-rbac.yaml"
	sa := load[corev1.ServiceAccount](t, file, "v1/ServiceAccount")
	role := load[rbacv1.ClusterRole](t, file, "rbac.authorization.k8s.io/v1/ClusterRole")
	binding := load[rbacv1.ClusterRoleBinding](t, file, "rbac.authorization.k8s.io/v1/ClusterRoleBinding")

	needs := []struct{ group, resource string }{
		{"", "pods"},
		{"", "namespaces"},
		{"apps", "replicasets"},
	}
	for _, n := range needs {
		for _, verb := range []string{"get", "list", "watch"} {
			if !allows(role.Rules, n.group, n.resource, verb) {
				t.Errorf("ClusterRole %s does not allow %s on %q/%s", role.Name, verb, n.group, n.resource)
			}
		}
	}
	for _, r := range role.Rules {
		for _, v := range r.Verbs {
			if !slices.Contains([]string{"get", "list", "watch"}, v) {
				t.Errorf("ClusterRole %s allows %q: the collector only reads", role.Name, v)
			}
		}
	}

	require.Equal(t, rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: role.Name}, binding.RoleRef)
	require.Contains(t, binding.Subjects, rbacv1.Subject{Kind: "ServiceAccount", Name: sa.Name, Namespace: sa.Namespace})
	require.Equal(t, sa.Name, deployment(t).Spec.Template.Spec.ServiceAccountName, "the Deployment's service account")
	require.Equal(t, sa.Namespace, deployment(t).Namespace, "the Deployment's namespace")
	require.Equal(t, sa.Name, collectorCR(t).Spec.ServiceAccount, "the operator resource's service account")
	require.Equal(t, sa.Namespace, collectorCR(t).Namespace, "the operator resource's namespace")
}

func allows(rules []rbacv1.PolicyRule, group, resource, verb string) bool {
	for _, r := range rules {
		if slices.Contains(r.APIGroups, group) && slices.Contains(r.Resources, resource) && slices.Contains(r.Verbs, verb) {
			return true
		}
	}
	return false
}

// TestServicesReachTheReceiver follows Envoy's connection: Service port →
// pod port → the istioals receiver's endpoint, for both ways of deploying.
func TestServicesReachTheReceiver(t *testing.T) {
	cfg := asMap(t, []byte(configMapConfig(t)))
	alsPort := endpointPort(t, cfg, "receivers", "istioals")
	healthPort := endpointPort(t, cfg, "extensions", "health_check")

	dep := deployment(t)
	pod := dep.Spec.Template
	ctr := pod.Spec.Containers[0]
	svc := load[corev1.Service](t, "deploy/kubernetes/40-service.yaml", "v1/Service")

	require.Subset(t, pod.Labels, dep.Spec.Selector.MatchLabels, "the Deployment's selector must match its pods")
	require.NotEmpty(t, svc.Spec.Selector)
	require.Subset(t, pod.Labels, svc.Spec.Selector, "the Service's selector must match the Deployment's pods")
	sp := alsServicePort(t, svc)
	require.Equal(t, alsPort, containerPort(t, ctr, sp.TargetPort.String()), "Service %s targets port %s", svc.Name, sp.TargetPort.String())
	require.Equal(t, healthPort, containerPort(t, ctr, ctr.ReadinessProbe.HTTPGet.Port.String()), "readiness probe port")
	require.Equal(t, healthPort, containerPort(t, ctr, ctr.LivenessProbe.HTTPGet.Port.String()), "liveness probe port")

	cr := collectorCR(t)
	osvc := load[corev1.Service](t, "deploy/operator/30-service.yaml", "v1/Service")
	// The labels the operator puts on, and selects, the pods of the
	// collector it runs for this resource.
	require.Equal(t, map[string]string{
		"app.kubernetes.io/managed-by": "opentelemetry-operator",
		"app.kubernetes.io/instance":   cr.Namespace + "." + cr.Name,
		"app.kubernetes.io/part-of":    "opentelemetry",
		"app.kubernetes.io/component":  "opentelemetry-collector",
	}, osvc.Spec.Selector, "deploy/operator Service selector")
	osp := alsServicePort(t, osvc)
	require.Equal(t, alsPort, osp.TargetPort.IntVal, "deploy/operator Service targetPort")
	var declared bool
	for _, p := range cr.Spec.Ports {
		declared = declared || p.Port == alsPort
	}
	require.True(t, declared, "the operator resource must declare port %d in spec.ports: the operator cannot infer it for istioals", alsPort)

	// Istio addresses both by the same name and port.
	require.Equal(t, svc.Name, osvc.Name)
	require.Equal(t, svc.Namespace, osvc.Namespace)
	require.Equal(t, sp.Port, osp.Port)

	// OTLP (the node agents, Istio's envoyOtelAls provider): Service port →
	// pod port → the otlp receiver's endpoint. The operator infers the
	// otlp receiver's container port itself.
	otlpPort := endpointPortAt(t, cfg, "receivers", "otlp", "protocols", "grpc")
	op := otlpServicePort(t, svc)
	require.Equal(t, otlpPort, containerPort(t, ctr, op.TargetPort.String()), "Service %s targets port %s", svc.Name, op.TargetPort.String())
	oop := otlpServicePort(t, osvc)
	require.Equal(t, otlpPort, oop.TargetPort.IntVal, "deploy/operator Service grpc-otlp targetPort")
	require.Equal(t, op.Port, oop.Port)
	ocfg := asMap(t, operatorConfigYAML(t))
	require.Equal(t, otlpPort, endpointPortAt(t, ocfg, "receivers", "otlp", "protocols", "grpc"))
}

// alsServicePort is the Service's port for Envoy's ALS streams.
func alsServicePort(t *testing.T, svc *corev1.Service) corev1.ServicePort {
	t.Helper()
	for _, p := range svc.Spec.Ports {
		if p.Name == "grpc-als" {
			if p.AppProtocol == nil || *p.AppProtocol != "grpc" {
				t.Errorf("Service %s port grpc-als: appProtocol should be grpc", svc.Name)
			}
			return p
		}
	}
	t.Fatalf("Service %s has no grpc-als port", svc.Name)
	return corev1.ServicePort{}
}

// otlpServicePort is the Service's port for OTLP.
func otlpServicePort(t *testing.T, svc *corev1.Service) corev1.ServicePort {
	t.Helper()
	for _, p := range svc.Spec.Ports {
		if p.Name == "grpc-otlp" {
			if p.AppProtocol == nil || *p.AppProtocol != "grpc" {
				t.Errorf("Service %s port grpc-otlp: appProtocol should be grpc", svc.Name)
			}
			return p
		}
	}
	t.Fatalf("Service %s has no grpc-otlp port", svc.Name)
	return corev1.ServicePort{}
}

// containerPort resolves a port name or number on the container.
func containerPort(t *testing.T, c corev1.Container, nameOrNumber string) int32 {
	t.Helper()
	for _, p := range c.Ports {
		if p.Name == nameOrNumber {
			return p.ContainerPort
		}
	}
	t.Fatalf("container %s has no port %q", c.Name, nameOrNumber)
	return 0
}

// TestPlainAndOperatorPodsMatch: the operator resource asks for the pod the
// plain Deployment describes.
func TestPlainAndOperatorPodsMatch(t *testing.T) {
	dep := deployment(t)
	pod := dep.Spec.Template.Spec
	ctr := pod.Containers[0]
	cr := collectorCR(t)

	require.Equal(t, "deployment", cr.Spec.Mode)
	require.Equal(t, *dep.Spec.Replicas, *cr.Spec.Replicas, "replicas")
	require.Equal(t, ctr.Image, cr.Spec.Image, "image")
	require.Equal(t, ctr.Env, cr.Spec.Env, "env")
	require.Equal(t, ctr.Resources, cr.Spec.Resources, "resources")
	require.Equal(t, ctr.SecurityContext, cr.Spec.SecurityContext, "container securityContext")
	require.Equal(t, pod.SecurityContext, cr.Spec.PodSecurityContext, "pod securityContext")
	require.Equal(t, pod.TerminationGracePeriodSeconds, cr.Spec.TerminationGracePeriodSeconds, "terminationGracePeriodSeconds")
	require.Equal(t, "false", dep.Spec.Template.Labels["sidecar.istio.io/inject"], "the plain collector must stay out of the mesh")
	require.Equal(t, "false", cr.Spec.PodAnnotations["sidecar.istio.io/inject"], "the operator's collector must stay out of the mesh")
}

// TestPodIsLockedDown: non-root, read-only root file system, no privilege
// escalation, no capabilities, and the limits the memory_limiter reads.
func TestPodIsLockedDown(t *testing.T) {
	dep := deployment(t)
	pod := dep.Spec.Template.Spec
	ctr := pod.Containers[0]
	psc, sc := pod.SecurityContext, ctr.SecurityContext
	require.NotNil(t, psc)
	require.NotNil(t, sc)
	require.True(t, psc.RunAsNonRoot != nil && *psc.RunAsNonRoot, "runAsNonRoot")
	require.Equal(t, dockerfileUser(t), *psc.RunAsUser, "runAsUser is the image's user (Dockerfile USER)")
	require.True(t, sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem, "readOnlyRootFilesystem")
	require.True(t, sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation, "allowPrivilegeEscalation")
	require.Equal(t, []corev1.Capability{"ALL"}, sc.Capabilities.Drop, "capabilities.drop")
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		require.Contains(t, ctr.Resources.Requests, r, "requests")
		require.Contains(t, ctr.Resources.Limits, r, "limits")
	}
	require.NotNil(t, ctr.ReadinessProbe, "readinessProbe")
	require.NotNil(t, ctr.LivenessProbe, "livenessProbe")
}
