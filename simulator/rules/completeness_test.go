package rules

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/codes"
)

// The corpus made complete (issue 7): a variant without each element that
// groups.yaml makes mandatory for a document group (handbook Table 11.2.2),
// on an original of every group, and for every coded element a variant
// with a value outside its code list and one in the wrong code system.
// The variants are generated from the data, so that an element added to
// groups.yaml or to the bindings without its variant fails
// TestCorpusCoversTable1122.

// More originals: the reference system's golden examples of the wire
// profile (docs/wire-profile) and the plan turned into the unstructured
// groups.
const (
	baseJournal    = "journal entry"
	baseCaseClosed = "closed case document"
	baseCorrection = "correction"
	baseOld        = "old client document"
	basePhase1     = "phase 1 client document"
)

func completenessOriginals() []original {
	group := func(code string) mutation {
		return editDoc(attrIs("localSocialHeader/documentGroup", "code", code))
	}
	return []original{
		{baseJournal, example("07-journal-entry"), nil},
		{baseCaseClosed, example("13-case-close"), nil},
		{baseCorrection, example("11-correction"), nil},
		{baseOld, derive(basePlanPDF, group("SIM-VANHA-ASIAKASASIAKIRJA")), []string{"CONS-EFFECTIVE-TIME"}},
		{basePhase1, derive(basePlanPDF, group("SIM-ENSIMMAISEN-VAIHEEN-ASIAKASASIAKIRJA")), []string{"CONS-EFFECTIVE-TIME"}},
	}
}

// example reads a golden example message of the wire profile.
func example(name string) func(tb testing.TB, _ *corpusFixture) pair {
	return func(tb testing.TB, _ *corpusFixture) pair {
		tb.Helper()
		read := func(part string) []byte {
			data, err := os.ReadFile(filepath.Join("..", "..", "docs", "wire-profile", name+"."+part+".xml"))
			if err != nil {
				tb.Fatalf("read the wire profile's example: %v", err)
			}
			return data
		}
		return pair{read("frame"), read("document")}
	}
}

// originalPair makes the named original.
func originalPair(tb testing.TB, fx *corpusFixture, name string) pair {
	tb.Helper()
	for _, o := range originals() {
		if o.name == name {
			return o.make(tb, fx)
		}
	}
	tb.Fatalf("no original %q", name)
	return pair{}
}

// groupBases names an original of every document group kind.
func groupBases() map[kanta.GroupKind]string {
	return map[kanta.GroupKind]string{
		kanta.KindClientRelation: baseClientRelation,
		kanta.KindCase:           baseCase,
		kanta.KindOld:            baseOld,
		kanta.KindPhase1:         basePhase1,
		kanta.KindClientDocument: basePlan,
		kanta.KindJournal:        baseJournal,
	}
}

// removals are, for every element name groups.yaml may require, the edit
// that takes the element out of a document.
func removals() map[string]edit {
	const h = "localSocialHeader/"
	return map[string]edit{
		"caseId":      attrGone("componentOf/encompassingEncounter/id", "root"),
		"serviceTask": removeAt(h + "functionCode"),
		"serviceUnit": func(tb testing.TB, d *etree.Element) {
			enc := find(tb, d, "componentOf/encompassingEncounter")
			n := 0
			for _, p := range childrenNamed(enc, "encounterParticipant") {
				if p.SelectAttrValue("typeCode", "") == "ADM" {
					enc.RemoveChild(p)
					n++
				}
			}
			if n == 0 {
				tb.Fatal("no encounterParticipant[@typeCode='ADM'] in the original")
			}
		},
		"organiser":              removeAt(h + "outsourcingServiceCustomer"),
		"organiserName":          removeAt(h + "outsourcingServiceCustomerName"),
		"contentSpecificationId": removeAt(h + "contentSpecificationId"),
		"structuredFileFormat":   removeAt(h + "structuredFileFormat"),
		"fileFormat":             removeAt(h + "fileFormat"),
		"recordStatus":           removeAt(h + "recordStatus"),
		"registryType":           removeAt(h + "registryType"),
		"clientRelationship":     removeAt(h + "encompassingClientRelationship"),
		"generalType": func(tb testing.TB, d *etree.Element) {
			c := find(tb, d, "code")
			c.Attr = nil
			c.CreateAttr("nullFlavor", "NA")
		},
		"specificType":   removeAt(h + "specificDocumentType"),
		"serviceProcess": removeAt(h + "serviceProcess"),
		"storer":         removeAt("author/assignedAuthor/assignedPerson"),
		"caseName":       removeAt(h + "caseName"),
		"caseStatus":     removeAt(h + "caseStatus"),
		"caseOpened":     removeAt("componentOf/encompassingEncounter/effectiveTime/low"),
	}
}

// removalConsequences are the further rules taking an element out may
// break as its natural consequence.
func removalConsequences() map[string][]string {
	return map[string][]string{
		// The structure's specific document type no longer matches.
		"specificType": {"BODY-STRUCTURE-TYPE"},
	}
}

// codedElement is a coded element of the frame or the document: where it
// is in an original, and what else a wrong value breaks.
type codedElement struct {
	base  string
	frame bool
	path  string
	// outside and wrongSystem are the rules a value outside the list and a
	// code in another code system break; "" means the code stage's rule
	// (CODE-UNKNOWN or CODE-UNLISTED by the list's completeness,
	// CODE-SYSTEM).
	outside, wrongSystem string
	// also are the rules a wrong value further breaks.
	also []string
}

// codedElements are the coded elements by their binding name
// (simulator/codes/data/bindings.yaml).
func codedElements() map[string]codedElement {
	const (
		h  = "localSocialHeader/"
		fd = "controlActProcess/subject/clinicalDocument/"
	)
	return map[string]codedElement{
		"frame.interactionId":                   {base: basePlan, frame: true, path: "interactionId", outside: "FRAME-INTERACTION", wrongSystem: "FRAME-INTERACTION"},
		"frame.triggerEvent":                    {base: baseClientRelation, frame: true, path: "controlActProcess/code", outside: "FRAME-TRIGGER", wrongSystem: "FRAME-TRIGGER"},
		"frame.serviceRequest":                  {base: basePlan, frame: true, path: "controlActProcess/reasonCode[1]", outside: "FRAME-SERVICE-REQUEST", wrongSystem: "FRAME-SERVICE-REQUEST", also: []string{"FRAME-SERVICE-REQUEST-GROUP"}},
		"frame.usageSituation":                  {base: baseClientRelation, frame: true, path: "controlActProcess/reasonCode[2]", outside: "FRAME-USAGE-SITUATION", wrongSystem: "FRAME-USAGE-SITUATION"},
		"frame.document.code":                   {base: baseClientRelation, frame: true, path: fd + "code", also: []string{"CONS-REGISTRY"}},
		"frame.completionCode":                  {base: basePlan, frame: true, path: fd + "completionCode"},
		"frame.storageCode":                     {base: baseClientRelation, frame: true, path: fd + "storageCode"},
		"cda.generalDocumentType":               {base: basePlan, path: "code"},
		"cda.confidentialityCode":               {base: baseClientRelation, path: "confidentialityCode"},
		"cda.administrativeGenderCode":          {base: basePlan, path: "recordTarget/patientRole/patient/administrativeGenderCode"},
		"cda.consentCode":                       {base: baseClientRelation, path: "authorization/consent/code", also: []string{"ID-MINOR-GUARDIAN"}},
		"header.specificDocumentType":           {base: basePlan, path: h + "specificDocumentType", also: []string{"BODY-STRUCTURE-TYPE"}},
		"header.documentGroup":                  {base: basePlan, path: h + "documentGroup", also: []string{"HDR-DOCUMENT-GROUP"}},
		"header.fileFormat":                     {base: baseClientRelation, path: h + "fileFormat"},
		"header.structuredFileFormat":           {base: basePlan, path: h + "structuredFileFormat"},
		"header.functionCode":                   {base: baseJournal, path: h + "functionCode"},
		"header.recordStatus":                   {base: baseClientRelation, path: h + "recordStatus", also: []string{"HDR-RECORD-STATUS"}},
		"header.registryType":                   {base: basePlan, path: h + "registryType", also: []string{"CONS-REGISTRY"}},
		"header.totalRetentionPeriodClass":      {base: baseClientRelation, path: h + "totalRetentionPeriodClass"},
		"header.specialContent":                 {base: basePlan, path: h + "specialContent"},
		"header.serviceProcess.code":            {base: baseJournal, path: h + "serviceProcess/code"},
		"header.inaccessibleArgument":           {base: basePlan, path: h + "inaccessibleArgument"},
		"header.signature.authenticationMethod": {base: basePlan, path: h + "signature/authenticationMethod"},
		"header.signatureDescription":           {base: baseClientRelation, path: h + "signatureCollection/signature/signatureDescription", also: []string{"SIG-TYPE"}},
		"case.name":                             {base: baseCase, path: h + "caseName"},
		"header.caseStatus":                     {base: baseCase, path: h + "caseStatus"},
		"header.reasonOfCorrection":             {base: baseCorrection, path: h + "reasonOfCorrection"},
		"body.socialService":                    {base: baseJournal, path: h + "socialService"},
	}
}

// notCoded are the bindings that name no coded element of the frame or
// header, with the reason.
func notCoded() map[string]string {
	const id = "an identifier, not a coded element: its root is the organisation OID, checked against the register (CODE-ORG-UNDECLARED)"
	const content = "a code of the structured content, judged by the structure's classification (body stage) and the content code checks (CODE-CONTENT, CODE-UNLISTED)"
	return map[string]string{
		"cda.custodian":          id,
		"header.organiser":       id,
		"header.serviceProvider": id,
		"cda.serviceUnit":        id,
		"body.serviceTask":       content,
		"body.serviceUnit":       content,
	}
}

// completenessCases generates the variants.
func completenessCases() []mutationCase {
	gs, err := kanta.DefaultGroups()
	if err != nil {
		panic(err)
	}
	var out []mutationCase
	elements := headerElements()
	rm := removals()
	for _, g := range gs.List {
		base := groupBases()[g.Kind]
		for _, name := range g.Required {
			e, ok := rm[name]
			if !ok {
				continue // TestCorpusCoversTable1122 reports it
			}
			out = append(out, mutationCase{
				name: fmt.Sprintf("%s without %s (%s, Table 11.2.2)", base, name, elements[name].display),
				base: base, want: elements[name].rule, also: removalConsequences()[name],
				mutate: editDoc(e),
			})
		}
	}
	// A case closed with an end date but carrying the open status, and a
	// closed case whose content still says the case is open.
	out = append(out,
		mutationCase{name: "case with a closing date but the open status", base: baseCase, want: "HDR-CASE-STATUS",
			mutate: editDoc(func(tb testing.TB, d *etree.Element) {
				add(tb, d, "componentOf/encompassingEncounter/effectiveTime", `<high value="20260730"/>`)
			})},
		mutationCase{name: "closed case carrying the open status in the metadata", base: baseCaseClosed, want: "HDR-CASE-STATUS",
			mutate: editDoc(attrIs("localSocialHeader/caseStatus", "code", gs.CaseStatus.Open))},
		mutationCase{name: "closed case whose content still says open", base: baseCaseClosed, want: "HDR-CASE-STATUS",
			mutate: editJSON(func(tb testing.TB, v map[string]any) { setContentCaseStatus(tb, v, gs.CaseStatus.Open) })},
		// Table 11.2.2 rows 8 and 29: the first names of the storer and of
		// the signer.
		mutationCase{name: "client document whose storer has no first name", base: basePlan, want: "HDR-STORER",
			mutate: editDoc(removeAt("author/assignedAuthor/assignedPerson/name/given"))},
		mutationCase{name: "signer metadata without the signer's first name", base: basePlanOneSigner, want: "SIG-SIGNER-METADATA",
			mutate: editDoc(removeAt("localSocialHeader/signature/signer/name/given"))},
	)
	cs := codes.Default()
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range codedElements() {
			if !yield(k) {
				return
			}
		}
	})
	for _, binding := range names {
		ce := codedElements()[binding]
		oid, _ := cs.Binding(binding)
		outside, wrong := ce.outside, ce.wrongSystem
		if outside == "" {
			outside = "CODE-UNLISTED"
			if sys, ok := cs.System(oid); ok && sys.Complete() {
				outside = "CODE-UNKNOWN"
			}
		}
		if wrong == "" {
			wrong = "CODE-SYSTEM"
		}
		edit := func(key, value string) mutation {
			if ce.frame {
				return editFrame(attrIs(ce.path, key, value))
			}
			return editDoc(attrIs(ce.path, key, value))
		}
		out = append(out,
			mutationCase{name: fmt.Sprintf("%s: a value outside %s", binding, oid), base: ce.base, want: outside, also: ce.also,
				mutate: edit(codeAttr(binding), "99999")},
			mutationCase{name: fmt.Sprintf("%s: a code of another code system", binding), base: ce.base, want: wrong, also: ce.also,
				mutate: edit(systemAttr(binding), "1.2.246.537.6.9999.201601")},
		)
	}
	return out
}

// codeAttr and systemAttr are the attributes of a coded element: @code and
// @codeSystem, or for an instance identifier (interactionId) @extension
// and @root.
func codeAttr(binding string) string {
	if binding == "frame.interactionId" {
		return "extension"
	}
	return "code"
}

func systemAttr(binding string) string {
	if binding == "frame.interactionId" {
		return "root"
	}
	return "codeSystem"
}

// setContentCaseStatus sets the case status in structured content: the
// code object of the case-status code system, or the legacy asian_tila
// text.
func setContentCaseStatus(tb testing.TB, v map[string]any, code string) {
	tb.Helper()
	oid, _ := codes.Default().Binding("header.caseStatus")
	done := false
	walkJSON(v, "", func(_ string, obj map[string]any) {
		if sys, _ := obj["system"].(string); strings.TrimPrefix(sys, "urn:oid:") == oid {
			obj["code"], done = code, true
		}
		if _, ok := obj[legacyCaseStatusField].(string); ok {
			obj[legacyCaseStatusField], done = "Vireillä", true
		}
	})
	if !done {
		b, _ := json.Marshal(v)
		tb.Fatalf("the content names no case status: %.300s", b)
	}
}

// TestCorpusCoversTable1122 checks that the corpus has an original of
// every document group, a removal for every element a group requires, and
// both variants for every coded element the bindings name.
func TestCorpusCoversTable1122(t *testing.T) {
	gs, err := kanta.DefaultGroups()
	if err != nil {
		t.Fatal(err)
	}
	names := make(map[string]bool)
	for _, o := range originals() {
		names[o.name] = true
	}
	for _, g := range gs.List {
		base, ok := groupBases()[g.Kind]
		if !ok || !names[base] {
			t.Errorf("no original of document group %s (%s)", g.Code, g.Kind)
		}
		for _, el := range g.Required {
			if _, ok := removals()[el]; !ok {
				t.Errorf("group %s requires %s, which the corpus cannot take out (add it to removals)", g.Code, el)
			}
		}
	}
	coded, skip := codedElements(), notCoded()
	for _, b := range codes.Default().Bindings() {
		_, isCoded := coded[b.Element]
		_, skipped := skip[b.Element]
		switch {
		case isCoded && skipped:
			t.Errorf("binding %s is both a coded element of the corpus and listed as not coded", b.Element)
		case !isCoded && !skipped:
			t.Errorf("binding %s (%s) has no variants in the corpus (add it to codedElements or notCoded)", b.Element, b.Path)
		}
	}
	for name, ce := range coded {
		if !names[ce.base] {
			t.Errorf("coded element %s names the unknown original %q", name, ce.base)
		}
	}
}
