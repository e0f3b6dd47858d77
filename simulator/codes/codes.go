package codes

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/yhteistestaus/yhteistestaus/datafile"
)

//go:embed data
var embedded embed.FS

// Paths inside the file system that Load reads.
const (
	systemsDir   = "systems"
	bindingsFile = "bindings.yaml"
	dateLayout   = "2006-01-02"
	oidURNPrefix = "urn:oid:"
)

// maxFileSize bounds a single data file; bundled files are a few kilobytes.
const maxFileSize = 1 << 20

// versionArc matches a trailing OID arc that is a classification version:
// a year (1997, 2007) or a year and month (201601).
var versionArc = regexp.MustCompile(`^(19|20)[0-9]{2}([0-9]{2})?$`)

// Value is one code of a code system (koodi).
type Value struct {
	// Code is the code as sent on the wire.
	Code string
	// Display is the Finnish display name, empty when only the Swedish
	// name is public.
	Display string
	// DisplaySv is the Swedish display name (from the handbook), if known.
	DisplaySv string
	// ValidFrom and ValidTo bound the calendar dates, both inclusive, on
	// which the code is valid; a zero time leaves that end open.
	ValidFrom, ValidTo time.Time
	// Own is true for the simulator's own values, which Kanta does not
	// publish and a real archive will not accept.
	Own bool
	// Note explains the value, especially an own one.
	Note string
	// Source tells where the value comes from.
	Source string
	// Replaces is, in an overlay (Set.WithOverlay), the simulator's own
	// code (SIM-*) this real code takes the place of.
	Replaces string
}

// BareDisplay returns the Finnish display name without the ending
// " (simulaattorin oma koodi)" that every own value's name has: the name
// the real value would have.
func (v Value) BareDisplay() string { return strings.TrimSuffix(v.Display, ownSuffix) }

// ValidAt reports whether the value is valid on t's calendar date in t's
// location.
func (v Value) ValidAt(t time.Time) bool {
	return validAt(v.ValidFrom, v.ValidTo, t)
}

func validAt(from, to, t time.Time) bool {
	d := dayNumber(t)
	if !from.IsZero() && d < dayNumber(from) {
		return false
	}
	if !to.IsZero() && d > dayNumber(to) {
		return false
	}
	return true
}

// dayNumber orders calendar dates: y*10000 + m*100 + d.
func dayNumber(t time.Time) int {
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d
}

// System is one code system (koodisto, sv. kodsystem). A System is read-only
// and safe for concurrent use.
type System struct {
	oid, name, nameSv  string
	complete           bool
	because            string
	declarable         bool
	source, note       string
	validFrom, validTo time.Time
	values             []Value
	index              map[string]int
}

// OID returns the code system's OID with its version arc, as bundled.
func (s *System) OID() string { return s.oid }

// Name returns the Finnish name.
func (s *System) Name() string { return s.name }

// NameSv returns the Swedish name, if known.
func (s *System) NameSv() string { return s.nameSv }

// Complete reports whether the bundled values are the whole classification.
// When false, a code missing from the system is unknown, not necessarily
// wrong.
func (s *System) Complete() bool { return s.complete }

// CompleteBecause gives the reason the list is held complete or not: the
// handbook passage that prints the whole classification, or what of it is
// not public.
func (s *System) CompleteBecause() string { return s.because }

// Declarable reports whether the system's codes are organisation OIDs
// (SOTE-organisaatiorekisteri) that a vendor declares for itself with
// --organisation (package organisation): a code missing from the bundled
// values is then looked up in the declaration before it is noted.
func (s *System) Declarable() bool { return s.declarable }

// Source tells where the bundled values come from.
func (s *System) Source() string { return s.source }

// Note returns the file's explanatory note.
func (s *System) Note() string { return s.note }

// ValidAt reports whether the code system version itself is valid on t's
// calendar date (e.g. case names 2017 end on 31.8.2024).
func (s *System) ValidAt(t time.Time) bool { return validAt(s.validFrom, s.validTo, t) }

// Values returns a copy of the bundled values in file order.
func (s *System) Values() []Value { return append([]Value(nil), s.values...) }

// Lookup returns the value with the given code. Codes are compared exactly.
func (s *System) Lookup(code string) (Value, bool) {
	i, ok := s.index[code]
	if !ok {
		return Value{}, false
	}
	return s.values[i], true
}

// Binding says which code system an element must use.
type Binding struct {
	// Element is the stable element name, e.g. "header.documentGroup".
	Element string
	// System is the code system's OID as bundled.
	System string
	// Path is an informative location of the element.
	Path string
	// Source tells where the binding is observed.
	Source string
	// Note adds caveats.
	Note string
}

// Set is a loaded collection of code systems and bindings. It is read-only
// and safe for concurrent use.
type Set struct {
	systems  map[string]*System
	byBase   map[string][]*System
	bindings map[string]Binding
	// replaced maps a code system's OID to the own codes an overlay
	// replaced and the real codes that took their place.
	replaced map[string]map[string]string
}

// System returns the code system with the given OID. The OID may carry a
// "urn:oid:" prefix and may omit the trailing version arc; when several
// bundled versions share the base (case names 2017 and 2023), the newest is
// returned.
func (s *Set) System(oid string) (*System, bool) {
	oid = normalizeOID(oid)
	if sys, ok := s.systems[oid]; ok {
		return sys, true
	}
	cands := s.byBase[oid]
	if len(cands) == 0 {
		return nil, false
	}
	return cands[len(cands)-1], true
}

// Lookup finds a code in the code system with the given OID.
func (s *Set) Lookup(oid, code string) (Value, bool) {
	sys, ok := s.System(oid)
	if !ok {
		return Value{}, false
	}
	return sys.Lookup(code)
}

// Systems returns all code systems ordered by OID.
func (s *Set) Systems() []*System {
	out := make([]*System, 0, len(s.systems))
	for _, sys := range s.systems {
		out = append(out, sys)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].oid < out[j].oid })
	return out
}

// Binding returns the OID of the code system the named element must use.
func (s *Set) Binding(element string) (oid string, ok bool) {
	b, ok := s.bindings[element]
	return b.System, ok
}

// Bindings returns all bindings ordered by element name.
func (s *Set) Bindings() []Binding {
	out := make([]Binding, 0, len(s.bindings))
	for _, b := range s.bindings {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Element < out[j].Element })
	return out
}

// normalizeOID trims space and a "urn:oid:" prefix.
func normalizeOID(oid string) string {
	oid = strings.TrimSpace(oid)
	if len(oid) >= len(oidURNPrefix) && strings.EqualFold(oid[:len(oidURNPrefix)], oidURNPrefix) {
		oid = oid[len(oidURNPrefix):]
	}
	return oid
}

// splitVersion returns the OID without its version arc, and whether it had one.
func splitVersion(oid string) (string, bool) {
	i := strings.LastIndexByte(oid, '.')
	if i < 0 || !versionArc.MatchString(oid[i+1:]) {
		return oid, false
	}
	return oid[:i], true
}

var oidSyntax = regexp.MustCompile(`^[0-2](\.(0|[1-9][0-9]*))+$`)

// systemFile is the YAML form of a code-system file.
type systemFile struct {
	OID       string      `yaml:"oid"`
	Name      string      `yaml:"name"`
	NameSv    string      `yaml:"nameSv"`
	Complete  *bool       `yaml:"complete"`
	Because   string      `yaml:"completeBecause"`
	Declare   bool        `yaml:"declarable"`
	Source    string      `yaml:"source"`
	Note      string      `yaml:"note"`
	ValidFrom string      `yaml:"validFrom"`
	ValidTo   string      `yaml:"validTo"`
	Values    []valueFile `yaml:"values"`
}

type valueFile struct {
	Code      string `yaml:"code"`
	Display   string `yaml:"display"`
	DisplaySv string `yaml:"displaySv"`
	ValidFrom string `yaml:"validFrom"`
	ValidTo   string `yaml:"validTo"`
	Own       bool   `yaml:"own"`
	Note      string `yaml:"note"`
	Source    string `yaml:"source"`
	Replaces  string `yaml:"replaces"`
}

type bindingsFileYAML struct {
	Bindings []struct {
		Element string `yaml:"element"`
		System  string `yaml:"system"`
		Path    string `yaml:"path"`
		Source  string `yaml:"source"`
		Note    string `yaml:"note"`
	} `yaml:"bindings"`
}

// Load reads code systems from systems/*.yaml and bindings from
// bindings.yaml in fsys. It rejects unknown fields, duplicate keys,
// duplicate OIDs, duplicate codes within a system, duplicate element names,
// malformed OIDs and dates, own values without a note, and bindings to code
// systems that are not loaded.
func Load(fsys fs.FS) (*Set, error) {
	set := &Set{
		systems:  map[string]*System{},
		byBase:   map[string][]*System{},
		bindings: map[string]Binding{},
	}
	names, err := fs.Glob(fsys, path.Join(systemsDir, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("load codes: %w", err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("load codes: no %s/*.yaml files", systemsDir)
	}
	for _, name := range names {
		var f systemFile
		if err := decodeStrict(fsys, name, &f); err != nil {
			return nil, fmt.Errorf("load codes: %w", err)
		}
		sys, err := f.system()
		if err != nil {
			return nil, fmt.Errorf("load codes: %s: %w", name, err)
		}
		if sys.because == "" {
			return nil, fmt.Errorf("load codes: %s: completeBecause is required: say from the handbook why the list is, or is not, complete", name)
		}
		for _, v := range sys.values {
			if v.Replaces != "" {
				return nil, fmt.Errorf("load codes: %s: code %q: replaces belongs in an overlay (--codes), not in the bundled lists", name, v.Code)
			}
		}
		if _, dup := set.systems[sys.oid]; dup {
			return nil, fmt.Errorf("load codes: %s: duplicate code system %s", name, sys.oid)
		}
		set.systems[sys.oid] = sys
		if base, ok := splitVersion(sys.oid); ok {
			set.byBase[base] = append(set.byBase[base], sys)
		}
	}
	for base, list := range set.byBase {
		if _, clash := set.systems[base]; clash {
			return nil, fmt.Errorf("load codes: code system %s is also the base of a versioned one", base)
		}
		sort.Slice(list, func(i, j int) bool { return list[i].oid < list[j].oid })
	}

	var bf bindingsFileYAML
	if err := decodeStrict(fsys, bindingsFile, &bf); err != nil {
		return nil, fmt.Errorf("load codes: %w", err)
	}
	for i, b := range bf.Bindings {
		if b.Element == "" || b.System == "" {
			return nil, fmt.Errorf("load codes: %s: binding %d needs element and system", bindingsFile, i+1)
		}
		if _, dup := set.bindings[b.Element]; dup {
			return nil, fmt.Errorf("load codes: %s: duplicate binding for %s", bindingsFile, b.Element)
		}
		sys, ok := set.systems[b.System]
		if !ok {
			return nil, fmt.Errorf("load codes: %s: %s binds unknown code system %s", bindingsFile, b.Element, b.System)
		}
		set.bindings[b.Element] = Binding{Element: b.Element, System: sys.oid, Path: b.Path, Source: b.Source, Note: b.Note}
	}
	return set, nil
}

// decodeStrict decodes one YAML document, rejecting unknown fields and
// trailing documents.
func decodeStrict(fsys fs.FS, name string, v any) error {
	if err := datafile.Read(fsys, name, v); err != nil {
		return fmt.Errorf("decode %w", err)
	}
	return nil
}

func parseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return t, nil
}

func (f systemFile) system() (*System, error) {
	if !oidSyntax.MatchString(f.OID) {
		return nil, fmt.Errorf("oid %q is not a dotted OID", f.OID)
	}
	if f.Name == "" || f.Source == "" || f.Complete == nil {
		return nil, fmt.Errorf("%s: name, complete and source are required", f.OID)
	}
	s := &System{
		oid: f.OID, name: f.Name, nameSv: f.NameSv, complete: *f.Complete, because: f.Because, declarable: f.Declare,
		source: f.Source, note: f.Note, index: map[string]int{},
	}
	var err error
	if s.validFrom, err = parseDate(f.ValidFrom); err != nil {
		return nil, fmt.Errorf("%s validFrom: %w", f.OID, err)
	}
	if s.validTo, err = parseDate(f.ValidTo); err != nil {
		return nil, fmt.Errorf("%s validTo: %w", f.OID, err)
	}
	for _, vf := range f.Values {
		if vf.Code == "" {
			return nil, fmt.Errorf("%s: value without code", f.OID)
		}
		if _, dup := s.index[vf.Code]; dup {
			return nil, fmt.Errorf("%s: duplicate code %q", f.OID, vf.Code)
		}
		if vf.Display == "" && vf.DisplaySv == "" {
			return nil, fmt.Errorf("%s: code %q needs display or displaySv", f.OID, vf.Code)
		}
		if vf.Own && vf.Note == "" {
			return nil, fmt.Errorf("%s: own code %q needs a note saying why", f.OID, vf.Code)
		}
		v := Value{Code: vf.Code, Display: vf.Display, DisplaySv: vf.DisplaySv, Own: vf.Own, Note: vf.Note, Source: vf.Source, Replaces: vf.Replaces}
		if v.ValidFrom, err = parseDate(vf.ValidFrom); err != nil {
			return nil, fmt.Errorf("%s code %q validFrom: %w", f.OID, vf.Code, err)
		}
		if v.ValidTo, err = parseDate(vf.ValidTo); err != nil {
			return nil, fmt.Errorf("%s code %q validTo: %w", f.OID, vf.Code, err)
		}
		s.index[v.Code] = len(s.values)
		s.values = append(s.values, v)
	}
	return s, nil
}

// loadDefault loads the embedded data once; the result is never modified.
var loadDefault = sync.OnceValues(func() (*Set, error) {
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		return nil, err
	}
	return Load(sub)
})

// Default returns the embedded code lists. The embedded data is checked by
// the package's tests, so a load failure is a build defect and panics.
// The returned Set is shared and read-only.
func Default() *Set {
	set, err := loadDefault()
	if err != nil {
		panic(fmt.Sprintf("codes: embedded data: %v", err))
	}
	return set
}
