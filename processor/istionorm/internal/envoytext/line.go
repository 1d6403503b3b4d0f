// Package envoytext reads Envoy access lines written in Istio's default
// text format, the body of records from Istio's OpenTelemetry access-log
// provider when no labels are configured:
//
//	[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%"
//	%RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS%
//	"%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% %BYTES_SENT% %DURATION%
//	%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%"
//	"%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER_RAW%
//	%UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS%
//	%REQUESTED_SERVER_NAME% %ROUTE_NAME%
//
// (one line, single spaces). Envoy writes "-" for a value it does not have
// and escapes nothing: a request header holding `" "` makes the four quoted
// headers in the middle ambiguous. The parser anchors on the fields Envoy
// itself produces (times, codes, counts, addresses) from both ends, so only
// those four can be affected, and it gives the surplus to the user agent,
// the header that most often carries odd text; Entry.Ambiguous says so.
package envoytext // import "github.com/otelcol-pan/otelcol-pan/processor/istionorm/internal/envoytext"

import (
	"errors"
	"strings"
)

// Entry is one parsed line; "-" is returned as "".
type Entry struct {
	StartTime                      string
	Method, Path, Protocol         string
	ResponseCode, ResponseFlags    string
	ResponseCodeDetails            string
	ConnectionTerminationDetails   string
	UpstreamTransportFailureReason string
	BytesReceived, BytesSent       string
	Duration, UpstreamServiceTime  string
	XForwardedFor, UserAgent       string
	RequestID, Authority           string
	UpstreamHost, UpstreamCluster  string
	UpstreamLocalAddress           string
	DownstreamLocalAddress         string
	DownstreamRemoteAddress        string
	RequestedServerName, RouteName string
	Ambiguous                      bool
}

// ErrNotEnvoyText says the line is not in Istio's default text format.
var ErrNotEnvoyText = errors.New("not an Envoy access line in Istio's default format")

// Parse reads one line.
func Parse(line string) (Entry, error) {
	var e Entry
	s := strings.TrimRight(line, "\r\n ")
	// [START_TIME]
	if !strings.HasPrefix(s, "[") {
		return e, ErrNotEnvoyText
	}
	end := strings.Index(s, "] \"")
	if end < 0 {
		return e, ErrNotEnvoyText
	}
	e.StartTime, s = s[1:end], s[end+3:]

	// "METHOD PATH PROTOCOL": it ends at the first `" ` that the response
	// code (digits), three space-free fields and a quote follow (flags,
	// details, termination details, "transport failure"). Envoy refuses
	// paths with spaces, so quotes in a path cannot fake that.
	reqEnd := indexWhere(s, `" `, func(rest string) bool {
		return isDigits(rest[:max(strings.IndexByte(rest, ' '), 0)]) && fieldsThenQuote(rest, 4)
	})
	if reqEnd < 0 {
		return e, ErrNotEnvoyText
	}
	reqLine, rest := s[:reqEnd], s[reqEnd+2:]
	var ok bool
	if e.Method, reqLine, ok = strings.Cut(reqLine, " "); !ok {
		return e, ErrNotEnvoyText
	}
	if i := strings.LastIndexByte(reqLine, ' '); i >= 0 {
		e.Path, e.Protocol = reqLine[:i], reqLine[i+1:]
	} else {
		return e, ErrNotEnvoyText
	}
	f := strings.SplitN(rest, " ", 5)
	e.ResponseCode, e.ResponseFlags, e.ResponseCodeDetails, e.ConnectionTerminationDetails = f[0], f[1], f[2], f[3]
	s = f[4]

	// "UPSTREAM_TRANSPORT_FAILURE_REASON" may hold spaces; it ends at the
	// `" ` that four numbers (or "-") and a quote follow.
	if !strings.HasPrefix(s, `"`) {
		return e, ErrNotEnvoyText
	}
	s = s[1:]
	utfEnd := indexWhere(s, `" `, func(rest string) bool { return numbersThenQuote(rest, 4) })
	if utfEnd < 0 {
		return e, ErrNotEnvoyText
	}
	e.UpstreamTransportFailureReason = s[:utfEnd]
	f = strings.SplitN(s[utfEnd+2:], " ", 5)
	e.BytesReceived, e.BytesSent, e.Duration, e.UpstreamServiceTime = f[0], f[1], f[2], f[3]
	s = f[4]

	// From the end: six space-free fields Envoy writes (cluster, three
	// addresses, SNI, route), and before them the quoted upstream host.
	tail := make([]string, 6)
	for i := 5; i >= 0; i-- {
		j := strings.LastIndexByte(s, ' ')
		if j < 0 {
			return e, ErrNotEnvoyText
		}
		tail[i], s = s[j+1:], s[:j]
	}
	e.UpstreamCluster, e.UpstreamLocalAddress, e.DownstreamLocalAddress = tail[0], tail[1], tail[2]
	e.DownstreamRemoteAddress, e.RequestedServerName, e.RouteName = tail[3], tail[4], tail[5]
	j := strings.LastIndex(s, ` "`)
	if j < 0 || !strings.HasSuffix(s, `"`) || len(s)-j < 3 {
		return e, ErrNotEnvoyText
	}
	e.UpstreamHost, s = s[j+2:len(s)-1], s[:j]

	// What is left is "XFF" "UA" "REQID" "AUTHORITY".
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return e, ErrNotEnvoyText
	}
	parts := strings.Split(s[1:len(s)-1], `" "`)
	if len(parts) < 4 {
		return e, ErrNotEnvoyText
	}
	n := len(parts)
	e.XForwardedFor, e.RequestID, e.Authority = parts[0], parts[n-2], parts[n-1]
	e.UserAgent = strings.Join(parts[1:n-2], `" "`)
	e.Ambiguous = n > 4

	e.dashes()
	return e, nil
}

// dashes turns Envoy's "-" for a missing value into "".
func (e *Entry) dashes() {
	for _, p := range []*string{
		&e.StartTime, &e.Method, &e.Path, &e.Protocol, &e.ResponseCode, &e.ResponseFlags,
		&e.ResponseCodeDetails, &e.ConnectionTerminationDetails, &e.UpstreamTransportFailureReason,
		&e.BytesReceived, &e.BytesSent, &e.Duration, &e.UpstreamServiceTime, &e.XForwardedFor,
		&e.UserAgent, &e.RequestID, &e.Authority, &e.UpstreamHost, &e.UpstreamCluster,
		&e.UpstreamLocalAddress, &e.DownstreamLocalAddress, &e.DownstreamRemoteAddress,
		&e.RequestedServerName, &e.RouteName,
	} {
		if *p == "-" {
			*p = ""
		}
	}
}

// indexWhere is the first index of sep in s after which ok holds for the
// rest of s.
func indexWhere(s, sep string, ok func(rest string) bool) int {
	for from := 0; ; {
		i := strings.Index(s[from:], sep)
		if i < 0 {
			return -1
		}
		i += from
		if ok(s[i+len(sep):]) {
			return i
		}
		from = i + 1
	}
}

// fieldsThenQuote: n non-empty space-free fields, each followed by a space,
// then a quote.
func fieldsThenQuote(s string, n int) bool {
	for range n {
		j := strings.IndexByte(s, ' ')
		if j <= 0 || strings.IndexByte(s[:j], '"') >= 0 {
			return false
		}
		s = s[j+1:]
	}
	return strings.HasPrefix(s, `"`)
}

func isDigits(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }

// numbersThenQuote: n fields of digits or "-", each followed by a space,
// then a quote.
func numbersThenQuote(s string, n int) bool {
	for range n {
		j := strings.IndexByte(s, ' ')
		if j <= 0 {
			return false
		}
		if v := s[:j]; v != "-" && strings.Trim(v, "0123456789") != "" {
			return false
		}
		s = s[j+1:]
	}
	return strings.HasPrefix(s, `"`)
}
