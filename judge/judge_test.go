package judge

import (
	"slices"
	"strings"
	"testing"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/profiles"
)

// req is a requirement of the test profile.
func req(id string, app profiles.Applicability, ver profiles.Verification, rules ...string) profiles.ProfileRequirement {
	return profiles.ProfileRequirement{
		Requirement:   &profiles.Requirement{ID: id, Title: id, Level: profiles.Shall, Verification: ver, Rules: rules},
		Applicability: app,
	}
}

func auto(id string, rules ...string) profiles.ProfileRequirement {
	return req(id, profiles.Mandatory, profiles.Automatic, rules...)
}

// The test profile: a case requirement checked by the order rule, an
// identity requirement checked by the hetu rule (covered by every scenario),
// a joint-case requirement with no rule, a service-task requirement, and
// one requirement of each other kind of verification.
var testProfile = []profiles.ProfileRequirement{
	auto("REQ-CASE", "ARC-ORDER-CRD"),
	auto("REQ-HETU", "ID-HETU-CHECK"),
	auto("REQ-JOINT"),
	auto("REQ-TASK", "HDR-SERVICE-TASK"),
	req("REQ-ATTEST", profiles.Mandatory, profiles.Attestation),
	req("REQ-MANUAL", profiles.Mandatory, profiles.Manual),
	req("REQ-OPTIONAL", profiles.Optional, profiles.Automatic, "OPT-RULE"),
}

func passed(name string, about []string, covers ...string) yhteistestaus.ScenarioResult {
	return yhteistestaus.ScenarioResult{
		Name: name, Status: yhteistestaus.StatusPassed, About: about, Requirements: append(slices.Clone(about), covers...),
		Steps: []yhteistestaus.StepResult{{Text: "a step", Status: yhteistestaus.StatusPassed}},
	}
}

// failedOn is a scenario whose step failed with findings of the rules, or,
// with no rules, on the harness check.
func failedOn(name, step, check string, rules []string, about []string, covers ...string) yhteistestaus.ScenarioResult {
	s := passed(name, about, covers...)
	s.Status = yhteistestaus.StatusFailed
	st := yhteistestaus.StepResult{Text: step, Status: yhteistestaus.StatusFailed, Error: "it went wrong", Check: check}
	for _, r := range rules {
		st.Findings = append(st.Findings, yhteistestaus.Finding{Rule: r, Severity: yhteistestaus.SeverityError, Message: r + " fired", Location: "/x"})
		st.Check = ""
	}
	s.Steps = append(s.Steps, st, yhteistestaus.StepResult{Text: "a later step", Status: yhteistestaus.StatusSkipped})
	return s
}

func unsupported(name string, about []string, covers ...string) yhteistestaus.ScenarioResult {
	s := passed(name, about, covers...)
	s.Status = yhteistestaus.StatusNotSupported
	s.Steps[0].Status = yhteistestaus.StatusNotSupported
	return s
}

func statuses(o Outcome) map[string]yhteistestaus.Status {
	m := make(map[string]yhteistestaus.Status)
	for _, r := range o.Requirements {
		m[r.ID] = r.Status
	}
	return m
}

func TestJudge(t *testing.T) {
	allPass := []yhteistestaus.ScenarioResult{
		passed("case", []string{"REQ-CASE"}, "REQ-HETU"),
		passed("joint", []string{"REQ-JOINT"}, "REQ-HETU"),
		passed("task", []string{"REQ-TASK"}, "REQ-HETU", "REQ-OPTIONAL"),
	}
	with := func(i int, s yhteistestaus.ScenarioResult) []yhteistestaus.ScenarioResult {
		out := slices.Clone(allPass)
		out[i] = s
		return out
	}
	tests := []struct {
		name      string
		scenarios []yhteistestaus.ScenarioResult
		attest    map[string]string
		partial   bool
		// want are the statuses of the requirements named; the others
		// are as in a passing run.
		want    map[string]yhteistestaus.Status
		verdict yhteistestaus.Status
		// causes are the root causes' ids and, for each, the
		// requirements it blocks.
		causes map[string][]string
	}{
		{
			name:      "every scenario passed: the automatic requirements pass, the others wait for their evidence",
			scenarios: allPass,
			want: map[string]yhteistestaus.Status{
				"REQ-CASE": yhteistestaus.StatusPassed, "REQ-HETU": yhteistestaus.StatusPassed, "REQ-JOINT": yhteistestaus.StatusPassed,
				"REQ-ATTEST": yhteistestaus.StatusToBeAttested, "REQ-MANUAL": yhteistestaus.StatusManual,
			},
			verdict: yhteistestaus.StatusPassed,
		},
		{
			name:      "the rule of the requirement the scenario is about fired: that requirement fails",
			scenarios: with(0, failedOn("case", "the system opens a case", "", []string{"ARC-ORDER-CRD"}, []string{"REQ-CASE"}, "REQ-HETU")),
			want:      map[string]yhteistestaus.Status{"REQ-CASE": yhteistestaus.StatusFailed, "REQ-HETU": yhteistestaus.StatusPassed},
			verdict:   yhteistestaus.StatusFailed,
			causes:    map[string][]string{"ARC-ORDER-CRD": {"REQ-CASE"}},
		},
		{
			name: "an unrelated rule fired: the rule's requirement fails, the requirement the scenario is about is blocked, not failed",
			scenarios: []yhteistestaus.ScenarioResult{
				passed("case", []string{"REQ-CASE"}, "REQ-HETU"),
				failedOn("joint", "the system opens a case", "", []string{"HDR-SERVICE-TASK"}, []string{"REQ-JOINT"}, "REQ-HETU"),
				failedOn("task", "the system opens a case", "", []string{"HDR-SERVICE-TASK"}, []string{"REQ-TASK"}, "REQ-HETU"),
			},
			want: map[string]yhteistestaus.Status{
				"REQ-TASK": yhteistestaus.StatusFailed, "REQ-JOINT": yhteistestaus.StatusNotTested,
				"REQ-CASE": yhteistestaus.StatusPassed, "REQ-HETU": yhteistestaus.StatusPassed,
			},
			verdict: yhteistestaus.StatusFailed,
			causes:  map[string][]string{"HDR-SERVICE-TASK": {"REQ-TASK", "REQ-JOINT"}},
		},
		{
			name:      "a covered requirement's rule fired in a scenario about another: the covered one fails, and the other is blocked",
			scenarios: with(0, failedOn("case", "the system opens a case", "", []string{"ID-HETU-CHECK"}, []string{"REQ-CASE"}, "REQ-HETU")),
			want:      map[string]yhteistestaus.Status{"REQ-HETU": yhteistestaus.StatusFailed, "REQ-CASE": yhteistestaus.StatusNotTested},
			verdict:   yhteistestaus.StatusFailed,
			causes:    map[string][]string{"ID-HETU-CHECK": {"REQ-HETU", "REQ-CASE"}},
		},
		{
			name:      "a rule the scenario does not name fired: it fails the profile's requirement that links the rule",
			scenarios: with(1, failedOn("joint", "the system stores a plan", "", []string{"ARC-ORDER-CRD"}, []string{"REQ-JOINT"})),
			want:      map[string]yhteistestaus.Status{"REQ-CASE": yhteistestaus.StatusFailed, "REQ-JOINT": yhteistestaus.StatusNotTested},
			verdict:   yhteistestaus.StatusFailed,
			causes:    map[string][]string{"ARC-ORDER-CRD": {"REQ-CASE", "REQ-JOINT"}},
		},
		{
			name:      "a rule no requirement links fired: it fails the requirement the scenario is about",
			scenarios: with(1, failedOn("joint", "the system stores a plan", "", []string{"BODY-SCHEMA"}, []string{"REQ-JOINT"}, "REQ-HETU")),
			want:      map[string]yhteistestaus.Status{"REQ-JOINT": yhteistestaus.StatusFailed, "REQ-HETU": yhteistestaus.StatusPassed},
			verdict:   yhteistestaus.StatusFailed,
			causes:    map[string][]string{"BODY-SCHEMA": {"REQ-JOINT"}},
		},
		{
			name:      "a harness check failed: it fails the requirement the scenario is about, not the ones its messages cover",
			scenarios: with(1, failedOn("joint", `the archive holds case "K" with clients "A" and "B"`, "HARNESS-STATE", nil, []string{"REQ-JOINT"}, "REQ-HETU")),
			want:      map[string]yhteistestaus.Status{"REQ-JOINT": yhteistestaus.StatusFailed, "REQ-HETU": yhteistestaus.StatusPassed},
			verdict:   yhteistestaus.StatusFailed,
			causes:    map[string][]string{`HARNESS-STATE|the archive holds case "…" with clients "…" and "…"`: {"REQ-JOINT"}},
		},
		{
			name: "one defect in many scenarios is one root cause",
			scenarios: []yhteistestaus.ScenarioResult{
				failedOn("case", "the system opens a case", "", []string{"HDR-SERVICE-TASK"}, []string{"REQ-CASE"}, "REQ-HETU"),
				failedOn("joint", `the system stores a plan "P" in case "K"`, "", []string{"HDR-SERVICE-TASK"}, []string{"REQ-JOINT"}, "REQ-HETU"),
				failedOn("task", "the archive accepted every message of the action", "", []string{"HDR-SERVICE-TASK"}, []string{"REQ-TASK"}, "REQ-HETU"),
			},
			want: map[string]yhteistestaus.Status{
				"REQ-TASK": yhteistestaus.StatusFailed, "REQ-CASE": yhteistestaus.StatusNotTested,
				"REQ-JOINT": yhteistestaus.StatusNotTested, "REQ-HETU": yhteistestaus.StatusNotTested,
			},
			verdict: yhteistestaus.StatusFailed,
			// REQ-HETU, only covered, is not tested but not listed: the
			// scenarios are not about it.
			causes: map[string][]string{"HDR-SERVICE-TASK": {"REQ-TASK", "REQ-CASE", "REQ-JOINT"}},
		},
		{
			name: "one message breaking several rules is one root cause, under the rule of the requirement a failing scenario is about",
			scenarios: []yhteistestaus.ScenarioResult{
				passed("case", []string{"REQ-CASE"}, "REQ-HETU"),
				failedOn("joint", "the system stores a plan", "", []string{"ID-HETU-CHECK", "HDR-SERVICE-TASK"}, []string{"REQ-JOINT"}, "REQ-HETU"),
				failedOn("task", "the system stores a plan", "", []string{"ID-HETU-CHECK", "HDR-SERVICE-TASK"}, []string{"REQ-TASK"}, "REQ-HETU"),
			},
			want:    map[string]yhteistestaus.Status{"REQ-TASK": yhteistestaus.StatusFailed, "REQ-HETU": yhteistestaus.StatusFailed, "REQ-JOINT": yhteistestaus.StatusNotTested},
			verdict: yhteistestaus.StatusFailed,
			causes:  map[string][]string{"HDR-SERVICE-TASK": {"REQ-TASK", "REQ-HETU", "REQ-JOINT"}},
		},
		{
			name: "a rule on what the archive holds, firing beside a rule on the message's own content, is a consequence, not a second cause",
			scenarios: []yhteistestaus.ScenarioResult{
				failedOn("case", "the system stores a plan", "", []string{"ID-HETU-CHECK", "ARC-ORDER-CRD"}, []string{"REQ-CASE"}, "REQ-HETU"),
				passed("joint", []string{"REQ-JOINT"}),
				passed("task", []string{"REQ-TASK"}),
			},
			want:    map[string]yhteistestaus.Status{"REQ-HETU": yhteistestaus.StatusFailed, "REQ-CASE": yhteistestaus.StatusNotTested},
			verdict: yhteistestaus.StatusFailed,
			causes:  map[string][]string{"ID-HETU-CHECK": {"REQ-HETU", "REQ-CASE"}},
		},
		{
			name:      "the system does not support what a mandatory requirement's scenario needs: not supported, and the verdict fails",
			scenarios: with(1, unsupported("joint", []string{"REQ-JOINT"}, "REQ-HETU")),
			want:      map[string]yhteistestaus.Status{"REQ-JOINT": yhteistestaus.StatusNotSupported, "REQ-HETU": yhteistestaus.StatusPassed},
			verdict:   yhteistestaus.StatusFailed,
		},
		{
			name:      "an unsupported scenario does not hide a covered requirement another scenario verified",
			scenarios: with(2, unsupported("task", []string{"REQ-TASK"}, "REQ-HETU")),
			want:      map[string]yhteistestaus.Status{"REQ-TASK": yhteistestaus.StatusNotSupported, "REQ-HETU": yhteistestaus.StatusPassed},
			verdict:   yhteistestaus.StatusFailed,
		},
		{
			name:      "a mandatory automatic requirement no scenario ran is not tested, and the verdict of a full run fails",
			scenarios: allPass[1:],
			want:      map[string]yhteistestaus.Status{"REQ-CASE": yhteistestaus.StatusNotTested},
			verdict:   yhteistestaus.StatusFailed,
		},
		{
			name:      "a partial run covers only the requirements its scenarios verify",
			scenarios: allPass[1:2],
			partial:   true,
			want:      map[string]yhteistestaus.Status{"REQ-CASE": yhteistestaus.StatusNotTested, "REQ-TASK": yhteistestaus.StatusNotTested, "REQ-JOINT": yhteistestaus.StatusPassed},
			verdict:   yhteistestaus.StatusPassed,
		},
		{
			name:      "a partial run still fails on a failure of the requirements it verifies",
			scenarios: []yhteistestaus.ScenarioResult{failedOn("case", "the system opens a case", "", []string{"ARC-ORDER-CRD"}, []string{"REQ-CASE"})},
			partial:   true,
			want:      map[string]yhteistestaus.Status{"REQ-CASE": yhteistestaus.StatusFailed},
			verdict:   yhteistestaus.StatusFailed,
			causes:    map[string][]string{"ARC-ORDER-CRD": {"REQ-CASE"}},
		},
		{
			name:      "an attested requirement is attested with its evidence",
			scenarios: allPass,
			attest:    map[string]string{"REQ-ATTEST": "We do."},
			want:      map[string]yhteistestaus.Status{"REQ-ATTEST": yhteistestaus.StatusAttested},
			verdict:   yhteistestaus.StatusPassed,
		},
		{
			name:      "an optional requirement's failure is reported but does not fail the verdict",
			scenarios: with(2, failedOn("task", "the system stores a plan", "", []string{"OPT-RULE"}, []string{"REQ-TASK"}, "REQ-OPTIONAL")),
			want:      map[string]yhteistestaus.Status{"REQ-OPTIONAL": yhteistestaus.StatusFailed, "REQ-TASK": yhteistestaus.StatusNotTested},
			verdict:   yhteistestaus.StatusFailed, // REQ-TASK, mandatory, was blocked
			causes:    map[string][]string{"OPT-RULE": {"REQ-OPTIONAL", "REQ-TASK"}},
		},
		{
			name:      "a failure that belongs to no requirement still fails the verdict",
			scenarios: append(slices.Clone(allPass), failedOn("orphan", "the system stores a plan", "HARNESS-ACTION", nil, nil)),
			verdict:   yhteistestaus.StatusFailed,
			causes:    map[string][]string{"HARNESS-ACTION|the system stores a plan": {}},
		},
		{
			name:      "a full run that verified no mandatory requirement of the profile's own areas (only those every profile shares) is not yet automated, not passed",
			scenarios: []yhteistestaus.ScenarioResult{passed("frame", nil, "REQ-FRAME", "REQ-OPTIONAL")},
			want:      map[string]yhteistestaus.Status{"REQ-FRAME": yhteistestaus.StatusPassed},
			verdict:   yhteistestaus.StatusNotYetAutomated,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prof := testProfile
			if tt.verdict == yhteistestaus.StatusNotYetAutomated {
				frame := auto("REQ-FRAME", "FRAME-ID")
				frame.Area = "general"
				prof = []profiles.ProfileRequirement{req("REQ-OPTIONAL", profiles.Optional, profiles.Automatic, "OPT-RULE"), frame, {
					Requirement:   &profiles.Requirement{ID: "REQ-LATER", Level: profiles.Shall, Verification: profiles.Automatic, NotYetAutomated: true},
					Applicability: profiles.Mandatory,
				}}
			}
			o := Judge(Input{
				Requirements: prof, Scenarios: tt.scenarios, Attestations: tt.attest, Partial: tt.partial,
				Stateful: func(rule string) bool { return strings.HasPrefix(rule, "ARC-") },
				Shared:   []string{"general"},
			})
			got := statuses(o)
			for id, want := range tt.want {
				if got[id] != want {
					t.Errorf("%s is %s, want %s", id, got[id], want)
				}
			}
			if o.Verdict != tt.verdict {
				t.Errorf("verdict %s, want %s (statuses %v)", o.Verdict, tt.verdict, got)
			}
			if len(o.RootCauses) != len(tt.causes) {
				t.Errorf("%d root causes %v, want %d", len(o.RootCauses), o.RootCauses, len(tt.causes))
			}
			for _, rc := range o.RootCauses {
				want, ok := tt.causes[rc.ID]
				if !ok {
					t.Errorf("unexpected root cause %q", rc.ID)
					continue
				}
				if !slices.Equal(rc.Requirements, want) {
					t.Errorf("root cause %s blocks %v, want %v", rc.ID, rc.Requirements, want)
				}
			}
			for _, r := range o.Requirements {
				for _, f := range r.Failures {
					if f.Cause == "" || !slices.ContainsFunc(o.RootCauses, func(rc yhteistestaus.RootCause) bool { return rc.ID == f.Cause }) {
						t.Errorf("%s: failure %+v names no root cause of the run", r.ID, f)
					}
				}
			}
		})
	}
}

func TestChecksAreKnownToLayers(t *testing.T) {
	checks, err := Checks()
	if err != nil {
		t.Fatal(err)
	}
	ids := make(map[string]bool)
	for _, c := range checks {
		if ids[c.ID] || c.Title == "" {
			t.Errorf("check %q: duplicate or without title", c.ID)
		}
		ids[c.ID] = true
	}
	for _, id := range []string{CheckNoAnswer, CheckScenario, CheckUndefined} {
		if !ids[id] {
			t.Errorf("check %s is used by the runner but missing from checks.yaml", id)
		}
	}
	if got := CheckForLayer(checks, "check archive state"); got != "HARNESS-STATE" {
		t.Errorf("archive-state steps make check %s, want HARNESS-STATE", got)
	}
}

func TestPhraseElidesNames(t *testing.T) {
	if got, want := Phrase(`the system has opened a case "K" for "A" and "B"`), `the system has opened a case "…" for "…" and "…"`; got != want {
		t.Errorf("Phrase = %q, want %q", got, want)
	}
}
