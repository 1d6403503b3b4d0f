package paprefix // import "github.com/otelcol-pan/otelcol-pan/processor/paprefix"

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-pan/otelcol-pan/internal/glob"
)

// rule is a configured rule compiled once at start.
type rule struct {
	conds  []condition
	prefix template
}

// condition is one match entry: an attribute and the value or glob it must
// have.
type condition struct {
	attr string
	slot int           // attr's slot in the record's view
	lit  string        // the value, when the pattern has no glob syntax
	glob *glob.Pattern // nil for a plain value
}

// compileRule compiles the i-th rule; every error names its YAML key.
func compileRule(i int, r Rule) (rule, error) {
	var errs []error
	var out rule
	if len(r.Match) == 0 {
		errs = append(errs, fmt.Errorf("rules[%d]::match: must not be empty", i))
	}
	// Sorted, so that errors and evaluation order do not depend on Go's map
	// iteration.
	names := make([]string, 0, len(r.Match))
	for name := range r.Match {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if name == "" {
			errs = append(errs, fmt.Errorf("rules[%d]::match: an attribute name must not be empty", i))
			continue
		}
		c, err := compileCondition(name, r.Match[name])
		if err != nil {
			errs = append(errs, fmt.Errorf("rules[%d]::match::%s: %w", i, name, err))
			continue
		}
		out.conds = append(out.conds, c)
	}
	t, err := parseTemplate(r.Prefix)
	if err != nil {
		errs = append(errs, fmt.Errorf("rules[%d]::prefix: %w", i, err))
	}
	out.prefix = t
	return out, errors.Join(errs...)
}

func compileCondition(name string, value any) (condition, error) {
	pattern, err := patternText(value)
	if err != nil {
		return condition{}, err
	}
	if pattern == "" {
		// Almost always a YAML key left without a value (null), which
		// would otherwise quietly match nothing.
		return condition{}, errors.New(`must not be empty (write "*" for any value)`)
	}
	c := condition{attr: name}
	if !glob.IsPattern(pattern) {
		c.lit = pattern
		return c, nil
	}
	g, err := glob.Compile(pattern)
	if err != nil {
		return condition{}, fmt.Errorf("bad glob %q: %w", pattern, err)
	}
	c.glob = g
	return c, nil
}

// patternText is the text of a match value. YAML gives `pan.egress: true`
// and `http.response.status_code: 503` as a bool and a number; they match
// the attribute's text form, as if quoted.
func patternText(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case bool:
		return strconv.FormatBool(v), nil
	case int:
		return strconv.Itoa(v), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case uint64:
		return strconv.FormatUint(v, 10), nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	}
	return "", fmt.Errorf("must be a string, a number or a bool, not %T", v)
}

// matches reports whether every condition holds. num is scratch space for
// the text of a numeric attribute.
func (r *rule) matches(v *view, num *[]byte) bool {
	for i := range r.conds {
		if !r.conds[i].matches(v, num) {
			return false
		}
	}
	return true
}

// matches compares the attribute's text form with the pattern. A missing
// attribute matches nothing, not even "*"; nor does a map, slice or bytes
// value, which has no text form to compare.
func (c *condition) matches(v *view, num *[]byte) bool {
	val, ok := v.get(c.slot)
	if !ok {
		return false
	}
	switch val.Type() {
	case pcommon.ValueTypeStr:
		return c.matchText(val.Str())
	case pcommon.ValueTypeBool:
		if val.Bool() {
			return c.matchText("true")
		}
		return c.matchText("false")
	case pcommon.ValueTypeInt:
		*num = strconv.AppendInt((*num)[:0], val.Int(), 10)
		return c.matchBytes(*num)
	case pcommon.ValueTypeDouble:
		*num = strconv.AppendFloat((*num)[:0], val.Double(), 'f', -1, 64)
		return c.matchBytes(*num)
	}
	return false
}

func (c *condition) matchText(s string) bool {
	if c.glob == nil {
		return s == c.lit
	}
	return c.glob.Match(s)
}

// matchBytes is matchText for a number's text in scratch space: comparing
// the bytes in place spares converting them to a string.
func (c *condition) matchBytes(b []byte) bool {
	if c.glob == nil {
		return string(b) == c.lit
	}
	return c.glob.MatchBytes(b)
}
