package profiles

import (
	"reflect"
	"testing"
)

func TestCheckReportsEachKindOfProblem(t *testing.T) {
	c, err := Load(testFS(nil))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	tests := []struct {
		name string
		tags map[string][]string
		want []Problem
	}{
		{
			name: "mandatory automatic requirement without scenario",
			tags: nil,
			want: []Problem{{Kind: Uncovered, Requirement: "REQ-T-001", Profiles: []string{"p1"}}},
		},
		{
			name: "everything covered",
			tags: map[string][]string{"REQ-T-001": {"stores a document"}},
			want: nil,
		},
		{
			name: "tag names an unknown requirement",
			tags: map[string][]string{"REQ-T-001": {"a"}, "REQ-T-404": {"z", "b"}},
			want: []Problem{{Kind: UnknownRequirement, Requirement: "REQ-T-404", Scenarios: []string{"b", "z"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Check(c, tt.tags)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Check: got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCheckDefaultCatalogueHasNoUnknownRules(t *testing.T) {
	c := mustDefault(t)
	for _, p := range Check(c, nil) {
		if p.Kind != Uncovered {
			t.Errorf("unexpected problem without tags: %v", p)
		}
	}
}

func TestCoverage(t *testing.T) {
	c, err := Load(testFS(nil))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	got, err := c.Coverage("p1", map[string][]string{"REQ-T-001": {"s"}})
	if err != nil {
		t.Fatalf("Coverage: %v", err)
	}
	want := Coverage{Profile: "p1", Requirements: 2, Mandatory: 2, Automated: 1, Attestation: 1}
	if got != want {
		t.Errorf("Coverage(p1): got %+v, want %+v", got, want)
	}
	if _, err := c.Coverage("nope", nil); err == nil {
		t.Error("Coverage(unknown profile): got nil error")
	}
}

func TestCoverageCountsNotYetAutomated(t *testing.T) {
	c := mustDefault(t)
	got, err := c.Coverage("vaihe2-kasittely", nil)
	if err != nil {
		t.Fatalf("Coverage: %v", err)
	}
	if got.NotYetAutomated == 0 || got.Attestation == 0 || got.Manual == 0 {
		t.Errorf("Coverage(vaihe2-kasittely): got %+v, want non-zero attestation, manual and not-yet-automated counts", got)
	}
	if sum := got.Automated + got.Attestation + got.Manual + got.NotYetAutomated + got.Uncovered; sum != got.Requirements {
		t.Errorf("Coverage(vaihe2-kasittely): categories sum to %d, want %d", sum, got.Requirements)
	}
}
