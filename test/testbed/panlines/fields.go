// Package panlines parses the lines otelcol-pan's panlogs exporter writes
// (json, pan_csv, cef, leef, ocsf) back into fields, so that the testbed's mock
// backend sees what a Palo Alto Networks parser would see.
//
// Every format is read into one vocabulary, PAN-OS's custom-log-format
// names as the json format spells them (src, sport, dst, …; nested json
// objects as http.method, envoy.cluster, …). The values are the text the
// line held. A format that cannot express a fact (pan_csv has no URL)
// simply never sets its field: Carried lists what each format writes.
package panlines

// The field vocabulary.
const (
	Prefix        = "prefix"
	Type          = "type"
	Subtype       = "subtype"
	Src           = "src"
	SrcPort       = "sport"
	Dst           = "dst"
	DstPort       = "dport"
	NatDst        = "natdst"
	NatDstPort    = "natdport"
	Proto         = "proto"
	App           = "app"
	Action        = "action"
	Rule          = "rule"
	SrcUser       = "srcuser"
	DstUser       = "dstuser"
	From          = "from"
	To            = "to"
	Bytes         = "bytes"
	BytesSent     = "bytes_sent"
	BytesReceived = "bytes_received"
	ElapsedMs     = "elapsed_ms"
	ElapsedS      = "elapsed_s" // pan_csv counts whole seconds
	EndReason     = "session_end_reason"
	SrcWorkload   = "src_workload"
	DstWorkload   = "dst_workload"
	SrcPod        = "src_pod"
	DstPod        = "dst_pod"
	DstService    = "dst_service"
	DstUID        = "dst_uid"
	Containers    = "containers"
	Direction     = "direction"
	Egress        = "egress"
	MTLS          = "mtls"
	Proxy         = "proxy"
	Method        = "http.method"
	URL           = "http.url"
	Authority     = "http.authority" // json's http.host: host and port as sent
	Host          = "http.host"      // cef dhost, leef host: the host alone
	Status        = "http.status"
	UserAgent     = "http.user_agent"
	RequestID     = "http.request_id"
	Cluster       = "envoy.cluster"
	Route         = "envoy.route"
	SNI           = "tls.sni"
	Severity      = "severity" // cef and leef: 7 deny, 5 reset, 3 otherwise
	// Session start and end at the precision each format writes.
	StartUs = "start_us"
	StartMs = "start_ms"
	StartS  = "start_s"
	EndMs   = "end_ms"

	// What only ocsf writes: the class, the verdict in OCSF's enums, and
	// the schema version.
	OCSFClassUID      = "ocsf.class_uid"
	OCSFActionID      = "ocsf.action_id"
	OCSFDispositionID = "ocsf.disposition_id"
	OCSFVersion       = "ocsf.version"

	// The syslog header, when the record came over syslog.
	SyslogSeverity = "syslog.severity"
	SyslogAppName  = "syslog.app_name"
	SyslogMsgID    = "syslog.msgid"

	// ParseError holds why a line could not be read (then the record has
	// no other field).
	ParseError = "testbed.parse_error"
)

// The panlogs formats.
const (
	FormatJSON = "json"
	FormatCSV  = "pan_csv"
	FormatCEF  = "cef"
	FormatLEEF = "leef"
	FormatOCSF = "ocsf"
)

// Formats lists them all.
var Formats = []string{FormatJSON, FormatCSV, FormatCEF, FormatLEEF, FormatOCSF}

// common is what every format writes.
var common = []string{
	Prefix, Subtype, Src, SrcPort, Dst, DstPort, NatDst, NatDstPort, Proto, App, Action,
	Rule, SrcUser, DstUser, From, To, BytesSent, BytesReceived, EndReason,
}

// Carried lists the fields each format writes when the record has the fact.
var Carried = map[string][]string{
	FormatJSON: append([]string{
		Type, Bytes, ElapsedMs, SrcWorkload, DstWorkload, SrcPod, DstPod, DstService,
		DstUID, Containers, Direction, Egress, MTLS, Proxy, Method, URL, Authority, Status, UserAgent, RequestID, Cluster, Route, SNI,
		StartUs,
	}, common...),
	FormatCSV: append([]string{Type, Bytes, ElapsedS, StartS}, common...),
	FormatCEF: append([]string{
		Type, ElapsedMs, SrcWorkload, DstWorkload, Direction, Method, URL, Host, UserAgent,
		Status, Severity, StartMs, EndMs,
	}, common...),
	FormatLEEF: append([]string{
		Type, Bytes, ElapsedMs, SrcWorkload, DstWorkload, Direction, Method, URL, Host,
		UserAgent, Status, Severity, EndMs,
	}, common...),
	// ocsf spells type, subtype, application, action and severity in its
	// own enums (the OCSF* fields instead) and has no authority as sent.
	FormatOCSF: {
		Prefix, Src, SrcPort, Dst, DstPort, NatDst, NatDstPort, Proto, Rule, SrcUser, DstUser,
		From, To, BytesSent, BytesReceived, Bytes, EndReason, ElapsedMs, StartMs, EndMs,
		SrcWorkload, DstWorkload, SrcPod, DstPod, DstUID, DstService, Containers, Direction,
		Egress, MTLS, Proxy, Method, URL, Host, Status, UserAgent, RequestID, Cluster, Route, SNI,
		OCSFClassUID, OCSFActionID, OCSFDispositionID, OCSFVersion,
	},
}

// SyslogCarried is what the syslog transport adds.
var SyslogCarried = []string{SyslogSeverity, SyslogAppName, SyslogMsgID}
