// Package storetest is the conformance suite of simulator.Store, the
// sessions with their logs: every implementation runs Run (the archives
// have their own suite, simulator/archive/archivetest).
package storetest

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
)

var created = time.Date(2026, 7, 20, 10, 0, 0, 0, time.UTC)

// Run runs the suite; open returns a new, empty store each time.
func Run(t *testing.T, open func(t *testing.T) simulator.Store) {
	t.Run("Sessions", func(t *testing.T) { testSessions(t, open(t)) })
	t.Run("Log", func(t *testing.T) { testLog(t, open(t)) })
}

func create(t *testing.T, st simulator.Store, name, owner string) {
	t.Helper()
	if err := st.CreateSession(context.Background(), simulator.SessionInfo{Name: name, Owner: owner, Created: created, LastUsed: created}); err != nil {
		t.Fatalf("CreateSession %s: %v", name, err)
	}
}

func testSessions(t *testing.T, st simulator.Store) {
	ctx := context.Background()
	create(t, st, "b", "vendor-b")
	create(t, st, "a", "")
	if err := st.CreateSession(ctx, simulator.SessionInfo{Name: "a"}); err == nil {
		t.Error("a second session a was created, want an error")
	}
	used := created.Add(time.Hour)
	if err := st.UpdateSession(ctx, simulator.SessionInfo{Name: "b", ClockOffset: 48 * time.Hour, LastUsed: used}); err != nil {
		t.Fatal(err)
	}
	infos, err := st.Sessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != 2 || infos[0].Name != "a" || infos[1].Name != "b" {
		t.Fatalf("Sessions = %+v, want a and b", infos)
	}
	b := infos[1]
	if b.Owner != "vendor-b" || b.ClockOffset != 48*time.Hour || !b.LastUsed.Equal(used) || !b.Created.Equal(created) {
		t.Errorf("session b = %+v, want owner vendor-b, clock offset 48h, last used %v, created %v", b, used, created)
	}
	if err := st.DeleteSession(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteSession(ctx, "nobody"); err != nil {
		t.Errorf("DeleteSession of an unknown session: %v, want nil", err)
	}
	infos, err = st.Sessions(ctx)
	if err != nil || len(infos) != 1 || infos[0].Name != "a" {
		t.Errorf("after deleting b Sessions = %+v, %v, want a", infos, err)
	}
}

func exchange(seq int) *api.Exchange {
	return &api.Exchange{
		Seq: seq, ReceivedAt: created, Transport: "soap-1.1", MessageID: "1.2.3^m", Operation: api.OpStore,
		Accepted: true, AckType: "AA", Clients: []string{"1.2.246.21^010101A900A"},
		Findings: yhteistestaus.Findings{{Rule: "HDR-SERVICE-TASK", Severity: yhteistestaus.SeverityWarning, Message: "m", Location: "/x"}},
		Frame:    []byte("<frame/>"), Document: []byte("<ClinicalDocument/>"), FrameSize: 8, DocumentSize: 19,
	}
}

func seqs(exs []*api.Exchange) []int {
	var out []int
	for _, ex := range exs {
		out = append(out, ex.Seq)
	}
	return out
}

func testLog(t *testing.T, st simulator.Store) {
	ctx := context.Background()
	create(t, st, "s", "")
	create(t, st, "other", "")
	log := st.Log("s")
	for seq := 1; seq <= 5; seq++ {
		if err := log.Append(ctx, exchange(seq), 3, created.Add(time.Duration(seq)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Log("other").Append(ctx, exchange(1), 3, created); err != nil {
		t.Fatal(err)
	}
	exs, err := log.Exchanges(ctx)
	if err != nil || !slices.Equal(seqs(exs), []int{3, 4, 5}) {
		t.Fatalf("Exchanges = %v, %v, want the newest 3", seqs(exs), err)
	}
	if got := exs[0]; got.MessageID != "1.2.3^m" || len(got.Findings) != 1 || got.Findings[0].Rule != "HDR-SERVICE-TASK" || got.DocumentSize != 19 {
		t.Errorf("logged exchange %+v lost fields", got)
	}
	if err := log.Acknowledge(ctx, 4, []byte("<ack/>")); err != nil {
		t.Fatal(err)
	}
	ex, err := log.Exchange(ctx, 4)
	if err != nil || !bytes.Equal(ex.Frame, []byte("<frame/>")) || !bytes.Equal(ex.Document, []byte("<ClinicalDocument/>")) || !bytes.Equal(ex.Ack, []byte("<ack/>")) {
		t.Errorf("Exchange 4 = %+v, %v, want its frame, document and acknowledgement", ex, err)
	}
	if _, err := log.Exchange(ctx, 1); !errors.Is(err, simulator.ErrNoExchange) {
		t.Errorf("Exchange of a dropped exchange: %v, want ErrNoExchange", err)
	}
	infos, err := st.Sessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, info := range infos {
		if info.Name == "s" && (info.LastSeq != 5 || !info.LastUsed.Equal(created.Add(5*time.Minute))) {
			t.Errorf("session s = %+v, want last sequence number 5, last used at the last append", info)
		}
	}
	if err := log.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if exs, err := log.Exchanges(ctx); err != nil || len(exs) != 0 {
		t.Errorf("after Reset Exchanges = %v, %v, want none", seqs(exs), err)
	}
	if exs, err := st.Log("other").Exchanges(ctx); err != nil || len(exs) != 1 {
		t.Errorf("another session's log = %v, %v, want its one exchange", seqs(exs), err)
	}
}
