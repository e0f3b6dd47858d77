package judge

import (
	"testing"

	"github.com/yhteistestaus/yhteistestaus"
)

// A root cause shows the fragment the step cited for its own rule, not
// the one of another rule the step's message also broke.
func TestExcerptForTheRule(t *testing.T) {
	st := yhteistestaus.StepResult{
		Excerpt: "first", MessageSeq: 3,
		Citations: []yhteistestaus.Citation{
			{Rule: "ID-TEST-IDENTITY", MessageSeq: 3, Excerpt: "first"},
			{Rule: "HDR-SERVICE-TASK", MessageSeq: 4, Excerpt: "second"},
		},
	}
	tests := []struct {
		name, rule, want string
		seq              int
	}{
		{"the rule's own citation", "HDR-SERVICE-TASK", "second", 4},
		{"the first rule", "ID-TEST-IDENTITY", "first", 3},
		{"a rule the step cites nothing for", "ARC-ORDER-CRD", "", 0},
	}
	for _, tt := range tests {
		if got, seq := excerptFor(st, tt.rule); got != tt.want || seq != tt.seq {
			t.Errorf("%s: got %q, %d; want %q, %d", tt.name, got, seq, tt.want, tt.seq)
		}
	}
	if got, seq := excerptFor(yhteistestaus.StepResult{Excerpt: "own", MessageSeq: 9}, "X"); got != "own" || seq != 9 {
		t.Errorf("a step without citations: got %q, %d; want its own excerpt", got, seq)
	}
}
