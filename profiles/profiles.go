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
// The data lives in YAML files of package catalogue (see catalogue/README.md),
// which embeds them, loads them with [Load] and checks their link to the rule
// catalogue. [Load] reads any file system with the same layout:
//
//	areas.yaml
//	profiles/*.yaml
//	requirements/*.yaml
package profiles

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
