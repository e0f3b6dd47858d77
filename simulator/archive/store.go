package archive

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
)

// Store holds the archived versions of one archive (one session). The
// archive derives organisations, registers, clients, client relation
// documents, cases and client documents from the versions it holds.
//
// The state rules ask the store indexed questions only (Versions,
// ByDocumentID, Live, Alias, Aliases): none of them reads the whole
// archive, so that the cost of a message does not grow with it. Latest is
// for views.
//
// Records a store returns may leave Document empty; Document reads the
// bytes. Implementations must be safe for concurrent use; the conformance
// suite simulator/archive/archivetest checks them.
type Store interface {
	// Versions returns every version of the set, oldest first; an unknown
	// set gives an empty slice and no error.
	Versions(ctx context.Context, setID string) ([]*api.Record, error)
	// ByDocumentID returns the version with the document id, or ErrNotFound.
	ByDocumentID(ctx context.Context, documentID string) (*api.Record, error)
	// Document returns the CDA document of the version with the document
	// id as received, or ErrNotFound.
	Document(ctx context.Context, documentID string) ([]byte, error)
	// Latest returns the latest version of every set, ordered by the time
	// the set was first stored. It reads the whole archive: views use it,
	// the state rules never do.
	Latest(ctx context.Context) ([]*api.Record, error)
	// Live returns the latest version of every live set (one whose latest
	// version is not an annulment) that the query selects, ordered by the
	// time the set was first stored. A query must name Clients, CaseID or
	// MainDocuments, which the store answers from an index; one that names
	// none fails with ErrUnindexed.
	Live(ctx context.Context, q Query) ([]*api.Record, error)
	// Alias returns the identity code that replaced the temporary
	// identifier id in a client relation document, or "" when none did.
	Alias(ctx context.Context, id string) (string, error)
	// Aliases returns the temporary identifiers that the identity code
	// replaced, sorted.
	Aliases(ctx context.Context, identityCode string) ([]string, error)
	// Add appends r to its set if the set's latest version number is
	// prevVersion (0 for a new set); otherwise, or when r's document id is
	// already stored, it returns ErrConflict. Together with r it records
	// the aliases IdentifierChanges finds between the set's latest version
	// and r.
	Add(ctx context.Context, r *api.Record, prevVersion int) error
	// Reset removes everything.
	Reset(ctx context.Context) error
}

// Query selects live sets by their latest version. Every field that is set
// must match; a list matches when any of its values does.
type Query struct {
	// Custodian is the register keeper's organisation OID.
	Custodian string
	// Kinds keeps sets of these document kinds; ExceptKinds drops sets of
	// these kinds.
	Kinds, ExceptKinds []string
	// Clients keeps sets with one of these client identifiers.
	Clients []string
	// CaseID keeps the documents of the case (and the case document).
	CaseID string
	// MainDocuments keeps the attachments whose main document is one of
	// these set or document ids.
	MainDocuments []string
}

// Indexed reports whether the query names a key a store indexes.
func (q Query) Indexed() bool {
	return len(q.Clients) > 0 || q.CaseID != "" || len(q.MainDocuments) > 0
}

// Match reports whether r, the latest version of its set, is live and
// selected by the query.
func (q Query) Match(r *api.Record) bool {
	switch {
	case r.Annulled:
		return false
	case q.Custodian != "" && r.Custodian != q.Custodian:
		return false
	case len(q.Kinds) > 0 && !slices.Contains(q.Kinds, r.Kind):
		return false
	case slices.Contains(q.ExceptKinds, r.Kind):
		return false
	case q.CaseID != "" && r.CaseID != q.CaseID:
		return false
	case len(q.Clients) > 0 && !slices.ContainsFunc(r.Clients, func(c string) bool { return slices.Contains(q.Clients, c) }):
		return false
	case len(q.MainDocuments) > 0 && (r.MainDocument == "" || !slices.Contains(q.MainDocuments, r.MainDocument)):
		return false
	}
	return true
}

// ErrUnindexed is returned by Store.Live for a query that names no indexed
// key.
var ErrUnindexed = errors.New("query names no indexed key (clients, case id or main documents)")

// IdentifierChange is a temporary identifier replaced by an identity code.
type IdentifierChange struct {
	Temporary, IdentityCode string
}

// IdentifierChanges returns the temporary identifiers that next, the
// version after prev of a client relation document, replaces with identity
// codes: every temporary identifier of prev paired with every identity
// code of next, in order (a later pair for the same identifier wins). For
// other documents, or a first version (prev nil), it returns none.
func IdentifierChanges(prev, next *api.Record) []IdentifierChange {
	if prev == nil || next.Kind != string(kanta.KindClientRelation) {
		return nil
	}
	var out []IdentifierChange
	for _, before := range prev.Clients {
		if isHetu(before) {
			continue
		}
		for _, after := range next.Clients {
			if isHetu(after) {
				out = append(out, IdentifierChange{Temporary: before, IdentityCode: after})
			}
		}
	}
	return out
}

func isHetu(id string) bool { return strings.HasPrefix(id, kanta.OIDHetu+"^") }

// MemStore is the in-memory Store. It keeps each set's versions and
// indexes of the latest versions by client, case and main document.
type MemStore struct {
	mu    sync.RWMutex
	sets  map[string]*memSet
	order []string
	byID  map[string]*api.Record
	// byClient, byCase and byMain map a client identifier, a case id and a
	// main document id to the sets whose latest version has it.
	byClient, byCase, byMain map[string][]string
	// alias maps a temporary identifier to its identity code, aliased the
	// reverse.
	alias   map[string]string
	aliased map[string][]string
}

// memSet is one set of a MemStore.
type memSet struct {
	ord      int // the position of the set in order
	versions []*api.Record
}

var _ Store = (*MemStore)(nil)

// NewMemStore returns an empty in-memory store.
func NewMemStore() *MemStore {
	m := &MemStore{}
	m.clear()
	return m
}

func (m *MemStore) clear() {
	m.sets = make(map[string]*memSet)
	m.order = nil
	m.byID = make(map[string]*api.Record)
	m.byClient = make(map[string][]string)
	m.byCase = make(map[string][]string)
	m.byMain = make(map[string][]string)
	m.alias = make(map[string]string)
	m.aliased = make(map[string][]string)
}

// Versions implements Store.
func (m *MemStore) Versions(ctx context.Context, setID string) ([]*api.Record, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if s, ok := m.sets[setID]; ok {
		return slices.Clone(s.versions), nil
	}
	return []*api.Record{}, nil
}

// ByDocumentID implements Store.
func (m *MemStore) ByDocumentID(ctx context.Context, documentID string) (*api.Record, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if r, ok := m.byID[documentID]; ok {
		return r, nil
	}
	return nil, ErrNotFound
}

// Document implements Store.
func (m *MemStore) Document(ctx context.Context, documentID string) ([]byte, error) {
	r, err := m.ByDocumentID(ctx, documentID)
	if err != nil {
		return nil, err
	}
	return r.Document, nil
}

// Latest implements Store.
func (m *MemStore) Latest(ctx context.Context) ([]*api.Record, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]*api.Record, 0, len(m.order))
	for _, id := range m.order {
		out = append(out, m.sets[id].latest())
	}
	return out, nil
}

func (s *memSet) latest() *api.Record { return s.versions[len(s.versions)-1] }

// Live implements Store.
func (m *MemStore) Live(ctx context.Context, q Query) ([]*api.Record, error) {
	if !q.Indexed() {
		return nil, ErrUnindexed
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var candidates []string
	switch {
	case len(q.MainDocuments) > 0:
		for _, id := range q.MainDocuments {
			candidates = append(candidates, m.byMain[id]...)
		}
	case q.CaseID != "":
		candidates = m.byCase[q.CaseID]
	default:
		for _, c := range q.Clients {
			candidates = append(candidates, m.byClient[c]...)
		}
	}
	var found []*memSet
	for _, id := range candidates {
		s := m.sets[id]
		if q.Match(s.latest()) && !slices.Contains(found, s) {
			found = append(found, s)
		}
	}
	slices.SortFunc(found, func(a, b *memSet) int { return a.ord - b.ord })
	out := make([]*api.Record, len(found))
	for i, s := range found {
		out[i] = s.latest()
	}
	return out, nil
}

// Alias implements Store.
func (m *MemStore) Alias(ctx context.Context, id string) (string, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.alias[id], nil
}

// Aliases implements Store.
func (m *MemStore) Aliases(ctx context.Context, identityCode string) ([]string, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return slices.Clone(m.aliased[identityCode]), nil
}

// Add implements Store.
func (m *MemStore) Add(ctx context.Context, r *api.Record, prevVersion int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.sets[r.SetID]
	var prev *api.Record
	if s != nil {
		prev = s.latest()
	}
	latest := 0
	if prev != nil {
		latest = prev.Version
	}
	if latest != prevVersion {
		return ErrConflict
	}
	if _, dup := m.byID[r.DocumentID]; dup {
		return ErrConflict
	}
	if s == nil {
		s = &memSet{ord: len(m.order)}
		m.sets[r.SetID] = s
		m.order = append(m.order, r.SetID)
	} else {
		m.unindex(prev)
	}
	s.versions = append(s.versions, r)
	m.byID[r.DocumentID] = r
	m.index(r)
	for _, c := range IdentifierChanges(prev, r) {
		if old, ok := m.alias[c.Temporary]; ok {
			m.aliased[old] = slices.DeleteFunc(m.aliased[old], func(t string) bool { return t == c.Temporary })
		}
		m.alias[c.Temporary] = c.IdentityCode
		if ts := m.aliased[c.IdentityCode]; !slices.Contains(ts, c.Temporary) {
			ts = append(ts, c.Temporary)
			slices.Sort(ts)
			m.aliased[c.IdentityCode] = ts
		}
	}
	return nil
}

// index adds the latest version r of its set to the indexes.
func (m *MemStore) index(r *api.Record) {
	for _, c := range r.Clients {
		addKey(m.byClient, c, r.SetID)
	}
	addKey(m.byCase, r.CaseID, r.SetID)
	addKey(m.byMain, r.MainDocument, r.SetID)
}

// unindex removes r, no longer the latest version of its set, from the
// indexes.
func (m *MemStore) unindex(r *api.Record) {
	for _, c := range r.Clients {
		dropKey(m.byClient, c, r.SetID)
	}
	dropKey(m.byCase, r.CaseID, r.SetID)
	dropKey(m.byMain, r.MainDocument, r.SetID)
}

func addKey(idx map[string][]string, key, setID string) {
	if key == "" || slices.Contains(idx[key], setID) {
		return
	}
	idx[key] = append(idx[key], setID)
}

func dropKey(idx map[string][]string, key, setID string) {
	if key == "" {
		return
	}
	ids := slices.DeleteFunc(idx[key], func(id string) bool { return id == setID })
	if len(ids) == 0 {
		delete(idx, key)
		return
	}
	idx[key] = ids
}

// Reset implements Store.
func (m *MemStore) Reset(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.clear()
	return nil
}
