package judge

import (
	"slices"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/profiles"
)

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
