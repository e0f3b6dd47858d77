package reports

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/catalogue"
	"github.com/yhteistestaus/yhteistestaus/excerpt"
)

// causeView is one root cause card of the HTML report.
type causeView struct {
	yhteistestaus.RootCause
	// Anchor is the card's id; RuleAnchor the id of the rule's entry in
	// the rules appendix, empty when the appendix has none.
	Anchor, RuleAnchor string
	// Number counts the causes from 1.
	Number int
	// Finding is what the archive said, the message of the rule's
	// finding in the step the cause first surfaced in; empty for a
	// harness check.
	Finding string
	// Excerpt is the offending fragment, line by line.
	Excerpt []excerptLine
	// Saved are the files of the whole message written beside the
	// report (WriteMessages), nil when none was.
	Saved *yhteistestaus.SavedMessage
	// MessageURL is the archive's control API address of the whole
	// message, empty when the run names no archive session or its
	// archive stopped with the run.
	MessageURL string
	// Blocked are the requirements the cause blocks; Mandatory counts the
	// mandatory ones. Failed are those of them that failed, Stopped the
	// others (their scenarios stopped at the cause before verifying them).
	Blocked         []requirementRef
	Mandatory       int
	Failed, Stopped []requirementRef
	// Scenarios link the failed scenarios.
	Scenarios []scenarioRef
}

// excerptLine is one line of an excerpt: Mark is true for the offending
// element's lines.
type excerptLine struct {
	Mark bool
	Text string
}

// requirementRef links a requirement row.
type requirementRef struct {
	ID, Title, Applicability string
	Status                   yhteistestaus.Status
}

// scenarioRef links a scenario.
type scenarioRef struct {
	Anchor, Name string
}

// excerptLines splits an excerpt (package excerpt) into lines, the marker
// taken off into Mark.
func excerptLines(s string) []excerptLine {
	var out []excerptLine
	pad := strings.Repeat(" ", len(excerpt.Marker))
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		switch {
		case strings.HasPrefix(l, excerpt.Marker):
			out = append(out, excerptLine{Mark: true, Text: l[len(excerpt.Marker):]})
		case strings.HasPrefix(l, pad):
			out = append(out, excerptLine{Text: l[len(pad):]})
		default:
			out = append(out, excerptLine{Text: l})
		}
	}
	return out
}

// messageURL is the control API address of message seq of the run's
// archive session, from the session's archiving endpoint
// (…/s/SESSION/soap): …/api/sessions/SESSION/messages/SEQ.
func messageURL(archive string, seq int) string {
	if seq <= 0 {
		return ""
	}
	u, err := url.Parse(archive)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	base, rest, ok := strings.Cut(u.EscapedPath(), "/s/")
	session, ok2 := strings.CutSuffix(rest, "/soap")
	if !ok || !ok2 || session == "" || strings.Contains(session, "/") {
		return ""
	}
	u.Path, u.RawPath = "", ""
	return strings.TrimRight(u.String(), "/") + base + "/api/sessions/" + session + "/messages/" + strconv.Itoa(seq)
}

// causeViews derives the root cause cards of run.
func causeViews(run *yhteistestaus.Run, scenarioAnchors map[string]string, known func(string) bool) []causeView {
	reqs := make(map[string]yhteistestaus.RequirementResult)
	for _, r := range run.Requirements {
		reqs[r.ID] = r
	}
	var out []causeView
	for i, rc := range run.RootCauses {
		v := causeView{RootCause: rc, Number: i + 1, Anchor: fmt.Sprintf("cause-%d", i+1)}
		if known(rc.Rule) {
			v.RuleAnchor = ruleAnchor(rc.Rule)
		}
		if rc.Excerpt != "" {
			v.Excerpt = excerptLines(rc.Excerpt)
		}
		if !rc.Harness {
			v.Finding = findingMessage(run, rc)
		}
		v.Saved = savedMessage(run, rc.MessageSeq)
		if run.ArchiveKept {
			v.MessageURL = messageURL(run.Archive, rc.MessageSeq)
		}
		for _, id := range rc.Requirements {
			r := reqs[id]
			ref := requirementRef{ID: id, Title: r.Title, Applicability: r.Applicability, Status: r.Status}
			v.Blocked = append(v.Blocked, ref)
			if r.Applicability == "mandatory" {
				v.Mandatory++
			}
			if r.Status == yhteistestaus.StatusFailed {
				v.Failed = append(v.Failed, ref)
			} else {
				v.Stopped = append(v.Stopped, ref)
			}
		}
		for _, name := range rc.Scenarios {
			v.Scenarios = append(v.Scenarios, scenarioRef{Anchor: scenarioAnchors[name], Name: name})
		}
		out = append(out, v)
	}
	return out
}

// findingMessage returns the message of the cause's rule's finding in the
// step the cause surfaced in, in the first scenario that has it.
func findingMessage(run *yhteistestaus.Run, rc yhteistestaus.RootCause) string {
	for _, sc := range run.Scenarios {
		if !slices.Contains(rc.Scenarios, sc.Name) {
			continue
		}
		for _, st := range sc.Steps {
			for _, f := range st.Findings {
				if f.Rule == rc.Rule && (st.Text == rc.Step || stepText(st) == rc.Step) {
					return f.Message
				}
			}
		}
	}
	return ""
}

// ruleAnchor is the id of a rule's entry in the rules appendix.
func ruleAnchor(id string) string { return "rule-" + id }

// ruleView is an entry of the rules appendix: a rule of the archive's
// catalogue that this run's failures name.
type ruleView struct {
	catalogue.Rule
	Anchor string
}

// ruleViews lists the catalogue entries of the rules run's failures name,
// in catalogue order.
func ruleViews(run *yhteistestaus.Run, cat *catalogue.Rules) []ruleView {
	named := make(map[string]bool)
	for _, rc := range run.RootCauses {
		named[rc.Rule] = true
	}
	for _, r := range run.Requirements {
		for _, f := range r.Failures {
			named[f.Rule] = true
		}
	}
	for _, sc := range run.Scenarios {
		for _, st := range sc.Steps {
			for _, f := range st.Findings {
				named[f.Rule] = true
			}
		}
	}
	var out []ruleView
	for _, r := range cat.All() {
		if named[r.ID] {
			out = append(out, ruleView{Rule: r, Anchor: ruleAnchor(r.ID)})
			delete(named, r.ID)
		}
	}
	// The harness's own checks are not in the archive's catalogue; their
	// root causes carry their titles.
	for _, rc := range run.RootCauses {
		if rc.Harness && named[rc.Rule] {
			delete(named, rc.Rule)
			out = append(out, ruleView{Rule: catalogue.Rule{ID: rc.Rule, Title: rc.Title, Stage: "harness"}, Anchor: ruleAnchor(rc.Rule)})
		}
	}
	return out
}

// causeAnchors maps each root cause ID to its card's anchor.
func causeAnchors(causes []causeView) map[string]string {
	m := make(map[string]string, len(causes))
	for _, c := range causes {
		m[c.ID] = c.Anchor
	}
	return m
}

// requirementCauses returns the anchors of the root causes a requirement's
// failures belong to, in order, without repeats.
func requirementCauses(r yhteistestaus.RequirementResult, anchors map[string]string) []string {
	var out []string
	for _, f := range r.Failures {
		if a, ok := anchors[f.Cause]; ok && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}
