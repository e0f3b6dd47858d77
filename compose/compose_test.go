package compose

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/body"
	"github.com/yhteistestaus/yhteistestaus/simulator/message"
	"github.com/yhteistestaus/yhteistestaus/simulator/rules"
	"github.com/yhteistestaus/yhteistestaus/simulator/signature"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// helsinki is the fixed zone of the test times (summer time).
var helsinki = time.FixedZone("EEST", 3*3600)

// now is the fixed archiving time of the tests.
var now = time.Date(2026, 7, 20, 10, 0, 0, 0, helsinki)

// The organisations, clients and professionals of the public samples.
var (
	vantaa = Organisation{
		OID: "1.2.246.10.32213561.10.0", Name: "Vantaan ja Keravan hyvinvointialue",
		ServiceUnitOID: "1.2.246.10.1246109.10.2001213", ServiceUnitName: "Lapsiperheiden palvelutarpeen arviointi, Vantaan ja Keravan hyvinvointialue",
	}
	jade   = Person{Hetu: "200111A904P", Given: "Kanta-Jade", Family: "Tietosuojatestaus"}
	hakua  = Person{Hetu: "180418A903L", Given: "Kanta-Hakuat", Family: "Sosh-Aik"}
	tempo  = Person{TempID: &TempID{Root: "1.2.246.10.32213561.22.2026", Extension: "T-1001"}, Given: "Tilapäinen", Family: "Asiakas"}
	holger = &Professional{Hetu: "010714-9983", Given: "Holger", Family: "Ovaskainen"}
	angel  = &Professional{Hetu: "080779-998C", RegistrationNumber: "25104559650", Given: "Angelica", Family: "Johansson", Title: "sosiaalityöntekijä"}
)

type keys struct {
	key  *rsa.PrivateKey
	cert *x509.Certificate
}

// testKeys is one test certificate for the whole test binary: key
// generation is slow.
var testKeys = sync.OnceValues(func() (keys, error) {
	k, c, err := signature.NewTestCertificate("Yhteistestaus compose test", now)
	return keys{k, c}, err
})

func signers(t testing.TB, professional *Professional) []Signer {
	t.Helper()
	k, err := testKeys()
	if err != nil {
		t.Fatalf("NewTestCertificate: %v", err)
	}
	return []Signer{{Key: k.key, Cert: k.cert, Professional: professional}}
}

// documents returns one document of every kind, keyed by a description.
func documents(t testing.TB) []struct {
	name string
	doc  *Document
} {
	const oid = "1.2.246.10.32213561.95777.2026.1."
	caseID := oid + "900"
	at := now.Add(-time.Hour)
	base := func(kind kanta.GroupKind, n string) *Document {
		return &Document{
			Group: kind, ID: oid + n, SetID: oid + n, Version: 1,
			Clients: []Person{jade}, Custodian: vantaa, EffectiveTime: at,
			GuardianConsent: "1", ServiceTask: "24",
		}
	}
	crd := base(kanta.KindClientRelation, "1")
	crd.SocialServices = []string{"15"}
	crd.CaseOpened = at
	crd.Signers = signers(t, nil)

	crdTemp := base(kanta.KindClientRelation, "2")
	crdTemp.Clients = []Person{tempo}
	crdTemp.Signers = signers(t, nil)

	cs := base(kanta.KindCase, "3")
	cs.CaseID, cs.CaseName, cs.CaseOpened = caseID, "Perheen tuen tarpeen selvittäminen", at
	cs.Author = angel
	cs.Signers = signers(t, nil)

	joint := base(kanta.KindCase, "4")
	joint.Clients = []Person{jade, hakua}
	joint.CaseID, joint.CaseOpened = caseID+"1", at
	joint.Signers = signers(t, nil)

	closed := base(kanta.KindCase, "5")
	closed.CaseID, closed.CaseOpened, closed.CaseClosed = caseID, at.AddDate(0, -2, 0), at
	closed.Version, closed.PreviousID = 2, oid+"3"
	closed.SetID = oid + "3"
	closed.Signers = signers(t, nil)

	plan := base(kanta.KindClientDocument, "6")
	plan.CaseID, plan.SpecificType, plan.ServiceProcess = caseID, TypePlanFamilies, "3"
	plan.Author, plan.SocialServices = angel, []string{"45"}
	plan.RestrictionGround, plan.RestrictionText, plan.DelayUntil = "1", "Viivästys", at.AddDate(0, 1, 0)
	plan.Signers = signers(t, angel)

	decision := base(kanta.KindClientDocument, "7")
	decision.CaseID, decision.SpecificType, decision.ServiceProcess = caseID, TypeDecisionSocial, "3"
	decision.Author, decision.SocialServices = angel, []string{"45"}
	decision.Signers = signers(t, angel)

	journal := base(kanta.KindJournal, "8")
	journal.CaseID, journal.ServiceProcess, journal.Author = caseID, "3", angel
	journal.SocialServices = []string{"15"}
	journal.Signers = signers(t, angel)

	pdf := base(kanta.KindClientDocument, "9")
	pdf.CaseID, pdf.SpecificType, pdf.ServiceProcess, pdf.Author = caseID, TypePlanFamilies, "3", angel
	pdf.PDF = body.MinimalPDFA("Suunnitelma", "Skannattu suunnitelma")
	pdf.Description = "Skannattu suunnitelma"
	pdf.Signers = signers(t, angel)

	attachment := base(kanta.KindClientDocument, "10")
	attachment.CaseID, attachment.SpecificType, attachment.ServiceProcess, attachment.Author = caseID, TypeAttachment, "3", angel
	attachment.MainDocument = plan.SetID
	attachment.Signers = signers(t, angel)

	newVersion := base(kanta.KindClientDocument, "11")
	*newVersion = *plan
	newVersion.ID, newVersion.Version, newVersion.PreviousID = oid+"11", 2, plan.ID
	newVersion.Text = "Tilanne on muuttunut."

	correction := base(kanta.KindClientDocument, "16")
	*correction = *plan
	correction.ID, correction.Version, correction.PreviousID = oid+"16", 2, plan.ID
	correction.ReasonOfCorrection, correction.Description = CorrectionWritingError, angel.Title

	crdTasks := base(kanta.KindClientRelation, "17")
	crdTasks.CaseOpened = at
	crdTasks.OtherServiceTasks = []string{"10", "24", "25"}
	crdTasks.Signers = signers(t, nil)

	annul := base(kanta.KindClientDocument, "12")
	*annul = *plan
	annul.ID, annul.Version, annul.PreviousID, annul.Annul, annul.AnnulReason = oid+"12", 2, plan.ID, true, "Väärä asiakas"

	old := base(kanta.KindOld, "13")
	old.CaseID = caseID

	phase1 := base(kanta.KindPhase1, "14")
	phase1.CaseID, phase1.ServiceProcess, phase1.Author = caseID, "3", angel

	adult := base(kanta.KindClientDocument, "15")
	*adult = *decision
	adult.ID, adult.SetID, adult.Clients, adult.GuardianConsent = oid+"15", oid+"15", []Person{{Hetu: "010714-9983", Given: "Holger", Family: "Ovaskainen"}}, ""

	return []struct {
		name string
		doc  *Document
	}{
		{"client relation document with a system signature", crd},
		{"client relation document of a client with a temporary identifier", crdTemp},
		{"case document", cs},
		{"joint case document of two clients", joint},
		{"closed case document, version 2", closed},
		{"families-with-children plan with a MittKanta restriction", plan},
		{"decision signed by the professional", decision},
		{"journal entry", journal},
		{"unstructured client document as PDF/A", pdf},
		{"attachment with its main document", attachment},
		{"new version of the plan", newVersion},
		{"correction of the plan", correction},
		{"client relation document in several service tasks", crdTasks},
		{"annulment of the plan", annul},
		{"old client document", old},
		{"phase 1 client document", phase1},
		{"decision for an adult without a guardian code", adult},
	}
}

func validator(t testing.TB) *rules.Validator {
	t.Helper()
	v, err := rules.NewValidator()
	if err != nil {
		t.Fatalf("NewValidator: %v", err)
	}
	v.Now = func() time.Time { return now }
	return v
}

// buildAndValidate builds and validates a document and its frame.
func buildAndValidate(t *testing.T, v *rules.Validator, d *Document, opts FrameOptions) (*rules.Result, []byte, []byte) {
	t.Helper()
	cda, err := d.Build()
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	if opts.Performer == nil {
		opts.Performer = holger
	}
	frame, err := Frame(d, opts)
	if err != nil {
		t.Fatalf("Frame: %v", err)
	}
	return v.Validate(context.Background(), frame, cda), frame, cda
}

func errorsOf(fs yhteistestaus.Findings) []string {
	var out []string
	for _, f := range fs {
		if f.Severity == yhteistestaus.SeverityError {
			out = append(out, f.String())
		}
	}
	return out
}

func TestEveryKindOfDocumentValidates(t *testing.T) {
	v := validator(t)
	for _, tc := range documents(t) {
		t.Run(tc.name, func(t *testing.T) {
			res, _, _ := buildAndValidate(t, v, tc.doc, FrameOptions{MessageID: "1"})
			if errs := errorsOf(res.Findings); len(errs) > 0 {
				t.Errorf("got %d error findings, want none:\n%s", len(errs), strings.Join(errs, "\n"))
			}
			for _, f := range res.Findings {
				t.Logf("finding: %s", f)
			}
			if res.Group == nil || res.Group.Kind != tc.doc.Group {
				t.Errorf("validator read group %v, want kind %s", res.Group, tc.doc.Group)
			}
			if res.Annulment != tc.doc.Annul {
				t.Errorf("validator read annulment %v, want %v", res.Annulment, tc.doc.Annul)
			}
			if got, want := len(res.Signatures), len(tc.doc.Signers); got != want {
				t.Errorf("got %d checked signatures, want %d", got, want)
			}
		})
	}
}

func TestOutputIsDeterministic(t *testing.T) {
	for _, tc := range documents(t) {
		t.Run(tc.name, func(t *testing.T) {
			before := *tc.doc
			a, err := tc.doc.Build()
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			b, err := tc.doc.Build()
			if err != nil {
				t.Fatalf("Build again: %v", err)
			}
			if !bytes.Equal(a, b) {
				t.Errorf("two builds of the same document differ")
			}
			fa, err := Frame(tc.doc, FrameOptions{Performer: holger})
			if err != nil {
				t.Fatalf("Frame: %v", err)
			}
			fb, _ := Frame(tc.doc, FrameOptions{Performer: holger})
			if !bytes.Equal(fa, fb) {
				t.Errorf("two frames of the same document differ")
			}
			if !reflect.DeepEqual(before, *tc.doc) {
				t.Errorf("Build or Frame changed the document")
			}
		})
	}
}

// TestServiceRequestPerGroupAndOperation checks the reasonCode of the frame
// for every group and operation, and that the validator agrees it fits.
func TestServiceRequestPerGroupAndOperation(t *testing.T) {
	v := validator(t)
	docs := documents(t)
	byName := make(map[string]*Document)
	for _, tc := range docs {
		byName[tc.name] = tc.doc
	}
	tests := []struct {
		doc  string
		want string
	}{
		{"client relation document with a system signature", "SP1"},
		{"case document", "SIM-ASIA"},
		{"families-with-children plan with a MittKanta restriction", "SP17"},
		{"journal entry", "SP17"},
		{"old client document", "SP17"},
		{"phase 1 client document", "SP17"},
		{"new version of the plan", "SIM-UUSI-VERSIO"},
		{"closed case document, version 2", "SIM-UUSI-VERSIO"},
		{"annulment of the plan", "SIM-MITATOINTI"},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			d := byName[tc.doc]
			got, err := ServiceRequest(d)
			if err != nil {
				t.Fatalf("ServiceRequest: %v", err)
			}
			if got != tc.want {
				t.Errorf("ServiceRequest = %q, want %q", got, tc.want)
			}
			res, _, _ := buildAndValidate(t, v, d, FrameOptions{})
			if res.ServiceRequest != tc.want {
				t.Errorf("validator read service request %q, want %q", res.ServiceRequest, tc.want)
			}
		})
	}
}

// TestMetadataTheSamplesDoNotShow checks that the validator reads the
// simulator's own metadata elements as compose writes them.
func TestMetadataTheSamplesDoNotShow(t *testing.T) {
	v := validator(t)
	docs := documents(t)
	find := func(name string) *Document {
		for _, tc := range docs {
			if tc.name == name {
				return tc.doc
			}
		}
		t.Fatalf("no document %q", name)
		return nil
	}
	closed := find("closed case document, version 2")
	res, _, _ := buildAndValidate(t, v, closed, FrameOptions{})
	d := res.Document
	h := d.Header
	checks := []struct {
		what, got, want string
	}{
		{"case id", d.Case.ID.Root, closed.CaseID},
		{"case opened", d.Case.Low.Value, date(closed.CaseOpened)},
		{"case closed", d.Case.High.Value, date(closed.CaseClosed)},
		{"case status", h.CaseStatus.Code, "SIM-PAATTYNYT"},
		{"case name", h.CaseName.Code, "99"},
		{"case client", h.CaseClients[0].String(), kanta.OIDHetu + "^" + jade.Hetu},
		{"replaced version", d.RelatedDocuments[0].ID.Root, closed.PreviousID},
	}
	attachment := find("attachment with its main document")
	res, _, _ = buildAndValidate(t, v, attachment, FrameOptions{})
	checks = append(checks,
		struct{ what, got, want string }{"main document", res.Document.Header.MainDocument.Root, attachment.MainDocument},
		struct{ what, got, want string }{"attachment type", res.Document.Header.SpecificDocumentType.Code, TypeAttachment},
		struct{ what, got, want string }{"attachment media type", res.Document.Body.MediaType, mediaPDF},
		struct{ what, got, want string }{"attachment description", res.Document.Header.Description.Value, "Liite (simulaattorin oma koodi)"},
	)
	plan := find("families-with-children plan with a MittKanta restriction")
	res, _, _ = buildAndValidate(t, v, plan, FrameOptions{})
	checks = append(checks,
		struct{ what, got, want string }{"delay date", res.Document.Header.DelayDate.Value, date(plan.DelayUntil)},
		struct{ what, got, want string }{"restriction ground", res.Document.Header.InaccessibleArguments[0].Code, "1"},
		struct{ what, got, want string }{"social service", res.Document.Header.SocialServices[0].Code, "45"},
		struct{ what, got, want string }{"signer", res.Document.Header.Signers[0].AssignedAuthorSigner.Value, angel.RegistrationNumber},
	)
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.what, c.got, c.want)
		}
	}
}

// TestDefaultContentNamesTheClients checks that every default structure
// passes its schema and names exactly the document's clients.
func TestDefaultContentNamesTheClients(t *testing.T) {
	schemas, err := body.DefaultSchemas()
	if err != nil {
		t.Fatal(err)
	}
	two := []Person{jade, hakua}
	tests := []struct {
		name    string
		content func(*Document) (map[string]any, error)
		doc     Document
		spec    string
		clients int
	}{
		{"client relation", ClientRelationContent, Document{Group: kanta.KindClientRelation, Clients: two[:1]}, SpecClientRelation, 1},
		{"case", CaseContent, Document{Group: kanta.KindCase, Clients: two, CaseID: "1.2.3.4"}, SpecCase, 2},
		{"decision", DecisionContent, Document{Group: kanta.KindClientDocument, Clients: two, Author: angel, SocialServices: []string{"45"}}, SpecDecision, 2},
		{"journal entry", JournalContent, Document{Group: kanta.KindJournal, Clients: two, Author: angel}, SpecJournal, 2},
		{"plan", PlanContent, Document{Group: kanta.KindClientDocument, Clients: two, Author: angel}, SpecPlanFamilies, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.doc
			d.ID, d.SetID, d.Version, d.Custodian, d.EffectiveTime, d.ServiceTask = "1.2.3.1", "1.2.3.1", 1, vantaa, now, "24"
			c, err := tc.content(&d)
			if err != nil {
				t.Fatalf("content: %v", err)
			}
			raw, _ := json.Marshal(c)
			v, err := body.DecodeJSON(raw)
			if err != nil {
				t.Fatal(err)
			}
			problems, err := schemas.Validate(tc.spec, v)
			if err != nil || len(problems) > 0 {
				t.Errorf("schema %s: got %v, %v; want no problems", tc.spec, problems, err)
			}
			if got := strings.Count(string(raw), `"henkilotunnus"`); got != tc.clients {
				t.Errorf("content names %d clients, want %d", got, tc.clients)
			}
			for _, p := range d.Clients[:tc.clients] {
				if !strings.Contains(string(raw), p.Hetu) {
					t.Errorf("content does not name client %s", p.Hetu)
				}
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	ok := func() Document {
		return Document{Group: kanta.KindClientDocument, ID: "1.2.3.1", SetID: "1.2.3.1", Version: 1,
			Clients: []Person{jade}, Custodian: vantaa, EffectiveTime: now, SpecificType: TypeDecisionSocial, Author: angel, SocialServices: []string{"45"}}
	}
	tests := []struct {
		name string
		edit func(d *Document)
		want string
	}{
		{"unknown group", func(d *Document) { d.Group = "nonsense" }, "unknown document group"},
		{"no id", func(d *Document) { d.ID = "" }, "needs ID and SetID"},
		{"no time", func(d *Document) { d.EffectiveTime = time.Time{} }, "EffectiveTime"},
		{"decision without a social service", func(d *Document) { d.SocialServices = nil }, "social service"},
		{"decision without its maker", func(d *Document) { d.Author = nil }, "decision maker"},
		{"unknown structure", func(d *Document) { d.ContentSpecID = "1.2.3.4.5" }, "no default content"},
		{"signer without a key", func(d *Document) { d.Signers = []Signer{{}} }, "signer 1"},
		{"content that is not JSON", func(d *Document) { d.JSON = func() {} }, "marshal content"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := ok()
			tc.edit(&d)
			_, err := d.Build()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Build error = %v, want one containing %q", err, tc.want)
			}
		})
	}
	d := ok()
	if _, err := Frame(&d, FrameOptions{}); err != nil {
		t.Errorf("Frame of a document with an author: %v", err)
	}
	d.Author = nil
	if _, err := Frame(&d, FrameOptions{}); err == nil || !strings.Contains(err.Error(), "performer") {
		t.Errorf("Frame without a performer: error %v, want one about the performer", err)
	}
}

// TestDisplayForm checks the XHTML display form: the samples' root element,
// the content's values, and the identity code hidden.
func TestDisplayForm(t *testing.T) {
	d := documents(t)[0].doc
	cda, err := d.Build()
	if err != nil {
		t.Fatal(err)
	}
	xml, err := message.ParseXML(cda, message.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	doc, err := message.ParseDocument(xml)
	if err != nil {
		t.Fatal(err)
	}
	display := string(doc.Body.Display)
	for _, want := range []string{`<div xmlns="http://www.w3.org/1999/xhtml" class="soc-document"`, "Tietosuojatestaus", "200111*****", "Lapsiperheiden palvelut"} {
		if !strings.Contains(display, want) {
			t.Errorf("display form lacks %q:\n%s", want, display)
		}
	}
	if strings.Contains(display, jade.Hetu) {
		t.Errorf("display form shows the whole identity code")
	}
	if err := body.CheckXHTML(doc.Body.Display); err != nil {
		t.Errorf("CheckXHTML: %v", err)
	}
}

// TestMessagesTravelOverSOAP packages a built frame and document in every
// SOAP packaging the simulator reads, reads them back and validates them:
// the frame's text element works with every transport.
func TestMessagesTravelOverSOAP(t *testing.T) {
	v := validator(t)
	d := documents(t)[5].doc
	cda, err := d.Build()
	if err != nil {
		t.Fatal(err)
	}
	frame, err := Frame(d, FrameOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, soap := range []string{"1.1", "1.2"} {
		for _, pkg := range []wire.Packaging{wire.InlineBase64, wire.SwA, wire.MTOM} {
			t.Run(soap+"/"+pkg.String(), func(t *testing.T) {
				var buf bytes.Buffer
				ct, err := wire.WriteRequest(&buf, soap, pkg, frame, cda)
				if err != nil {
					t.Fatalf("WriteRequest: %v", err)
				}
				msg, err := wire.Read(ct, &buf, wire.DefaultLimits())
				if err != nil {
					t.Fatalf("Read: %v", err)
				}
				if !bytes.Equal(msg.Document, cda) {
					t.Errorf("the document changed in transport")
				}
				res := v.Validate(context.Background(), msg.Frame, msg.Document)
				if errs := errorsOf(res.Findings); len(errs) > 0 {
					t.Errorf("got error findings, want none:\n%s", strings.Join(errs, "\n"))
				}
			})
		}
	}
}

// TestCorrection checks that a correction carries its grounds, coded from
// the bound classification, and the corrector's job title in the metadata
// (handbook L29267-L29285), and shows them in the display form.
func TestCorrection(t *testing.T) {
	v := validator(t)
	var correction *Document
	for _, tc := range documents(t) {
		if tc.name == "correction of the plan" {
			correction = tc.doc
		}
	}
	res, _, _ := buildAndValidate(t, v, correction, FrameOptions{})
	if errs := errorsOf(res.Findings); len(errs) > 0 {
		t.Fatalf("validator errors: %v", errs)
	}
	h := res.Document.Header
	checks := []struct{ what, got, want string }{
		{"reason of correction", h.ReasonOfCorrection.Code, CorrectionWritingError},
		{"its code system", h.ReasonOfCorrection.CodeSystem, "2.25.87649127685826266010561207984195904497"},
		{"its display name", h.ReasonOfCorrection.DisplayName, "Kirjoitus- tai laskuvirhe (simulaattorin oma koodi)"},
		{"the corrector's job title", h.Description.Value, angel.Title},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.what, c.got, c.want)
		}
	}
	display := string(res.Document.Body.Display)
	for _, want := range []string{"Asiakirjaa on korjattu 20.7.2026", "Korjaaja: Angelica Johansson, sosiaalityöntekijä", "Kirjoitus- tai laskuvirhe"} {
		if !strings.Contains(display, want) {
			t.Errorf("display form lacks %q", want)
		}
	}
}

// TestClientRelationServiceTasks checks that the client relation content
// lists the document's service task and then each further one once.
func TestClientRelationServiceTasks(t *testing.T) {
	tests := []struct {
		name  string
		task  string
		other []string
		want  []string
	}{
		{"one task", "24", nil, []string{"24"}},
		{"the tasks of later cases follow", "24", []string{"10", "25"}, []string{"24", "10", "25"}},
		{"each task once", "24", []string{"10", "24", "10"}, []string{"24", "10"}},
		{"no document task", "", []string{"10"}, []string{"10"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := &Document{Group: kanta.KindClientRelation, ID: "1.2.3.1", SetID: "1.2.3.1", Version: 1,
				Clients: []Person{jade}, Custodian: vantaa, EffectiveTime: now, ServiceTask: tc.task, OtherServiceTasks: tc.other}
			c, err := ClientRelationContent(d)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, task := range c["asiakkuusasiakirja"].(map[string]any)["sosiaalihuollon_palvelutehtava"].([]any) {
				got = append(got, task.(map[string]any)["palvelutehtava"].(map[string]any)["code"].(string))
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("service tasks: got %v, want %v", got, tc.want)
			}
		})
	}
}
