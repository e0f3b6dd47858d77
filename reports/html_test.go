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
		{"the failed rule id", `<code class="rule">ID-MINOR-GUARDIAN</code>`},
		{"the rule's handbook section", `9.12.3 Granskning av uppgifter om en klient`},
		{"the failing step", `<code>Then the archive accepts the message</code>`},
		{"the escaped excerpt in a pre", `<pre class="excerpt">&lt;observation classCode=&#34;OBS&#34;`},
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

func TestHTMLIsSelfContained(t *testing.T) {
	page := renderHTML(t, fixtureRun())
	for _, bad := range []string{"<script", "<link", "<img", "<iframe", "@import", "url(", " src="} {
		if strings.Contains(strings.ToLower(page), bad) {
			t.Errorf("report.html contains %q; it must need no other file, network or JavaScript", bad)
		}
	}
	for _, m := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		if !strings.HasPrefix(m[1], "#") {
			t.Errorf("link %q leaves the page; want only in-page anchors", m[1])
		}
	}
	for _, m := range regexp.MustCompile(`href="#([^"]*)"`).FindAllStringSubmatch(page, -1) {
		if !strings.Contains(page, `id="`+m[1]+`"`) {
			t.Errorf("in-page link #%s has no target", m[1])
		}
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
	run.Summary[yhteistestaus.Status(script)] = 1
	page := renderHTML(t, run)

	if strings.Contains(strings.ToLower(page), "<script") {
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
