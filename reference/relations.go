package reference

import (
	"slices"
	"time"

	"github.com/yhteistestaus/yhteistestaus/compose"
	"github.com/yhteistestaus/yhteistestaus/hetu"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/sut"
)

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
