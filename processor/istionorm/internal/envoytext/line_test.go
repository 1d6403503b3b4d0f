package envoytext

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// format writes an entry as Envoy does with Istio's default format.
func format(e Entry) string {
	d := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	return "[" + d(e.StartTime) + `] "` + d(e.Method) + " " + d(e.Path) + " " + d(e.Protocol) + `" ` +
		d(e.ResponseCode) + " " + d(e.ResponseFlags) + " " + d(e.ResponseCodeDetails) + " " + d(e.ConnectionTerminationDetails) + ` "` +
		d(e.UpstreamTransportFailureReason) + `" ` + d(e.BytesReceived) + " " + d(e.BytesSent) + " " + d(e.Duration) + " " + d(e.UpstreamServiceTime) +
		` "` + d(e.XForwardedFor) + `" "` + d(e.UserAgent) + `" "` + d(e.RequestID) + `" "` + d(e.Authority) + `" "` + d(e.UpstreamHost) + `" ` +
		d(e.UpstreamCluster) + " " + d(e.UpstreamLocalAddress) + " " + d(e.DownstreamLocalAddress) + " " + d(e.DownstreamRemoteAddress) + " " +
		d(e.RequestedServerName) + " " + d(e.RouteName) + "\n"
}

var (
	httpOK = Entry{
		StartTime: "2026-11-29T10:11:12.345Z", Method: "GET", Path: "/reviews/0?user=x", Protocol: "HTTP/1.1",
		ResponseCode: "200", ResponseCodeDetails: "via_upstream", BytesSent: "295", BytesReceived: "0", Duration: "6", UpstreamServiceTime: "5",
		UserAgent: "Mozilla/5.0 (X11; Linux x86_64) curl/8.5", RequestID: "2f0a1c3e-8d6b-4f0e-9a8e-0c7b3f1d2e4a", Authority: "reviews:9080",
		UpstreamHost: "10.244.2.7:9080", UpstreamCluster: "outbound|9080||reviews.default.svc.cluster.local",
		UpstreamLocalAddress: "10.244.1.5:51234", DownstreamLocalAddress: "10.96.12.34:9080", DownstreamRemoteAddress: "10.244.1.5:40000",
		RouteName: "default",
	}
	rbacDenied = Entry{
		StartTime: "2026-11-29T10:11:13.000Z", Method: "POST", Path: "/api", Protocol: "HTTP/2", ResponseCode: "403",
		ResponseCodeDetails: "rbac_access_denied_matched_policy[ns[default]-policy[deny-sleep]-rule[0]]", BytesReceived: "12", BytesSent: "19", Duration: "0",
		XForwardedFor: "203.0.113.9, 10.0.0.1", UserAgent: "curl/8.5", RequestID: "abc", Authority: "reviews:9080",
		UpstreamCluster: "inbound|9080||", DownstreamLocalAddress: "10.244.2.7:9080", DownstreamRemoteAddress: "10.244.1.5:40001",
		RequestedServerName: "outbound_.9080_._.reviews.default.svc.cluster.local",
	}
	tcpPassthrough = Entry{
		StartTime: "2026-11-29T10:11:14.000Z", ResponseCode: "0", UpstreamTransportFailureReason: "", BytesReceived: "517", BytesSent: "4096",
		Duration: "250", UpstreamHost: "93.184.216.34:443", UpstreamCluster: "PassthroughCluster",
		UpstreamLocalAddress: "10.244.1.5:52000", DownstreamLocalAddress: "93.184.216.34:443", DownstreamRemoteAddress: "10.244.1.5:41000",
		RequestedServerName: "example.com",
	}
	upstreamFailure = Entry{
		StartTime: "2026-11-29T10:11:15.000Z", Method: "GET", Path: "/", Protocol: "HTTP/1.1", ResponseCode: "503", ResponseFlags: "UF,URX",
		ResponseCodeDetails:            "upstream_reset_before_response_started{connection_failure}",
		UpstreamTransportFailureReason: "TLS error: 268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED",
		BytesReceived:                  "0", BytesSent: "91", Duration: "12", Authority: "api.example.com",
		UpstreamHost: "93.184.216.34:443", UpstreamCluster: "outbound|443||api.example.com", DownstreamRemoteAddress: "10.244.1.5:41001",
	}
)

func TestParseRoundTrip(t *testing.T) {
	for name, e := range map[string]Entry{"http": httpOK, "rbac": rbacDenied, "tcp": tcpPassthrough, "upstream_failure": upstreamFailure} {
		t.Run(name, func(t *testing.T) {
			got, err := Parse(format(e))
			require.NoError(t, err)
			assert.Equal(t, e, got)
		})
	}
}

// A header with `" "` in it shifts nothing Envoy wrote itself; the surplus
// goes to the user agent and the entry says it was ambiguous.
func TestQuotesInHeaders(t *testing.T) {
	e := httpOK
	e.UserAgent = `evil" "10.0.0.99" "forged`
	got, err := Parse(format(e))
	require.NoError(t, err)
	assert.True(t, got.Ambiguous)
	assert.Equal(t, e.UserAgent, got.UserAgent)
	assert.Equal(t, e.RequestID, got.RequestID)
	assert.Equal(t, e.Authority, got.Authority)
	assert.Equal(t, e.UpstreamHost, got.UpstreamHost)
	assert.Equal(t, e.DownstreamRemoteAddress, got.DownstreamRemoteAddress)

	e = httpOK
	e.Path = `/a"b"?"q"=1"`
	got, err = Parse(format(e))
	require.NoError(t, err)
	assert.Equal(t, e.ResponseCode, got.ResponseCode)
	assert.Equal(t, e.RouteName, got.RouteName)
}

func TestNotEnvoyText(t *testing.T) {
	for _, s := range []string{"", "hello", "2026-11-29T10:11:12.345678Z\tinfo\taccess\tconnection complete", `[x] "GET / HTTP/1.1" 200`} {
		_, err := Parse(s)
		assert.Error(t, err, "%q", s)
	}
}

// Any header values Envoy could write come back unchanged when they hold no
// `" "`, and nothing makes the parser panic.
func FuzzParse(f *testing.F) {
	f.Add("/p?q=1", "curl/8.5", "203.0.113.9", "id-1", "host:80", "TLS error: x y")
	f.Add(`/"`, `a" "b`, `"`, " ", "-", "")
	f.Fuzz(func(t *testing.T, path, ua, xff, reqID, authority, utfr string) {
		e := httpOK
		e.Path, e.UserAgent, e.XForwardedFor, e.RequestID, e.Authority, e.UpstreamTransportFailureReason = path, ua, xff, reqID, authority, utfr
		line := format(e)
		got, err := Parse(line)
		_, _ = Parse(path + ua + xff) // arbitrary text: no panic
		clean := func(s string) bool {
			return s != "-" && !strings.ContainsAny(s, "\n\r") && !strings.Contains(s, `"`)
		}
		if !clean(ua) || !clean(xff) || !clean(reqID) || !clean(authority) || !clean(utfr) ||
			strings.ContainsAny(path, " \"\n\r") || path == "" || path == "-" || ua == "" || xff == "" || reqID == "" || authority == "" || utfr == "" {
			return
		}
		require.NoError(t, err, line)
		require.Equal(t, e, got, line)
	})
}
