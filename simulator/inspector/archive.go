package inspector

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/yhteistestaus/yhteistestaus/excerpt"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/simulator/archive"
)

// archiveView is the archive page: the session's archive as a tree, one
// client (asiakas) at a time.
type archiveView struct {
	Session string
	Clients []*clientNode
	// Sets counts the document sets, Versions their versions.
	Sets, Versions int
}

// clientNode is one client and the documents archived for it: the client
// relation documents (asiakkuusasiakirjat) with the cases under the
// custodian of each, and what belongs to no client relation document or
// no case.
type clientNode struct {
	// Client is the client's identifier, root^extension, masked.
	Client string
	// Aliases are the temporary identifiers (väliaikaiset tunnisteet) the
	// client's identity code replaced, under which documents were also
	// archived; they are shown under the identity code.
	Aliases   []string
	Relations []*relationNode
	// Cases are cases whose custodian has no client relation document of
	// the client in the archive.
	Cases []*caseNode
	// Documents are client documents whose case is not in the archive.
	Documents []*setNode
}

// relationNode is one client relation document and the cases under the
// same custodian (rekisterinpitäjä).
type relationNode struct {
	Set   *setNode
	Cases []*caseNode
}

// caseNode is one case (asia): its case document (asia-asiakirja) and the
// client documents of the case.
type caseNode struct {
	Set       *setNode
	Documents []*setNode
}

// setNode is one document set with every version, oldest first.
type setNode struct {
	Latest   *api.Record
	Versions []*api.Record
	// Annulled is true when the latest version annuls the document.
	Annulled bool
	// clients are the latest version's clients unmasked, to arrange the
	// tree by; the page shows only the masked ones.
	clients []string
}

func (in *Inspector) handleArchive(w http.ResponseWriter, r *http.Request) {
	ss, ok := in.session(w, r)
	if !ok {
		return
	}
	v, err := archiveTree(r.Context(), ss.Archive().Store())
	if err != nil {
		in.log("archive", "session", ss.Name, "err", err)
		in.fail(w, http.StatusInternalServerError, "Istunnon "+ss.Name+" arkistoa ei voitu lukea.")
		return
	}
	v.Session = ss.Name
	in.render(w, http.StatusOK, "archive", page{Title: "Arkisto – " + ss.Name, Session: ss.Name, Tab: "archive", Data: v})
}

// archiveTree reads every set of the store with its versions and arranges
// them by client. A document of several clients (a joint case) is shown
// under each of them.
func archiveTree(ctx context.Context, store archive.Store) (archiveView, error) {
	var v archiveView
	latest, err := store.Latest(ctx)
	if err != nil {
		return v, fmt.Errorf("archive: %w", err)
	}
	var sets []*setNode
	aliases := map[string][]string{} // identity code: the temporary identifiers it replaced
	for _, rec := range latest {
		vs, err := store.Versions(ctx, rec.SetID)
		if err != nil {
			return v, fmt.Errorf("archive: set %s: %w", rec.SetID, err)
		}
		masked := make([]*api.Record, len(vs))
		for i, r := range vs {
			masked[i] = maskRecord(r)
		}
		clients, err := resolve(ctx, store, rec.Clients, aliases)
		if err != nil {
			return v, fmt.Errorf("archive: set %s: %w", rec.SetID, err)
		}
		sets = append(sets, &setNode{Latest: maskRecord(rec), Versions: masked, Annulled: rec.Annulled, clients: clients})
		v.Sets++
		v.Versions += len(vs)
	}
	byClient := map[string]*clientNode{}
	client := func(id string) *clientNode {
		c := byClient[id]
		if c == nil {
			c = &clientNode{Client: excerpt.Mask(id)}
			for _, a := range aliases[id] {
				c.Aliases = append(c.Aliases, excerpt.Mask(a))
			}
			byClient[id] = c
			v.Clients = append(v.Clients, c)
		}
		return c
	}
	clientsOf := func(s *setNode) []string {
		if len(s.clients) == 0 {
			return []string{"–"}
		}
		return s.clients
	}
	// Client relation documents first, then cases, then client
	// documents, so that each finds what it belongs under.
	for _, s := range sets {
		if kanta.GroupKind(s.Latest.Kind) == kanta.KindClientRelation {
			for _, id := range clientsOf(s) {
				c := client(id)
				c.Relations = append(c.Relations, &relationNode{Set: s})
			}
		}
	}
	cases := map[string]*caseNode{} // by client and case id
	for _, s := range sets {
		if kanta.GroupKind(s.Latest.Kind) != kanta.KindCase {
			continue
		}
		for _, id := range clientsOf(s) {
			c := client(id)
			cn := &caseNode{Set: s}
			cases[id+"\x00"+s.Latest.CaseID] = cn
			i := slices.IndexFunc(c.Relations, func(rn *relationNode) bool { return rn.Set.Latest.Custodian == s.Latest.Custodian })
			if i < 0 {
				c.Cases = append(c.Cases, cn)
				continue
			}
			c.Relations[i].Cases = append(c.Relations[i].Cases, cn)
		}
	}
	for _, s := range sets {
		k := kanta.GroupKind(s.Latest.Kind)
		if k == kanta.KindClientRelation || k == kanta.KindCase {
			continue
		}
		for _, id := range clientsOf(s) {
			c := client(id)
			if cn, ok := cases[id+"\x00"+s.Latest.CaseID]; ok && s.Latest.CaseID != "" {
				cn.Documents = append(cn.Documents, s)
				continue
			}
			c.Documents = append(c.Documents, s)
		}
	}
	return v, nil
}

// resolve returns a document's clients with every temporary identifier
// that an identity code has replaced (Store.Alias) as that code, each once,
// noting the replacements in aliases.
func resolve(ctx context.Context, store archive.Store, clients []string, aliases map[string][]string) ([]string, error) {
	var out []string
	for _, id := range clients {
		to, err := store.Alias(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("alias of a client: %w", err)
		}
		if to != "" {
			if !slices.Contains(aliases[to], id) {
				aliases[to] = append(aliases[to], id)
			}
			id = to
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// maskRecord returns a copy of r with its identity codes masked, without
// the document itself, which the archive page does not show.
func maskRecord(r *api.Record) *api.Record {
	m := *r
	m.Document = nil
	m.Clients = make([]string, len(r.Clients))
	for i, c := range r.Clients {
		m.Clients[i] = excerpt.Mask(c)
	}
	m.MessageID = excerpt.Mask(r.MessageID)
	return &m
}
