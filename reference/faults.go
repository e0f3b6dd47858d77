package reference

import (
	_ "embed"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/yhteistestaus/yhteistestaus/datafile"

	"github.com/yhteistestaus/yhteistestaus/sut"
)

//go:embed faults.yaml
var faultsYAML []byte

// Fault is one fault the reference system can inject: a way of breaking
// exactly one requirement of the catalogue.
type Fault struct {
	// Name is the fault's name for Options.Faults and --fault.
	Name string `yaml:"name"`
	// Description says in English what the system does wrong.
	Description string `yaml:"description"`
	// Requirements are the ids of the requirements the fault breaks
	// (catalogue/requirements).
	Requirements []string `yaml:"requirements"`
	// Action is the driver action during which the fault acts.
	Action sut.Action `yaml:"action"`
	// Rule is the simulator rule expected to catch the fault; empty when
	// the archive cannot see it and only its state shows it.
	Rule string `yaml:"rule,omitempty"`
	// Observed says, for a fault without a Rule, how the archive's state
	// shows it.
	Observed string `yaml:"observed,omitempty"`
}

// Faults returns the faults the reference system can inject, in the order
// of the embedded list faults.yaml.
func Faults() ([]Fault, error) {
	return parseFaults(faultsYAML)
}

// parseFaults reads a fault list strictly: unknown fields, a fault without
// a name, description, requirement or action, and duplicate names are
// errors.
func parseFaults(data []byte) ([]Fault, error) {
	var file struct {
		Faults []Fault `yaml:"faults"`
	}
	if err := datafile.Decode(data, &file); err != nil {
		return nil, fmt.Errorf("read fault list: %w", err)
	}
	seen := make(map[string]bool)
	var problems []error
	for i, f := range file.Faults {
		switch {
		case f.Name == "":
			problems = append(problems, fmt.Errorf("fault %d has no name", i+1))
		case seen[f.Name]:
			problems = append(problems, fmt.Errorf("fault %s is listed twice", f.Name))
		case f.Description == "" || len(f.Requirements) == 0 || f.Action == "":
			problems = append(problems, fmt.Errorf("fault %s needs a description, requirements and an action", f.Name))
		case !slices.Contains(sut.Actions(), f.Action):
			problems = append(problems, fmt.Errorf("fault %s: unknown action %q", f.Name, f.Action))
		case f.Rule == "" && f.Observed == "":
			problems = append(problems, fmt.Errorf("fault %s needs a rule or, when no rule catches it, what the archive state shows (observed)", f.Name))
		}
		seen[f.Name] = true
	}
	if err := errors.Join(problems...); err != nil {
		return nil, fmt.Errorf("read fault list: %w", err)
	}
	return file.Faults, nil
}

// activeFault is a fault injected into a System, with its hook.
type activeFault struct {
	Fault
	hook hook
}

// faultTable joins the fault list and the hook table into one table, by
// name. Every fault needs exactly one hook and every hook a fault: a name in
// one and not the other is an error, so that no fault can be listed (and
// offered to --fault) without doing anything, nor a hook sit unused.
func faultTable(faults []Fault, hooks map[string]hook) (map[string]activeFault, error) {
	table := make(map[string]activeFault, len(faults))
	var problems []error
	for _, f := range faults {
		h, ok := hooks[f.Name]
		if !ok {
			problems = append(problems, fmt.Errorf("fault %s is in faults.yaml but has no hook", f.Name))
			continue
		}
		table[f.Name] = activeFault{Fault: f, hook: h}
	}
	for _, name := range slices.Sorted(maps.Keys(hooks)) {
		if !slices.ContainsFunc(faults, func(f Fault) bool { return f.Name == name }) {
			problems = append(problems, fmt.Errorf("hook %s has no fault in faults.yaml", name))
		}
	}
	if err := errors.Join(problems...); err != nil {
		return nil, fmt.Errorf("fault table: %w", err)
	}
	return table, nil
}

// activate looks up the named faults in the fault table; an unknown name is
// an error listing the known ones.
func activate(names []string) ([]activeFault, error) {
	if len(names) == 0 {
		return nil, nil
	}
	faults, err := Faults()
	if err != nil {
		return nil, fmt.Errorf("reference: %w", err)
	}
	table, err := faultTable(faults, hooks())
	if err != nil {
		return nil, fmt.Errorf("reference: %w", err)
	}
	var out []activeFault
	for _, name := range names {
		f, ok := table[name]
		if !ok {
			known := make([]string, len(faults))
			for j, f := range faults {
				known[j] = f.Name
			}
			return nil, fmt.Errorf("reference: unknown fault %q; known faults: %s", name, strings.Join(known, ", "))
		}
		out = append(out, f)
	}
	return out, nil
}

// hooksFor returns the hooks of the faults that act during the action.
func (s *System) hooksFor(a sut.Action) []hook {
	var out []hook
	for _, f := range s.faults {
		if f.Action == a {
			out = append(out, f.hook)
		}
	}
	return out
}

// behaves reports whether an injected fault that acts during the action
// changes the system's behaviour in the way b names.
func (s *System) behaves(a sut.Action, b behaviour) bool {
	for _, h := range s.hooksFor(a) {
		if h.behaviour&b != 0 {
			return true
		}
	}
	return false
}
