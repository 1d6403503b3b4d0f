package paprefix

import (
	"context"
	"strings"
	"sync"
	"testing"

	pfx "github.com/otelcol-pan/otelcol-pan/internal/prefix"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-pan/otelcol-pan/internal/fields"
	"github.com/otelcol-pan/otelcol-pan/processor/paprefix/internal/metadata"
)

// attrs is a record's or a resource's attributes, written as AsRaw takes
// them: string, bool, int64, float64, []byte, map[string]any.
type attrs = map[string]any

// prefixOf runs one record through the real processor and returns the
// pan.prefix it comes out with.
func prefixOf(t *testing.T, cfg *Config, rec, res attrs) string {
	t.Helper()
	require.NoError(t, cfg.Validate())
	sink := new(consumertest.LogsSink)
	p, err := NewFactory().CreateLogs(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, sink)
	require.NoError(t, err)
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	require.NoError(t, rl.Resource().Attributes().FromRaw(res))
	require.NoError(t, rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Attributes().FromRaw(rec))
	require.NoError(t, p.ConsumeLogs(context.Background(), ld))
	require.Equal(t, 1, sink.LogRecordCount())
	v, ok := sink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes().Get(fields.PanPrefix)
	require.True(t, ok, "pan.prefix set")
	require.Equal(t, pcommon.ValueTypeStr, v.Type())
	return v.Str()
}

func rules(rs ...Rule) *Config { return &Config{Prefix: "default", Rules: rs} }

func on(prefix string, match attrs) Rule { return Rule{Match: match, Prefix: prefix} }

func TestRules(t *testing.T) {
	tests := []struct {
		name     string
		cfg      *Config
		rec, res attrs
		want     string
	}{
		{
			"first match wins", rules(on("first", attrs{"pan.action": "deny"}), on("second", attrs{"pan.action": "deny"})),
			attrs{"pan.action": "deny"},
			nil, "first",
		},
		{
			"later rule when the first fails", rules(on("first", attrs{"pan.action": "deny"}), on("second", attrs{"pan.action": "allow"})),
			attrs{"pan.action": "allow"},
			nil, "second",
		},
		{
			"no rule: the default", rules(on("first", attrs{"pan.action": "deny"})),
			attrs{"pan.action": "allow"},
			nil, "default",
		},
		{
			"order beats specificity", rules(on("any-ns", attrs{"k8s.namespace.name": "*"}), on("payments", attrs{"k8s.namespace.name": "payments"})),
			nil,
			attrs{"k8s.namespace.name": "payments"},
			"any-ns",
		},
		{
			"every key must match", rules(on("both", attrs{"pan.action": "deny", "k8s.namespace.name": "payments"})),
			attrs{"pan.action": "deny"},
			attrs{"k8s.namespace.name": "default"},
			"default",
		},
		{
			"keys across record and resource", rules(on("both", attrs{"pan.action": "deny", "k8s.namespace.name": "payments"})),
			attrs{"pan.action": "deny"},
			attrs{"k8s.namespace.name": "payments"},
			"both",
		},
		{
			"record before resource", rules(on("rec", attrs{"k8s.namespace.name": "a"}), on("res", attrs{"k8s.namespace.name": "b"})),
			attrs{"k8s.namespace.name": "a"},
			attrs{"k8s.namespace.name": "b"},
			"rec",
		},
		{
			"resource when the record lacks it", rules(on("res", attrs{"k8s.namespace.name": "b"})),
			attrs{"pan.action": "allow"},
			attrs{"k8s.namespace.name": "b"},
			"res",
		},
		{
			"bool from YAML", rules(on("egress", attrs{"pan.egress": true})),
			attrs{"pan.egress": true},
			nil, "egress",
		},
		{
			"bool written as a string", rules(on("egress", attrs{"pan.egress": "true"})),
			attrs{"pan.egress": true},
			nil, "egress",
		},
		{
			"false is not true", rules(on("egress", attrs{"pan.egress": true})),
			attrs{"pan.egress": false},
			nil, "default",
		},
		{
			"a string attribute \"true\" matches too", rules(on("egress", attrs{"pan.egress": true})),
			attrs{"pan.egress": "true"},
			nil, "egress",
		},
		{
			"int from YAML", rules(on("unavailable", attrs{"http.response.status_code": 503})),
			attrs{"http.response.status_code": int64(503)},
			nil, "unavailable",
		},
		{
			"int against a glob", rules(on("server-error", attrs{"http.response.status_code": "5??"})),
			attrs{"http.response.status_code": int64(504)},
			nil, "server-error",
		},
		{
			"int glob that does not match", rules(on("server-error", attrs{"http.response.status_code": "5??"})),
			attrs{"http.response.status_code": int64(404)},
			nil, "default",
		},
		{
			"negative int", rules(on("neg", attrs{"x": -1})),
			attrs{"x": int64(-1)},
			nil, "neg",
		},
		{
			"double", rules(on("slow", attrs{"envoy.duration_ms": "1.5"})),
			attrs{"envoy.duration_ms": 1.5},
			nil, "slow",
		},
		{
			"double from YAML", rules(on("slow", attrs{"envoy.duration_ms": 2.25})),
			attrs{"envoy.duration_ms": 2.25},
			nil, "slow",
		},
		{
			"missing attribute does not match *", rules(on("any", attrs{"pan.rule": "*"})),
			attrs{"pan.action": "allow"},
			nil, "default",
		},
		{
			"empty string matches *", rules(on("any", attrs{"pan.rule": "*"})),
			attrs{"pan.rule": ""},
			nil, "any",
		},
		{
			"map value matches nothing", rules(on("any", attrs{"envoy.filter_metadata.x": "*"})),
			attrs{"envoy.filter_metadata.x": map[string]any{"a": "b"}},
			nil, "default",
		},
		{
			"rule prefix is a template", rules(on("gw-%{k8s.pod.name}", attrs{"istio.proxy.type": "router"})),
			nil,
			attrs{"istio.proxy.type": "router", "k8s.pod.name": "istio-ingressgateway-5d8f"},
			"gw-istio-ingressgateway-5d8f",
		},
		{
			"default prefix is a template", &Config{Prefix: "mesh-%{k8s.namespace.name}", Rules: []Rule{on("egress", attrs{"pan.egress": true})}},
			attrs{"pan.egress": false},
			attrs{"k8s.namespace.name": "payments"},
			"mesh-payments",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, prefixOf(t, tt.cfg, tt.rec, tt.res))
		})
	}
}

func TestGlobs(t *testing.T) {
	tests := []struct {
		pattern string
		match   []string
		miss    []string
	}{
		{"payments", []string{"payments"}, []string{"payments-v2", "Payments", "pay", ""}},
		{"pay*", []string{"pay", "payments", "pay.ments/x y"}, []string{"spay", "Pay"}},
		{"*-prod", []string{"a-prod", "-prod", "team.a-prod"}, []string{"a-prod2", "prod"}},
		{"*", []string{"", "anything", "a.b.c"}, nil},
		{"?ay", []string{"pay", "bay", "éay"}, []string{"ay", "play"}},
		{"[pb]ay*", []string{"payments", "bay"}, []string{"day", "Pay"}},
		{"[!p]ay", []string{"bay"}, []string{"pay"}},
		{"ns-[0-9]", []string{"ns-0", "ns-9"}, []string{"ns-a", "ns-10"}},
		{"{payments,billing}", []string{"payments", "billing"}, []string{"pay", "payments,billing", "shipping"}},
		{"team-{a,b}-*", []string{"team-a-x", "team-b-"}, []string{"team-c-x", "team-a"}},
		{`literal\*`, []string{"literal*"}, []string{"literally"}},
		{"outbound|443||*.example.com", []string{"outbound|443||api.example.com"}, []string{"outbound|443||api.example.org", "outbound|80||api.example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			cfg := rules(on("hit", attrs{"k8s.namespace.name": tt.pattern}))
			for _, v := range tt.match {
				assert.Equal(t, "hit", prefixOf(t, cfg, nil, attrs{"k8s.namespace.name": v}), "%q should match %q", tt.pattern, v)
			}
			for _, v := range tt.miss {
				assert.Equal(t, "default", prefixOf(t, cfg, nil, attrs{"k8s.namespace.name": v}), "%q should not match %q", tt.pattern, v)
			}
		})
	}
}

func TestTemplates(t *testing.T) {
	tests := []struct {
		prefix   string
		rec, res attrs
		want     string
	}{
		{"mesh-%{k8s.namespace.name}", nil, attrs{"k8s.namespace.name": "payments"}, "mesh-payments"},
		{"mesh-%{k8s.namespace.name}", attrs{"k8s.namespace.name": "from-record"}, attrs{"k8s.namespace.name": "from-resource"}, "mesh-from-record"},
		{"mesh-%{k8s.namespace.name}", nil, nil, "mesh-unknown"},
		{"mesh-%{k8s.namespace.name}", nil, attrs{"k8s.namespace.name": ""}, "mesh-unknown"},
		{"%{k8s.namespace.name}", nil, nil, "unknown"},
		{"%{k8s.namespace.name}.%{service.name}", nil, attrs{"k8s.namespace.name": "payments", "service.name": "api"}, "payments.api"},
		{"%{k8s.namespace.name}.%{service.name}", nil, attrs{"service.name": "api"}, "unknown.api"},
		{"%{a}%{b}", attrs{"a": "x"}, attrs{"b": "y"}, "xy"},
		{"egress-%{pan.egress}", attrs{"pan.egress": true}, nil, "egress-true"},
		{"status-%{http.response.status_code}", attrs{"http.response.status_code": int64(503)}, nil, "status-503"},
		{"t-%{x}", attrs{"x": -2.5}, nil, "t--2.5"},
		{"t-%{x}", attrs{"x": map[string]any{"a": "b"}}, nil, "t-unknown"},
		{"t-%{x}", attrs{"x": []any{"a"}}, nil, "t-unknown"},
		{"t-%{x}", attrs{"x": []byte("ab")}, nil, "t-unknown"},
		{"%{k8s.namespace.name}-audit", nil, attrs{"k8s.namespace.name": "payments"}, "payments-audit"},
	}
	for _, tt := range tests {
		t.Run(tt.prefix+"/"+tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, prefixOf(t, &Config{Prefix: tt.prefix}, tt.rec, tt.res))
		})
	}
}

// Attribute values come from the network: whatever they hold, the prefix is
// one search token of at most 48 safe bytes and cannot split or forge a line.
func TestHostileValues(t *testing.T) {
	long := strings.Repeat("n", 200)
	tests := []struct {
		name, value, want string
	}{
		{"spaces", "team a b", "mesh-team_a_b"},
		{"slash", "payments/../../etc", "mesh-payments_.._.._etc"},
		{"newline", "payments\nfake-prefix {\"forged\":1}", "mesh-payments_fake-prefix___forged__1_"},
		{"carriage return and NUL", "a\r\x00b", "mesh-a__b"},
		{"200 bytes", long, "mesh-" + long[:maxPrefixLen-len("mesh-")]},
		{"UTF-8", "café", "mesh-caf__"},
		{"placeholder syntax", "%{k8s.pod.name}", "mesh-__k8s.pod.name_"},
		{"collector expansion syntax", "${env:HOME}", "mesh-__env_HOME_"},
		{"invalid UTF-8", "\xff\xfe", "mesh-__"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, cfg := range []*Config{
				{Prefix: "mesh-%{k8s.namespace.name}"},
				{Prefix: "x", Rules: []Rule{on("mesh-%{k8s.namespace.name}", attrs{"k8s.namespace.name": "*"})}},
			} {
				got := prefixOf(t, cfg, nil, attrs{"k8s.namespace.name": tt.value})
				assert.Equal(t, tt.want, got)
				assertClean(t, got)
			}
		})
	}

	// A long value cuts the text after it.
	got := prefixOf(t, &Config{Prefix: "%{k8s.namespace.name}-audit"}, nil, attrs{"k8s.namespace.name": long})
	assert.Equal(t, long[:maxPrefixLen], got)
}

func assertClean(t *testing.T, prefix string) {
	t.Helper()
	assert.NotEmpty(t, prefix)
	assert.LessOrEqual(t, len(prefix), maxPrefixLen, prefix)
	for i := 0; i < len(prefix); i++ {
		assert.True(t, pfx.Byte(prefix[i]), "byte %d of %q", i, prefix)
	}
}

func FuzzTemplateValue(f *testing.F) {
	for _, s := range []string{"payments", "", "team a", "a\nb", strings.Repeat("x", 200), "\xff", "%{x}"} {
		f.Add(s)
	}
	p, err := newPrefixer(&Config{Prefix: "mesh-%{v}-%{w}"})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, v string) {
		rec := pcommon.NewMap()
		rec.PutStr("v", v)
		res := pcommon.NewMap()
		res.PutStr("w", v)
		got := p.prefixOfMaps(rec, res)
		assertClean(t, got)
		if clean := strings.Trim(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == ""; clean && v != "" && len(v) <= 20 {
			assert.Equal(t, "mesh-"+v+"-"+v, got)
		}
	})
}

// Patterns are operator input: any of them is compiled or refused, never a
// crash.
func FuzzGlobPattern(f *testing.F) {
	for _, s := range []string{"pay*", "[pay", "{a,b", "\\", "[]", "{}", "[!]", "[a-]", "**", "{a,{b,c}}"} {
		f.Add(s, "payments")
	}
	f.Fuzz(func(t *testing.T, pattern, value string) {
		c, err := compileCondition("k", pattern)
		if err != nil {
			return
		}
		if c.matchText(value) != c.matchBytes([]byte(value)) {
			t.Fatalf("%q against %q: string and []byte disagree", pattern, value)
		}
	})
}

// prefixOfMaps is the prefix for one record, straight from the hot path.
func (p *prefixer) prefixOfMaps(rec, res pcommon.Map) string {
	s := p.scratch.Get().(*scratch)
	defer p.scratch.Put(s)
	s.view.loadResource(&p.slots, res)
	s.view.loadRecord(&p.slots, rec)
	return p.prefixFor(s)
}

func TestEveryRecordGetsThePrefix(t *testing.T) {
	sink := new(consumertest.LogsSink)
	cfg := &Config{Prefix: "mesh-audit"}
	p, err := NewFactory().CreateLogs(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, sink)
	require.NoError(t, err)

	ld := plog.NewLogs()
	for r := 0; r < 2; r++ {
		sl := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty()
		for i := 0; i < 3; i++ {
			lr := sl.LogRecords().AppendEmpty()
			if i == 0 {
				lr.Attributes().PutStr("pan.prefix", "forged-by-producer")
			}
		}
	}
	require.NoError(t, p.ConsumeLogs(context.Background(), ld))
	require.Equal(t, 6, sink.LogRecordCount())
	got := sink.AllLogs()[0]
	for r := 0; r < got.ResourceLogs().Len(); r++ {
		lrs := got.ResourceLogs().At(r).ScopeLogs().At(0).LogRecords()
		for i := 0; i < lrs.Len(); i++ {
			v, ok := lrs.At(i).Attributes().Get("pan.prefix")
			require.True(t, ok)
			assert.Equal(t, "mesh-audit", v.Str())
		}
	}
}

// Receivers call the processor from many goroutines: each call renders into
// its own scratch space (go test -race checks the sharing).
func TestConcurrentCalls(t *testing.T) {
	p, err := newPrefixer(&Config{Prefix: "mesh-%{k8s.namespace.name}", Rules: []Rule{on("status-%{http.response.status_code}", attrs{"http.response.status_code": "5*"})}})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Go(func() {
			for n := 0; n < 200; n++ {
				ld := plog.NewLogs()
				rl := ld.ResourceLogs().AppendEmpty()
				ns := strings.Repeat(string(rune('a'+g)), 1+n%5)
				rl.Resource().Attributes().PutStr("k8s.namespace.name", ns)
				lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
				lrs.AppendEmpty()
				lrs.AppendEmpty().Attributes().PutInt("http.response.status_code", int64(500+g))
				_, err := p.processLogs(context.Background(), ld)
				if err != nil {
					t.Error(err)
					return
				}
				v0, _ := lrs.At(0).Attributes().Get(fields.PanPrefix)
				v1, _ := lrs.At(1).Attributes().Get(fields.PanPrefix)
				assert.Equal(t, "mesh-"+ns, v0.Str())
				assert.Equal(t, "status-"+string(rune('0'+5))+"0"+string(rune('0'+g)), v1.Str())
			}
		})
	}
	wg.Wait()
}

// The README's example does what the README says.
func TestReadmeExample(t *testing.T) {
	cfg := loadConfig(t, "readme")
	tests := []struct {
		rec, res attrs
		want     string
	}{
		{attrs{"pan.action": "allow", "pan.egress": false}, attrs{"k8s.namespace.name": "shop"}, "mesh-shop"},
		{attrs{"pan.action": "deny", "pan.egress": false}, attrs{"k8s.namespace.name": "payments"}, "pci-denied"},
		{attrs{"pan.action": "deny", "pan.egress": true}, attrs{"k8s.namespace.name": "payments"}, "mesh-egress"},
		{attrs{"pan.action": "allow", "pan.egress": false}, attrs{"k8s.namespace.name": "billing"}, "pci-billing"},
		{attrs{"pan.action": "allow"}, attrs{"k8s.namespace.name": "istio-system", "istio.proxy.type": "router", "k8s.deployment.name": "istio-ingressgateway"}, "gw-istio-ingressgateway"},
		{attrs{"pan.action": "allow", "http.response.status_code": int64(503)}, attrs{"k8s.namespace.name": "shop"}, "mesh-errors"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, prefixOf(t, cfg, tt.rec, tt.res))
		})
	}
}
