package reports

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/yhteistestaus/yhteistestaus"
)

// statusLabel is the human-readable name of a status.
func statusLabel(s yhteistestaus.Status) string {
	switch s {
	case yhteistestaus.StatusPassed:
		return "Passed"
	case yhteistestaus.StatusFailed:
		return "Failed"
	case yhteistestaus.StatusNotSupported:
		return "Not supported"
	case yhteistestaus.StatusNotTested:
		return "Not tested"
	case yhteistestaus.StatusNotYetAutomated:
		return "Not yet automated"
	case yhteistestaus.StatusToBeAttested:
		return "To be attested"
	case yhteistestaus.StatusAttested:
		return "Attested"
	case yhteistestaus.StatusManual:
		return "Manual"
	case yhteistestaus.StatusSkipped:
		return "Skipped"
	case yhteistestaus.StatusUndefined:
		return "Undefined"
	case "":
		return "Unknown"
	}
	return string(s)
}

// statusCounts counts requirement statuses in report order: the known
// statuses first (zeros included), then any other status in summary,
// sorted. It uses run.Summary when set and counts run.Requirements
// otherwise.
func statusCounts(run *yhteistestaus.Run) []statusCount {
	summary := run.Summary
	if summary == nil {
		summary = make(map[yhteistestaus.Status]int)
		for _, r := range run.Requirements {
			summary[r.Status]++
		}
	}
	order := yhteistestaus.RequirementStatuses()
	var extra []yhteistestaus.Status
	for s := range summary {
		if !slices.Contains(order, s) {
			extra = append(extra, s)
		}
	}
	slices.Sort(extra)
	var out []statusCount
	for _, s := range append(order, extra...) {
		out = append(out, statusCount{Status: s, Count: summary[s]})
	}
	return out
}

// statusCount is one status and how many requirements have it.
type statusCount struct {
	Status yhteistestaus.Status
	Count  int
}

// seconds formats a duration as seconds with millisecond precision, the
// form JUnit XML uses.
func seconds(d time.Duration) string {
	return fmt.Sprintf("%.3f", d.Seconds())
}

// stepText is a step as written in the feature file: "Then the archive …".
func stepText(s yhteistestaus.StepResult) string {
	kw := strings.TrimSpace(s.Keyword)
	if kw == "" {
		return s.Text
	}
	return kw + " " + s.Text
}

// stepProblem explains a failed or unsupported step in plain text: the
// error, each finding on its own line, and the offending excerpt.
func stepProblem(s yhteistestaus.StepResult) string {
	var b strings.Builder
	if s.Error != "" {
		b.WriteString(s.Error)
		b.WriteString("\n")
	}
	for _, f := range s.Findings {
		b.WriteString(f.String())
		if f.Source != "" {
			fmt.Fprintf(&b, " [%s]", f.Source)
		}
		b.WriteString("\n")
	}
	cites := s.Citations
	if len(cites) == 0 && s.Excerpt != "" {
		cites = []yhteistestaus.Citation{{MessageSeq: s.MessageSeq, Excerpt: s.Excerpt}}
	}
	for _, c := range cites {
		b.WriteString("the message as the archive received it")
		if c.MessageSeq > 0 {
			fmt.Fprintf(&b, " (message %d)", c.MessageSeq)
		}
		if c.Rule != "" {
			fmt.Fprintf(&b, ", %s at %s", c.Rule, c.Location)
		}
		b.WriteString(":\n")
		b.WriteString(c.Excerpt)
		if !strings.HasSuffix(c.Excerpt, "\n") {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// scenarioCause returns the first root cause of run that the scenario
// failed on, or nil.
func scenarioCause(run *yhteistestaus.Run, scenario string) *yhteistestaus.RootCause {
	for i := range run.RootCauses {
		if slices.Contains(run.RootCauses[i].Scenarios, scenario) {
			return &run.RootCauses[i]
		}
	}
	return nil
}

// causeFinding returns the step's finding of the cause's rule, or else its
// first finding.
func causeFinding(step yhteistestaus.StepResult, cause *yhteistestaus.RootCause) (yhteistestaus.Finding, bool) {
	if cause != nil {
		for _, f := range step.Findings {
			if f.Rule == cause.Rule {
				return f, true
			}
		}
	}
	if len(step.Findings) > 0 {
		return step.Findings[0], true
	}
	return yhteistestaus.Finding{}, false
}

// causeLine describes a root cause in one line: "root cause HDR-SERVICE-TASK
// at localSocialHeader/functionCode, in 21 scenarios, blocks REQ-A, REQ-B".
func causeLine(c *yhteistestaus.RootCause) string {
	var b strings.Builder
	b.WriteString("root cause " + c.Rule)
	if c.Location != "" {
		b.WriteString(" at " + c.Location)
	}
	if c.Title != "" {
		b.WriteString(" (" + c.Title + ")")
	}
	fmt.Fprintf(&b, ", in %s", plural(len(c.Scenarios), "scenario"))
	if len(c.Requirements) > 0 {
		b.WriteString(", blocks " + strings.Join(c.Requirements, ", "))
	}
	b.WriteString("\n")
	return b.String()
}

// causeRules names at most n root causes by rule, "and k more" after.
func causeRules(cs []yhteistestaus.RootCause, n int) []string {
	var out []string
	for i, c := range cs {
		if i == n {
			out = append(out, fmt.Sprintf("and %d more", len(cs)-n))
			break
		}
		out = append(out, c.Rule)
	}
	return out
}

// problemStep is the first step of a scenario that failed, was undefined
// or was not supported, and whether there is one.
func problemStep(sc yhteistestaus.ScenarioResult) (yhteistestaus.StepResult, bool) {
	for _, s := range sc.Steps {
		switch s.Status {
		case yhteistestaus.StatusFailed, yhteistestaus.StatusUndefined, yhteistestaus.StatusNotSupported:
			return s, true
		}
	}
	return yhteistestaus.StepResult{}, false
}

// firstLine is the first line of s, for one-line summaries.
func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return strings.TrimSpace(s[:i])
	}
	return s
}

// featureGroup is the scenarios of one feature, in run order.
type featureGroup struct {
	Name      string
	File      string
	Scenarios []yhteistestaus.ScenarioResult
}

// byFeature groups the scenarios of run by feature file and name, keeping
// the order in which features first appear.
func byFeature(run *yhteistestaus.Run) []featureGroup {
	var groups []featureGroup
	index := make(map[[2]string]int)
	for _, sc := range run.Scenarios {
		key := [2]string{sc.FeatureFile, sc.Feature}
		i, ok := index[key]
		if !ok {
			i = len(groups)
			index[key] = i
			groups = append(groups, featureGroup{Name: sc.Feature, File: sc.FeatureFile})
		}
		groups[i].Scenarios = append(groups[i].Scenarios, sc)
	}
	return groups
}
