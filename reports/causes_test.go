package reports

import (
	"slices"
	"strings"
	"testing"

	"github.com/yhteistestaus/yhteistestaus"
)

func TestHTMLVerdictSaysWhatDecidedIt(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*yhteistestaus.Run)
		words []string
	}{
		{"failed, with the root causes", func(r *yhteistestaus.Run) {},
			[]string{"Failed: 2 of 5 mandatory requirements verified automatically are not met (1 failed on 1 root cause, 1 not supported by the system)."}},
		{"not tested: the harness could not reach the system", func(r *yhteistestaus.Run) {
			r.Verdict, r.NotTested = yhteistestaus.StatusNotTested, "the adapter at http://127.0.0.1:1 does not answer: connection refused"
		}, []string{"Not tested", "Ei testattu", "the harness could not reach your system", "<b>Cause:</b> the adapter at http://127.0.0.1:1 does not answer: connection refused"}},
		{"a passed partial run covers only the selected scenarios", func(r *yhteistestaus.Run) {
			r.Verdict, r.Partial, r.Tags = yhteistestaus.StatusPassed, true, "@area:case-management"
		}, []string{"Passed for the 4 scenarios selected by the tag filter @area:case-management; the profile&#39;s verdict needs a full run"}},
		{"a passed partial run counts only what its scenarios verify", func(r *yhteistestaus.Run) {
			r.Verdict, r.Partial, r.Tags = yhteistestaus.StatusPassed, true, "@area:x"
			r.Requirements[3].Status = yhteistestaus.StatusPassed
			r.Requirements[4].Status = yhteistestaus.StatusNotTested
		}, []string{"the 4 mandatory requirements these scenarios verify passed (1 more is verified automatically by other scenarios)"}},
		{"a not-tested cause is said once", func(r *yhteistestaus.Run) {
			r.Verdict, r.NotTested = yhteistestaus.StatusNotTested, "the harness could not reach your system: exec hook /nonexistent: not found"
		}, []string{"<b>Cause:</b> exec hook /nonexistent: not found"}},
		{"nothing automated decides nothing", func(r *yhteistestaus.Run) {
			r.Verdict = yhteistestaus.StatusPassed
			for i := range r.Requirements {
				if r.Requirements[i].Verification == "automatic" {
					r.Requirements[i].Status = yhteistestaus.StatusNotYetAutomated
				}
			}
		}, []string{"Not decided: none of the profile&#39;s 9 mandatory requirements is verified automatically by this run."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := fixtureRun()
			tt.edit(run)
			page := renderHTML(t, run)
			for _, w := range tt.words {
				if !strings.Contains(page, w) {
					t.Errorf("the verdict does not say %q", w)
				}
			}
		})
	}
}

// The failures come first: the root causes right under the verdict,
// before the summary and the requirement table, so that the first one is
// on the first screen.
func TestHTMLLeadsWithTheRootCauses(t *testing.T) {
	run := fixtureRun()
	second := run.RootCauses[0]
	second.ID, second.Rule, second.Harness, second.Title = "HARNESS-STATE|x", "HARNESS-STATE", true, "The archive holds afterwards what the action should have left there."
	second.Requirements = []string{"REQ-MK-014", "REQ-CR-004"}
	run.RootCauses = append(run.RootCauses, second)
	page := renderHTML(t, run)
	verdict := strings.Index(page, `class="verdict `)
	causes := strings.Index(page, `<section class="card" id="causes">`)
	summary := strings.Index(page, `id="summary"`)
	table := strings.Index(page, `id="requirements"`)
	if verdict < 0 || causes < verdict || summary < causes || table < summary {
		t.Errorf("order: verdict at %d, root causes at %d, summary at %d, requirements at %d; want them in that order", verdict, causes, summary, table)
	}
	for _, w := range []string{
		"<h2>2 root causes",
		`<article class="cause" id="cause-1">`, `<article class="cause" id="cause-2">`,
		`blocks 2 requirements (2 mandatory)`,
		`<span class="tag">harness check</span>`,
		`id="rule-HARNESS-STATE"`,
		`<a class="more" href="#cause-1">see the root cause ↑</a>`,
	} {
		if !strings.Contains(page, w) {
			t.Errorf("report.html lacks %q", w)
		}
	}
	if strings.Contains(page, `id="failures"`) {
		t.Error("the failures are shown one by one as well as by root cause")
	}
}

func TestRequirementTablePutsFailuresFirst(t *testing.T) {
	rows, areas := requirementRows(fixtureRun(), nil)
	if rows[0].Status != yhteistestaus.StatusFailed || rows[len(rows)-1].Status != yhteistestaus.StatusNotYetAutomated {
		t.Errorf("rows go from %s to %s, want failed first and not yet automated last", rows[0].Status, rows[len(rows)-1].Status)
	}
	total := 0
	for _, a := range areas {
		n := 0
		for _, s := range a.Segments {
			n += s.Count
		}
		if n != a.Total {
			t.Errorf("area %s: segments count %d of %d requirements", a.ID, n, a.Total)
		}
		total += a.Total
	}
	if total != len(rows) {
		t.Errorf("the areas count %d requirements, want %d", total, len(rows))
	}
}

func TestMessageURL(t *testing.T) {
	tests := []struct {
		archive string
		seq     int
		want    string
	}{
		{"http://127.0.0.1:41235/s/run-1/soap", 7, "http://127.0.0.1:41235/api/sessions/run-1/messages/7"},
		{"https://archive.example/yt/s/vendor%20a/soap", 3, "https://archive.example/yt/api/sessions/vendor%20a/messages/3"},
		{"http://127.0.0.1:41235/s/run-1/soap", 0, ""},
		{"http://127.0.0.1:41235/", 7, ""},
		{"javascript:alert(1)//s/x/soap", 7, ""},
		{"", 7, ""},
	}
	for _, tt := range tests {
		if got := messageURL(tt.archive, tt.seq); got != tt.want {
			t.Errorf("messageURL(%q, %d) = %q, want %q", tt.archive, tt.seq, got, tt.want)
		}
	}
}

func TestExcerptLines(t *testing.T) {
	got := excerptLines("  <a>\n>   <b/>\n  </a>\n")
	want := []excerptLine{{false, "<a>"}, {true, "  <b/>"}, {false, "</a>"}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
