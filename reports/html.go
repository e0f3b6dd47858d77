package reports

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/yhteistestaus/yhteistestaus"
)

//go:embed report.html.tmpl
var htmlTemplate string

//go:embed report.css
var htmlStyle string

// WriteHTML writes run as one self-contained HTML page (report.html): the
// profile's verdict, the run's facts, a summary of requirements by status,
// the requirement table, every failure with its rule, handbook section,
// step and offending excerpt, the attestation checklist, and every
// scenario with its steps. The page has its style sheet inline and needs
// no other file, network access or JavaScript. All text from the run is
// escaped by html/template.
func WriteHTML(w io.Writer, run *yhteistestaus.Run) error {
	if run == nil {
		return fmt.Errorf("html: nil run")
	}
	t, err := template.New("report").Funcs(template.FuncMap{
		"label":     statusLabel,
		"duration":  formatDuration,
		"stepText":  stepText,
		"join":      strings.Join,
		"isProblem": isProblem,
		"lower":     strings.ToLower,
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
	// AutomatedMet (of those, passed) and Open (left to the coordinator:
	// to be attested, manual, not yet automated).
	Mandatory struct{ Total, Met, Automated, AutomatedMet, Open int }
	// ScenarioCounts are the scenarios by status, in order of first
	// appearance of the status.
	ScenarioCounts []statusCount
	Failed         []yhteistestaus.RequirementResult
	Attestation    []yhteistestaus.RequirementResult
	Manual         []yhteistestaus.RequirementResult
	Features       []featureGroup
}

// langName is a profile name in one language.
type langName struct {
	Lang, Label, Name string
}

// verdictView is the verdict banner.
type verdictView struct {
	Class, Finnish, English, Explanation string
}

// barSegment is one status in the summary bar.
type barSegment struct {
	Status  yhteistestaus.Status
	Count   int
	Percent string
}

// newHTMLView derives the template's view of run.
func newHTMLView(run *yhteistestaus.Run) htmlView {
	v := htmlView{
		Run:      run,
		CSS:      template.CSS(htmlStyle), // our own embedded style sheet
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
					if r.Status == yhteistestaus.StatusPassed {
						v.Mandatory.AutomatedMet++
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
	v.Verdict = verdict(run.Verdict, v.Mandatory.AutomatedMet, v.Mandatory.Automated, v.Mandatory.Open)
	return v
}

// verdict words the verdict banner. The verdict is decided by the
// mandatory requirements the run verifies automatically; the open ones
// (to be attested, manual, not yet automated) are the coordinator's.
func verdict(s yhteistestaus.Status, met, automated, open int) verdictView {
	counts := fmt.Sprintf("%d of %d mandatory automatically verified requirements passed.", met, automated)
	if open > 0 {
		counts += fmt.Sprintf(" %d mandatory requirements are left to attestation, the coordinator or later automation.", open)
	}
	switch s {
	case yhteistestaus.StatusPassed:
		return verdictView{"passed", "Hyväksytty", "Passed",
			"Every mandatory requirement this run verifies passed. " + counts}
	case yhteistestaus.StatusFailed:
		return verdictView{"failed", "Hylätty", "Failed",
			"At least one mandatory requirement this run verifies is not met. " + counts}
	}
	return verdictView{"other", "Ei ratkaistu", statusLabel(s), counts}
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
