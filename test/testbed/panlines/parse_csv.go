package panlines

import (
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// csvColumns maps PAN-OS TRAFFIC log columns (1-based) to the vocabulary;
// the columns the mesh has no fact for are left out.
var csvColumns = map[int]string{
	4: Type, 5: Subtype, 8: Src, 9: Dst, 11: NatDst, 12: Rule, 13: SrcUser, 14: DstUser, 15: App,
	17: From, 18: To, 25: SrcPort, 26: DstPort, 28: NatDstPort, 30: Proto, 31: Action, 32: Bytes,
	33: BytesSent, 34: BytesReceived, 37: ElapsedS, 47: EndReason,
}

const (
	csvStartColumn = 36 // start time, "YYYY/MM/DD HH:MM:SS" UTC
	csvMinColumns  = 47 // through session_end_reason
)

// parseCSV reads a pan_csv record: RFC 4180 quoting around the exporter's
// backslash escapes.
func parseCSV(record []byte, fields pcommon.Map) error {
	r := csv.NewReader(strings.NewReader(string(record)))
	r.FieldsPerRecord = -1
	cols, err := r.Read()
	if err != nil {
		return fmt.Errorf("pan_csv: %w", err)
	}
	if _, err := r.Read(); err == nil {
		return fmt.Errorf("pan_csv: more than one record on the line")
	}
	if len(cols) < csvMinColumns {
		return fmt.Errorf("pan_csv: %d columns, want at least %d", len(cols), csvMinColumns)
	}
	for i, key := range csvColumns {
		v, err := unescape(cols[i-1])
		if err != nil {
			return fmt.Errorf("pan_csv: column %d: %w", i, err)
		}
		put(fields, key, v)
	}
	if s := cols[csvStartColumn-1]; s != "" {
		t, err := time.Parse("2006/01/02 15:04:05", s)
		if err != nil {
			return fmt.Errorf("pan_csv: start time: %w", err)
		}
		fields.PutStr(StartS, strconv.FormatInt(t.Unix(), 10))
	}
	return nil
}
