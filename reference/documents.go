package reference

import (
	"errors"
	"slices"

	"github.com/yhteistestaus/yhteistestaus/compose"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/body"
	"github.com/yhteistestaus/yhteistestaus/simulator/codes"
	"github.com/yhteistestaus/yhteistestaus/sut"
)

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
