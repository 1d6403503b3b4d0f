package paprefix

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-pan/otelcol-pan/internal/fields"
)

// benchConfigs are the three shapes the issue asks to measure.
var benchConfigs = map[string]*Config{
	"static":   {Prefix: "panw_istio_logs"},
	"template": {Prefix: "mesh-%{k8s.namespace.name}-%{istio.proxy.type}"},
	// Ten rules, the last of which matches the benchmark's records: every
	// record is tested against all of them, globs and a number included.
	"rules10": {Prefix: "mesh-%{k8s.namespace.name}", Rules: []Rule{
		{Match: map[string]any{fields.PanEgress: true}, Prefix: "egress"},
		{Match: map[string]any{fields.PanAction: "deny", fields.K8sNamespaceName: "pay*"}, Prefix: "payments-deny"},
		{Match: map[string]any{fields.IstioProxyType: "router"}, Prefix: "gw-%{k8s.pod.name}"},
		{Match: map[string]any{fields.K8sNamespaceName: "team-a"}, Prefix: "team-a"},
		{Match: map[string]any{fields.K8sNamespaceName: "team-b"}, Prefix: "team-b"},
		{Match: map[string]any{fields.K8sNamespaceName: "team-c-*"}, Prefix: "team-c"},
		{Match: map[string]any{fields.IstioSourcePrincipal: "spiffe://cluster.local/ns/legacy/*"}, Prefix: "legacy"},
		{Match: map[string]any{fields.HTTPResponseStatusCode: "5??"}, Prefix: "server-errors"},
		{Match: map[string]any{fields.EnvoyUpstreamCluster: "outbound|*||*.example.com"}, Prefix: "partners"},
		{Match: map[string]any{fields.K8sNamespaceName: "{billing,payments}", fields.PanAction: "allow"}, Prefix: "money"},
	}},
}

// benchLogs is a batch as the batch processor hands it on: resources (one
// per Envoy stream) of records shaped like istioals's, none matching any rule
// but the tenth.
func benchLogs(resources, perResource int) plog.Logs {
	ld := plog.NewLogs()
	for r := 0; r < resources; r++ {
		rl := ld.ResourceLogs().AppendEmpty()
		res := rl.Resource().Attributes()
		ns := []string{"billing", "payments"}[r%2]
		res.PutStr(fields.EnvoyNodeID, fmt.Sprintf("sidecar~10.40.0.%d~app-7c9f8d6b5-x%04d.%s~%s.svc.cluster.local", r, r, ns, ns))
		res.PutStr(fields.EnvoyAccessLogName, "otelcol-pan-als")
		res.PutStr(fields.IstioProxyType, "sidecar")
		res.PutStr(fields.K8sPodName, fmt.Sprintf("app-7c9f8d6b5-x%04d", r))
		res.PutStr(fields.K8sNamespaceName, ns)
		res.PutStr(fields.K8sPodIP, fmt.Sprintf("10.40.0.%d", r))
		res.PutStr(fields.K8sNodeName, "node-1")
		res.PutStr(fields.K8sClusterName, "Kubernetes")
		res.PutStr(fields.K8sDeploymentName, "app")
		res.PutStr(fields.ServiceName, "app")
		res.PutStr(fields.ServiceVersion, "v1")
		res.PutStr(fields.IstioMeshID, "cluster.local")
		res.PutStr(fields.CloudRegion, "us-central1")
		res.PutStr(fields.CloudAvailZone, "us-central1-a")
		lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
		for i := 0; i < perResource; i++ {
			a := lrs.AppendEmpty().Attributes()
			a.PutStr(fields.HTTPRequestMethod, "GET")
			a.PutStr(fields.URLScheme, "http")
			a.PutStr(fields.URLPath, fmt.Sprintf("/reviews/%d", i))
			a.PutStr(fields.URLQuery, "user=1")
			a.PutStr(fields.ServerAddress, "reviews")
			a.PutInt(fields.ServerPort, 9080)
			a.PutStr(fields.UserAgentOriginal, "Mozilla/5.0 (X11; Linux x86_64)")
			a.PutStr(fields.HTTPRequestHeaderReqID, "0ac1feff-84ae-4d3a-8b15-890da2b194c5")
			a.PutInt(fields.HTTPResponseStatusCode, 200)
			a.PutInt(fields.HTTPRequestBodySize, 0)
			a.PutInt(fields.HTTPResponseBodySize, 4415)
			a.PutStr(fields.NetworkProtocolName, "http")
			a.PutStr(fields.NetworkProtocolVersion, "1.1")
			a.PutStr(fields.NetworkTransport, "tcp")
			a.PutStr(fields.SourceAddress, "10.40.0.1")
			a.PutInt(fields.SourcePort, int64(30000+i))
			a.PutStr(fields.DestinationAddress, "10.96.0.1")
			a.PutInt(fields.DestinationPort, 9080)
			a.PutStr(fields.EnvoyUpstreamAddress, "10.44.0.9")
			a.PutInt(fields.EnvoyUpstreamPort, 9080)
			a.PutStr(fields.EnvoyUpstreamCluster, "outbound|9080||reviews."+ns+".svc.cluster.local")
			a.PutStr(fields.EnvoyRouteName, "default")
			a.PutStr(fields.EnvoyResponseCodeDetails, "via_upstream")
			a.PutDouble(fields.EnvoyDurationMs, 10.5)
			a.PutStr(fields.IstioDirection, "outbound")
			a.PutStr(fields.IstioSourceWorkload, "app")
			a.PutStr(fields.IstioSourceNamespace, ns)
			a.PutStr(fields.IstioSourcePrincipal, "spiffe://cluster.local/ns/"+ns+"/sa/app")
			a.PutStr(fields.IstioDestinationWorkload, "reviews-v1")
			a.PutStr(fields.IstioDestinationNamespace, ns)
			a.PutStr(fields.IstioDestinationPrincipal, "spiffe://cluster.local/ns/"+ns+"/sa/reviews")
			a.PutBool(fields.IstioMTLS, true)
			a.PutStr(fields.PanAction, "allow")
			a.PutStr(fields.PanSessionEndReason, "tcp-fin")
			a.PutBool(fields.PanEgress, false)
		}
	}
	return ld
}

// BenchmarkPrefixFor is the processor's own cost for one record: reading
// the attributes the config names (the resource's too, which processLogs
// does once per resource), choosing and rendering the prefix, without
// setting the attribute. "template" renders the same prefix as the record
// before (records of one stream share their resource), "template_distinct"
// a different one every time.
func BenchmarkPrefixFor(b *testing.B) {
	ld := benchLogs(2, 1)
	recs := [2]pcommon.Map{}
	ress := [2]pcommon.Map{}
	for i := range 2 {
		rl := ld.ResourceLogs().At(i)
		ress[i] = rl.Resource().Attributes()
		recs[i] = rl.ScopeLogs().At(0).LogRecords().At(0).Attributes()
	}
	for _, name := range []string{"static", "template", "template_distinct", "rules10"} {
		cfgName, flip := name, 0
		if name == "template_distinct" {
			cfgName, flip = "template", 1
		}
		p, err := newPrefixer(benchConfigs[cfgName])
		require.NoError(b, err)
		b.Run(name, func(b *testing.B) {
			s := p.scratch.Get().(*scratch)
			want := p.prefixOfMaps(recs[0], ress[0])
			b.ReportAllocs()
			var got string
			for i := 0; b.Loop(); i++ {
				k := i & flip
				s.view.loadResource(&p.slots, ress[k])
				s.view.loadRecord(&p.slots, recs[k])
				got = p.prefixFor(s)
			}
			if flip == 0 && got != want {
				b.Fatalf("%q, want %q", got, want)
			}
		})
	}
}

// BenchmarkProcessLogs is the whole processor on a batch of 100 records in 10
// resources, pdata's own cost of setting pan.prefix included (from the second
// round on it replaces the value, which allocates as much as adding it);
// ns/record divides by the records.
func BenchmarkProcessLogs(b *testing.B) {
	const resources, perResource = 10, 10
	for _, name := range []string{"static", "template", "rules10"} {
		p, err := newPrefixer(benchConfigs[name])
		require.NoError(b, err)
		ld := benchLogs(resources, perResource)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.processLogs(context.Background(), ld); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*resources*perResource), "ns/record")
		})
	}
}
