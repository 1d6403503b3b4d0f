package convert

import (
	datav3 "github.com/envoyproxy/go-control-plane/envoy/data/accesslog/v3"
)

// ResponseFlags renders Envoy's response flags as its short codes
// (%RESPONSE_FLAGS%), comma-joined in Envoy's order; "" when none is set.
func ResponseFlags(f *datav3.ResponseFlags) string {
	var buf [64]byte
	b := buf[:0]
	add := func(set bool, code string) {
		if !set {
			return
		}
		if len(b) > 0 {
			b = append(b, ',')
		}
		b = append(b, code...)
	}
	add(f.GetFailedLocalHealthcheck(), "LH")
	add(f.GetNoHealthyUpstream(), "UH")
	add(f.GetUpstreamRequestTimeout(), "UT")
	add(f.GetLocalReset(), "LR")
	add(f.GetUpstreamRemoteReset(), "UR")
	add(f.GetUpstreamConnectionFailure(), "UF")
	add(f.GetUpstreamConnectionTermination(), "UC")
	add(f.GetUpstreamOverflow(), "UO")
	add(f.GetNoRouteFound(), "NR")
	add(f.GetDelayInjected(), "DI")
	add(f.GetFaultInjected(), "FI")
	add(f.GetRateLimited(), "RL")
	add(f.GetUnauthorizedDetails() != nil, "UAEX")
	add(f.GetRateLimitServiceError(), "RLSE")
	add(f.GetDownstreamConnectionTermination(), "DC")
	add(f.GetUpstreamRetryLimitExceeded(), "URX")
	add(f.GetStreamIdleTimeout(), "SI")
	add(f.GetInvalidEnvoyRequestHeaders(), "IH")
	add(f.GetDownstreamProtocolError(), "DPE")
	add(f.GetUpstreamMaxStreamDurationReached(), "UMSDR")
	add(f.GetResponseFromCacheFilter(), "RFCF")
	add(f.GetNoFilterConfigFound(), "NFCF")
	add(f.GetDurationTimeout(), "DT")
	add(f.GetUpstreamProtocolError(), "UPE")
	add(f.GetNoClusterFound(), "NC")
	add(f.GetOverloadManager(), "OM")
	add(f.GetDnsResolutionFailure(), "DF")
	add(f.GetDownstreamRemoteReset(), "DR")
	return string(b)
}
