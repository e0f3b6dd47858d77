package archive_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus/catalogue"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/simulator/archive"
	"github.com/yhteistestaus/yhteistestaus/simulator/rules"
)

// eventStore is a store that logs the calls the archive makes and holds
// the first Versions call until release is closed.
type eventStore struct {
	archive.Store
	entered, release chan struct{}
	once             sync.Once

	mu     sync.Mutex
	events []string
}

func (s *eventStore) log(e string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, e)
}

func (s *eventStore) Versions(ctx context.Context, setID string) ([]*api.Record, error) {
	s.once.Do(func() {
		s.log("versions")
		close(s.entered)
		<-s.release
	})
	return s.Store.Versions(ctx, setID)
}

func (s *eventStore) Add(ctx context.Context, r *api.Record, prev int) error {
	s.log("add")
	return s.Store.Add(ctx, r, prev)
}

func (s *eventStore) Reset(ctx context.Context) error {
	s.log("reset")
	return s.Store.Reset(ctx)
}

// A reset waits for the submission under way: the archive never resets
// between a submission's reading of the state and its storing.
func TestResetWaitsForSubmit(t *testing.T) {
	f := docs{t}
	v, err := rules.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	v.Now = fixedClock
	res := message(t, v, f.crd("1", jade), "", "1")
	store := &eventStore{Store: archive.NewMemStore(), entered: make(chan struct{}), release: make(chan struct{})}
	a := archive.New(store, catalogue.DefaultRules(), fixedClock)

	submitted := make(chan *archive.Outcome, 1)
	go func() {
		out, err := a.Submit(context.Background(), res, "1")
		if err != nil {
			t.Errorf("Submit: %v", err)
		}
		submitted <- out
	}()
	<-store.entered
	reset := make(chan error, 1)
	go func() { reset <- a.Reset(context.Background()) }()
	time.Sleep(50 * time.Millisecond) // time enough for an unguarded reset
	close(store.release)
	if out := <-submitted; out == nil || !out.Accepted {
		t.Fatalf("Submit: got %+v, want accepted", out)
	}
	if err := <-reset; err != nil {
		t.Fatalf("Reset: %v", err)
	}
	store.mu.Lock()
	defer store.mu.Unlock()
	if want := []string{"versions", "add", "reset"}; !slices.Equal(store.events, want) {
		t.Errorf("got store calls %v, want %v", store.events, want)
	}
	latest, err := store.Latest(context.Background())
	if err != nil || len(latest) != 0 {
		t.Errorf("after Reset: got %d sets (error %v), want none", len(latest), err)
	}
}

// The stored record shares the received document's bytes instead of
// copying them.
func TestStoredRecordSharesTheDocument(t *testing.T) {
	f := docs{t}
	e := newEnv(t)
	res := message(t, e.v, f.crd("1", jade), "", "1")
	out, err := e.a.Submit(context.Background(), res, "1")
	if err != nil || !out.Accepted {
		t.Fatalf("Submit: got %+v, %v; want accepted", out, err)
	}
	raw, doc := res.Document.Raw, out.Record.Document
	if len(raw) == 0 || len(doc) != len(raw) || &doc[0] != &raw[0] {
		t.Errorf("got a record document of %d bytes at %p, want the received %d bytes at %p", len(doc), doc, len(raw), raw)
	}
}
