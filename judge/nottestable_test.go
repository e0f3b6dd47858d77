package judge

import (
	"slices"
	"strings"
	"testing"

	"github.com/yhteistestaus/yhteistestaus"
)

// notTestable is a scenario whose precondition step found the run unable
// to test it (steps.NotTestableError), for the reason.
func notTestable(name, reason string, about []string, covers ...string) yhteistestaus.ScenarioResult {
	s := passed(name, about, covers...)
	s.Status = yhteistestaus.StatusNotTested
	s.Steps = []yhteistestaus.StepResult{
		{Text: "the archive judges bodies with THL's Sosmeta structures", Status: yhteistestaus.StatusNotTested, Error: reason},
		{Text: "a later step", Status: yhteistestaus.StatusSkipped},
	}
	return s
}

// A requirement whose scenario the run cannot test (an archive without
// THL's structures) is not tested, with the reason, neither passed nor
// failed, and the verdict is what the tested requirements make it.
func TestJudgeNotTestableScenario(t *testing.T) {
	const reason = "the archive has only the embedded fallback structures: run with --sosmeta DIR"
	base := []yhteistestaus.ScenarioResult{
		passed("case", []string{"REQ-CASE"}, "REQ-HETU"),
		passed("joint", []string{"REQ-JOINT"}, "REQ-HETU"),
		passed("task", []string{"REQ-TASK"}, "REQ-HETU", "REQ-OPTIONAL"),
	}
	prof := append(slices.Clone(testProfile), auto("REQ-STRUCT", "BODY-STRUCTURE-STATUS"))
	tests := []struct {
		name       string
		structures yhteistestaus.ScenarioResult
		others     []yhteistestaus.ScenarioResult
		status     yhteistestaus.Status
		reason     string
		verdict    yhteistestaus.Status
	}{
		{"the precondition is not met: not tested, with the reason, and the verdict passes",
			notTestable("structures", reason, []string{"REQ-STRUCT"}, "REQ-HETU"), base,
			yhteistestaus.StatusNotTested, reason, yhteistestaus.StatusPassed},
		{"the precondition is met and the scenario passed: passed",
			passed("structures", []string{"REQ-STRUCT"}, "REQ-HETU"), base,
			yhteistestaus.StatusPassed, "", yhteistestaus.StatusPassed},
		{"the precondition is not met and another requirement failed: the verdict fails on that one alone",
			notTestable("structures", reason, []string{"REQ-STRUCT"}), append(slices.Clone(base[:2]),
				failedOn("task", "the system opens a case", "", []string{"HDR-SERVICE-TASK"}, []string{"REQ-TASK"})),
			yhteistestaus.StatusNotTested, reason, yhteistestaus.StatusFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Judge(Input{
				Requirements: prof, Scenarios: append(slices.Clone(tt.others), tt.structures),
				Stateful: func(rule string) bool { return strings.HasPrefix(rule, "ARC-") },
				Shared:   []string{"general"},
			})
			for _, r := range o.Requirements {
				switch r.ID {
				case "REQ-STRUCT":
					if r.Status != tt.status || r.NotTested != tt.reason {
						t.Errorf("REQ-STRUCT is %s (%q), want %s (%q)", r.Status, r.NotTested, tt.status, tt.reason)
					}
				case "REQ-HETU":
					// Covered also by the scenarios that were tested.
					if r.Status != yhteistestaus.StatusPassed {
						t.Errorf("REQ-HETU is %s, want passed", r.Status)
					}
				}
			}
			if o.Verdict != tt.verdict {
				t.Errorf("verdict %s, want %s", o.Verdict, tt.verdict)
			}
		})
	}
}
