package reference

import (
	"slices"
	"time"

	"github.com/yhteistestaus/yhteistestaus/compose"
	"github.com/yhteistestaus/yhteistestaus/kanta"
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
