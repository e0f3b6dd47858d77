// Package judge turns the outcome of a conformance run's scenarios into a
// status per requirement (vaatimus), the root causes of the failures and the
// run's verdict.
//
// A scenario names the requirements it verifies with two kinds of tag:
//
//   - @about:ID, the requirement the scenario is about. A failure the
//     harness detects itself (nothing was sent, the archive holds the wrong
//     state: a step failing without an archive finding) belongs to it.
//   - @req:ID, a requirement the scenario's messages exercise through the
//     archive's rules (the identity, frame and signature rules checked on
//     every message). It fails only when one of its own rules fires.
//
// A failure with archive findings belongs to the requirements whose rules
// fired: those the scenario names first, else any of the profile's, else
// (a rule no requirement links) the scenario's @about requirements. A
// requirement that a scenario is about, when that scenario failed on
// another requirement's defect, was not verified: it is not tested, and
// listed as blocked by that root cause.
package judge

import (
	_ "embed"
	"fmt"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/datafile"
	"github.com/yhteistestaus/yhteistestaus/profiles"
)

// Check is a check the harness makes itself rather than an archive rule.
type Check struct {
	// ID is the check's stable id, e.g. "HARNESS-ACTION".
	ID string `yaml:"id"`
	// Layer is the step layer whose steps make the check, or empty.
	Layer string `yaml:"layer"`
	// Title says in one sentence what the check requires of the system.
	Title string `yaml:"title"`
}

// Ids of the harness checks that the runner assigns itself; the others are
// assigned by step layer (CheckForLayer).
const (
	// CheckNoMessage: an action answered ok sent no message.
	CheckNoMessage = "HARNESS-NO-MESSAGE"
	// CheckNoAnswer: the system or its operator did not answer in time.
	CheckNoAnswer = "HARNESS-NO-ANSWER"
	// CheckScenario: an error outside the scenario's steps.
	CheckScenario = "HARNESS-SCENARIO"
	// CheckUndefined: a step without a definition.
	CheckUndefined = "HARNESS-UNDEFINED-STEP"
)

//go:embed checks.yaml
var checksYAML []byte

// Checks returns the harness checks, in file order.
func Checks() ([]Check, error) {
	var f struct {
		Checks []Check `yaml:"checks"`
	}
	if err := datafile.Decode(checksYAML, &f); err != nil {
		return nil, fmt.Errorf("parse harness checks: %w", err)
	}
	return f.Checks, nil
}

// CheckForLayer returns the id of the check that steps of the layer make,
// or CheckScenario for an unknown layer.
func CheckForLayer(checks []Check, layer string) string {
	for _, c := range checks {
		if c.Layer != "" && c.Layer == layer {
			return c.ID
		}
	}
	return CheckScenario
}

// Input is what the judge needs of a run.
type Input struct {
	// Requirements are the profile's requirements (excluded ones left out).
	Requirements []profiles.ProfileRequirement
	// Scenarios are the scenarios run, in order, with their step outcomes;
	// a step that failed without findings carries its harness check id.
	Scenarios []yhteistestaus.ScenarioResult
	// Attestations are the vendor's evidence by requirement id.
	Attestations map[string]string
	// Partial is true when a tag filter selected the scenarios: the
	// verdict then covers only the requirements they verify.
	Partial bool
	// Title gives the one-line title of a rule or harness check id, for
	// the root causes; nil leaves titles empty.
	Title func(id string) string
	// Stateful tells whether a rule judges a message against what the
	// archive already holds (the rule catalogue's archive stage); nil
	// means none does.
	Stateful func(rule string) bool
	// Shared are the functional areas every profile marks mandatory (the
	// message transport every connecting system shares). A full run that
	// verified mandatory requirements of these areas only has verified
	// nothing of the profile's own: its verdict is not yet automated.
	Shared []string
}

// Outcome is the judgement of a run.
type Outcome struct {
	Requirements []yhteistestaus.RequirementResult
	RootCauses   []yhteistestaus.RootCause
	Summary      map[yhteistestaus.Status]int
	Verdict      yhteistestaus.Status
}

// Judge gives each requirement its status, groups the failures into root
// causes and decides the verdict.
func Judge(in Input) Outcome {
	j := newJudgement(in)
	j.attribute()
	out := Outcome{Requirements: j.statuses()}
	out.RootCauses = j.rootCauses()
	out.Summary, out.Verdict = verdict(out.Requirements, out.RootCauses, in.Partial, in.Shared)
	return out
}

// judgement is the state of one Judge call.
type judgement struct {
	in  Input
	req map[string]*profiles.ProfileRequirement
	// owners lists, per rule id, the automatic requirements linking it.
	owners map[string][]string
	// failures are the failures attributed to each requirement.
	failures map[string][]yhteistestaus.Failure
	// causes are the root causes by id, in order of first appearance.
	causes map[string]*yhteistestaus.RootCause
	order  []string
	// scenarioCauses are the root cause ids of each failed scenario.
	scenarioCauses map[int][]string
	// support counts the failed steps each rule fired in; aboutRules are
	// the rules of requirements that a scenario they fired in is about.
	// relevantRules are those of requirements a scenario they fired in
	// verifies at all.
	support       map[string]int
	aboutRules    map[string]bool
	relevantRules map[string]bool
	// silent lists, per silent action, the root causes that follow from
	// it (see merge).
	silent map[string][]string
}

func newJudgement(in Input) *judgement {
	j := &judgement{
		in:             in,
		req:            make(map[string]*profiles.ProfileRequirement),
		owners:         make(map[string][]string),
		failures:       make(map[string][]yhteistestaus.Failure),
		causes:         make(map[string]*yhteistestaus.RootCause),
		scenarioCauses: make(map[int][]string),
		silent:         make(map[string][]string),
	}
	for i := range in.Requirements {
		pr := &in.Requirements[i]
		j.req[pr.ID] = pr
		if pr.Verification != profiles.Automatic {
			continue
		}
		for _, rule := range pr.Rules {
			j.owners[rule] = append(j.owners[rule], pr.ID)
		}
	}
	return j
}
