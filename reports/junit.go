package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/yhteistestaus/yhteistestaus"
)

// The JUnit XML document: the shape Jenkins, GitLab and the GitHub Actions
// test reporters read (the Ant JUnit report format).
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Time       string          `xml:"time,attr"`
		Timestamp  string          `xml:"timestamp,attr,omitempty"`
		Properties []junitProperty `xml:"properties>property,omitempty"`
		Cases      []junitCase     `xml:"testcase"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		ClassName string        `xml:"classname,attr"`
		Name      string        `xml:"name,attr"`
		Time      string        `xml:"time,attr"`
		Skipped   *junitSkipped `xml:"skipped"`
		Error     *junitProblem `xml:"error"`
		Failure   *junitProblem `xml:"failure"`
	}
	junitSkipped struct {
		Message string `xml:"message,attr"`
	}
	junitProblem struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",cdata"`
	}
)

// WriteJUnit writes run as JUnit XML (junit.xml): one testsuite per
// feature, one testcase per scenario (classname the feature, name the
// scenario, time in seconds). A failed scenario has a failure whose message
// names the failing step and whose text gives the error, the archive's
// findings and the offending excerpt; an undefined step is an error; a
// scenario the vendor system does not support, or one that did not run, is
// skipped with the reason.
//
// A last testsuite, "verdict", holds one testcase, "profile <id>
// verdict", that passes only when the run's verdict is passed: otherwise
// its failure names the root causes and lists the profile's mandatory
// requirements that failed, were not supported or were not tested. A run
// that could not test the system (Run.NotTested) is an error of that
// testcase, with the cause. A run whose every scenario passed can
// still fail (a mandatory requirement no scenario exercised), and CI must
// not show it green.
func WriteJUnit(w io.Writer, run *yhteistestaus.Run) error {
	if run == nil {
		return fmt.Errorf("junit: nil run")
	}
	doc := junitSuites{
		Name: "yhteistestaus " + run.Profile,
		Time: seconds(run.Duration),
	}
	timestamp := ""
	if !run.Started.IsZero() {
		timestamp = run.Started.UTC().Format("2006-01-02T15:04:05")
	}
	for _, g := range byFeature(run) {
		name := g.Name
		if name == "" {
			name = g.File
		}
		suite := junitSuite{
			Name:       name,
			Timestamp:  timestamp,
			Properties: junitProperties(run, g.File),
		}
		var total time.Duration
		for _, sc := range g.Scenarios {
			c := junitTestCase(name, sc, scenarioCause(run, sc.Name))
			suite.Tests++
			switch {
			case c.Failure != nil:
				suite.Failures++
			case c.Error != nil:
				suite.Errors++
			case c.Skipped != nil:
				suite.Skipped++
			}
			total += sc.Duration
			suite.Cases = append(suite.Cases, c)
		}
		suite.Time = seconds(total)
		doc.Tests += suite.Tests
		doc.Failures += suite.Failures
		doc.Errors += suite.Errors
		doc.Suites = append(doc.Suites, suite)
	}
	vs := junitVerdictSuite(run, timestamp)
	doc.Tests += vs.Tests
	doc.Failures += vs.Failures
	doc.Errors += vs.Errors
	doc.Suites = append(doc.Suites, vs)
	if err := encodeJUnit(w, doc); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	return nil
}

// encodeJUnit writes doc as indented JUnit XML with its declaration and a
// final newline.
func encodeJUnit(w io.Writer, doc junitSuites) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitProperties describes the run in each suite, where CI servers show
// suite properties.
func junitProperties(run *yhteistestaus.Run, file string) []junitProperty {
	props := []junitProperty{
		{"profile", run.Profile},
		{"profileName", run.ProfileName},
		{"verdict", string(run.Verdict)},
		{"sut", run.SUT.Name},
		{"sutVendor", run.SUT.Vendor},
		{"sutVersion", run.SUT.Version},
		{"sutAdapter", run.SUT.Adapter},
		{"archive", run.Archive},
		{"tags", run.Tags},
		{"featureFile", file},
	}
	out := props[:0]
	for _, p := range props {
		if p.Value != "" {
			out = append(out, p)
		}
	}
	return out
}

// junitTestCase turns one scenario into a testcase. A failure's message
// names the rule and the location first ("HDR-SERVICE-TASK at
// localSocialHeader/functionCode: …"), where CI servers show it in one
// line; its type is the root cause's rule.
func junitTestCase(class string, sc yhteistestaus.ScenarioResult, cause *yhteistestaus.RootCause) junitCase {
	c := junitCase{ClassName: class, Name: sc.Name, Time: seconds(sc.Duration)}
	step, found := problemStep(sc)
	switch sc.Status {
	case yhteistestaus.StatusPassed:
	case yhteistestaus.StatusFailed:
		p := &junitProblem{Type: "failed-step", Message: "scenario failed"}
		if found {
			p.Message = stepText(step)
			if e := firstLine(step.Error); e != "" {
				p.Message += ": " + e
			}
			if f, ok := causeFinding(step, cause); ok {
				p.Type = f.Rule
				p.Message = f.Rule
				if f.Location != "" {
					p.Message += " at " + f.Location
				}
				p.Message += ": " + f.Message + " (step: " + stepText(step) + ")"
			}
			p.Text = "step: " + stepText(step) + "\n" + stepProblem(step)
		}
		if cause != nil {
			if p.Type == "failed-step" {
				p.Type = cause.Rule
			}
			p.Text = causeLine(cause) + p.Text
		}
		p.Text = xmlText(p.Text + requirementsLine(sc))
		c.Failure = p
	case yhteistestaus.StatusUndefined:
		p := &junitProblem{Type: "undefined-step", Message: "a step is undefined"}
		if found {
			p.Message = "undefined step: " + stepText(step)
			p.Text = "step: " + stepText(step) + "\n" + stepProblem(step)
		}
		p.Text = xmlText(p.Text + requirementsLine(sc))
		c.Error = p
	case yhteistestaus.StatusNotSupported:
		msg := "not supported"
		if found {
			msg = "not supported: " + stepText(step)
			if e := firstLine(step.Error); e != "" {
				msg += ": " + e
			}
		}
		c.Skipped = &junitSkipped{Message: msg}
	default:
		c.Skipped = &junitSkipped{Message: strings.ToLower(statusLabel(sc.Status))}
	}
	return c
}

// junitVerdictName is the name of the verdict testsuite and the
// classname of its testcase.
const junitVerdictName = "verdict"

// junitVerdictSuite is the verdict testsuite: one testcase that fails
// unless run.Verdict is passed, listing the mandatory requirements that
// decided it.
func junitVerdictSuite(run *yhteistestaus.Run, timestamp string) junitSuite {
	c := junitCase{
		ClassName: junitVerdictName,
		Name:      "profile " + run.Profile + " verdict",
		Time:      seconds(0),
	}
	suite := junitSuite{
		Name:       junitVerdictName,
		Tests:      1,
		Time:       seconds(0),
		Timestamp:  timestamp,
		Properties: junitProperties(run, ""),
	}
	if run.NotTested != "" {
		// The harness could not test the system: an error of the run, not
		// a failure of the system.
		c.Error = &junitProblem{Type: "not-tested", Message: "not tested: the harness could not reach your system: " + firstLine(run.NotTested),
			Text: xmlText(run.NotTested + "\n")}
		suite.Errors = 1
		suite.Cases = []junitCase{c}
		return suite
	}
	if run.Verdict != yhteistestaus.StatusPassed {
		var open []string
		for _, r := range run.Requirements {
			if r.Applicability != "mandatory" {
				continue
			}
			switch r.Status {
			case yhteistestaus.StatusFailed, yhteistestaus.StatusNotSupported, yhteistestaus.StatusNotTested:
				open = append(open, requirementLine(r))
			}
		}
		p := &junitProblem{Type: "verdict-" + string(run.Verdict)}
		if run.Verdict == "" {
			p.Type = "verdict-none"
		}
		switch run.Verdict {
		case yhteistestaus.StatusFailed:
			p.Message = "verdict failed"
		case "":
			p.Message = "no verdict"
		default:
			p.Message = "verdict " + string(run.Verdict) + ", not passed"
		}
		switch len(open) {
		case 0:
		case 1:
			p.Message += ": 1 mandatory requirement not passed"
		default:
			p.Message += fmt.Sprintf(": %d mandatory requirements not passed", len(open))
		}
		if n := len(run.RootCauses); n > 0 {
			p.Message += "; " + plural(n, "root cause") + ": " + strings.Join(causeRules(run.RootCauses, 3), ", ")
			p.Text = "root causes:\n"
			for i := range run.RootCauses {
				p.Text += "  " + causeLine(&run.RootCauses[i])
			}
		}
		if len(open) > 0 {
			p.Text += "mandatory requirements not passed:\n" + strings.Join(open, "\n") + "\n"
		}
		p.Text = xmlText(p.Text)
		c.Failure = p
		suite.Failures = 1
	}
	suite.Cases = []junitCase{c}
	return suite
}

// requirementLine is one requirement of the verdict's failure: id,
// status, title and the handbook section it cites.
func requirementLine(r yhteistestaus.RequirementResult) string {
	line := r.ID + " " + string(r.Status)
	if r.Title != "" {
		line += ": " + r.Title
	}
	if cite := strings.TrimSpace(r.Section + " " + r.Lines); cite != "" {
		line += " [" + cite + "]"
	}
	return line
}

// requirementsLine names the requirements a scenario verifies.
func requirementsLine(sc yhteistestaus.ScenarioResult) string {
	if len(sc.Requirements) == 0 {
		return ""
	}
	return "requirements: " + strings.Join(sc.Requirements, ", ") + "\n"
}

// xmlText replaces the characters XML 1.0 cannot carry (most control
// characters, invalid UTF-8) with U+FFFD, so text written as CDATA keeps
// the document well-formed. Attributes need no such care: encoding/xml
// already replaces them there.
func xmlText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF:
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}
