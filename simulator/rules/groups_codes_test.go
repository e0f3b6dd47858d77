package rules

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/codes"
)

// A coordinator who loads THL's document groups and service requests
// (--codes) makes the archive expect the real codes in place of the
// simulator's own: the case document with the real group and service
// request is valid, the one with the own codes is not.
func TestOverlayChangesWhatTheRulesExpect(t *testing.T) {
	overlay := fstest.MapFS{
		"1.2.246.537.6.1505.201601.csv": {Data: []byte("1;Asiakkuusasiakirja\n2;Asia-asiakirja\n5;Toisen tai myöhemmän vaiheen asiakasasiakirja\n")},
		"1.2.246.537.6.1503.201601.csv": {Data: []byte("SP1;Asiakkuusasiakirjan arkistointi\nSP2;Asia-asiakirjan arkistointi;SIM-ASIA\nSP17;Asiakasasiakirjan arkistointi\n")},
	}
	cs, _, err := codes.Default().WithOverlay(overlay)
	if err != nil {
		t.Fatal(err)
	}
	fx := newCorpusFixture(t)
	own := originalPair(t, fx, baseCase)
	real := steps(
		editFrame(attrIs("controlActProcess/reasonCode[1]", "code", "SP2")),
		editDoc(func(tb testing.TB, d *etree.Element) { setAttr(tb, d, "localSocialHeader/documentGroup", "code", "2") }),
	)(t, fx, pair{bytes.Clone(own.frame), bytes.Clone(own.doc)})

	fx.v.UseCodes(cs)
	ctx := context.Background()
	if res := fx.v.Validate(ctx, real.frame, real.doc); res.Findings.HasErrors() || res.Group == nil || res.Group.Kind != kanta.KindCase {
		t.Errorf("the case document with THL's codes: group %v, findings %v", res.Group, res.Findings)
	}
	res := fx.v.Validate(ctx, own.frame, own.doc)
	if !res.Findings.Has("CODE-UNKNOWN") || !res.Findings.Has("FRAME-SERVICE-REQUEST") {
		t.Errorf("the case document with the simulator's own codes under THL's lists: %v, want CODE-UNKNOWN and FRAME-SERVICE-REQUEST", res.Findings)
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
