package profiles

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestCheckReportsEachKindOfProblem(t *testing.T) {
	c, err := Load(testFS(nil))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	known := func(id string) bool { return id == "R-1" }
	tests := []struct {
		name string
		tags map[string][]string
		// rules replaces knownRules when non-nil.
		rules func(string) bool
		want  []Problem
	}{
		{
			name:  "mandatory automatic requirement without scenario",
			tags:  nil,
			rules: known,
			want:  []Problem{{Kind: Uncovered, Requirement: "REQ-T-001", Profiles: []string{"p1"}}},
		},
		{
			name:  "everything covered",
			tags:  map[string][]string{"REQ-T-001": {"stores a document"}},
			rules: known,
			want:  nil,
		},
		{
			name:  "tag names an unknown requirement",
			tags:  map[string][]string{"REQ-T-001": {"a"}, "REQ-T-404": {"z", "b"}},
			rules: known,
			want:  []Problem{{Kind: UnknownRequirement, Requirement: "REQ-T-404", Scenarios: []string{"b", "z"}}},
		},
		{
			name:  "requirement names an unknown rule",
			tags:  map[string][]string{"REQ-T-001": {"a"}},
			rules: func(string) bool { return false },
			want:  []Problem{{Kind: UnknownRule, Requirement: "REQ-T-001", Rule: "R-1"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Check(c, tt.tags, tt.rules)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Check: got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCheckDefaultCatalogueHasNoUnknownRules(t *testing.T) {
	c := mustDefault(t)
	for _, p := range Check(c, nil, nil) {
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

// TestRulesExistInSimulatorCatalogue checks the rules: fields against the
// simulator's rule catalogue files, when they are present.
func TestRulesExistInSimulatorCatalogue(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "simulator", "rules", "catalogue", "*.yaml"))
	if len(files) == 0 {
		t.Skip("simulator rule catalogue not present")
	}
	known := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var rules []struct {
			ID string `yaml:"id"`
		}
		if err := yaml.Unmarshal(b, &rules); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, r := range rules {
			known[r.ID] = true
		}
	}
	for _, p := range Check(mustDefault(t), nil, func(id string) bool { return known[id] }) {
		if p.Kind == UnknownRule {
			t.Errorf("%v", p)
		}
	}
}
