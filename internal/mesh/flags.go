package mesh // import "github.com/otelcol-pan/otelcol-pan/internal/mesh"

import "strings"

// Flags is a set of Envoy response flags (%RESPONSE_FLAGS%). The bits follow
// Envoy's order of the short codes, which is also the order of the fields of
// envoy.data.accesslog.v3.ResponseFlags.
type Flags uint32

// The response flags, each with its short code.
const (
	FlagFailedLocalHealthcheck           Flags = 1 << iota // LH
	FlagNoHealthyUpstream                                  // UH
	FlagUpstreamRequestTimeout                             // UT
	FlagLocalReset                                         // LR
	FlagUpstreamRemoteReset                                // UR
	FlagUpstreamConnectionFailure                          // UF
	FlagUpstreamConnectionTermination                      // UC
	FlagUpstreamOverflow                                   // UO
	FlagNoRouteFound                                       // NR
	FlagDelayInjected                                      // DI
	FlagFaultInjected                                      // FI
	FlagRateLimited                                        // RL
	FlagUnauthorized                                       // UAEX: denied by an external authorization service
	FlagRateLimitServiceError                              // RLSE
	FlagDownstreamConnectionTermination                    // DC
	FlagUpstreamRetryLimitExceeded                         // URX
	FlagStreamIdleTimeout                                  // SI
	FlagInvalidEnvoyRequestHeaders                         // IH
	FlagDownstreamProtocolError                            // DPE
	FlagUpstreamMaxStreamDurationReached                   // UMSDR
	FlagResponseFromCacheFilter                            // RFCF
	FlagNoFilterConfigFound                                // NFCF
	FlagDurationTimeout                                    // DT
	FlagUpstreamProtocolError                              // UPE
	FlagNoClusterFound                                     // NC
	FlagOverloadManager                                    // OM
	FlagDNSResolutionFailure                               // DF
	FlagDownstreamRemoteReset                              // DR
	numFlags                             = iota
)

// flagCodes are the short codes, by bit.
var flagCodes = [numFlags]string{
	"LH", "UH", "UT", "LR", "UR", "UF", "UC", "UO", "NR", "DI", "FI", "RL", "UAEX", "RLSE",
	"DC", "URX", "SI", "IH", "DPE", "UMSDR", "RFCF", "NFCF", "DT", "UPE", "NC", "OM", "DF", "DR",
}

// Has reports whether any of bits is set.
func (f Flags) Has(bits Flags) bool { return f&bits != 0 }

// String renders the flags as Envoy does: short codes, comma-joined, in
// Envoy's order; "" when none is set.
func (f Flags) String() string {
	if f == 0 {
		return ""
	}
	var buf [96]byte
	b := buf[:0]
	for i, code := range flagCodes {
		if f&(1<<i) != 0 {
			if len(b) > 0 {
				b = append(b, ',')
			}
			b = append(b, code...)
		}
	}
	return string(b)
}

// ParseFlags reads Envoy's rendering of the flags ("UH,UF", or "-" for
// none, as a text access log writes it); unknown codes are ignored.
func ParseFlags(s string) Flags {
	var f Flags
	for s != "" {
		var code string
		code, s, _ = strings.Cut(s, ",")
		code = strings.TrimSpace(code)
		for i, c := range flagCodes {
			if c == code {
				f |= 1 << i
				break
			}
		}
	}
	return f
}
