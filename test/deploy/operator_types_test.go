package deploy

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The OpenTelemetry Operator's Go module does not resolve from the module
// proxy here, so these types stand in for its opentelemetry.io/v1beta1 API.
// They follow the published OpenTelemetryCollector schema for the fields
// deploy/operator uses (and a few neighbours), with the operator's own JSON
// names and the same Kubernetes types underneath. Decoding with unknown
// fields refused, a misspelt or misplaced key fails here as the API server's
// structural schema would prune or refuse it. A field the operator has but
// this file lacks fails too: add it here, checked against the operator's
// CRD, before using it.

// otelCollector is an OpenTelemetryCollector resource.
type otelCollector struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              otelCollectorSpec `json:"spec"`
}

type otelCollectorSpec struct {
	ManagementState               string                            `json:"managementState,omitempty"`
	Mode                          string                            `json:"mode,omitempty"`
	Replicas                      *int32                            `json:"replicas,omitempty"`
	Image                         string                            `json:"image,omitempty"`
	ImagePullPolicy               corev1.PullPolicy                 `json:"imagePullPolicy,omitempty"`
	ServiceAccount                string                            `json:"serviceAccount,omitempty"`
	Args                          map[string]string                 `json:"args,omitempty"`
	Env                           []corev1.EnvVar                   `json:"env,omitempty"`
	EnvFrom                       []corev1.EnvFromSource            `json:"envFrom,omitempty"`
	Resources                     corev1.ResourceRequirements       `json:"resources,omitempty"`
	NodeSelector                  map[string]string                 `json:"nodeSelector,omitempty"`
	Tolerations                   []corev1.Toleration               `json:"tolerations,omitempty"`
	Affinity                      *corev1.Affinity                  `json:"affinity,omitempty"`
	PodAnnotations                map[string]string                 `json:"podAnnotations,omitempty"`
	SecurityContext               *corev1.SecurityContext           `json:"securityContext,omitempty"`
	PodSecurityContext            *corev1.PodSecurityContext        `json:"podSecurityContext,omitempty"`
	Ports                         []otelPortsSpec                   `json:"ports,omitempty"`
	Volumes                       []corev1.Volume                   `json:"volumes,omitempty"`
	VolumeMounts                  []corev1.VolumeMount              `json:"volumeMounts,omitempty"`
	TerminationGracePeriodSeconds *int64                            `json:"terminationGracePeriodSeconds,omitempty"`
	PriorityClassName             string                            `json:"priorityClassName,omitempty"`
	TopologySpreadConstraints     []corev1.TopologySpreadConstraint `json:"topologySpreadConstraints,omitempty"`
	LivenessProbe                 *otelProbe                        `json:"livenessProbe,omitempty"`
	ReadinessProbe                *otelProbe                        `json:"readinessProbe,omitempty"`
	Config                        otelConfig                        `json:"config"`
}

// otelPortsSpec is a Service port plus an optional host port.
type otelPortsSpec struct {
	HostPort           int32 `json:"hostPort,omitempty"`
	corev1.ServicePort `json:",inline"`
}

// otelProbe tunes the probes the operator derives from health_check.
type otelProbe struct {
	InitialDelaySeconds           *int32 `json:"initialDelaySeconds,omitempty"`
	TimeoutSeconds                *int32 `json:"timeoutSeconds,omitempty"`
	PeriodSeconds                 *int32 `json:"periodSeconds,omitempty"`
	SuccessThreshold              *int32 `json:"successThreshold,omitempty"`
	FailureThreshold              *int32 `json:"failureThreshold,omitempty"`
	TerminationGracePeriodSeconds *int64 `json:"terminationGracePeriodSeconds,omitempty"`
}

// otelConfig is the collector configuration as the operator types it: the
// component sections are free-form, the service section is not. It is also
// the shape every collector configuration in examples/ is checked against.
type otelConfig struct {
	Receivers  map[string]any `json:"receivers"`
	Exporters  map[string]any `json:"exporters"`
	Processors map[string]any `json:"processors,omitempty"`
	Connectors map[string]any `json:"connectors,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
	Service    otelService    `json:"service"`
}

type otelService struct {
	Extensions []string                 `json:"extensions,omitempty"`
	Telemetry  map[string]any           `json:"telemetry,omitempty"`
	Pipelines  map[string]*otelPipeline `json:"pipelines"`
}

type otelPipeline struct {
	Exporters  []string `json:"exporters"`
	Processors []string `json:"processors,omitempty"`
	Receivers  []string `json:"receivers"`
}
