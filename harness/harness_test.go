package harness

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus/simulator/control"
)

// The embedded archive answers its control API until it is closed.
func TestArchiveServesUntilClosed(t *testing.T) {
	a, err := StartArchive()
	if err != nil {
		t.Fatal(err)
	}
	c := Client(a.URL(), "", time.Date(2026, 12, 2, 15, 4, 5, 0, time.UTC))
	if !strings.HasPrefix(c.Session, "run-20261202-150405-") {
		t.Errorf("session %q, want a fresh run-… name", c.Session)
	}
	if _, err := c.Messages(context.Background(), control.MessageFilter{}); err != nil {
		t.Fatalf("a fresh archive does not answer: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Messages(context.Background(), control.MessageFilter{}); err == nil {
		t.Error("the archive still answers after Close")
	}
}
