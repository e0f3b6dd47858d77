package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/reports"
	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/sosmeta/sosmetatest"
)

// The requirements on a structure's status and on unknown structures are
// checked only with THL's structures: with the embedded fallback schemas
// they are not tested, with the reason in the results and the report, and
// the verdict is what the rest makes it; with THL's structures they pass.
func TestStructureStatusRequirementsNeedTHLStructures(t *testing.T) {
	ids := []string{"REQ-ARC-005", "REQ-ARC-006", "REQ-ARC-007", "REQ-ARC-008", "REQ-DOC-025"}
	const reason = "the archive has only the embedded fallback structures: run with --sosmeta DIR"
	tests := []struct {
		name   string
		args   func(t *testing.T) []string
		status yhteistestaus.Status
		reason string
	}{
		{"embedded fallback", func(t *testing.T) []string {
			t.Setenv(simulator.EnvSosmeta, "")
			return nil
		}, yhteistestaus.StatusNotTested, reason},
		{"THL's Sosmeta structures", func(t *testing.T) []string {
			return []string{"--sosmeta", sosmetatest.Dir(t)}
		}, yhteistestaus.StatusPassed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"run", "--profile", "vaihe2-kasittely", "--out", dir}, tt.args(t)...)
			status, out, errs := run(t, args...)
			if status != exitOK {
				t.Fatalf("status %d, want %d (the verdict is unaffected)\n%s\n%s", status, exitOK, out, errs)
			}
			r := readRun(t, dir)
			if r.Verdict != yhteistestaus.StatusPassed {
				t.Errorf("verdict %s, want passed", r.Verdict)
			}
			got := make(map[string]yhteistestaus.RequirementResult)
			for _, q := range r.Requirements {
				got[q.ID] = q
			}
			for _, id := range ids {
				if q := got[id]; q.Status != tt.status || q.NotTested != tt.reason {
					t.Errorf("%s is %s (%q), want %s (%q)", id, q.Status, q.NotTested, tt.status, tt.reason)
				}
			}
			html, err := os.ReadFile(filepath.Join(dir, reports.HTMLFile))
			if err != nil {
				t.Fatal(err)
			}
			if shown := strings.Contains(string(html), "Not tested: "+reason); shown != (tt.reason != "") {
				t.Errorf("report.html shows the reason %v, want %v", shown, tt.reason != "")
			}
		})
	}
}
