package reports

import (
	"bytes"
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/yhteistestaus/yhteistestaus"
)

func renderHTML(t *testing.T, run *yhteistestaus.Run) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, run); err != nil {
		t.Fatalf("WriteHTML: %v", err)
	}
	return buf.String()
}

func TestHTMLShowsWhatTheReportMustShow(t *testing.T) {
	page := renderHTML(t, fixtureRun())
	tests := []struct {
		what string
		want string
	}{
		{"the verdict", `<div class="verdict-word">Failed</div>`},
		{"the verdict in Finnish", `Hylätty`},
		{"the profile id", `vaihe2-kasittely`},
		{"the Finnish profile name as title", `<h1>Sosiaalihuollon asiakastietoja käsittelevä järjestelmä</h1>`},
		{"the Swedish profile name", `Ett system för behandling av klientuppgifter inom socialvården`},
		{"the English profile name", `System processing social-welfare client data`},
		{"the system under test", `Reference client data system`},
		{"the archive", `http://127.0.0.1:41235/`},
		{"the start time", `2025-03-14 09:30:00 UTC`},
		{"the duration", `3.482s`},
		{"the mandatory count", `4 / 9 mandatory met`},
		{"a requirement row with its handbook section", `§&nbsp;7.1`},
		{"the handbook lines", `L15530-L15540`},
		{"the failed rule id, linked to its catalogue entry", `<a class="rule" href="#rule-ID-MINOR-GUARDIAN"><code>ID-MINOR-GUARDIAN</code></a>`},
		{"the rule's catalogue entry", `id="rule-ID-MINOR-GUARDIAN"`},
		{"the root cause", `1 root cause: ID-MINOR-GUARDIAN, in 1 scenario, blocks this requirement`},
		{"the requirement the cause blocks", `<a href="#req-REQ-MK-014"><code>REQ-MK-014</code></a>`},
		{"the link to the whole document saved beside the report", `<a href="messages/7-document.xml">the whole document</a>`},
		{"the link to the archiving frame saved beside the report", `<a href="messages/7-frame.xml">the archiving frame</a>`},
		{"the per-area chart", `By functional area`},
		{"an area by its English name", `Creating documents and metadata`},
		{"a tile that filters", `data-filter-status="failed"`},
		{"the filter controls, hidden without scripts", `<form class="controls" id="req-controls" hidden`},
		{"the rule's handbook section", `9.12.3 Granskning av uppgifter om en klient`},
		{"the failing step", `<code>Then the archive accepts the message</code>`},
		{"the escaped excerpt in a pre, the offending lines marked", `<span class="xl xm">  &lt;observation classCode=&#34;OBS&#34;`},
		{"the excerpt's context", `<pre class="excerpt"><span class="xl">&lt;entry&gt;</span>`},
		{"the vendor's evidence", `docs/security/access-log.md`},
		{"a to-be-attested item", `To be attested: no evidence given yet.`},
		{"the coordinator checklist", `Checked by the co-testing coordinator`},
		{"a scenario", `Ending a client relation records the end time`},
		{"a not-supported step's reason", `the system does not support action &#34;storeDocument&#34;`},
		{"Finnish term vaatimus", `Vaatimukset`},
		{"Finnish term profiili", `Profiili`},
		{"Finnish term yhteistestaus", `Yhteistestaus`},
	}
	for _, tt := range tests {
		if !strings.Contains(page, tt.want) {
			t.Errorf("report.html does not show %s: %q not found", tt.what, tt.want)
		}
	}
	for _, s := range yhteistestaus.RequirementStatuses() {
		badge := `<span class="badge b-` + string(s) + `">` + statusLabel(s) + `</span>`
		if !strings.Contains(page, badge) {
			t.Errorf("report.html has no %s badge %q", s, badge)
		}
		if !strings.Contains(htmlStyle, ".b-"+string(s)+" {") {
			t.Errorf("report.css gives status %s no colour", s)
		}
	}
}

// foreignScript reports whether page has a script other than the report's
// own inline one.
func foreignScript(page string) bool {
	own := "<script>" + htmlScript + "</script>"
	return strings.Count(strings.ToLower(page), "<script") != 1 || !strings.Contains(page, own)
}

func TestHTMLIsSelfContained(t *testing.T) {
	page := renderHTML(t, fixtureRun())
	if foreignScript(page) {
		t.Error("report.html has a script besides its own inline one")
	}
	for _, bad := range []string{"<link", "<img", "<iframe", "@import", "url(", " src="} {
		if strings.Contains(strings.ToLower(page), bad) {
			t.Errorf("report.html contains %q; it must need no other file or network", bad)
		}
	}
	for _, m := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		// The one link out is to a whole message, saved beside the report
		// (or in a kept archive, which this run has not).
		if !strings.HasPrefix(m[1], "#") && !strings.HasPrefix(m[1], MessagesDir+"/") {
			t.Errorf("link %q leaves the page; want only in-page anchors and the messages saved beside it", m[1])
		}
	}
	for _, m := range regexp.MustCompile(`href="#([^"]*)"`).FindAllStringSubmatch(page, -1) {
		if !strings.Contains(page, `id="`+m[1]+`"`) {
			t.Errorf("in-page link #%s has no target", m[1])
		}
	}
}

// Without scripts the report shows every requirement: the filter only
// hides rows when the script runs.
func TestHTMLIsReadableWithoutScripts(t *testing.T) {
	run := fixtureRun()
	page := renderHTML(t, run)
	for _, r := range run.Requirements {
		if !strings.Contains(page, `<tr class="row-`+string(r.Status)+`" id="req-`+r.ID+`" data-status="`) {
			t.Errorf("requirement %s has no visible row", r.ID)
		}
	}
	if strings.Contains(page, "<tr hidden") || strings.Contains(page, `<tr class="row-failed" hidden`) {
		t.Error("a row is hidden without the script")
	}
}

func TestHTMLEscapesHostileText(t *testing.T) {
	const script = `<script>alert("x")</script>`
	run := fixtureRun()
	run.ProfileName = script
	run.SUT.Name = script
	run.Archive = `javascript:alert(1)`
	run.Tags = script
	run.Scenarios[2].Name = script
	run.Scenarios[2].Feature = script
	run.Scenarios[2].Requirements = []string{`"><script>alert(1)</script>`}
	run.Scenarios[2].Steps[2].Text = script
	run.Scenarios[2].Steps[2].Error = script
	run.Scenarios[2].Steps[2].Excerpt = "</pre>" + script
	run.Scenarios[2].Steps[2].Findings[0].Message = script
	run.Requirements[3].ID = `x" onmouseover="alert(1)`
	run.Requirements[3].Title = script
	run.Requirements[3].Failures[0].Excerpt = "</pre>" + script
	run.Requirements[7].Evidence = script
	run.RootCauses[0].Message = script
	run.RootCauses[0].Excerpt = "</pre>" + script
	run.RootCauses[0].Title = script
	run.Summary[yhteistestaus.Status(script)] = 1
	page := renderHTML(t, run)

	if foreignScript(page) {
		t.Error("report.html contains a live <script> tag from the run's text")
	}
	if strings.Contains(page, `onmouseover="alert(1)`) {
		t.Error("report.html lets run text break out of an attribute")
	}
	if strings.Contains(page, "</pre><") {
		t.Error("an excerpt closed its <pre> early")
	}
	escaped := html.EscapeString(script)
	if n := strings.Count(page, escaped); n < 8 {
		t.Errorf("got %d escaped copies of the hostile text, want it shown (escaped) in each of at least 8 places", n)
	}
}

func TestHTMLVerdicts(t *testing.T) {
	tests := []struct {
		verdict yhteistestaus.Status
		class   string
		word    string
	}{
		{yhteistestaus.StatusPassed, "verdict-passed", "Hyväksytty"},
		{yhteistestaus.StatusFailed, "verdict-failed", "Hylätty"},
		{"", "verdict-other", "Ei ratkaistu"},
	}
	for _, tt := range tests {
		run := fixtureRun()
		run.Verdict = tt.verdict
		page := renderHTML(t, run)
		if !strings.Contains(page, `class="verdict `+tt.class+`"`) || !strings.Contains(page, tt.word) {
			t.Errorf("verdict %q: want banner %s with %q", tt.verdict, tt.class, tt.word)
		}
	}
}

func TestHTMLSummaryWithoutSummaryMap(t *testing.T) {
	run := fixtureRun()
	want := statusCounts(run)
	run.Summary = nil
	if got := statusCounts(run); !slices.Equal(got, want) {
		t.Errorf("counts from requirements: got %v, want %v (the fixture's summary)", got, want)
	}
	renderHTML(t, run)
}

func TestHTMLEmptyRun(t *testing.T) {
	page := renderHTML(t, &yhteistestaus.Run{})
	for _, want := range []string{"No scenarios ran.", "The run lists no requirements.", "Ei ratkaistu"} {
		if !strings.Contains(page, want) {
			t.Errorf("empty run: %q not shown", want)
		}
	}
}

func TestHTMLLinksTheControlAPIOnlyWhileTheArchiveOutlivesTheRun(t *testing.T) {
	const api = `href="http://127.0.0.1:41235/api/sessions/run-20250314-093000-1a2b3c4d/messages/7"`
	for _, kept := range []bool{false, true} {
		run := fixtureRun()
		run.ArchiveKept = kept
		page := renderHTML(t, run)
		if got := strings.Contains(page, api); got != kept {
			t.Errorf("archive kept %v: control API link shown %v, want %v", kept, got, kept)
		}
		if !strings.Contains(page, `href="messages/7-document.xml"`) {
			t.Errorf("archive kept %v: no link to the saved document", kept)
		}
	}
}
