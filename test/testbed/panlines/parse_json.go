package panlines

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// parseJSON reads a json record: one object, nested objects (http, envoy,
// tls) flattened with a dot. Numbers and booleans keep their JSON text.
func parseJSON(record []byte, fields pcommon.Map) error {
	obj, err := decodeObject(FormatJSON, record)
	if err != nil {
		return err
	}
	return flattenJSON("", obj, fields)
}

// decodeObject reads a record that must be exactly one JSON object, its
// numbers kept as written.
func decodeObject(format string, record []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(record))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, fmt.Errorf("%s: %w", format, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: more than one value on the line", format)
	}
	return obj, nil
}

func flattenJSON(prefix string, obj map[string]any, fields pcommon.Map) error {
	for k, v := range obj {
		key := prefix + k
		switch val := v.(type) {
		case map[string]any:
			if err := flattenJSON(key+".", val, fields); err != nil {
				return err
			}
			continue
		case string:
			if err := putJSONString(key, val, fields); err != nil {
				return err
			}
		case json.Number:
			fields.PutStr(key, val.String())
		case bool:
			fields.PutStr(key, strconv.FormatBool(val))
		default:
			return fmt.Errorf("json: %s holds %T", key, v)
		}
	}
	return nil
}

// putJSONString maps the keys whose name or unit differs from the
// vocabulary: the session start (to microseconds) and http.host.
func putJSONString(key, val string, fields pcommon.Map) error {
	switch key {
	case "start":
		t, err := time.Parse(time.RFC3339Nano, val)
		if err != nil {
			return fmt.Errorf("json: start: %w", err)
		}
		fields.PutStr(StartUs, strconv.FormatInt(t.UnixMicro(), 10))
	case "http.host":
		fields.PutStr(Authority, val)
	default:
		fields.PutStr(key, val)
	}
	return nil
}
