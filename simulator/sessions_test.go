package simulator_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/sqlstore"
)

// A simulator over a store that held sessions takes them up: owner,
// clock, sequence numbers, log and archive.
func TestSessionsSurviveARestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.db")
	open := func() (*simulator.Simulator, func()) {
		db, err := sqlstore.OpenSQLite(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		return newSim(t, simulator.WithStore(db)), func() { db.Close() }
	}
	sim, closeDB := open()
	ss, err := sim.SessionFor("vendor-a-1", simulator.Owner{Name: "vendor-a"})
	if err != nil {
		t.Fatal(err)
	}
	frame, doc := crd(t)
	ex, err := ss.Receive(ctx, frame, doc, "test")
	if err != nil || ex.AckType != kanta.AckAccepted {
		t.Fatalf("Receive: %+v, %v, want AA", ex, err)
	}
	if err := ss.Acknowledged(ctx, ex.Seq, []byte("<ack/>")); err != nil {
		t.Fatal(err)
	}
	if err := ss.AdvanceClock(ctx, 72*time.Hour); err != nil {
		t.Fatal(err)
	}
	closeDB()

	sim, closeDB = open()
	defer closeDB()
	ss, err = sim.Lookup("vendor-a-1")
	if err != nil {
		t.Fatalf("after the restart: %v", err)
	}
	if ss.Owner != "vendor-a" {
		t.Errorf("owner %q, want vendor-a", ss.Owner)
	}
	if d := time.Until(ss.Clock.Now()); d < 71*time.Hour || d > 73*time.Hour {
		t.Errorf("clock %v ahead, want 72h", d)
	}
	got, err := ss.Exchange(ctx, ex.Seq)
	if err != nil || !bytes.Equal(got.Frame, frame) || !bytes.Equal(got.Document, doc) || string(got.Ack) != "<ack/>" || got.AckType != kanta.AckAccepted {
		t.Errorf("logged exchange %+v, %v, want the message with its AA", got, err)
	}
	if r, err := ss.Archive().Store().ByDocumentID(ctx, ex.DocumentID); err != nil || r.SetID != ex.SetID {
		t.Errorf("archived %+v, %v, want set %s", r, err, ex.SetID)
	}
	// Sequence numbers go on; the same document is now a duplicate.
	ex2, err := ss.Receive(ctx, frame, doc, "test")
	if err != nil || ex2.Seq != ex.Seq+1 || ex2.Accepted {
		t.Errorf("second Receive: %+v, %v, want sequence number %d, not archived", ex2, err, ex.Seq+1)
	}
}

func TestDeleteSession(t *testing.T) {
	ctx := context.Background()
	sim := newSim(t)
	ss, err := sim.Session("gone")
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.DeleteSession(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.Lookup("gone"); !errors.Is(err, simulator.ErrNoSession) {
		t.Errorf("Lookup after delete: %v, want ErrNoSession", err)
	}
	if err := sim.DeleteSession(ctx, "gone"); !errors.Is(err, simulator.ErrNoSession) {
		t.Errorf("second delete: %v, want ErrNoSession", err)
	}
	// A message for the deleted session's old handle is refused.
	frame, doc := crd(t)
	if _, err := ss.Receive(ctx, frame, doc, "test"); !errors.Is(err, simulator.ErrNoSession) {
		t.Errorf("Receive on a deleted session: %v, want ErrNoSession", err)
	}
	// A session of the same name starts empty.
	ss, err = sim.Session("gone")
	if err != nil {
		t.Fatal(err)
	}
	if exs, err := ss.Exchanges(ctx); err != nil || len(exs) != 0 {
		t.Errorf("new session's log %d, %v, want empty", len(exs), err)
	}
}

func TestExpireSessions(t *testing.T) {
	ctx := context.Background()
	sim := newSim(t)
	for _, name := range []string{"idle", "busy"} {
		if _, err := sim.Session(name); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(20 * time.Millisecond)
	busy, _ := sim.Lookup("busy")
	if err := busy.AdvanceClock(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	gone, err := sim.ExpireSessions(ctx, 10*time.Millisecond)
	if err != nil || len(gone) != 1 || gone[0] != "idle" {
		t.Errorf("ExpireSessions = %v, %v, want [idle]", gone, err)
	}
	if got := sim.Sessions(); len(got) != 1 || got[0] != "busy" {
		t.Errorf("sessions left %v, want [busy]", got)
	}
}

// A rejected message's parts are kept only up to MaxRejectedPart, with
// the whole part's size and SHA-256.
func TestRejectedPartsAreTruncated(t *testing.T) {
	ctx := context.Background()
	ss, err := newSim(t).Session("big")
	if err != nil {
		t.Fatal(err)
	}
	frame, _ := crd(t)
	doc := bytes.Repeat([]byte("x"), simulator.MaxRejectedPart+1000)
	ex, err := ss.Receive(ctx, frame, doc, "test")
	if err != nil || ex.Accepted {
		t.Fatalf("Receive: %+v, %v, want rejected", ex, err)
	}
	got, err := ss.Exchange(ctx, ex.Seq)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Truncated || len(got.Document) != simulator.MaxRejectedPart || got.DocumentSize != len(doc) || len(got.DocumentSHA256) != 64 || !bytes.Equal(got.Frame, frame) {
		t.Errorf("logged truncated %t, %d document bytes of %d, sha256 %q, want %d bytes kept of %d", got.Truncated, len(got.Document), got.DocumentSize, got.DocumentSHA256, simulator.MaxRejectedPart, len(doc))
	}
}
