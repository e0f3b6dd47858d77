package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fatih/color"
	"github.com/mattn/go-isatty"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/reports"
	"github.com/yhteistestaus/yhteistestaus/runner"
)

// console writes a run to the terminal as it goes: one line per scenario
// with its place in the run ([n/N]), the failing step's rule, location
// and line under a failed one, and at the end the verdict, the root causes
// and where the reports are. It is the runner's Observer.
type console struct {
	w     io.Writer
	color bool
}

var _ runner.Observer = (*console)(nil)

func newConsole(w io.Writer) *console { return &console{w: w, color: colorful(w)} }

func colorful(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())) && !color.NoColor
}

func (c *console) paint(s string, attrs ...color.Attribute) string {
	if !c.color {
		return s
	}
	return color.New(attrs...).Sprint(s)
}

// ScenarioDone prints the scenario's line and, for a failed one, its
// failing steps.
func (c *console) ScenarioDone(n, total int, r *yhteistestaus.ScenarioResult) {
	var mark string
	switch r.Status {
	case yhteistestaus.StatusPassed:
		mark = c.paint("PASS", color.FgGreen, color.Bold)
	case yhteistestaus.StatusFailed:
		mark = c.paint("FAIL", color.FgRed, color.Bold)
	case yhteistestaus.StatusNotTested:
		mark = c.paint("N/T ", color.FgYellow, color.Bold)
	default:
		mark = c.paint("N/S ", color.FgYellow, color.Bold)
	}
	width := len(fmt.Sprint(total))
	fmt.Fprintf(c.w, "[%*d/%d] %s  %s  (%s:%d, %s)\n", width, n, total, mark, r.Name, r.FeatureFile, r.Line, r.Duration.Round(time.Millisecond))
	if r.Status == yhteistestaus.StatusNotTested {
		for _, s := range r.Steps {
			if s.Status == yhteistestaus.StatusNotTested {
				fmt.Fprintf(c.w, "%snot tested: %s\n", strings.Repeat(" ", 2*width+4), firstLine(s.Error))
			}
		}
	}
	if r.Status != yhteistestaus.StatusFailed {
		return
	}
	indent := strings.Repeat(" ", 2*width+4)
	for _, s := range r.Steps {
		if s.Status != yhteistestaus.StatusFailed && s.Status != yhteistestaus.StatusUndefined {
			continue
		}
		where := ""
		if s.Line > 0 {
			where = fmt.Sprintf(" (line %d)", s.Line)
		}
		fmt.Fprintf(c.w, "%s%s %s%s\n", indent, s.Keyword, s.Text, where)
		if len(s.Findings) == 0 {
			fmt.Fprintf(c.w, "%s  %s: %s\n", indent, s.Check, firstLine(s.Error))
		}
		for _, f := range s.Findings {
			loc := ""
			if f.Location != "" {
				loc = " at " + f.Location
			}
			fmt.Fprintf(c.w, "%s  %s %s%s: %s [%s]\n", indent, f.Severity, f.Rule, loc, f.Message, f.Source)
		}
	}
}

// Notice prints a line about the run as a whole.
func (c *console) Notice(msg string) { fmt.Fprintln(c.w, msg) }

// maxCauseLines bounds the root causes the summary lists.
const maxCauseLines = 8

// summary prints the verdict, the requirement counts, the root causes (at
// most ten lines) and where the reports are.
func (c *console) summary(r *yhteistestaus.Run, out string) {
	fmt.Fprintf(c.w, "\nprofile %s (%s): %s\n", r.Profile, r.Duration.Round(time.Millisecond), c.verdict(r))
	var parts []string
	for _, s := range yhteistestaus.RequirementStatuses() {
		if n := r.Summary[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	fmt.Fprintf(c.w, "requirements: %s\n", strings.Join(parts, ", "))
	if n := len(r.RootCauses); n > 0 {
		fmt.Fprintf(c.w, "%d root cause%s:\n", n, plural(n))
		for i, rc := range r.RootCauses {
			if i == maxCauseLines && n > maxCauseLines+1 {
				fmt.Fprintf(c.w, "  … and %d more, in report.html\n", n-maxCauseLines)
				break
			}
			fmt.Fprintf(c.w, "  %s in %d scenario%s, first at %q: blocks %s\n", rc.Rule, len(rc.Scenarios), plural(len(rc.Scenarios)), rc.Step, ids(rc.Requirements, 6))
		}
	}
	fmt.Fprintf(c.w, "report: %s\n", filepath.Join(out, "report.html"))
	var others []string
	for _, f := range reports.Files() {
		if f != "report.html" {
			others = append(others, f)
		}
	}
	fmt.Fprintf(c.w, "beside it: %s\n", strings.Join(others, ", "))
}

// verdict words the run's verdict with what it covers.
func (c *console) verdict(r *yhteistestaus.Run) string {
	switch {
	case r.NotTested != "":
		return c.paint("NOT TESTED", color.FgYellow, color.Bold) + ": " + r.NotTested
	case r.Verdict == yhteistestaus.StatusNotYetAutomated:
		return c.paint("NOT YET AUTOMATED", color.FgYellow, color.Bold) + ": " + notAutomated(r)
	case r.Verdict == yhteistestaus.StatusPassed && r.Partial:
		return c.paint("PASSED", color.FgGreen, color.Bold) + fmt.Sprintf(" for the %d scenario%s selected by --tags %q; the profile verdict needs a full run", len(r.Scenarios), plural(len(r.Scenarios)), r.Tags)
	case r.Verdict == yhteistestaus.StatusPassed:
		return c.paint("PASSED", color.FgGreen, color.Bold) + " for the automated part: " + coverage(r)
	}
	return c.paint(strings.ToUpper(string(r.Verdict)), color.FgRed, color.Bold)
}

// mandatory counts the run's mandatory requirements by status.
func mandatory(r *yhteistestaus.Run) (int, map[yhteistestaus.Status]int) {
	n, by := 0, make(map[yhteistestaus.Status]int)
	for _, q := range r.Requirements {
		if q.Applicability == "mandatory" {
			n++
			by[q.Status]++
		}
	}
	return n, by
}

// coverage says how much of the profile's mandatory requirements a passed
// run proved, and what is left to attestation and the coordinator.
func coverage(r *yhteistestaus.Run) string {
	n, by := mandatory(r)
	return fmt.Sprintf("%d of %d mandatory requirements verified automatically, %d not yet automated, %d by attestation, %d by hand",
		by[yhteistestaus.StatusPassed], n, by[yhteistestaus.StatusNotYetAutomated],
		by[yhteistestaus.StatusToBeAttested]+by[yhteistestaus.StatusAttested], by[yhteistestaus.StatusManual])
}

// notAutomated says why a profile has no automated verdict.
func notAutomated(r *yhteistestaus.Run) string {
	n, by := mandatory(r)
	return fmt.Sprintf("nothing of this profile's own functional areas can be verified automatically yet; of its %d mandatory requirements only %d shared by every connecting system passed, %d are not yet automated, %d need attestation and %d are checked by hand",
		n, by[yhteistestaus.StatusPassed], by[yhteistestaus.StatusNotYetAutomated],
		by[yhteistestaus.StatusToBeAttested]+by[yhteistestaus.StatusAttested], by[yhteistestaus.StatusManual])
}

// ids lists at most n ids, then how many more.
func ids(list []string, n int) string {
	if len(list) == 0 {
		return "no requirement"
	}
	if len(list) <= n {
		return strings.Join(list, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(list[:n], ", "), len(list)-n)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
