package profiles

import (
	"fmt"
	"sort"
	"strings"
)

// ProblemKind classifies a traceability problem found by [Check].
type ProblemKind string

// The problem kinds.
const (
	// Uncovered: a mandatory, automatically verified requirement of some
	// profile, not marked not_yet_automated, has no scenario.
	Uncovered ProblemKind = "uncovered"
	// UnknownRequirement: a scenario tag names a requirement the catalogue lacks.
	UnknownRequirement ProblemKind = "unknown-requirement"
	// TaggedNotYetAutomated: a requirement marked not_yet_automated is
	// tagged on scenarios, so it is automated after all.
	TaggedNotYetAutomated ProblemKind = "tagged-not-yet-automated"
)

// Problem is one traceability problem.
type Problem struct {
	Kind        ProblemKind
	Requirement string
	// Profiles lists the profiles for which the requirement is mandatory (Uncovered only).
	Profiles []string
	// Scenarios lists the scenarios carrying the tag (UnknownRequirement
	// and TaggedNotYetAutomated only).
	Scenarios []string
}

// String describes the problem in one line.
func (p Problem) String() string {
	switch p.Kind {
	case Uncovered:
		return fmt.Sprintf("%s: mandatory automatic requirement has no scenario (profiles %s)", p.Requirement, strings.Join(p.Profiles, ", "))
	case UnknownRequirement:
		return fmt.Sprintf("@req:%s: unknown requirement, tagged on %s", p.Requirement, strings.Join(p.Scenarios, ", "))
	case TaggedNotYetAutomated:
		return fmt.Sprintf("%s: marked not_yet_automated but tagged on %s", p.Requirement, strings.Join(p.Scenarios, ", "))
	}
	return fmt.Sprintf("%s: %s", p.Requirement, p.Kind)
}

// Check reports the traceability problems of the catalogue. scenarioTags maps a
// requirement id to the names of the scenarios tagged @req:ID. (A requirement
// naming an unknown rule is caught earlier: package catalogue refuses to load
// it.) Problems are sorted by kind, then requirement.
func Check(c *Catalogue, scenarioTags map[string][]string) []Problem {
	var out []Problem
	uncovered := map[string][]string{}
	for _, p := range c.profiles {
		for _, pr := range c.RequirementsFor(p.ID) {
			if pr.Applicability == Mandatory && pr.Verification == Automatic && !pr.NotYetAutomated && len(scenarioTags[pr.ID]) == 0 {
				uncovered[pr.ID] = append(uncovered[pr.ID], p.ID)
			}
		}
	}
	for id, profs := range uncovered {
		out = append(out, Problem{Kind: Uncovered, Requirement: id, Profiles: profs})
	}
	for id, scenarios := range scenarioTags {
		if r := c.reqByID[id]; r != nil && r.NotYetAutomated && len(scenarios) > 0 {
			s := append([]string(nil), scenarios...)
			sort.Strings(s)
			out = append(out, Problem{Kind: TaggedNotYetAutomated, Requirement: id, Scenarios: s})
		}
		if c.reqByID[id] == nil {
			s := append([]string(nil), scenarios...)
			sort.Strings(s)
			out = append(out, Problem{Kind: UnknownRequirement, Requirement: id, Scenarios: s})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Requirement < b.Requirement
	})
	return out
}

// Coverage summarises how a profile's requirements are verified.
type Coverage struct {
	Profile string
	// Requirements counts the requirements that apply (mandatory, conditional or optional).
	Requirements int
	// Mandatory counts those that are mandatory for the profile.
	Mandatory int
	// Automated counts automatic requirements covered by at least one scenario.
	Automated int
	// Attestation counts requirements verified by the vendor's attestation.
	Attestation int
	// Manual counts requirements verified by the coordinator.
	Manual int
	// NotYetAutomated counts automatic requirements the simulator cannot exercise yet
	// and that no scenario covers.
	NotYetAutomated int
	// Uncovered counts the remaining automatic requirements: no scenario yet.
	Uncovered int
}

// String formats the summary as one line.
func (c Coverage) String() string {
	return fmt.Sprintf("%s: %d requirements (%d mandatory): %d automated, %d attestation, %d manual, %d not yet automated, %d without scenario",
		c.Profile, c.Requirements, c.Mandatory, c.Automated, c.Attestation, c.Manual, c.NotYetAutomated, c.Uncovered)
}

// Coverage summarises the verification of the profile's requirements given the
// scenario tags (requirement id → scenario names).
func (c *Catalogue) Coverage(profileID string, scenarioTags map[string][]string) (Coverage, error) {
	if c.profileByID[profileID] == nil {
		return Coverage{}, fmt.Errorf("coverage: unknown profile %q", profileID)
	}
	cov := Coverage{Profile: profileID}
	for _, pr := range c.RequirementsFor(profileID) {
		cov.Requirements++
		if pr.Applicability == Mandatory {
			cov.Mandatory++
		}
		switch {
		case pr.Verification == Attestation:
			cov.Attestation++
		case pr.Verification == Manual:
			cov.Manual++
		case len(scenarioTags[pr.ID]) > 0:
			cov.Automated++
		case pr.NotYetAutomated:
			cov.NotYetAutomated++
		default:
			cov.Uncovered++
		}
	}
	return cov, nil
}
