package rules

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/yhteistestaus/yhteistestaus/kanta"
)

func TestDefaultCatalogueLoads(t *testing.T) {
	c := Default()
	if n := len(c.All()); n < 60 {
		t.Errorf("catalogue has %d rules, want at least 60", n)
	}
	for _, r := range c.All() {
		if r.Basis == BasisInferred && r.Note == "" && r.Lines == "" {
			t.Errorf("inferred rule %s has neither lines nor a note explaining the inference", r.ID)
		}
	}
}

func TestLoadRejectsBrokenCatalogues(t *testing.T) {
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
			_, err := Load(fstest.MapFS{"x.yaml": {Data: []byte(tt.yaml)}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load: got error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestFindingCarriesSource(t *testing.T) {
	c := Default()
	f := c.Finding("ID-HETU-CHECK", "/x", "bad %s", "code")
	if f.Severity.String() != "error" || f.Source == "" || f.Message != "bad code" {
		t.Errorf("Finding = %+v", f)
	}
	if u := c.Finding("NO-SUCH-RULE", "", "m"); u.Rule != "INTERNAL-UNKNOWN-RULE" {
		t.Errorf("unknown rule gave %+v", u)
	}
}

func TestGroupsRequireOnlyElementsTheValidatorChecks(t *testing.T) {
	gs, err := kanta.DefaultGroups()
	if err != nil {
		t.Fatal(err)
	}
	if err := checkRequiredElements(gs); err != nil {
		t.Errorf("embedded groups: %v", err)
	}
	broken := &kanta.Groups{List: []*kanta.Group{{Code: "9", Kind: kanta.KindCase, Required: []string{"caseId", "shoeSize"}}}}
	if err := checkRequiredElements(broken); err == nil || !strings.Contains(err.Error(), `group 9 requires unknown element "shoeSize"`) {
		t.Errorf("a group requiring shoeSize: got %v", err)
	}
}
