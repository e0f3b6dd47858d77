package catalogue

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/yhteistestaus/yhteistestaus/datafile"

	"github.com/yhteistestaus/yhteistestaus"
)

// Basis says whether the handbook states a rule or the simulator infers it.
type Basis string

// The bases a rule can have.
const (
	// BasisHandbook marks a rule the handbook states.
	BasisHandbook Basis = "handbook"
	// BasisInferred marks a rule that is the simulator's reading of the
	// handbook or of a public specification; it is a documented choice.
	BasisInferred Basis = "inferred"
	// BasisWire marks a rule taken from public wire-level material
	// (wire-facts.md, the real sample messages).
	BasisWire Basis = "wire"
)

// Stages returns the stages of validation, in the order the engine runs
// them. Each call returns a new slice, which the caller may change.
func Stages() []string {
	return []string{
		"wire", "xml", "frame", "header", "codes", "identity", "consistency", "body", "signature", "archive",
	}
}

// Rule is one entry of the catalogue.
type Rule struct {
	// ID is the stable rule id, e.g. "ID-HETU-CHECK".
	ID string `yaml:"id" json:"id"`
	// Stage is one of Stages().
	Stage string `yaml:"stage" json:"stage"`
	// Severity is the severity of the rule's findings.
	Severity yhteistestaus.Severity `yaml:"severity" json:"severity"`
	// Title is a one-line statement of the rule.
	Title string `yaml:"title" json:"title"`
	// Basis tells whether the handbook states the rule or it is inferred.
	Basis Basis `yaml:"basis" json:"basis"`
	// Section is the handbook section (or public source) the rule enforces.
	Section string `yaml:"section" json:"section"`
	// Lines are the handbook line numbers, e.g. "L25950-L25954".
	Lines string `yaml:"lines,omitempty" json:"lines,omitempty"`
	// Note explains an inference or a choice.
	Note string `yaml:"note,omitempty" json:"note,omitempty"`
}

// Source formats the rule's source for a finding: "handbook 9.12.3 L25950"
// or "inferred from handbook 9.10.1 L24567-L24584".
func (r Rule) Source() string {
	var b strings.Builder
	switch r.Basis {
	case BasisInferred:
		b.WriteString("inferred from ")
	}
	b.WriteString(r.Section)
	if r.Lines != "" {
		b.WriteString(" ")
		b.WriteString(r.Lines)
	}
	return b.String()
}

// Rules is the rule catalogue: every rule, looked up by id.
type Rules struct {
	rules map[string]Rule
	order []string
}

// LoadRules reads the rule catalogue from the YAML files of fsys (every
// *.yaml file in its root). It fails on unknown fields, duplicate ids,
// unknown stages or bases and missing titles or sources.
func LoadRules(fsys fs.FS) (*Rules, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list rule files: %w", err)
	}
	if len(names) == 0 {
		return nil, errors.New("no rule files")
	}
	c := &Rules{rules: make(map[string]Rule)}
	validStage := make(map[string]bool)
	for _, s := range Stages() {
		validStage[s] = true
	}
	for _, name := range names {
		var rs []Rule
		if err := datafile.Read(fsys, name, &rs); err != nil {
			return nil, fmt.Errorf("parse %w", err)
		}
		for _, r := range rs {
			switch {
			case r.ID == "":
				return nil, fmt.Errorf("%s: rule without id", name)
			case c.has(r.ID):
				return nil, fmt.Errorf("%s: duplicate rule id %s", name, r.ID)
			case !validStage[r.Stage]:
				return nil, fmt.Errorf("%s: rule %s: unknown stage %q", name, r.ID, r.Stage)
			case r.Basis != BasisHandbook && r.Basis != BasisInferred && r.Basis != BasisWire:
				return nil, fmt.Errorf("%s: rule %s: unknown basis %q", name, r.ID, r.Basis)
			case r.Title == "":
				return nil, fmt.Errorf("%s: rule %s: no title", name, r.ID)
			case r.Section == "":
				return nil, fmt.Errorf("%s: rule %s: no source section", name, r.ID)
			case r.Basis == BasisHandbook && r.Lines == "":
				return nil, fmt.Errorf("%s: rule %s: a handbook rule needs its line numbers", name, r.ID)
			}
			c.rules[r.ID] = r
			c.order = append(c.order, r.ID)
		}
	}
	return c, nil
}

func (c *Rules) has(id string) bool { _, ok := c.rules[id]; return ok }

// DefaultRules returns the embedded rule catalogue (rules/*.yaml). It
// panics only if the embedded files are broken, which the package's tests
// rule out. [Default] loads it together with the requirement catalogue.
func DefaultRules() *Rules {
	c, err := LoadRules(ruleFiles())
	if err != nil {
		panic(fmt.Sprintf("embedded rule catalogue: %v", err))
	}
	return c
}

// Rule returns the rule with the id.
func (c *Rules) Rule(id string) (Rule, bool) {
	r, ok := c.rules[id]
	return r, ok
}

// All returns every rule, in stage order and then in file order.
func (c *Rules) All() []Rule {
	rank := make(map[string]int)
	for i, s := range Stages() {
		rank[s] = i
	}
	out := make([]Rule, 0, len(c.order))
	for _, id := range c.order {
		out = append(out, c.rules[id])
	}
	sort.SliceStable(out, func(i, j int) bool { return rank[out[i].Stage] < rank[out[j].Stage] })
	return out
}

// Finding builds a finding of the rule. An id missing from the catalogue is
// a programming error; it is reported as an error finding of rule
// "INTERNAL-UNKNOWN-RULE" rather than a panic, so that a server keeps going.
func (c *Rules) Finding(id, location, format string, args ...any) yhteistestaus.Finding {
	r, ok := c.rules[id]
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	if !ok {
		return yhteistestaus.Finding{
			Rule:     "INTERNAL-UNKNOWN-RULE",
			Severity: yhteistestaus.SeverityError,
			Message:  fmt.Sprintf("rule %s is not in the catalogue: %s", id, msg),
			Location: location,
		}
	}
	return yhteistestaus.Finding{
		Rule:     r.ID,
		Severity: r.Severity,
		Message:  msg,
		Location: location,
		Source:   r.Source(),
	}
}

// Stage returns the ids of the rules of one stage.
func (c *Rules) Stage(stage string) []string {
	var ids []string
	for _, id := range c.order {
		if c.rules[id].Stage == stage {
			ids = append(ids, id)
		}
	}
	return ids
}
