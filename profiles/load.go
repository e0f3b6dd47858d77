package profiles

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/yhteistestaus/yhteistestaus/datafile"
)

type areasFile struct {
	Areas []*Area `yaml:"areas"`
}

type requirementsFile struct {
	Requirements []*Requirement `yaml:"requirements"`
}

// decode reads one YAML file strictly: unknown fields and trailing documents are errors.
func decode(fsys fs.FS, name string, v any) error { return datafile.Read(fsys, name, v) }

var requirementIDRE = regexp.MustCompile(`^REQ-[A-Z]+-[0-9]{3}$`)

// Load reads areas.yaml, profiles/*.yaml and requirements/*.yaml from fsys and
// checks them: unknown fields, duplicate ids, dangling references (a profile
// naming an unknown area or requirement, a requirement naming an unknown area),
// requirements without source lines and invalid enumerations are all errors.
// All problems found are reported together.
func Load(fsys fs.FS) (*Catalogue, error) {
	c := &Catalogue{
		areaByID:    map[string]*Area{},
		profileByID: map[string]*Profile{},
		reqByID:     map[string]*Requirement{},
	}
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	var af areasFile
	if err := decode(fsys, "areas.yaml", &af); err != nil {
		return nil, fmt.Errorf("load catalogue: %w", err)
	}
	for _, a := range af.Areas {
		switch {
		case a == nil || a.ID == "":
			bad("areas.yaml: area without id")
			continue
		case c.areaByID[a.ID] != nil:
			bad("areas.yaml: duplicate area id %q", a.ID)
			continue
		case a.NameSV == "" || a.NameEN == "":
			bad("areas.yaml: area %s: missing name_sv or name_en", a.ID)
		case len(a.Lines) == 0:
			bad("areas.yaml: area %s: no source lines", a.ID)
		}
		c.areaByID[a.ID] = a
		c.areas = append(c.areas, a)
	}

	reqFiles, err := fs.Glob(fsys, "requirements/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("load catalogue: %w", err)
	}
	if len(reqFiles) == 0 {
		bad("requirements/: no *.yaml files")
	}
	for _, name := range reqFiles {
		var rf requirementsFile
		if err := decode(fsys, name, &rf); err != nil {
			errs = append(errs, err)
			continue
		}
		for _, r := range rf.Requirements {
			if r == nil {
				bad("%s: empty requirement entry", name)
				continue
			}
			if !requirementIDRE.MatchString(r.ID) {
				bad("%s: requirement id %q: want REQ-<TOPIC>-<nnn>", name, r.ID)
				continue
			}
			if c.reqByID[r.ID] != nil {
				bad("%s: duplicate requirement id %s", name, r.ID)
				continue
			}
			c.reqByID[r.ID] = r
			c.requirements = append(c.requirements, r)
			for _, err := range checkRequirement(r, c.areaByID) {
				bad("%s: %s: %v", name, r.ID, err)
			}
		}
	}
	sort.Slice(c.requirements, func(i, j int) bool { return c.requirements[i].ID < c.requirements[j].ID })

	profFiles, err := fs.Glob(fsys, "profiles/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("load catalogue: %w", err)
	}
	if len(profFiles) == 0 {
		bad("profiles/: no *.yaml files")
	}
	for _, name := range profFiles {
		var p Profile
		if err := decode(fsys, name, &p); err != nil {
			errs = append(errs, err)
			continue
		}
		if p.ID == "" {
			bad("%s: profile without id", name)
			continue
		}
		if c.profileByID[p.ID] != nil {
			bad("%s: duplicate profile id %s", name, p.ID)
			continue
		}
		if want := strings.TrimSuffix(path.Base(name), ".yaml"); p.ID != want {
			bad("%s: profile id %s does not match the file name", name, p.ID)
		}
		for _, err := range checkProfile(&p, c) {
			bad("%s: %s: %v", name, p.ID, err)
		}
		c.profileByID[p.ID] = &p
		c.profiles = append(c.profiles, &p)
	}
	sort.Slice(c.profiles, func(i, j int) bool { return c.profiles[i].ID < c.profiles[j].ID })

	if len(errs) > 0 {
		return nil, fmt.Errorf("load catalogue: %w", errors.Join(errs...))
	}
	return c, nil
}

func checkRequirement(r *Requirement, areas map[string]*Area) []error {
	var errs []error
	if strings.TrimSpace(r.Title) == "" {
		errs = append(errs, errors.New("missing title"))
	}
	if strings.TrimSpace(r.Text) == "" {
		errs = append(errs, errors.New("missing text"))
	}
	if r.Section == "" {
		errs = append(errs, errors.New("missing handbook section"))
	}
	if len(r.Lines) == 0 {
		errs = append(errs, errors.New("no source lines"))
	}
	switch r.Level {
	case Shall, Should, May:
	default:
		errs = append(errs, fmt.Errorf("level %q: want SHALL, SHOULD or MAY", r.Level))
	}
	switch r.Verification {
	case Automatic, Attestation, Manual:
	default:
		errs = append(errs, fmt.Errorf("verification %q: want automatic, attestation or manual", r.Verification))
	}
	if r.NotYetAutomated && r.Verification != Automatic {
		errs = append(errs, errors.New("not_yet_automated is only for automatic requirements"))
	}
	if areas[r.Area] == nil {
		errs = append(errs, fmt.Errorf("unknown area %q", r.Area))
	}
	if r.Basis != "" && r.Basis != "inferred" {
		errs = append(errs, fmt.Errorf("basis %q: want inferred or nothing", r.Basis))
	}
	seen := map[string]bool{}
	for _, id := range r.Rules {
		if id == "" || seen[id] {
			errs = append(errs, fmt.Errorf("empty or repeated rule id %q", id))
		}
		seen[id] = true
	}
	return errs
}

func checkProfile(p *Profile, c *Catalogue) []error {
	var errs []error
	if p.Names.FI == "" || p.Names.SV == "" || p.Names.EN == "" {
		errs = append(errs, errors.New("names need fi, sv and en"))
	}
	if p.Effective == "" {
		errs = append(errs, errors.New("missing effective date"))
	}
	if len(p.Lines) == 0 {
		errs = append(errs, errors.New("no source lines"))
	}
	marked := map[string]bool{}
	for _, a := range p.Areas {
		switch {
		case c.areaByID[a.Area] == nil:
			errs = append(errs, fmt.Errorf("unknown area %q", a.Area))
		case marked[a.Area]:
			errs = append(errs, fmt.Errorf("area %s marked twice", a.Area))
		}
		marked[a.Area] = true
		switch a.Marking {
		case MarkMandatory, MarkConditional, MarkNone:
		default:
			errs = append(errs, fmt.Errorf("area %s: marking %q: want mandatory, conditional or none", a.Area, a.Marking))
		}
		if len(a.Lines) == 0 {
			errs = append(errs, fmt.Errorf("area %s: no source lines", a.Area))
		}
	}
	for _, a := range c.areas {
		if !marked[a.ID] {
			errs = append(errs, fmt.Errorf("area %s not marked", a.ID))
		}
	}
	overridden := map[string]bool{}
	for _, o := range p.Overrides {
		switch {
		case c.reqByID[o.Requirement] == nil:
			errs = append(errs, fmt.Errorf("override of unknown requirement %q", o.Requirement))
		case overridden[o.Requirement]:
			errs = append(errs, fmt.Errorf("requirement %s overridden twice", o.Requirement))
		}
		overridden[o.Requirement] = true
		switch o.Level {
		case Mandatory, Conditional, Optional, Excluded:
		default:
			errs = append(errs, fmt.Errorf("override of %s: level %q: want mandatory, conditional, optional or excluded", o.Requirement, o.Level))
		}
	}
	return errs
}
