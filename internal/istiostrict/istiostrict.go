// Package istiostrict loads Istio resources strictly into Istio's own Go
// types (istio.io/client-go, istio.io/api): unknown and duplicate fields are
// errors at every level, and field names match case-sensitively, as the API
// server's strict field validation reads them. Tests use it to prove that
// what otelcol-pan writes or ships is what Istio reads; nothing in the
// distribution links it.
package istiostrict

import (
	"encoding/json"
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	telemetryv1 "istio.io/client-go/pkg/apis/telemetry/v1"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// ServiceEntry loads a networking.istio.io/v1 ServiceEntry.
func ServiceEntry(b []byte) (*networkingv1.ServiceEntry, error) {
	return Decode(b, networkingv1.SchemeGroupVersion.String(), "ServiceEntry",
		func(o *networkingv1.ServiceEntry) proto.Message { return &o.Spec })
}

// Sidecar loads a networking.istio.io/v1 Sidecar.
func Sidecar(b []byte) (*networkingv1.Sidecar, error) {
	return Decode(b, networkingv1.SchemeGroupVersion.String(), "Sidecar",
		func(o *networkingv1.Sidecar) proto.Message { return &o.Spec })
}

// Telemetry loads a telemetry.istio.io/v1 Telemetry.
func Telemetry(b []byte) (*telemetryv1.Telemetry, error) {
	return Decode(b, telemetryv1.SchemeGroupVersion.String(), "Telemetry",
		func(o *telemetryv1.Telemetry) proto.Message { return &o.Spec })
}

// Unmarshal decodes a YAML document into v strictly: duplicate keys refused,
// field names matched case-sensitively, unknown fields refused.
func Unmarshal(doc []byte, v any) error {
	j, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return err
	}
	strictErrs, err := sigsjson.UnmarshalStrict(j, v)
	if err != nil {
		return err
	}
	return errors.Join(strictErrs...)
}

// Decode loads an Istio object whose spec (reached through specOf) is an
// istio.io/api protobuf message. The spec's generated UnmarshalJSON
// tolerates unknown fields, so the spec is decoded a second time with
// protojson, which does not (and which refuses enum names Istio does not
// define); both decodings must agree.
func Decode[T any](doc []byte, apiVersion, kind string, specOf func(*T) proto.Message) (*T, error) {
	obj := new(T)
	if err := Unmarshal(doc, obj); err != nil {
		return nil, err
	}
	var top struct {
		APIVersion string          `json:"apiVersion"`
		Kind       string          `json:"kind"`
		Spec       json.RawMessage `json:"spec"`
	}
	if err := yaml.Unmarshal(doc, &top); err != nil {
		return nil, err
	}
	if top.APIVersion != apiVersion || top.Kind != kind {
		return nil, fmt.Errorf("apiVersion/kind %s/%s, want %s/%s", top.APIVersion, top.Kind, apiVersion, kind)
	}
	spec := specOf(obj)
	strict := spec.ProtoReflect().New().Interface()
	if len(top.Spec) > 0 {
		if err := protojson.Unmarshal(top.Spec, strict); err != nil {
			return nil, fmt.Errorf("spec: %w", err)
		}
	}
	if !proto.Equal(strict, spec) {
		return nil, errors.New("spec: the object and protojson decodings differ")
	}
	return obj, nil
}
