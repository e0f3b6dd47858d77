package simulator_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/yhteistestaus/yhteistestaus/sharedtest"
	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

func sample(tb testing.TB, name string) []byte {
	tb.Helper()
	return sharedtest.ReadFile(tb, "samples", "kanta-sh-public", name)
}

// crd is the real client relation message: the frame and the document.
func crd(tb testing.TB) (frame, document []byte) {
	tb.Helper()
	return sample(tb, "client-relation-frame.xml"), sample(tb, "signature-restored/client-relation-document.xml")
}

func newSim(tb testing.TB, opts ...simulator.Option) *simulator.Simulator {
	tb.Helper()
	sim, err := simulator.New(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return sim
}

func TestLookupDoesNotCreateSessions(t *testing.T) {
	sim := newSim(t)
	tests := []struct {
		name    string
		session string
		want    error
	}{
		{"unknown session", "nobody", simulator.ErrNoSession},
		{"unknown default session", "", simulator.ErrNoSession},
		{"invalid name", "../etc", simulator.ErrInvalidSessionName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ss, err := sim.Lookup(tt.session)
			if !errors.Is(err, tt.want) || ss != nil {
				t.Errorf("Lookup(%q): got %v, %v; want no session and %v", tt.session, ss, err, tt.want)
			}
		})
	}
	if got := sim.Sessions(); len(got) != 0 {
		t.Errorf("after lookups: got sessions %v, want none", got)
	}
	created, err := sim.Session("made")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := sim.Lookup("made"); err != nil || got != created {
		t.Errorf("Lookup(made): got %p, %v; want the created session %p", got, err, created)
	}
}

func TestSessionsAreCapped(t *testing.T) {
	sim := newSim(t, simulator.WithMaxSessions(3))
	for i := range 3 {
		if _, err := sim.Session(fmt.Sprintf("s%d", i)); err != nil {
			t.Fatalf("session %d: %v", i, err)
		}
	}
	tests := []struct {
		name    string
		session string
		want    error
	}{
		{"an existing session is still served", "s1", nil},
		{"a new session is refused", "s3", simulator.ErrTooManySessions},
		{"the default session is a new one too", "", simulator.ErrTooManySessions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := sim.Session(tt.session); !errors.Is(err, tt.want) {
				t.Errorf("Session(%q): got error %v, want %v", tt.session, err, tt.want)
			}
		})
	}
	if got := len(sim.Sessions()); got != 3 {
		t.Errorf("got %d sessions, want 3", got)
	}
}

func TestLogKeepsTheNewestExchanges(t *testing.T) {
	sim := newSim(t, simulator.WithMaxExchanges(3))
	ss, err := sim.Session("log")
	if err != nil {
		t.Fatal(err)
	}
	frame, doc := crd(t)
	receive := func() *api.Exchange {
		t.Helper()
		ex, err := ss.Receive(context.Background(), frame, doc, "test")
		if err != nil {
			t.Fatalf("Receive: %v", err)
		}
		return ex
	}
	for range 5 {
		receive()
	}
	seqs := func() []int {
		var out []int
		exs, err := ss.Exchanges(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, ex := range exs {
			out = append(out, ex.Seq)
		}
		return out
	}
	if got, want := seqs(), []int{3, 4, 5}; !slices.Equal(got, want) {
		t.Errorf("after 5 messages: got sequence numbers %v, want %v", got, want)
	}
	tests := []struct {
		seq  int
		want bool
	}{{1, false}, {2, false}, {3, true}, {5, true}, {6, false}}
	for _, tt := range tests {
		ex, err := ss.Exchange(context.Background(), tt.seq)
		if ok := err == nil; ok != tt.want || (ok && ex.Seq != tt.seq) || (!ok && !errors.Is(err, simulator.ErrNoExchange)) {
			t.Errorf("Exchange(%d): got %v, %v; want found %v", tt.seq, ex, ok, tt.want)
		}
	}
	if err := ss.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := seqs(); len(got) != 0 {
		t.Errorf("after reset: got %v, want an empty log", got)
	}
	// Sequence numbers, and so acknowledgement ids, never repeat.
	if ex := receive(); ex.Seq != 6 {
		t.Errorf("first message after reset: got sequence number %d, want 6", ex.Seq)
	}
}

// A message whose request ends before it is judged is neither archived
// nor logged.
func TestReceiveCancelled(t *testing.T) {
	sim := newSim(t)
	ss, err := sim.Session("cancel")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	frame, doc := crd(t)
	ex, err := ss.Receive(ctx, frame, doc, "test")
	if !errors.Is(err, context.Canceled) || ex != nil {
		t.Fatalf("Receive: got %v, %v; want no exchange and context.Canceled", ex, err)
	}
	if exs, err := ss.Exchanges(context.Background()); err != nil || len(exs) != 0 {
		t.Errorf("got %d logged exchanges (%v), want 0", len(exs), err)
	}
	latest, err := ss.Archive().Store().Latest(context.Background())
	if err != nil || len(latest) != 0 {
		t.Errorf("got %d archived sets (%v), want 0", len(latest), err)
	}
	// The next message gets the first sequence number.
	if ex, err := ss.Receive(context.Background(), frame, doc, "test"); err != nil || ex.Seq != 1 {
		t.Errorf("next Receive: got %+v, %v; want sequence number 1", ex, err)
	}
}

// Resets and messages interleave without races; every acknowledgement id
// (sequence number) is distinct.
func TestResetDuringReceive(t *testing.T) {
	sim := newSim(t)
	ss, err := sim.Session("race")
	if err != nil {
		t.Fatal(err)
	}
	frame, doc := crd(t)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seqs []int
	)
	for range 2 {
		wg.Go(func() {
			for range 4 {
				ex, err := ss.Receive(context.Background(), frame, doc, "test")
				if err != nil {
					t.Errorf("Receive: %v", err)
					return
				}
				mu.Lock()
				seqs = append(seqs, ex.Seq)
				mu.Unlock()
			}
		})
	}
	wg.Go(func() {
		for range 4 {
			if err := ss.Reset(context.Background()); err != nil {
				t.Errorf("Reset: %v", err)
			}
		}
	})
	wg.Wait()
	slices.Sort(seqs)
	if want := []int{1, 2, 3, 4, 5, 6, 7, 8}; !slices.Equal(seqs, want) {
		t.Errorf("got sequence numbers %v, want %v", seqs, want)
	}
}

// The log shows test identities as they are and masks any other identity
// code.
func TestExchangeMasksRealIdentityCodes(t *testing.T) {
	const (
		testCode = "200111A904P"
		realCode = "200111A304B" // valid, outside the 900 test series
	)
	tests := []struct {
		name, code, want string
	}{
		{"test identity", testCode, "1.2.246.21^" + testCode},
		{"real identity", realCode, "1.2.246.21^***********"},
		{"malformed identity", "200111A904X", "1.2.246.21^***********"},
	}
	sim := newSim(t)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ss, err := sim.Session(fmt.Sprintf("mask%d", i))
			if err != nil {
				t.Fatal(err)
			}
			frame, doc := crd(t)
			frame = bytes.ReplaceAll(frame, []byte(testCode), []byte(tt.code))
			doc = bytes.ReplaceAll(doc, []byte(testCode), []byte(tt.code))
			ex, err := ss.Receive(context.Background(), frame, doc, "test")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ex.Clients, []string{tt.want}) {
				t.Errorf("got clients %q, want [%q]", ex.Clients, tt.want)
			}
		})
	}
}

// The validator applies the simulator's limits, the ones the transport
// reads within.
func TestValidatorUsesTheSimulatorsLimits(t *testing.T) {
	tests := []struct {
		name string
		opts []simulator.Option
		want wire.Limits
	}{
		{"defaults", nil, wire.DefaultLimits()},
		{"a larger body", []simulator.Option{simulator.WithLimits(wire.Limits{MaxBytes: 50 << 20})},
			wire.Limits{MaxBytes: 50 << 20}.WithDefaults()},
		{"everything set", []simulator.Option{simulator.WithLimits(wire.Limits{MaxBytes: 1000, MaxParts: 3, MaxDepth: 9, MaxElements: 50, MaxAttributes: 4, MaxNamespaces: 2, MaxNamespacesTotal: 5})},
			wire.Limits{MaxBytes: 1000, MaxParts: 3, MaxDepth: 9, MaxElements: 50, MaxAttributes: 4, MaxNamespaces: 2, MaxNamespacesTotal: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t, tt.opts...)
			if got := sim.Limits(); got != tt.want {
				t.Errorf("Limits() = %+v, want %+v", got, tt.want)
			}
			if got, want := sim.Validator().Limits, tt.want; got != want {
				t.Errorf("validator limits = %+v, want %+v", got, want)
			}
		})
	}
	// The validator refuses a document over the simulator's size limit.
	sim := newSim(t, simulator.WithLimits(wire.Limits{MaxBytes: 1000}))
	frame, doc := crd(t)
	res := sim.Validate(context.Background(), frame, doc)
	if !slices.Contains(res.Findings.Rules(), "XML-TOO-LARGE") {
		t.Errorf("a %d-byte document under a 1000-byte limit: got rules %v, want XML-TOO-LARGE", len(doc), res.Findings.Rules())
	}
}
