package encode

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/record"
	"github.com/otelcol-pan/otelcol-pan/internal/prefix"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/<format>.out from the current encoders")

// goldenOptions are the exporter's defaults, with a query parameter to
// redact and a header to write.
func goldenOptions(format string) Options {
	o := options(format, PrefixLine)
	o.RedactQueryParams = []string{"token"}
	if format == JSON || format == OCSF {
		o.IncludeHeaders = []string{"x-b3-traceid"}
	}
	return o
}

// encodeAll encodes every record of ld as the exporter does, one line each.
func encodeAll(t *testing.T, o Options, ld plog.Logs) []byte {
	t.Helper()
	e, err := New(o)
	require.NoError(t, err)
	var out []byte
	var sc Scratch
	r := record.New()
	forEach(ld, func(res *record.Resource, lr plog.LogRecord) {
		r.Reset(res, lr)
		out, _ = e.AppendLine(out, r, &sc)
	})
	return out
}

func forEach(ld plog.Logs, f func(res *record.Resource, lr plog.LogRecord)) {
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		res := record.NewResource(rls.At(i).Resource().Attributes())
		sls := rls.At(i).ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				f(&res, lrs.At(k))
			}
		}
	}
}

// TestGolden encodes testdata/records.yaml (the receiver's golden cases and
// a hostile request) in every format and compares with testdata/<format>.out;
// then reads every golden line back with the format's parser and finds the
// record's facts in it.
func TestGolden(t *testing.T) {
	ld, err := golden.ReadLogs(filepath.Join("testdata", "records.yaml"))
	require.NoError(t, err)
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			got := encodeAll(t, goldenOptions(format), ld)
			path := filepath.Join("testdata", format+".out")
			if *updateGolden {
				require.NoError(t, os.WriteFile(path, got, 0o600))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, string(want), string(got))

			lines := strings.Split(strings.TrimSuffix(string(want), "\n"), "\n")
			require.Len(t, lines, ld.LogRecordCount())
			i := 0
			r := record.New()
			forEach(ld, func(res *record.Resource, lr plog.LogRecord) {
				r.Reset(res, lr)
				checkFacts(t, format, lines[i], r)
				i++
			})
		})
	}
}

// The facts every format carries, by the name each gives them.
var factNames = map[string]map[string]string{
	JSON:   {"src": "src", "sport": "sport", "dst": "dst", "action": "action", "rule": "rule", "srcuser": "srcuser", "from": "from", "reason": "session_end_reason"},
	PANCSV: {"src": "8", "sport": "25", "dst": "9", "action": "31", "rule": "12", "srcuser": "13", "from": "17", "reason": "47"},
	CEF:    {"src": "src", "sport": "spt", "dst": "dst", "action": "act", "rule": "cs1", "srcuser": "suser", "from": "cs4", "reason": "reason"},
	LEEF:   {"src": "src", "sport": "srcPort", "dst": "dst", "action": "action", "rule": "policy", "srcuser": "usrName", "from": "srcZone", "reason": "sessionEndReason"},
}

var factSlots = map[string]record.Slot{
	"src": record.SrcAddr, "sport": record.SrcPort, "dst": record.DstAddr, "action": record.Action,
	"rule": record.Rule, "srcuser": record.SrcPrincipal, "from": record.SrcNamespace, "reason": record.EndReason,
}

// checkFacts parses one line of format and compares its facts with the
// record's, the prefix with the record's (sanitised) prefix.
func checkFacts(t *testing.T, format, line string, r *record.Record) {
	t.Helper()
	linePrefix, body, ok := strings.Cut(line, " ")
	require.True(t, ok, line)
	wantPrefix := prefix.Default
	if p := r.Str(record.Prefix); p != "" {
		wantPrefix = prefix.Sanitize(p)
	}
	assert.Equal(t, wantPrefix, linePrefix)
	if format == OCSF {
		checkOCSFFacts(t, body, r)
		return
	}
	got := parseFacts(t, format, body)
	for name, slot := range factSlots {
		want := ""
		if r.Has(slot) {
			want = validUTF8(r.Get(slot).AsString())
		}
		assert.Equal(t, want, got[factNames[format][name]], "%s %s in %s", format, name, line)
	}
}

// parseFacts reads a line of format into name → text (pan_csv by column
// number).
func parseFacts(t *testing.T, format, body string) map[string]string {
	t.Helper()
	switch format {
	case JSON:
		_, m := decodeLine(t, []byte(body+"\n"), PrefixNone)
		out := map[string]string{}
		for k, v := range m {
			if s, ok := v.(string); ok {
				out[k] = s
			} else if n, ok := v.(interface{ String() string }); ok {
				out[k] = n.String()
			}
		}
		return out
	case PANCSV:
		out := map[string]string{}
		for i, c := range parseCSV(t, body) {
			out[strconv.Itoa(i+1)] = c
		}
		return out
	case CEF:
		_, ext := parseCEF(t, body)
		return ext
	case LEEF:
		_, attrs := parseLEEF(t, body)
		return attrs
	}
	t.Fatalf("no parser for %s", format)
	return nil
}
