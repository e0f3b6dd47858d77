package control_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/body"
	"github.com/yhteistestaus/yhteistestaus/simulator/control"
	"github.com/yhteistestaus/yhteistestaus/simulator/server"
	"github.com/yhteistestaus/yhteistestaus/simulator/sosmeta"
	"github.com/yhteistestaus/yhteistestaus/simulator/sosmeta/sosmetatest"
)

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	sim, err := simulator.New()
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer((&server.Server{Sim: sim}).Handler())
	t.Cleanup(ts.Close)
	return ts
}

// A session nothing was sent to reads as empty, without creating it; what
// is looked up one by one is not found.
func TestUnknownSession(t *testing.T) {
	ts := newServer(t)
	c := &control.Client{BaseURL: ts.URL, Session: "new"}
	ctx := context.Background()
	msgs, err := c.Messages(ctx, control.MessageFilter{})
	if err != nil || len(msgs) != 0 {
		t.Errorf("Messages: got %d, %v; want none and no error", len(msgs), err)
	}
	sets, err := c.Archive(ctx, control.ArchiveFilter{})
	if err != nil || len(sets) != 0 {
		t.Errorf("Archive: got %d, %v; want none and no error", len(sets), err)
	}
	tests := []struct {
		name string
		call func() error
	}{
		{"Message", func() error { _, err := c.Message(ctx, 1); return err }},
		{"Versions", func() error { _, err := c.Versions(ctx, "1.2.3"); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if !errors.Is(err, control.ErrNoSession) || !errors.Is(err, control.ErrNotFound) {
				t.Errorf("got %v, want ErrNoSession, which is ErrNotFound", err)
			}
		})
	}
	// The reads created nothing; a reset creates the session.
	if err := c.Reset(ctx); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	if _, err := c.Versions(ctx, "1.2.3"); !errors.Is(err, control.ErrNotFound) || errors.Is(err, control.ErrNoSession) {
		t.Errorf("Versions of an unknown set: got %v, want ErrNotFound only", err)
	}
}

// An answer over the client's limit is reported as such, not as broken
// JSON.
func TestAnswerTooLarge(t *testing.T) {
	tests := []struct {
		name    string
		answer  string
		limit   int64
		wantErr string
	}{
		{"answer within the limit", `{"messages":[]}`, 15, ""},
		{"answer one byte over", `{"messages":[] }`, 15, "answer larger than 15 bytes"},
		{"answer far over", `{"messages":[` + strings.Repeat(" ", 1<<20) + `]}`, 1024, "answer larger than 1024 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Write([]byte(tt.answer))
			}))
			defer ts.Close()
			c := &control.Client{BaseURL: ts.URL, Session: "s", MaxAnswer: tt.limit}
			_, err := c.Messages(context.Background(), control.MessageFilter{})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("got %v, want an error saying %q", err, tt.wantErr)
			}
		})
	}
}

// The archive tells which document structures it judges bodies with: only
// its own embedded fallback schemas, or THL's Sosmeta export.
func TestStructuresTellsTheSetTheArchiveJudgesWith(t *testing.T) {
	fallback, err := body.DefaultSchemas()
	if err != nil {
		t.Fatal(err)
	}
	sets := []struct {
		name    string
		set     func(t *testing.T) *sosmeta.Set
		sosmeta bool
	}{
		{"embedded fallback", func(*testing.T) *sosmeta.Set { return fallback }, false},
		{"THL's Sosmeta export", func(t *testing.T) *sosmeta.Set { return sosmetatest.Open(t) }, true},
	}
	for _, tt := range sets {
		t.Run(tt.name, func(t *testing.T) {
			set := tt.set(t)
			sim, err := simulator.New(simulator.WithStructures(set))
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer((&server.Server{Sim: sim}).Handler())
			defer ts.Close()
			got, err := (&control.Client{BaseURL: ts.URL, Session: "any"}).Structures(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got.Sosmeta != tt.sosmeta || got.Count != set.Len() || got.Source != set.Source().String() {
				t.Errorf("got %+v, want sosmeta %v, %d structures from %s", got, tt.sosmeta, set.Len(), set.Source())
			}
		})
	}
}
