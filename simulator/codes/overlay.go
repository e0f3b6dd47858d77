package codes

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/yhteistestaus/yhteistestaus/datafile"
)

// EnvVar names the environment variable that gives the overlay folder
// when --codes is not given.
const EnvVar = "YHTEISTESTAUS_CODES"

// ownSuffix ends the Finnish display name of every own value.
const ownSuffix = " (simulaattorin oma koodi)"

// maxCSVRows bounds one CSV code list; the largest THL classifications
// have a few thousand values.
const maxCSVRows = 100000

// LoadOverlay returns the embedded code lists with the overlay in dir
// applied (WithOverlay), and the notes WithOverlay gives.
func LoadOverlay(dir string) (*Set, []string, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("code lists: %w", err)
	}
	if !fi.IsDir() {
		return nil, nil, fmt.Errorf("code lists: %s is not a folder", dir)
	}
	return Default().WithOverlay(os.DirFS(dir))
}

// FromFlagOrEnv returns the code lists with the overlay folder named by
// flag, or when flag is empty by the environment variable EnvVar (looked
// up with getenv), applied; the embedded lists when neither names one.
func FromFlagOrEnv(flag string, getenv func(string) string) (*Set, []string, error) {
	dir := flag
	if dir == "" && getenv != nil {
		dir = getenv(EnvVar)
	}
	if dir == "" {
		return Default(), nil, nil
	}
	return LoadOverlay(dir)
}

// WithOverlay returns a new Set: s with the code systems of the overlay
// fsys applied. The overlay holds, in its root,
//
//   - YAML files in the format of the bundled data/systems/*.yaml (with
//     one more value field, replaces: SIM-…), and
//   - CSV files named by a code system's OID (1.2.246.537.6.1222.201601.csv),
//     one value a line: code;display, or code;display;replaces. A first
//     line "code;display" is a header and skipped. A CSV is taken as the
//     whole classification exported from the code service: complete.
//
// A system whose OID (or OID without its version arc) names a bundled
// system replaces it: its values take the place of the bundled ones, the
// bundled official values it lacks are kept, and the simulator's own values
// (SIM-*) go. A real value replaces an own one when it says so (replaces)
// or when its display name is the own value's without the "(simulaattorin
// oma koodi)" ending; Replacement then maps the own code to it. Any other
// OID adds a system. The notes say, one line each, which systems were
// replaced and which own values no loaded value replaces.
func (s *Set) WithOverlay(fsys fs.FS) (*Set, []string, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, nil, fmt.Errorf("code lists: %w", err)
	}
	out := s.clone()
	var notes []string
	n := 0
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() {
			continue
		}
		var sys *System
		switch path.Ext(name) {
		case ".yaml", ".yml":
			var f systemFile
			if err := decodeStrict(fsys, name, &f); err != nil {
				return nil, nil, fmt.Errorf("code lists: %w", err)
			}
			if sys, err = f.system(); err != nil {
				return nil, nil, fmt.Errorf("code lists: %s: %w", name, err)
			}
			if sys.because == "" {
				sys.because = "as the overlay " + name + " says"
			}
		case ".csv":
			if sys, err = readCSV(fsys, name, s); err != nil {
				return nil, nil, fmt.Errorf("code lists: %s: %w", name, err)
			}
		default:
			continue
		}
		n++
		note, err := out.apply(sys, name)
		if err != nil {
			return nil, nil, fmt.Errorf("code lists: %s: %w", name, err)
		}
		notes = append(notes, note...)
	}
	if n == 0 {
		return nil, nil, errors.New("code lists: the folder holds no *.yaml or *.csv code list")
	}
	return out, notes, nil
}

// Replacement returns the code that an overlay put in the place of the
// own code in the code system oid, or code itself when none did.
func (s *Set) Replacement(oid, code string) string {
	sys, ok := s.System(oid)
	if !ok {
		return code
	}
	if r, ok := s.replaced[sys.oid][code]; ok {
		return r
	}
	return code
}

// clone copies the set's maps; the systems themselves are shared, being
// read-only.
func (s *Set) clone() *Set {
	out := &Set{
		systems:  make(map[string]*System, len(s.systems)),
		byBase:   make(map[string][]*System, len(s.byBase)),
		bindings: s.bindings,
		replaced: make(map[string]map[string]string, len(s.replaced)),
	}
	for k, v := range s.systems {
		out.systems[k] = v
	}
	for k, v := range s.byBase {
		out.byBase[k] = slices.Clone(v)
	}
	for k, v := range s.replaced {
		out.replaced[k] = v
	}
	return out
}

// apply puts sys, read from the file name, into the set.
func (s *Set) apply(sys *System, name string) ([]string, error) {
	old, ok := s.systems[sys.oid]
	if !ok {
		if base, versioned := splitVersion(sys.oid); !versioned {
			// An unversioned OID replaces the one bundled version of it.
			if cands := s.byBase[base]; len(cands) == 1 {
				old, ok = cands[0], true
			}
		}
	}
	if !ok {
		if _, clash := s.byBase[sys.oid]; clash {
			return nil, fmt.Errorf("%s names several bundled versions: give the OID with its version arc", sys.oid)
		}
		s.systems[sys.oid] = sys
		if base, ok := splitVersion(sys.oid); ok {
			s.byBase[base] = append(s.byBase[base], sys)
			slices.SortFunc(s.byBase[base], func(a, b *System) int { return strings.Compare(a.oid, b.oid) })
		}
		return []string{fmt.Sprintf("code list %s: added %s (%s), %d values, complete %v", name, sys.name, sys.oid, len(sys.values), sys.complete)}, nil
	}
	merged := &System{
		oid: old.oid, name: sys.name, nameSv: sys.nameSv, complete: sys.complete, because: sys.because, declarable: old.declarable,
		source: sys.source, note: sys.note, validFrom: sys.validFrom, validTo: sys.validTo,
		index: make(map[string]int),
	}
	if merged.nameSv == "" {
		merged.nameSv = old.nameSv
	}
	repl := make(map[string]string)
	for _, v := range sys.values {
		if v.Replaces != "" {
			ov, ok := old.Lookup(v.Replaces)
			if !ok || !ov.Own {
				return nil, fmt.Errorf("code %q replaces %q, which is not an own value of %s", v.Code, v.Replaces, old.oid)
			}
			repl[v.Replaces] = v.Code
		}
		merged.index[v.Code] = len(merged.values)
		merged.values = append(merged.values, v)
	}
	var gone []string
	for _, ov := range old.values {
		if !ov.Own {
			if _, dup := merged.index[ov.Code]; !dup {
				merged.index[ov.Code] = len(merged.values)
				merged.values = append(merged.values, ov)
			}
			continue
		}
		if _, ok := repl[ov.Code]; ok {
			continue
		}
		if r, ok := byDisplay(sys.values, ov); ok {
			repl[ov.Code] = r
			continue
		}
		gone = append(gone, ov.Code)
	}
	s.systems[old.oid] = merged
	if base, ok := splitVersion(old.oid); ok {
		list := s.byBase[base]
		for i, c := range list {
			if c == old {
				list[i] = merged
			}
		}
	}
	s.replaced[old.oid] = repl
	notes := []string{fmt.Sprintf("code list %s: %s (%s) replaced by %d loaded values, complete %v", name, merged.name, merged.oid, len(sys.values), merged.complete)}
	codes := slices.Sorted(func(yield func(string) bool) {
		for k := range repl {
			if !yield(k) {
				return
			}
		}
	})
	for _, own := range codes {
		notes = append(notes, fmt.Sprintf("code list %s: %s takes the place of the simulator's own %s", name, repl[own], own))
	}
	for _, own := range gone {
		notes = append(notes, fmt.Sprintf("code list %s: the simulator's own %s of %s has no replacement (say which code takes its place with replaces: %s), so messages using it are judged against the loaded list", name, own, merged.oid, own))
	}
	return notes, nil
}

// byDisplay finds the loaded value whose Finnish display name is the own
// value's without the own ending.
func byDisplay(values []Value, own Value) (string, bool) {
	want := own.BareDisplay()
	if want == own.Display || want == "" {
		return "", false
	}
	for _, v := range values {
		if strings.EqualFold(strings.TrimSpace(v.Display), want) {
			return v.Code, true
		}
	}
	return "", false
}

// readCSV reads a code;display[;replaces] list named OID.csv. The bundled
// system of that OID, if any, lends its name.
func readCSV(fsys fs.FS, name string, bundled *Set) (*System, error) {
	oid := strings.TrimSuffix(name, path.Ext(name))
	if !oidSyntax.MatchString(oid) {
		return nil, fmt.Errorf("a CSV code list is named by its code system's OID, e.g. 1.2.246.537.6.1222.201601.csv")
	}
	data, err := datafile.ReadLimited(fsys, name, maxFileSize)
	if err != nil {
		return nil, err
	}
	return parseCSV(oid, name, data, bundled)
}

func parseCSV(oid, name string, data []byte, bundled *Set) (*System, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = ';'
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	sys := &System{oid: oid, name: oid, complete: true, because: "loaded from " + name + ", an export of the whole classification",
		source: "code list " + name, index: make(map[string]int)}
	if b, ok := bundled.System(oid); ok {
		sys.name, sys.nameSv = b.name, b.nameSv
	}
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if line > maxCSVRows {
			return nil, fmt.Errorf("more than %d values", maxCSVRows)
		}
		if len(rec) < 2 || len(rec) > 3 {
			return nil, fmt.Errorf("line %d: want the fields code, display and optionally replaces, found %d", line, len(rec))
		}
		code, display := strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1])
		if line == 1 && strings.EqualFold(code, "code") && strings.EqualFold(display, "display") {
			continue
		}
		switch {
		case code == "":
			return nil, fmt.Errorf("line %d: no code", line)
		case display == "":
			return nil, fmt.Errorf("line %d: code %q has no display name", line, code)
		}
		if _, dup := sys.index[code]; dup {
			return nil, fmt.Errorf("line %d: duplicate code %q", line, code)
		}
		v := Value{Code: code, Display: display, Source: name}
		if len(rec) == 3 {
			v.Replaces = strings.TrimSpace(rec[2])
		}
		sys.index[code] = len(sys.values)
		sys.values = append(sys.values, v)
	}
	if len(sys.values) == 0 {
		return nil, errors.New("no values")
	}
	return sys, nil
}
