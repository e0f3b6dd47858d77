package reports

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/yhteistestaus/yhteistestaus"
)

// The strict reading of junit.xml: every attribute and child element lands
// in Attrs or Other unless the schema knows it, so the test can reject what
// CI servers would not understand.
type (
	jSuites struct {
		XMLName xml.Name   `xml:"testsuites"`
		Attrs   []xml.Attr `xml:",any,attr"`
		Suites  []jSuite   `xml:"testsuite"`
		Other   []jAny     `xml:",any"`
	}
	jSuite struct {
		Attrs      []xml.Attr  `xml:",any,attr"`
		Properties []jProperty `xml:"properties>property"`
		Cases      []jCase     `xml:"testcase"`
		Other      []jAny      `xml:",any"`
	}
	jProperty struct {
		Attrs []xml.Attr `xml:",any,attr"`
	}
	jCase struct {
		Attrs    []xml.Attr `xml:",any,attr"`
		Skipped  []jProblem `xml:"skipped"`
		Errors   []jProblem `xml:"error"`
		Failures []jProblem `xml:"failure"`
		Other    []jAny     `xml:",any"`
	}
	jProblem struct {
		Attrs []xml.Attr `xml:",any,attr"`
		Text  string     `xml:",chardata"`
	}
	jAny struct {
		XMLName xml.Name
	}
)

// attrs checks an element's attributes against the schema: all required
// present, none unknown. It returns them by name.
func attrs(t *testing.T, where string, got []xml.Attr, required, optional []string) map[string]string {
	t.Helper()
	m := make(map[string]string)
	for _, a := range got {
		name := a.Name.Local
		if a.Name.Space != "" || !slices.Contains(required, name) && !slices.Contains(optional, name) {
			t.Errorf("%s: unknown attribute %s", where, a.Name.Local)
		}
		m[name] = a.Value
	}
	for _, name := range required {
		if _, ok := m[name]; !ok {
			t.Errorf("%s: missing required attribute %s", where, name)
		}
	}
	return m
}

// count reads a count attribute; missing counts as zero.
func count(t *testing.T, where string, m map[string]string, name string) int {
	t.Helper()
	v, ok := m[name]
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Errorf("%s: %s=%q, want a non-negative integer", where, name, v)
	}
	return n
}

// checkSeconds checks a time attribute is decimal seconds.
func checkSeconds(t *testing.T, where, v string) {
	t.Helper()
	if f, err := strconv.ParseFloat(v, 64); err != nil || f < 0 || strings.ContainsAny(v, "eE") {
		t.Errorf("%s: time=%q, want non-negative decimal seconds", where, v)
	}
}

// checkJUnit decodes junit.xml strictly and checks its shape and counts;
// it returns the decoded document.
func checkJUnit(t *testing.T, data []byte) jSuites {
	t.Helper()
	var doc jSuites
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("junit.xml is not well-formed: %v", err)
	}
	for _, o := range doc.Other {
		t.Errorf("testsuites: unknown child <%s>", o.XMLName.Local)
	}
	top := attrs(t, "testsuites", doc.Attrs, nil, []string{"name", "tests", "failures", "errors", "disabled", "time"})
	if v, ok := top["time"]; ok {
		checkSeconds(t, "testsuites", v)
	}
	var tests, failures, errs int
	for i, s := range doc.Suites {
		where := "testsuite " + strconv.Itoa(i)
		sa := attrs(t, where, s.Attrs,
			[]string{"name", "tests", "failures", "errors", "time"},
			[]string{"skipped", "disabled", "timestamp", "hostname", "id", "package"})
		checkSeconds(t, where, sa["time"])
		for _, o := range s.Other {
			t.Errorf("%s: unknown child <%s>", where, o.XMLName.Local)
		}
		for _, p := range s.Properties {
			attrs(t, where+" property", p.Attrs, []string{"name", "value"}, nil)
		}
		var f, e, sk int
		for j, c := range s.Cases {
			cw := where + " testcase " + strconv.Itoa(j)
			ca := attrs(t, cw, c.Attrs, []string{"classname", "name", "time"}, nil)
			checkSeconds(t, cw, ca["time"])
			if ca["classname"] != sa["name"] {
				t.Errorf("%s: classname %q, want the suite name %q", cw, ca["classname"], sa["name"])
			}
			for _, o := range c.Other {
				t.Errorf("%s: unknown child <%s>", cw, o.XMLName.Local)
			}
			if n := len(c.Skipped) + len(c.Errors) + len(c.Failures); n > 1 {
				t.Errorf("%s: %d outcomes, want at most one", cw, n)
			}
			for _, p := range c.Failures {
				attrs(t, cw+" failure", p.Attrs, []string{"message", "type"}, nil)
			}
			for _, p := range c.Errors {
				attrs(t, cw+" error", p.Attrs, []string{"message", "type"}, nil)
			}
			for _, p := range c.Skipped {
				attrs(t, cw+" skipped", p.Attrs, nil, []string{"message"})
			}
			f += len(c.Failures)
			e += len(c.Errors)
			sk += len(c.Skipped)
		}
		for _, c := range []struct {
			name      string
			got, want int
		}{
			{"tests", count(t, where, sa, "tests"), len(s.Cases)},
			{"failures", count(t, where, sa, "failures"), f},
			{"errors", count(t, where, sa, "errors"), e},
			{"skipped", count(t, where, sa, "skipped"), sk},
		} {
			if c.got != c.want {
				t.Errorf("%s: %s=%d, want %d (the testcases it holds)", where, c.name, c.got, c.want)
			}
		}
		tests += len(s.Cases)
		failures += f
		errs += e
	}
	checkVerdictSuite(t, doc)
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"tests", count(t, "testsuites", top, "tests"), tests},
		{"failures", count(t, "testsuites", top, "failures"), failures},
		{"errors", count(t, "testsuites", top, "errors"), errs},
	} {
		if c.got != c.want {
			t.Errorf("testsuites: %s=%d, want %d (the sum over its suites)", c.name, c.got, c.want)
		}
	}
	return doc
}

// checkVerdictSuite checks that the last testsuite is the verdict: one
// testcase that passes or has one failure, never an error or skipped.
func checkVerdictSuite(t *testing.T, doc jSuites) {
	t.Helper()
	if len(doc.Suites) == 0 {
		t.Errorf("testsuites: no testsuite, want the verdict suite at least")
		return
	}
	v := doc.Suites[len(doc.Suites)-1]
	var name string
	for _, a := range v.Attrs {
		if a.Name.Local == "name" {
			name = a.Value
		}
	}
	if name != "verdict" {
		t.Errorf("last testsuite: name %q, want \"verdict\"", name)
	}
	if len(v.Cases) != 1 {
		t.Errorf("verdict testsuite: %d testcases, want 1", len(v.Cases))
		return
	}
	// Passed, failed once, or (a run that could not test) one error.
	if c := v.Cases[0]; len(c.Skipped) > 0 || len(c.Failures)+len(c.Errors) > 1 {
		t.Errorf("verdict testcase: %d failures, %d errors, %d skipped; want it passed, failed once or one error",
			len(c.Failures), len(c.Errors), len(c.Skipped))
	}
}

func TestJUnitShapeAndCounts(t *testing.T) {
	run := fixtureRun()
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, run); err != nil {
		t.Fatal(err)
	}
	doc := checkJUnit(t, buf.Bytes())

	if got, want := len(doc.Suites), 3; got != want {
		t.Fatalf("got %d testsuites, want %d (one per feature, then the verdict)", got, want)
	}
	var names []string
	for _, s := range doc.Suites[:2] {
		for _, c := range s.Cases {
			for _, a := range c.Attrs {
				if a.Name.Local == "name" {
					names = append(names, a.Value)
				}
			}
		}
	}
	var want []string
	for _, sc := range run.Scenarios {
		want = append(want, sc.Name)
	}
	if !slices.Equal(names, want) {
		t.Errorf("testcase names: got %q, want the scenarios %q", names, want)
	}

	docs := doc.Suites[1]
	failed, unsupported := docs.Cases[0], docs.Cases[1]
	if len(failed.Failures) != 1 {
		t.Fatalf("failed scenario: got %d failures, want 1", len(failed.Failures))
	}
	text := failed.Failures[0].Text
	for _, want := range []string{
		"Then the archive accepts the message",   // the step
		"ID-MINOR-GUARDIAN",                      // the rule
		"9.12.3",                                 // the handbook section
		`<value xsi:type="CV" nullFlavor="NI"/>`, // the excerpt
		"REQ-MK-014",                             // the requirement
	} {
		if !strings.Contains(text, want) {
			t.Errorf("failure text lacks %q:\n%s", want, text)
		}
	}
	if len(unsupported.Skipped) != 1 {
		t.Fatalf("not-supported scenario: got %d skipped, want 1", len(unsupported.Skipped))
	}
	msg := unsupported.Skipped[0].Attrs[0].Value
	if !strings.HasPrefix(msg, "not supported") || !strings.Contains(msg, "storeDocument") {
		t.Errorf("skipped message %q: want it to say not supported and why", msg)
	}
}

func TestJUnitOutcomes(t *testing.T) {
	step := func(s yhteistestaus.Status, err string) []yhteistestaus.StepResult {
		return []yhteistestaus.StepResult{{Keyword: "When ", Text: "something happens", Status: s, Error: err}}
	}
	tests := []struct {
		name                      string
		status                    yhteistestaus.Status
		failures, errors, skipped int
	}{
		{"a passed scenario has no outcome element", yhteistestaus.StatusPassed, 0, 0, 0},
		{"a failed scenario is a failure", yhteistestaus.StatusFailed, 1, 0, 0},
		{"an undefined step is an error", yhteistestaus.StatusUndefined, 0, 1, 0},
		{"a not-supported scenario is skipped", yhteistestaus.StatusNotSupported, 0, 0, 1},
		{"a skipped scenario is skipped", yhteistestaus.StatusSkipped, 0, 0, 1},
		{"an unknown status is skipped, not passed", "pending", 0, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := &yhteistestaus.Run{Profile: "p", Scenarios: []yhteistestaus.ScenarioResult{{
				Feature: "F", Name: "S", Status: tt.status, Steps: step(tt.status, "boom"),
			}}}
			var buf bytes.Buffer
			if err := WriteJUnit(&buf, run); err != nil {
				t.Fatal(err)
			}
			doc := checkJUnit(t, buf.Bytes())
			c := doc.Suites[0].Cases[0]
			if len(c.Failures) != tt.failures || len(c.Errors) != tt.errors || len(c.Skipped) != tt.skipped {
				t.Errorf("got failures/errors/skipped %d/%d/%d, want %d/%d/%d",
					len(c.Failures), len(c.Errors), len(c.Skipped), tt.failures, tt.errors, tt.skipped)
			}
		})
	}
}

func TestJUnitHostileText(t *testing.T) {
	run := fixtureRun()
	hostile := "]]><script>alert(1)</script>\x00\x1b[31m\xff & \"quotes\""
	run.Scenarios[2].Name = hostile
	run.Scenarios[2].Feature = hostile
	run.Scenarios[2].Steps[2].Error = hostile
	run.Scenarios[2].Steps[2].Excerpt = hostile
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, run); err != nil {
		t.Fatal(err)
	}
	doc := checkJUnit(t, buf.Bytes())
	var found bool
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			for _, f := range c.Failures {
				found = found || strings.Contains(f.Text, "]]><script>alert(1)</script>")
			}
		}
	}
	if !found {
		t.Errorf("the failure text lost the hostile error text; got:\n%s", buf.String())
	}
}

// TestJUnitValidatesWithXmllint validates junit.xml against
// testdata/junit.xsd with xmllint (Debian: apt-get install libxml2-utils).
// The Go standard library has no XSD validator; the test is skipped when
// xmllint is not installed, and TestJUnitShapeAndCounts checks the same
// shape without it.
func TestJUnitValidatesWithXmllint(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint not installed (apt-get install libxml2-utils); structural checks run in TestJUnitShapeAndCounts")
	}
	runs := map[string]*yhteistestaus.Run{"fixture": fixtureRun(), "empty": {}}
	hostile := fixtureRun()
	hostile.Scenarios[2].Steps[2].Error = "]]>\x00<x>&\xff"
	hostile.Scenarios[2].Status = yhteistestaus.StatusUndefined
	runs["hostile"] = hostile
	passed := fixtureRun()
	passed.Verdict = yhteistestaus.StatusPassed
	runs["passed"] = passed
	notTested := fixtureRun()
	notTested.Requirements[3].Status = yhteistestaus.StatusNotTested
	notTested.Requirements[3].Title = "]]>\x00<x>&\xff"
	runs["not-tested hostile title"] = notTested
	for name, run := range runs {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), JUnitFile)
			var buf bytes.Buffer
			if err := WriteJUnit(&buf, run); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(xmllint, "--noout", "--nonet", "--schema", "testdata/junit.xsd", path).CombinedOutput()
			if err != nil {
				t.Errorf("xmllint: %v\n%s", err, out)
			}
		})
	}
}

func TestJUnitVerdict(t *testing.T) {
	passedScenario := yhteistestaus.ScenarioResult{
		Feature: "Client relation", Name: "Opening a client relation", Status: yhteistestaus.StatusPassed,
		Requirements: []string{"REQ-CR-001"},
	}
	req := func(id, applicability string, s yhteistestaus.Status) yhteistestaus.RequirementResult {
		return yhteistestaus.RequirementResult{ID: id, Title: "title of " + id, Section: "7.1", Lines: "L1-L2",
			Applicability: applicability, Verification: "automatic", Status: s}
	}
	tests := []struct {
		name    string
		run     *yhteistestaus.Run
		failed  bool     // the verdict testcase has a failure
		names   []string // the failure text names these requirements
		exclude []string // and not these
	}{
		{
			name: "a failed run fails the verdict, naming the mandatory requirements that failed or were not supported",
			run:  fixtureRun(), failed: true,
			names:   []string{"REQ-MK-014 failed", "REQ-SRV-004 not-supported"},
			exclude: []string{"REQ-CR-001", "REQ-CP-009", "REQ-SRH-010", "REQ-SRV-044", "REQ-SRV-052", "REQ-SRV-094"},
		},
		{
			name: "every scenario passed but a mandatory requirement was not tested: junit.xml is not green",
			run: &yhteistestaus.Run{Profile: "vaihe2-kasittely", Verdict: yhteistestaus.StatusFailed,
				Scenarios: []yhteistestaus.ScenarioResult{passedScenario},
				Requirements: []yhteistestaus.RequirementResult{
					req("REQ-CR-001", "mandatory", yhteistestaus.StatusPassed),
					req("REQ-CR-002", "mandatory", yhteistestaus.StatusNotTested),
					req("REQ-CP-009", "conditional", yhteistestaus.StatusNotTested),
				}},
			failed: true, names: []string{"REQ-CR-002 not-tested"}, exclude: []string{"REQ-CR-001", "REQ-CP-009"},
		},
		{
			name: "every scenario passed but a mandatory requirement was not supported: junit.xml is not green",
			run: &yhteistestaus.Run{Profile: "vaihe2-kasittely", Verdict: yhteistestaus.StatusFailed,
				Scenarios: []yhteistestaus.ScenarioResult{passedScenario},
				Requirements: []yhteistestaus.RequirementResult{
					req("REQ-CR-001", "mandatory", yhteistestaus.StatusPassed),
					req("REQ-SRV-004", "mandatory", yhteistestaus.StatusNotSupported),
				}},
			failed: true, names: []string{"REQ-SRV-004 not-supported"}, exclude: []string{"REQ-CR-001"},
		},
		{
			name: "a run with no verdict is not green",
			run:  &yhteistestaus.Run{Profile: "p"}, failed: true,
		},
		{
			name: "a passed run passes the verdict",
			run: &yhteistestaus.Run{Profile: "vaihe2-kasittely", Verdict: yhteistestaus.StatusPassed,
				Scenarios: []yhteistestaus.ScenarioResult{passedScenario},
				Requirements: []yhteistestaus.RequirementResult{
					req("REQ-CR-001", "mandatory", yhteistestaus.StatusPassed),
					req("REQ-CP-009", "conditional", yhteistestaus.StatusNotTested),
				}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteJUnit(&buf, tt.run); err != nil {
				t.Fatal(err)
			}
			doc := checkJUnit(t, buf.Bytes())
			if len(doc.Suites) == 0 {
				t.Fatal("got no testsuite, want the verdict suite last")
			}
			suite := doc.Suites[len(doc.Suites)-1]
			sa := attrs(t, "verdict suite", suite.Attrs, []string{"name", "tests", "failures", "errors", "time"},
				[]string{"skipped", "timestamp"})
			if got, want := sa["name"], "verdict"; got != want {
				t.Errorf("last testsuite: got name %q, want %q", got, want)
			}
			if len(suite.Cases) != 1 {
				t.Fatalf("verdict suite: got %d testcases, want 1", len(suite.Cases))
			}
			c := suite.Cases[0]
			ca := attrs(t, "verdict testcase", c.Attrs, []string{"classname", "name", "time"}, nil)
			if got, want := ca["name"], "profile "+tt.run.Profile+" verdict"; got != want {
				t.Errorf("verdict testcase: got name %q, want %q", got, want)
			}
			if got := len(c.Failures) == 1; got != tt.failed {
				t.Fatalf("verdict testcase failed: got %v, want %v (verdict %q)", got, tt.failed, tt.run.Verdict)
			}
			if n := len(c.Errors) + len(c.Skipped); n != 0 {
				t.Errorf("verdict testcase: got %d errors or skipped, want none", n)
			}
			top := attrs(t, "testsuites", doc.Attrs, nil, []string{"name", "tests", "failures", "errors", "disabled", "time"})
			if green := top["failures"] == "0" && top["errors"] == "0"; green == tt.failed {
				t.Errorf("testsuites failures=%s errors=%s: green is %v, want %v for verdict %q",
					top["failures"], top["errors"], green, !tt.failed, tt.run.Verdict)
			}
			if !tt.failed {
				return
			}
			text := c.Failures[0].Text
			for _, w := range tt.names {
				if !strings.Contains(text, w) {
					t.Errorf("verdict failure text lacks %q:\n%s", w, text)
				}
			}
			for _, w := range tt.exclude {
				if strings.Contains(text, w) {
					t.Errorf("verdict failure text names %q, a requirement that does not fail the verdict:\n%s", w, text)
				}
			}
		})
	}
}

// A failure's message names the rule and the location, where a CI server
// shows it in one line, and its text the root cause and the message as
// received.
func TestJUnitFailureNamesTheRuleAndLocation(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, fixtureRun()); err != nil {
		t.Fatal(err)
	}
	doc := checkJUnit(t, buf.Bytes())
	var failure *jProblem
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			if len(c.Failures) > 0 && failure == nil {
				failure = &c.Failures[0]
			}
		}
	}
	if failure == nil {
		t.Fatal("no failure")
	}
	a := attrs(t, "failure", failure.Attrs, []string{"message", "type"}, nil)
	if !strings.HasPrefix(a["message"], "ID-MINOR-GUARDIAN at /ClinicalDocument/component/structuredBody") || a["type"] != "ID-MINOR-GUARDIAN" {
		t.Errorf("failure message %q type %q, want the rule and its location first", a["message"], a["type"])
	}
	for _, w := range []string{"root cause ID-MINOR-GUARDIAN at /ClinicalDocument", "blocks REQ-MK-014", "the message as the archive received it (message 7)", `<observation classCode="OBS"`} {
		if !strings.Contains(failure.Text, w) {
			t.Errorf("failure text lacks %q:\n%s", w, failure.Text)
		}
	}
}

// A run that could not test the system is an error of the verdict
// testcase with the cause, not failures of the system.
func TestJUnitNotTestedIsAnError(t *testing.T) {
	run := &yhteistestaus.Run{Profile: "p", Verdict: yhteistestaus.StatusNotTested, NotTested: "exec hook /nonexistent: not found"}
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, run); err != nil {
		t.Fatal(err)
	}
	doc := checkJUnit(t, buf.Bytes())
	c := doc.Suites[len(doc.Suites)-1].Cases[0]
	if len(c.Errors) != 1 || len(c.Failures) != 0 {
		t.Fatalf("got %d errors and %d failures, want one error", len(c.Errors), len(c.Failures))
	}
	if a := attrs(t, "error", c.Errors[0].Attrs, []string{"message", "type"}, nil); a["message"] != "not tested: the harness could not reach your system: exec hook /nonexistent: not found" {
		t.Errorf("error message %q", a["message"])
	}
}
