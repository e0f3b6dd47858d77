package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus/simulator/access/accesstest"
)

// serve --addr beyond loopback without --tokens refuses to start, with an
// error that says how to serve safely; --insecure overrides.
func TestServeBeyondLoopbackNeedsTokens(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0"} {
		status, _, errOut := run(t, "serve", "--addr", addr)
		if status != exitUsage || !strings.Contains(errOut, "--tokens") || !strings.Contains(errOut, "--insecure") {
			t.Errorf("serve --addr %s without tokens: exit %d, %q; want %d and an error naming --tokens and --insecure", addr, status, errOut, exitUsage)
		}
	}
}

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:8080", true},
		{"127.1.2.3:0", true},
		{"[::1]:0", true},
		{"localhost:0", true},
		{"0.0.0.0:8080", false},
		{":8080", false},
		{"[::]:0", false},
		{"192.0.2.1:8080", false},
		{"no-port", false},
	}
	for _, tt := range tests {
		if err := checkLoopback(context.Background(), tt.addr); (err == nil) != tt.ok {
			t.Errorf("checkLoopback(%q) = %v, want ok %v", tt.addr, err, tt.ok)
		}
	}
}

// startServe runs serve with args until the test ends and returns its URL
// and what it wrote to standard error so far.
func startServe(t *testing.T, args ...string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	errb := &syncBuffer{}
	m := &Main{Stdout: &bytes.Buffer{}, Stderr: errb, Ready: func(url string) { ready <- url }}
	done := make(chan int, 1)
	go func() { done <- m.Run(ctx, append([]string{"serve"}, args...)) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop")
		}
	})
	select {
	case url := <-ready:
		return url, errb
	case status := <-done:
		t.Fatalf("serve exited %d: %s", status, errb.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	return "", nil
}

// With --tokens, serve listens beyond loopback; the coordinator token the
// file leaves out is generated and printed once, and a request needs it.
func TestServeWithTokensPrintsTheGeneratedCoordinatorToken(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tokens.yaml")
	if err := os.WriteFile(file, []byte("vendors:\n  - name: acme\n    token: acme-0123456789abcdef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	url, errb := startServe(t, "--addr", "0.0.0.0:0", "--tokens", file)
	url = strings.Replace(url, "0.0.0.0", "127.0.0.1", 1)
	m := regexp.MustCompile(`coordinator token \(generated[^)]*\): ([0-9a-f]{64})`).FindStringSubmatch(errb.String())
	if m == nil {
		t.Fatalf("no generated coordinator token printed:\n%s", errb.String())
	}
	for _, tt := range []struct {
		token string
		want  int
	}{
		{"", http.StatusUnauthorized},
		{"acme-0123456789abcdef", http.StatusOK},
		{m[1], http.StatusOK},
	} {
		req, _ := http.NewRequest(http.MethodGet, url+"/api/sessions", nil)
		if tt.token != "" {
			req.Header.Set("Authorization", "Bearer "+tt.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("token %q: %d, want %d", tt.token, resp.StatusCode, tt.want)
		}
	}
}

func TestServeRefusesABadTokensFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tokens.yaml")
	if err := os.WriteFile(file, []byte("vendors:\n  - name: acme\n    token: short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	status, _, errOut := run(t, "serve", "--tokens", file)
	if status != exitUsage || !strings.Contains(errOut, file) || !strings.Contains(errOut, "token of 5 characters") {
		t.Errorf("exit %d, %q; want %d naming the file and the problem", status, errOut, exitUsage)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader in
// different goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// A run against a shared archive with tokens sends its token to the
// control API, and the reference system sends it with its messages: the
// run passes, its session is the vendor's own, and another vendor does not
// see it. Without the token the run is not tested.
func TestRunWithTokenAgainstSharedArchive(t *testing.T) {
	const acme, beta, coord = "acme-0123456789abcdef", "beta-0123456789abcdef", "coordinator-0123456789abcdef"
	file := filepath.Join(t.TempDir(), "tokens.yaml")
	data := "coordinator: " + coord + "\nvendors:\n  - name: acme\n    token: " + acme + "\n  - name: beta\n    token: " + beta + "\n"
	if err := os.WriteFile(file, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	url, _ := startServe(t, "--addr", "127.0.0.1:0", "--tokens", file)
	dir := t.TempDir()
	status, out, errs := run(t, "run", "--profile", "vaihe2-kasittely", "--archive", url, "--session", "acme-1", "--token", acme, "--out", dir)
	if status != 0 {
		t.Fatalf("run with acme's token: status %d\n%s\n%s", status, out, errs)
	}
	sessions := func(token string) string {
		req, _ := http.NewRequest(http.MethodGet, url+"/api/sessions", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return b.String()
	}
	if got := sessions(acme); !strings.Contains(got, `"acme-1"`) {
		t.Errorf("acme's sessions %s, want acme-1", got)
	}
	if got := sessions(beta); strings.Contains(got, "acme-1") {
		t.Errorf("beta sees acme's session: %s", got)
	}

	t.Setenv("YHTEISTESTAUS_TOKEN", beta)
	status, out, errs = run(t, "run", "--profile", "vaihe2-kasittely", "--archive", url, "--session", "beta-1", "--out", t.TempDir())
	if status != 0 {
		t.Errorf("run with beta's token from YHTEISTESTAUS_TOKEN: status %d\n%s\n%s", status, out, errs)
	}
	t.Setenv("YHTEISTESTAUS_TOKEN", "")
	status, _, errs = run(t, "run", "--profile", "vaihe2-kasittely", "--archive", url, "--session", "anon-1", "--out", t.TempDir())
	if status != exitUsage || !strings.Contains(errs, "token") {
		t.Errorf("run without a token: status %d, %q; want %d naming the token", status, errs, exitUsage)
	}
	if status, _, errs := run(t, "run", "--profile", "vaihe2-kasittely", "--token", acme, "--out", t.TempDir()); status != exitUsage || !strings.Contains(errs, "--token") {
		t.Errorf("--token without --archive: status %d, %q; want a usage error", status, errs)
	}
}

// A coordinator serves HTTPS and asks for system certificates; a run
// shows its certificate and trusts the server's CA (run --ca,
// --client-cert, --client-key) and passes. Without the certificate the run
// cannot reach the archive: not tested.
func TestRunOverTLSWithClientCertificate(t *testing.T) {
	const acme = "acme-0123456789abcdef"
	pki := accesstest.NewPKI(t, "Yhteistestaus TEST CA")
	file := filepath.Join(t.TempDir(), "tokens.yaml")
	if err := os.WriteFile(file, []byte("vendors:\n  - name: acme\n    token: "+acme+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	url, _ := startServe(t, "--addr", "127.0.0.1:0", "--tokens", file, "--tls-cert", pki.ServerCert, "--tls-key", pki.ServerKey, "--client-ca", pki.CA)
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("serve with --tls-cert listens at %s, want https://", url)
	}
	args := []string{"run", "--profile", "vaihe2-kasittely", "--archive", url, "--token", acme, "--ca", pki.CA}
	status, out, errs := run(t, append(args, "--client-cert", pki.ClientCert, "--client-key", pki.ClientKey, "--out", t.TempDir())...)
	if status != 0 {
		t.Fatalf("run with the system certificate: status %d\n%s\n%s", status, out, errs)
	}
	// The handshake fails; with TLS 1.3 the client may see the server's
	// "certificate required" alert or only the closed connection.
	if status, _, errs := run(t, append(args, "--out", t.TempDir())...); status != exitUsage || !strings.Contains(errs, "does not answer") {
		t.Errorf("run without a client certificate: status %d, %q; want %d, the archive not answering", status, errs, exitUsage)
	}
	if status, _, errs := run(t, "serve", "--client-ca", pki.CA); status != exitUsage || !strings.Contains(errs, "--tls-cert") {
		t.Errorf("serve --client-ca without --tls-cert: status %d, %q; want a usage error", status, errs)
	}
}
