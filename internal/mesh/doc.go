// Package mesh is the Istio vocabulary every otelcol-pan component speaks:
// Istio's cluster names and the one parser for them, the direction and egress
// rules, the mesh domains, SPIFFE identities, proxy types, and the Palo Alto
// Networks verdict (actions, rules, session end reasons) read from Envoy's
// own account of a request or connection.
//
// The receiver builds a record's Evidence from its decoded ALS entry,
// istionorm from the access line or ztunnel line it parsed, and both go
// through Domains.Classify, so a rule changed here changes for every
// source. Exporters read the facts back with the
// same names (Inbound, ActionDeny, ParseCluster, …).
package mesh // import "github.com/otelcol-pan/otelcol-pan/internal/mesh"
