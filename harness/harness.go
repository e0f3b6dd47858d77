// Package harness starts what a conformance run needs besides the vendor
// system: the embedded mock archive (simulated Kanta social-welfare client
// data archive, sosiaalihuollon asiakastiedon arkisto) on a loopback port,
// and the control client the runner and the steps talk to it with.
package harness

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/control"
	"github.com/yhteistestaus/yhteistestaus/simulator/server"
)

// Archive is an embedded mock archive serving on a free loopback port.
type Archive struct {
	srv *server.Server
}

// StartArchive starts the embedded archive with the simulator's options
// (the vendor's declared organisations, code lists).
func StartArchive(opts ...simulator.Option) (*Archive, error) {
	sim, err := simulator.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("start the embedded archive: %w", err)
	}
	srv := &server.Server{Addr: "127.0.0.1:0", Sim: sim}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("start the embedded archive: %w", err)
	}
	return &Archive{srv: srv}, nil
}

// URL is the archive's base URL.
func (a *Archive) URL() string { return a.srv.URL() }

// Close shuts the archive down, waiting at most five seconds for requests
// in flight.
func (a *Archive) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("shut down the embedded archive: %w", err)
	}
	return nil
}

// Client returns a control client for the archive at base in the session;
// an empty session gets a fresh name, unique to this run.
func Client(base, session string, now time.Time) *control.Client {
	if session == "" {
		session = SessionName(now)
	}
	return &control.Client{BaseURL: base, Session: session}
}

// SessionName is a fresh session name: "run-20261202-150405-1a2b3c4d".
func SessionName(t time.Time) string {
	b := make([]byte, 4)
	rand.Read(b) // never fails (crypto/rand)
	return "run-" + t.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b)
}
