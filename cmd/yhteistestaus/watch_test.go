package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus/sharedtest"
	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/simulator/control"
	"github.com/yhteistestaus/yhteistestaus/simulator/server"
	"github.com/yhteistestaus/yhteistestaus/sut"
)

// sampleMessage is one real message's frame and document, with the
// version number changed to version.
type sampleMessage struct{ frame, document []byte }

func readSample(t *testing.T, name, version string) sampleMessage {
	t.Helper()
	var m sampleMessage
	for part, dst := range map[string]*[]byte{"frame": &m.frame, "document": &m.document} {
		b := sharedtest.ReadFile(t, "samples", "kanta-sh-public", name+"-"+part+".xml")
		*dst = bytes.ReplaceAll(b, []byte(`versionNumber value="1"`), []byte(`versionNumber value="`+version+`"`))
	}
	return m
}

// watchSession starts a simulator server on the loopback and returns the
// control client of a fresh session and the session, to feed it messages.
func watchSession(t *testing.T) (*control.Client, *simulator.Session) {
	t.Helper()
	sim, err := simulator.New()
	if err != nil {
		t.Fatalf("simulator.New: %v", err)
	}
	srv := &server.Server{Addr: "127.0.0.1:0", Sim: sim}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	ss, err := sim.Session("watch")
	if err != nil {
		t.Fatal(err)
	}
	return &control.Client{BaseURL: srv.URL(), Session: "watch"}, ss
}

func receive(t *testing.T, ss *simulator.Session, m sampleMessage) *api.Exchange {
	t.Helper()
	ex, err := ss.Receive(context.Background(), m.frame, m.document, "soap-1.1")
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	return ex
}

// TestWatchArchiveWaitsForTheLastMessage: an action that sends two
// messages one after the other (annulling a case annuls its documents
// first) is done only when both arrived and the log stayed quiet for one
// poll, and the result names both documents with their kind and version.
func TestWatchArchiveWaitsForTheLastMessage(t *testing.T) {
	ctx := context.Background()
	ac, ss := watchSession(t)
	receive(t, ss, readSample(t, "client-relation", "1")) // before the action: not its message
	watch := watchArchive(ac)
	req := sut.Request{Protocol: sut.Protocol, ID: "r-1", Action: sut.ActionAnnul}

	poll := func(when string, wantDone bool) *sut.Result {
		t.Helper()
		res, done, err := watch(ctx, req)
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if done != wantDone {
			t.Fatalf("%s: got done %v, want %v (result %+v)", when, done, wantDone, res)
		}
		return res
	}
	poll("the first poll takes the mark", false)
	poll("nothing arrived yet", false)
	first := receive(t, ss, readSample(t, "plan", "2"))
	poll("the first message arrived, the log grew since the last poll", false)
	second := receive(t, ss, readSample(t, "client-relation", "3"))
	poll("the second message arrived, the log grew since the last poll", false)
	res := poll("the log stayed quiet for one poll", true)

	if got, want := res.MessageIDs, []string{first.MessageID, second.MessageID}; !slices.Equal(got, want) {
		t.Errorf("message ids: got %q, want %q (the messages after the mark)", got, want)
	}
	want := []sut.DocumentRef{
		{DocumentID: first.DocumentID, SetID: first.SetID, Version: 2, Kind: first.Kind},
		{DocumentID: second.DocumentID, SetID: second.SetID, Version: 3, Kind: "client-relation"},
	}
	if !slices.Equal(res.Documents, want) {
		t.Errorf("documents:\ngot  %+v\nwant %+v", res.Documents, want)
	}
	if first.Kind == "" {
		t.Errorf("the simulator read no kind for the plan sample; the test needs one")
	}
}

func TestWatchArchiveOutcomes(t *testing.T) {
	tests := []struct {
		name    string
		action  sut.Action
		version string // of the message that arrives
		done    bool
		err     string // the error contains this
	}{
		{"an action that sends nothing waits for the operator", sut.ActionRegisterClient, "1", false, ""},
		{"a search sends nothing to watch for", sut.ActionSearch, "1", false, ""},
		{"one message, then a quiet poll, is done", sut.ActionStoreDocument, "1", true, ""},
		{"a version that is not a number is an error", sut.ActionStoreDocument, "x1", false, `version "x1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			ac, ss := watchSession(t)
			watch := watchArchive(ac)
			req := sut.Request{Protocol: sut.Protocol, ID: "r-2", Action: tt.action}
			if _, done, err := watch(ctx, req); done || err != nil {
				t.Fatalf("first poll: got done %v, error %v; want neither", done, err)
			}
			receive(t, ss, readSample(t, "plan", tt.version))
			var (
				done bool
				err  error
			)
			for range 3 {
				if _, done, err = watch(ctx, req); done || err != nil {
					break
				}
			}
			if done != tt.done {
				t.Errorf("got done %v, want %v", done, tt.done)
			}
			switch {
			case tt.err == "" && err != nil:
				t.Errorf("got error %v, want none", err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Errorf("got error %v, want one containing %s", err, tt.err)
			}
		})
	}
}
