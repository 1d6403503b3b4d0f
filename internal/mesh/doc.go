// Package mesh is the Istio vocabulary every otelcol-pan component speaks:
// Istio's cluster names and the one parser for them, the direction and egress
// rules, the mesh domains, SPIFFE identities, proxy types, and the Palo Alto
// Networks verdict (actions, rules, session end reasons) read from Envoy's
// own account of a request or connection.
//
// The receiver computes a record's facts from its decoded ALS entry, a
// processor can compute the same facts from a record's attributes
// (EvidenceFrom), and both go through Domains.Classify, so a rule changed
// here changes for every source. Exporters read the facts back with the
// same names (Inbound, ActionDeny, ParseCluster, …).
package mesh // import "github.com/otelcol-pan/otelcol-pan/internal/mesh"
