package paprefix

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-pan/otelcol-pan/processor/paprefix/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	tests := []struct {
		id      string
		want    *Config
		wantErr []string // every one must be in the error
	}{
		{id: "", want: &Config{Prefix: DefaultPrefix}},
		{id: "team", want: &Config{Prefix: "payments-audit"}},
		{id: "template", want: &Config{Prefix: "mesh-%{k8s.namespace.name}"}},
		{id: "rules", want: &Config{Prefix: "mesh-%{k8s.namespace.name}", Rules: []Rule{
			{Match: map[string]any{"pan.egress": true}, Prefix: "egress"},
			{Match: map[string]any{"k8s.namespace.name": "pay*", "pan.action": "deny"}, Prefix: "payments-deny"},
			{Match: map[string]any{"istio.proxy.type": "router"}, Prefix: "gw-%{k8s.pod.name}"},
			{Match: map[string]any{"http.response.status_code": 503}, Prefix: "unavailable"},
		}}},

		{id: "empty", wantErr: []string{"prefix: must not be empty"}},
		{id: "spaces", wantErr: []string{`prefix: "team a" may only hold A-Z a-z 0-9 . _ - and %{attribute} placeholders (' ' is not allowed)`}},
		{id: "long", wantErr: []string{`prefix: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" is longer than 48 bytes`}},
		{id: "unclosed", wantErr: []string{`prefix: "mesh-%{k8s.namespace.name": unclosed %{ at byte 5`}},
		{id: "empty_placeholder", wantErr: []string{`prefix: "mesh-%{}": empty placeholder %{} at byte 5`}},
		{id: "spaced_placeholder", wantErr: []string{`prefix: "mesh-%{ k8s.namespace.name }": placeholder name " k8s.namespace.name " at byte 5 has surrounding spaces`}},
		{id: "nested_placeholder", wantErr: []string{`prefix: "mesh-%{a%{b}}": placeholder at byte 5 holds "a%{b"; placeholders do not nest`}},
		{id: "template_bad_literal", wantErr: []string{`prefix: "mesh/%{k8s.namespace.name}" may only hold A-Z a-z 0-9 . _ - and %{attribute} placeholders ('/' is not allowed)`}},
		{id: "template_long_literal", wantErr: []string{"prefix: ", "its fixed text is 49 bytes, leaving no room for the placeholders within 48 bytes"}},
		{id: "collector_expansion", wantErr: []string{`prefix: "mesh-$${k8s.namespace.name}" may only hold A-Z a-z 0-9 . _ - and %{attribute} placeholders ('$' is not allowed)`}},
		{id: "rule_without_match", wantErr: []string{"rules[0]::match: must not be empty"}},
		{id: "rule_empty_match", wantErr: []string{"rules[0]::match: must not be empty"}},
		{id: "rule_without_prefix", wantErr: []string{"rules[0]::prefix: must not be empty"}},
		{id: "rule_bad_prefix", wantErr: []string{`rules[0]::prefix: "egress traffic" may only hold A-Z a-z 0-9 . _ -`}},
		{id: "rule_bad_template", wantErr: []string{`rules[0]::prefix: "egress-%{server.address": unclosed %{ at byte 7`}},
		{id: "rule_bad_glob", wantErr: []string{`rules[0]::match::k8s.namespace.name: bad glob "[pay"`}},
		{id: "rule_null_value", wantErr: []string{`rules[0]::match::k8s.namespace.name: must not be empty (write "*" for any value)`}},
		{id: "rule_map_value", wantErr: []string{"rules[0]::match::k8s.namespace.name: must be a string, a number or a bool, not map[string]interface {}"}},
		{id: "rule_empty_attribute_name", wantErr: []string{"rules[0]::match: an attribute name must not be empty"}},
		{id: "third_rule_empty", wantErr: []string{"rules[2]::match: must not be empty"}},
		{id: "several_errors", wantErr: []string{`prefix: "a b" may only hold`, "rules[0]::prefix: must not be empty", "rules[1]::match: must not be empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			sub, err := cm.Sub(component.NewIDWithName(metadata.Type, tt.id).String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))
			err = confmap.Validate(cfg)
			if tt.wantErr != nil {
				require.Error(t, err)
				for _, want := range tt.wantErr {
					require.ErrorContains(t, err, want)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg)
		})
	}
}

// The collector refuses an unknown key while unmarshalling, before Validate:
// a misspelt option never passes silently.
func TestUnknownKeysRefused(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	for id, want := range map[string]string{
		"unknown_key":      "has invalid keys: prefixes",
		"unknown_rule_key": "has invalid keys: stop",
	} {
		t.Run(id, func(t *testing.T) {
			sub, err := cm.Sub(component.NewIDWithName(metadata.Type, id).String())
			require.NoError(t, err)
			cfg := createDefaultConfig().(*Config)
			require.ErrorContains(t, sub.Unmarshal(cfg), want)
		})
	}
}
