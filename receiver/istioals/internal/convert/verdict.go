package convert

import "strings"

// PAN-OS actions and session end reasons that the verdict uses.
const (
	ActionAllow       = "allow"
	ActionDeny        = "deny"
	ActionResetClient = "reset-client"
	ActionResetServer = "reset-server"
	ActionResetBoth   = "reset-both"

	EndPolicyDeny      = "policy-deny"
	EndTCPFin          = "tcp-fin"
	EndRstFromClient   = "tcp-rst-from-client"
	EndRstFromServer   = "tcp-rst-from-server"
	EndAgedOut         = "aged-out"
	EndResources       = "resources-unavailable"
	EndDecoder         = "decoder"
	EndDecryptError    = "decrypt-error"
	EndUnknown         = "unknown"
	rbacDeniedMatched  = "rbac_access_denied_matched_policy["
	rbacDenied         = "rbac_access_denied"
	extAuthzDenied     = "ext_authz_denied"
	blackHoleCluster   = "BlackHoleCluster"
	passthroughCluster = "PassthroughCluster"
	blockAllRoute      = "block_all"
)

// Verdict is the security outcome of one entry in PAN-OS terms.
type Verdict struct {
	Action    string
	Rule      string
	EndReason string
}

// verdictOf reads what happened to a request or connection from Envoy's own
// accounts of it: RBAC denials in the HTTP response code details or the TCP
// connection termination details ("rbac_access_denied_matched_policy[ns[foo]-policy[deny-all]-rule[0]]"),
// ext-authz denials (UAEX), the BlackHoleCluster that REGISTRY_ONLY sends
// unknown hosts to, and the response flags for resets, timeouts and overload.
func verdictOf(c *commonView, codeDetails string) Verdict {
	for _, d := range [2]string{codeDetails, c.termDetails} {
		if rest, ok := strings.CutPrefix(d, rbacDeniedMatched); ok {
			return Verdict{Action: ActionDeny, Rule: strings.TrimSuffix(rest, "]"), EndReason: EndPolicyDeny}
		}
		if strings.HasPrefix(d, rbacDenied) {
			return Verdict{Action: ActionDeny, Rule: "rbac", EndReason: EndPolicyDeny}
		}
	}
	f := c.flags
	has := func(bits uint32) bool { return f&bits != 0 }
	switch {
	case has(flagUnauthorized) || strings.HasPrefix(codeDetails, extAuthzDenied):
		return Verdict{Action: ActionDeny, Rule: "ext_authz", EndReason: EndPolicyDeny}
	case c.cluster == blackHoleCluster || isBlockAll(c):
		return Verdict{Action: ActionDeny, Rule: "outbound_traffic_policy_registry_only", EndReason: EndPolicyDeny}
	case has(flagRateLimited):
		return Verdict{Action: ActionDeny, Rule: "rate_limit", EndReason: EndPolicyDeny}
	case has(flagNoRouteFound | flagNoClusterFound | flagNoFilterConfigFound):
		return Verdict{Action: ActionDeny, Rule: "no_route", EndReason: EndPolicyDeny}
	case has(flagDownstreamRemoteReset | flagDownstreamConnectionTermination):
		return Verdict{Action: ActionResetClient, EndReason: EndRstFromClient}
	case has(flagUpstreamRemoteReset | flagUpstreamConnectionTermination):
		return Verdict{Action: ActionResetServer, EndReason: EndRstFromServer}
	case has(flagLocalReset):
		return Verdict{Action: ActionResetBoth, EndReason: EndUnknown}
	case has(flagUpstreamRequestTimeout | flagStreamIdleTimeout | flagDurationTimeout | flagUpstreamMaxStreamDurationReached):
		return Verdict{Action: ActionAllow, EndReason: EndAgedOut}
	case has(flagUpstreamOverflow | flagOverloadManager | flagNoHealthyUpstream | flagUpstreamRetryLimitExceeded):
		return Verdict{Action: ActionAllow, EndReason: EndResources}
	case has(flagDownstreamProtocolError | flagUpstreamProtocolError | flagInvalidEnvoyRequestHeaders):
		return Verdict{Action: ActionAllow, EndReason: EndDecoder}
	case has(flagUpstreamConnectionFailure):
		reason := strings.ToUpper(c.upstreamFailure)
		if strings.Contains(reason, "TLS") || strings.Contains(reason, "CERTIFICATE") {
			return Verdict{Action: ActionAllow, EndReason: EndDecryptError}
		}
		return Verdict{Action: ActionAllow, EndReason: EndRstFromServer}
	}
	return Verdict{Action: ActionAllow, EndReason: EndTCPFin}
}

// isBlockAll reports Istio's REGISTRY_ONLY answer to plain HTTP for an
// unknown host: the "block_all" route's direct 502, with no cluster at all.
func isBlockAll(c *commonView) bool {
	return c.cluster == "" && c.route == blockAllRoute
}

// isEgress reports traffic leaving the mesh: outbound to the passthrough or
// black-hole cluster, refused by the block_all route, or to an outbound
// cluster whose host is outside every mesh domain (a ServiceEntry host such
// as api.example.com).
func isEgress(c *commonView, meshDomains []string) bool {
	cluster := c.cluster
	if cluster == passthroughCluster || cluster == blackHoleCluster || isBlockAll(c) {
		return true
	}
	host, ok := strings.CutPrefix(cluster, "outbound|")
	if !ok {
		return false
	}
	// "outbound|port|subset|host"
	for i := 0; i < 2; i++ {
		j := strings.IndexByte(host, '|')
		if j < 0 {
			return false
		}
		host = host[j+1:]
	}
	if host == "" {
		return false
	}
	for _, d := range meshDomains {
		if host == d || strings.HasSuffix(host, "."+d) {
			return false
		}
	}
	return true
}
