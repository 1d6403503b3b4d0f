package deploy

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/cel-go/cel"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	meshv1alpha1 "istio.io/api/mesh/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/otelcol-pan/otelcol-pan/processor/istionorm"
)

type provider = meshv1alpha1.MeshConfig_ExtensionProvider

// meshConfigs returns the mesh config of the Helm values and of the
// IstioOperator.
func meshConfigs(t *testing.T) (values, operator *meshv1alpha1.MeshConfig) {
	t.Helper()
	var err error
	if values, err = istiodValuesMesh(loadDoc(t, "deploy/istio/istiod-values.yaml", kindIstiodValues)); err != nil {
		t.Fatal(err)
	}
	if operator, err = istioOperatorMesh(loadDoc(t, "deploy/istio/istio-operator.yaml", "install.istio.io/v1alpha1/IstioOperator")); err != nil {
		t.Fatal(err)
	}
	return values, operator
}

func findProvider(t *testing.T, mc *meshv1alpha1.MeshConfig, name string) *provider {
	t.Helper()
	for _, p := range mc.GetExtensionProviders() {
		if p.GetName() == name {
			return p
		}
	}
	t.Fatalf("the mesh config has no extension provider %q", name)
	return nil
}

// TestMeshConfigsAgree: the Helm values and the IstioOperator are two ways to
// install one mesh config.
func TestMeshConfigsAgree(t *testing.T) {
	values, operator := meshConfigs(t)
	if !proto.Equal(values, operator) {
		t.Errorf("istiod-values.yaml and istio-operator.yaml declare different mesh configs:\nvalues:   %s\noperator: %s",
			protojson.Format(values), protojson.Format(operator))
	}
}

// TestALSProvidersPointAtTheCollector: both ALS providers stream to the
// collector's Service and ask for the peer metadata the record needs.
func TestALSProvidersPointAtTheCollector(t *testing.T) {
	svc := load[corev1.Service](t, "deploy/kubernetes/40-service.yaml", "v1/Service")
	host := svc.Name + "." + svc.Namespace + ".svc.cluster.local"
	port := uint32(alsServicePort(t, svc).Port)
	mc, _ := meshConfigs(t)

	http := findProvider(t, mc, "otelcol-pan-http").GetEnvoyHttpAls()
	tcp := findProvider(t, mc, "otelcol-pan-tcp").GetEnvoyTcpAls()
	require.NotNil(t, http, "otelcol-pan-http must be an envoyHttpAls provider")
	require.NotNil(t, tcp, "otelcol-pan-tcp must be an envoyTcpAls provider")
	cases := []struct {
		name        string
		service     string
		port        uint32
		filterState []string
	}{
		{"otelcol-pan-http", http.GetService(), http.GetPort(), http.GetFilterStateObjectsToLog()},
		{"otelcol-pan-tcp", tcp.GetService(), tcp.GetPort(), tcp.GetFilterStateObjectsToLog()},
	}
	for _, c := range cases {
		require.Equal(t, host, c.service, "%s: service", c.name)
		require.Equal(t, port, c.port, "%s: port", c.name)
		for _, fs := range []string{"downstream_peer", "upstream_peer"} {
			require.Contains(t, c.filterState, fs, "%s: filterStateObjectsToLog", c.name)
		}
	}
	// Credentials never leave the proxy.
	for _, h := range http.GetAdditionalRequestHeadersToLog() {
		require.NotContains(t, []string{"authorization", "proxy-authorization", "cookie", "x-forwarded-client-cert"}, strings.ToLower(h))
	}
}

// TestOTLPProviderIsReadByIstionorm: the envoyOtelAls provider points at
// the collector's OTLP port, and its labels are exactly the ones istionorm
// reads, each with the Envoy command Istio's own format gives it; the
// collectors that receive it (the deployed ones and the example) run
// istionorm between the otlp receiver and paprefix.
func TestOTLPProviderIsReadByIstionorm(t *testing.T) {
	mc, _ := meshConfigs(t)
	otel := findProvider(t, mc, "otelcol-pan-otlp").GetEnvoyOtelAls()
	require.NotNil(t, otel, "otelcol-pan-otlp must be an envoyOtelAls provider")
	labels := map[string]string{}
	for name, v := range otel.GetLogFormat().GetLabels().GetFields() {
		labels[name] = v.GetStringValue()
	}
	require.Equal(t, istionorm.IstioLabels(), labels, "the provider's labels are the ones istionorm reads")

	svc := load[corev1.Service](t, "deploy/kubernetes/40-service.yaml", "v1/Service")
	require.Equal(t, svc.Name+"."+svc.Namespace+".svc.cluster.local", otel.GetService())
	require.Equal(t, otlpServicePort(t, svc).Port, int32(otel.GetPort()), "the provider's port is the Service's grpc-otlp port")

	const example = "examples/istio-otlp-provider.yaml"
	for name, cfg := range map[string]map[string]any{
		example: asMap(t, readDocs(t, example)[0]),
		"deploy/kubernetes ConfigMap config.yaml": asMap(t, []byte(configMapConfig(t))),
	} {
		require.Equal(t, int32(otel.GetPort()), endpointPortAt(t, cfg, "receivers", "otlp", "protocols", "grpc"), "%s: the otlp receiver listens on the provider's port", name)
		p := otlpPipeline(t, cfg)
		require.NotNil(t, p, "%s: no pipeline reads the otlp receiver", name)
		i, j := slices.Index(p.Processors, "istionorm"), slices.Index(p.Processors, "paprefix")
		require.True(t, i >= 0 && j > i, "%s: the otlp pipeline runs istionorm before paprefix: %v", name, p.Processors)
	}
}

// otlpPipeline is the pipeline that reads the otlp receiver.
func otlpPipeline(t *testing.T, cfg map[string]any) *otelPipeline {
	t.Helper()
	var c otelConfig
	b, err := yaml.Marshal(cfg)
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(b, &c))
	for _, p := range c.Service.Pipelines {
		if slices.Contains(p.Receivers, "otlp") {
			return p
		}
	}
	return nil
}

// TestTelemetryResources: each Telemetry resource selects the providers the
// mesh config declares, at the scope its file name says.
func TestTelemetryResources(t *testing.T) {
	mc, _ := meshConfigs(t)
	cases := []struct {
		file, namespace string
		filtered        bool
	}{
		{"deploy/istio/telemetry-mesh.yaml", "istio-system", false},
		{"deploy/istio/telemetry-namespace.yaml", "payments", false},
		{"deploy/istio/telemetry-errors-only.yaml", "frontend", true},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			tel, err := decodeTelemetry(loadDoc(t, c.file, "telemetry.istio.io/v1/Telemetry"))
			require.NoError(t, err)
			require.Equal(t, c.namespace, tel.Namespace)
			require.Nil(t, tel.Spec.GetSelector(), "a namespace- or mesh-wide resource has no selector")
			require.Empty(t, tel.Spec.GetTargetRefs(), "a namespace- or mesh-wide resource has no targetRefs")
			require.Len(t, tel.Spec.GetAccessLogging(), 1)
			al := tel.Spec.GetAccessLogging()[0]
			var got []string
			for _, p := range al.GetProviders() {
				findProvider(t, mc, p.GetName())
				got = append(got, p.GetName())
			}
			require.ElementsMatch(t, []string{"otelcol-pan-http", "otelcol-pan-tcp"}, got)
			require.Equal(t, c.filtered, al.GetFilter() != nil, "filter")
			if c.filtered {
				require.NoError(t, checkFilter(al.GetFilter().GetExpression()))
			}
		})
	}
}

// envoyAttributes are Envoy's documented attributes a Telemetry filter may
// read, with the types Envoy gives them (Envoy's attribute reference). Add
// one from there to use it in a filter.
var envoyAttributes = map[string]*cel.Type{
	"request.path":                     cel.StringType,
	"request.url_path":                 cel.StringType,
	"request.host":                     cel.StringType,
	"request.method":                   cel.StringType,
	"request.headers":                  cel.MapType(cel.StringType, cel.StringType),
	"request.useragent":                cel.StringType,
	"request.protocol":                 cel.StringType,
	"request.duration":                 cel.DurationType,
	"response.code":                    cel.IntType,
	"response.code_details":            cel.StringType,
	"response.flags":                   cel.IntType,
	"response.grpc_status":             cel.IntType,
	"connection.mtls":                  cel.BoolType,
	"connection.requested_server_name": cel.StringType,
	"connection.termination_details":   cel.StringType,
	"source.address":                   cel.StringType,
	"source.port":                      cel.IntType,
	"destination.address":              cel.StringType,
	"destination.port":                 cel.IntType,
	"upstream.address":                 cel.StringType,
	"upstream.port":                    cel.IntType,
	"xds.cluster_name":                 cel.StringType,
	"xds.route_name":                   cel.StringType,
}

// checkFilter parses a filter expression as Istio's validation does, then
// type-checks it against Envoy's attributes: an unknown attribute, a type
// mismatch or a non-boolean result is an error.
func checkFilter(expr string) error {
	var opts []cel.EnvOption
	for name, typ := range envoyAttributes {
		opts = append(opts, cel.Variable(name, typ))
	}
	env, err := cel.NewEnv(opts...)
	if err != nil {
		return err
	}
	checked, iss := env.Compile(expr)
	if iss.Err() != nil {
		return fmt.Errorf("%q: %w", expr, iss.Err())
	}
	if checked.OutputType() != cel.BoolType {
		return fmt.Errorf("%q is a %s, not a bool", expr, checked.OutputType())
	}
	return nil
}

// TestCheckFilterCanFail shows the filter check refuses what Envoy would.
func TestCheckFilterCanFail(t *testing.T) {
	for _, expr := range []string{
		`response.code >= "400"`,  // type mismatch
		`response.status >= 400`,  // no such attribute
		`response.code`,           // not a bool
		`response.code >= 400 ||`, // syntax
	} {
		if checkFilter(expr) == nil {
			t.Errorf("checkFilter(%q) = nil, want an error", expr)
		}
	}
	require.NoError(t, checkFilter(`response.code >= 400`))
}

// endpointPortAt is endpointPort for a nested component section.
func endpointPortAt(t *testing.T, cfg map[string]any, path ...string) int32 {
	t.Helper()
	m := cfg
	for _, k := range path[:len(path)-2] {
		m, _ = m[k].(map[string]any)
	}
	return endpointPort(t, m, path[len(path)-2], path[len(path)-1])
}
