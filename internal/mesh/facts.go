package mesh // import "github.com/otelcol-pan/otelcol-pan/internal/mesh"

import (
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-pan/otelcol-pan/internal/fields"
)

// Facts are what the mesh vocabulary derives from one record's evidence:
// istio.direction, pan.egress and the verdict (pan.action, pan.rule,
// pan.session_end_reason).
type Facts struct {
	Direction Direction
	// Egress is set only when the direction is known: outbound to a host
	// outside the mesh domains, to PassthroughCluster or BlackHoleCluster,
	// or refused by the block_all route.
	Egress bool
	// Verdict is set when HasVerdict: there was evidence to judge by.
	Verdict    Verdict
	HasVerdict bool
	// egressUnknown: the direction is known but not where the traffic
	// went (a connection ztunnel refused before resolving it).
	egressUnknown bool
}

// Classify derives the facts of one record from Envoy's evidence, the same
// way for every source that has it (ALS entries, the OTLP provider's
// records); ztunnel's connections go through ClassifyZtunnel.
func (d Domains) Classify(e *Evidence) Facts {
	c := ParseCluster(e.Cluster)
	f := Facts{Direction: c.Direction()}
	blockAll := IsBlockAll(e.Cluster, e.Route)
	if blockAll {
		f.Direction = Outbound
	}
	if f.Direction == Outbound {
		switch c.Kind {
		case ClusterPassthrough, ClusterBlackHole:
			f.Egress = true
		case ClusterOutbound:
			f.Egress = c.Host != "" && !d.Contains(c.Host)
		default:
			f.Egress = blockAll
		}
	}
	if e.any() {
		f.Verdict, f.HasVerdict = VerdictOf(e), true
	}
	return f
}

// Put writes the facts as the record attributes istio.direction, pan.action,
// pan.rule, pan.session_end_reason and pan.egress; what is unknown stays
// absent.
func (f *Facts) Put(attrs pcommon.Map) {
	if f.Direction != Unknown {
		attrs.PutStr(fields.IstioDirection, string(f.Direction))
	}
	if f.HasVerdict {
		attrs.PutStr(fields.PanAction, f.Verdict.Action)
		if f.Verdict.Rule != "" {
			attrs.PutStr(fields.PanRule, f.Verdict.Rule)
		}
		attrs.PutStr(fields.PanSessionEndReason, f.Verdict.EndReason)
	}
	if f.Direction != Unknown && !f.egressUnknown {
		attrs.PutBool(fields.PanEgress, f.Egress)
	}
}
