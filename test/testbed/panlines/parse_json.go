package panlines

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// parseJSON reads a json record: one object, nested objects (http, envoy,
// tls) flattened with a dot. Numbers and booleans keep their JSON text.
func parseJSON(record []byte, fields pcommon.Map) error {
	dec := json.NewDecoder(bytes.NewReader(record))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return fmt.Errorf("json: %w", err)
	}
	if dec.More() {
		return errors.New("json: more than one value on the line")
	}
	return flattenJSON("", obj, fields)
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
