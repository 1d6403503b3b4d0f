package mesh // import "github.com/otelcol-pan/otelcol-pan/internal/mesh"

import "strings"

// ProxyZtunnel is the proxy type (istio.proxy.type) of records from
// ztunnel, ambient mode's node proxy.
const ProxyZtunnel = "ztunnel"

// Rules named by ztunnel's refusals when it names no policy (pan.rule).
const (
	// RuleNoAllowMatched: ALLOW policies apply to the destination and none
	// of them allowed the connection (ztunnel: "allow policies exist, but
	// none allowed").
	RuleNoAllowMatched = "no_allow_policy_matched"
	// RuleCertificateRevoked: the peer's certificate is on the certificate
	// revocation list.
	RuleCertificateRevoked = "certificate_revoked"
)

// Ztunnel is ztunnel's account of one connection: it has no clusters, routes
// or response flags, but says itself which way the connection went, what it
// resolved the destination to, and why it failed.
type Ztunnel struct {
	// Direction is ztunnel's own: outbound when the source's ztunnel logged
	// the connection, inbound when the destination's did.
	Direction Direction
	// Service is the service host the destination resolved to
	// (dst.service), Workload the workload behind it (dst.workload).
	Service, Workload string
	// Error is ztunnel's error, "" when the connection completed cleanly.
	Error string
	// Early: ztunnel refused the connection before it resolved the
	// destination ("connection failed"), so it says nothing of where it
	// would have gone.
	Early bool
}

// The texts of ztunnel's errors that the verdict reads. ztunnel wraps them
// ("send: …", "while closing connection: …"), so they are searched for.
const (
	ztPolicyRejection  = "connection closed due to policy rejection: "
	ztExplicitlyDenied = "explicitly denied by: "
	ztNoneAllowed      = "allow policies exist, but none allowed"
	ztPolicyChange     = "connection closed due to policy change"
	ztRevoked          = "peer certificate revoked"
	// The destination's ztunnel answers a CONNECT its policy refuses with
	// 401; the source's ztunnel logs the status.
	ztRefusedByPeer       = "http status: 401"
	ztPeerUnavailable     = "http status: 503"
	ztClientDisconnected  = "client disconnected"
	ztBackendDisconnected = "destination disconnected"
	ztTimedOut            = "timed out"
	ztTLS                 = "tls error"
	ztIdentity            = "identity error"
	ztNoHealthyUpstream   = "no healthy upstream"
	ztHTTP2               = "http2 handshake failed"
	ztH2                  = "h2 failed"
	ztConnectFailed       = "connection failed: "
)

// ClassifyZtunnel gives a ztunnel connection's facts: its own direction;
// egress for an outbound connection whose destination resolved to a service
// host outside the mesh domains, or to nothing at all (an address ztunnel
// passed through); the verdict from its error.
func (d Domains) ClassifyZtunnel(z *Ztunnel) Facts {
	f := Facts{Direction: z.Direction, Verdict: z.verdict(), HasVerdict: true}
	if z.Direction == Outbound {
		switch {
		case z.Early:
			f.egressUnknown = true
		case z.Service != "":
			f.Egress = !d.Contains(z.Service)
		default:
			f.Egress = z.Workload == ""
		}
	}
	return f
}

// IsZtunnelFailure reports a ztunnel connection that failed although no
// policy refused it: ztunnel logged an error (istio.ztunnel.error) and the
// verdict is allow without a timeout. It is what the response flags UF and
// UH tell of an Envoy entry (a connection refused or unreachable upstream
// ends as tcp-rst-from-server, an unknown error as unknown), which
// ztunnel's records do not have.
func IsZtunnelFailure(ztunnelError, action, endReason string) bool {
	return ztunnelError != "" && action == ActionAllow && endReason != EndAgedOut
}

// verdict reads ztunnel's error: an authorization policy's rejection is a
// denial naming the policy ("<namespace>/<name>") when ztunnel names it;
// other errors are failures, each with the end reason Envoy's flags give
// for the same failure.
func (z *Ztunnel) verdict() Verdict {
	e := z.Error
	if e == "" {
		return Verdict{Action: ActionAllow, EndReason: EndTCPFin}
	}
	if i := strings.Index(e, ztPolicyRejection); i >= 0 {
		why := e[i+len(ztPolicyRejection):]
		rule := RuleRBAC
		if name, ok := strings.CutPrefix(why, ztExplicitlyDenied); ok && name != "" {
			rule = name
		} else if strings.HasPrefix(why, ztNoneAllowed) {
			rule = RuleNoAllowMatched
		}
		return Verdict{Action: ActionDeny, Rule: rule, EndReason: EndPolicyDeny}
	}
	has := func(s string) bool { return strings.Contains(e, s) }
	switch {
	case has(ztPolicyChange), has(ztRefusedByPeer):
		return Verdict{Action: ActionDeny, Rule: RuleRBAC, EndReason: EndPolicyDeny}
	case has(ztRevoked):
		return Verdict{Action: ActionDeny, Rule: RuleCertificateRevoked, EndReason: EndPolicyDeny}
	case has(ztClientDisconnected):
		return Verdict{Action: ActionResetClient, EndReason: EndRstFromClient}
	case has(ztBackendDisconnected):
		return Verdict{Action: ActionResetServer, EndReason: EndRstFromServer}
	case has(ztTimedOut):
		return Verdict{Action: ActionAllow, EndReason: EndAgedOut}
	case has(ztTLS), has(ztIdentity):
		return Verdict{Action: ActionAllow, EndReason: EndDecryptError}
	case has(ztNoHealthyUpstream):
		return Verdict{Action: ActionAllow, EndReason: EndResources}
	case has(ztHTTP2), has(ztH2):
		return Verdict{Action: ActionAllow, EndReason: EndDecoder}
	case has(ztConnectFailed), has(ztPeerUnavailable):
		return Verdict{Action: ActionAllow, EndReason: EndRstFromServer}
	}
	return Verdict{Action: ActionAllow, EndReason: EndUnknown}
}
