package judge

import (
	"maps"
	"slices"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/profiles"
)

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
