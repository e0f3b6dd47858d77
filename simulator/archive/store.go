package archive

import (
	"context"
	"slices"
	"sync"

	"github.com/yhteistestaus/yhteistestaus/simulator/api"
)

// Store holds the archived versions of one archive (one session). The
// archive derives organisations, registers, clients, client relation
// documents, cases and client documents from the versions it holds.
//
// Implementations must be safe for concurrent use.
type Store interface {
	// Versions returns every version of the set, oldest first; an unknown
	// set gives an empty slice and no error.
	Versions(ctx context.Context, setID string) ([]*api.Record, error)
	// ByDocumentID returns the version with the document id, or ErrNotFound.
	ByDocumentID(ctx context.Context, documentID string) (*api.Record, error)
	// Latest returns the latest version of every set, ordered by the time
	// the set was first stored.
	Latest(ctx context.Context) ([]*api.Record, error)
	// Add appends r to its set if the set's latest version number is
	// prevVersion (0 for a new set); otherwise it returns ErrConflict.
	Add(ctx context.Context, r *api.Record, prevVersion int) error
	// Reset removes everything.
	Reset(ctx context.Context) error
}

// MemStore is the in-memory Store.
type MemStore struct {
	mu    sync.RWMutex
	sets  map[string][]*api.Record
	order []string
	byID  map[string]*api.Record
}

var _ Store = (*MemStore)(nil)

// NewMemStore returns an empty in-memory store.
func NewMemStore() *MemStore {
	return &MemStore{sets: make(map[string][]*api.Record), byID: make(map[string]*api.Record)}
}

// Versions implements Store.
func (m *MemStore) Versions(ctx context.Context, setID string) ([]*api.Record, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return slices.Clone(m.sets[setID]), nil
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

// Latest implements Store.
func (m *MemStore) Latest(ctx context.Context) ([]*api.Record, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]*api.Record, 0, len(m.order))
	for _, id := range m.order {
		vs := m.sets[id]
		out = append(out, vs[len(vs)-1])
	}
	return out, nil
}

// Add implements Store.
func (m *MemStore) Add(ctx context.Context, r *api.Record, prevVersion int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	vs := m.sets[r.SetID]
	latest := 0
	if len(vs) > 0 {
		latest = vs[len(vs)-1].Version
	}
	if latest != prevVersion {
		return ErrConflict
	}
	if _, dup := m.byID[r.DocumentID]; dup {
		return ErrConflict
	}
	if len(vs) == 0 {
		m.order = append(m.order, r.SetID)
	}
	m.sets[r.SetID] = append(vs, r)
	m.byID[r.DocumentID] = r
	return nil
}

// Reset implements Store.
func (m *MemStore) Reset(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sets = make(map[string][]*api.Record)
	m.byID = make(map[string]*api.Record)
	m.order = nil
	return nil
}
