package reports

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/yhteistestaus/yhteistestaus"
)

// TraceabilityHeader returns the column names of traceability.csv, in
// order.
func TraceabilityHeader() []string {
	return []string{
		"requirement", "title", "section", "lines", "level",
		"applicability", "verification", "status", "scenarios", "failed_rules",
	}
}

// WriteTraceability writes the traceability matrix (traceability.csv):
// a header row, then one row per requirement of the profile, in run order,
// with the scenarios tagged with it and the rule ids of its failures, each
// list joined with semicolons.
func WriteTraceability(w io.Writer, run *yhteistestaus.Run) error {
	if run == nil {
		return fmt.Errorf("traceability: nil run")
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(TraceabilityHeader()); err != nil {
		return fmt.Errorf("traceability: %w", err)
	}
	for _, r := range run.Requirements {
		row := []string{
			r.ID, r.Title, r.Section, r.Lines, r.Level,
			r.Applicability, r.Verification, string(r.Status),
			strings.Join(r.Scenarios, ";"),
			strings.Join(failedRules(r), ";"),
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("traceability: requirement %s: %w", r.ID, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("traceability: %w", err)
	}
	return nil
}

// failedRules is the distinct rule ids of a requirement's failures, in
// order of first appearance.
func failedRules(r yhteistestaus.RequirementResult) []string {
	var rules []string
	for _, f := range r.Failures {
		if f.Rule != "" && !slices.Contains(rules, f.Rule) {
			rules = append(rules, f.Rule)
		}
	}
	return rules
}
