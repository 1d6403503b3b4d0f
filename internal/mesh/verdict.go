package mesh // import "github.com/otelcol-pan/otelcol-pan/internal/mesh"

import "strings"

// PAN-OS actions: the values of pan.action.
const (
	ActionAllow       = "allow"
	ActionDeny        = "deny"
	ActionDrop        = "drop"
	ActionResetClient = "reset-client"
	ActionResetServer = "reset-server"
	ActionResetBoth   = "reset-both"
)

// Rules named by a verdict (pan.rule) when Envoy's account names no policy.
const (
	RuleRBAC         = "rbac"
	RuleExtAuthz     = "ext_authz"
	RuleRegistryOnly = "outbound_traffic_policy_registry_only"
	RuleRateLimit    = "rate_limit"
	RuleNoRoute      = "no_route"
)

// PAN-OS session end reasons: the values of pan.session_end_reason.
const (
	EndPolicyDeny    = "policy-deny"
	EndTCPFin        = "tcp-fin"
	EndRstFromClient = "tcp-rst-from-client"
	EndRstFromServer = "tcp-rst-from-server"
	EndAgedOut       = "aged-out"
	EndResources     = "resources-unavailable"
	EndDecoder       = "decoder"
	EndDecryptError  = "decrypt-error"
	EndUnknown       = "unknown"
)

// Envoy's response code details and connection termination details that
// name a denial.
const (
	rbacDeniedMatched = "rbac_access_denied_matched_policy["
	rbacDenied        = "rbac_access_denied"
	extAuthzDenied    = "ext_authz_denied"
)

// IsDenial reports an action that refused the traffic (PAN-OS subtype deny).
func IsDenial(action string) bool { return action == ActionDeny || action == ActionDrop }

// IsReset reports an action that reset the connection (reset-client,
// reset-server, reset-both).
func IsReset(action string) bool { return strings.HasPrefix(action, "reset-") }

// IsAuthorizationRule reports a rule that names an authorization decision:
// an AuthorizationPolicy (the policy Envoy's RBAC filter matched, or rbac
// when it named none), an external authorizer (ext_authz) or any policy a
// producer names. The rules the mesh itself gives for traffic it cannot or
// may not route (REGISTRY_ONLY, rate limits, no route) are not.
func IsAuthorizationRule(rule string) bool {
	switch rule {
	case "", RuleRegistryOnly, RuleRateLimit, RuleNoRoute:
		return false
	}
	return true
}

// IsFailure reports a request or connection that the mesh let through but
// could not serve: the session ended for lack of resources (no healthy or
// overflowing upstream, overload), on a protocol error or a TLS failure, or
// Envoy could not connect upstream or resolve its name (response flags UF
// and DF, which the end reason alone does not tell from a server's reset).
// Timeouts (aged-out), resets and denials are not failures here: each has
// its own name.
func IsFailure(endReason string, f Flags) bool {
	switch endReason {
	case EndResources, EndDecoder, EndDecryptError:
		return true
	}
	return f.Has(FlagUpstreamConnectionFailure | FlagDNSResolutionFailure | FlagNoHealthyUpstream | FlagUpstreamOverflow | FlagUpstreamRetryLimitExceeded | FlagOverloadManager)
}

// Verdict is the security outcome of one request or connection in PAN-OS
// terms.
type Verdict struct {
	Action    string
	Rule      string
	EndReason string
}

// Evidence is Envoy's own account of what happened to a request or
// connection: the attributes envoy.upstream.cluster, envoy.route.name,
// envoy.response_flags, envoy.response.code_details,
// envoy.connection.termination_details and
// envoy.upstream.transport_failure_reason of a record.
type Evidence struct {
	Cluster            string
	Route              string
	CodeDetails        string // HTTP response code details
	TerminationDetails string // connection termination details
	UpstreamFailure    string // upstream transport failure reason
	Flags              Flags
	// HasFlags: Envoy sent response flags, even none set.
	HasFlags bool
}

// any reports whether there is evidence to judge by: where Envoy sent the
// traffic or how it ended. An entry with none gets no verdict rather than a
// guessed "allow".
func (e *Evidence) any() bool {
	return e.Cluster != "" || e.Route != "" || e.HasFlags || e.CodeDetails != "" || e.TerminationDetails != ""
}

// VerdictOf reads the verdict from the evidence: RBAC denials in the HTTP
// response code details or the TCP connection termination details
// ("rbac_access_denied_matched_policy[ns[foo]-policy[deny-all]-rule[0]]"),
// ext-authz denials (UAEX), REGISTRY_ONLY's BlackHoleCluster and block_all
// route, and the response flags for resets, timeouts and overload.
// (ztunnel's connections have their own: ClassifyZtunnel.)
func VerdictOf(e *Evidence) Verdict {
	for _, d := range [2]string{e.CodeDetails, e.TerminationDetails} {
		if rest, ok := strings.CutPrefix(d, rbacDeniedMatched); ok {
			return Verdict{Action: ActionDeny, Rule: PolicyRule(strings.TrimSuffix(rest, "]")), EndReason: EndPolicyDeny}
		}
		if strings.HasPrefix(d, rbacDenied) {
			return Verdict{Action: ActionDeny, Rule: RuleRBAC, EndReason: EndPolicyDeny}
		}
	}
	f := e.Flags
	switch {
	case f.Has(FlagUnauthorized) || strings.HasPrefix(e.CodeDetails, extAuthzDenied):
		return Verdict{Action: ActionDeny, Rule: RuleExtAuthz, EndReason: EndPolicyDeny}
	case e.Cluster == BlackHoleCluster || IsBlockAll(e.Cluster, e.Route):
		return Verdict{Action: ActionDeny, Rule: RuleRegistryOnly, EndReason: EndPolicyDeny}
	case f.Has(FlagRateLimited):
		return Verdict{Action: ActionDeny, Rule: RuleRateLimit, EndReason: EndPolicyDeny}
	case f.Has(FlagNoRouteFound | FlagNoClusterFound | FlagNoFilterConfigFound):
		return Verdict{Action: ActionDeny, Rule: RuleNoRoute, EndReason: EndPolicyDeny}
	case f.Has(FlagDownstreamRemoteReset | FlagDownstreamConnectionTermination):
		return Verdict{Action: ActionResetClient, EndReason: EndRstFromClient}
	case f.Has(FlagUpstreamRemoteReset | FlagUpstreamConnectionTermination):
		return Verdict{Action: ActionResetServer, EndReason: EndRstFromServer}
	case f.Has(FlagLocalReset):
		return Verdict{Action: ActionResetBoth, EndReason: EndUnknown}
	case f.Has(FlagUpstreamRequestTimeout | FlagStreamIdleTimeout | FlagDurationTimeout | FlagUpstreamMaxStreamDurationReached):
		return Verdict{Action: ActionAllow, EndReason: EndAgedOut}
	case f.Has(FlagUpstreamOverflow | FlagOverloadManager | FlagNoHealthyUpstream | FlagUpstreamRetryLimitExceeded):
		return Verdict{Action: ActionAllow, EndReason: EndResources}
	case f.Has(FlagDownstreamProtocolError | FlagUpstreamProtocolError | FlagInvalidEnvoyRequestHeaders):
		return Verdict{Action: ActionAllow, EndReason: EndDecoder}
	case f.Has(FlagUpstreamConnectionFailure):
		reason := strings.ToUpper(e.UpstreamFailure)
		if strings.Contains(reason, "TLS") || strings.Contains(reason, "CERTIFICATE") {
			return Verdict{Action: ActionAllow, EndReason: EndDecryptError}
		}
		return Verdict{Action: ActionAllow, EndReason: EndRstFromServer}
	}
	return Verdict{Action: ActionAllow, EndReason: EndTCPFin}
}

// PolicyRule names the policy an RBAC filter matched as every source names
// it: Istio's generated "ns[<namespace>]-policy[<name>]-rule[<i>]" becomes
// "<namespace>/<name>", as ztunnel writes it, and Envoy's "none" (allow
// policies exist, none of them allowed) is RuleNoAllowMatched, ztunnel's
// case of the same. Other names (an RBAC filter configured by hand) stay as
// they are. Envoy's own wording stays in the record's code or termination
// details.
func PolicyRule(matched string) string {
	if matched == "none" {
		return RuleNoAllowMatched
	}
	rest, ok := strings.CutPrefix(matched, "ns[")
	if !ok {
		return matched
	}
	ns, rest, ok := strings.Cut(rest, "]-policy[")
	if !ok || ns == "" {
		return matched
	}
	name, idx, ok := strings.Cut(rest, "]-rule[")
	if !ok || name == "" || !strings.HasSuffix(idx, "]") {
		return matched
	}
	return ns + "/" + name
}
