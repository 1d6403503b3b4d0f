package paprefix // import "github.com/otelcol-pan/otelcol-pan/processor/paprefix"

import "go.opentelemetry.io/collector/pdata/pcommon"

// attrSlots numbers the attribute names the configuration reads, so that a
// record's attributes are read in one pass however many rules and
// placeholders name them: ten rules each calling Map.Get would scan the
// record's forty-odd attributes ten times over.
type attrSlots struct {
	names []string
	byLen [][]int // slots, indexed by the length of their name
}

// add returns name's slot, giving it one if it has none.
func (a *attrSlots) add(name string) int {
	for i, n := range a.names {
		if n == name {
			return i
		}
	}
	a.names = append(a.names, name)
	for len(a.byLen) <= len(name) {
		a.byLen = append(a.byLen, nil)
	}
	a.byLen[len(name)] = append(a.byLen[len(name)], len(a.names)-1)
	return len(a.names) - 1
}

// slotOf is the slot of an attribute key, or -1. Comparing lengths first
// skips nearly every key without reading it.
func (a *attrSlots) slotOf(key string) int {
	if len(key) >= len(a.byLen) {
		return -1
	}
	for _, s := range a.byLen[len(key)] {
		if a.names[s] == key {
			return s
		}
	}
	return -1
}

// view is, per slot, what one record says about the attribute: its own
// value, else its resource's. Its slices are reused from record to record.
type view struct {
	resVal []pcommon.Value
	resHas []bool
	val    []pcommon.Value
	has    []bool
	own    []bool // set from the record itself: a repeated key keeps its first value, as Map.Get does
}

func newView(n int) view {
	return view{
		resVal: make([]pcommon.Value, n), resHas: make([]bool, n),
		val: make([]pcommon.Value, n), has: make([]bool, n), own: make([]bool, n),
	}
}

// loadResource reads a resource's attributes, once for all its records.
func (v *view) loadResource(a *attrSlots, res pcommon.Map) {
	if len(a.names) == 0 {
		return
	}
	clear(v.resHas)
	for k, val := range res.All() {
		if s := a.slotOf(k); s >= 0 && !v.resHas[s] {
			v.resVal[s], v.resHas[s] = val, true
		}
	}
}

// loadRecord reads a record's attributes over its resource's. The values
// stay valid until the record's attributes change.
func (v *view) loadRecord(a *attrSlots, rec pcommon.Map) {
	if len(a.names) == 0 {
		return
	}
	copy(v.val, v.resVal)
	copy(v.has, v.resHas)
	clear(v.own)
	for k, val := range rec.All() {
		if s := a.slotOf(k); s >= 0 && !v.own[s] {
			v.val[s], v.has[s], v.own[s] = val, true, true
		}
	}
}

// get is the attribute in slot s, if the record or its resource has it.
func (v *view) get(s int) (pcommon.Value, bool) {
	return v.val[s], v.has[s]
}
