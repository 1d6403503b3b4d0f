package panlines

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// ocsfPaths maps OCSF attribute paths to the vocabulary where the event
// holds the fact as the other formats do; parseOCSF derives the rest.
var ocsfPaths = map[string]string{
	"src_endpoint.ip":                  Src,
	"src_endpoint.port":                SrcPort,
	"dst_endpoint.ip":                  Dst,
	"dst_endpoint.port":                DstPort,
	"dst_endpoint.proxy_endpoint.ip":   NatDst,
	"dst_endpoint.proxy_endpoint.port": NatDstPort,
	"connection_info.protocol_name":    Proto,
	"policy.name":                      Rule,
	"src_endpoint.owner.uid":           SrcUser,
	"dst_endpoint.owner.uid":           DstUser,
	"src_endpoint.zone":                From,
	"src_endpoint.name":                SrcWorkload,
	"dst_endpoint.name":                DstWorkload,
	"dst_endpoint.uid":                 DstUID,
	"dst_endpoint.svc_name":            DstService,
	"traffic.bytes_out":                BytesSent,
	"traffic.bytes_in":                 BytesReceived,
	"traffic.bytes":                    Bytes,
	"duration":                         ElapsedMs,
	"start_time":                       StartMs,
	"end_time":                         EndMs,
	"proxy.type":                       Proxy,
	"http_request.http_method":         Method,
	"http_request.url.hostname":        Host,
	"http_request.user_agent":          UserAgent,
	"http_request.uid":                 RequestID,
	"http_response.code":               Status,
	"class_uid":                        OCSFClassUID,
	"action_id":                        OCSFActionID,
	"disposition_id":                   OCSFDispositionID,
	"unmapped.pan.session_end_reason":  EndReason,
	"unmapped.envoy.upstream.cluster":  Cluster,
	"unmapped.envoy.route.name":        Route,
	"unmapped.istio.mtls":              MTLS,
	"metadata.version":                 OCSFVersion,
	"tls.sni":                          SNI,
	"unmapped.tls.server.name":         SNI, // a name without a TLS version
	"src_endpoint.container.name":      Containers,
	"dst_endpoint.container.name":      Containers,
}

// parseOCSF reads an ocsf record, one OCSF event, into the vocabulary: a
// SIEM's view of it. Where OCSF states a fact otherwise than PAN-OS, it is
// read back as a consumer would: the destination's network scope as
// egress, its zone or "external" as the destination zone, the pod from the
// endpoint's kubernetes:// uid, the URL from its path and query. The
// verdict, which OCSF spells with its own enums, is kept as class, action
// and disposition ids.
func parseOCSF(record []byte, fields pcommon.Map) error {
	obj, err := decodeObject(FormatOCSF, record)
	if err != nil {
		return err
	}
	flat := map[string]string{}
	flattenOCSF("", obj, flat)

	for path, v := range flat {
		if k := ocsfPaths[path]; k != "" {
			fields.PutStr(k, v)
		}
	}
	if d, ok := flat["connection_info.direction"]; ok {
		fields.PutStr(Direction, strings.ToLower(d))
	}
	if path, ok := flat["http_request.url.path"]; ok {
		if q, ok := flat["http_request.url.query_string"]; ok {
			path += "?" + q
		}
		fields.PutStr(URL, path)
	}
	switch flat["dst_endpoint.network_scope_id"] {
	case "2":
		fields.PutStr(Egress, "true")
	case "1":
		fields.PutStr(Egress, "false")
	case "":
	default:
		return fmt.Errorf("ocsf: dst_endpoint.network_scope_id %s", flat["dst_endpoint.network_scope_id"])
	}
	switch zone, ok := flat["dst_endpoint.zone"]; {
	case ok:
		fields.PutStr(To, zone)
	case flat["dst_endpoint.network_scope_id"] == "2":
		fields.PutStr(To, "external")
	}
	// An egress connection's SNI, when nothing else names the host, is
	// the destination's hostname.
	if _, ok := flat["tls.sni"]; !ok && flat["class_uid"] == "4001" && flat["dst_endpoint.network_scope_id"] == "2" {
		if _, ok := flat["unmapped.tls.server.name"]; !ok {
			if h, ok := flat["dst_endpoint.hostname"]; ok {
				fields.PutStr(SNI, h)
			}
		}
	}
	for side, key := range map[string]string{"src_endpoint.uid": SrcPod, "dst_endpoint.uid": DstPod} {
		uid, ok := flat[side]
		if !ok {
			continue
		}
		podNS, ok := strings.CutPrefix(uid, "kubernetes://")
		i := strings.LastIndexByte(podNS, '.')
		if !ok || i <= 0 {
			return fmt.Errorf("ocsf: %s %q is not kubernetes://<pod>.<namespace>", side, uid)
		}
		fields.PutStr(key, podNS[:i])
	}
	return nil
}

// flattenOCSF joins nested object keys with dots; arrays (observables,
// profiles, headers) are not compared and are left out.
func flattenOCSF(prefix string, obj map[string]any, flat map[string]string) {
	for k, v := range obj {
		key := prefix + k
		switch val := v.(type) {
		case map[string]any:
			flattenOCSF(key+".", val, flat)
		case string:
			flat[key] = val
		case json.Number:
			flat[key] = val.String()
		case bool:
			flat[key] = strconv.FormatBool(val)
		}
	}
}
