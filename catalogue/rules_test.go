package catalogue

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestDefaultRulesLoad(t *testing.T) {
	c := DefaultRules()
	if n := len(c.All()); n < 60 {
		t.Errorf("catalogue has %d rules, want at least 60", n)
	}
	for _, r := range c.All() {
		if r.Basis == BasisInferred && r.Note == "" && r.Lines == "" {
			t.Errorf("inferred rule %s has neither lines nor a note explaining the inference", r.ID)
		}
	}
}

func TestLoadRulesRejectsBrokenCatalogues(t *testing.T) {
	const good = "- id: A-1\n  stage: xml\n  severity: error\n  title: t\n  basis: inferred\n  section: s\n"
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown field", good + "  colour: red\n", "colour"},
		{"duplicate id", good + good, "duplicate rule id A-1"},
		{"unknown stage", strings.Replace(good, "xml", "nowhere", 1), "unknown stage"},
		{"unknown basis", strings.Replace(good, "inferred", "hearsay", 1), "unknown basis"},
		{"no title", strings.Replace(good, "title: t", "title: \"\"", 1), "no title"},
		{"handbook rule without lines", strings.Replace(good, "inferred", "handbook", 1), "line numbers"},
		{"bad severity", strings.Replace(good, "error", "fatal", 1), "unknown severity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadRules(fstest.MapFS{"x.yaml": {Data: []byte(tt.yaml)}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadRules: got error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestFindingCarriesSource(t *testing.T) {
	c := DefaultRules()
	f := c.Finding("ID-HETU-CHECK", "/x", "bad %s", "code")
	if f.Severity.String() != "error" || f.Source == "" || f.Message != "bad code" {
		t.Errorf("Finding = %+v", f)
	}
	if u := c.Finding("NO-SUCH-RULE", "", "m"); u.Rule != "INTERNAL-UNKNOWN-RULE" {
		t.Errorf("unknown rule gave %+v", u)
	}
}
