package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/catalogue"
	"github.com/yhteistestaus/yhteistestaus/compose"
	"github.com/yhteistestaus/yhteistestaus/harness"
	"github.com/yhteistestaus/yhteistestaus/profiles"
	"github.com/yhteistestaus/yhteistestaus/reference"
	"github.com/yhteistestaus/yhteistestaus/reports"
	"github.com/yhteistestaus/yhteistestaus/runner"
)

// An organisation and service unit that SOTE-organisaatiorekisteri's
// bundled part does not hold.
const (
	unknownOrganisation = "1.2.246.10.55555555.10.0"
	unknownServiceUnit  = "1.2.246.10.55555555.10.123"
)

const unknownDeclaration = `organisations:
  - oid: ` + unknownOrganisation + `
    name: Testin hyvinvointialue
    serviceUnits:
      - oid: ` + unknownServiceUnit + `
        name: Testin lapsiperheiden sosiaalityö
        serviceTasks: ["24"]
`

// informationLines returns the console lines that give the run's
// information.
func informationLines(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "information: ") {
			lines = append(lines, l)
		}
	}
	return lines
}

func noFailedScenario(t *testing.T, r *yhteistestaus.Run) {
	t.Helper()
	for _, s := range r.Scenarios {
		if s.Status == yhteistestaus.StatusFailed {
			for _, st := range s.Steps {
				if st.Status == yhteistestaus.StatusFailed {
					t.Errorf("%s: %s failed at %q: %s %v", s.FeatureFile, s.Name, st.Text, st.Error, st.Findings)
				}
			}
		}
	}
}

// The reference system, archiving under an organisation the bundled
// register does not hold and that --organisation declares, fails no
// scenario of any profile (each distinct selection of scenarios is run); each run prints one information line saying
// the organisation is taken from the declaration, and the report's header
// names it.
func TestRunUnderDeclaredUnknownOrganisation(t *testing.T) {
	dir := t.TempDir()
	decl := filepath.Join(dir, "organisation.yaml")
	if err := os.WriteFile(decl, []byte(unknownDeclaration), 0o600); err != nil {
		t.Fatal(err)
	}
	cat, err := catalogue.DefaultRequirements()
	if err != nil {
		t.Fatal(err)
	}
	// Profiles that mark the same functional areas run the same scenarios;
	// each distinct selection runs once.
	seen := make(map[string]bool)
	for _, p := range cat.Profiles() {
		var areas []string
		for _, am := range p.Areas {
			if am.Marking != profiles.MarkNone {
				areas = append(areas, am.Area)
			}
		}
		slices.Sort(areas)
		key := strings.Join(areas, ",")
		if seen[key] {
			continue
		}
		seen[key] = true
		t.Run(p.ID, func(t *testing.T) {
			out := filepath.Join(dir, p.ID)
			status, stdout, stderr := run(t, "run", "--profile", p.ID, "--organisation", decl, "--out", out)
			// 2 is a usage error, or a profile with nothing of its own
			// automated yet (no verdict).
			if status == exitUsage && !strings.Contains(stdout, "NOT YET AUTOMATED") {
				t.Fatalf("status %d\n%s\n%s", status, stdout, stderr)
			}
			r := readRun(t, out)
			noFailedScenario(t, r)
			if p.ID == "vaihe2-kasittely" && len(r.Scenarios) == 0 {
				t.Error("vaihe2-kasittely ran no scenario")
			}
			lines := informationLines(stdout)
			if len(r.Scenarios) > 0 && (len(lines) != 1 || !strings.Contains(lines[0], unknownServiceUnit+" Testin lapsiperheiden sosiaalityö") ||
				!strings.Contains(lines[0], "declaration")) {
				t.Errorf("information lines %q, want one naming the declared service unit", lines)
			}
			if len(r.SUT.Organisations) != 1 || r.SUT.Organisations[0].OID != unknownOrganisation {
				t.Errorf("report header organisations = %+v, want the declared one", r.SUT.Organisations)
			}
			if html, err := os.ReadFile(filepath.Join(out, reports.HTMLFile)); err != nil || !strings.Contains(string(html), unknownServiceUnit) {
				t.Errorf("report.html does not name the declared service unit (err %v)", err)
			}
			if len(r.Notes) != len(lines) {
				t.Errorf("results.json notes %q, console %q", r.Notes, lines)
			}
		})
	}
}

// Without the declaration the same system fails nothing either: the
// undeclared OIDs are information, listed once for the whole run.
func TestRunUnderUndeclaredOrganisation(t *testing.T) {
	sys, err := reference.New(reference.Options{Organisation: compose.Organisation{
		OID: unknownOrganisation, Name: "Testin hyvinvointialue",
		ServiceUnitOID: unknownServiceUnit, ServiceUnitName: "Testin lapsiperheiden sosiaalityö",
	}})
	if err != nil {
		t.Fatal(err)
	}
	var console strings.Builder
	a, err := harness.StartArchive()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	r, err := runner.Run(context.Background(), runner.Options{
		Profile: "vaihe2-kasittely", Driver: sys, Adapter: "reference",
		Archive: harness.Client(a.URL(), "", time.Now()), Observer: newConsole(&console),
	})
	if err != nil {
		t.Fatal(err)
	}
	noFailedScenario(t, r)
	lines := informationLines(console.String())
	if len(lines) != 1 || !strings.Contains(lines[0], unknownOrganisation) || !strings.Contains(lines[0], unknownServiceUnit) ||
		!strings.Contains(lines[0], "declare them with --organisation") {
		t.Errorf("information lines %q, want one line listing both OIDs", lines)
	}
}

// validate takes --codes: the overlay's notes go to stderr, a folder that
// holds no code list is a usage error.
func TestValidateWithCodeLists(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "1.2.246.537.6.1505.201601.csv"), []byte("code;display\n1;Asiakkuusasiakirja\n2;Asia-asiakirja\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	status, out, errs := run(t, "validate", "--codes", dir, "--frame", samplePath(t, "client-relation-frame.xml"),
		"--document", samplePath(t, "signature-restored/client-relation-document.xml"))
	if status != exitOK || !strings.Contains(errs, "2 takes the place of the simulator's own SIM-ASIA-ASIAKIRJA") {
		t.Errorf("status %d, stderr %q\n%s", status, errs, out)
	}
	empty := t.TempDir()
	if status, _, errs := run(t, "validate", "--codes", empty, "--frame", samplePath(t, "client-relation-frame.xml"),
		"--document", samplePath(t, "signature-restored/client-relation-document.xml")); status != exitUsage || !strings.Contains(errs, "no *.yaml or *.csv") {
		t.Errorf("an empty --codes folder: status %d, stderr %q", status, errs)
	}
}
