package sut

import (
	"strings"
	"testing"
	"time"
)

// TestInstructionsEveryActionEveryLanguage checks the data file: every
// action of protocol version 1 has a Finnish, Swedish and English text
// that renders with full and with minimal parameters, fills in what it
// is given, and differs between the languages.
func TestInstructionsEveryActionEveryLanguage(t *testing.T) {
	ins, err := loadInstructions()
	if err != nil {
		t.Fatal(err)
	}
	full := &instructionData{
		ID: "r-1", System: "Sosiaali 2000", Archive: "http://127.0.0.1:41234/s/run-1/soap", Timeout: "2m0s", Watching: true,
		Client: "Maija Testinen (010280-952L)", Clients: []string{"Maija Testinen (010280-952L)", "Aino Testinen (150312A907E)"},
		Hetu: "010280-952L", Given: "Maija", Family: "Testinen", BirthDate: "1980-02-01",
		ServiceTask: "24", Change: "responsible-worker", GuardianDisclosure: "1",
		Case: `"Perhetyö" (case-1)`, CaseID: "ASIA-2025-17",
		Type: "decision", SpecificType: "12003", Format: "structured", Signature: "professional",
		Description: "Lausunto", MainDoc: "decision-1", DelayUntil: "2025-12-31", RestrictionGround: "6",
		Doc: "decision-1 (setId 1.2.246.10.99999991.95.2025.7)", DocType: "decision", Reason: "väärä asiakas",
		DocumentType: "decision",
	}
	// wants are what the full text of an action must mention, in every language.
	wants := map[Action][]string{
		ActionDescribe:             {"Sosiaali 2000", "http://127.0.0.1:41234/s/run-1/soap"},
		ActionRegisterClient:       {"Maija", "Testinen", "1980-02-01", "010280-952L"},
		ActionOpenClientRelation:   {"Maija Testinen (010280-952L)", "24", "1"},
		ActionUpdateClientRelation: {"Maija Testinen (010280-952L)", "responsible-worker"},
		ActionEndClientRelation:    {"Maija Testinen (010280-952L)"},
		ActionReplaceTemporaryID:   {"Maija Testinen (010280-952L)", "010280-952L"},
		ActionOpenCase:             {"Aino Testinen (150312A907E)", "Perhetyö", "caseId="},
		ActionCloseCase:            {"Perhetyö", "ASIA-2025-17"},
		ActionStoreDocument:        {"Maija Testinen (010280-952L)", "Perhetyö", "12003", "Lausunto", "decision-1", "2025-12-31", "6", "XHTML"},
		ActionNewVersion:           {"1.2.246.10.99999991.95.2025.7", "väärä asiakas"},
		ActionAnnul:                {"1.2.246.10.99999991.95.2025.7", "väärä asiakas"},
		ActionSearch:               {"Maija Testinen (010280-952L)", "found="},
	}
	for _, a := range Actions() {
		seen := map[string]string{}
		for _, lang := range ManualLanguages() {
			t.Run(string(a)+"/"+lang, func(t *testing.T) {
				minimal := &instructionData{ID: "r-1", Action: string(a), Client: "c1", Clients: []string{"c1"}, Case: "case-1", Doc: "d1", DocType: "document"}
				for _, data := range []*instructionData{full, minimal} {
					got, err := ins.render(lang, "action/"+string(a), data)
					if err != nil {
						t.Fatal(err)
					}
					if got == "" || strings.Contains(got, "<no value>") {
						t.Errorf("rendered %q", got)
					}
				}
				got, _ := ins.render(lang, "action/"+string(a), full)
				for _, w := range wants[a] {
					if !strings.Contains(got, w) {
						t.Errorf("text does not mention %q:\n%s", w, got)
					}
				}
				for other, text := range seen {
					if text == got {
						t.Errorf("%s text is the same as %s", lang, other)
					}
				}
				seen[lang] = got
			})
		}
		if _, ok := wants[a]; !ok && a != ActionReset {
			t.Errorf("no expectations for action %s in this test", a)
		}
	}
}

func TestInstructionsMessagesEveryLanguage(t *testing.T) {
	ins, err := loadInstructions()
	if err != nil {
		t.Fatal(err)
	}
	data := &instructionData{ID: "r-1", Action: "open-case", Timeout: (2 * time.Minute).String()}
	for _, m := range messageNames() {
		for _, lang := range ManualLanguages() {
			var view any = data
			if m == "recorded" || m == "not-understood" || m == "ignored" {
				view = struct{ Line string }{`"ok"`}
			}
			got, err := ins.render(lang, "message/"+m, view)
			if err != nil {
				t.Errorf("%s/%s: %v", m, lang, err)
				continue
			}
			if got == "" || strings.Contains(got, "<no value>") {
				t.Errorf("%s/%s rendered %q", m, lang, got)
			}
		}
	}
}

func TestInstructionsTerms(t *testing.T) {
	ins, err := loadInstructions()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ lang, want string }{
		{"fi", "päätös"}, {"sv", "beslut"}, {"en", "decision"},
	}
	for _, tt := range tests {
		got, err := ins.render(tt.lang, "action/store-document", &instructionData{Client: "c1", Clients: []string{"c1"}, Case: "case-1", Type: "decision"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(got, tt.want) {
			t.Errorf("%s: got %q, want it to contain %q", tt.lang, got, tt.want)
		}
	}
	if _, err := ins.render("de", "action/describe", &instructionData{}); err == nil {
		t.Error("rendering in German: got no error")
	}
}
