package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

// FuzzReports puts arbitrary text, as a vendor system or a message could
// carry it, into every free-text field of a run and checks that every
// writer still produces a well-formed report: HTML without live markup
// from the run, well-formed XML, valid JSON, CSV that reads back to the
// same rows.
func FuzzReports(f *testing.F) {
	for _, seed := range []string{
		"",
		`<script>alert(1)</script>`,
		"]]>\x00\x1b[31m\xff\xfe",
		"a,b;\"c\"\r\nd",
		"Päätös – \u2028 \U0001F600",
		`<observation classCode="OBS"><value nullFlavor="NI"/></observation>`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		run := fixtureRun()
		run.ProfileName, run.SUT.Name, run.Archive, run.Tags = s, s, s, s
		run.ProfileNames["fi"] = s
		sc := &run.Scenarios[2]
		sc.Feature, sc.Name, sc.Tags = s, s, []string{s}
		st := &sc.Steps[2]
		st.Keyword, st.Text, st.Error, st.Excerpt = s, s, s, s
		st.Findings[0].Message, st.Findings[0].Location = s, s
		r := &run.Requirements[3]
		r.Title, r.Lines, r.Failures[0].Excerpt, r.Failures[0].Rule = s, s, s, s
		run.Requirements[7].Evidence = s
		rc := &run.RootCauses[0]
		rc.Rule, rc.Title, rc.Message, rc.Location, rc.Excerpt, rc.Step = s, s, s, s, s, s
		rc.Requirements = append(rc.Requirements, s)

		var page bytes.Buffer
		if err := WriteHTML(&page, run); err != nil {
			t.Fatalf("WriteHTML: %v", err)
		}
		if foreignScript(page.String()) {
			t.Fatalf("report.html contains a live script tag for input %q", s)
		}

		var junit bytes.Buffer
		if err := WriteJUnit(&junit, run); err != nil {
			t.Fatalf("WriteJUnit: %v", err)
		}
		dec := xml.NewDecoder(&junit)
		for {
			_, err := dec.Token()
			if err != nil {
				if err != io.EOF {
					t.Fatalf("junit.xml is not well-formed for input %q: %v", s, err)
				}
				break
			}
		}

		for name, enc := range map[string]encoder{"cucumber": WriteCucumber, "results": WriteResults} {
			var buf bytes.Buffer
			if err := enc(&buf, run); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !json.Valid(buf.Bytes()) {
				t.Fatalf("%s: invalid JSON for input %q", name, s)
			}
		}

		var trace bytes.Buffer
		if err := WriteTraceability(&trace, run); err != nil {
			t.Fatalf("WriteTraceability: %v", err)
		}
		rows, err := csv.NewReader(&trace).ReadAll()
		if err != nil {
			t.Fatalf("traceability.csv does not read back for input %q: %v", s, err)
		}
		// encoding/csv turns \r\n inside a quoted field into \n.
		if want := strings.ReplaceAll(r.Title, "\r\n", "\n"); rows[4][1] != want {
			t.Fatalf("title read back as %q, want %q", rows[4][1], want)
		}
	})
}
