package inspector_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/access"
	"github.com/yhteistestaus/yhteistestaus/simulator/server"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

const (
	coordinatorToken = "coordinator-0123456789abcdef"
	acmeToken        = "acme-0123456789abcdef"
	betaToken        = "beta-0123456789abcdef"
)

// request sends a request with the token as a bearer token (none when
// empty) and returns the answer's status, header and body, without
// following a redirect.
func request(t *testing.T, method, u, token, contentType string, body io.Reader) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// A server with tokens shows the inspector behind the same access rules
// as the control API: a vendor sees its own sessions only, and another
// vendor's session is missing to it; the coordinator sees every session,
// by vendor; a browser without a token is sent to the login form.
func TestInspectorBehindTokens(t *testing.T) {
	tk, err := access.New(access.File{Coordinator: coordinatorToken, Vendors: []access.Vendor{
		{Name: "acme", Token: acmeToken}, {Name: "beta", Token: betaToken}}})
	if err != nil {
		t.Fatal(err)
	}
	sim, err := simulator.New()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer((&server.Server{Sim: sim, Tokens: tk}).Handler())
	t.Cleanup(srv.Close)
	for _, v := range []struct{ token, session string }{{acmeToken, "acme-1"}, {betaToken, "beta-1"}} {
		var body bytes.Buffer
		ct, err := wire.WriteRequest(&body, "1.1", wire.InlineBase64, sample(t, "client-relation-frame.xml"), sample(t, "signature-restored/client-relation-document.xml"))
		if err != nil {
			t.Fatal(err)
		}
		status, h, b := request(t, http.MethodPost, srv.URL+"/s/"+v.session+"/soap", v.token, ct, &body)
		if status != http.StatusOK {
			t.Fatalf("POST as %s: status %d: %s", v.session, status, b)
		}
		if ack, err := wire.ReadAcknowledgement(h.Get("Content-Type"), strings.NewReader(b)); err != nil || ack.TypeCode != kanta.AckAccepted {
			t.Fatalf("POST as %s: %v %v", v.session, ack, err)
		}
	}

	tests := []struct {
		name, token, path string
		status            int
		want, absent      []string
	}{
		{"acme's list", acmeToken, "/ui/", 200, []string{`data-session="acme-1"`, "Toimittajat", "acme"}, []string{"beta-1"}},
		{"acme's own log", acmeToken, "/ui/s/acme-1", 200, []string{`data-seq="1"`, "AA hyväksytty"}, nil},
		{"beta's log to acme", acmeToken, "/ui/s/beta-1", 200, []string{"Istuntoa ei vielä ole", "Ei vielä sanomia"}, []string{`data-seq="1"`, "Asiakkuusasiakirja"}},
		{"beta's rows to acme", acmeToken, "/ui/s/beta-1/rows?after=0", 204, nil, []string{"data-seq"}},
		{"beta's message to acme", acmeToken, "/ui/s/beta-1/m/1", 404, []string{"Istuntoa beta-1 ei ole"}, []string{"Asiakkuusasiakirja"}},
		{"beta's archive to acme", acmeToken, "/ui/s/beta-1/archive", 404, []string{"Istuntoa beta-1 ei ole"}, []string{"Asiakkuusasiakirja"}},
		{"the coordinator's list", coordinatorToken, "/ui/", 200, []string{`data-session="acme-1"`, `data-session="beta-1"`, `data-owner="acme"`, `data-owner="beta"`, "Toimittajat"}, nil},
		{"beta's archive to the coordinator", coordinatorToken, "/ui/s/beta-1/archive", 200, []string{"Asiakkuusasiakirja"}, nil},
		{"an unknown token", "not-a-known-token-0123", "/ui/", 303, nil, []string{"acme-1"}},
		{"no token", "", "/ui/s/acme-1/m/1", 303, nil, []string{"acme-1</"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := request(t, http.MethodGet, srv.URL+tt.path, tt.token, "", nil)
			if status != tt.status {
				t.Errorf("status %d, want %d\n%.400s", status, tt.status, body)
			}
			if status == http.StatusSeeOther {
				if want := "/login?next=" + url.QueryEscape(tt.path); h.Get("Location") != want {
					t.Errorf("sent to %q, want %q", h.Get("Location"), want)
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page does not show %q", w)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(body, a) {
					t.Errorf("page shows %q", a)
				}
			}
		})
	}

	// The login form's cookie opens the pages in a browser.
	form := url.Values{"token": {acmeToken}, "next": {"/ui/"}}
	status, h, _ := request(t, http.MethodPost, srv.URL+"/login", "", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if status != http.StatusSeeOther || h.Get("Location") != "/ui/" {
		t.Fatalf("login: status %d to %q, want 303 to /ui/", status, h.Get("Location"))
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/ui/", nil)
	for _, c := range (&http.Response{Header: h}).Cookies() {
		req.AddCookie(c)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `data-session="acme-1"`) || strings.Contains(string(b), "beta-1") {
		t.Errorf("/ui/ with acme's cookie: status %d; want acme's sessions only", resp.StatusCode)
	}
}
