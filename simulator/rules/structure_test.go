package rules

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus/simulator/sosmeta/sosmetatest"
)

// THL's structures the tests use.
const (
	planFinal      = "1.2.246.537.6.1506.15007.2024.11.28" // Valmis, the samples' plan
	planDeprecated = "1.2.246.537.6.1506.15007.2023.9.27"  // Vanhentunut, the plan's previous version
	childPlan      = "1.2.246.537.6.1506.15009.2024.11.28" // Valmis, Lastensuojelun asiakassuunnitelma
)

// TestStructureRulesOnTHLsStructures applies the status, document-type,
// group and classification rules with THL's structures: the samples pass,
// and each variant draws its rule (or, where the handbook allows it, not).
func TestStructureRulesOnTHLsStructures(t *testing.T) {
	fx := newCorpusFixture(t)
	fx.v.Schemas = sosmetatest.Open(t)
	ctx := context.Background()
	plan := pair{readSample(t, "plan-frame.xml"), readSample(t, "signature-restored/plan-document.xml")}
	crd := pair{readSample(t, "client-relation-frame.xml"), readSample(t, "signature-restored/client-relation-document.xml")}
	for name, p := range map[string]pair{"plan": plan, "client relation document": crd} {
		if errs := fx.v.Validate(ctx, p.frame, p.doc).Findings.Errors(); len(errs) > 0 {
			t.Fatalf("%s sample by THL's structures: %v", name, errs)
		}
	}
	structure := func(oid string) mutation {
		return editDoc(func(tb testing.TB, d *etree.Element) {
			setText(find(tb, d, "localSocialHeader/contentSpecificationId"), oid)
		})
	}
	version := func(n string) mutation {
		return steps(editDoc(func(tb testing.TB, d *etree.Element) { find(tb, d, "versionNumber").CreateAttr("value", n) }),
			editFrame(func(tb testing.TB, f *etree.Element) {
				for _, el := range f.FindElements("//versionNumber") {
					el.CreateAttr("value", n)
				}
			}))
	}
	annulment := editDoc(attrIs("localSocialHeader/recordStatus", "code", fx.v.Groups.RecordStatus.Annulled))
	tests := []struct {
		name    string
		base    pair
		mutate  mutation
		want    string // the rule that must be found
		notWant string // a rule that must not be found
	}{
		{"a new document with a Vanhentunut structure is refused (10.3.1: co-testing uses Valmis)",
			plan, structure(planDeprecated), "BODY-STRUCTURE-STATUS", ""},
		{"a new version may keep to the Vanhentunut structure (10.1.5 transition period)",
			plan, steps(structure(planDeprecated), version("2")), "", "BODY-STRUCTURE-STATUS"},
		{"an annulment may use a Vanhentunut structure (10.1.5, 10.3.1)",
			plan, steps(structure(planDeprecated), version("2"), annulment), "", "BODY-STRUCTURE-STATUS"},
		{"a structure that is not in THL's export is not supported",
			plan, structure("1.2.246.537.6.1506.15007.2099.1.1"), "BODY-STRUCTURE-UNSUPPORTED", ""},
		{"a new version with a structure not in the export is refused too (10.1.5)",
			plan, steps(structure("1.2.246.537.6.1506.15007.2099.1.1"), version("2")), "BODY-STRUCTURE-UNSUPPORTED", ""},
		{"an annulment is allowed whatever the structure (10.3.1)",
			plan, steps(structure("1.2.246.537.6.1506.15007.2099.1.1"), version("2"), annulment), "", "BODY-STRUCTURE-UNSUPPORTED"},
		{"a plan declaring another plan's structure has the wrong specific document type",
			plan, structure(childPlan), "BODY-STRUCTURE-TYPE", ""},
		{"a journal entry with a plan structure is outside its group's document type",
			plan, editDoc(attrIs("localSocialHeader/documentGroup", "code", "SIM-ASIAKASKERTOMUSMERKINTA")), "BODY-STRUCTURE-GROUP", ""},
		{"a social service from the service-task code system breaks the field's classification",
			plan, editJSON(func(tb testing.TB, v map[string]any) {
				s := jsonObj(tb, v, "lapsiperheiden_palvelujen_asiakassuunnitelma", "suunnitelma", "palvelut_joita_asiakkaalle_suunnitellaan", "0", "sosiaalipalvelu")
				s["system"] = "urn:oid:1.2.246.537.6.1221.201601"
			}), "BODY-CLASSIFICATION", ""},
		{"a field outside THL's structure is refused, with its Finnish name",
			plan, editJSON(func(tb testing.TB, v map[string]any) {
				jsonObj(tb, v, "lapsiperheiden_palvelujen_asiakassuunnitelma", "asiakas", "0")["lempivari"] = "sininen"
			}), "BODY-SCHEMA", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.mutate(t, fx, pair{bytes.Clone(tt.base.frame), bytes.Clone(tt.base.doc)})
			res := fx.v.Validate(ctx, p.frame, p.doc)
			rules := res.Findings.Rules()
			if tt.want != "" && !slices.Contains(rules, tt.want) {
				t.Errorf("got rules %v, want %s", rules, tt.want)
			}
			if tt.notWant != "" && slices.Contains(rules, tt.notWant) {
				t.Errorf("got rules %v, want no %s", rules, tt.notWant)
			}
			for _, f := range res.Findings {
				if strings.HasPrefix(f.Rule, "BODY-") && f.Rule != "BODY-STRUCTURE-TYPE" && f.Rule != "BODY-STRUCTURE-UNSUPPORTED" &&
					!strings.Contains(f.Message, "THL Sosmeta export 2025-05-20") {
					t.Errorf("finding %v does not name the structures that judged it", f)
				}
				if f.Rule == "BODY-SCHEMA" && tt.want == "BODY-SCHEMA" && !strings.Contains(f.Message, "Asiakas:") {
					t.Errorf("finding %v does not name the field", f)
				}
			}
		})
	}
}
