package ocsfschema

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Validate checks one event (JSON) against its class: every attribute known
// to the class or object it sits in, of the dictionary's type, within the
// type's constraints and the attribute's enum (and an enum's sibling
// caption matching), every required attribute present, the class's and
// objects' at_least_one / just_one constraints held, profile attributes only
// with their profile listed in metadata.profiles, class_uid and type_uid
// consistent, and every observable naming an attribute the event holds, of
// the observable's type and with its value. It returns every problem found, each naming the attribute's
// path.
func (s *Schema) Validate(event []byte) []error {
	var ev map[string]any
	dec := json.NewDecoder(strings.NewReader(string(event)))
	dec.UseNumber()
	if err := dec.Decode(&ev); err != nil {
		return []error{fmt.Errorf("not a JSON object: %w", err)}
	}
	v := &validation{s: s, profiles: map[string]bool{}}
	classUID, ok := intOf(ev["class_uid"])
	if !ok {
		return []error{fmt.Errorf("class_uid: missing or not an integer")}
	}
	class := s.classes[int(classUID)]
	if class == nil {
		return []error{fmt.Errorf("class_uid: %d is not a class of OCSF %s", classUID, s.Version)}
	}
	if md, ok := ev["metadata"].(map[string]any); ok {
		if ps, ok := md["profiles"].([]any); ok {
			for _, p := range ps {
				if name, ok := p.(string); ok {
					v.profiles[name] = true
				}
			}
		}
	}
	for p := range v.profiles {
		if !slices.Contains(class.Profiles, p) && !v.objectProfile(p) {
			v.errorf("metadata.profiles", "%q is not a profile of class %s", p, class.Name)
		}
	}
	v.object("", class, ev)
	v.observables(class, ev)

	// Class arithmetic.
	cat, _ := intOf(ev["category_uid"])
	if want := int64(categoryUIDs[class.Category]); cat != want {
		v.errorf("category_uid", "%d, class %s is in category %d", cat, class.Name, want)
	}
	activity, _ := intOf(ev["activity_id"])
	if tu, ok := intOf(ev["type_uid"]); ok && tu != classUID*100+activity {
		v.errorf("type_uid", "%d, want class_uid*100+activity_id = %d", tu, classUID*100+activity)
	}
	return v.errs
}

// observables: each observable names (by its dotted path) an attribute the
// event has, of the observable's type_id, holding the observable's value.
func (v *validation) observables(class *Definition, ev map[string]any) {
	list, _ := ev["observables"].([]any)
	for i, o := range list {
		m, ok := o.(map[string]any)
		if !ok {
			continue // value() has said so
		}
		at := fmt.Sprintf("observables[%d]", i)
		name, _ := m["name"].(string)
		if name == "" {
			v.errorf(at+".name", "missing: an observable names the attribute it comes from")
			continue
		}
		a, x, ok := v.lookup(class, ev, name)
		if !ok {
			v.errorf(at+".name", "%q is not an attribute this event holds", name)
			continue
		}
		want := v.s.observableOf(name[strings.LastIndexByte(name, '.')+1:], a)
		typeID, _ := intOf(m["type_id"])
		switch {
		case want == 0:
			v.errorf(at+".name", "%q is not an observable attribute", name)
		case typeID != int64(want):
			v.errorf(at+".type_id", "%d, but %s is observable type %d", typeID, name, want)
		}
		if value, ok := m["value"]; ok && fmt.Sprint(value) != fmt.Sprint(x) {
			v.errorf(at+".value", "%v, but %s holds %v", value, name, x)
		}
	}
}

// lookup finds the attribute at a dotted path ("src_endpoint.owner.uid")
// and its value in the event; arrays are not walked into.
func (v *validation) lookup(class *Definition, ev map[string]any, path string) (attr, any, bool) {
	def, cur := class, ev
	for {
		seg, rest, more := strings.Cut(path, ".")
		a, ok := def.Attributes[seg]
		if !ok {
			return attr{}, nil, false
		}
		x, ok := cur[seg]
		if !ok {
			return attr{}, nil, false
		}
		if !more {
			return a, x, true
		}
		obj, ok := v.s.objects[a.Type]
		m, isMap := x.(map[string]any)
		if !ok || !isMap || a.IsArray {
			return attr{}, nil, false
		}
		def, cur, path = obj, m, rest
	}
}

// objectProfile: profiles that objects (not the class) bring, such as
// container on endpoints, are valid in metadata.profiles too.
func (v *validation) objectProfile(p string) bool {
	for _, o := range v.s.objects {
		if slices.Contains(o.Profiles, p) {
			return true
		}
	}
	return false
}

type validation struct {
	s        *Schema
	profiles map[string]bool
	errs     []error
}

func (v *validation) errorf(at, format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf("%s: %s", at, fmt.Sprintf(format, args...)))
}

func join(at, name string) string {
	if at == "" {
		return name
	}
	return at + "." + name
}

// object checks the attributes of one class or object instance.
func (v *validation) object(at string, def *Definition, m map[string]any) {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		a, ok := def.Attributes[name]
		if !ok {
			v.errorf(join(at, name), "not an attribute of %s", def.Name)
			continue
		}
		if p, ok := def.profileAttr[name]; ok && !v.profiles[p] {
			v.errorf(join(at, name), "belongs to profile %s, which metadata.profiles does not list", p)
		}
		v.value(join(at, name), a, m[name])
		if a.Sibling != "" && len(a.Enum) > 0 {
			v.sibling(at, name, a, m)
		}
	}
	for name, a := range def.Attributes {
		if a.Requirement != "required" {
			continue
		}
		if p, ok := def.profileAttr[name]; ok && !v.profiles[p] {
			continue
		}
		if _, ok := m[name]; !ok {
			v.errorf(join(at, name), "required by %s, missing", def.Name)
		}
	}
	for _, set := range def.AtLeastOne {
		if !slices.ContainsFunc(set, func(n string) bool { _, ok := m[n]; return ok }) {
			v.errorf(at, "%s needs at least one of %s", def.Name, strings.Join(set, ", "))
		}
	}
	for _, set := range def.JustOne {
		n := 0
		for _, name := range set {
			if _, ok := m[name]; ok {
				n++
			}
		}
		if n != 1 {
			v.errorf(at, "%s needs exactly one of %s, has %d", def.Name, strings.Join(set, ", "), n)
		}
	}
}

// sibling: an enum's caption attribute, when present, is the caption of
// the value (free text only for 99, Other).
func (v *validation) sibling(at, name string, a attr, m map[string]any) {
	sib, ok := m[a.Sibling].(string)
	if !ok {
		return
	}
	id, ok := intOf(m[name])
	if !ok || id == 99 {
		return
	}
	if c, ok := a.caption(strconv.FormatInt(id, 10)); ok && c != sib {
		v.errorf(join(at, a.Sibling), "%q, but %s %d is %q", sib, name, id, c)
	}
}

// value checks one attribute's value against its type and enum.
func (v *validation) value(at string, a attr, x any) {
	if a.IsArray {
		arr, ok := x.([]any)
		if !ok {
			v.errorf(at, "want an array")
			return
		}
		one := a
		one.IsArray = false
		for i, e := range arr {
			v.value(fmt.Sprintf("%s[%d]", at, i), one, e)
		}
		return
	}
	if a.Type == "object" { // the generic object: any attributes
		if _, ok := x.(map[string]any); !ok {
			v.errorf(at, "want an object")
		}
		return
	}
	if obj, ok := v.s.objects[a.Type]; ok {
		m, ok := x.(map[string]any)
		if !ok {
			v.errorf(at, "want a %s object", a.Type)
			return
		}
		v.object(at, obj, m)
		return
	}
	v.scalar(at, a.Type, x)
	// class_uid and category_uid carry only base_event's 0 as an enum: each
	// class adds its own number, checked in Validate.
	if len(a.Enum) > 0 && at != "class_uid" && at != "category_uid" {
		key := fmt.Sprint(x)
		if _, ok := a.Enum[key]; !ok {
			v.errorf(at, "%v is not one of its enum values", x)
		}
	}
}

// scalar checks a value against a dictionary type, following the type's
// base types for their constraints.
func (v *validation) scalar(at, typ string, x any) {
	for t := typ; t != ""; {
		st := v.s.types[t]
		switch t {
		case "string_t":
			if _, ok := x.(string); !ok {
				v.errorf(at, "want a string (%s)", typ)
				return
			}
		case "integer_t", "long_t":
			n, ok := intOf(x)
			if !ok {
				v.errorf(at, "want an integer (%s)", typ)
				return
			}
			if t == "integer_t" && (n > math.MaxInt32 || n < math.MinInt32) {
				v.errorf(at, "%d does not fit integer_t", n)
			}
		case "float_t":
			if _, ok := x.(json.Number); !ok {
				v.errorf(at, "want a number (%s)", typ)
				return
			}
		case "boolean_t":
			if _, ok := x.(bool); !ok {
				v.errorf(at, "want a boolean")
				return
			}
		case "json_t", "object":
			return
		}
		if st.Regex != "" {
			if sv, ok := x.(string); ok && !compiled(st.Regex).MatchString(sv) {
				v.errorf(at, "%q does not match %s's pattern", sv, t)
			}
		}
		if st.MaxLen > 0 {
			if sv, ok := x.(string); ok && len(sv) > st.MaxLen {
				v.errorf(at, "%d bytes, %s allows %d", len(sv), t, st.MaxLen)
			}
		}
		if len(st.Range) == 2 {
			if n, ok := intOf(x); ok && (n < int64(st.Range[0]) || n > int64(st.Range[1])) {
				v.errorf(at, "%d is outside %s's range %d..%d", n, t, st.Range[0], st.Range[1])
			}
		}
		if st.Type == t {
			break
		}
		t = st.Type
	}
}

var (
	regexMu sync.Mutex
	regexes = map[string]*regexp.Regexp{}
)

func compiled(expr string) *regexp.Regexp {
	regexMu.Lock()
	defer regexMu.Unlock()
	re, ok := regexes[expr]
	if !ok {
		re = regexp.MustCompile(expr)
		regexes[expr] = re
	}
	return re
}

func intOf(x any) (int64, bool) {
	n, ok := x.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}
