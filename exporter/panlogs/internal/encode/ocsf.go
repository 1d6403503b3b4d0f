package encode // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/encode"

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/record"
	"github.com/otelcol-pan/otelcol-pan/internal/fields"
	"github.com/otelcol-pan/otelcol-pan/internal/mesh"
)

// ocsfFormat writes one OCSF 1.8.0 event per record, as a JSON object on
// one line: HTTP Activity (4002) for an HTTP request, Network Activity (4001)
// for a TCP connection, and Base Event (0) for a record that names neither
// peer (OCSF's network classes need at least one). Every number and caption
// comes from the schema's own enums (README: the mapping table); a fact the
// record lacks is an absent key. It appends by hand like jsonFormat and
// shares its escaping.
type ocsfFormat struct {
	s *settings
	// meta starts metadata: the OCSF version and the product, rendered once.
	meta string
}

func newOCSFFormat(s *settings) ocsfFormat {
	m := jsonObject{}
	m.str("version", OCSFVersion)
	m.key("product")
	p := jsonObject{b: append(m.b, '{')}
	p.str("name", ocsfProduct)
	p.str("vendor_name", ocsfVendor)
	if s.version != "" {
		p.str("version", s.version)
	}
	return ocsfFormat{s: s, meta: string(append(p.b, '}'))}
}

// OCSFVersion is the OCSF release the events follow (metadata.version).
const OCSFVersion = "1.8.0"

// The product that reports the events, as CEF and LEEF name it.
const (
	ocsfProduct = "otelcol-pan"
	ocsfVendor  = "Palo Alto Networks"
)

// Classes, with their category.
const (
	ocsfBaseEvent       = 0
	ocsfNetworkActivity = 4001
	ocsfHTTPActivity    = 4002
	ocsfNetworkCategory = 4
)

// Enum values, each with the caption the schema gives it.
const (
	ocsfUnknown = 0
	ocsfOther   = 99

	// network_activity activity_id.
	netOpen    = 1
	netClose   = 2
	netReset   = 3
	netFail    = 4
	netRefuse  = 5
	netTraffic = 6

	severityInformational = 1
	severityLow           = 2
	severityMedium        = 3

	statusSuccess = 1
	statusFailure = 2

	actionAllowed = 1
	actionDenied  = 2

	dispositionAllowed      = 1
	dispositionBlocked      = 2
	dispositionDropped      = 6
	dispositionUnauthorized = 26

	directionInbound  = 1
	directionOutbound = 2

	scopeInternal = 1
	scopeExternal = 2

	observedAtSource      = 1
	observedAtDestination = 2
	observedByNeither     = 3

	userService = 4

	observableIP      = 2  // ip_t
	observableUserUID = 31 // user.uid
)

var (
	networkActivities = [...]string{ocsfUnknown: "Unknown", netOpen: "Open", netClose: "Close", netReset: "Reset", netFail: "Fail", netRefuse: "Refuse", netTraffic: "Traffic"}
	severities        = [...]string{severityInformational: "Informational", severityLow: "Low", severityMedium: "Medium"}
	statuses          = [...]string{statusSuccess: "Success", statusFailure: "Failure"}
	actions           = [...]string{actionAllowed: "Allowed", actionDenied: "Denied"}
	dispositions      = [...]string{dispositionAllowed: "Allowed", dispositionBlocked: "Blocked", dispositionDropped: "Dropped", dispositionUnauthorized: "Unauthorized"}
	directions        = [...]string{directionInbound: "Inbound", directionOutbound: "Outbound"}
	scopes            = [...]string{scopeInternal: "Internal", scopeExternal: "External"}
	observationPoints = [...]string{observedAtSource: "Source", observedAtDestination: "Destination", observedByNeither: "Neither"}
)

// httpActivity is HTTP Activity's activity_id for a method, with its
// caption; methods the schema does not enumerate are 99, Other.
func httpActivity(method string) (int, string) {
	switch method {
	case "CONNECT":
		return 1, "Connect"
	case "DELETE":
		return 2, "Delete"
	case "GET":
		return 3, "Get"
	case "HEAD":
		return 4, "Head"
	case "OPTIONS":
		return 5, "Options"
	case "POST":
		return 6, "Post"
	case "PUT":
		return 7, "Put"
	case "TRACE":
		return 8, "Trace"
	case "PATCH":
		return 9, "Patch"
	}
	return ocsfOther, ""
}

// ocsfEvent is what one record says in OCSF's terms, read before anything
// is written: the class and the outcome depend on facts spread over the
// record.
type ocsfEvent struct {
	class, activity int
	activityName    string // caption; the method itself for HTTP's Other

	statusID, severityID  int
	actionID, disposition int
	otherAction           string // pan.action when it is none of PAN-OS's

	status   int64 // HTTP status
	statusOK bool

	src, dst ocsfEndpoint

	local          bool // the proxy is a sidecar of a known side
	localIsSrc     bool
	pod, namespace string
	container      string // the local pod's one app container

	hostname string // the destination's name: the authority, or an egress SNI
	sniUsed  bool

	requestID span // where http_request.uid was written

	request, response bool // http_request / http_response have something to say
	connection        bool // connection_info: the direction is known
	tls               bool
	proxy, ztunnel    bool
	securityControl   bool
}

// ocsfEndpoint is one peer: written only when it has an address, a name, a
// uid or a service name (network_endpoint's at_least_one).
type ocsfEndpoint struct {
	ip       string // a valid ip_t, "" otherwise
	v6       bool
	port     int64
	portOK   bool
	name     pcommon.Value
	svc      string
	zone     pcommon.Value
	owner    string
	hostname string
	uid      bool // the local pod: kubernetes://<pod>.<namespace>

	ownerSpan span // where owner.uid was written
}

func (e *ocsfEndpoint) present() bool {
	return e.ip != "" || e.uid || e.name.Type() != pcommon.ValueTypeEmpty || e.svc != "" || e.hostname != ""
}

// read classifies the record.
func (ev *ocsfEvent) read(r *record.Record, s *settings) {
	ev.src = ocsfEndpoint{name: r.Get(record.SrcWorkload), zone: r.Get(record.SrcNamespace), owner: r.Str(record.SrcPrincipal)}
	ev.dst = ocsfEndpoint{name: r.Get(record.DstWorkload), zone: r.Get(record.DstNamespace), owner: r.Str(record.DstPrincipal), svc: r.DestinationService()}
	ev.src.ip, ev.src.v6 = ipOf(r.Str(record.SrcAddr))
	ev.dst.ip, ev.dst.v6 = ipOf(r.Str(record.DstAddr))
	ev.src.port, ev.src.portOK = portOf(r, record.SrcPort)
	ev.dst.port, ev.dst.portOK = portOf(r, record.DstPort)
	if pod, ns, ok := r.LocalPod(); ok {
		ev.local, ev.pod, ev.namespace = true, pod, ns
		ev.localIsSrc = r.Direction() == mesh.Outbound
		if ev.localIsSrc {
			ev.src.uid = true
		} else {
			ev.dst.uid = true
		}
		if c := r.Str(record.Containers); c != "" && strings.IndexByte(c, ',') < 0 {
			ev.container = c
		}
	}
	egress := r.IsEgress()
	if h := r.Str(record.Host); h != "" {
		ev.hostname = h
	} else if sni := r.Str(record.TLSSNI); sni != "" && egress {
		ev.hostname, ev.sniUsed = sni, true
	}
	ev.dst.hostname = ev.hostname

	ev.status, ev.statusOK = r.Int(record.Status)
	ev.statusOK = ev.statusOK && ev.status >= 100 && ev.status <= 999
	ev.tls = r.Str(record.TLSVersion) != ""
	ev.connection = r.Direction() == mesh.Inbound || r.Direction() == mesh.Outbound
	// A sidecar's, a gateway's or a waypoint's resource is the proxy's own
	// pod; a ztunnel record's is the workload it logged for, and the proxy
	// is the ztunnel pod.
	ev.ztunnel = r.Str(record.Proxy) == mesh.ProxyZtunnel
	if ev.ztunnel {
		ev.proxy = r.Str(record.ZtunnelPod) != ""
	} else {
		ev.proxy = r.Str(record.Pod) != "" || validIP(r.Str(record.PodIP))
	}

	action := r.Str(record.Action)
	endReason := r.Str(record.EndReason)
	flags := r.Flags()
	denial, reset := mesh.IsDenial(action), mesh.IsReset(action)
	// An action outside PAN-OS's (from another producer) says nothing of
	// the outcome: it is written as Other, under its own name.
	knownAction := action == mesh.ActionAllow || denial || reset
	timedOut := endReason == mesh.EndAgedOut
	failed := mesh.IsFailure(endReason, flags) || mesh.IsZtunnelFailure(r.Str(record.ZtunnelError), action, endReason)

	method := r.Str(record.Method)
	isHTTP := r.Event == fields.EventHTTP || method != "" || ev.statusOK
	ev.response = ev.statusOK
	ev.request = isHTTP && (r.Has(record.Path) || r.Has(record.UserAgent) || r.Has(record.RequestID) || r.Has(record.ReqSize) ||
		r.Has(record.ProtoVersion) || hasXFF(r.Str(record.XFF)) || s.hasRequestHeaders(r))
	if method != "" {
		// A method the schema does not enumerate is the activity's name
		// (99, Other); the request is still an HTTP Activity.
		ev.request = true
	}

	switch {
	case !ev.src.present() && !ev.dst.present():
		ev.class, ev.activity, ev.activityName = ocsfBaseEvent, ocsfUnknown, "Unknown"
	case isHTTP && (ev.request || ev.response):
		ev.class = ocsfHTTPActivity
		ev.activity, ev.activityName = httpActivity(method)
		switch {
		case method == "":
			ev.activity, ev.activityName = ocsfUnknown, "Unknown"
		case ev.activity == ocsfOther:
			ev.activityName = method
		}
	default:
		ev.class = ocsfNetworkActivity
		switch {
		case denial:
			ev.activity = netRefuse
		case reset || timedOut:
			ev.activity = netReset
		case failed:
			ev.activity = netFail
		case r.Str(record.LogType) == "TcpUpstreamConnected":
			ev.activity = netOpen
		case intermediate(r):
			ev.activity = netTraffic
		case r.Event == fields.EventTCP || endReason != "":
			ev.activity = netClose
		default:
			ev.activity = ocsfUnknown
		}
		ev.activityName = networkActivities[ev.activity]
	}

	// The outcome: a failure when the record says one (a denial, a reset,
	// a timeout, a failure, an HTTP error), a success when it says how the
	// request or connection ended and none of those.
	switch {
	case denial || reset || timedOut || failed || ev.statusOK && ev.status >= 400:
		ev.statusID = statusFailure
	case knownAction || endReason != "" || ev.statusOK:
		ev.statusID = statusSuccess
	}
	switch {
	case denial:
		ev.severityID = severityMedium
	case reset || timedOut || failed || ev.statusOK && ev.status >= 500:
		ev.severityID = severityLow
	default:
		ev.severityID = severityInformational
	}

	switch {
	case action == mesh.ActionDrop:
		ev.actionID, ev.disposition = actionDenied, dispositionDropped
	case denial && mesh.IsAuthorizationRule(r.Str(record.Rule)):
		ev.actionID, ev.disposition = actionDenied, dispositionUnauthorized
	case denial:
		ev.actionID, ev.disposition = actionDenied, dispositionBlocked
	case knownAction:
		// allow and the resets: the mesh let the traffic through (a reset
		// is a peer's or Envoy's, not a policy's).
		ev.actionID, ev.disposition = actionAllowed, dispositionAllowed
	case action != "":
		ev.actionID, ev.otherAction = ocsfOther, action
	}
	ev.securityControl = ev.actionID != 0 || r.Has(record.Rule)
}

func (f ocsfFormat) appendRecord(b []byte, r *record.Record, prefix string, sc *Scratch) []byte {
	var ev ocsfEvent
	ev.read(r, f.s)
	w := jsonObject{b: append(b, '{')}
	switch {
	case ev.class == ocsfHTTPActivity && ev.activity == ocsfOther:
		// The method is the activity's name: the one part not rendered
		// beforehand.
		w.raw(`"activity_id":99,"activity_name":`)
		w.b = appendJSONString(w.b, ev.activityName)
		w.b = append(w.b, httpOtherTail...)
	case ev.class == ocsfHTTPActivity:
		w.raw(httpHeads[ev.activity])
	case ev.class == ocsfNetworkActivity:
		w.raw(networkHeads[ev.activity])
	default:
		w.raw(baseHead)
	}
	w.raw(severityAttrs[ev.severityID])
	if ev.statusID != 0 {
		w.raw(statusAttrs[ev.statusID])
	}
	if ev.statusOK {
		w.q(`"status_code":"`)
		w.b = strconv.AppendInt(w.b, ev.status, 10)
		w.b = append(w.b, '"')
	}
	detailFromCode := r.Has(record.CodeDetails)
	switch {
	case detailFromCode:
		w.qt(`"status_detail":`, r.Get(record.CodeDetails))
	case r.Has(record.TermDetails):
		w.qt(`"status_detail":`, r.Get(record.TermDetails))
	default:
		w.qt(`"status_detail":`, r.Get(record.ZtunnelError))
	}

	// time: when the request or connection started, else when the
	// collector received its record, else now (OCSF requires a time).
	start := r.Start
	switch {
	case start != 0:
		w.q(`"time":`)
		at := len(w.b)
		w.b = strconv.AppendInt(w.b, millis(start), 10)
		end := len(w.b)
		w.q(`"start_time":`)
		w.b = append(w.b, w.b[at:end]...) // the same number
	case r.Observed != 0:
		w.qi(`"time":`, millis(r.Observed))
	default:
		w.qi(`"time":`, time.Now().UnixMilli())
	}
	if ms, ok := r.Int(record.DurationMs); ok && ms >= 0 {
		if start != 0 {
			w.qi(`"end_time":`, millis(start)+ms)
		}
		w.qi(`"duration":`, ms)
	}

	switch {
	case ev.actionID == ocsfOther:
		w.raw(`"action_id":99,"action":`)
		w.b = appendJSONString(w.b, ev.otherAction)
	case ev.actionID != 0:
		w.raw(verdictAttrs[ev.disposition])
	}
	if r.Has(record.Rule) {
		w.q(`"policy":{"name":`)
		w.b = appendText(w.b, r.Get(record.Rule))
		w.b = append(w.b, '}')
	}

	if ev.class != ocsfBaseEvent {
		if ev.class == ocsfHTTPActivity || r.Has(record.ProtoName) {
			w.qt(`"app_protocol_name":`, r.Get(record.ProtoName))
		}
		if ev.src.present() {
			w.q(`"src_endpoint":{`)
			f.endpoint(&w, r, &ev.src, &ev, ev.local && ev.localIsSrc, false)
		}
		if ev.dst.present() {
			w.q(`"dst_endpoint":{`)
			f.endpoint(&w, r, &ev.dst, &ev, ev.local && !ev.localIsSrc, true)
		}
		ocsfConnection(&w, r, &ev)
		ocsfTraffic(&w, r)
		if ev.tls {
			w.q(`"tls":`)
			t := jsonObject{b: append(w.b, '{')}
			t.qt(`"version":`, r.Get(record.TLSVersion))
			t.qt(`"cipher":`, r.Get(record.TLSCipher))
			t.qt(`"sni":`, r.Get(record.TLSSNI))
			w.b = append(t.b, '}')
		}
		if ev.class == ocsfHTTPActivity {
			if ev.request {
				f.httpRequest(&w, r, &ev)
			}
			if ev.response {
				f.httpResponse(&w, r, &ev)
			}
		}
		if ev.class == ocsfNetworkActivity {
			w.raw(`"is_src_dst_assignment_known":true`)
		}
		if ev.proxy {
			w.q(`"proxy":`)
			p := jsonObject{b: append(w.b, '{')}
			if ev.ztunnel {
				p.qt(`"name":`, r.Get(record.ZtunnelPod))
			} else {
				if ip, _ := ipOf(r.Str(record.PodIP)); ip != "" {
					p.qip(`"ip":`, ip)
				}
				p.qt(`"name":`, r.Get(record.Pod))
				p.qt(`"zone":`, r.Get(record.Namespace))
			}
			if r.Has(record.Proxy) {
				p.raw(`"type_id":99`)
				p.qt(`"type":`, r.Get(record.Proxy))
			}
			w.b = append(p.b, '}')
		}
		if op := observationPoint(r); op != 0 {
			w.raw(observationAttrs[op])
		}
		ocsfObservables(&w, &ev)
	}
	f.unmapped(&w, r, &ev, detailFromCode)

	w.q(`"metadata":`)
	m := jsonObject{b: append(w.b, '{')}
	m.raw(f.meta)
	switch container := ev.container != "" && ev.class != ocsfBaseEvent; {
	case ev.securityControl && container:
		m.raw(`"profiles":["security_control","container"]`)
	case ev.securityControl:
		m.raw(`"profiles":["security_control"]`)
	case container:
		m.raw(`"profiles":["container"]`)
	}
	if f.s.prefixField {
		m.qs(`"log_name":`, prefix)
	}
	if ev.requestID.end > 0 {
		m.q(`"correlation_uid":`)
		m.b = ev.requestID.copyTo(m.b)
	} else {
		m.qt(`"correlation_uid":`, r.Get(record.RequestID))
	}
	if r.Observed != 0 {
		// A batch's records arrive within the same few milliseconds.
		if ms := millis(r.Observed); ms != sc.loggedMs || sc.loggedText == nil {
			sc.loggedMs, sc.loggedText = ms, strconv.AppendInt(sc.loggedText[:0], ms, 10)
		}
		m.q(`"logged_time":`)
		m.b = append(m.b, sc.loggedText...)
	}
	w.b = append(m.b, '}')
	return append(w.b, '}')
}

// The classification of each class and activity, and the captioned enums
// of the outcome, rendered once: most of an event's constant text.
var (
	baseHead      = renderHead(ocsfBaseEvent, ocsfUnknown, "Unknown")
	networkHeads  [netTraffic + 1]string
	httpHeads     [10]string // activity 0 (no method) and 1–9
	httpOtherTail = renderHead(ocsfHTTPActivity, ocsfOther, "")[len(`"activity_id":99,"activity_name":""`):]

	severityAttrs    [severityMedium + 1]string
	statusAttrs      [statusFailure + 1]string
	verdictAttrs     [dispositionUnauthorized + 1]string // by disposition_id: each implies its action
	connectionHeads  [directionOutbound + 1]string
	scopeAttrs       [scopeExternal + 1]string
	observationAttrs [observedByNeither + 1]string
	serviceAccount   = "," + renderEnum("type_id", "type", userService, "Service")

	// The observables' heads, up to their value.
	srcIPObservable    = renderObservable("src_endpoint.ip", observableIP, "IP Address")
	dstIPObservable    = renderObservable("dst_endpoint.ip", observableIP, "IP Address")
	srcOwnerObservable = renderObservable("src_endpoint.owner.uid", observableUserUID, "User Object: uid")
	dstOwnerObservable = renderObservable("dst_endpoint.owner.uid", observableUserUID, "User Object: uid")
)

func init() {
	for a := range networkHeads {
		networkHeads[a] = renderHead(ocsfNetworkActivity, a, networkActivities[a])
	}
	httpHeads[ocsfUnknown] = renderHead(ocsfHTTPActivity, ocsfUnknown, "Unknown")
	for _, m := range []string{"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT", "TRACE", "PATCH"} {
		a, caption := httpActivity(m)
		httpHeads[a] = renderHead(ocsfHTTPActivity, a, caption)
	}
	for id := severityInformational; id <= severityMedium; id++ {
		severityAttrs[id] = renderEnum("severity_id", "severity", id, severities[id])
	}
	for id := statusSuccess; id <= statusFailure; id++ {
		statusAttrs[id] = renderEnum("status_id", "status", id, statuses[id])
	}
	for _, d := range []int{dispositionAllowed, dispositionBlocked, dispositionDropped, dispositionUnauthorized} {
		action := actionDenied
		if d == dispositionAllowed {
			action = actionAllowed
		}
		verdictAttrs[d] = renderEnum("action_id", "action", action, actions[action]) + "," + renderEnum("disposition_id", "disposition", d, dispositions[d])
	}
	for id := directionInbound; id <= directionOutbound; id++ {
		connectionHeads[id] = `"connection_info":{` + renderEnum("direction_id", "direction", id, directions[id])
	}
	for id := scopeInternal; id <= scopeExternal; id++ {
		scopeAttrs[id] = renderEnum("network_scope_id", "network_scope", id, scopes[id])
	}
	for id := observedAtSource; id <= observedByNeither; id++ {
		observationAttrs[id] = renderEnum("observation_point_id", "observation_point", id, observationPoints[id])
	}
}

// renderObservable writes an observable up to its value.
func renderObservable(name string, typeID int, caption string) string {
	w := jsonObject{b: []byte{'{'}}
	w.str("name", name)
	w.int("type_id", int64(typeID))
	w.str("type", caption)
	w.key("value")
	return string(w.b)
}

// renderHead writes the classification attributes of an event.
func renderHead(class, activity int, activityName string) string {
	w := jsonObject{}
	w.int("activity_id", int64(activity))
	w.str("activity_name", activityName)
	caption := "Base Event"
	switch class {
	case ocsfBaseEvent:
		w.int("category_uid", 0)
		w.str("category_name", "Uncategorized")
	case ocsfNetworkActivity:
		caption = "Network Activity"
		w.int("category_uid", ocsfNetworkCategory)
		w.str("category_name", "Network Activity")
	case ocsfHTTPActivity:
		caption = "HTTP Activity"
		w.int("category_uid", ocsfNetworkCategory)
		w.str("category_name", "Network Activity")
	}
	w.int("class_uid", int64(class))
	w.str("class_name", caption)
	w.int("type_uid", int64(class)*100+int64(activity))
	if activity == ocsfOther {
		activityName = "Other"
	}
	w.str("type_name", caption+": "+activityName)
	return string(w.b)
}

// renderEnum writes an enum attribute and its caption.
func renderEnum(idKey, captionKey string, id int, caption string) string {
	w := jsonObject{}
	w.int(idKey, int64(id))
	w.str(captionKey, caption)
	return string(w.b)
}

// raw writes pre-rendered "key":value pairs.
func (o *jsonObject) raw(s string) {
	if o.more {
		o.b = append(o.b, ',')
	}
	o.more = true
	o.b = append(o.b, s...)
}

func millis(ts pcommon.Timestamp) int64 { return int64(ts) / int64(time.Millisecond) }

// endpoint writes one peer as a network_endpoint, after its opening brace:
// ip first (the load test's sink keys on it), then what names it.
func (f ocsfFormat) endpoint(w *jsonObject, r *record.Record, e *ocsfEndpoint, ev *ocsfEvent, local, dst bool) {
	o := jsonObject{b: w.b}
	if e.ip != "" {
		o.qip(`"ip":`, e.ip)
	}
	if e.portOK {
		o.qi(`"port":`, e.port)
	}
	o.qt(`"name":`, e.name)
	if e.uid {
		o.q(`"uid":`)
		o.podUID(ev.pod, ev.namespace)
	}
	if e.svc != "" {
		o.qs(`"svc_name":`, e.svc)
	}
	if e.hostname != "" {
		o.qs(`"hostname":`, e.hostname)
	}
	o.qt(`"zone":`, e.zone)
	switch {
	case dst && r.Get(record.Egress).Type() == pcommon.ValueTypeBool:
		// pan.egress: the destination is outside the mesh, or in it.
		if r.IsEgress() {
			o.raw(scopeAttrs[scopeExternal])
		} else {
			o.raw(scopeAttrs[scopeInternal])
		}
	case local:
		o.raw(scopeAttrs[scopeInternal]) // the sidecar's own pod
	}
	if e.owner != "" {
		o.q(`"owner":{"uid":`)
		e.ownerSpan = appendSpan(&o.b, e.owner)
		if mesh.IsSPIFFE(e.owner) {
			o.b = append(o.b, serviceAccount...)
		}
		o.b = append(o.b, '}')
	}
	if local && ev.container != "" {
		o.q(`"container":{"name":`)
		o.b = appendJSONString(o.b, ev.container)
		o.b = append(o.b, '}')
	}
	if dst {
		// The upstream host Envoy picked, PAN-OS's NAT destination, when it
		// is not the destination itself.
		nat, _ := ipOf(r.Str(record.NatAddr))
		port, portOK := portOf(r, record.NatPort)
		if nat != "" && (nat != e.ip || portOK && (!e.portOK || port != e.port)) {
			o.q(`"proxy_endpoint":{`)
			p := jsonObject{b: o.b}
			p.qip(`"ip":`, nat)
			if portOK {
				p.qi(`"port":`, port)
			}
			o.b = append(p.b, '}')
		}
	}
	w.b = append(o.b, '}')
}

// ocsfConnection writes connection_info, whose direction_id OCSF requires:
// without istio.direction there is none (the direction is not made up).
func ocsfConnection(w *jsonObject, r *record.Record, ev *ocsfEvent) {
	if !ev.connection {
		return
	}
	if r.Direction() == mesh.Inbound {
		w.raw(connectionHeads[directionInbound])
	} else {
		w.raw(connectionHeads[directionOutbound])
	}
	c := jsonObject{b: w.b, more: true}
	c.qt(`"protocol_name":`, r.Get(record.Transport))
	switch r.Str(record.Transport) {
	case "tcp":
		c.raw(`"protocol_num":6`)
	case "udp":
		c.raw(`"protocol_num":17`)
	}
	switch {
	case ev.src.ip != "" && ev.src.v6:
		c.raw(`"protocol_ver_id":6`)
	case ev.src.ip != "":
		c.raw(`"protocol_ver_id":4`)
	}
	c.qt(`"uid":`, r.Get(record.StreamID))
	w.b = append(c.b, '}')
}

// ocsfTraffic writes the bytes each way as the record counts them (PAN-OS's
// bytes_sent is OCSF's bytes_out, source to destination), their sum only
// when both are known.
func ocsfTraffic(w *jsonObject, r *record.Record) {
	out, okOut := r.Int(record.TCPRecv)
	in, okIn := r.Int(record.TCPSent)
	if !okOut && !okIn {
		out, okOut = r.Int(record.ReqSize)
		in, okIn = r.Int(record.RespSize)
	}
	if !okOut && !okIn {
		return
	}
	if intermediate(r) {
		w.q(`"cumulative_traffic":`) // Envoy's counts run from the start of the connection
	} else {
		w.q(`"traffic":`)
	}
	t := jsonObject{b: append(w.b, '{')}
	if okIn {
		t.qi(`"bytes_in":`, in)
	}
	if okOut {
		t.qi(`"bytes_out":`, out)
	}
	if okIn && okOut {
		t.qi(`"bytes":`, in+out)
	}
	w.b = append(t.b, '}')
}

// intermediate: a periodic entry of a connection still open.
func intermediate(r *record.Record) bool {
	return r.Bool(record.Intermediate) || strings.HasSuffix(r.Str(record.LogType), "Periodic")
}

func (f ocsfFormat) httpRequest(w *jsonObject, r *record.Record, ev *ocsfEvent) {
	w.q(`"http_request":`)
	h := jsonObject{b: append(w.b, '{')}
	method := r.Str(record.Method)
	if id, _ := httpActivity(method); id != ocsfOther {
		h.q(`"http_method":"`)
		h.b = append(h.b, method...) // one of the nine: nothing to escape
		h.b = append(h.b, '"')
	}
	if r.Has(record.Path) {
		h.q(`"url":`)
		u := jsonObject{b: append(h.b, '{')}
		u.qt(`"scheme":`, r.Get(record.Scheme))
		var host, path, query span
		if r.Has(record.Host) {
			u.q(`"hostname":`)
			host = appendSpan(&u.b, r.Get(record.Host).AsString())
		}
		port, portOK := portOf(r, record.HostPort)
		if portOK {
			u.qi(`"port":`, port)
		}
		u.q(`"path":`)
		path = appendSpan(&u.b, r.Get(record.Path).AsString())
		if r.Has(record.Query) {
			u.q(`"query_string":`)
			query = appendSpan(&u.b, f.s.redactor.redact(r.Get(record.Query).AsString()))
		}
		if scheme := r.Str(record.Scheme); scheme != "" && host.end > 0 {
			// The parts as written above, escaped once.
			u.q(`"url_string":"`)
			u.b = appendJSONChars(u.b, scheme)
			u.b = append(u.b, ':', '/', '/')
			_, v6 := ipOf(r.Get(record.Host).AsString())
			if v6 {
				u.b = append(u.b, '[')
			}
			u.b = host.copyInner(u.b)
			if v6 {
				u.b = append(u.b, ']')
			}
			if portOK {
				u.b = append(u.b, ':')
				u.b = strconv.AppendInt(u.b, port, 10)
			}
			u.b = path.copyInner(u.b)
			if query.end > 0 {
				u.b = append(u.b, '?')
				u.b = query.copyInner(u.b)
			}
			u.b = append(u.b, '"')
		}
		h.b = append(u.b, '}')
	}
	h.qt(`"version":`, r.Get(record.ProtoVersion))
	h.qt(`"user_agent":`, r.Get(record.UserAgent))
	if r.Has(record.RequestID) {
		h.q(`"uid":`)
		ev.requestID = appendSpan(&h.b, r.Get(record.RequestID).AsString())
	}
	if xff := r.Str(record.XFF); hasXFF(xff) {
		h.q(`"x_forwarded_for":`)
		h.b = appendXFF(h.b, xff)
	}
	if n, ok := r.Int(record.ReqSize); ok && fitsInteger(n) {
		h.qi(`"body_length":`, n)
	}
	f.appendOCSFHeaders(&h, r, false)
	w.b = append(h.b, '}')
}

func (f ocsfFormat) httpResponse(w *jsonObject, r *record.Record, ev *ocsfEvent) {
	w.q(`"http_response":{"code":`)
	h := jsonObject{b: w.b, more: true}
	h.b = strconv.AppendInt(h.b, ev.status, 10)
	if ms, ok := r.Int(record.DurationMs); ok && ms >= 0 && fitsInteger(ms) {
		h.qi(`"latency":`, ms)
	}
	if n, ok := r.Int(record.RespSize); ok && fitsInteger(n) {
		h.qi(`"body_length":`, n)
	}
	f.appendOCSFHeaders(&h, r, true)
	w.b = append(h.b, '}')
}

// hasRequestHeaders reports whether the record holds one of
// include_headers among its request headers.
func (s *settings) hasRequestHeaders(r *record.Record) bool {
	for _, hk := range s.headers {
		if _, ok := r.Attributes().Get(hk.requestKey); ok {
			return true
		}
	}
	return false
}

// appendOCSFHeaders writes the include_headers the record holds as
// http_headers, an array of {name, value}.
func (f ocsfFormat) appendOCSFHeaders(h *jsonObject, r *record.Record, response bool) {
	open := false
	for _, hk := range f.s.headers {
		v, ok := hk.in(r, response)
		if !ok {
			continue
		}
		if open {
			h.b = append(h.b, ',')
		} else {
			h.q(`"http_headers":[`)
			open = true
		}
		h.b = append(h.b, `{"name":`...)
		h.b = appendJSONString(h.b, hk.name)
		h.b = append(h.b, `,"value":`...)
		h.b = appendJSONString(h.b, v.AsString())
		h.b = append(h.b, '}')
	}
	if open {
		h.b = append(h.b, ']')
	}
}

// observationPoint: an outbound sidecar sits at the source, an inbound one
// at the destination; a gateway, a waypoint or a ztunnel is neither.
func observationPoint(r *record.Record) int {
	switch r.Str(record.Proxy) {
	case mesh.ProxySidecar:
		switch r.Direction() {
		case mesh.Outbound:
			return observedAtSource
		case mesh.Inbound:
			return observedAtDestination
		}
	case mesh.ProxyRouter, mesh.ProxyWaypoint, mesh.ProxyZtunnel:
		// A gateway and a waypoint stand between the peers; ambient's
		// ztunnel is a node proxy of its own, not the workload.
		return observedByNeither
	}
	return 0
}

// ocsfObservables lists the peers' addresses and principals, each naming
// the attribute that holds it (the values copied as the endpoints wrote
// them).
func ocsfObservables(w *jsonObject, ev *ocsfEvent) {
	n := 0
	item := func(head string) {
		if n == 0 {
			w.q(`"observables":[`)
		} else {
			w.b = append(w.b, ',')
		}
		n++
		w.b = append(w.b, head...)
	}
	src, dst := ev.src.present(), ev.dst.present()
	if src && ev.src.ip != "" {
		item(srcIPObservable)
		w.b = appendIP(w.b, ev.src.ip)
		w.b = append(w.b, '}')
	}
	if dst && ev.dst.ip != "" {
		item(dstIPObservable)
		w.b = appendIP(w.b, ev.dst.ip)
		w.b = append(w.b, '}')
	}
	if src && ev.src.ownerSpan.end > 0 {
		item(srcOwnerObservable)
		w.b = ev.src.ownerSpan.copyTo(w.b)
		w.b = append(w.b, '}')
	}
	if dst && ev.dst.ownerSpan.end > 0 {
		item(dstOwnerObservable)
		w.b = ev.dst.ownerSpan.copyTo(w.b)
		w.b = append(w.b, '}')
	}
	if n > 0 {
		w.b = append(w.b, ']')
	}
}

// unmapped holds, under the record's attribute names, Envoy's and the
// verdict's facts that OCSF has no attribute for, and those the event could
// not place (an SNI without a TLS version, a proxy type without a proxy,
// the transport and stream id without a direction for connection_info). A
// Base Event places almost nothing, so it carries every fact of the record
// it did not map (the query redacted, as everywhere).
func (f ocsfFormat) unmapped(w *jsonObject, r *record.Record, ev *ocsfEvent, detailFromCode bool) {
	mark, more := len(w.b), w.more
	w.q(`"unmapped":`)
	u := jsonObject{b: append(w.b, '{')}
	if ev.class == ocsfBaseEvent {
		for s := record.Slot(1); s < record.NumSlots; s++ {
			switch {
			case baseEventMapped[s], s == record.CodeDetails && detailFromCode, s == record.TermDetails && !detailFromCode:
			case s == record.Query && r.Has(s):
				u.str(record.Keys[s], f.s.redactor.redact(r.Get(s).AsString()))
			default:
				u.val(record.Keys[s], r.Get(s))
			}
		}
	} else {
		for _, um := range ocsfUnmapped {
			if v := r.Get(um.slot); v.Type() != pcommon.ValueTypeEmpty {
				u.q(um.quotedKey)
				u.b = appendJSONValue(u.b, v)
			}
		}
		if detailFromCode {
			u.val(fields.EnvoyConnTerminationDetails, r.Get(record.TermDetails))
		}
		if !ev.tls && !ev.sniUsed {
			u.val(fields.TLSServerName, r.Get(record.TLSSNI))
		}
		if !ev.proxy {
			u.val(fields.IstioProxyType, r.Get(record.Proxy))
		}
		if !ev.connection {
			u.val(fields.NetworkTransport, r.Get(record.Transport))
			u.val(fields.EnvoyStreamID, r.Get(record.StreamID))
		}
	}
	if !u.more {
		w.b, w.more = w.b[:mark], more
		return
	}
	w.b = append(u.b, '}')
}

// ocsfUnmapped are the facts every event keeps in unmapped, under their
// attribute names (quoted).
var ocsfUnmapped = func() []struct {
	quotedKey string
	slot      record.Slot
} {
	slots := []record.Slot{record.ResponseFlags, record.Cluster, record.Route, record.EndReason, record.MTLS}
	out := make([]struct {
		quotedKey string
		slot      record.Slot
	}, len(slots))
	for i, s := range slots {
		out[i].quotedKey, out[i].slot = `"`+record.Keys[s]+`":`, s
	}
	return out
}()

// baseEventMapped are the facts a Base Event writes in attributes of its
// own (or, the prefix, not at all: it is the line's, not the record's).
var baseEventMapped = func() (m [record.NumSlots]bool) {
	for _, s := range []record.Slot{record.Action, record.Rule, record.DurationMs, record.Status, record.RequestID, record.Prefix} {
		m[s] = true
	}
	return m
}()

// The writers of the OCSF event take their keys quoted (`"ip":`), so that a
// key is one append.

// q starts a pair: the comma if one is due, then the quoted key (and
// whatever the caller appends to it).
func (o *jsonObject) q(quotedKey string) {
	if o.more {
		o.b = append(o.b, ',')
	}
	o.more = true
	o.b = append(o.b, quotedKey...)
}

func (o *jsonObject) qs(quotedKey, v string) {
	o.q(quotedKey)
	o.b = appendJSONString(o.b, v)
}

func (o *jsonObject) qi(quotedKey string, v int64) {
	o.q(quotedKey)
	o.b = strconv.AppendInt(o.b, v, 10)
}

// qt writes an attribute of OCSF type string as a JSON string, whatever
// type the producer gave it; absent values write nothing.
func (o *jsonObject) qt(quotedKey string, v pcommon.Value) {
	if v.Type() == pcommon.ValueTypeEmpty {
		return
	}
	o.q(quotedKey)
	o.b = appendText(o.b, v)
}

// qip writes an address ipOf accepted.
func (o *jsonObject) qip(quotedKey, ip string) {
	o.q(quotedKey)
	o.b = appendIP(o.b, ip)
}

// appendJSONValue appends a present value as its JSON type.
func appendJSONValue(b []byte, v pcommon.Value) []byte {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return appendJSONString(b, v.Str())
	case pcommon.ValueTypeInt:
		return strconv.AppendInt(b, v.Int(), 10)
	case pcommon.ValueTypeBool:
		return strconv.AppendBool(b, v.Bool())
	case pcommon.ValueTypeDouble:
		return strconv.AppendFloat(b, v.Double(), 'f', -1, 64)
	}
	return appendJSONString(b, v.AsString())
}

// appendText appends a present value as a JSON string.
func appendText(b []byte, v pcommon.Value) []byte {
	if v.Type() == pcommon.ValueTypeStr {
		return appendJSONString(b, v.Str())
	}
	return appendJSONString(b, v.AsString())
}

// appendIP appends an address ipOf accepted: digits, hex, dots and colons
// need no escaping; only a zone (after '%') might.
func appendIP(b []byte, ip string) []byte {
	if strings.IndexByte(ip, '%') >= 0 {
		return appendJSONString(b, ip)
	}
	b = append(b, '"')
	b = append(b, ip...)
	return append(b, '"')
}

// span is where a JSON string (quotes included) was written in the line,
// so that a value the event repeats is escaped once and copied after.
type span struct{ start, end int }

// appendSpan appends s as a JSON string and returns where it lies.
func appendSpan(b *[]byte, s string) span {
	start := len(*b)
	*b = appendJSONString(*b, s)
	return span{start, len(*b)}
}

// copyTo appends the string again, quotes included. The line only grows
// while an event is written, so the span stays valid.
func (s span) copyTo(b []byte) []byte { return append(b, b[s.start:s.end]...) }

// copyInner appends the string's escaped characters, without the quotes.
func (s span) copyInner(b []byte) []byte { return append(b, b[s.start+1:s.end-1]...) }

// fitsInteger: OCSF's integer_t is 32 bits (long_t holds the rest).
func fitsInteger(n int64) bool { return n >= math.MinInt32 && n <= math.MaxInt32 }

// ipOf returns s when it is an IP address OCSF's ip_t accepts (at most 40
// bytes), and whether it is IPv6.
func ipOf(s string) (string, bool) {
	if s == "" || len(s) > 40 {
		return "", false
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return "", false
	}
	return s, a.Is6()
}

func validIP(s string) bool {
	ip, _ := ipOf(s)
	return ip != ""
}

// portOf reads a port within port_t's range.
func portOf(r *record.Record, s record.Slot) (int64, bool) {
	p, ok := r.Int(s)
	return p, ok && p >= 0 && p <= 65535
}

// hasXFF reports whether an X-Forwarded-For value holds an IP address.
func hasXFF(xff string) bool {
	for xff != "" {
		var part string
		part, xff, _ = strings.Cut(xff, ",")
		if validIP(strings.TrimSpace(part)) {
			return true
		}
	}
	return false
}

// appendXFF writes the addresses of an X-Forwarded-For value as an array of
// ip_t, in order; elements that are not addresses (obfuscated names,
// "unknown", address:port) are left out.
func appendXFF(b []byte, xff string) []byte {
	b = append(b, '[')
	n := 0
	for xff != "" {
		var part string
		part, xff, _ = strings.Cut(xff, ",")
		part = strings.TrimSpace(part)
		if !validIP(part) {
			continue
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = appendJSONString(b, part)
	}
	return append(b, ']')
}
