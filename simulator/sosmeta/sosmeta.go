// Package sosmeta reads document structures (asiakirjarakenteet, sv.
// handlingsstrukturer) in the form THL's Sosmeta service exports them: a
// folder of JSON Schemas, each named <OID>.json after the structure's OID
// (the contentSpecificationId a CDA document declares), each with a
// top-level "sosmeta" block (status, oid, documentType, documentAuthor,
// documentSubject, versions) and "sosmeta" blocks on its fields (the
// field's Finnish and Swedish name, and for coded fields the classification
// that names the code system and its OID).
//
// A Set is opened from a folder (Open) or any fs.FS (Load). Opening only
// lists the files; a structure is read and compiled when it is first asked
// for, once per Set, so that a run pays for the few structures its
// messages use and not for all of THL's. A Set is safe for concurrent use.
//
// The schemas are compiled with github.com/santhosh-tekuri/jsonschema; the
// "sosmeta" blocks are read through its extension mechanism, so that a
// schema is parsed once. The classification of a coded field is enforced
// as part of validation: a code object {system, code, display} in a
// classified field must name the field's code system.
package sosmeta

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/yhteistestaus/yhteistestaus/datafile"
)

// Status is a structure's status in Sosmeta (handbook 10.1.2), in Finnish
// as the export writes it.
type Status string

// The statuses of a published structure.
const (
	// StatusFinal is Valmis (sv. Färdig): official and supported.
	StatusFinal Status = "Valmis"
	// StatusDeprecated is Vanhentunut (sv. Föråldrad): superseded by the
	// next Valmis version, supported for a transition period.
	StatusDeprecated Status = "Vanhentunut"
)

// ErrUnknownStructure means the set has no structure of the OID.
var ErrUnknownStructure = errors.New("no such structure")

// MaxSchemaSize bounds one schema file. THL's largest is about 400 KB.
const MaxSchemaSize = 8 << 20

var oidSyntax = regexp.MustCompile(`^[0-2](\.(0|[1-9][0-9]*))+$`)

// Source says where a set of structures comes from, for every finding made
// with it.
type Source struct {
	// Embedded is true for the simulator's own fallback schemas.
	Embedded bool
	// Dir is the folder the set was opened from; "" for an fs.FS.
	Dir string
	// ExportDate is the date of THL's export (YYYY-MM-DD) when the folder
	// tells it; "" when unknown.
	ExportDate string
}

// String describes the source in one phrase: `THL Sosmeta export
// 2025-05-20 (../shared/sosmeta)` or `the embedded fallback schemas (the
// simulator's own, not THL's)`.
func (s Source) String() string {
	if s.Embedded {
		return "the embedded fallback schemas (the simulator's own, not THL's)"
	}
	var b strings.Builder
	b.WriteString("THL Sosmeta export")
	if s.ExportDate != "" {
		b.WriteString(" " + s.ExportDate)
	} else {
		b.WriteString(" (export date unknown)")
	}
	if s.Dir != "" {
		b.WriteString(" (" + s.Dir + ")")
	}
	return b.String()
}

// Set is a set of structures keyed by OID. It is read-only after loading
// and safe for concurrent use; each structure is compiled on first use and
// kept.
type Set struct {
	fsys    fs.FS
	source  Source
	entries map[string]*entry
}

// entry is one structure file, compiled at most once.
type entry struct {
	path string
	once sync.Once
	st   *Structure
	err  error
}

// Open lists the structures in the folder dir (every <OID>.json in it or in
// its subfolders, such as THL's Valmis/ and Vanhentunut/) and returns the
// set. The export date comes from the folder's README (a date after the
// word "export") or from a folder name like THL's zip,
// all_sosmeta_schemas_<date>.
func Open(dir string) (*Set, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("open sosmeta structures: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("open sosmeta structures: %s is not a folder", dir)
	}
	fsys := os.DirFS(dir)
	src := Source{Dir: dir, ExportDate: exportDate(fsys, dir)}
	s, err := Load(fsys, src)
	if err != nil {
		return nil, fmt.Errorf("open sosmeta structures in %s: %w", dir, err)
	}
	return s, nil
}

// Load lists the structures of fsys (every <OID>.json, at any depth) as a
// set from src. Two files of one OID are an error; JSON files not named by
// an OID are left out.
func Load(fsys fs.FS, src Source) (*Set, error) {
	s := &Set{fsys: fsys, source: src, entries: map[string]*entry{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if strings.Count(p, "/") > 3 {
				return fs.SkipDir
			}
			return nil
		}
		oid, ok := strings.CutSuffix(path.Base(p), ".json")
		if !ok || !oidSyntax.MatchString(oid) {
			return nil
		}
		if prev, dup := s.entries[oid]; dup {
			return fmt.Errorf("structure %s is in both %s and %s", oid, prev.path, p)
		}
		s.entries[oid] = &entry{path: p}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list structures: %w", err)
	}
	if len(s.entries) == 0 {
		return nil, errors.New("list structures: no <OID>.json files")
	}
	return s, nil
}

// Source returns where the set comes from.
func (s *Set) Source() Source { return s.source }

// Len returns the number of structures in the set.
func (s *Set) Len() int { return len(s.entries) }

// OIDs returns the OIDs of the set's structures, sorted.
func (s *Set) OIDs() []string {
	out := make([]string, 0, len(s.entries))
	for oid := range s.entries {
		out = append(out, oid)
	}
	sort.Strings(out)
	return out
}

// Has reports whether the set has a structure of the OID, without reading
// it.
func (s *Set) Has(oid string) bool {
	_, ok := s.entries[strings.TrimSpace(oid)]
	return ok
}

// Structure returns the structure of the OID, reading and compiling it on
// first use. It fails with an error wrapping ErrUnknownStructure when the
// set has none, and with a clear error when the file cannot be compiled.
func (s *Set) Structure(oid string) (*Structure, error) {
	oid = strings.TrimSpace(oid)
	e, ok := s.entries[oid]
	if !ok {
		return nil, fmt.Errorf("structure %q: %w in %s", oid, ErrUnknownStructure, s.source)
	}
	e.once.Do(func() {
		data, err := datafile.ReadLimited(s.fsys, e.path, MaxSchemaSize)
		if err != nil {
			e.err = fmt.Errorf("structure %s: %w", oid, err)
			return
		}
		st, err := Parse(data)
		if err != nil {
			e.err = fmt.Errorf("structure %s (%s): %w", oid, e.path, err)
			return
		}
		if st.Meta.OID != "" && st.Meta.OID != oid {
			e.err = fmt.Errorf("structure %s (%s): its sosmeta block names OID %s", oid, e.path, st.Meta.OID)
			return
		}
		st.OID = oid
		st.Source = s.source
		e.st = st
	})
	return e.st, e.err
}

var (
	readmeDate = regexp.MustCompile(`(?i)export[^\n]*?\b(20[0-9]{2}-[01][0-9]-[0-3][0-9])\b`)
	nameDate   = regexp.MustCompile(`sosmeta[^/]*?(20[0-9]{2}-[01][0-9]-[0-3][0-9])`)
)

// exportDate finds the date of the export: in the folder's name, or in its
// README.
func exportDate(fsys fs.FS, dir string) string {
	if m := nameDate.FindStringSubmatch(dir); m != nil {
		return m[1]
	}
	for _, name := range []string{"README.md", "README.txt", "README"} {
		data, err := datafile.ReadLimited(fsys, name, 1<<16)
		if err != nil {
			continue
		}
		if m := readmeDate.FindSubmatch(data); m != nil {
			return string(m[1])
		}
	}
	return ""
}

// Validate validates a decoded document against the structure of the OID:
// Structure, then (*Structure).Validate.
func (s *Set) Validate(oid string, doc any) ([]Problem, error) {
	st, err := s.Structure(oid)
	if err != nil {
		return nil, err
	}
	return st.Validate(doc), nil
}
