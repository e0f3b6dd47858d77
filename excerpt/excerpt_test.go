package excerpt

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/yhteistestaus/yhteistestaus/sharedtest"
)

// doc is a small CDA document: one test identity (900 series), one code
// outside the test series, and structured content naming both.
func doc(t *testing.T) []byte {
	t.Helper()
	content := `{"paatos":{"asiakas":[{"henkilotunnus":{"system":"urn:oid:1.2.246.21","value":"010101-123N"}},{"henkilotunnus":{"value":"010101A900R"}}],"palvelutehtava":{"code":"","display":"<lapset & perheet>"},"pvm":"2025-03-14"}}`
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:hl7fi="urn:hl7finland">
  <id root="1.2.246.10.1.2"/>
  <recordTarget>
    <patientRole>
      <id root="1.2.246.21" extension="010101-123N"/>
    </patientRole>
  </recordTarget>
  <recordTarget>
    <patientRole>
      <id root="1.2.246.21" extension="010101A900R"/>
    </patientRole>
  </recordTarget>
  <hl7fi:localSocialHeader>
    <hl7fi:documentGroup code="5"/>
    <hl7fi:recordStatus code="3"/>
  </hl7fi:localSocialHeader>
  <component><nonXMLBody><text mediaType="text/plain">client 010101-123N</text><hl7fi:json>
    <!-- the structured content -->` + base64.StdEncoding.EncodeToString([]byte(content)) + `
  </hl7fi:json></nonXMLBody></component>
  <authorization><consent><code code="huoltajanTiedonsaanti" codeSystem="1.2.3"/><value code="1"/></consent></authorization>
</ClinicalDocument>
`)
}

const frame = `<RCMR_IN200002FI01 xmlns="urn:hl7-org:v3"><id root="1.2.3" extension="10000001"/><controlActProcess><reasonCode code="SP17"/><reasonCode code="3"/></controlActProcess></RCMR_IN200002FI01>`

// marked returns the lines of an excerpt that carry the marker, without
// it and trimmed.
func marked(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if rest, ok := strings.CutPrefix(l, Marker); ok {
			out = append(out, strings.TrimSpace(rest))
		}
	}
	return out
}

func TestExcerptShowsTheElementAtTheLocation(t *testing.T) {
	msg := Message{Frame: []byte(frame), Document: doc(t)}
	tests := []struct {
		name, location string
		// mark is the first marked line; context a line that must be
		// there unmarked.
		mark, context string
	}{
		{"attribute of the second of two same-named elements", "/ClinicalDocument/recordTarget[2]/patientRole/id/@extension",
			`<id root="1.2.246.21" extension="010101A900R"/>`, `<patientRole>`},
		{"element of the frame", "/RCMR_IN200002FI01/controlActProcess/reasonCode[2]",
			`<reasonCode code="3"/>`, `<reasonCode code="SP17"/>`},
		{"prefixed element, matched by local name", "/ClinicalDocument/localSocialHeader/recordStatus",
			`<hl7fi:recordStatus code="3"/>`, `<hl7fi:documentGroup code="5"/>`},
		{"path relative to the document element", "localSocialHeader/documentGroup",
			`<hl7fi:documentGroup code="5"/>`, `<hl7fi:localSocialHeader>`},
		{"element selected by a child's attribute", "/ClinicalDocument/authorization/consent[code/@code='huoltajanTiedonsaanti']/value",
			`<value code="1"/>`, `<consent>`},
		{"missing element: where it belongs", "localSocialHeader/functionCode",
			`<!-- no functionCode here -->`, `<hl7fi:recordStatus code="3"/>`},
		{"location with a note after the path", "recordTarget/patientRole (with a name)",
			`<patientRole>`, `<recordTarget>`},
		{"JSON pointer into the base64 structured content", "/ClinicalDocument/component/nonXMLBody/json#/paatos/palvelutehtava/code",
			`"code": ""`, `"display": "<lapset & perheet>"`},
		{"JSON pointer into an array", "/ClinicalDocument/component/nonXMLBody/json#/paatos/asiakas/1/henkilotunnus/value",
			`"value": "010101A900R"`, `"henkilotunnus": {`},
		{"JSON pointer to a missing member", "/ClinicalDocument/component/nonXMLBody/json#/paatos/palvelutehtava/system",
			`// no "system" here`, `"code": ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Of(msg, tt.location)
			if err != nil {
				t.Fatal(err)
			}
			m := marked(got)
			if len(m) == 0 || m[0] != tt.mark {
				t.Errorf("marked lines %q, want first %q; excerpt:\n%s", m, tt.mark, got)
			}
			found := false
			for _, l := range strings.Split(got, "\n") {
				found = found || (!strings.HasPrefix(l, Marker) && strings.TrimSpace(l) == tt.context)
			}
			if !found {
				t.Errorf("no context line %q; excerpt:\n%s", tt.context, got)
			}
		})
	}
}

func TestExcerptMasksIdentityCodesConsistently(t *testing.T) {
	msg := Message{Document: doc(t)}
	// 010101-123N is outside the test series: masked wherever it is, in
	// an attribute, in text or in the structured content. The test
	// identity 010101A900R names nobody and is shown.
	tests := []struct {
		location          string
		masked, testShown bool
	}{
		{"/ClinicalDocument/recordTarget[1]/patientRole/id/@extension", true, false},
		{"/ClinicalDocument/recordTarget[2]/patientRole/id/@extension", false, true},
		{"/ClinicalDocument/component/nonXMLBody/text", true, false},
		{"/ClinicalDocument/component/nonXMLBody/json#/paatos/asiakas/0/henkilotunnus/value", true, false},
		{"/ClinicalDocument/component/nonXMLBody/json#/paatos/asiakas/1", false, true},
	}
	for _, tt := range tests {
		got, err := Of(msg, tt.location)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(got, "010101-123N") || tt.masked != strings.Contains(got, "***********") {
			t.Errorf("%s: the code outside the test series is not masked (or a mask is out of place):\n%s", tt.location, got)
		}
		if tt.testShown != strings.Contains(got, "010101A900R") {
			t.Errorf("%s: the test identity is not shown as it is:\n%s", tt.location, got)
		}
	}
}

func TestExcerptBoundsLongContent(t *testing.T) {
	got, err := Of(Message{Document: doc(t)}, "/ClinicalDocument/component/nonXMLBody/json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "characters)</hl7fi:json>") {
		t.Errorf("long base64 text is not shortened:\n%s", got)
	}
	var b strings.Builder
	b.WriteString("<ClinicalDocument>")
	for range 500 {
		b.WriteString("<a/>")
	}
	b.WriteString("<b/></ClinicalDocument>")
	got, err = Of(Message{Document: []byte(b.String())}, "missing")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(got, "\n"); n > maxLines+1 {
		t.Errorf("excerpt has %d lines, want at most %d", n, maxLines+1)
	}
}

func TestExcerptErrors(t *testing.T) {
	tests := []struct{ name, location, document string }{
		{"location of another root", "/Other/id", `<ClinicalDocument/>`},
		{"no path", "#/a", `<ClinicalDocument/>`},
		{"empty location", "", `<ClinicalDocument/>`},
		{"not XML", "/ClinicalDocument/id", `<ClinicalDocument>`},
		{"DTD", "/ClinicalDocument", `<!DOCTYPE x [<!ENTITY a "b">]><ClinicalDocument/>`},
		{"no message", "/ClinicalDocument", ``},
		{"unclosed predicate", "/ClinicalDocument/id[1", `<ClinicalDocument/>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Of(Message{Document: []byte(tt.document)}, tt.location)
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("got %q, %v; want ErrNotFound", got, err)
			}
		})
	}
}

// TestExcerptOfTheSamples cuts excerpts out of the public Kanta samples
// (../shared/samples), as a vendor's real message looks.
func TestExcerptOfTheSamples(t *testing.T) {
	d := sharedtest.ReadFile(t, "samples", "kanta-sh-public", "plan-document.xml")
	f := sharedtest.ReadFile(t, "samples", "kanta-sh-public", "plan-frame.xml")
	msg := Message{Frame: f, Document: d}
	for loc, want := range map[string]string{
		"localSocialHeader/functionCode":                                                                       `<ep2:functionCode code="24"`,
		"/ClinicalDocument/recordTarget/patientRole/id/@extension":                                             `<id root="1.2.246.21" extension="180418A903L"/>`,
		"/RCMR_IN200002FI01/controlActProcess/reasonCode[1]":                                                   `<reasonCode code="SP17"`,
		"/ClinicalDocument/component/nonXMLBody/json#/lapsiperheiden_palvelujen_asiakassuunnitelma/paivamaara": `"paivamaara": "2026-03-23"`,
	} {
		got, err := Of(msg, loc)
		if err != nil {
			t.Fatal(err)
		}
		if m := marked(got); len(m) == 0 || !strings.HasPrefix(m[0], want) {
			t.Errorf("%s: marked %q, want %q first; excerpt:\n%s", loc, m, want, got)
		}
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{
		"client 010101-123N and 010101A900R": "client *********** and 010101A900R",
		`extension="131052-308T"`:            `extension="***********"`,
		"message 10000001 at 1.2.246.21":     "message 10000001 at 1.2.246.21",
		"0101011234567":                      "0101011234567",
	} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}
