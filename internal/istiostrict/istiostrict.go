// Package istiostrict loads Istio resources strictly into Istio's own Go
// types (istio.io/client-go, istio.io/api): unknown fields are errors at
// every level. Tests use it to prove that what otelcol-pan writes is what
// Istio reads; nothing in the distribution links it.
package istiostrict

import (
	"bytes"
	"encoding/json"
	"fmt"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	apinetworking "istio.io/api/networking/v1alpha3"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	"sigs.k8s.io/yaml"
)

// ServiceEntry loads a networking.istio.io/v1 ServiceEntry.
func ServiceEntry(b []byte) (*networkingv1.ServiceEntry, error) {
	return decode(b, "ServiceEntry", &apinetworking.ServiceEntry{},
		func(o *networkingv1.ServiceEntry) proto.Message { return &o.Spec })
}

// Sidecar loads a networking.istio.io/v1 Sidecar.
func Sidecar(b []byte) (*networkingv1.Sidecar, error) {
	return decode(b, "Sidecar", &apinetworking.Sidecar{},
		func(o *networkingv1.Sidecar) proto.Message { return &o.Spec })
}

// decode reads the object level with encoding/json and
// DisallowUnknownFields. The spec's generated UnmarshalJSON tolerates unknown
// fields, so the spec is decoded a second time with protojson, which does
// not (and which refuses enum names Istio does not define either).
func decode[T any](b []byte, kind string, spec proto.Message, specOf func(*T) proto.Message) (*T, error) {
	j, err := yaml.YAMLToJSONStrict(b)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.DisallowUnknownFields()
	obj := new(T)
	if err := dec.Decode(obj); err != nil {
		return nil, err
	}
	var top struct {
		APIVersion string          `json:"apiVersion"`
		Kind       string          `json:"kind"`
		Spec       json.RawMessage `json:"spec"`
	}
	if err := json.Unmarshal(j, &top); err != nil {
		return nil, err
	}
	if top.APIVersion != networkingv1.SchemeGroupVersion.String() || top.Kind != kind {
		return nil, fmt.Errorf("apiVersion/kind %s/%s, want %s/%s", top.APIVersion, top.Kind, networkingv1.SchemeGroupVersion, kind)
	}
	if err := protojson.Unmarshal(top.Spec, spec); err != nil {
		return nil, fmt.Errorf("spec: %w", err)
	}
	// Both decodings must agree, or the lenient one read something else.
	if !proto.Equal(spec, specOf(obj)) {
		return nil, fmt.Errorf("spec: the object and protojson decodings differ")
	}
	return obj, nil
}
