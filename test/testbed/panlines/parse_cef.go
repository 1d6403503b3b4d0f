package panlines

import (
	"fmt"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// cefKeys maps CEF extension keys to the vocabulary.
var cefKeys = map[string]string{
	"start": StartMs, "end": EndMs, "src": Src, "spt": SrcPort, "dst": Dst, "dpt": DstPort,
	"destinationTranslatedAddress": NatDst, "destinationTranslatedPort": NatDstPort, "proto": Proto,
	"app": App, "act": Action, "cs1": Rule, "suser": SrcUser, "duser": DstUser, "cs4": From, "cs5": To,
	"cs2": SrcWorkload, "cs3": DstWorkload, "in": BytesSent, "out": BytesReceived, "cn1": ElapsedMs,
	"reason": EndReason, "requestMethod": Method, "request": URL, "dhost": Host,
	"requestClientApplication": UserAgent, "cn2": Status, "cs6": Prefix,
}

// cefLabels are the labels the custom fields must carry.
var cefLabels = map[string]string{
	"cs1": "Rule", "cs2": "Source Workload", "cs3": "Destination Workload", "cs4": "Source Zone",
	"cs5": "Destination Zone", "cs6": "Prefix", "cn1": "Elapsed ms", "cn2": "HTTP Status",
}

// parseCEF reads "CEF:0|Palo Alto Networks|otelcol-pan|<version>|TRAFFIC|<subtype>|<severity>|<extension>".
func parseCEF(record []byte, fields pcommon.Map) error {
	h := splitUnescaped(string(record), '|', 8)
	if len(h) != 8 || h[0] != "CEF:0" || h[1] != "Palo Alto Networks" || h[2] != "otelcol-pan" {
		return fmt.Errorf("cef: not an otelcol-pan CEF header: %.80q", record)
	}
	fields.PutStr(Type, h[4])
	fields.PutStr(Subtype, h[5])
	fields.PutStr(Severity, h[6])
	pairs, err := cefPairs(h[7])
	if err != nil {
		return err
	}
	labels := map[string]string{}
	for _, kv := range pairs {
		v, err := unescape(kv[1])
		if err != nil {
			return fmt.Errorf("cef: %s: %w", kv[0], err)
		}
		if base, ok := strings.CutSuffix(kv[0], "Label"); ok {
			labels[base] = v
			continue
		}
		if want, ok := cefLabels[kv[0]]; ok && labels[kv[0]] != want {
			return fmt.Errorf("cef: %s labelled %q, want %q", kv[0], labels[kv[0]], want)
		}
		switch kv[0] {
		case "deviceDirection":
			dir, ok := map[string]string{"0": "inbound", "1": "outbound"}[v]
			if !ok {
				return fmt.Errorf("cef: deviceDirection %q", v)
			}
			fields.PutStr(Direction, dir)
		default:
			if key, ok := cefKeys[kv[0]]; ok {
				put(fields, key, v)
			}
		}
	}
	return nil
}

// cefPairs splits a CEF extension into key=value pairs. Values may hold
// spaces; a '=' inside a value is escaped, so every unescaped '=' ends a
// key, and that key starts after the last space before it.
func cefPairs(ext string) ([][2]string, error) {
	var eqs []int
	for i := 0; i < len(ext); i++ {
		switch ext[i] {
		case '\\':
			i++
		case '=':
			eqs = append(eqs, i)
		}
	}
	pairs := make([][2]string, 0, len(eqs))
	keyStart := 0
	for j, eq := range eqs {
		key := ext[keyStart:eq]
		if key == "" || strings.ContainsAny(key, " \\") {
			return nil, fmt.Errorf("cef: bad extension key %q", key)
		}
		valEnd, next := len(ext), len(ext)
		if j+1 < len(eqs) {
			sp := strings.LastIndexByte(ext[eq+1:eqs[j+1]], ' ')
			if sp < 0 {
				return nil, fmt.Errorf("cef: no space before the key after %s", key)
			}
			valEnd, next = eq+1+sp, eq+2+sp
		}
		pairs = append(pairs, [2]string{key, ext[eq+1 : valEnd]})
		keyStart = next
	}
	return pairs, nil
}
