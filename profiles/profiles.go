// Package profiles loads the handbook's information-system profiles and the
// requirement catalogue, and checks them against the scenarios that verify them.
//
// A profile (Swedish informationssystemprofil, Finnish tietojärjestelmäprofiili) is
// the unit a vendor system is certified for: the four phase-2 profiles of handbook
// Table 4.5.3 and the four connection-obligation profiles of Table 4.5.4. Each
// profile marks every functional area mandatory, conditional or not part of it.
// Each requirement belongs to one area, so a profile's marking of the area gives
// the requirement's applicability for that profile, unless the profile overrides it.
//
// The data lives in YAML files (see README.md); [Default] loads the copy embedded
// in the package and [Load] loads any file system with the same layout:
//
//	areas.yaml
//	profiles/*.yaml
//	requirements/*.yaml
package profiles

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/yhteistestaus/yhteistestaus/datafile"

	"gopkg.in/yaml.v3"
)

//go:embed data
var embedded embed.FS

// Level is a requirement's conformance level as the handbook words it.
type Level string

// The conformance levels.
const (
	Shall  Level = "SHALL"
	Should Level = "SHOULD"
	May    Level = "MAY"
)

// Verification says how a requirement is verified.
type Verification string

// The verification methods.
const (
	// Automatic: a scenario run against the simulator checks it.
	Automatic Verification = "automatic"
	// Attestation: the vendor states the evidence (a sentence, a link, a screenshot).
	Attestation Verification = "attestation"
	// Manual: the co-testing coordinator judges it.
	Manual Verification = "manual"
)

// Marking is a profile table's marking of a functional area:
// X (mandatory), (X) (conditional) or - (not part of the profile).
type Marking string

// The area markings.
const (
	MarkMandatory   Marking = "mandatory"
	MarkConditional Marking = "conditional"
	MarkNone        Marking = "none"
)

// Applicability is how a requirement applies to one profile.
type Applicability string

// The applicabilities. Excluded requirements are not listed for the profile.
const (
	Mandatory   Applicability = "mandatory"
	Conditional Applicability = "conditional"
	Optional    Applicability = "optional"
	Excluded    Applicability = "excluded"
)

// LineRange is an inclusive range of lines in the handbook file,
// written "L123" or "L123-L456" in the data.
type LineRange struct {
	From, To int
}

var lineRangeRE = regexp.MustCompile(`^L([0-9]{1,6})(?:-L([0-9]{1,6}))?$`)

// ParseLineRange parses "L123" or "L123-L456".
func ParseLineRange(s string) (LineRange, error) {
	m := lineRangeRE.FindStringSubmatch(s)
	if m == nil {
		return LineRange{}, fmt.Errorf("line range %q: want L<n> or L<n>-L<m>", s)
	}
	from, _ := strconv.Atoi(m[1])
	to := from
	if m[2] != "" {
		to, _ = strconv.Atoi(m[2])
	}
	if from < 1 || to < from {
		return LineRange{}, fmt.Errorf("line range %q: want 1 <= from <= to", s)
	}
	return LineRange{From: from, To: to}, nil
}

// String formats the range as the data writes it.
func (r LineRange) String() string {
	if r.From == r.To {
		return "L" + strconv.Itoa(r.From)
	}
	return fmt.Sprintf("L%d-L%d", r.From, r.To)
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (r *LineRange) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	lr, err := ParseLineRange(s)
	if err != nil {
		return err
	}
	*r = lr
	return nil
}

// Area is a functional area (toiminnallinen alue), a row of handbook Table 4.5.3.
type Area struct {
	ID     string      `yaml:"id"`
	NameSV string      `yaml:"name_sv"`
	NameEN string      `yaml:"name_en"`
	Lines  []LineRange `yaml:"lines"`
	Basis  string      `yaml:"basis,omitempty"`
	Note   string      `yaml:"note,omitempty"`
}

// Names holds a profile's names in Finnish, Swedish and English.
type Names struct {
	FI string `yaml:"fi"`
	SV string `yaml:"sv"`
	EN string `yaml:"en"`
}

// AreaMarking is one profile's marking of one functional area.
type AreaMarking struct {
	Area      string      `yaml:"area"`
	Marking   Marking     `yaml:"marking"`
	Qualifier string      `yaml:"qualifier,omitempty"`
	Lines     []LineRange `yaml:"lines"`
	Basis     string      `yaml:"basis,omitempty"`
	Note      string      `yaml:"note,omitempty"`
}

// Override sets a requirement's applicability for one profile explicitly.
type Override struct {
	Requirement string        `yaml:"requirement"`
	Level       Applicability `yaml:"level"`
	Note        string        `yaml:"note"`
}

// Profile is an information-system profile (tietojärjestelmäprofiili).
type Profile struct {
	ID    string `yaml:"id"`
	Table string `yaml:"table"`
	// Phase is "2" or "liittymisvelvoite" (connection obligation).
	Phase string `yaml:"phase"`
	Names Names  `yaml:"names"`
	// NameFITranslated reports that the Finnish name is our translation of the Swedish.
	NameFITranslated bool          `yaml:"name_fi_translated"`
	Purpose          string        `yaml:"purpose"`
	Effective        string        `yaml:"effective"`
	Lines            []LineRange   `yaml:"lines"`
	Description      string        `yaml:"description"`
	NotAlone         string        `yaml:"not_alone,omitempty"`
	Note             string        `yaml:"note,omitempty"`
	Areas            []AreaMarking `yaml:"areas"`
	Overrides        []Override    `yaml:"overrides"`
}

// Marking returns the profile's marking of the area, or MarkNone.
func (p *Profile) Marking(areaID string) Marking {
	for _, a := range p.Areas {
		if a.Area == areaID {
			return a.Marking
		}
	}
	return MarkNone
}

// Requirement is one requirement of the handbook on a connecting client data
// system (asiakastietojärjestelmä) or on the archive's checks of what it sends.
type Requirement struct {
	ID           string       `yaml:"id"`
	Title        string       `yaml:"title"`
	Text         string       `yaml:"text"`
	Section      string       `yaml:"section"`
	Lines        []LineRange  `yaml:"lines"`
	Level        Level        `yaml:"level"`
	Verification Verification `yaml:"verification"`
	Area         string       `yaml:"area"`
	// Rules are the ids of the simulator's validation rules that enforce it.
	Rules []string `yaml:"rules"`
	// NotYetAutomated marks an automatic requirement the simulator cannot exercise yet.
	NotYetAutomated bool `yaml:"not_yet_automated,omitempty"`
	// Basis is "inferred" when the requirement is our reading rather than the handbook's words.
	Basis      string `yaml:"basis,omitempty"`
	Note       string `yaml:"note,omitempty"`
	DomainNote string `yaml:"domain_note,omitempty"`
}

// ProfileRequirement is a requirement as it applies to one profile.
type ProfileRequirement struct {
	*Requirement
	Applicability Applicability
	// Override is the profile's explicit override, or nil when the area marking decided.
	Override *Override
}

// Catalogue holds the areas, profiles and requirements.
type Catalogue struct {
	areas        []*Area
	profiles     []*Profile
	requirements []*Requirement
	areaByID     map[string]*Area
	profileByID  map[string]*Profile
	reqByID      map[string]*Requirement
}

// Areas returns the functional areas in file order.
func (c *Catalogue) Areas() []*Area { return c.areas }

// Area returns the area with the id, or nil.
func (c *Catalogue) Area(id string) *Area { return c.areaByID[id] }

// Profiles returns the profiles sorted by id.
func (c *Catalogue) Profiles() []*Profile { return c.profiles }

// Profile returns the profile with the id, or nil.
func (c *Catalogue) Profile(id string) *Profile { return c.profileByID[id] }

// Requirements returns all requirements sorted by id.
func (c *Catalogue) Requirements() []*Requirement { return c.requirements }

// Requirement returns the requirement with the id, or nil.
func (c *Catalogue) Requirement(id string) *Requirement { return c.reqByID[id] }

// RequirementsFor returns the requirements that apply to the profile, sorted by
// id, each with its applicability; excluded requirements are left out. It
// returns nil for an unknown profile.
func (c *Catalogue) RequirementsFor(profileID string) []ProfileRequirement {
	p := c.profileByID[profileID]
	if p == nil {
		return nil
	}
	overrides := make(map[string]*Override, len(p.Overrides))
	for i := range p.Overrides {
		overrides[p.Overrides[i].Requirement] = &p.Overrides[i]
	}
	var out []ProfileRequirement
	for _, r := range c.requirements {
		pr := ProfileRequirement{Requirement: r, Applicability: derive(p.Marking(r.Area), r.Level)}
		if o := overrides[r.ID]; o != nil {
			pr.Applicability, pr.Override = o.Level, o
		}
		if pr.Applicability != Excluded {
			out = append(out, pr)
		}
	}
	return out
}

// derive gives a requirement's applicability from its area's marking:
// a SHALL in a mandatory area is mandatory, in a conditional area conditional;
// SHOULD and MAY are optional wherever the area applies.
func derive(m Marking, l Level) Applicability {
	switch {
	case m == MarkNone:
		return Excluded
	case l != Shall:
		return Optional
	case m == MarkMandatory:
		return Mandatory
	default:
		return Conditional
	}
}

// Default loads the catalogue embedded in the package.
func Default() (*Catalogue, error) {
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		return nil, fmt.Errorf("embedded catalogue: %w", err)
	}
	return Load(sub)
}

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
