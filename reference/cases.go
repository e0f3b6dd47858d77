package reference

import (
	"slices"

	"github.com/yhteistestaus/yhteistestaus/compose"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/sut"
)

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
