package reference

import (
	"cmp"
	"slices"
	"time"

	"github.com/yhteistestaus/yhteistestaus/compose"
	"github.com/yhteistestaus/yhteistestaus/kanta"
)

// client is a registered client (asiakas).
type client struct {
	ref           string
	hetu          string
	temp          *compose.TempID
	given, family string
	// birth is the birth date, from the identity code or as registered;
	// zero when unknown.
	birth time.Time
	// crd is the client's client relation document (asiakkuusasiakirja);
	// nil before the relation is opened.
	crd *document
	// guardian is the guardian-disclosure code given when the relation
	// was opened, used for the client's later documents.
	guardian string
}

// person is the client as the documents name it now: by the identity
// code once it is known, else by the temporary identifier.
func (c *client) person() compose.Person {
	p := compose.Person{Hetu: c.hetu, TempID: c.temp, Given: c.given, Family: c.family}
	if c.hetu == "" {
		p.BirthDate = c.birth
	}
	return p
}

// minorAt reports whether the client is under 18 at t.
func (c *client) minorAt(t time.Time) bool {
	return !c.birth.IsZero() && t.Before(c.birth.AddDate(18, 0, 0))
}

// kind is what a document is to the system.
type kind string

// The kinds of documents the system keeps; the client document kinds are
// the document types of store-document.
const (
	kindClientRelation = kind(kanta.KindClientRelation)
	kindCase           = kind(kanta.KindCase)
	kindDecision       = kind(kanta.DocumentDecision)
	kindPlan           = kind(kanta.DocumentPlan)
	kindJournal        = kind(kanta.DocumentJournal)
	kindOther          = kind(kanta.DocumentOther)
	kindAttachment     = kind(kanta.DocumentAttachment)
)

// protocol is the kind as the driver protocol's answers name it:
// client-relation, case, journal or client-document.
func (k kind) protocol() string {
	switch k {
	case kindClientRelation, kindCase:
		return string(k)
	case kindJournal:
		return "journal"
	}
	return "client-document"
}

// isClientDocument reports whether documents of the kind belong to a case.
func (k kind) isClientDocument() bool { return k != kindClientRelation && k != kindCase }

// layer orders annulments (handbook L29300-L29314): attachments first, then
// client documents, then cases, then the client relation document.
func (k kind) layer() int {
	switch k {
	case kindAttachment:
		return 0
	case kindCase:
		return 2
	case kindClientRelation:
		return 3
	}
	return 1
}

// document is one document set (asiakirja) with its latest accepted
// version.
type document struct {
	ref  string
	kind kind
	// seq orders documents by creation.
	seq int
	// last is the latest version the archive accepted.
	last     compose.Document
	annulled bool
	// cse is the case of a client document, or the case a case document
	// describes.
	cse *caseState
	// main is an attachment's main document.
	main    *document
	clients []*client
	// description is the document's own description metadata, which a
	// correction extends with the corrector's job title.
	description string
}

// live reports whether the document exists and is not annulled.
func (d *document) live() bool { return d != nil && !d.annulled }

// caseState is a case (asia) with its case document.
type caseState struct {
	ref         string
	id          string
	clients     []*client
	closed      bool
	serviceTask string
	doc         *document
}

// state is everything the system knows.
type state struct {
	clients map[string]*client
	cases   map[string]*caseState
	docs    map[string]*document
	// all are every document set, in creation order.
	all []*document
	// queued are messages a fault holds back until the system sends its
	// next message.
	queued []*outgoing
}

func newState() *state {
	return &state{
		clients: make(map[string]*client),
		cases:   make(map[string]*caseState),
		docs:    make(map[string]*document),
	}
}

// add records a new document set.
func (st *state) add(d *document) {
	d.seq = len(st.all) + 1
	st.all = append(st.all, d)
	if d.kind.isClientDocument() {
		st.docs[d.ref] = d
	}
}

// lookup finds the document a docRef names: a client document, a case (by
// its caseRef) or a client relation document (by its clientRef).
func (st *state) lookup(ref string) *document {
	if d, ok := st.docs[ref]; ok {
		return d
	}
	if c, ok := st.cases[ref]; ok {
		return c.doc
	}
	if c, ok := st.clients[ref]; ok {
		return c.crd
	}
	return nil
}

// dependants returns the live documents that refer to t and must be
// annulled before it, in the order of annulment: attachments, client
// documents, cases; in creation order within each.
func (st *state) dependants(t *document) []*document {
	var out []*document
	for _, d := range st.all {
		if d == t || !d.live() {
			continue
		}
		var refers bool
		switch t.kind {
		case kindClientRelation:
			refers = d.kind != kindClientRelation && slices.ContainsFunc(d.clients, func(c *client) bool {
				return slices.Contains(t.clients, c)
			})
		case kindCase:
			refers = d.kind.isClientDocument() && d.cse == t.cse
		default:
			refers = d.main == t
		}
		if refers {
			out = append(out, d)
		}
	}
	slices.SortStableFunc(out, func(a, b *document) int {
		return cmp.Or(cmp.Compare(a.kind.layer(), b.kind.layer()), cmp.Compare(a.seq, b.seq))
	})
	return out
}
