package reference

import (
	"errors"
	"slices"
	"time"

	"github.com/yhteistestaus/yhteistestaus/compose"
	"github.com/yhteistestaus/yhteistestaus/hetu"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/body"
	"github.com/yhteistestaus/yhteistestaus/simulator/codes"
	"github.com/yhteistestaus/yhteistestaus/sut"
)

// Defaults of what a request leaves out.
const (
	defaultServiceTask    = "24" // Lapsiperheiden palvelut
	defaultServiceProcess = "3"
	defaultSocialService  = "45"
	defaultGuardianCode   = "1" // the minor does not forbid disclosure (handbook Table 5.4.1)
	defaultAnnulReason    = "Kirjattu virheellisesti"
	defaultOtherName      = "Muu asiakasasiakirja"
	defaultJobTitle       = "sosiaalihuollon ammattihenkilö"
)

// decode decodes the request's params into v, as a refusal when they are
// malformed.
func (a *action) decode(v any) error {
	if err := a.req.DecodeParams(v); err != nil {
		return refuse("%v", err)
	}
	return nil
}

func (a *action) client(ref string) (*client, error) {
	c, ok := a.s.st.clients[ref]
	if !ok {
		return nil, refuse("unknown client %q: register it first", ref)
	}
	return c, nil
}

func (a *action) caseOf(ref string) (*caseState, error) {
	c, ok := a.s.st.cases[ref]
	if !ok {
		return nil, refuse("unknown case %q: open it first", ref)
	}
	return c, nil
}

// consent is the guardian-disclosure code of a document of the clients
// made at t: code, or the default, when one of them is a minor; else none.
func consent(clients []*client, t time.Time, code string) string {
	if !slices.ContainsFunc(clients, func(c *client) bool { return c.minorAt(t) }) {
		return ""
	}
	if code != "" {
		return code
	}
	for _, c := range clients {
		if c.guardian != "" && c.minorAt(t) {
			return c.guardian
		}
	}
	return defaultGuardianCode
}

func persons(clients []*client) []compose.Person {
	out := make([]compose.Person, len(clients))
	for i, c := range clients {
		out[i] = c.person()
	}
	return out
}

// base is a new document set's first version with the system's defaults.
func (a *action) base(group kanta.GroupKind, clients []*client, now time.Time) *compose.Document {
	id := a.s.newDocID()
	return &compose.Document{
		Group: group, ID: id, SetID: id, Version: 1,
		Clients: persons(clients), Custodian: a.s.org, EffectiveTime: now,
	}
}

// next is the next version of d, naming its clients as they are known now.
func (a *action) next(d *document, now time.Time) *compose.Document {
	n := cloneDocument(&d.last)
	n.ID, n.Version, n.PreviousID = a.s.newDocID(), d.last.Version+1, d.last.ID
	n.Annul, n.AnnulReason = false, ""
	n.ReasonOfCorrection, n.Description = "", d.description
	n.EffectiveTime = now
	n.Clients = persons(d.clients)
	if n.GuardianConsent == "" {
		n.GuardianConsent = consent(d.clients, now, "")
	}
	return n
}

func (a *action) registerClient() error {
	var p sut.RegisterClientParams
	if err := a.decode(&p); err != nil {
		return err
	}
	st := a.s.st
	switch {
	case p.Ref == "":
		return refuse("register-client needs a ref")
	case st.clients[p.Ref] != nil:
		return refuse("client %q is already registered", p.Ref)
	case p.TemporaryID && p.Hetu != "":
		return refuse("client %q: give an identity code or ask for a temporary identifier, not both", p.Ref)
	}
	c := &client{ref: p.Ref, given: p.Given, family: p.Family, birth: dateOnly(p.BirthDate)}
	if c.given == "" {
		c.given = "Testi"
	}
	if c.family == "" {
		c.family = "Asiakas"
	}
	switch {
	case p.TemporaryID:
		c.temp = a.s.newTempID()
	case p.Hetu != "":
		code, err := hetu.Parse(p.Hetu)
		if err != nil {
			return refuse("client %q: %v", p.Ref, err)
		}
		c.hetu, c.birth = p.Hetu, code.BirthDate
	case !p.BirthDate.IsZero():
		a.s.counters.hetu++
		h, err := hetu.TestCode(p.BirthDate, 900+a.s.counters.hetu%100)
		if err != nil {
			return refuse("client %q: %v", p.Ref, err)
		}
		c.hetu = h
	default:
		return refuse("client %q needs an identity code, a temporary identifier or a birth date", p.Ref)
	}
	st.clients[p.Ref] = c
	a.res.Client = &sut.ClientIDs{Ref: c.ref, Hetu: c.hetu}
	if c.temp != nil {
		a.res.Client.TempID = c.temp.Root + "^" + c.temp.Extension
	}
	return nil
}

// dateOnly is t's calendar date at midnight UTC.
func dateOnly(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func (a *action) openClientRelation() error {
	var p sut.ClientRelationParams
	if err := a.decode(&p); err != nil {
		return err
	}
	c, err := a.client(p.ClientRef)
	if err != nil {
		return err
	}
	if p.GuardianDisclosure != "" {
		c.guardian = p.GuardianDisclosure
	}
	if c.crd.live() {
		if c.crd.last.CaseClosed.IsZero() {
			return refuse("client %q already has an open client relation", c.ref)
		}
		// A renewed need: a new start in the same document (REQ-CR-005).
		now := a.s.now()
		d := a.next(c.crd, now)
		d.CaseOpened, d.CaseClosed = now, time.Time{}
		addServiceTask(d, p.ServiceTask)
		return a.version(c.crd, d, opNewVersion)
	}
	return a.openRelation(c, p.ServiceTask)
}

// openRelation archives a new client relation document for c.
func (a *action) openRelation(c *client, serviceTask string) error {
	now := a.s.now()
	d := a.base(kanta.KindClientRelation, []*client{c}, now)
	d.CaseOpened = now
	d.ServiceTask = cmpOr(serviceTask, defaultServiceTask)
	d.GuardianConsent = consent([]*client{c}, now, c.guardian)
	d.Signers = []compose.Signer{a.s.systemSigner()}
	doc := &document{ref: c.ref, kind: kindClientRelation, clients: []*client{c}}
	if err := a.create(doc, d); err != nil {
		return err
	}
	c.crd = doc
	return nil
}

// hasServiceTask reports whether the client relation document version d
// lists the service task.
func hasServiceTask(d *compose.Document, task string) bool {
	return d.ServiceTask == task || slices.Contains(d.OtherServiceTasks, task)
}

// addServiceTask enters a service task in a client relation document
// version. The tasks are cumulative (handbook 9.4.2, L20594-L20705): the
// first stays the document's service task and every later one is added,
// none ever dropped.
func addServiceTask(d *compose.Document, task string) {
	switch {
	case task == "" || hasServiceTask(d, task):
	case d.ServiceTask == "":
		d.ServiceTask = task
	default:
		d.OtherServiceTasks = append(d.OtherServiceTasks, task)
	}
}

func cmpOr(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

// create sends the first version of a new document set and records the
// set when the archive accepts it.
func (a *action) create(doc *document, d *compose.Document) error {
	doc.description = d.Description
	m := &outgoing{kind: doc.kind, op: opStore, ref: doc.ref, doc: d, clients: doc.clients}
	if err := a.send(m); err != nil {
		return err
	}
	doc.last = *m.doc
	a.s.st.add(doc)
	return nil
}

// version sends a new version (or the annulment) of doc and records it
// when the archive accepts it.
func (a *action) version(doc *document, d *compose.Document, op string) error {
	m := &outgoing{kind: doc.kind, op: op, ref: doc.ref, doc: d, clients: doc.clients}
	if err := a.send(m); err != nil {
		return err
	}
	doc.last = *m.doc
	if m.doc.Annul {
		doc.annulled = true
	}
	return nil
}

// relation returns c's live client relation document.
func (a *action) relation(ref string) (*client, *document, error) {
	c, err := a.client(ref)
	if err != nil {
		return nil, nil, err
	}
	if !c.crd.live() {
		return nil, nil, refuse("client %q has no client relation: open it first", ref)
	}
	return c, c.crd, nil
}

func (a *action) updateClientRelation() error {
	var p sut.ClientRelationParams
	if err := a.decode(&p); err != nil {
		return err
	}
	c, crd, err := a.relation(p.ClientRef)
	if err != nil {
		return err
	}
	if p.GuardianDisclosure != "" {
		c.guardian = p.GuardianDisclosure
	}
	now := a.s.now()
	d := a.next(crd, now)
	addServiceTask(d, p.ServiceTask)
	if g := consent(crd.clients, now, c.guardian); g != "" {
		d.GuardianConsent = g
	}
	return a.version(crd, d, opNewVersion)
}

func (a *action) endClientRelation() error {
	var p sut.ClientRelationParams
	if err := a.decode(&p); err != nil {
		return err
	}
	_, crd, err := a.relation(p.ClientRef)
	if err != nil {
		return err
	}
	if !crd.last.CaseClosed.IsZero() {
		return refuse("the client relation of %q has already ended", p.ClientRef)
	}
	now := a.s.now()
	d := a.next(crd, now)
	d.CaseClosed = now
	return a.version(crd, d, opNewVersion)
}

func (a *action) replaceTemporaryID() error {
	var p sut.ReplaceTemporaryIDParams
	if err := a.decode(&p); err != nil {
		return err
	}
	c, err := a.client(p.ClientRef)
	if err != nil {
		return err
	}
	switch {
	case c.temp == nil:
		return refuse("client %q has no temporary identifier", c.ref)
	case c.hetu != "":
		return refuse("client %q's temporary identifier was already replaced", c.ref)
	}
	code, err := hetu.Parse(p.Hetu)
	if err != nil {
		return refuse("client %q: %v", c.ref, err)
	}
	c.hetu = p.Hetu
	if !c.crd.live() {
		// Nothing archived yet: the documents to come use the code.
		c.birth = code.BirthDate
		return nil
	}
	target := c.crd
	if a.s.behaves(a.req.Action, replaceOutsideClientRelation) {
		for _, d := range a.s.st.all {
			if d.live() && d.kind != kindClientRelation && len(d.clients) == 1 && d.clients[0] == c {
				target = d
				break
			}
		}
	}
	// The archive requires the identity code first in the client
	// relation document (handbook 9.12.2).
	if err := a.version(target, a.next(target, a.s.now()), opNewVersion); err != nil {
		c.hetu = ""
		return err
	}
	c.birth = code.BirthDate
	return nil
}

func (a *action) openCase() error {
	var p sut.CaseParams
	if err := a.decode(&p); err != nil {
		return err
	}
	st := a.s.st
	switch {
	case p.CaseRef == "":
		return refuse("open-case needs a caseRef")
	case st.cases[p.CaseRef] != nil:
		return refuse("case %q is already open", p.CaseRef)
	case len(p.ClientRefs) == 0:
		return refuse("case %q needs at least one client", p.CaseRef)
	}
	var clients []*client
	for _, ref := range p.ClientRefs {
		c, err := a.client(ref)
		if err != nil {
			return err
		}
		if !slices.Contains(clients, c) {
			clients = append(clients, c)
		}
	}
	// The client relation document comes first (handbook L29300-L29314):
	// a case opens the relation of a client who has none.
	for _, c := range clients {
		if !c.crd.live() {
			if err := a.openRelation(c, p.ServiceTask); err != nil {
				return err
			}
		}
	}
	task := cmpOr(p.ServiceTask, defaultServiceTask)
	// The case's service task is entered in each client's client relation
	// document too (handbook L15552-L15564), ahead of the case document as
	// the relation document comes first.
	for _, c := range clients {
		if hasServiceTask(&c.crd.last, task) {
			continue
		}
		d := a.next(c.crd, a.s.now())
		addServiceTask(d, task)
		if err := a.version(c.crd, d, opNewVersion); err != nil {
			return err
		}
	}
	now := a.s.now()
	cs := &caseState{ref: p.CaseRef, id: a.s.newCaseID(), clients: clients, serviceTask: task}
	d := a.base(kanta.KindCase, clients, now)
	d.CaseID, d.CaseName, d.CaseOpened = cs.id, p.CaseName, now
	d.ServiceTask = cs.serviceTask
	d.Author = a.s.professional
	d.GuardianConsent = consent(clients, now, "")
	d.Signers = []compose.Signer{a.s.systemSigner()}
	doc := &document{ref: cs.ref, kind: kindCase, cse: cs, clients: clients}
	if err := a.create(doc, d); err != nil {
		return err
	}
	cs.doc = doc
	st.cases[cs.ref] = cs
	a.res.CaseID = cs.id
	return nil
}

// refreshCase stores a new version of an open case's document when it
// still names a client by the temporary identifier whose identity code the
// system now knows: a document added to the case, or a new version of one,
// needs the case document under the identity code first (handbook
// L25760-L25768). A closed case document is never changed.
func (a *action) refreshCase(cs *caseState) error {
	if cs.closed || !cs.doc.live() || !outdatedIdentity(cs.doc) {
		return nil
	}
	return a.version(cs.doc, a.next(cs.doc, a.s.now()), opNewVersion)
}

// outdatedIdentity reports whether the latest version of d lacks the
// identity code of one of its clients.
func outdatedIdentity(d *document) bool {
	for i, c := range d.clients {
		if c.hetu != "" && (i >= len(d.last.Clients) || d.last.Clients[i].Hetu != c.hetu) {
			return true
		}
	}
	return false
}

func (a *action) closeCase() error {
	var p sut.CaseParams
	if err := a.decode(&p); err != nil {
		return err
	}
	cs, err := a.caseOf(p.CaseRef)
	if err != nil {
		return err
	}
	switch {
	case !cs.doc.live():
		return refuse("case %q is annulled", cs.ref)
	case cs.closed:
		return refuse("case %q is already closed", cs.ref)
	}
	now := a.s.now()
	d := a.next(cs.doc, now)
	d.CaseClosed = now
	if err := a.version(cs.doc, d, opNewVersion); err != nil {
		return err
	}
	cs.closed = true
	a.res.CaseID = cs.id
	return nil
}

func (a *action) storeDocument() error {
	var p sut.DocumentParams
	if err := a.decode(&p); err != nil {
		return err
	}
	st := a.s.st
	k := kind(p.Type)
	switch k {
	case kindDecision, kindPlan, kindJournal, kindOther, kindAttachment:
	default:
		return unsupported("document type %q is not supported: use decision, plan, journal-entry, other or attachment", p.Type)
	}
	switch {
	case p.DocRef == "":
		return refuse("store-document needs a docRef")
	case st.lookup(p.DocRef) != nil:
		return refuse("document %q already exists: store a new version instead", p.DocRef)
	case p.Format != "" && p.Format != "structured" && p.Format != "pdf":
		return unsupported("format %q is not supported: use structured or pdf", p.Format)
	case k == kindJournal && p.Format == "pdf":
		return unsupported("journal entries are structured (handbook 3.1): format pdf is not supported")
	case (k == kindOther || k == kindAttachment) && p.Format == "structured":
		return unsupported("%s documents are unstructured PDF/A documents", k)
	case p.Signature != "" && p.Signature != "professional" && p.Signature != "system":
		return unsupported("signature %q is not supported: use professional or system", p.Signature)
	}
	var main *document
	if k == kindAttachment {
		if p.MainDocRef == "" {
			return refuse("an attachment needs its mainDocRef")
		}
		main = st.docs[p.MainDocRef]
		if !main.live() {
			return refuse("main document %q is unknown or annulled", p.MainDocRef)
		}
	}
	caseRef := p.CaseRef
	if caseRef == "" && main != nil {
		caseRef = main.cse.ref
	}
	cs, err := a.caseOf(caseRef)
	if err != nil {
		return err
	}
	switch {
	case !cs.doc.live():
		return refuse("case %q is annulled", cs.ref)
	case cs.closed && !a.s.behaves(a.req.Action, ignoreClosedCase):
		return refuse("case %q is closed: no document can be added to it (handbook 8.2)", cs.ref)
	case main != nil && main.cse != cs:
		return refuse("main document %q belongs to another case", p.MainDocRef)
	}
	clients := cs.clients
	if main != nil {
		clients = main.clients
	}
	if len(p.ClientRefs) > 0 {
		clients = nil
		for _, ref := range p.ClientRefs {
			c, err := a.client(ref)
			if err != nil {
				return err
			}
			clients = append(clients, c)
		}
	}
	now := a.s.now()
	group := kanta.KindClientDocument
	if k == kindJournal {
		group = kanta.KindJournal
	}
	d := a.base(group, clients, now)
	d.CaseID = cs.id
	d.ServiceTask = cmpOr(p.ServiceTask, cs.serviceTask)
	d.ServiceProcess = defaultServiceProcess
	d.SocialServices = []string{defaultSocialService}
	d.Author = a.s.professional
	d.GuardianConsent = consent(clients, now, p.GuardianDisclosure)
	d.RestrictionGround = p.RestrictionGround
	if p.DelayUntil != nil {
		d.DelayUntil = *p.DelayUntil
	}
	d.Description = p.Description
	d.Signers = []compose.Signer{a.s.professionalSigner()}
	if p.Signature == "system" {
		d.Signers = []compose.Signer{a.s.systemSigner()}
	}
	switch k {
	case kindDecision:
		d.SpecificType = cmpOr(p.SpecificType, compose.TypeDecisionSocial)
	case kindPlan:
		d.SpecificType = cmpOr(p.SpecificType, compose.TypePlanFamilies)
	case kindJournal:
		if p.SpecificType != "" {
			d.GeneralType, d.SpecificType = compose.TypeJournal, p.SpecificType
		}
	case kindOther:
		d.GeneralType = compose.TypeOtherDocument
		d.SpecificType = cmpOr(p.SpecificType, compose.TypeOtherDocument)
		d.Description = cmpOr(p.Description, defaultOtherName)
	case kindAttachment:
		d.SpecificType = cmpOr(p.SpecificType, compose.TypeAttachment)
		d.MainDocument = main.last.SetID
	}
	if p.Format == "pdf" && (k == kindDecision || k == kindPlan) {
		title := cmpOr(p.Description, "Päätös")
		if k == kindPlan {
			title = cmpOr(p.Description, "Asiakassuunnitelma")
		}
		d.Description = title
		d.PDF = body.MinimalPDFA(title, "Asiakirja on tallennettu PDF/A-muodossa.")
	}
	if err := a.refreshCase(cs); err != nil {
		return err
	}
	doc := &document{ref: p.DocRef, kind: k, cse: cs, main: main, clients: clients}
	return a.create(doc, d)
}

// annulTarget finds the live document an annulment names: a client
// document by its docRef, a case document by its caseRef, a client
// relation document by its clientRef.
func (a *action) annulTarget(target sut.AnnulTarget, ref string) (*document, error) {
	st := a.s.st
	var d *document
	switch target {
	case sut.AnnulDocument:
		d = st.docs[ref]
	case sut.AnnulCase:
		cs, err := a.caseOf(ref)
		if err != nil {
			return nil, err
		}
		d = cs.doc
	case sut.AnnulClientRelation:
		c, err := a.client(ref)
		if err != nil {
			return nil, err
		}
		if c.crd == nil {
			return nil, refuse("client %q has no client relation", ref)
		}
		d = c.crd
	}
	switch {
	case d == nil:
		return nil, refuse("unknown document %q", ref)
	case d.annulled:
		return nil, refuse("%s %q is annulled already", target, ref)
	}
	return d, nil
}

// document finds the live document a docRef names.
func (a *action) document(ref string, allowAnnulled bool) (*document, error) {
	d := a.s.st.lookup(ref)
	switch {
	case d == nil:
		return nil, refuse("unknown document %q", ref)
	case d.annulled && !allowAnnulled:
		return nil, refuse("document %q is annulled: nothing can be stored on top of it", ref)
	}
	return d, nil
}

func (a *action) newVersion() error {
	var p sut.VersionParams
	if err := a.decode(&p); err != nil {
		return err
	}
	d, err := a.document(p.DocRef, a.s.behaves(a.req.Action, ignoreAnnulled))
	if err != nil {
		return err
	}
	if d.kind.isClientDocument() && d.cse.closed {
		return refuse("document %q belongs to closed case %q: it cannot be versioned", d.ref, d.cse.ref)
	}
	if d.kind.isClientDocument() {
		if err := a.refreshCase(d.cse); err != nil {
			return err
		}
	}
	n := a.next(d, a.s.now())
	if p.Reason != "" && d.kind.isClientDocument() {
		a.correct(d, n, p.Reason)
	}
	return a.version(d, n, opNewVersion)
}

// correct makes n the correction of client document d (handbook
// L29267-L29285): the corrector is the author and the time of the
// correction the creation time; the corrector's job title goes in the
// description and the grounds in the reason of correction. A reason that
// is a code of the grounds' classification is used as it is; any other
// reason is the corrected text, a writing error (Table 11.3.1).
func (a *action) correct(d *document, n *compose.Document, reason string) {
	n.Author = a.s.professional
	n.ReasonOfCorrection = compose.CorrectionWritingError
	if isCorrectionReason(reason) {
		n.ReasonOfCorrection = reason
	} else {
		n.Text = reason
	}
	title := cmpOr(a.s.professional.Title, defaultJobTitle)
	n.Description = title
	if d.description != "" {
		// An unstructured document keeps its name beside the title.
		n.Description = d.description + " (korjaajan tehtävänimike: " + title + ")"
	}
}

// isCorrectionReason reports whether s is a code of the classification
// of the grounds of correction.
func isCorrectionReason(s string) bool {
	cs := codes.Default()
	oid, ok := cs.Binding("header.reasonOfCorrection")
	if !ok {
		return false
	}
	_, ok = cs.Lookup(oid, s)
	return ok
}

func (a *action) annul() error {
	var p sut.AnnulParams
	if err := a.decode(&p); err != nil {
		return err
	}
	target, ref, err := p.Target()
	if err != nil {
		return refuse("%v", err)
	}
	t, err := a.annulTarget(target, ref)
	if err != nil {
		return err
	}
	order := append(a.s.st.dependants(t), t)
	if a.s.behaves(a.req.Action, reverseAnnulOrder) {
		slices.Reverse(order)
	}
	reason := cmpOr(p.Reason, defaultAnnulReason)
	for _, d := range order {
		n := a.next(d, a.s.now())
		n.Annul, n.AnnulReason = true, reason
		if err := a.version(d, n, opAnnul); err != nil {
			var r *refusal
			if errors.As(err, &r) && d != t {
				return refuse("annulling %q needs %q annulled first, which failed: %s", t.ref, d.ref, r.msg)
			}
			return err
		}
	}
	return nil
}
