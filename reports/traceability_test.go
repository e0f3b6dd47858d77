package reports

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/yhteistestaus/yhteistestaus"
)

func TestTraceabilityRoundTrip(t *testing.T) {
	run := fixtureRun()
	// Text a CSV writer must quote: commas, quotes, newlines.
	run.Requirements[0].Title = "Quoted \"title\", with a comma\nand a newline"
	var buf bytes.Buffer
	if err := WriteTraceability(&buf, run); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("read traceability.csv back: %v", err)
	}
	if !slices.Equal(rows[0], TraceabilityHeader()) {
		t.Errorf("header: got %q, want %q", rows[0], TraceabilityHeader())
	}
	if got, want := len(rows)-1, len(run.Requirements); got != want {
		t.Fatalf("got %d requirement rows, want %d", got, want)
	}
	for i, r := range run.Requirements {
		row := rows[i+1]
		var scenarios []string
		if row[8] != "" {
			scenarios = strings.Split(row[8], ";")
		}
		got := yhteistestaus.RequirementResult{
			ID: row[0], Title: row[1], Section: row[2], Lines: row[3], Level: row[4],
			Applicability: row[5], Verification: row[6], Status: yhteistestaus.Status(row[7]),
			Scenarios: scenarios,
		}
		want := r
		want.Area, want.Failures, want.Evidence = "", nil, ""
		if got.ID != want.ID || got.Title != want.Title || got.Section != want.Section ||
			got.Lines != want.Lines || got.Level != want.Level || got.Applicability != want.Applicability ||
			got.Verification != want.Verification || got.Status != want.Status ||
			!slices.Equal(got.Scenarios, want.Scenarios) {
			t.Errorf("row %d: got %+v, want %+v", i+1, got, want)
		}
		if wantRules := strings.Join(failedRules(r), ";"); row[9] != wantRules {
			t.Errorf("row %d: failed rules %q, want %q", i+1, row[9], wantRules)
		}
	}
	if got := rows[4][9]; got != "ID-MINOR-GUARDIAN" {
		t.Errorf("failed requirement REQ-MK-014: rule ids %q, want ID-MINOR-GUARDIAN", got)
	}
}

func TestFailedRulesAreDistinctInOrder(t *testing.T) {
	r := yhteistestaus.RequirementResult{Failures: []yhteistestaus.Failure{
		{Rule: "SIG-MISSING"}, {Rule: ""}, {Rule: "CONS-VERSION"}, {Rule: "SIG-MISSING"},
	}}
	if got, want := failedRules(r), []string{"SIG-MISSING", "CONS-VERSION"}; !slices.Equal(got, want) {
		t.Errorf("failedRules = %q, want %q", got, want)
	}
}
