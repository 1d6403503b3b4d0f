package panlines

import (
	"fmt"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// leefKeys maps LEEF attribute names to the vocabulary.
var leefKeys = map[string]string{
	"cat": Subtype, "sev": Severity, "devTime": EndMs, "src": Src, "srcPort": SrcPort, "dst": Dst,
	"dstPort": DstPort, "dstPostNAT": NatDst, "dstPostNATPort": NatDstPort, "proto": Proto, "app": App,
	"action": Action, "policy": Rule, "usrName": SrcUser, "dstUser": DstUser, "srcZone": From, "dstZone": To,
	"srcWorkload": SrcWorkload, "dstWorkload": DstWorkload, "srcBytes": BytesSent, "dstBytes": BytesReceived,
	"totalBytes": Bytes, "elapsedMs": ElapsedMs, "sessionEndReason": EndReason, "direction": Direction,
	"method": Method, "url": URL, "host": Host, "userAgent": UserAgent, "status": Status, "prefix": Prefix,
}

// parseLEEF reads "LEEF:2.0|Palo Alto Networks|otelcol-pan|<version>|TRAFFIC|<delimiter>|<attributes>".
func parseLEEF(record []byte, fields pcommon.Map) error {
	h := splitUnescaped(string(record), '|', 7)
	if len(h) != 7 || h[0] != "LEEF:2.0" || h[1] != "Palo Alto Networks" || h[2] != "otelcol-pan" {
		return fmt.Errorf("leef: not an otelcol-pan LEEF 2.0 header: %.80q", record)
	}
	if len(h[5]) != 1 {
		return fmt.Errorf("leef: delimiter %q", h[5])
	}
	fields.PutStr(Type, h[4])
	for _, attr := range splitUnescaped(h[6], h[5][0], -1) {
		k, v, ok := strings.Cut(attr, "=")
		if !ok || k == "" {
			return fmt.Errorf("leef: attribute %q has no key", attr)
		}
		val, err := unescape(v)
		if err != nil {
			return fmt.Errorf("leef: %s: %w", k, err)
		}
		if key, ok := leefKeys[k]; ok {
			put(fields, key, val)
		}
	}
	return nil
}
