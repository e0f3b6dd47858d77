package reports

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/catalogue"
)

//go:embed report.html.tmpl
var htmlTemplate string

//go:embed report.css
var htmlStyle string

//go:embed report.js
var htmlScript string

// WriteHTML writes run as one self-contained HTML page (report.html),
// ordered to lead a vendor to the fix: the verdict and what decided it, the
// root causes of the failures (each with its rule, handbook section, step,
// message and the offending fragment of the message as received), the
// requirements by status and by functional area, the requirement table
// (filterable by status, area and text, and sortable, by a small inline
// script; without scripts every row is shown), the attestation checklist,
// every scenario with its steps, and the catalogue entries of the rules
// that fired. The page has its style sheet and script inline and needs no
// other file or network access. All text from the run is escaped by
// html/template.
func WriteHTML(w io.Writer, run *yhteistestaus.Run) error {
	if run == nil {
		return fmt.Errorf("html: nil run")
	}
	t, err := template.New("report").Funcs(template.FuncMap{
		"label":        statusLabel,
		"duration":     formatDuration,
		"stepText":     stepText,
		"join":         strings.Join,
		"isProblem":    isProblem,
		"lower":        strings.ToLower,
		"plural":       plural,
		"cite":         cite,
		"excerptLines": excerptLines,
	}).Parse(htmlTemplate)
	if err != nil {
		return fmt.Errorf("html: parse template: %w", err)
	}
	// Render into memory first, so a template error leaves w untouched.
	var buf bytes.Buffer
	if err := t.Execute(&buf, newHTMLView(run)); err != nil {
		return fmt.Errorf("html: %w", err)
	}
	if _, err := buf.WriteTo(w); err != nil {
		return fmt.Errorf("html: %w", err)
	}
	return nil
}

// htmlView is what the HTML template shows: the run and what the writer
// derives from it.
type htmlView struct {
	Run      *yhteistestaus.Run
	CSS      template.CSS
	JS       template.JS
	Title    string
	Names    []langName
	Started  string
	Duration string
	Verdict  verdictView
	// Counts are the requirements by status; Bar the non-zero ones with
	// their share of the total, for the summary bar.
	Counts []statusCount
	Bar    []barSegment
	Total  int
	// Mandatory counts the profile's mandatory requirements: Total, Met
	// (passed or attested), Automated (decided by this run's scenarios),
	// AutomatedMet (of those, passed), Open (left to the coordinator: to
	// be attested, manual, not yet automated), and Failed, NotSupported and
	// NotTested among the automated ones.
	Mandatory struct {
		Total, Met, Automated, AutomatedMet, Open int
		Failed, NotSupported, NotTested           int
	}
	// ScenarioCounts are the scenarios by status, in order of first
	// appearance of the status.
	ScenarioCounts []statusCount
	// Causes are the root causes; Failed the failed requirements, shown
	// one by one only when the run has no root causes.
	Causes []causeView
	Failed []yhteistestaus.RequirementResult
	// Rows are the requirement table, failures first; Areas the
	// functional areas for the filter and the chart.
	Rows        []requirementRow
	Areas       []areaView
	Attestation []yhteistestaus.RequirementResult
	Manual      []yhteistestaus.RequirementResult
	Features    []featureGroup
	// ScenarioAnchors maps a scenario name to its anchor.
	ScenarioAnchors map[string]string
	Rules           []ruleView
}

// langName is a profile name in one language.
type langName struct {
	Lang, Label, Name string
}

// verdictView is the verdict banner: the verdict in English and Finnish,
// and what decided it.
type verdictView struct {
	Class, Finnish, English, Explanation string
	// Cause is why a run could not test the system.
	Cause string
}

// barSegment is one status in the summary bar.
type barSegment struct {
	Status  yhteistestaus.Status
	Count   int
	Percent string
}

// requirementRow is a row of the requirement table.
type requirementRow struct {
	yhteistestaus.RequirementResult
	// Rank orders statuses in the table: failures first.
	Rank int
	// AreaName is the functional area's English name.
	AreaName string
	// Causes are the anchors of the root causes the requirement failed on.
	Causes []string
}

// newHTMLView derives the template's view of run.
func newHTMLView(run *yhteistestaus.Run) htmlView {
	v := htmlView{
		Run:      run,
		CSS:      template.CSS(htmlStyle), // our own embedded style sheet
		JS:       template.JS(htmlScript), // our own embedded script
		Started:  "—",
		Duration: formatDuration(run.Duration),
		Counts:   statusCounts(run),
		Features: byFeature(run),
	}
	names := profileNames(run)
	v.Title = run.ProfileName
	if v.Title == "" && len(names) > 0 {
		v.Title = names[0].Name
	}
	if v.Title == "" {
		v.Title = run.Profile
	}
	// The title is the name in one language; list the others under it.
	for _, n := range names {
		if n.Name != v.Title {
			v.Names = append(v.Names, n)
		}
	}
	if !run.Started.IsZero() {
		v.Started = run.Started.Format("2006-01-02 15:04:05 MST")
	}
	for _, c := range v.Counts {
		v.Total += c.Count
	}
	for _, c := range v.Counts {
		if c.Count > 0 {
			v.Bar = append(v.Bar, barSegment{
				Status:  c.Status,
				Count:   c.Count,
				Percent: fmt.Sprintf("%.2f", 100*float64(c.Count)/float64(v.Total)),
			})
		}
	}
	for _, r := range run.Requirements {
		if r.Applicability == "mandatory" {
			v.Mandatory.Total++
			if r.Status == yhteistestaus.StatusPassed || r.Status == yhteistestaus.StatusAttested {
				v.Mandatory.Met++
			}
			switch r.Status {
			case yhteistestaus.StatusPassed, yhteistestaus.StatusFailed, yhteistestaus.StatusNotSupported, yhteistestaus.StatusNotTested:
				if r.Verification == "automatic" {
					v.Mandatory.Automated++
					switch r.Status {
					case yhteistestaus.StatusPassed:
						v.Mandatory.AutomatedMet++
					case yhteistestaus.StatusFailed:
						v.Mandatory.Failed++
					case yhteistestaus.StatusNotSupported:
						v.Mandatory.NotSupported++
					case yhteistestaus.StatusNotTested:
						v.Mandatory.NotTested++
					}
				}
			case yhteistestaus.StatusToBeAttested, yhteistestaus.StatusManual, yhteistestaus.StatusNotYetAutomated:
				v.Mandatory.Open++
			}
		}
		if r.Status == yhteistestaus.StatusFailed {
			v.Failed = append(v.Failed, r)
		}
		switch {
		case r.Verification == "attestation" ||
			r.Status == yhteistestaus.StatusAttested ||
			r.Status == yhteistestaus.StatusToBeAttested:
			v.Attestation = append(v.Attestation, r)
		case r.Verification == "manual" || r.Status == yhteistestaus.StatusManual:
			v.Manual = append(v.Manual, r)
		}
	}
	for _, sc := range run.Scenarios {
		i := slices.IndexFunc(v.ScenarioCounts, func(c statusCount) bool { return c.Status == sc.Status })
		if i < 0 {
			v.ScenarioCounts = append(v.ScenarioCounts, statusCount{Status: sc.Status})
			i = len(v.ScenarioCounts) - 1
		}
		v.ScenarioCounts[i].Count++
	}
	v.ScenarioAnchors = make(map[string]string)
	n := 0
	for gi := range v.Features {
		for si := range v.Features[gi].Scenarios {
			n++
			name := v.Features[gi].Scenarios[si].Name
			if _, ok := v.ScenarioAnchors[name]; !ok {
				v.ScenarioAnchors[name] = fmt.Sprintf("sc-%d", n)
			}
		}
	}
	v.Rules = ruleViews(run, catalogue.DefaultRules())
	inAppendix := func(id string) bool {
		return slices.ContainsFunc(v.Rules, func(r ruleView) bool { return r.ID == id })
	}
	v.Causes = causeViews(run, v.ScenarioAnchors, inAppendix)
	v.Rows, v.Areas = requirementRows(run, causeAnchors(v.Causes))
	v.Verdict = verdict(run, v)
	return v
}

// verdict words the verdict banner and what decided it. The verdict is
// decided by the mandatory requirements the run verifies automatically;
// the open ones (to be attested, manual, not yet automated) are the
// coordinator's.
func verdict(run *yhteistestaus.Run, v htmlView) verdictView {
	m := v.Mandatory
	scope := ""
	if run.Partial {
		scope = fmt.Sprintf(" for the %s selected by the tag filter %s; the profile's verdict needs a full run", plural(len(run.Scenarios), "scenario"), run.Tags)
	}
	open := ""
	if m.Open > 0 {
		open = fmt.Sprintf(" %s left to attestation, the coordinator or later automation.", plural(m.Open, "mandatory requirement is", "mandatory requirements are"))
	}
	if run.NotTested != "" || run.Verdict == yhteistestaus.StatusNotTested {
		return verdictView{Class: "other", Finnish: "Ei testattu", English: "Not tested",
			Explanation: "Not tested: the harness could not reach your system, so no requirement was judged. Fix the cause and run again.",
			Cause:       strings.TrimPrefix(run.NotTested, "the harness could not reach your system: ")}
	}
	switch run.Verdict {
	case yhteistestaus.StatusPassed:
		if m.Automated == 0 {
			break
		}
		verified := fmt.Sprintf("all %d mandatory requirements this run verifies automatically passed", m.Automated)
		if m.NotTested > 0 {
			verified = fmt.Sprintf("the %s these scenarios verify passed (%s verified automatically by other scenarios)",
				plural(m.AutomatedMet, "mandatory requirement", "mandatory requirements"), plural(m.NotTested, "more is", "more are"))
		}
		return verdictView{Class: "passed", Finnish: "Hyväksytty", English: "Passed",
			Explanation: fmt.Sprintf("Passed%s: %s.%s", scope, verified, open)}
	case yhteistestaus.StatusFailed:
		var why []string
		if m.Failed > 0 {
			w := fmt.Sprintf("%d failed", m.Failed)
			if len(run.RootCauses) > 0 {
				w += " on " + plural(len(run.RootCauses), "root cause")
			}
			why = append(why, w)
		}
		if m.NotSupported > 0 {
			why = append(why, fmt.Sprintf("%d not supported by the system", m.NotSupported))
		}
		if blocked := blockedNotTested(run); blocked > 0 {
			why = append(why, fmt.Sprintf("%d blocked: their scenarios stopped at a root cause", blocked))
			if rest := m.NotTested - blocked; rest > 0 {
				why = append(why, fmt.Sprintf("%d not exercised by this run's scenarios", rest))
			}
		} else if m.NotTested > 0 {
			why = append(why, fmt.Sprintf("%d not exercised by this run's scenarios", m.NotTested))
		}
		detail := ""
		if len(why) > 0 {
			detail = " (" + strings.Join(why, ", ") + ")"
		}
		return verdictView{Class: "failed", Finnish: "Hylätty", English: "Failed",
			Explanation: fmt.Sprintf("Failed%s: %d of %d mandatory requirements verified automatically are not met%s.%s",
				scope, m.Automated-m.AutomatedMet, m.Automated, detail, open)}
	}
	if m.Automated == 0 && m.Total > 0 {
		return verdictView{Class: "other", Finnish: "Ei ratkaistu", English: "Not decided",
			Explanation: fmt.Sprintf("Not decided: none of the profile's %d mandatory requirements is verified automatically by this run.%s", m.Total, open)}
	}
	return verdictView{Class: "other", Finnish: "Ei ratkaistu", English: statusLabel(run.Verdict),
		Explanation: fmt.Sprintf("%d of %d mandatory automatically verified requirements passed.%s", m.AutomatedMet, m.Automated, open)}
}

// blockedNotTested counts the mandatory, automatically verified
// requirements that were not tested and that a root cause blocks.
func blockedNotTested(run *yhteistestaus.Run) int {
	blocked := make(map[string]bool)
	for _, rc := range run.RootCauses {
		for _, id := range rc.Requirements {
			blocked[id] = true
		}
	}
	n := 0
	for _, r := range run.Requirements {
		if blocked[r.ID] && r.Applicability == "mandatory" && r.Verification == "automatic" && r.Status == yhteistestaus.StatusNotTested {
			n++
		}
	}
	return n
}

// plural says "1 scenario" or "2 scenarios"; with two forms, "1 is" or
// "2 are": the count, then the singular or the plural form.
func plural(n int, forms ...string) string {
	one := forms[0]
	many := one + "s"
	if len(forms) > 1 {
		many = forms[1]
	}
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// cite formats a handbook reference: "§ 7.1 · L15502-L15510".
func cite(section, lines string) string {
	var parts []string
	if section != "" {
		parts = append(parts, "§ "+section)
	}
	if lines != "" {
		parts = append(parts, lines)
	}
	return strings.Join(parts, " · ")
}

// profileNames lists the profile's names: Finnish, Swedish and English
// first, then any other language in alphabetical order.
func profileNames(run *yhteistestaus.Run) []langName {
	labels := map[string]string{"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}
	order := []string{"fi", "sv", "en"}
	var others []string
	for lang := range run.ProfileNames {
		if !slices.Contains(order, lang) {
			others = append(others, lang)
		}
	}
	slices.Sort(others)
	var out []langName
	for _, lang := range append(order, others...) {
		if name := run.ProfileNames[lang]; name != "" {
			label := labels[lang]
			if label == "" {
				label = lang
			}
			out = append(out, langName{Lang: lang, Label: label, Name: name})
		}
	}
	return out
}

// formatDuration rounds a duration for people: milliseconds under a
// minute, seconds above.
func formatDuration(d time.Duration) string {
	if d >= time.Minute {
		return d.Round(time.Second).String()
	}
	return d.Round(time.Millisecond).String()
}

// isProblem reports whether a step status needs explaining in the report.
func isProblem(s yhteistestaus.Status) bool {
	switch s {
	case yhteistestaus.StatusFailed, yhteistestaus.StatusUndefined, yhteistestaus.StatusNotSupported:
		return true
	}
	return false
}
