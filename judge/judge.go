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
	"maps"
	"regexp"
	"slices"
	"strings"

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

// attribute walks the failed steps and gives each failure to its
// requirements and its root cause.
func (j *judgement) attribute() {
	j.count()
	for i := range j.in.Scenarios {
		s := &j.in.Scenarios[i]
		if s.Status != yhteistestaus.StatusFailed {
			continue
		}
		for _, st := range s.Steps {
			if st.Status != yhteistestaus.StatusFailed && st.Status != yhteistestaus.StatusUndefined {
				continue
			}
			if len(st.Findings) == 0 {
				check := st.Check
				if check == "" {
					check = CheckScenario
				}
				if st.Status == yhteistestaus.StatusUndefined {
					check = CheckUndefined
				}
				f := yhteistestaus.Failure{Scenario: s.Name, Step: st.Text, Error: st.Error, Excerpt: st.Excerpt, Rule: check}
				id := check + "|" + Phrase(st.Text)
				if check == CheckNoMessage && st.Silent != "" {
					id = check + "|" + st.Silent
				}
				if st.Silent != "" {
					j.silent[st.Silent] = appendNew(j.silent[st.Silent], id)
				}
				j.fail(i, id, true, f, j.applicable(s.About))
				continue
			}
			fired := j.fired(st.Findings)
			primary := j.primary(fired)
			failure := func(rule string) yhteistestaus.Failure {
				fd := finding(st.Findings, rule)
				f := yhteistestaus.Failure{Scenario: s.Name, Step: st.Text, Error: st.Error, Rule: fd.Rule, Source: fd.Source, Location: fd.Location}
				f.Excerpt, f.MessageSeq = excerptFor(st, rule)
				return f
			}
			j.fail(i, primary, false, failure(primary), j.ruleOwners(s, primary))
			if st.Silent != "" {
				j.silent[st.Silent] = appendNew(j.silent[st.Silent], primary)
			}
			for _, rule := range fired {
				if rule != primary {
					j.alsoFail(primary, failure(rule), j.ruleOwners(s, rule))
				}
			}
		}
	}
	j.merge()
}

// merge joins the root causes that follow from one silent action (an
// action the system answered ok to that sent nothing): the "no message"
// check where a scenario looked for its message, and the archive's findings
// on later actions of scenarios that went on (a case stored before a client
// relation document that never came). They are one defect, reported under
// the archive's own rule with the most scenarios, else the check.
func (j *judgement) merge() {
	alias := make(map[string]string)
	resolve := func(id string) string {
		for alias[id] != "" {
			id = alias[id]
		}
		return id
	}
	for _, action := range slices.Sorted(maps.Keys(j.silent)) {
		var ids []string
		for _, id := range j.silent[action] {
			ids = appendNew(ids, resolve(id))
		}
		target := ids[0]
		for _, id := range ids[1:] {
			a, b := j.causes[id], j.causes[target]
			if a.Harness != b.Harness && !a.Harness || a.Harness == b.Harness && len(a.Scenarios) > len(b.Scenarios) {
				target = id
			}
		}
		for _, id := range ids {
			if id != target {
				alias[id] = target
			}
		}
	}
	if len(alias) == 0 {
		return
	}
	for id := range alias {
		from, to := j.causes[id], j.causes[resolve(id)]
		for _, s := range from.Scenarios {
			to.Scenarios = appendNew(to.Scenarios, s)
		}
		for _, r := range from.Requirements {
			to.Requirements = appendNew(to.Requirements, r)
		}
		delete(j.causes, id)
	}
	j.order = slices.DeleteFunc(j.order, func(id string) bool { return alias[id] != "" })
	for r, fs := range j.failures {
		for k := range fs {
			fs[k].Cause = resolve(fs[k].Cause)
		}
		j.failures[r] = fs
	}
	for i, ids := range j.scenarioCauses {
		var out []string
		for _, id := range ids {
			out = appendNew(out, resolve(id))
		}
		j.scenarioCauses[i] = out
	}
}

func appendNew(list []string, v string) []string {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

// fired returns the distinct rules of a step's findings, in order. A rule
// that judges the message against what the archive already holds (the
// storage order, a joint case's clients) is left out when the message also
// broke a rule of its own content: the archive state it checks against is
// then the outcome of the same defect, not a second one.
func (j *judgement) fired(fs yhteistestaus.Findings) []string {
	var own, stateful []string
	for _, f := range fs {
		switch {
		case slices.Contains(own, f.Rule) || slices.Contains(stateful, f.Rule):
		case j.in.Stateful != nil && j.in.Stateful(f.Rule):
			stateful = append(stateful, f.Rule)
		default:
			own = append(own, f.Rule)
		}
	}
	if len(own) > 0 {
		return own
	}
	return stateful
}

// primary picks the rule a step's failure is grouped under: the rule of a
// requirement some failing scenario is about, where it fired there, else
// the rule of a requirement some failing scenario verifies, where it fired
// there, else the rule that fired in the most failed steps of the run,
// else the first.
// So one defect whose message breaks several rules is one root cause in
// every scenario it surfaces in.
func (j *judgement) primary(fired []string) string {
	best := fired[0]
	for _, r := range fired[1:] {
		if j.rank(r) > j.rank(best) {
			best = r
		}
	}
	return best
}

func (j *judgement) rank(rule string) int {
	n := j.support[rule]
	if j.relevantRules[rule] {
		n += 1 << 10
	}
	if j.aboutRules[rule] {
		n += 1 << 20
	}
	return n
}

// count fills in the support of each rule and the rules of requirements
// failing scenarios are about, before attribution.
func (j *judgement) count() {
	j.support = make(map[string]int)
	j.aboutRules = make(map[string]bool)
	j.relevantRules = make(map[string]bool)
	for _, s := range j.in.Scenarios {
		if s.Status != yhteistestaus.StatusFailed {
			continue
		}
		for _, st := range s.Steps {
			if st.Status != yhteistestaus.StatusFailed || len(st.Findings) == 0 {
				continue
			}
			for _, r := range j.fired(st.Findings) {
				j.support[r]++
				for _, id := range s.Requirements {
					if pr, ok := j.req[id]; ok && slices.Contains(pr.Rules, r) {
						j.relevantRules[r] = true
						j.aboutRules[r] = j.aboutRules[r] || slices.Contains(s.About, id)
					}
				}
			}
		}
	}
}

func finding(fs yhteistestaus.Findings, rule string) yhteistestaus.Finding {
	for _, f := range fs {
		if f.Rule == rule {
			return f
		}
	}
	return yhteistestaus.Finding{Rule: rule}
}

// ruleOwners returns the requirements a finding of the rule fails: those
// of the scenario linking the rule, else the profile's, else the ones the
// scenario is about.
func (j *judgement) ruleOwners(s *yhteistestaus.ScenarioResult, rule string) []string {
	var own []string
	for _, id := range j.owners[rule] {
		if slices.Contains(s.Requirements, id) || slices.Contains(s.About, id) {
			own = append(own, id)
		}
	}
	if len(own) > 0 {
		return own
	}
	if len(j.owners[rule]) > 0 {
		return j.owners[rule]
	}
	return j.applicable(s.About)
}

// applicable keeps the automatic requirements of the profile among ids.
func (j *judgement) applicable(ids []string) []string {
	var out []string
	for _, id := range ids {
		if pr, ok := j.req[id]; ok && pr.Verification == profiles.Automatic {
			out = append(out, id)
		}
	}
	return out
}

// fail records failure f of scenario i under the root cause id for the
// requirements reqs.
func (j *judgement) fail(i int, id string, harness bool, f yhteistestaus.Failure, reqs []string) {
	s := &j.in.Scenarios[i]
	rc, ok := j.causes[id]
	if !ok {
		rc = &yhteistestaus.RootCause{
			ID: id, Rule: f.Rule, Harness: harness, Step: f.Step,
			Message: firstLine(f.Error), Source: f.Source, Location: f.Location, Excerpt: f.Excerpt, MessageSeq: f.MessageSeq,
			Scenarios: []string{}, Requirements: []string{},
		}
		if j.in.Title != nil {
			rc.Title = j.in.Title(f.Rule)
		}
		j.causes[id] = rc
		j.order = append(j.order, id)
	}
	if rc.Excerpt == "" && f.Excerpt != "" {
		// The first failure with the message as received shows it.
		rc.Excerpt, rc.MessageSeq, rc.Location = f.Excerpt, f.MessageSeq, f.Location
	}
	if !slices.Contains(rc.Scenarios, s.Name) {
		rc.Scenarios = append(rc.Scenarios, s.Name)
	}
	if !slices.Contains(j.scenarioCauses[i], id) {
		j.scenarioCauses[i] = append(j.scenarioCauses[i], id)
	}
	f.Cause = id
	for _, r := range reqs {
		if !slices.Contains(rc.Requirements, r) {
			rc.Requirements = append(rc.Requirements, r)
		}
		j.failures[r] = append(j.failures[r], f)
	}
}

// alsoFail records failure f, of another rule of the same messages, under
// the root cause id of the step's primary rule, for the requirements reqs.
func (j *judgement) alsoFail(id string, f yhteistestaus.Failure, reqs []string) {
	rc := j.causes[id]
	f.Cause = id
	for _, r := range reqs {
		if !slices.Contains(rc.Requirements, r) {
			rc.Requirements = append(rc.Requirements, r)
		}
		j.failures[r] = append(j.failures[r], f)
	}
}

// statuses gives every requirement of the profile its status.
func (j *judgement) statuses() []yhteistestaus.RequirementResult {
	var out []yhteistestaus.RequirementResult
	for _, pr := range j.in.Requirements {
		rr := yhteistestaus.RequirementResult{
			ID: pr.ID, Title: pr.Title, Section: pr.Section, Lines: joinLines(pr.Lines),
			Level: string(pr.Level), Applicability: string(pr.Applicability), Verification: string(pr.Verification),
			Area: pr.Area,
		}
		var about, covers []int
		for i, s := range j.in.Scenarios {
			isAbout := slices.Contains(s.About, pr.ID)
			if isAbout || slices.Contains(s.Requirements, pr.ID) {
				rr.Scenarios = append(rr.Scenarios, s.Name)
				covers = append(covers, i)
			}
			if isAbout {
				about = append(about, i)
			}
		}
		switch {
		case pr.Verification == profiles.Attestation:
			if ev, ok := j.in.Attestations[pr.ID]; ok {
				rr.Status, rr.Evidence = yhteistestaus.StatusAttested, ev
			} else {
				rr.Status = yhteistestaus.StatusToBeAttested
			}
		case pr.Verification == profiles.Manual:
			rr.Status = yhteistestaus.StatusManual
		case pr.NotYetAutomated && len(covers) == 0:
			rr.Status = yhteistestaus.StatusNotYetAutomated
		case len(j.failures[pr.ID]) > 0:
			rr.Status, rr.Failures = yhteistestaus.StatusFailed, j.failures[pr.ID]
		default:
			rr.Status, rr.NotTested = j.unfailed(pr.ID, about, covers)
		}
		out = append(out, rr)
	}
	return out
}

// unfailed judges an automatic requirement no failure is attributed to,
// from the scenarios it is about and those that cover it. The scenarios it
// is about decide when there are any: each must have passed; one that was
// not supported makes it not supported, one that failed on another
// requirement's defect leaves it not tested (blocked by that root cause).
// A requirement only covered passes when a covering scenario passed. A
// deciding scenario that a precondition step found the run unable to test
// (steps.NotTestableError) leaves the requirement not tested, with the
// reason, which is returned too.
func (j *judgement) unfailed(id string, about, covers []int) (yhteistestaus.Status, string) {
	decide := covers
	if len(about) > 0 {
		decide = about
	}
	passed, unsupported, untestable := 0, 0, 0
	var blocked []int
	reason := ""
	for _, i := range decide {
		switch j.in.Scenarios[i].Status {
		case yhteistestaus.StatusPassed:
			passed++
		case yhteistestaus.StatusNotSupported:
			unsupported++
		case yhteistestaus.StatusNotTested:
			untestable++
			if reason == "" {
				reason = notTestedReason(j.in.Scenarios[i])
			}
		case yhteistestaus.StatusFailed:
			blocked = append(blocked, i)
		}
	}
	switch {
	case len(decide) == 0:
		return yhteistestaus.StatusNotTested, ""
	case unsupported > 0 && (len(about) > 0 || passed == 0):
		return yhteistestaus.StatusNotSupported, ""
	case len(about) > 0 && len(blocked) == 0 && untestable == 0, len(about) == 0 && passed > 0:
		return yhteistestaus.StatusPassed, ""
	case untestable > 0 && len(blocked) == 0:
		return yhteistestaus.StatusNotTested, reason
	}
	if len(about) == 0 {
		// Only covered: the failing scenarios were about something else,
		// and their causes block what they are about.
		return yhteistestaus.StatusNotTested, ""
	}
	for _, i := range blocked {
		for _, c := range j.scenarioCauses[i] {
			rc := j.causes[c]
			if !slices.Contains(rc.Requirements, id) {
				rc.Requirements = append(rc.Requirements, id)
			}
		}
	}
	return yhteistestaus.StatusNotTested, ""
}

// notTestedReason is why a not-tested scenario could not be tested: the
// error of its step that found the run unable to test it.
func notTestedReason(sc yhteistestaus.ScenarioResult) string {
	for _, st := range sc.Steps {
		if st.Status == yhteistestaus.StatusNotTested && st.Error != "" {
			return st.Error
		}
	}
	return "a precondition of the scenario was not met"
}

func (j *judgement) rootCauses() []yhteistestaus.RootCause {
	var out []yhteistestaus.RootCause
	for _, id := range j.order {
		out = append(out, *j.causes[id])
	}
	return out
}

// verdict counts requirements by status and decides the run. A run fails
// when a mandatory automatic requirement it covers failed, was not
// supported or was left untested (other than for a reason the run gives,
// such as missing THL structures), or when a failure belongs to no
// requirement at all. A full run in which no mandatory requirement of the
// profile's own areas (outside the shared ones) could be verified
// automatically is not yet automated, not passed. A partial run (a tag
// filter) covers only the requirements its scenarios verify.
func verdict(rs []yhteistestaus.RequirementResult, causes []yhteistestaus.RootCause, partial bool, shared []string) (map[yhteistestaus.Status]int, yhteistestaus.Status) {
	sum := make(map[yhteistestaus.Status]int)
	failed, verified := false, 0
	for _, r := range rs {
		sum[r.Status]++
		if r.Applicability != string(profiles.Mandatory) || r.Verification != string(profiles.Automatic) {
			continue
		}
		if partial && len(r.Scenarios) == 0 || r.NotTested != "" {
			// Outside a partial run's selection, or not testable in this
			// run (its reason is reported): neither met nor broken.
			continue
		}
		switch r.Status {
		case yhteistestaus.StatusFailed, yhteistestaus.StatusNotSupported, yhteistestaus.StatusNotTested:
			failed = true
		case yhteistestaus.StatusPassed:
			if !slices.Contains(shared, r.Area) {
				verified++
			}
		}
	}
	for _, c := range causes {
		failed = failed || len(c.Requirements) == 0
	}
	switch {
	case failed:
		return sum, yhteistestaus.StatusFailed
	case verified == 0 && !partial:
		return sum, yhteistestaus.StatusNotYetAutomated
	}
	return sum, yhteistestaus.StatusPassed
}

// quotedName matches a quoted name in a step's text.
var quotedName = regexp.MustCompile(`"[^"]*"`)

// Phrase is a step's text with its quoted names elided, so that one check
// failing in the same step of different scenarios is one root cause:
// `the system has opened a case "…" for "…"`.
func Phrase(text string) string {
	return quotedName.ReplaceAllString(text, `"…"`)
}

func joinLines(ls []profiles.LineRange) string {
	var parts []string
	for _, l := range ls {
		parts = append(parts, l.String())
	}
	return strings.Join(parts, ", ")
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// excerptFor returns the step's fragment of the message as received for
// the rule (steps cite one per rule), and the message's sequence number.
// A step that cites no rule keeps its own excerpt.
func excerptFor(st yhteistestaus.StepResult, rule string) (string, int) {
	for _, c := range st.Citations {
		if c.Rule == rule {
			return c.Excerpt, c.MessageSeq
		}
	}
	if len(st.Citations) == 0 {
		return st.Excerpt, st.MessageSeq
	}
	return "", 0
}
