// Package deploy checks everything shipped under deploy/ and examples/:
// every YAML document decodes strictly into the ecosystem's own Go types,
// every collector configuration passes `otelcol-pan validate`, and the
// files that must agree with each other do.
package deploy

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	meshv1alpha1 "istio.io/api/mesh/v1alpha1"
	telemetryv1 "istio.io/client-go/pkg/apis/telemetry/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/otelcol-pan/otelcol-pan/internal/istiostrict"
)

// root is the repository, seen from this package's directory.
const root = "../.."

// Kinds of document that carry no apiVersion/kind of their own.
const (
	kindCollectorConfig = "otelcol config"
	kindIstiodValues    = "istiod Helm values"
)

// shipped lists every YAML file under deploy/ and examples/ with the
// documents it must hold, in order. A file that is not listed, a listed file
// that is missing, and a document missing, extra or of another kind all fail.
var shipped = map[string][]string{
	"deploy/kubernetes/00-namespace.yaml":  {"v1/Namespace"},
	"deploy/kubernetes/10-rbac.yaml":       {"v1/ServiceAccount", "rbac.authorization.k8s.io/v1/ClusterRole", "rbac.authorization.k8s.io/v1/ClusterRoleBinding"},
	"deploy/kubernetes/20-configmap.yaml":  {"v1/ConfigMap"},
	"deploy/kubernetes/30-deployment.yaml": {"apps/v1/Deployment"},
	"deploy/kubernetes/40-service.yaml":    {"v1/Service"},

	"deploy/operator/00-namespace.yaml": {"v1/Namespace"},
	"deploy/operator/10-rbac.yaml":      {"v1/ServiceAccount", "rbac.authorization.k8s.io/v1/ClusterRole", "rbac.authorization.k8s.io/v1/ClusterRoleBinding"},
	"deploy/operator/20-collector.yaml": {"opentelemetry.io/v1beta1/OpenTelemetryCollector"},
	"deploy/operator/30-service.yaml":   {"v1/Service"},

	"deploy/ambient/kubernetes/10-serviceaccount.yaml": {"v1/ServiceAccount"},
	"deploy/ambient/kubernetes/20-configmap.yaml":      {"v1/ConfigMap"},
	"deploy/ambient/kubernetes/30-daemonset.yaml":      {"apps/v1/DaemonSet"},
	"deploy/ambient/operator/10-serviceaccount.yaml":   {"v1/ServiceAccount"},
	"deploy/ambient/operator/20-collector.yaml":        {"opentelemetry.io/v1beta1/OpenTelemetryCollector"},

	"deploy/istio/istiod-values.yaml":         {kindIstiodValues},
	"deploy/istio/istio-operator.yaml":        {"install.istio.io/v1alpha1/IstioOperator"},
	"deploy/istio/telemetry-mesh.yaml":        {"telemetry.istio.io/v1/Telemetry"},
	"deploy/istio/telemetry-namespace.yaml":   {"telemetry.istio.io/v1/Telemetry"},
	"deploy/istio/telemetry-errors-only.yaml": {"telemetry.istio.io/v1/Telemetry"},

	"examples/istio-otlp-provider.yaml":     {kindCollectorConfig},
	"examples/persistent-queue.yaml":        {kindCollectorConfig},
	"examples/json-file.yaml":               {kindCollectorConfig},
	"examples/cortex-xsiam-http.yaml":       {kindCollectorConfig},
	"examples/siem-syslog-tls-pan-csv.yaml": {kindCollectorConfig},
	"examples/rotating-cef-files.yaml":      {kindCollectorConfig},
	"examples/ocsf-data-lake.yaml":          {kindCollectorConfig},
}

// decoders decode one document of a kind strictly: unknown or duplicate
// fields are errors.
var decoders = map[string]func(doc []byte) error{
	"v1/Namespace":       strictInto[corev1.Namespace],
	"v1/ServiceAccount":  strictInto[corev1.ServiceAccount],
	"v1/ConfigMap":       strictInto[corev1.ConfigMap],
	"v1/Service":         strictInto[corev1.Service],
	"apps/v1/Deployment": strictInto[appsv1.Deployment],
	"apps/v1/DaemonSet":  strictInto[appsv1.DaemonSet],
	"rbac.authorization.k8s.io/v1/ClusterRole":        strictInto[rbacv1.ClusterRole],
	"rbac.authorization.k8s.io/v1/ClusterRoleBinding": strictInto[rbacv1.ClusterRoleBinding],
	"opentelemetry.io/v1beta1/OpenTelemetryCollector": strictInto[otelCollector],
	"install.istio.io/v1alpha1/IstioOperator":         func(doc []byte) error { _, err := istioOperatorMesh(doc); return err },
	"telemetry.istio.io/v1/Telemetry":                 func(doc []byte) error { _, err := decodeTelemetry(doc); return err },
	kindIstiodValues:                                  func(doc []byte) error { _, err := istiodValuesMesh(doc); return err },
	kindCollectorConfig:                               strictInto[otelConfig],
}

// TestEveryShippedFileIsListed keeps the table above complete: a new YAML
// file under deploy/ or examples/ must be listed, so it is checked.
func TestEveryShippedFileIsListed(t *testing.T) {
	var found []string
	for _, dir := range []string{"deploy", "examples"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
				rel, _ := filepath.Rel(root, p)
				found = append(found, filepath.ToSlash(rel))
			}
			return nil
		})
		if err != nil {
			t.Fatalf("walking %s: %v", dir, err)
		}
	}
	var listed []string
	for f := range shipped {
		listed = append(listed, f)
	}
	sort.Strings(found)
	sort.Strings(listed)
	for _, f := range found {
		if _, ok := shipped[f]; !ok {
			t.Errorf("%s is not listed in `shipped` (docs_test.go): list it with its document kinds so it is checked", f)
		}
	}
	for _, f := range listed {
		if !slices.Contains(found, f) {
			t.Errorf("%s is listed in `shipped` but missing", f)
		}
	}
}

// TestDocumentsDecodeStrictly decodes every document of every shipped file
// into its own Go type with unknown fields refused.
func TestDocumentsDecodeStrictly(t *testing.T) {
	for file, kinds := range shipped {
		t.Run(file, func(t *testing.T) {
			docs := readDocs(t, file)
			var got []string
			for _, d := range docs {
				got = append(got, kindOf(t, file, d))
			}
			if !slices.Equal(got, kinds) {
				t.Fatalf("documents %q, want %q", got, kinds)
			}
			for i, d := range docs {
				decode, ok := decoders[kinds[i]]
				if !ok {
					t.Fatalf("no strict decoder for %s", kinds[i])
				}
				if err := decode(d); err != nil {
					t.Errorf("document %d (%s): %v", i, kinds[i], err)
				}
			}
		})
	}
}

// TestStrictDecodingRefusesUnknownFields makes sure each decoder really is
// strict: the same kind of document with one misspelt field must fail.
func TestStrictDecodingRefusesUnknownFields(t *testing.T) {
	cases := []struct{ kind, doc string }{
		{"apps/v1/Deployment", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replicas: 1, replica: 2}\n"},
		{"apps/v1/DaemonSet", "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: x}\nspec: {template: {spec: {tolerations: [{operatr: Exists}]}}}\n"},
		{"v1/Service", "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: [{port: 1, targetport: 1}]}\n"},
		{"opentelemetry.io/v1beta1/OpenTelemetryCollector", "apiVersion: opentelemetry.io/v1beta1\nkind: OpenTelemetryCollector\nmetadata: {name: x}\nspec: {serviceAccountName: x, config: {receivers: {}, exporters: {}, service: {pipelines: {}}}}\n"},
		{"opentelemetry.io/v1beta1/OpenTelemetryCollector", "apiVersion: opentelemetry.io/v1beta1\nkind: OpenTelemetryCollector\nmetadata: {name: x}\nspec: {config: {receivers: {}, exporters: {}, service: {pipelines: {logs: {receivers: [a], exporter: [b]}}}}}\n"},
		{"telemetry.istio.io/v1/Telemetry", "apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: {name: x}\nspec: {accessLogging: [{providers: [{name: a}], filters: {expression: 'true'}}]}\n"},
		{"install.istio.io/v1alpha1/IstioOperator", "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec: {meshConfig: {extensionProviders: [{name: a, envoyHttpAls: {service: s, port: 1, filterStateObjects: [x]}}]}}\n"},
		{kindIstiodValues, "meshConfig: {extensionProvider: []}\n"},
		{kindCollectorConfig, "recievers: {}\nexporters: {}\nservice: {pipelines: {}}\n"}, //nolint:misspell // the misspelt key is the test
	}
	for _, c := range cases {
		if err := decoders[c.kind]([]byte(c.doc)); err == nil {
			t.Errorf("%s: a document with an unknown field decoded without error:\n%s", c.kind, c.doc)
		}
	}
}

// readDocs splits a file into its YAML documents, leaving out empty ones
// (only comments or whitespace).
func readDocs(t *testing.T, rel string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatalf("%v", err)
	}
	r := k8syaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(b)))
	var docs [][]byte
	for {
		d, err := r.Read()
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		var v any
		if err := yaml.Unmarshal(d, &v); err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		if v != nil {
			docs = append(docs, d)
		}
	}
}

// kindOf names a document "apiVersion/kind", or, for the two kinds of
// document that have neither, by what the file is listed as.
func kindOf(t *testing.T, file string, doc []byte) string {
	t.Helper()
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if tm.APIVersion == "" && tm.Kind == "" {
		if want := shipped[file]; len(want) == 1 && (want[0] == kindCollectorConfig || want[0] == kindIstiodValues) {
			return want[0]
		}
		return "(no apiVersion/kind)"
	}
	return tm.APIVersion + "/" + tm.Kind
}

// strictInto decodes a YAML document into a T, refusing unknown and
// duplicate fields.
func strictInto[T any](doc []byte) error {
	_, err := decodeStrict[T](doc)
	return err
}

func decodeStrict[T any](doc []byte) (*T, error) {
	v := new(T)
	if err := unmarshalStrict(doc, v); err != nil {
		return nil, err
	}
	return v, nil
}

// unmarshalStrict decodes YAML the way the API server's strict field
// validation reads it (internal/istiostrict holds the rule).
func unmarshalStrict(doc []byte, v any) error { return istiostrict.Unmarshal(doc, v) }

// decodeTelemetry decodes a Telemetry resource into client-go's type, its
// spec checked again with protojson.
func decodeTelemetry(doc []byte) (*telemetryv1.Telemetry, error) { return istiostrict.Telemetry(doc) }

// istiodValuesMesh decodes the istiod chart values file: only meshConfig,
// and that strictly as istio.io/api's MeshConfig.
func istiodValuesMesh(doc []byte) (*meshv1alpha1.MeshConfig, error) {
	var v struct {
		MeshConfig json.RawMessage `json:"meshConfig"`
	}
	if err := unmarshalStrict(doc, &v); err != nil {
		return nil, err
	}
	return meshConfig(v.MeshConfig)
}

// istioOperatorMesh decodes an IstioOperator holding only a meshConfig. Its
// Go type lives in istio/istio, not in istio.io/api, so the envelope is
// written here; the mesh config inside is decoded by istio.io/api.
func istioOperatorMesh(doc []byte) (*meshv1alpha1.MeshConfig, error) {
	var v struct {
		metav1.TypeMeta `json:",inline"`
		Metadata        metav1.ObjectMeta `json:"metadata"`
		Spec            struct {
			MeshConfig json.RawMessage `json:"meshConfig"`
		} `json:"spec"`
	}
	if err := unmarshalStrict(doc, &v); err != nil {
		return nil, err
	}
	return meshConfig(v.Spec.MeshConfig)
}

func meshConfig(raw json.RawMessage) (*meshv1alpha1.MeshConfig, error) {
	if len(raw) == 0 {
		return nil, errors.New("meshConfig: missing")
	}
	mc := &meshv1alpha1.MeshConfig{}
	if err := protojson.Unmarshal(raw, mc); err != nil {
		return nil, fmt.Errorf("meshConfig: %w", err)
	}
	return mc, nil
}

// load decodes the one document of a kind in a shipped file.
func load[T any](t *testing.T, file, kind string) *T {
	t.Helper()
	for _, d := range readDocs(t, file) {
		if kindOf(t, file, d) == kind {
			v, err := decodeStrict[T](d)
			if err != nil {
				t.Fatalf("%s: %s: %v", file, kind, err)
			}
			return v
		}
	}
	t.Fatalf("%s: no %s", file, kind)
	return nil
}

// loadDoc returns the raw document of a kind in a shipped file.
func loadDoc(t *testing.T, file, kind string) []byte {
	t.Helper()
	for _, d := range readDocs(t, file) {
		if kindOf(t, file, d) == kind {
			return d
		}
	}
	t.Fatalf("%s: no %s", file, kind)
	return nil
}
