package rules

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/catalogue"
	"github.com/yhteistestaus/yhteistestaus/hetu"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/body"
	"github.com/yhteistestaus/yhteistestaus/simulator/signature"
)

// The mutation corpus: invalid variants of valid archiving messages, each
// made by one mutation, each rejected with the rule it breaks (issue 2
// acceptance). The originals are the signature-restored sample documents
// with their frames, and a few variants derived from them that are valid
// too (re-signed, turned into a case document, a PDF/A document, an
// attachment); every original is checked to validate without errors before
// its variants are judged.
//
// Signatures cover only the nonXMLBody and the signatureTimestamp, so a
// mutation of the header is made by editing the parsed document and writing
// it back; a mutation of the body re-signs the document with a test
// certificate (signature.Sign), unless the broken signature is the point.

// unreachableRules are the rules of stages 1 to 8 that no mutation of the
// samples can reach, with the reason. TestMutationCorpusCoversStages keeps
// the list honest.
func unreachableRules() map[string]string {
	const real = "needs THL's structures (status, classifications, the export's OIDs); tested on ../shared/sosmeta in structure_test.go"
	return map[string]string{
		"BODY-CLASSIFICATION":        real,
		"BODY-STRUCTURE-UNSUPPORTED": real,
		"BODY-STRUCTURE-STATUS":      real,
		"XML-DECLARED-UTF16":         "a note of the validation service (simulator/server) about its JSON input, not a check of Validate",
	}
}

// corpusStages are the stages the corpus covers; stage 9 (archive state) is
// tested with the archive.
func corpusStages() []string {
	return []string{"xml", "frame", "header", "codes", "identity", "consistency", "body", "signature"}
}

// The originals.
const (
	baseClientRelation = "client relation document"
	basePlan           = "plan"
	basePlanOneSigner  = "plan signed by one professional"
	basePlanSystem     = "plan signed by a system signature"
	basePlanPDF        = "plan with a PDF/A display form"
	baseCase           = "case document"
	baseAttachment     = "attachment"
)

// pair is an archiving message: the frame and the document; a nil document
// means the message carries none.
type pair struct{ frame, doc []byte }

// original is a valid message and the information notes (severity info)
// it draws as it stands. An original draws no warning: every original is
// what a correct system sends, and a warning a correct system gets every
// time is a false alarm.
type original struct {
	name  string
	make  func(tb testing.TB, fx *corpusFixture) pair
	notes []string
}

// mutation changes a message.
type mutation func(tb testing.TB, fx *corpusFixture, p pair) pair

// mutationCase is one invalid variant.
type mutationCase struct {
	name   string
	base   string
	mutate mutation
	// want is the rule the variant must break.
	want string
	// also are further rules the mutation may break as its natural
	// consequence.
	also []string
}

// corpusFixture holds the test signer and the validator.
type corpusFixture struct {
	v    *Validator
	key  *rsa.PrivateKey
	cert *x509.Certificate
	now  time.Time
}

func newCorpusFixture(tb testing.TB) *corpusFixture {
	tb.Helper()
	now := time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)
	key, cert, err := signature.NewTestCertificate("Mutation corpus signer", now)
	if err != nil {
		tb.Fatal(err)
	}
	v := newValidator(tb)
	v.Now = func() time.Time { return now }
	return &corpusFixture{v: v, key: key, cert: cert, now: now}
}

func originals() []original {
	planNotes := []string{"CONS-EFFECTIVE-TIME"}
	return append([]original{
		{baseClientRelation, func(tb testing.TB, _ *corpusFixture) pair {
			return pair{readSample(tb, "client-relation-frame.xml"), readSample(tb, "signature-restored/client-relation-document.xml")}
		}, nil},
		{basePlan, func(tb testing.TB, _ *corpusFixture) pair {
			return pair{readSample(tb, "plan-frame.xml"), readSample(tb, "signature-restored/plan-document.xml")}
		}, append(planNotes, "SIG-ONE-PROFESSIONAL")},
		{basePlanOneSigner, derive(basePlan, resign(kanta.SignatureProfessional)), planNotes},
		{basePlanSystem, derive(basePlan, resign(kanta.SignatureSystem)), planNotes},
		{basePlanPDF, derive(basePlan, steps(
			editDoc(func(tb testing.TB, d *etree.Element) {
				setAttr(tb, d, "localSocialHeader/fileFormat", "code", "SIM-PDFA")
				setAttr(tb, d, "localSocialHeader/fileFormat", "displayName", "PDF/A")
				remove(tb, d, "localSocialHeader/structuredFileFormat")
				remove(tb, d, "localSocialHeader/contentSpecificationId")
				add(tb, d, "localSocialHeader", `<ep2:description>Lapsiperheiden palvelujen asiakassuunnitelma</ep2:description>`)
				remove(tb, d, "component/nonXMLBody/json")
				setDisplay(tb, d, "application/pdf", body.MinimalPDFA("Asiakassuunnitelma", "Suunnitelma"))
			}),
			resign(kanta.SignatureProfessional))), planNotes},
		{baseCase, derive(baseClientRelation, steps(
			editFrame(func(tb testing.TB, f *etree.Element) {
				setAttr(tb, f, "controlActProcess/reasonCode[1]", "code", serviceRequestCase)
			}),
			editDoc(func(tb testing.TB, d *etree.Element) {
				setAttr(tb, d, "localSocialHeader/documentGroup", "code", "SIM-ASIA-ASIAKIRJA")
				setAttr(tb, d, "localSocialHeader/documentGroup", "displayName", "Asia-asiakirja")
				add(tb, d, "localSocialHeader", `<ep2:functionCode code="24" codeSystem="1.2.246.537.6.1221.201601"/>`)
				add(tb, d, "localSocialHeader", `<ep2:caseName code="99" codeSystem="1.2.246.537.6.1265.202301"/>`)
				add(tb, d, "localSocialHeader", `<ep2:caseStatus code="SIM-VIREILLA" codeSystem="1.2.246.537.6.1501"/>`)
				enc := find(tb, d, "componentOf/encompassingEncounter")
				id := find(tb, enc, "id")
				id.RemoveAttr("nullFlavor")
				id.CreateAttr("root", "1.2.246.10.32213561.95777.2026.698084.900")
				et := find(tb, enc, "effectiveTime")
				et.RemoveAttr("nullFlavor")
				add(tb, et, "", `<low value="20260717"/>`)
				setText(find(tb, d, "localSocialHeader/contentSpecificationId"), caseStructure)
			}),
			editJSON(func(tb testing.TB, v map[string]any) {
				cr := jsonObj(tb, v, "asiakkuusasiakirja")
				delete(v, "asiakkuusasiakirja")
				v["asia_asiakirja"] = map[string]any{
					"palvelunjarjestajan_toimintayksikko": cr["palvelunjarjestajan_toimintayksikko"],
					"asiakas":                             []any{cr["asiakas"]},
					"asian_tiedot": map[string]any{
						"asiatunnus":     map[string]any{"system": "urn:oid:1.2.246.10.32213561", "value": "1.2.246.10.32213561.95777.2026.698084.900"},
						"nimi":           map[string]any{"system": "urn:oid:1.2.246.537.6.1265.202301", "code": "99", "display": "Muu sosiaalihuollon asia"},
						"tila":           map[string]any{"system": "urn:oid:1.2.246.537.6.1501", "code": "SIM-VIREILLA", "display": "Vireillä"},
						"avauspaiva":     "2026-07-17",
						"palvelutehtava": map[string]any{"system": "urn:oid:1.2.246.537.6.1221.201601", "code": "24", "display": "Lapsiperheiden palvelut"},
					},
				}
			}))), nil},
		{baseAttachment, derive(basePlanOneSigner, editDoc(func(tb testing.TB, d *etree.Element) {
			setAttr(tb, d, "localSocialHeader/specificDocumentType", "code", "SIM-LIITE")
			add(tb, d, "localSocialHeader", `<ep2:mainDocument root="1.2.246.10.2012566.95.2026.688883.2655000"/>`)
		})), planNotes},
	}, completenessOriginals()...)
}

// serviceRequestCase is the simulator's service request for archiving a
// case document (groups.yaml).
const serviceRequestCase = "SIM-ASIA"

// caseStructure is THL's case document structure (Asia-asiakirja).
const caseStructure = "1.2.246.537.6.1505.2.2022.6.28"

// derive makes an original from another by a mutation.
func derive(from string, m mutation) func(tb testing.TB, fx *corpusFixture) pair {
	return func(tb testing.TB, fx *corpusFixture) pair {
		return m(tb, fx, originalPair(tb, fx, from))
	}
}

func mutationCases() []mutationCase {
	const (
		planClient   = "180418A903L" // the plan's client
		planSender   = "080779-998C" // the professional sending the plan
		frameDoc     = "controlActProcess/subject/clinicalDocument"
		sigCR        = "localSocialHeader/signatureCollection/signature"
		sigPlan1     = "localSocialHeader/signatureCollection/signature[1]"
		headerPrefix = "localSocialHeader/"
	)
	crBirth := time.Date(2011, 1, 20, 0, 0, 0, 0, time.UTC)
	otherCRClient := mustTestHetu(crBirth, 906)
	nonTestCRClient := nonTestHetu("200111", 'A', 123)
	nonTestSender := nonTestHetu("080779", '-', 123)
	return append([]mutationCase{
		// --- stage 1: xml ---------------------------------------------------
		{name: "document with a DTD declaring an internal entity", base: baseClientRelation, want: "XML-DTD",
			mutate: rawDoc(func(b []byte) []byte {
				return append([]byte(`<?xml version="1.0"?><!DOCTYPE ClinicalDocument [<!ENTITY who "Kanta">]>`+"\n"), b...)
			})},
		{name: "frame with a billion-laughs entity expansion", base: basePlan, want: "XML-DTD",
			mutate: rawFrame(func(b []byte) []byte {
				dtd := `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
					`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>` + "\n"
				return append([]byte(dtd), bytes.Replace(b, []byte("<family>Johansson</family>"), []byte("<family>&lol3;</family>"), 1)...)
			})},
		{name: "document with an external entity", base: basePlan, want: "XML-DTD",
			mutate: rawDoc(func(b []byte) []byte {
				return append([]byte(`<!DOCTYPE ClinicalDocument SYSTEM "file:///etc/passwd">`+"\n"), b...)
			})},
		{name: "document with invalid UTF-8 in a name", base: baseClientRelation, want: "XML-ENCODING",
			mutate: docText("<family>Tietosuojatestaus</family>", "<family>Tietosuoja\xff\xfetestaus</family>")},
		{name: "frame in Latin-1 instead of UTF-8", base: basePlan, want: "XML-ENCODING",
			mutate: frameText("Helsingin sosiaali- ja terveystoimi</name>\r\n\t\t\t\t</representedOrganization>\r\n\t\t\t</assignedPerson>",
				"Helsingin sosiaali- ja terveystoimi \xe4\xf6</name>\r\n\t\t\t\t</representedOrganization>\r\n\t\t\t</assignedPerson>")},
		{name: "truncated document", base: baseClientRelation, want: "XML-WELLFORMED",
			mutate: rawDoc(func(b []byte) []byte { return b[:len(b)/2] })},
		{name: "truncated frame", base: basePlan, want: "XML-WELLFORMED",
			mutate: rawFrame(func(b []byte) []byte { return b[:len(b)-40] })},
		{name: "document with a mismatched end tag", base: basePlan, want: "XML-WELLFORMED",
			mutate: docText("</recordTarget>", "</recordTargets>")},
		{name: "empty document", base: baseClientRelation, want: "XML-WELLFORMED",
			mutate: rawDoc(func([]byte) []byte { return []byte{} })},
		{name: "document nested 10,000 elements deep", base: baseClientRelation, want: "XML-TOO-DEEP",
			mutate: docText("</ClinicalDocument>", strings.Repeat("<x>", 10000)+strings.Repeat("</x>", 10000)+"</ClinicalDocument>")},
		{name: "document over the size limit", base: baseClientRelation, want: "XML-TOO-LARGE",
			mutate: func(_ testing.TB, fx *corpusFixture, p pair) pair {
				pad := bytes.Repeat([]byte("a"), int(fx.v.Limits.MaxBytes))
				return pair{p.frame, slices.Concat(p.doc, []byte("<!--"), pad, []byte("-->"))}
			}},
		{name: "document whose root is not a ClinicalDocument", base: baseClientRelation, want: "XML-ROOT",
			mutate: editDoc(func(tb testing.TB, d *etree.Element) { d.Tag = "Document" })},
		{name: "frame outside the HL7 V3 namespace", base: basePlan, want: "XML-ROOT",
			mutate: frameText(`<RCMR_IN200002FI01 xmlns="urn:hl7-org:v3"`, `<RCMR_IN200002FI01 xmlns="urn:example:frame"`)},
		{name: "message without a CDA document", base: baseClientRelation, want: "XML-NO-DOCUMENT",
			mutate: func(_ testing.TB, _ *corpusFixture, p pair) pair { return pair{p.frame, nil} }},

		// --- stage 2: frame -------------------------------------------------
		{name: "wrong interaction id", base: baseClientRelation, want: "FRAME-INTERACTION",
			mutate: editFrame(attrIs("interactionId", "extension", "RCMR_IN200003FI01"))},
		{name: "interaction id outside the interaction code system", base: basePlan, want: "FRAME-INTERACTION",
			mutate: editFrame(attrIs("interactionId", "root", "2.16.840.1.113883.1.99"))},
		{name: "frame root is another interaction", base: baseClientRelation, want: "FRAME-INTERACTION",
			mutate: editFrame(func(tb testing.TB, f *etree.Element) { f.Tag = "QUQI_IN000003UV01" })},
		{name: "missing message id", base: baseClientRelation, want: "FRAME-ID",
			mutate: editFrame(removeAt("id"))},
		{name: "message id without an extension", base: basePlan, want: "FRAME-ID",
			mutate: editFrame(attrGone("id", "extension"))},
		{name: "message id root is not an OID", base: baseClientRelation, want: "FRAME-ID",
			mutate: editFrame(attrIs("id", "root", "apotti-messages"))},
		{name: "missing creation time", base: baseClientRelation, want: "FRAME-CREATION-TIME",
			mutate: editFrame(removeAt("creationTime"))},
		{name: "creation time on a day that does not exist", base: basePlan, want: "FRAME-CREATION-TIME",
			mutate: editFrame(attrIs("creationTime", "value", "20260231105430+0200"))},
		{name: "unknown processing code", base: baseClientRelation, want: "FRAME-PROCESSING",
			mutate: editFrame(attrIs("processingCode", "code", "X"))},
		{name: "missing accept acknowledgement code", base: basePlan, want: "FRAME-PROCESSING",
			mutate: editFrame(removeAt("acceptAckCode"))},
		{name: "receiver is not the archive", base: baseClientRelation, want: "FRAME-RECEIVER",
			mutate: editFrame(attrIs("receiver/device/id", "root", "1.2.246.556.18007.1"))},
		{name: "message sent to two receivers", base: basePlan, want: "FRAME-RECEIVER",
			mutate: editFrame(duplicate("receiver"))},
		{name: "sender device without an organisation OID", base: baseClientRelation, want: "FRAME-SENDER",
			mutate: editFrame(attrIs("sender/device/id", "root", "apotti"))},
		{name: "message without a sender", base: basePlan, want: "FRAME-SENDER",
			mutate: editFrame(removeAt("sender"))},
		{name: "unknown service request", base: baseClientRelation, want: "FRAME-SERVICE-REQUEST",
			also:   []string{"FRAME-SERVICE-REQUEST-GROUP"},
			mutate: editFrame(attrIs("controlActProcess/reasonCode[1]", "code", "SP99"))},
		{name: "missing service request", base: basePlan, want: "FRAME-SERVICE-REQUEST",
			mutate: editFrame(removeAt("controlActProcess/reasonCode[1]"))},
		{name: "two service requests", base: baseClientRelation, want: "FRAME-SERVICE-REQUEST",
			mutate: editFrame(duplicate("controlActProcess/reasonCode[1]"))},
		{name: "SP17 on a client relation document", base: baseClientRelation, want: "FRAME-SERVICE-REQUEST-GROUP",
			mutate: editFrame(attrIs("controlActProcess/reasonCode[1]", "code", "SP17"))},
		{name: "SP1 on a client document", base: basePlan, want: "FRAME-SERVICE-REQUEST-GROUP",
			mutate: editFrame(attrIs("controlActProcess/reasonCode[1]", "code", "SP1"))},
		{name: "new-version service request on version 1", base: basePlan, want: "FRAME-SERVICE-REQUEST-GROUP",
			mutate: editFrame(attrIs("controlActProcess/reasonCode[1]", "code", "SIM-UUSI-VERSIO"))},
		{name: "client relation service request on a case document", base: baseCase, want: "FRAME-SERVICE-REQUEST-GROUP",
			mutate: editFrame(attrIs("controlActProcess/reasonCode[1]", "code", "SP1"))},
		{name: "missing usage situation", base: baseClientRelation, want: "FRAME-USAGE-SITUATION",
			mutate: editFrame(removeAt("controlActProcess/reasonCode[2]"))},
		{name: "usage situation 5", base: basePlan, want: "FRAME-USAGE-SITUATION",
			mutate: editFrame(attrIs("controlActProcess/reasonCode[2]", "code", "5"))},
		{name: "usage situation 3 (another controller's register) when archiving", base: baseClientRelation, want: "FRAME-USAGE-STORE",
			mutate: editFrame(attrIs("controlActProcess/reasonCode[2]", "code", "3"))},
		{name: "sender identified by an organisation OID instead of a person", base: basePlan, want: "FRAME-PERFORMER",
			mutate: editFrame(attrIs("controlActProcess/authorOrPerformer/assignedPerson/id", "root", "1.2.246.10.2012566.10.40"))},
		{name: "message without authorOrPerformer", base: baseClientRelation, want: "FRAME-PERFORMER",
			mutate: editFrame(removeAt("controlActProcess/authorOrPerformer"))},
		{name: "control act without subject", base: baseClientRelation, want: "FRAME-SUBJECT",
			mutate: editFrame(removeAt("controlActProcess/subject"))},
		{name: "frame without controlActProcess", base: basePlan, want: "FRAME-SUBJECT",
			mutate: editFrame(removeAt("controlActProcess"))},
		{name: "wrong trigger event", base: baseClientRelation, want: "FRAME-TRIGGER",
			mutate: editFrame(attrIs("controlActProcess/code", "code", "RCMR_TE000101UV01"))},

		// --- stage 3: header ------------------------------------------------
		{name: "typeId of another model", base: baseClientRelation, want: "HDR-TYPEID",
			mutate: editDoc(attrIs("typeId", "extension", "POCD_HD000041"))},
		{name: "document without typeId", base: basePlan, want: "HDR-TYPEID",
			mutate: editDoc(removeAt("typeId"))},
		{name: "document id root is not an OID", base: baseClientRelation, want: "HDR-ID",
			also: []string{"BODY-ID"},
			mutate: steps(editDoc(attrIs("id", "root", "apotti-doc-2809773")),
				editFrame(attrIs(frameDoc+"/id", "root", "apotti-doc-2809773")))},
		{name: "setId root is not an OID", base: basePlan, want: "HDR-SETID",
			mutate: steps(editDoc(attrIs("setId", "root", "set-2655274")), editFrame(attrIs(frameDoc+"/setId", "root", "set-2655274")))},
		{name: "version number 0", base: baseClientRelation, want: "HDR-VERSION",
			mutate: steps(editDoc(attrIs("versionNumber", "value", "0")), editFrame(attrIs(frameDoc+"/versionNumber", "value", "0")))},
		{name: "version number that is not a number", base: basePlan, want: "HDR-VERSION",
			mutate: steps(editDoc(attrIs("versionNumber", "value", "1a")), editFrame(attrIs(frameDoc+"/versionNumber", "value", "1a")))},
		{name: "missing version number", base: baseClientRelation, want: "HDR-VERSION",
			mutate: steps(editDoc(removeAt("versionNumber")), editFrame(removeAt(frameDoc+"/versionNumber")))},
		{name: "effective time on a day that does not exist", base: baseClientRelation, want: "HDR-EFFECTIVE-TIME",
			mutate: steps(editDoc(attrIs("effectiveTime", "value", "20260732130652+0300")),
				editFrame(attrIs(frameDoc+"/effectiveTime", "value", "20260732130652+0300")))},
		{name: "effective time with a bad time zone", base: basePlan, want: "HDR-EFFECTIVE-TIME",
			mutate: editDoc(attrIs("effectiveTime", "value", "20260323105424+02"))},
		{name: "missing confidentiality code", base: baseClientRelation, want: "HDR-CONFIDENTIALITY",
			mutate: editDoc(removeAt("confidentialityCode"))},
		{name: "document without recordTarget", base: baseClientRelation, want: "HDR-CLIENT",
			also:   []string{"CONS-CLIENT", "ID-SAME-CLIENT"},
			mutate: editDoc(removeAt("recordTarget"))},
		{name: "client relation document with two clients", base: baseClientRelation, want: "HDR-CLIENT",
			mutate: steps(editDoc(duplicate("recordTarget")), editFrame(duplicate(frameDoc+"/recordTarget")))},
		{name: "custodian without an organisation OID", base: baseClientRelation, want: "HDR-CUSTODIAN",
			mutate: steps(editDoc(attrIs("custodian/assignedCustodian/representedCustodianOrganization/id", "root", "vantaa-kerava")),
				editFrame(attrIs(frameDoc+"/custodian/assignedCustodian/representedOrganization/id", "root", "vantaa-kerava")))},
		{name: "localSocialHeader outside the urn:hl7finland namespace", base: baseClientRelation, want: "HDR-LOCAL-HEADER",
			mutate: docText(`<ep2:localSocialHeader xmlns:ep2="urn:hl7finland">`, `<ep2:localSocialHeader xmlns:ep2="urn:example:header">`)},
		{name: "missing document group", base: baseClientRelation, want: "HDR-DOCUMENT-GROUP",
			mutate: editDoc(removeAt(headerPrefix + "documentGroup"))},
		{name: "unknown document group", base: basePlan, want: "HDR-DOCUMENT-GROUP",
			also:   []string{"CODE-UNKNOWN"}, // should the partial code list become complete
			mutate: editDoc(attrIs(headerPrefix+"documentGroup", "code", "99"))},
		{name: "client relation document without registryType", base: baseClientRelation, want: "HDR-REQUIRED",
			mutate: editDoc(removeAt(headerPrefix + "registryType"))},
		{name: "client relation document without the client relationship id", base: baseClientRelation, want: "HDR-REQUIRED",
			mutate: editDoc(removeAt(headerPrefix + "encompassingClientRelationship"))},
		{name: "missing case id on the plan", base: basePlan, want: "HDR-CASE-ID",
			mutate: editDoc(attrGone("componentOf/encompassingEncounter/id", "root"))},
		{name: "case document without case id", base: baseCase, want: "HDR-CASE-ID",
			mutate: editDoc(attrGone("componentOf/encompassingEncounter/id", "root"))},
		{name: "client document without service task", base: basePlan, want: "HDR-SERVICE-TASK",
			mutate: editDoc(removeAt(headerPrefix + "functionCode"))},
		{name: "case document without service task", base: baseCase, want: "HDR-SERVICE-TASK",
			mutate: editDoc(removeAt(headerPrefix + "functionCode"))},
		{name: "client document without service process", base: basePlan, want: "HDR-SERVICE-PROCESS",
			mutate: editDoc(removeAt(headerPrefix + "serviceProcess"))},
		{name: "client document without specific document type", base: basePlan, want: "HDR-SPECIFIC-TYPE",
			mutate: editDoc(removeAt(headerPrefix + "specificDocumentType"))},
		{name: "client document without general document type", base: basePlan, want: "HDR-GENERAL-TYPE",
			mutate: editDoc(func(tb testing.TB, d *etree.Element) {
				c := find(tb, d, "code")
				c.Attr = nil
				c.CreateAttr("nullFlavor", "NA")
			})},
		{name: "record status other than ready for archiving", base: basePlan, want: "HDR-RECORD-STATUS",
			also:   []string{"CODE-UNKNOWN"}, // should the partial code list become complete
			mutate: editDoc(attrIs(headerPrefix+"recordStatus", "code", "1"))},
		{name: "missing record status", base: baseClientRelation, want: "HDR-RECORD-STATUS",
			mutate: editDoc(removeAt(headerPrefix + "recordStatus"))},
		{name: "missing display format", base: baseClientRelation, want: "HDR-FORMAT",
			mutate: editDoc(removeAt(headerPrefix + "fileFormat"))},
		{name: "structured document without structured format", base: baseClientRelation, want: "HDR-FORMAT",
			mutate: editDoc(removeAt(headerPrefix + "structuredFileFormat"))},
		{name: "client relation document without a service unit", base: baseClientRelation, want: "HDR-SERVICE-UNIT",
			mutate: editDoc(attrIs("componentOf/encompassingEncounter/encounterParticipant", "typeCode", "ATND"))},
		{name: "client document without a service unit", base: basePlan, want: "HDR-SERVICE-UNIT",
			mutate: editDoc(removeAt("componentOf/encompassingEncounter/encounterParticipant"))},
		{name: "missing service organiser", base: baseClientRelation, want: "HDR-ORGANISER",
			mutate: editDoc(removeAt(headerPrefix + "outsourcingServiceCustomer"))},
		{name: "structured document without content specification", base: baseClientRelation, want: "HDR-CONTENT-SPEC",
			mutate: editDoc(removeAt(headerPrefix + "contentSpecificationId"))},
		{name: "client document whose author has no name", base: basePlan, want: "HDR-STORER",
			mutate: editDoc(removeAt("author/assignedAuthor/assignedPerson"))},
		{name: "PDF document without description", base: basePlanPDF, want: "HDR-DESCRIPTION",
			mutate: editDoc(removeAt(headerPrefix + "description"))},
		{name: "case document without case name", base: baseCase, want: "HDR-CASE-METADATA",
			mutate: editDoc(removeAt(headerPrefix + "caseName"))},
		{name: "closed case without closing date", base: baseCase, want: "HDR-CASE-METADATA",
			mutate: steps(editDoc(attrIs(headerPrefix+"caseStatus", "code", "SIM-PAATTYNYT")),
				editJSON(func(tb testing.TB, v map[string]any) { setContentCaseStatus(tb, v, "SIM-PAATTYNYT") }))},
		{name: "case document without opening date", base: baseCase, want: "HDR-CASE-METADATA",
			mutate: editDoc(removeAt("componentOf/encompassingEncounter/effectiveTime/low"))},
		{name: "attachment without main document", base: baseAttachment, want: "HDR-ATTACHMENT",
			mutate: editDoc(removeAt(headerPrefix + "mainDocument"))},
		{name: "unknown localSocialHeader element", base: baseClientRelation, want: "HDR-UNKNOWN-ELEMENT",
			mutate: editDoc(addAt("localSocialHeader", `<ep2:favouriteColour code="blue"/>`))},
		{name: "localSocialHeader element from another namespace", base: basePlan, want: "HDR-UNKNOWN-ELEMENT",
			mutate: editDoc(addAt("localSocialHeader", `<x:recordStatus xmlns:x="urn:example:vendor" code="3"/>`))},
		{name: "MittKanta display delay that is not a date", base: basePlan, want: "HDR-DELAY",
			mutate: editDoc(addAt("localSocialHeader", `<ep2:delayDate value="2026-13-01"/>`))},
		{name: "MittKanta display delay without its ground", base: basePlan, want: "HDR-DELAY",
			mutate: editDoc(func(tb testing.TB, d *etree.Element) {
				remove(tb, d, headerPrefix+"inaccessibleArgument")
				add(tb, d, "localSocialHeader", `<ep2:delayDate value="20270101"/>`)
			})},

		{name: "document of the service's implementation without its social service", base: basePlan, want: "HDR-SOCIAL-SERVICE",
			mutate: editDoc(attrIs(headerPrefix+"serviceProcess/code", "code", "SIM-TOTEUTTAMINEN"))},

		// --- stage 4: codes -------------------------------------------------
		{name: "confidentiality code in the wrong code system", base: baseClientRelation, want: "CODE-SYSTEM",
			mutate: editDoc(attrIs("confidentialityCode", "codeSystem", "2.16.840.1.113883.5.25"))},
		{name: "document group in the document type code system", base: basePlan, want: "CODE-SYSTEM",
			mutate: editDoc(attrIs(headerPrefix+"documentGroup", "codeSystem", "1.2.246.537.6.1506.201701"))},
		{name: "service task in the social service code system", base: basePlan, want: "CODE-SYSTEM",
			mutate: editDoc(attrIs(headerPrefix+"functionCode", "codeSystem", "1.2.246.537.6.1222.201601"))},
		{name: "guardian disclosure code not in its complete list", base: baseClientRelation, want: "CODE-UNKNOWN",
			mutate: editDoc(attrIs("authorization/consent/code", "code", "7"))},
		{name: "MittKanta restriction ground not in its complete list", base: basePlan, want: "CODE-UNKNOWN",
			mutate: editDoc(attrIs(headerPrefix+"inaccessibleArgument", "code", "9"))},
		{name: "case named with the 2017 case classification after it went out of force", base: baseCase, want: "CODE-EXPIRED",
			mutate: editDoc(attrIs(headerPrefix+"caseName", "codeSystem", "1.2.246.537.6.1265.201701"))},
		{name: "case status outside the bundled partial list", base: baseCase, want: "CODE-UNLISTED",
			mutate: editDoc(attrIs(headerPrefix+"caseStatus", "code", "SIM-AVOIN"))},
		{name: "service task outside the bundled partial list", base: basePlan, want: "CODE-UNLISTED",
			mutate: editDoc(attrIs(headerPrefix+"functionCode", "code", "99"))},
		{name: "special content without code or null flavor", base: baseClientRelation, want: "CODE-EMPTY",
			mutate: editDoc(attrGone(headerPrefix+"specialContent", "code"))},
		{name: "service task code inside the structured content outside the bundled partial list", base: baseClientRelation, want: "CODE-UNLISTED",
			mutate: editJSON(func(tb testing.TB, v map[string]any) {
				jsonObj(tb, v, "asiakkuusasiakirja", "sosiaalihuollon_palvelutehtava", "0", "palvelutehtava")["code"] = "99"
			})},
		{name: "content code not in the complete guardian disclosure list", base: baseClientRelation, want: "CODE-CONTENT",
			also: []string{"BODY-SCHEMA"}, // the structure names the field's classification
			mutate: editJSON(func(tb testing.TB, v map[string]any) {
				o := jsonObj(tb, v, "asiakkuusasiakirja", "sosiaalihuollon_palvelutehtava", "0", "palvelutehtava")
				o["system"], o["code"] = "urn:oid:1.2.246.537.6.1286.201901", "9"
			})},
		{name: "service unit in the content neither bundled nor declared", base: baseClientRelation, want: "CODE-ORG-UNDECLARED",
			mutate: editJSON(func(tb testing.TB, v map[string]any) {
				jsonObj(tb, v, "asiakkuusasiakirja", "palvelunjarjestajan_toimintayksikko")["code"] = "1.2.246.10.99999999.10.1"
			})},
		{name: "organiser in the header neither bundled nor declared", base: basePlan, want: "CODE-ORG-UNDECLARED",
			mutate: editDoc(attrIs(headerPrefix+"outsourcingServiceCustomer", "root", "1.2.246.10.99999999.10.0"))},

		// --- stage 5: identity ----------------------------------------------
		{name: "sender's identity code with an unknown century sign", base: basePlan, want: "ID-HETU-FORMAT",
			mutate: editFrame(attrIs("controlActProcess/authorOrPerformer/assignedPerson/id", "extension", "080779*998C"))},
		{name: "client's identity code too short", base: baseClientRelation, want: "ID-HETU-FORMAT",
			also:   []string{"ID-SAME-CLIENT"},
			mutate: clientID("1.2.246.21", "20011A904P")},
		{name: "author's identity code on 30 February", base: basePlan, want: "ID-HETU-DATE",
			mutate: editFrame(attrIs(frameDoc+"/author/assignedAuthor/id", "extension", "300279-998C"))},
		{name: "sender's identity code with a bad check character", base: basePlan, want: "ID-HETU-CHECK",
			mutate: editFrame(attrIs("controlActProcess/authorOrPerformer/assignedPerson/id", "extension", "080779-998D"))},
		{name: "client's identity code with a bad check character", base: basePlan, want: "ID-HETU-CHECK",
			also:   []string{"ID-SAME-CLIENT"},
			mutate: clientID("1.2.246.21", "180418A903M")},
		{name: "client with a real (non-test) identity code", base: baseClientRelation, want: "ID-TEST-IDENTITY",
			also:   []string{"ID-SAME-CLIENT"},
			mutate: clientID("1.2.246.21", nonTestCRClient)},
		{name: "sender with a real (non-test) identity code", base: basePlan, want: "ID-TEST-IDENTITY",
			mutate: editFrame(func(tb testing.TB, f *etree.Element) {
				for _, p := range []string{"controlActProcess/authorOrPerformer/assignedPerson/id", frameDoc + "/author/assignedAuthor/id"} {
					if got := find(tb, f, p).SelectAttrValue("extension", ""); got != planSender {
						tb.Fatalf("%s is %q, want %q", p, got, planSender)
					}
					setAttr(tb, f, p, "extension", nonTestSender)
				}
			})},
		{name: "birth time mismatch with the identity code", base: baseClientRelation, want: "ID-BIRTH-DATE",
			mutate: editDoc(attrIs("recordTarget/patientRole/patient/birthTime", "value", "20110121"))},
		{name: "frame's birth time mismatch with the identity code", base: basePlan, want: "ID-BIRTH-DATE",
			mutate: editFrame(attrIs(frameDoc+"/recordTarget/patient/patientPerson/birthTime", "value", "20180419"))},
		{name: "JSON client not in recordTarget", base: baseClientRelation, want: "ID-SAME-CLIENT",
			mutate: editJSON(func(tb testing.TB, v map[string]any) {
				jsonObj(tb, v, "asiakkuusasiakirja", "asiakas", "henkilotunnus")["value"] = otherCRClient
			})},
		{name: "plan content about another client", base: basePlan, want: "ID-SAME-CLIENT",
			mutate: editJSON(func(tb testing.TB, v map[string]any) {
				obj := jsonObj(tb, v, "lapsiperheiden_palvelujen_asiakassuunnitelma", "asiakas", "0", "henkilotunnus")
				if obj["value"] != planClient {
					tb.Fatalf("plan JSON client is %v, want %s", obj["value"], planClient)
				}
				obj["value"] = mustTestHetu(time.Date(2018, 4, 18, 0, 0, 0, 0, time.UTC), 905)
			})},
		{name: "client without identity code or temporary identifier", base: baseClientRelation, want: "ID-CLIENT-MISSING",
			also: []string{"ID-SAME-CLIENT"},
			mutate: steps(editDoc(func(tb testing.TB, d *etree.Element) {
				id := find(tb, d, "recordTarget/patientRole/id")
				id.Attr = nil
				id.CreateAttr("nullFlavor", "UNK")
			}), editFrame(func(tb testing.TB, f *etree.Element) {
				id := find(tb, f, frameDoc+"/recordTarget/patient/id")
				id.Attr = nil
				id.CreateAttr("nullFlavor", "UNK")
			}))},
		{name: "temporary identifier without an OID root", base: baseClientRelation, want: "ID-TEMP-ID",
			also:   []string{"ID-SAME-CLIENT"},
			mutate: clientID("", "TEMP-2026-281")},
		{name: "temporary identifier without a value", base: basePlan, want: "ID-TEMP-ID",
			also:   []string{"ID-SAME-CLIENT"},
			mutate: clientID("1.2.246.10.2012566.22.2026", "")},
		{name: "minor client without guardian disclosure consent", base: baseClientRelation, want: "ID-MINOR-GUARDIAN",
			mutate: editDoc(removeAt("authorization"))},
		{name: "minor's plan without guardian disclosure consent", base: basePlan, want: "ID-MINOR-GUARDIAN",
			mutate: editDoc(removeAt("authorization"))},
		{name: "author identified by an organisation OID", base: basePlan, want: "ID-PROFESSIONAL",
			mutate: editDoc(attrIs("author/assignedAuthor/id", "root", "1.2.246.10.2012566.10.40"))},
		{name: "registration number without a value", base: basePlan, want: "ID-PROFESSIONAL",
			mutate: editDoc(attrGone("author/assignedAuthor/id", "extension"))},

		// --- stage 6: consistency -------------------------------------------
		{name: "frame id differs from the document id", base: baseClientRelation, want: "CONS-ID",
			mutate: editFrame(attrIs(frameDoc+"/id", "root", "1.2.246.10.32213561.95777.2026.688883.2809774"))},
		{name: "frame setId differs from the document", base: basePlan, want: "CONS-SETID",
			mutate: editFrame(attrIs(frameDoc+"/setId", "root", "1.2.246.10.2012566.95.2026.688883.1"))},
		{name: "frame version differs from the document", base: baseClientRelation, want: "CONS-VERSION",
			mutate: editFrame(attrIs(frameDoc+"/versionNumber", "value", "2"))},
		{name: "frame names another client than the document", base: baseClientRelation, want: "CONS-CLIENT",
			mutate: editFrame(attrIs(frameDoc+"/recordTarget/patient/id", "extension", otherCRClient))},
		{name: "frame custodian differs from the document", base: basePlan, want: "CONS-CUSTODIAN",
			mutate: editFrame(attrIs(frameDoc+"/custodian/assignedCustodian/representedOrganization/id", "root", "1.2.246.10.2012566.10.41"))},
		{name: "frame register differs from the document's registryType", base: baseClientRelation, want: "CONS-REGISTRY",
			also:   []string{"CODE-UNKNOWN"}, // should the partial code list become complete
			mutate: editFrame(attrIs(frameDoc+"/code", "code", "2"))},
		{name: "frame effective time differs from the document", base: baseClientRelation, want: "CONS-EFFECTIVE-TIME",
			mutate: editFrame(attrIs(frameDoc+"/effectiveTime", "value", "20260717130000+0300"))},
		{name: "sender is neither custodian, organiser nor provider", base: baseClientRelation, want: "CONS-SENDER",
			mutate: editFrame(attrIs("sender/device/id", "root", "1.2.246.10.99999999.10.0"))},

		// --- stage 7: body --------------------------------------------------
		{name: "missing body", base: baseClientRelation, want: "BODY-MISSING",
			also:   []string{"SIG-UNVERIFIABLE", "SIG-BODY-REFERENCE"},
			mutate: editDoc(removeAt("component"))},
		{name: "body without display form", base: basePlan, want: "BODY-MISSING",
			mutate: resigned(removeAt("component/nonXMLBody/text"))},
		{name: "display form that is not base64", base: baseClientRelation, want: "BODY-BASE64",
			mutate: resigned(func(tb testing.TB, d *etree.Element) {
				setText(find(tb, d, "component/nonXMLBody/text"), "PGRpdiB4bWxucz0i!!!notbase64")
			})},
		{name: "structured content that is not base64", base: basePlan, want: "BODY-BASE64",
			mutate: resigned(func(tb testing.TB, d *etree.Element) {
				setText(find(tb, d, "component/nonXMLBody/json"), "eyJh*Ig==")
			})},
		{name: "display form of an unknown media type", base: baseClientRelation, want: "BODY-MEDIA-TYPE",
			also:   []string{"BODY-XHTML-REQUIRED"},
			mutate: resigned(attrIs("component/nonXMLBody/text", "mediaType", "text/html"))},
		{name: "fileFormat says PDF but the display form is XHTML", base: baseClientRelation, want: "BODY-MEDIA-TYPE",
			mutate: editDoc(attrIs(headerPrefix+"fileFormat", "code", "SIM-PDFA"))},
		{name: "XHTML not in the XHTML namespace", base: baseClientRelation, want: "BODY-XHTML",
			mutate: resigned(func(tb testing.TB, d *etree.Element) {
				setDisplay(tb, d, "application/xhtml+xml", []byte(`<div class="soc-document"><p>Asiakkuusasiakirja</p></div>`))
			})},
		{name: "malformed XHTML", base: basePlan, want: "BODY-XHTML",
			mutate: resigned(func(tb testing.TB, d *etree.Element) {
				disp := display(tb, d)
				i := bytes.LastIndex(disp, []byte("</div>"))
				if i < 0 {
					tb.Fatal("display form has no </div>")
				}
				setDisplay(tb, d, "application/xhtml+xml", slices.Concat(disp[:i], []byte("<p>avoin kappale</div>")))
			})},
		{name: "XHTML display form with a DTD", base: baseClientRelation, want: "BODY-XHTML",
			mutate: resigned(func(tb testing.TB, d *etree.Element) {
				setDisplay(tb, d, "application/xhtml+xml", append([]byte(`<!DOCTYPE div [<!ENTITY x "y">]>`), display(tb, d)...))
			})},
		{name: "structured document displayed as PDF", base: baseClientRelation, want: "BODY-XHTML-REQUIRED",
			mutate: resigned(func(tb testing.TB, d *etree.Element) {
				setAttr(tb, d, headerPrefix+"fileFormat", "code", "SIM-PDFA")
				setDisplay(tb, d, "application/pdf", body.MinimalPDFA("Asiakkuusasiakirja", "Asiakkuus"))
			})},
		{name: "JSON not parsing", base: baseClientRelation, want: "BODY-JSON",
			mutate: resigned(func(tb testing.TB, d *etree.Element) {
				setBase64(find(tb, d, "component/nonXMLBody/json"), []byte(`{"asiakkuusasiakirja": {"asiakas": `))
			})},
		{name: "JSON with a duplicate key", base: basePlan, want: "BODY-JSON",
			mutate: resigned(func(tb testing.TB, d *etree.Element) {
				setBase64(find(tb, d, "component/nonXMLBody/json"), []byte(`{"a": 1, "a": 2}`))
			})},
		{name: "client relation document without structured content", base: baseClientRelation, want: "BODY-JSON-REQUIRED",
			mutate: resigned(removeAt("component/nonXMLBody/json"))},
		{name: "JSON violating the schema: client without the protection flag", base: baseClientRelation, want: "BODY-SCHEMA",
			mutate: editJSON(func(tb testing.TB, v map[string]any) {
				delete(jsonObj(tb, v, "asiakkuusasiakirja", "asiakas"), "turvakielto")
			})},
		{name: "JSON violating the schema: a client without a family name", base: basePlan, want: "BODY-SCHEMA",
			mutate: editJSON(func(tb testing.TB, v map[string]any) {
				delete(jsonObj(tb, v, "lapsiperheiden_palvelujen_asiakassuunnitelma", "asiakas", "0"), "sukunimi")
			})},
		{name: "structure without a bundled schema", base: baseClientRelation, want: "BODY-SCHEMA-UNKNOWN",
			mutate: editDoc(func(tb testing.TB, d *etree.Element) {
				setText(find(tb, d, headerPrefix+"contentSpecificationId"), "1.2.246.537.6.1505.1.2099.1.1")
			})},
		{name: "plan declaring the client relation document's structure", base: basePlan, want: "BODY-STRUCTURE-GROUP", also: []string{"BODY-SCHEMA"},
			mutate: editDoc(func(tb testing.TB, d *etree.Element) {
				setText(find(tb, d, headerPrefix+"contentSpecificationId"), "1.2.246.537.6.1505.1.2023.6.1")
			})},
		{name: "case document declaring a client document structure", base: baseCase, want: "BODY-STRUCTURE-GROUP", also: []string{"BODY-SCHEMA"},
			mutate: editDoc(func(tb testing.TB, d *etree.Element) {
				setText(find(tb, d, headerPrefix+"contentSpecificationId"), "1.2.246.537.6.1506.15007.2024.11.28")
			})},
		{name: "plan whose structure is of another specific document type", base: basePlan, want: "BODY-STRUCTURE-TYPE",
			mutate: editDoc(func(tb testing.TB, d *etree.Element) {
				setText(find(tb, d, headerPrefix+"contentSpecificationId"), "1.2.246.537.6.1506.15009.2024.11.28")
			})},
		{name: "PDF without PDF/A metadata", base: basePlanPDF, want: "BODY-PDFA",
			mutate: resigned(func(tb testing.TB, d *etree.Element) {
				setDisplay(tb, d, "application/pdf", []byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"))
			})},
		{name: "PDF display form that is not a PDF", base: basePlanPDF, want: "BODY-PDFA",
			mutate: resigned(func(tb testing.TB, d *etree.Element) {
				setDisplay(tb, d, "application/pdf", []byte("Asiakassuunnitelma"))
			})},
		{name: "body ID that is not OID plus the document id", base: baseClientRelation, want: "BODY-ID",
			mutate: resigned(attrIs("component/nonXMLBody", "ID", "body-2809773"))},

		// --- stage 8: signature ---------------------------------------------
		{name: "missing signature", base: baseClientRelation, want: "SIG-MISSING",
			mutate: editDoc(removeAt(headerPrefix + "signatureCollection"))},
		{name: "client document without signatures", base: basePlan, want: "SIG-MISSING",
			mutate: editDoc(func(tb testing.TB, d *etree.Element) {
				remove(tb, d, headerPrefix+"signatureCollection")
				remove(tb, d, headerPrefix+"signature")
			})},
		{name: "tampered display form", base: baseClientRelation, want: "SIG-DIGEST",
			mutate: editDoc(func(tb testing.TB, d *etree.Element) {
				disp := display(tb, d)
				i := bytes.LastIndex(disp, []byte("</div>"))
				setDisplay(tb, d, "application/xhtml+xml", slices.Concat(disp[:i], []byte("<p>Lisätty allekirjoituksen jälkeen</p>"), disp[i:]))
			})},
		{name: "tampered structured content", base: basePlan, want: "SIG-DIGEST",
			mutate: editDoc(func(tb testing.TB, d *etree.Element) {
				j := find(tb, d, "component/nonXMLBody/json")
				data, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(j.Text()), ""))
				if err != nil {
					tb.Fatal(err)
				}
				setBase64(j, bytes.Replace(data, []byte(`"aasdasd"`), []byte(`"muutettu"`), 1))
			})},
		{name: "tampered signature timestamp", base: baseClientRelation, want: "SIG-DIGEST",
			mutate: editDoc(func(tb testing.TB, d *etree.Element) {
				setText(find(tb, d, sigCR+"/signatureTimestamp"), "2026-07-18T10:06:56.4257383Z")
			})},
		{name: "tampered SignatureValue", base: basePlan, want: "SIG-VALUE",
			mutate: editDoc(func(tb testing.TB, d *etree.Element) {
				sv := find(tb, d, sigPlan1+"/Signature/SignatureValue")
				v, err := base64.StdEncoding.DecodeString(strings.TrimSpace(sv.Text()))
				if err != nil {
					tb.Fatal(err)
				}
				v[len(v)/2] ^= 0x01
				sv.SetText(base64.StdEncoding.EncodeToString(v))
			})},
		{name: "tampered reference digest", base: baseClientRelation, want: "SIG-DIGEST",
			also: []string{"SIG-VALUE"},
			mutate: editDoc(func(tb testing.TB, d *etree.Element) {
				setText(find(tb, d, sigCR+"/Signature/SignedInfo/Reference[2]/DigestValue"), base64.StdEncoding.EncodeToString(make([]byte, 32)))
			})},
		{name: "signature with an unsupported algorithm", base: baseClientRelation, want: "SIG-UNVERIFIABLE",
			mutate: editDoc(attrIs(sigCR+"/Signature/SignedInfo/SignatureMethod", "Algorithm", "http://www.w3.org/2000/09/xmldsig#dsa-sha1"))},
		{name: "signature without certificate", base: basePlan, want: "SIG-UNVERIFIABLE",
			mutate: editDoc(removeAt(sigPlan1 + "/Signature/KeyInfo"))},
		{name: "signature reference to a missing element", base: baseClientRelation, want: "SIG-UNVERIFIABLE",
			also:   []string{"SIG-VALUE"},
			mutate: editDoc(attrIs(sigCR+"/Signature/SignedInfo/Reference[1]", "URI", "#CDA-aikaleima.2"))},
		{name: "signature without body reference", base: baseClientRelation, want: "SIG-BODY-REFERENCE",
			also:   []string{"SIG-VALUE"},
			mutate: editDoc(removeAt(sigCR + "/Signature/SignedInfo/Reference[2]"))},
		{name: "decision type signed only by a system", base: basePlanSystem, want: "SIG-PROFESSIONAL-REQUIRED", also: []string{"BODY-STRUCTURE-TYPE"},
			mutate: editDoc(attrIs(headerPrefix+"specificDocumentType", "code", "11001"))},
		{name: "document signed by two professionals", base: basePlanOneSigner, want: "SIG-ONE-PROFESSIONAL",
			mutate: func(tb testing.TB, fx *corpusFixture, p pair) pair {
				return pair{p.frame, fx.sign(tb, p.doc, kanta.SignatureProfessional)}
			}},
		{name: "professional signature without signer metadata", base: basePlan, want: "SIG-SIGNER-METADATA",
			mutate: editDoc(removeAt(headerPrefix + "signature"))},
		{name: "signer metadata without authentication method", base: basePlanOneSigner, want: "SIG-SIGNER-METADATA",
			mutate: editDoc(removeAt(headerPrefix + "signature/authenticationMethod"))},
		{name: "professional signature on a client relation document without signer metadata", base: baseClientRelation, want: "SIG-SIGNER-METADATA",
			mutate: resign(kanta.SignatureProfessional)},
		{name: "signature without type", base: baseClientRelation, want: "SIG-TYPE",
			mutate: editDoc(removeAt(sigCR + "/signatureDescription"))},
	}, completenessCases()...)
}

// TestMutationCorpus checks that every original validates without errors
// or warnings and with only its known notes, and that every variant breaks
// its rule and no error rule that its mutation does not explain.
func TestMutationCorpus(t *testing.T) {
	samplesDir(t) // the originals are the samples; skip the whole corpus without them
	fx := newCorpusFixture(t)
	ctx := context.Background()
	baseFindings := make(map[string]yhteistestaus.Findings)
	bases := make(map[string]pair)
	t.Run("originals", func(t *testing.T) {
		for _, o := range originals() {
			p := o.make(t, fx)
			bases[o.name] = p
			res := fx.v.Validate(ctx, p.frame, p.doc)
			baseFindings[o.name] = res.Findings
			var notes []string
			for _, f := range res.Findings {
				if f.Severity != yhteistestaus.SeverityInfo {
					t.Errorf("%s: unexpected %v", o.name, f)
				} else {
					notes = append(notes, f.Rule)
				}
			}
			slices.Sort(notes)
			notes = slices.Compact(notes)
			want := slices.Sorted(slices.Values(o.notes))
			if !slices.Equal(notes, want) {
				t.Errorf("%s: information rules = %v, want %v", o.name, notes, want)
			}
		}
	})
	if t.Failed() {
		t.FailNow()
	}
	cat := fx.v.Catalogue
	for _, tc := range mutationCases() {
		t.Run(tc.name, func(t *testing.T) {
			base, ok := bases[tc.base]
			if !ok {
				t.Fatalf("unknown original %q", tc.base)
			}
			if baseFindings[tc.base].Has(tc.want) {
				t.Fatalf("original %q already reports %s; the mutation proves nothing", tc.base, tc.want)
			}
			p := tc.mutate(t, fx, pair{bytes.Clone(base.frame), bytes.Clone(base.doc)})
			res := fx.v.Validate(ctx, p.frame, p.doc)
			rule, ok := cat.Rule(tc.want)
			if !ok {
				t.Fatalf("rule %s is not in the catalogue", tc.want)
			}
			found := false
			for _, f := range res.Findings {
				if f.Rule == tc.want {
					found = true
					if f.Severity != rule.Severity {
						t.Errorf("%s has severity %v, want %v", f.Rule, f.Severity, rule.Severity)
					}
				}
			}
			if !found {
				t.Errorf("got rules %v, want %s", res.Findings.Rules(), tc.want)
			}
			for _, f := range res.Findings.Errors() {
				if f.Rule != tc.want && !slices.Contains(tc.also, f.Rule) {
					t.Errorf("unexpected error finding %v", f)
				}
			}
			if t.Failed() {
				for _, f := range res.Findings {
					t.Logf("finding: %v", f)
				}
			}
		})
	}
}

// TestMutationCorpusCoversStages checks that every rule of stages 1 to 8 is
// the target of a variant or listed as unreachable with a reason, and that
// the corpus is large enough.
func TestMutationCorpusCoversStages(t *testing.T) {
	cases := mutationCases()
	if len(cases) < 80 {
		t.Errorf("corpus has %d variants, want at least 80", len(cases))
	}
	covered := make(map[string]int)
	names := make(map[string]bool)
	for _, tc := range cases {
		covered[tc.want]++
		if names[tc.name] {
			t.Errorf("duplicate case name %q", tc.name)
		}
		names[tc.name] = true
	}
	cat := catalogue.DefaultRules()
	unreachable, stages := unreachableRules(), corpusStages()
	for _, stage := range stages {
		ids := cat.Stage(stage)
		if len(ids) == 0 {
			t.Errorf("stage %s has no rules", stage)
		}
		for _, id := range ids {
			reason, listed := unreachable[id]
			switch {
			case covered[id] > 0 && listed:
				t.Errorf("%s is covered by a variant but listed as unreachable (%s)", id, reason)
			case covered[id] == 0 && !listed:
				t.Errorf("%s (stage %s) is neither covered by a variant nor listed as unreachable", id, stage)
			}
		}
	}
	for id := range unreachable {
		r, ok := cat.Rule(id)
		if !ok || !slices.Contains(stages, r.Stage) {
			t.Errorf("unreachable rule %s is not a rule of stages 1 to 8", id)
		}
	}
	for id := range covered {
		if r, ok := cat.Rule(id); !ok || !slices.Contains(stages, r.Stage) {
			t.Errorf("variant target %s is not a rule of stages 1 to 8", id)
		}
	}
}

// --- mutations ------------------------------------------------------------

// steps applies several edits that together make one mutation (e.g. the
// same change in the frame's copy of the header and in the document).
func steps(ms ...mutation) mutation {
	return func(tb testing.TB, fx *corpusFixture, p pair) pair {
		for _, m := range ms {
			p = m(tb, fx, p)
		}
		return p
	}
}

func rawDoc(fn func([]byte) []byte) mutation {
	return func(_ testing.TB, _ *corpusFixture, p pair) pair { return pair{p.frame, fn(p.doc)} }
}

func rawFrame(fn func([]byte) []byte) mutation {
	return func(_ testing.TB, _ *corpusFixture, p pair) pair { return pair{fn(p.frame), p.doc} }
}

// replaceOnce replaces old, which must occur exactly once.
func replaceOnce(tb testing.TB, b []byte, old, new string) []byte {
	tb.Helper()
	if n := bytes.Count(b, []byte(old)); n != 1 {
		tb.Fatalf("%q occurs %d times, want once", old, n)
	}
	return bytes.Replace(b, []byte(old), []byte(new), 1)
}

func docText(old, new string) mutation {
	return func(tb testing.TB, _ *corpusFixture, p pair) pair {
		return pair{p.frame, replaceOnce(tb, p.doc, old, new)}
	}
}

func frameText(old, new string) mutation {
	return func(tb testing.TB, _ *corpusFixture, p pair) pair {
		return pair{replaceOnce(tb, p.frame, old, new), p.doc}
	}
}

// edit is a change to a parsed frame or document, given its root.
type edit func(tb testing.TB, root *etree.Element)

func reparse(tb testing.TB, data []byte) *etree.Document {
	tb.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(data); err != nil {
		tb.Fatalf("parse original: %v", err)
	}
	return doc
}

func serialise(tb testing.TB, doc *etree.Document) []byte {
	tb.Helper()
	out, err := doc.WriteToBytes()
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// editDoc edits the parsed document and writes it back. The body and the
// signatures are written back unchanged in canonical form, so they still
// verify unless the edit touches them.
func editDoc(e edit) mutation {
	return func(tb testing.TB, _ *corpusFixture, p pair) pair {
		doc := reparse(tb, p.doc)
		e(tb, doc.Root())
		return pair{p.frame, serialise(tb, doc)}
	}
}

func editFrame(e edit) mutation {
	return func(tb testing.TB, _ *corpusFixture, p pair) pair {
		doc := reparse(tb, p.frame)
		e(tb, doc.Root())
		return pair{serialise(tb, doc), p.doc}
	}
}

// resigned edits the document and replaces its signatures by new valid ones
// of the same types, made with the test certificate.
func resigned(e edit) mutation {
	return func(tb testing.TB, fx *corpusFixture, p pair) pair {
		doc := reparse(tb, p.doc)
		types := fx.dropSignatures(tb, doc)
		e(tb, doc.Root())
		for _, typ := range types {
			fx.signDoc(tb, doc, typ)
		}
		return pair{p.frame, serialise(tb, doc)}
	}
}

// resign replaces the document's signatures by new ones of the given types.
func resign(types ...string) mutation {
	return func(tb testing.TB, fx *corpusFixture, p pair) pair {
		doc := reparse(tb, p.doc)
		fx.dropSignatures(tb, doc)
		for _, typ := range types {
			fx.signDoc(tb, doc, typ)
		}
		return pair{p.frame, serialise(tb, doc)}
	}
}

// editJSON edits the structured content and re-signs the document.
func editJSON(fn func(tb testing.TB, v map[string]any)) mutation {
	return resigned(func(tb testing.TB, d *etree.Element) {
		j := find(tb, d, "component/nonXMLBody/json")
		data, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(j.Text()), ""))
		if err != nil {
			tb.Fatalf("decode JSON: %v", err)
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var v map[string]any
		if err := dec.Decode(&v); err != nil {
			tb.Fatalf("parse JSON: %v", err)
		}
		fn(tb, v)
		out, err := json.Marshal(v)
		if err != nil {
			tb.Fatal(err)
		}
		setBase64(j, out)
	})
}

// clientID sets the client's id in the frame and the document.
func clientID(root, extension string) mutation {
	set := func(tb testing.TB, id *etree.Element) {
		id.Attr = nil
		if root != "" {
			id.CreateAttr("root", root)
		}
		id.CreateAttr("extension", extension)
	}
	return steps(
		editDoc(func(tb testing.TB, d *etree.Element) { set(tb, find(tb, d, "recordTarget/patientRole/id")) }),
		editFrame(func(tb testing.TB, f *etree.Element) {
			set(tb, find(tb, f, "controlActProcess/subject/clinicalDocument/recordTarget/patient/id"))
		}))
}

func (fx *corpusFixture) dropSignatures(tb testing.TB, doc *etree.Document) []string {
	tb.Helper()
	coll := find(tb, doc.Root(), "localSocialHeader/signatureCollection")
	var types []string
	for _, s := range childrenNamed(coll, "signature") {
		types = append(types, find(tb, s, "signatureDescription").SelectAttrValue("code", ""))
		coll.RemoveChild(s)
	}
	return types
}

func (fx *corpusFixture) signDoc(tb testing.TB, doc *etree.Document, typ string) {
	tb.Helper()
	if err := signature.Sign(doc, fx.key, fx.cert, signature.SignOptions{Type: typ, Time: fx.now}); err != nil {
		tb.Fatal(err)
	}
}

// sign adds a signature of the type to a serialised document.
func (fx *corpusFixture) sign(tb testing.TB, data []byte, typ string) []byte {
	doc := reparse(tb, data)
	fx.signDoc(tb, doc, typ)
	return serialise(tb, doc)
}

// --- element helpers ------------------------------------------------------

func childrenNamed(e *etree.Element, local string) []*etree.Element {
	var out []*etree.Element
	for _, ch := range e.ChildElements() {
		if ch.Tag == local {
			out = append(out, ch)
		}
	}
	return out
}

// find returns the element at a path of local names below root ("" is root
// itself); a step may pick the n-th of equal siblings with [n].
func find(tb testing.TB, root *etree.Element, path string) *etree.Element {
	tb.Helper()
	e := root
	if path == "" {
		return e
	}
	for _, step := range strings.Split(path, "/") {
		n := 1
		if i := strings.IndexByte(step, '['); i >= 0 && strings.HasSuffix(step, "]") {
			var err error
			if n, err = strconv.Atoi(step[i+1 : len(step)-1]); err != nil {
				tb.Fatalf("bad step %q", step)
			}
			step = step[:i]
		}
		chs := childrenNamed(e, step)
		if len(chs) < n {
			tb.Fatalf("no element %s in the original (at %q)", path, step)
		}
		e = chs[n-1]
	}
	return e
}

func remove(tb testing.TB, root *etree.Element, path string) {
	tb.Helper()
	e := find(tb, root, path)
	e.Parent().RemoveChild(e)
}

func setAttr(tb testing.TB, root *etree.Element, path, key, value string) {
	tb.Helper()
	e := find(tb, root, path)
	if e.SelectAttr(key) == nil && key != "ID" {
		tb.Fatalf("%s has no attribute %s to change", path, key)
	}
	e.CreateAttr(key, value)
}

// add parses an XML fragment (prefix ep2 is urn:hl7finland, the default
// namespace urn:hl7-org:v3, as in the samples) and appends it to the
// element at path. The prefixes resolve in the document because the samples
// declare them on the enclosing elements.
func add(tb testing.TB, root *etree.Element, path, fragment string) {
	tb.Helper()
	frag := etree.NewDocument()
	if err := frag.ReadFromString(`<w xmlns="urn:hl7-org:v3" xmlns:ep2="urn:hl7finland">` + fragment + `</w>`); err != nil {
		tb.Fatalf("fragment: %v", err)
	}
	parent := find(tb, root, path)
	for _, ch := range frag.Root().ChildElements() {
		parent.AddChild(ch)
	}
}

func setText(e *etree.Element, s string) {
	for len(e.Child) > 0 {
		e.RemoveChildAt(0)
	}
	e.SetText(s)
}

func setBase64(e *etree.Element, data []byte) { setText(e, base64.StdEncoding.EncodeToString(data)) }

// display returns the decoded display form.
func display(tb testing.TB, d *etree.Element) []byte {
	tb.Helper()
	t := find(tb, d, "component/nonXMLBody/text")
	var s strings.Builder
	for _, tok := range t.Child {
		if cd, ok := tok.(*etree.CharData); ok {
			s.WriteString(strings.Join(strings.Fields(cd.Data), ""))
		}
	}
	data, err := base64.StdEncoding.DecodeString(s.String())
	if err != nil {
		tb.Fatalf("decode display form: %v", err)
	}
	return data
}

// setDisplay replaces the display form and its media type.
func setDisplay(tb testing.TB, d *etree.Element, mediaType string, data []byte) {
	tb.Helper()
	t := find(tb, d, "component/nonXMLBody/text")
	t.CreateAttr("mediaType", mediaType)
	setBase64(t, data)
}

// jsonObj walks object keys and array indexes to an object.
func jsonObj(tb testing.TB, v any, keys ...string) map[string]any {
	tb.Helper()
	for _, k := range keys {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i >= len(x) {
				tb.Fatalf("JSON: no index %s", k)
			}
			v = x[i]
		default:
			tb.Fatalf("JSON: cannot step into %T at %s", v, k)
		}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		tb.Fatalf("JSON at %v is %T, want an object", keys, v)
	}
	return obj
}

// Edits as values.

func removeAt(path string) edit {
	return func(tb testing.TB, root *etree.Element) { remove(tb, root, path) }
}

func attrIs(path, key, value string) edit {
	return func(tb testing.TB, root *etree.Element) { setAttr(tb, root, path, key, value) }
}

func attrGone(path, key string) edit {
	return func(tb testing.TB, root *etree.Element) {
		if find(tb, root, path).RemoveAttr(key) == nil {
			tb.Fatalf("%s has no attribute %s", path, key)
		}
	}
}

func addAt(path, fragment string) edit {
	return func(tb testing.TB, root *etree.Element) { add(tb, root, path, fragment) }
}

// duplicate inserts a copy of the element right after it.
func duplicate(path string) edit {
	return func(tb testing.TB, root *etree.Element) {
		e := find(tb, root, path)
		e.Parent().InsertChildAt(e.Index()+1, e.Copy())
	}
}

// --- identity codes -------------------------------------------------------

func mustTestHetu(birth time.Time, individual int) string {
	s, err := hetu.TestCode(birth, individual)
	if err != nil {
		panic(err)
	}
	return s
}

// nonTestHetu builds a valid identity code outside the test series, for a
// birth date ddmmyy, a century sign and an individual number under 900.
func nonTestHetu(ddmmyy string, sign byte, individual int) string {
	const checks = "0123456789ABCDEFHJKLMNPRSTUVWXY"
	zzz := fmt.Sprintf("%03d", individual)
	n, err := strconv.Atoi(ddmmyy + zzz)
	if err != nil || individual >= 900 {
		panic(fmt.Sprintf("nonTestHetu(%q, %d)", ddmmyy, individual))
	}
	return ddmmyy + string(sign) + zzz + string(checks[n%31])
}

func TestNonTestHetuIsValidButNotTest(t *testing.T) {
	for _, s := range []string{nonTestHetu("200111", 'A', 123), nonTestHetu("080779", '-', 123)} {
		c, err := hetu.Parse(s)
		if err != nil {
			t.Fatalf("hetu.Parse(%s): %v", s, err)
		}
		if c.Test {
			t.Errorf("%s is a test identity, want a non-test one", s)
		}
	}
}

// TestEtreeRoundTripKeepsSignatures checks the premise of editDoc: writing
// a parsed original back leaves its signatures valid.
func TestEtreeRoundTripKeepsSignatures(t *testing.T) {
	fx := newCorpusFixture(t)
	for _, name := range []string{"client-relation", "plan"} {
		frame := readSample(t, name+"-frame.xml")
		doc := editDoc(func(testing.TB, *etree.Element) {})(t, fx, pair{frame, readSample(t, "signature-restored/"+name+"-document.xml")})
		res := fx.v.Validate(context.Background(), frame, doc.doc)
		if errs := res.Findings.Errors(); len(errs) > 0 {
			t.Errorf("%s after an etree round trip: got errors %v, want none", name, errs.Rules())
		}
	}
}
