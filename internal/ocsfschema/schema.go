// Package ocsfschema checks events against the OCSF schema's own definition
// files (dictionary, event classes, objects, profiles), so that tests of an
// OCSF encoder verify required attributes, types, enums, constraints and
// profiles from the release itself rather than from a hand-written list.
//
// The schema under schema/ is OCSF 1.8.0 as released (Apache-2.0, see
// schema/LICENSE), the subset of files that the network event classes need.
// Only tests import this package.
package ocsfschema // import "github.com/otelcol-pan/otelcol-pan/internal/ocsfschema"

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
)

//go:embed all:schema
var files embed.FS

// categoryUIDs: the release's categories.json is not among the files
// carried here; the network category's number is the one fact taken from
// the OCSF documentation.
var categoryUIDs = map[string]int{"network": 4, "other": 0}

// attr is one attribute as a class or object defines it, merged over the
// dictionary's definition.
type attr struct {
	Caption     string                     `json:"caption"`
	Type        string                     `json:"type"`
	IsArray     bool                       `json:"is_array"`
	Requirement string                     `json:"requirement"`
	Enum        map[string]json.RawMessage `json:"enum"`
	Sibling     string                     `json:"sibling"`
	Profile     *string                    `json:"profile"`
	// Observable is the observable type_id the attribute carries itself
	// (the dictionary's, or an object's attribute-level marker).
	Observable int `json:"observable"`
}

// captions of an enum, by value.
func (a attr) caption(v string) (string, bool) {
	raw, ok := a.Enum[v]
	if !ok {
		return "", false
	}
	var e struct {
		Caption string `json:"caption"`
	}
	_ = json.Unmarshal(raw, &e)
	return e.Caption, true
}

type scalarType struct {
	Caption    string `json:"caption"`
	Observable int    `json:"observable"`
	Type       string `json:"type"`
	Regex      string `json:"regex"`
	MaxLen     int    `json:"max_len"`
	Range      []int  `json:"range"`
}

// Definition is a resolved class or object: its attributes (with the
// profile each came from, if any) and its constraints.
type Definition struct {
	Name       string
	UID        int
	Category   string
	Attributes map[string]attr
	AtLeastOne [][]string
	JustOne    [][]string
	Profiles   []string
	// Observable is the observable type_id of the object (its own, or the
	// first of its ancestors that has one), 0 for none.
	Observable  int
	profileAttr map[string]string // attribute → profile that brought it
}

// Schema is a loaded OCSF release.
type Schema struct {
	Version    string
	dictionary map[string]attr
	types      map[string]scalarType
	classes    map[int]*Definition
	objects    map[string]*Definition
	raw        map[string]rawDef // every class, object and profile file, by path without .json
}

type rawDef struct {
	Name        string                     `json:"name"`
	Caption     string                     `json:"caption"`
	Observable  int                        `json:"observable"`
	UID         int                        `json:"uid"`
	Category    string                     `json:"category"`
	Extends     string                     `json:"extends"`
	Attributes  map[string]json.RawMessage `json:"attributes"`
	Constraints map[string][]string        `json:"constraints"`
	Profiles    []string                   `json:"profiles"`
	Meta        string                     `json:"meta"`
}

// Load reads the embedded release.
func Load() (*Schema, error) {
	sub, err := fs.Sub(files, "schema")
	if err != nil {
		return nil, err
	}
	return LoadFS(sub)
}

// LoadFS reads a release laid out as OCSF publishes it.
func LoadFS(fsys fs.FS) (*Schema, error) {
	s := &Schema{classes: map[int]*Definition{}, objects: map[string]*Definition{}, raw: map[string]rawDef{}}
	var version struct {
		Version string `json:"version"`
	}
	if err := readJSON(fsys, "version.json", &version); err != nil {
		return nil, err
	}
	s.Version = version.Version
	var dict struct {
		Attributes map[string]attr `json:"attributes"`
		Types      struct {
			Attributes map[string]scalarType `json:"attributes"`
		} `json:"types"`
	}
	if err := readJSON(fsys, "dictionary.json", &dict); err != nil {
		return nil, err
	}
	s.dictionary, s.types = dict.Attributes, dict.Types.Attributes
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") || p == "dictionary.json" || p == "version.json" {
			return err
		}
		var r rawDef
		if err := readJSON(fsys, p, &r); err != nil {
			return err
		}
		s.raw[strings.TrimSuffix(p, ".json")] = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, p := range slices.Sorted(maps.Keys(s.raw)) {
		r := s.raw[p]
		switch {
		case strings.HasPrefix(p, "events/"):
			def, err := s.resolve(p, map[string]bool{})
			if err != nil {
				return nil, err
			}
			if r.UID != 0 || r.Name == "base_event" {
				cat, ok := categoryUIDs[def.Category]
				if !ok {
					continue // a category this release subset does not carry
				}
				def.UID = cat*1000 + r.UID
				s.classes[def.UID] = def
			}
		case strings.HasPrefix(p, "objects/"):
			def, err := s.resolve(p, map[string]bool{})
			if err != nil {
				return nil, err
			}
			s.objects[def.Name] = def
		}
	}
	if err := s.buildObservableTypes(); err != nil {
		return nil, err
	}
	return s, nil
}

func readJSON(fsys fs.FS, p string, into any) error {
	b, err := fs.ReadFile(fsys, p)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, into); err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	return nil
}

// resolve merges a class or object with what it extends and includes.
func (s *Schema) resolve(p string, seen map[string]bool) (*Definition, error) {
	if seen[p] {
		return nil, fmt.Errorf("%s: extends itself", p)
	}
	seen[p] = true
	r, ok := s.raw[p]
	if !ok {
		return nil, fmt.Errorf("no schema file %s.json", p)
	}
	def := &Definition{Name: r.Name, Category: r.Category, Attributes: map[string]attr{}, profileAttr: map[string]string{}, Observable: r.Observable}
	if r.Extends != "" {
		parent, err := s.resolve(s.parentPath(p, r.Extends), seen)
		if err != nil {
			return nil, err
		}
		if parent.Observable != 0 {
			def.Observable = parent.Observable // the ancestor's, as the release compiles it
		}
		maps.Copy(def.Attributes, parent.Attributes)
		maps.Copy(def.profileAttr, parent.profileAttr)
		def.AtLeastOne, def.JustOne = parent.AtLeastOne, parent.JustOne
		def.Profiles = append(def.Profiles, parent.Profiles...)
		if def.Category == "" {
			def.Category = parent.Category
		}
	}
	if inc, ok := r.Attributes["$include"]; ok {
		var paths []string
		if err := json.Unmarshal(inc, &paths); err != nil {
			return nil, fmt.Errorf("%s: $include: %w", p, err)
		}
		for _, ip := range paths {
			pr, ok := s.raw[strings.TrimSuffix(ip, ".json")]
			if !ok {
				return nil, fmt.Errorf("%s: includes missing %s", p, ip)
			}
			for name, raw := range pr.Attributes {
				if _, err := s.mergeAttr(def, name, raw); err != nil {
					return nil, fmt.Errorf("%s: %s: %w", ip, name, err)
				}
				if pr.Meta == "profile" {
					def.profileAttr[name] = pr.Name
				}
			}
		}
	}
	for name, raw := range r.Attributes {
		if name == "$include" {
			continue
		}
		profile, err := s.mergeAttr(def, name, raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", p, name, err)
		}
		if profile != "" {
			def.profileAttr[name] = profile
		}
	}
	// A definition's constraint replaces the one it inherits (endpoint's
	// at_least_one is a wider list than _entity's, not a second rule).
	if c := r.Constraints["at_least_one"]; c != nil {
		def.AtLeastOne = [][]string{c}
	}
	if c := r.Constraints["just_one"]; c != nil {
		def.JustOne = [][]string{c}
	}
	def.Profiles = append(def.Profiles, r.Profiles...)
	return def, nil
}

// parentPath finds the file a definition extends: a sibling, an object, or
// the base event.
func (s *Schema) parentPath(p, name string) string {
	for _, cand := range []string{path.Join(path.Dir(p), name), "objects/" + name, "events/" + name, "events/" + name + "/" + name} {
		if _, ok := s.raw[cand]; ok {
			return cand
		}
	}
	return path.Join(path.Dir(p), name)
}

// mergeAttr lays a definition's view of an attribute over what is known of
// it: the dictionary first, then what the definition's parents said. Enums
// are merged value by value, as the OCSF server does. It returns the
// profile the definition's own view names the attribute part of ("" for
// none).
func (s *Schema) mergeAttr(def *Definition, name string, raw json.RawMessage) (profile string, err error) {
	base, seen := def.Attributes[name]
	if !seen {
		d, ok := s.dictionary[name]
		if !ok {
			return "", errors.New("not in the dictionary")
		}
		base = d
		base.Enum = maps.Clone(d.Enum)
	} else {
		base.Enum = maps.Clone(base.Enum)
	}
	var over attr
	if err := json.Unmarshal(raw, &over); err != nil {
		return "", err
	}
	if over.Type != "" {
		base.Type = over.Type
	}
	if over.Requirement != "" {
		base.Requirement = over.Requirement
	}
	if over.Sibling != "" {
		base.Sibling = over.Sibling
	}
	if over.IsArray {
		base.IsArray = true
	}
	if over.Observable != 0 {
		base.Observable = over.Observable
	}
	for k, v := range over.Enum {
		if base.Enum == nil {
			base.Enum = map[string]json.RawMessage{}
		}
		base.Enum[k] = v
	}
	def.Attributes[name] = base
	if over.Profile != nil {
		profile = *over.Profile
	}
	return profile, nil
}

// Class is the resolved event class with that class_uid, or nil.
func (s *Schema) Class(uid int) *Definition { return s.classes[uid] }

// buildObservableTypes completes the observable object's type_id enum as the
// OCSF release compiles it: the files carry only 0 and 99, and every other
// value comes from an observable marker — on a dictionary attribute (its
// caption), on a dictionary type (the type's caption), on an object (the
// object's caption) or on an object's own attribute ("<object caption>
// Object: <attribute>").
func (s *Schema) buildObservableTypes() error {
	obs, ok := s.objects["observable"]
	if !ok {
		return nil // a release subset without observables
	}
	typeID, ok := obs.Attributes["type_id"]
	if !ok {
		return fmt.Errorf("objects/observable.json: no type_id")
	}
	add := func(id int, caption string) error {
		key := strconv.Itoa(id)
		if _, ok := typeID.Enum[key]; ok {
			return nil // the first definition names it, as in the release
		}
		raw, err := json.Marshal(struct {
			Caption string `json:"caption"`
		}{caption})
		if err != nil {
			return err
		}
		typeID.Enum[key] = raw
		return nil
	}
	for _, name := range slices.Sorted(maps.Keys(s.dictionary)) {
		if a := s.dictionary[name]; a.Observable != 0 {
			if err := add(a.Observable, a.Caption); err != nil {
				return err
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.types)) {
		if t := s.types[name]; t.Observable != 0 {
			if err := add(t.Observable, t.Caption); err != nil {
				return err
			}
		}
	}
	for _, p := range slices.Sorted(maps.Keys(s.raw)) {
		r := s.raw[p]
		if !strings.HasPrefix(p, "objects/") {
			continue
		}
		if r.Observable != 0 {
			if err := add(r.Observable, r.Caption); err != nil {
				return err
			}
		}
		for _, name := range slices.Sorted(maps.Keys(r.Attributes)) {
			var own struct {
				Observable int `json:"observable"`
			}
			if name == "$include" || json.Unmarshal(r.Attributes[name], &own) != nil || own.Observable == 0 {
				continue
			}
			if err := add(own.Observable, r.Caption+" Object: "+name); err != nil {
				return err
			}
		}
	}
	obs.Attributes["type_id"] = typeID
	return nil
}

// observableOf is the observable type_id of attribute name as def holds it:
// by the dictionary's attribute, else its type's, else the object it holds,
// else the attribute's own marker; 0 when it is not observable.
func (s *Schema) observableOf(name string, a attr) int {
	if d, ok := s.dictionary[name]; ok && d.Observable != 0 {
		return d.Observable
	}
	if t, ok := s.types[a.Type]; ok && t.Observable != 0 {
		return t.Observable
	}
	if o, ok := s.objects[a.Type]; ok && o.Observable != 0 {
		return o.Observable
	}
	return a.Observable
}
