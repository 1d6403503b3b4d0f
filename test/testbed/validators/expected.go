package validators

import (
	"strconv"
	"strings"

	"github.com/otelcol-pan/otelcol-pan/test/testbed/dataproviders"
	"github.com/otelcol-pan/otelcol-pan/test/testbed/panlines"
)

// PrefixProcessor is the paprefix configuration the scenarios run, and
// expectedPrefix what it gives an entry: denials and egress have their own
// prefix, everything else its namespace's. The two live together so that
// they cannot drift apart.
const PrefixProcessor = `
  paprefix:
    prefix: mesh-%{k8s.namespace.name}
    rules:
      - match: {pan.action: deny}
        prefix: mesh-denied
      - match: {pan.egress: true}
        prefix: mesh-egress
`

func expectedPrefix(e *dataproviders.Entry) string {
	switch {
	case e.Action == "deny":
		return "mesh-denied"
	case e.Egress:
		return "mesh-egress"
	}
	return "mesh-" + e.Pod.Namespace
}

// expected is every field a panlogs line must show for the entry, in the
// panlines vocabulary; each format writes a subset (panlines.Carried). It
// follows the exporter's documented field mapping from the record the
// istioals receiver makes of the entry: PAN-OS directions for bytes
// (client to server is "sent"), "external" as the zone of hosts outside the
// mesh, the session end as start plus duration.
func expected(e *dataproviders.Entry) map[string]string {
	m := map[string]string{}
	set := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	itoa := func(v int64) string { return strconv.FormatInt(v, 10) }

	m[panlines.Prefix] = expectedPrefix(e)
	m[panlines.Type] = "TRAFFIC"
	m[panlines.Subtype] = "end"
	severity := 3
	switch {
	case e.Action == "deny":
		m[panlines.Subtype], severity = "deny", 7
	case strings.HasPrefix(e.Action, "reset-"):
		severity = 5
	}
	m[panlines.Severity] = strconv.Itoa(severity)

	set(panlines.Src, e.SrcAddr)
	m[panlines.SrcPort] = strconv.Itoa(e.SrcPort)
	set(panlines.Dst, e.DstAddr)
	m[panlines.DstPort] = strconv.Itoa(e.DstPort)
	if e.UpstreamAddr != "" {
		m[panlines.NatDst] = e.UpstreamAddr
		m[panlines.NatDstPort] = strconv.Itoa(e.UpstreamPort)
	}
	m[panlines.Proto] = "tcp"
	m[panlines.App] = app(e)
	set(panlines.Action, e.Action)
	set(panlines.Rule, e.Rule)
	set(panlines.EndReason, e.EndReason)

	set(panlines.SrcUser, e.Source.Principal)
	set(panlines.DstUser, e.Destination.Principal)
	set(panlines.From, e.Source.Namespace)
	to := e.Destination.Namespace
	if e.Egress && to == "" {
		to = "external"
	}
	set(panlines.To, to)
	set(panlines.SrcWorkload, e.Source.Workload)
	set(panlines.DstWorkload, e.Destination.Workload)

	if sent, recv, ok := bytesOf(e); ok {
		m[panlines.BytesSent], m[panlines.BytesReceived], m[panlines.Bytes] = itoa(sent), itoa(recv), itoa(sent+recv)
	}
	m[panlines.ElapsedMs] = itoa(e.DurationMs)
	m[panlines.ElapsedS] = itoa(e.DurationMs / 1000)
	m[panlines.StartUs] = itoa(e.Start.UnixMicro())
	m[panlines.StartMs] = itoa(e.Start.UnixMilli())
	m[panlines.StartS] = itoa(e.Start.Unix())
	m[panlines.EndMs] = itoa(e.Start.UnixMilli() + e.DurationMs)

	// The proxy's own pod is the source of outbound traffic and the
	// destination of inbound traffic.
	if e.Direction == "inbound" {
		m[panlines.DstPod] = e.Pod.Name
		m[panlines.DstUID] = "kubernetes://" + e.Pod.Name + "." + e.Pod.Namespace
	} else {
		m[panlines.SrcPod] = e.Pod.Name
	}
	set(panlines.DstService, clusterHost(e.Cluster))
	m[panlines.Direction] = e.Direction
	m[panlines.Egress] = strconv.FormatBool(e.Egress)
	if v, ok := e.MTLS(); ok {
		m[panlines.MTLS] = strconv.FormatBool(v)
	}
	m[panlines.Proxy] = "sidecar"
	m[panlines.Containers] = e.Pod.App
	set(panlines.Cluster, e.Cluster)
	set(panlines.Route, e.Route)
	set(panlines.SNI, e.SNI)

	if e.HTTP {
		m[panlines.Method] = e.Method
		m[panlines.URL] = e.URL()
		m[panlines.Authority] = e.Authority
		m[panlines.Host] = e.Host()
		if e.Status != 0 {
			m[panlines.Status] = strconv.Itoa(e.Status)
		}
		set(panlines.UserAgent, e.UserAgent)
		set(panlines.RequestID, e.RequestID)
	}

	// ocsf: HTTP Activity for HTTP entries, Network Activity for TCP; a
	// denial is Denied, Unauthorized when an AuthorizationPolicy denied
	// and Blocked for Istio's own reasons; everything else is Allowed.
	m[panlines.OCSFClassUID] = "4001"
	if e.HTTP {
		m[panlines.OCSFClassUID] = "4002"
	}
	m[panlines.OCSFActionID], m[panlines.OCSFDispositionID] = "1", "1"
	if e.Action == "deny" {
		m[panlines.OCSFActionID], m[panlines.OCSFDispositionID] = "2", "26"
		switch e.Rule {
		case "outbound_traffic_policy_registry_only", "rate_limit", "no_route":
			m[panlines.OCSFDispositionID] = "2"
		}
	}
	m[panlines.OCSFVersion] = "1.8.0"

	// Syslog: warning for denials and resets, informational otherwise;
	// the prefix is the APP-NAME.
	m[panlines.SyslogSeverity] = "6"
	if severity > 3 {
		m[panlines.SyslogSeverity] = "4"
	}
	m[panlines.SyslogAppName] = m[panlines.Prefix]
	m[panlines.SyslogMsgID] = "TRAFFIC"
	return m
}

// expectedIn is expected as the format states it. ocsf invents nothing and
// repeats nothing: no NAT destination (proxy_endpoint) when the upstream
// is the destination itself, and no bytes received, nor a total, for an
// HTTP request that got no response.
func expectedIn(format string, e *dataproviders.Entry) map[string]string {
	m := expected(e)
	if format != panlines.FormatOCSF {
		return m
	}
	if e.UpstreamAddr == e.DstAddr && e.UpstreamPort == e.DstPort {
		delete(m, panlines.NatDst)
		delete(m, panlines.NatDstPort)
	}
	if e.HTTP && e.Status == 0 {
		delete(m, panlines.BytesReceived)
		delete(m, panlines.Bytes)
	}
	return m
}

// app is PAN-OS's application: the HTTP version, else ssl for TLS that
// Envoy terminated, else tcp.
func app(e *dataproviders.Entry) string {
	switch {
	case e.HTTP && e.ProtocolVersion == "2":
		return "http2"
	case e.HTTP:
		return "http"
	case e.TLSHandshake():
		return "ssl"
	}
	return "tcp"
}

// bytesOf: client to server, server to client. HTTP counts bodies (no
// response, no bytes back); TCP what Envoy received from and sent to the
// client.
func bytesOf(e *dataproviders.Entry) (sent, recv int64, ok bool) {
	switch {
	case e.HTTP && e.Status != 0:
		return e.RequestBytes, e.ResponseBytes, true
	case e.HTTP:
		return e.RequestBytes, 0, true
	case e.HasConnBytes:
		return e.ReceivedTCP, e.SentTCP, true
	}
	return 0, 0, false
}

// clusterHost is the host of an Istio cluster name "dir|port|subset|host".
func clusterHost(cluster string) string {
	parts := strings.SplitN(cluster, "|", 4)
	if len(parts) != 4 {
		return ""
	}
	return parts[3]
}
