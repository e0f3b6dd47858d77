package harness

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/access"
	"github.com/yhteistestaus/yhteistestaus/simulator/control"
	"github.com/yhteistestaus/yhteistestaus/simulator/server"
)

// The control client reaches a shared archive with tokens only with a
// token it knows, sent by Credentials' HTTP client or by Client.Token.
func TestCredentialsSendTheToken(t *testing.T) {
	const acme = "acme-0123456789abcdef"
	tk, err := access.New(access.File{Vendors: []access.Vendor{{Name: "acme", Token: acme}}})
	if err != nil {
		t.Fatal(err)
	}
	sim, err := simulator.New()
	if err != nil {
		t.Fatal(err)
	}
	srv := &server.Server{Addr: "127.0.0.1:0", Sim: sim, Tokens: tk}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	ctx := context.Background()
	tests := []struct {
		name    string
		client  *control.Client
		wantErr error
	}{
		{"no token", &control.Client{BaseURL: srv.URL(), Session: "acme-1"}, control.ErrUnauthorized},
		{"an unknown token", &control.Client{BaseURL: srv.URL(), Session: "acme-1", HTTP: Credentials{Token: "unknown-0123456789abcdef"}.HTTPClient(time.Second)}, control.ErrUnauthorized},
		{"Credentials' client", &control.Client{BaseURL: srv.URL(), Session: "acme-1", HTTP: Credentials{Token: acme}.HTTPClient(time.Second)}, nil},
		{"Client.Token", &control.Client{BaseURL: srv.URL(), Session: "acme-2", Token: acme}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.client.Reset(ctx); !errors.Is(err, tt.wantErr) {
				t.Errorf("Reset: %v, want %v", err, tt.wantErr)
			}
		})
	}
}
