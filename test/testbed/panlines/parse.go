package panlines

import (
	"bytes"
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Parse reads one panlogs line written with prefix_mode line ("<prefix>
// <record>") in the given format into fields.
func Parse(format string, line []byte, fields pcommon.Map) error {
	prefix, record, ok := bytes.Cut(line, []byte{' '})
	if !ok || len(prefix) == 0 {
		return errors.New("no line prefix")
	}
	for _, c := range prefix {
		if !prefixByte(c) {
			return fmt.Errorf("line prefix %q holds %q", prefix, c)
		}
	}
	fields.PutStr(Prefix, string(prefix))
	switch format {
	case FormatJSON:
		return parseJSON(record, fields)
	case FormatCSV:
		return parseCSV(record, fields)
	case FormatCEF:
		return parseCEF(record, fields)
	case FormatLEEF:
		return parseLEEF(record, fields)
	case FormatOCSF:
		return parseOCSF(record, fields)
	}
	return fmt.Errorf("unknown format %q", format)
}

// prefixByte: the exporter reduces every prefix to these bytes.
func prefixByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
}

// put sets a field unless the format left it empty.
func put(fields pcommon.Map, k, v string) {
	if v != "" {
		fields.PutStr(k, v)
	}
}
