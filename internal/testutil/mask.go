package testutil // import "github.com/otelcol-pan/otelcol-pan/internal/testutil"

import "regexp"

// unstable are the parts of a panlogs output line that change from run to
// run: the moment of receipt and the binary's version (it names the
// commit), in every format.
var unstable = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`"receive_time":"[^"]*"`), `"receive_time":"<receive_time>"`},
	{regexp.MustCompile(`^(\S+ ),\d{4}/\d\d/\d\d \d\d:\d\d:\d\d,`), `$1,<receive_time>,`},
	{regexp.MustCompile(`\brt=\d+`), `rt=<receive_time>`},
	{regexp.MustCompile(`\breceiveTime=\d+`), `receiveTime=<receive_time>`},
	{regexp.MustCompile(`\|otelcol-pan\|[^|]*\|TRAFFIC\|`), `|otelcol-pan|<version>|TRAFFIC|`},
	{regexp.MustCompile(`"logged_time":\d+`), `"logged_time":<receive_time>`},
	{regexp.MustCompile(`"vendor_name":"Palo Alto Networks","version":"[^"]*"`), `"vendor_name":"Palo Alto Networks","version":"<version>"`},
}

// MaskUnstable replaces what changes from run to run in a panlogs line with
// placeholders, so that lines can be compared with goldens.
func MaskUnstable(line string) string {
	for _, u := range unstable {
		line = u.re.ReplaceAllString(line, u.repl)
	}
	return line
}
