package archive_test

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/catalogue"
	"github.com/yhteistestaus/yhteistestaus/compose"
	"github.com/yhteistestaus/yhteistestaus/hetu"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/simulator/archive"
	"github.com/yhteistestaus/yhteistestaus/simulator/rules"
	"github.com/yhteistestaus/yhteistestaus/simulator/signature"
)

// now is the simulated time of the archive and the validator.
var now = time.Date(2026, 7, 20, 10, 0, 0, 0, time.FixedZone("EEST", 3*3600))

func fixedClock() time.Time { return now }

// The organisations, clients and professionals of the flows: the public
// samples' test identities, and one more test identity.
var (
	vantaa = compose.Organisation{
		OID: "1.2.246.10.32213561.10.0", Name: "Vantaan ja Keravan hyvinvointialue",
		ServiceUnitOID: "1.2.246.10.1246109.10.2001213", ServiceUnitName: "Lapsiperheiden palvelutarpeen arviointi",
	}
	helsinki = compose.Organisation{
		OID: "1.2.246.10.2012566.10.40", Name: "Helsingin sosiaali- ja terveystoimi",
		ServiceUnitOID: "1.2.246.10.2012566.10.40006775", ServiceUnitName: "Lapsiperheiden sosiaaliohjaus",
	}
	jade     = compose.Person{Hetu: "200111A904P", Given: "Kanta-Jade", Family: "Tietosuojatestaus"}
	hakuat   = compose.Person{Hetu: "180418A903L", Given: "Kanta-Hakuat", Family: "Sosh-Aik"}
	stranger = compose.Person{Hetu: mustTestHetu(time.Date(1990, 5, 5, 0, 0, 0, 0, time.UTC), 905), Given: "Vieras", Family: "Asiakas"}
	tempID   = &compose.TempID{Root: "1.2.246.10.32213561.22.2026", Extension: "T-1001"}
	newborn  = compose.Person{TempID: tempID, Given: "Vauva", Family: "Tietosuojatestaus"}
	// named is the newborn once the identity code is known.
	named  = compose.Person{Hetu: mustTestHetu(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), 902), TempID: tempID, Given: "Vauva", Family: "Tietosuojatestaus"}
	angel  = &compose.Professional{Hetu: "080779-998C", RegistrationNumber: "25104559650", Given: "Angelica", Family: "Johansson", Title: "sosiaalityöntekijä"}
	holger = &compose.Professional{Hetu: "010714-9983", Given: "Holger", Family: "Ovaskainen"}
)

func mustTestHetu(birth time.Time, n int) string {
	s, err := hetu.TestCode(birth, n)
	if err != nil {
		panic(err)
	}
	return s
}

type testKey struct {
	key  *rsa.PrivateKey
	cert *x509.Certificate
}

// keys is one test certificate for the test binary: generating keys is slow.
var keys = sync.OnceValues(func() (testKey, error) {
	k, c, err := signature.NewTestCertificate("Yhteistestaus archive test", now)
	return testKey{k, c}, err
})

// oid is the root of the flows' document, set and case ids.
const oid = "1.2.246.10.32213561.95777.2026.7."

// docs makes the documents of the flows. Each call returns new documents,
// so a flow may edit what it gets.
type docs struct{ tb testing.TB }

func (f docs) signers(p *compose.Professional) []compose.Signer {
	f.tb.Helper()
	k, err := keys()
	if err != nil {
		f.tb.Fatalf("NewTestCertificate: %v", err)
	}
	return []compose.Signer{{Key: k.key, Cert: k.cert, Professional: p}}
}

func (f docs) base(kind kanta.GroupKind, n string, clients []compose.Person) *compose.Document {
	return &compose.Document{
		Group: kind, ID: oid + n, SetID: oid + n, Version: 1,
		Clients: slices.Clone(clients), Custodian: vantaa, Author: angel,
		EffectiveTime: now.Add(-time.Hour), GuardianConsent: "1", ServiceTask: "24",
	}
}

// crd is a client relation document with a system signature.
func (f docs) crd(n string, clients ...compose.Person) *compose.Document {
	d := f.base(kanta.KindClientRelation, n, clients)
	d.Author = nil
	d.Signers = f.signers(nil)
	return d
}

// caseDoc is the case document of case caseN.
func (f docs) caseDoc(n, caseN string, clients ...compose.Person) *compose.Document {
	d := f.base(kanta.KindCase, n, clients)
	d.CaseID, d.CaseName, d.CaseOpened = oid+caseN, "Perheen tuen tarve", now.AddDate(0, -1, 0)
	d.Signers = f.signers(nil)
	return d
}

// plan is a client document (a plan signed by its author) of case caseN.
func (f docs) plan(n, caseN string, clients ...compose.Person) *compose.Document {
	d := f.base(kanta.KindClientDocument, n, clients)
	d.CaseID, d.SpecificType, d.ServiceProcess = oid+caseN, compose.TypePlanFamilies, "3"
	d.SocialServices = []string{"45"}
	d.Signers = f.signers(angel)
	return d
}

// journal is a journal entry of case caseN.
func (f docs) journal(n, caseN string, clients ...compose.Person) *compose.Document {
	d := f.plan(n, caseN, clients...)
	d.Group, d.SpecificType = kanta.KindJournal, ""
	return d
}

// attachment is an attachment (PDF/A) of main document mainN in case caseN.
func (f docs) attachment(n, caseN, mainN string, clients ...compose.Person) *compose.Document {
	d := f.plan(n, caseN, clients...)
	d.SpecificType, d.MainDocument = compose.TypeAttachment, oid+mainN
	return d
}

// next is the next version of d with document id n.
func next(d *compose.Document, n string) *compose.Document {
	c := *d
	c.ID, c.Version, c.PreviousID = oid+n, d.Version+1, d.ID
	c.Annul, c.AnnulReason = false, ""
	c.Clients = slices.Clone(d.Clients)
	return &c
}

// annul is the annulment version of d with document id n.
func annul(d *compose.Document, n string) *compose.Document {
	c := next(d, n)
	c.Annul, c.AnnulReason = true, "Kirjattu väärälle asiakkaalle"
	return c
}

// step is one message of a flow and what the archive must do with it.
type step struct {
	name string
	doc  *compose.Document
	// usage is the frame's usage situation; "1" when empty.
	usage string
	op    api.Operation
	// rule is the state rule that must reject the message; "" means the
	// message is archived.
	rule string
}

func (s step) String() string {
	if s.rule == "" {
		return s.name + " (accepted)"
	}
	return s.name + " (" + s.rule + ")"
}

func accepted(name string, d *compose.Document, op api.Operation) step {
	return step{name: name, doc: d, op: op}
}

func rejected(name string, d *compose.Document, op api.Operation, rule string) step {
	return step{name: name, doc: d, op: op, rule: rule}
}

// env is one archive with the real validator.
type env struct {
	t *testing.T
	v *rules.Validator
	a *archive.Archive
	n int
}

func newEnv(t *testing.T) *env {
	t.Helper()
	v, err := rules.NewValidator()
	if err != nil {
		t.Fatalf("NewValidator: %v", err)
	}
	v.Now = fixedClock
	return &env{t: t, v: v, a: archive.New(archive.NewMemStore(), catalogue.DefaultRules(), fixedClock)}
}

// message builds and validates the message carrying d; the validation
// must find no error, so that every rejection is the archive's.
func message(t testing.TB, v *rules.Validator, d *compose.Document, usage, msgID string) *rules.Result {
	t.Helper()
	cda, err := d.Build()
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	frame, err := compose.Frame(d, compose.FrameOptions{MessageID: msgID, Usage: usage, Performer: holger})
	if err != nil {
		t.Fatalf("Frame: %v", err)
	}
	res := v.Validate(context.Background(), frame, cda)
	if errs := errorsOf(res.Findings); len(errs) > 0 {
		t.Fatalf("validation found errors, want none:\n%s", strings.Join(errs, "\n"))
	}
	return res
}

// submit sends the step's message and checks the outcome, and that a
// rejected message left the state as it was.
func (e *env) submit(s step) *archive.Outcome {
	t := e.t
	t.Helper()
	e.n++
	res := message(t, e.v, s.doc, s.usage, fmt.Sprint(e.n))
	before := e.state()
	out, err := e.a.Submit(context.Background(), res, fmt.Sprint(e.n))
	if err != nil {
		t.Fatalf("%s: Submit: %v", s.name, err)
	}
	if out.Operation != s.op {
		t.Errorf("%s: operation = %s, want %s", s.name, out.Operation, s.op)
	}
	rulesFound := rulesOf(out.Findings)
	switch {
	case s.rule == "" && !out.Accepted:
		t.Errorf("%s: rejected with %v, want accepted", s.name, out.Findings)
	case s.rule == "" && len(errorsOf(out.Findings)) > 0:
		t.Errorf("%s: accepted with error findings %v", s.name, out.Findings)
	case s.rule != "" && out.Accepted:
		t.Errorf("%s: accepted, want rejected with %s", s.name, s.rule)
	case s.rule != "" && !slices.Contains(rulesFound, s.rule):
		t.Errorf("%s: findings %v, want %s among them", s.name, rulesFound, s.rule)
	}
	if !out.Accepted {
		t.Logf("%s: rejected with %v", s.name, rulesFound)
	}
	if out.Accepted {
		if out.Record == nil || out.Record.DocumentID != s.doc.ID || out.Record.Version != s.doc.Version {
			t.Errorf("%s: record %+v, want document %s version %d", s.name, out.Record, s.doc.ID, s.doc.Version)
		}
	} else if after := e.state(); !reflect.DeepEqual(before, after) {
		t.Errorf("%s: a rejected message changed the archive:\nbefore %v\nafter  %v", s.name, before, after)
	}
	return out
}

// state is every archived version, set by set: "setId v1:docId …".
func (e *env) state() []string {
	e.t.Helper()
	ctx := context.Background()
	latest, err := e.a.Store().Latest(ctx)
	if err != nil {
		e.t.Fatalf("Latest: %v", err)
	}
	var out []string
	for _, r := range latest {
		vs, err := e.a.Store().Versions(ctx, r.SetID)
		if err != nil {
			e.t.Fatalf("Versions: %v", err)
		}
		line := r.SetID
		for _, v := range vs {
			line += fmt.Sprintf(" v%d:%s:%s:annulled=%t", v.Version, v.DocumentID, v.Operation, v.Annulled)
		}
		out = append(out, line)
	}
	return out
}

func rulesOf(fs yhteistestaus.Findings) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
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

// TestFlows runs message flows through the validator and the archive; each
// flow starts from an empty archive.
func TestFlows(t *testing.T) {
	f := docs{t}
	const (
		store   = api.OpStore
		version = api.OpNewVersion
		annulOp = api.OpAnnul
	)
	// The usual chain: client relation document, case, client document.
	crd, cs, plan := f.crd("1", jade), f.caseDoc("2", "100", jade), f.plan("3", "100", jade)
	chain := []step{
		accepted("client relation document", crd, store),
		accepted("case document", cs, store),
		accepted("client document", plan, store),
	}
	flow := func(steps ...step) []step { return append(slices.Clone(chain), steps...) }
	plan2 := next(plan, "3.2")
	closed := next(cs, "2.2")
	closed.CaseClosed = now.AddDate(0, 0, -1)
	duplicate := f.plan("4", "100", jade)
	duplicate.ID = plan.ID
	secondSet := f.plan("5", "100", jade)
	secondSet.Version = 2
	planAnnulled := annul(plan, "3.2")
	otherGroup := next(plan, "3.2")
	otherGroup.Group, otherGroup.SpecificType = kanta.KindJournal, ""
	otherCustodian := next(plan, "3.2")
	otherCustodian.Custodian = helsinki
	skipped := next(plan2, "3.3")
	skipped.Version = 4

	crdB, crdStranger := f.crd("11", hakuat), f.crd("12", stranger)
	joint := f.caseDoc("13", "200", jade, hakuat)

	crdTemp := f.crd("21", newborn)
	crdNamed := next(crdTemp, "21.2")
	crdNamed.Clients = []compose.Person{named}
	caseTemp := f.caseDoc("22", "300", newborn)
	planTemp := f.plan("23", "300", newborn)
	planNamed := next(planTemp, "23.2")
	planNamed.Clients = []compose.Person{named}
	crdOtherHetu := next(crd, "1.2")
	crdOtherHetu.Clients = []compose.Person{hakuat}

	tests := []struct {
		name  string
		steps []step
	}{
		{"store a client relation document, a case and a client document, then a new version", flow(
			accepted("version 2 of the client document", plan2, version),
		)},
		{"a skipped version number is refused", flow(
			accepted("version 2", plan2, version),
			rejected("version 4 after version 2", skipped, version, "ARC-VERSION-NEXT"),
		)},
		{"a new set starts at version 1", flow(
			rejected("new set with version 2", secondSet, store, "ARC-VERSION-FIRST"),
		)},
		{"a document id is used once", flow(
			rejected("another set with the same document id", duplicate, store, "ARC-DUPLICATE-ID"),
		)},
		{"the case document needs the client relation document", []step{
			rejected("case document first", cs, store, "ARC-ORDER-CRD"),
		}},
		{"the client document needs its case document", []step{
			accepted("client relation document", crd, store),
			rejected("client document before its case", plan, store, "ARC-ORDER-CASE"),
		}},
		{"nothing is added to a closed case", []step{
			accepted("client relation document", crd, store),
			accepted("case document", cs, store),
			accepted("the case closed in version 2", closed, version),
			rejected("client document into the closed case", plan, store, "ARC-CASE-CLOSED"),
		}},
		{"a joint case document names all and only the case's clients", []step{
			accepted("client relation document of client A", crd, store),
			accepted("client relation document of client B", crdB, store),
			accepted("client relation document of a stranger", crdStranger, store),
			accepted("joint case of A and B", joint, store),
			rejected("client document of A alone", f.plan("14", "200", jade), store, "ARC-JOINT-CASE"),
			rejected("client document of A, B and a stranger", f.plan("15", "200", jade, hakuat, stranger), store, "ARC-CASE-CLIENT"),
			accepted("client document of A and B", f.plan("16", "200", jade, hakuat), store),
		}},
		{"one client relation document per client and custodian", []step{
			accepted("client relation document", crd, store),
			rejected("second client relation document for the same client", f.crd("6", jade), store, "ARC-ONE-CRD"),
		}},
		{"annul the client document, then the case, then the client relation document", flow(
			accepted("annul the client document", planAnnulled, annulOp),
			accepted("annul the case", annul(cs, "2.2"), annulOp),
			accepted("annul the client relation document", annul(crd, "1.2"), annulOp),
		)},
		{"annulments go in order", flow(
			rejected("annul the case while its client document lives", annul(cs, "2.2"), annulOp, "ARC-ANNUL-ORDER"),
			rejected("annul the client relation document while its case lives", annul(crd, "1.2"), annulOp, "ARC-ANNUL-ORDER"),
		)},
		{"nothing is stored on top of an annulment", flow(
			accepted("annul the client document", planAnnulled, annulOp),
			rejected("version 3 on top of the annulment", next(planAnnulled, "3.3"), version, "ARC-ANNULLED"),
		)},
		{"only archived sets can be annulled", []step{
			rejected("annul a set the archive never saw", annul(f.crd("7", jade), "7.2"), annulOp, "ARC-ANNUL-UNKNOWN"),
		}},
		{"a temporary identifier replaced by an identity code is not used again", []step{
			accepted("client relation document with a temporary identifier", crdTemp, store),
			accepted("version 2 replaces it with the identity code", crdNamed, version),
			rejected("case document with the temporary identifier", caseTemp, store, "ARC-TEMP-ID-AFTER"),
		}},
		{"the client relation document replaces a temporary identifier first", []step{
			accepted("client relation document with a temporary identifier", crdTemp, store),
			accepted("case document with the temporary identifier", caseTemp, store),
			accepted("client document with the temporary identifier", planTemp, store),
			rejected("client document replaces it before the client relation document", planNamed, version, "ARC-TEMP-ID-ONCE"),
		}},
		{"after the temporary identifier is replaced, the case opened with it takes the identity code", []step{
			accepted("client relation document with a temporary identifier", crdTemp, store),
			accepted("case document with the temporary identifier", caseTemp, store),
			accepted("version 2 of the client relation document replaces it with the identity code", crdNamed, version),
			accepted("client document with the identity code in that case", f.plan("24", "300", named), store),
			accepted("version 2 of the case document with the identity code", func() *compose.Document {
				d := next(caseTemp, "22.2")
				d.Clients = []compose.Person{named}
				return d
			}(), version),
		}},
		{"a client relation document can be stored again once the old one is annulled", []step{
			accepted("client relation document", crd, store),
			accepted("its annulment", annul(crd, "1.2"), annulOp),
			accepted("a new client relation document for the same client", f.crd("6", jade), store),
		}},
		{"another custodian keeps its own client relation document", []step{
			accepted("client relation document", crd, store),
			accepted("client relation document of another custodian", func() *compose.Document {
				d := f.crd("6", jade)
				d.Custodian = helsinki
				return d
			}(), store),
		}},
		{"every client of a joint case needs a client relation document", []step{
			accepted("client relation document of client A", crd, store),
			rejected("joint case of A and B", joint, store, "ARC-ORDER-CRD"),
		}},
		{"an identity code never changes", []step{
			accepted("client relation document", crd, store),
			rejected("version 2 names another identity code", crdOtherHetu, version, "ARC-HETU-CHANGE"),
		}},
		{"a new version keeps the group and the custodian", flow(
			rejected("version 2 as a journal entry", otherGroup, version, "ARC-VERSION-SAME-DOCUMENT"),
			rejected("version 2 of another custodian", otherCustodian, version, "ARC-VERSION-SAME-DOCUMENT"),
		)},
		{"an attachment needs its main document", flow(
			rejected("attachment of a document the archive never saw", f.attachment("8", "100", "999", jade), store, "ARC-ATTACHMENT-MAIN"),
			accepted("attachment of the client document", f.attachment("9", "100", "3", jade), store),
			rejected("annul the client document while its attachment lives", planAnnulled, annulOp, "ARC-ANNUL-ORDER"),
		)},
		{"usage situation 2 stores journal entries only", flow(
			step{name: "client document in usage situation 2", doc: f.plan("10", "100", jade), usage: "2", op: store, rule: "ARC-REGISTER-ACCESS"},
			step{name: "journal entry in usage situation 2", doc: f.journal("17", "100", jade), usage: "2", op: store},
		)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			for _, s := range tc.steps {
				e.submit(s)
			}
		})
	}
}

// TestConcurrentVersions submits versions of one set from several
// goroutines at once: every version number is archived exactly once and
// the numbers have no gaps.
func TestConcurrentVersions(t *testing.T) {
	const (
		workers = 4
		last    = 6 // versions 2..last are contested
	)
	f := docs{t}
	e := newEnv(t)
	crd, cs, plan := f.crd("1", jade), f.caseDoc("2", "100", jade), f.plan("3", "100", jade)
	for _, s := range []step{
		accepted("client relation document", crd, api.OpStore),
		accepted("case document", cs, api.OpStore),
		accepted("client document", plan, api.OpStore),
	} {
		e.submit(s)
	}
	// Each worker has its own document (own id) for every version number.
	msgs := make([][]*rules.Result, workers)
	for w := range workers {
		for v := 2; v <= last; v++ {
			d := next(plan, fmt.Sprintf("3.%d.%d", w, v))
			d.Version = v
			d.Text = fmt.Sprintf("Työntekijän %d versio %d", w, v)
			msgs[w] = append(msgs[w], message(t, e.v, d, "", fmt.Sprintf("%d.%d", w, v)))
		}
	}
	var wg sync.WaitGroup
	accepted := make([]int, workers)
	errs := make(chan error, workers*last)
	for w := range workers {
		wg.Go(func() {
			for i, res := range msgs[w] {
				out, err := e.a.Submit(context.Background(), res, fmt.Sprintf("%d.%d", w, i+2))
				if err != nil {
					errs <- err
					return
				}
				if out.Accepted {
					accepted[w]++
				} else if rs := rulesOf(out.Findings); !slices.Contains(rs, "ARC-VERSION-NEXT") {
					errs <- fmt.Errorf("worker %d version %d rejected with %v, want ARC-VERSION-NEXT", w, i+2, rs)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	vs, err := e.a.Store().Versions(context.Background(), plan.SetID)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, v := range vs {
		got = append(got, v.Version)
	}
	want := []int{1, 2, 3, 4, 5, 6}
	if !slices.Equal(got, want) {
		t.Errorf("archived versions %v, want %v", got, want)
	}
	total := 0
	for _, n := range accepted {
		total += n
	}
	if total != last-1 {
		t.Errorf("%d versions accepted, want %d", total, last-1)
	}
}

// failingStore is a store whose document-id lookup fails.
type failingStore struct {
	*archive.MemStore
}

var errDisk = errors.New("disk on fire")

func (failingStore) ByDocumentID(context.Context, string) (*api.Record, error) {
	return nil, errDisk
}

// TestStoreErrorIsNotNotFound checks that a failed store lookup stops the
// submission with the store's error instead of reading as "not archived".
func TestStoreErrorIsNotNotFound(t *testing.T) {
	e := newEnv(t)
	a := archive.New(failingStore{archive.NewMemStore()}, catalogue.DefaultRules(), fixedClock)
	res := message(t, e.v, docs{t}.crd("1", jade), "", "1")
	out, err := a.Submit(context.Background(), res, "1")
	if !errors.Is(err, errDisk) {
		t.Errorf("Submit = %+v, %v; want the store's error", out, err)
	}
}
