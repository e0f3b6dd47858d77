package server_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/access"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/simulator/server"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

const (
	coordinatorToken = "coordinator-0123456789abcdef"
	acmeToken        = "acme-0123456789abcdef"
	betaToken        = "beta-0123456789abcdef"
)

// startWithTokens runs a server with a coordinator and the vendors acme
// (at most two sessions) and beta.
func startWithTokens(t *testing.T) *server.Server {
	t.Helper()
	tk, err := access.New(access.File{Coordinator: coordinatorToken, Vendors: []access.Vendor{
		{Name: "acme", Token: acmeToken, MaxSessions: 2},
		{Name: "beta", Token: betaToken},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return startConfigured(t, func(s *server.Server) { s.Tokens = tk })
}

// call sends one request with the token as a bearer token (none when
// empty) and returns the answer's status, header and body.
func call(t *testing.T, method, u, token, contentType string, body io.Reader) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return send(t, req, contentType)
}

func send(t *testing.T, req *http.Request, contentType string) (int, http.Header, []byte) {
	t.Helper()
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// soapPost sends the sample message to the SOAP endpoint at u with the
// token and returns the status and body.
func soapPost(t *testing.T, u, token string) (int, []byte) {
	t.Helper()
	var body bytes.Buffer
	ct, err := wire.WriteRequest(&body, "1.1", wire.SwA, sample(t, "client-relation-frame.xml"), sample(t, "signature-restored/client-relation-document.xml"))
	if err != nil {
		t.Fatal(err)
	}
	status, _, b := call(t, http.MethodPost, u, token, ct, &body)
	return status, b
}

// faultRule returns the rule the SOAP Fault in body names, or "" when
// body is no fault.
func faultRule(body []byte) string {
	_, err := wire.ReadAcknowledgement("text/xml", bytes.NewReader(body))
	var f *wire.Fault
	if !errors.As(err, &f) {
		return ""
	}
	return f.Rule
}

func apiError(t *testing.T, body []byte) api.Error {
	t.Helper()
	var e api.Error
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("answer %s is not an API error: %v", body, err)
	}
	return e
}

func listed(t *testing.T, s *server.Server, token string) []string {
	t.Helper()
	status, _, b := call(t, http.MethodGet, s.URL()+"/api/sessions", token, "", nil)
	if status != http.StatusOK {
		t.Fatalf("GET /api/sessions: %d %s", status, b)
	}
	var out struct {
		Sessions []string `json:"sessions"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out.Sessions
}

// A vendor sees, reads, resets and moves the clock of only its own
// sessions: another vendor's session answers as a missing one does, so
// that its existence does not leak. The coordinator sees everything.
func TestVendorsReachOnlyTheirOwnSessions(t *testing.T) {
	s := startWithTokens(t)
	if status, b := soapPost(t, s.URL()+"/s/acme-run/soap", acmeToken); status != http.StatusOK {
		t.Fatalf("acme's message to its session: %d %s", status, b)
	}
	base := s.URL() + "/api/sessions/"
	reads := []string{"messages", "messages/1", "archive", "archive/sets/1.2.3", "clock"}
	for _, path := range reads {
		t.Run("beta GET "+path, func(t *testing.T) {
			status, _, body := call(t, http.MethodGet, base+"acme-run/"+path, betaToken, "", nil)
			ghostStatus, _, ghost := call(t, http.MethodGet, base+"ghost-run/"+path, betaToken, "", nil)
			if status != http.StatusNotFound || apiError(t, body).Code != api.CodeNoSession {
				t.Errorf("beta reads acme's session: %d %s, want 404 %s", status, body, api.CodeNoSession)
			}
			if status != ghostStatus || strings.ReplaceAll(string(body), "acme-run", "ghost-run") != string(ghost) {
				t.Errorf("acme's session answers beta %d %s, a missing one %d %s: want the same", status, body, ghostStatus, ghost)
			}
			if status, _, body := call(t, http.MethodGet, base+"acme-run/"+path, acmeToken, "", nil); status == http.StatusNotFound && path != "archive/sets/1.2.3" {
				t.Errorf("acme cannot read its own session: %d %s", status, body)
			}
			if status, _, body := call(t, http.MethodGet, base+"acme-run/"+path, coordinatorToken, "", nil); status == http.StatusNotFound && path != "archive/sets/1.2.3" {
				t.Errorf("the coordinator cannot read acme's session: %d %s", status, body)
			}
		})
	}
	changes := []struct{ method, path, body string }{
		{http.MethodPost, "reset", ""},
		{http.MethodPut, "clock", `{"advance":"48h"}`},
	}
	for _, c := range changes {
		t.Run("beta "+c.method+" "+c.path, func(t *testing.T) {
			status, _, body := call(t, c.method, base+"acme-run/"+c.path, betaToken, "application/json", strings.NewReader(c.body))
			if status != http.StatusNotFound || apiError(t, body).Code != api.CodeNoSession {
				t.Errorf("beta changes acme's session: %d %s, want 404 %s", status, body, api.CodeNoSession)
			}
		})
	}
	t.Run("beta SOAP", func(t *testing.T) {
		status, body := soapPost(t, s.URL()+"/s/acme-run/soap", betaToken)
		if rule := faultRule(body); status != http.StatusInternalServerError || rule != "WIRE-AUTH" {
			t.Errorf("beta's message to acme's session: %d, fault rule %q; want a fault naming WIRE-AUTH", status, rule)
		}
	})
	// acme's session is as acme left it.
	status, _, body := call(t, http.MethodGet, base+"acme-run/messages", acmeToken, "", nil)
	var msgs api.Messages
	if status != http.StatusOK || json.Unmarshal(body, &msgs) != nil || len(msgs.Messages) != 1 {
		t.Errorf("acme's log after beta's attempts: %d %s, want its one message", status, body)
	}
	status, _, body = call(t, http.MethodGet, base+"acme-run/clock", acmeToken, "", nil)
	if status != http.StatusOK || strings.Contains(string(body), "advance") {
		t.Errorf("acme's clock: %d %s", status, body)
	}

	if status, _, b := call(t, http.MethodPost, base+"beta-run/reset", betaToken, "", nil); status != http.StatusOK {
		t.Fatalf("beta's reset of its own session: %d %s", status, b)
	}
	for _, tt := range []struct {
		who, token string
		want       []string
	}{
		{"acme", acmeToken, []string{"acme-run"}},
		{"beta", betaToken, []string{"beta-run"}},
		{"the coordinator", coordinatorToken, []string{"acme-run", "beta-run"}},
	} {
		if got := listed(t, s, tt.token); !slices.Equal(got, tt.want) {
			t.Errorf("%s lists %v, want %v", tt.who, got, tt.want)
		}
	}
	if status, _, b := call(t, http.MethodPost, base+"acme-run/reset", coordinatorToken, "", nil); status != http.StatusOK {
		t.Errorf("the coordinator cannot reset acme's session: %d %s", status, b)
	}
}

// With tokens, everything but /healthz and /login needs a known token;
// without one nobody reads, resets or sends.
func TestRequestsWithoutAKnownTokenAreRefused(t *testing.T) {
	s := startWithTokens(t)
	if status, b := soapPost(t, s.URL()+"/s/acme-run/soap", acmeToken); status != http.StatusOK {
		t.Fatalf("acme's message: %d %s", status, b)
	}
	for _, token := range []string{"", "not-a-known-token-at-all"} {
		for _, r := range []struct{ method, path string }{
			{http.MethodGet, "/api/sessions"},
			{http.MethodGet, "/api/structures"},
			{http.MethodGet, "/api/sessions/acme-run/messages"},
			{http.MethodGet, "/api/sessions/acme-run/messages/1"},
			{http.MethodPost, "/api/sessions/acme-run/reset"},
			{http.MethodPut, "/api/sessions/acme-run/clock"},
			{http.MethodGet, "/soap?wsdl"},
			{http.MethodPost, "/shark-validointi/validoi/asiakirja/tulos"},
		} {
			status, h, body := call(t, r.method, s.URL()+r.path, token, "", strings.NewReader("{}"))
			if status != http.StatusUnauthorized || apiError(t, body).Code != api.CodeUnauthorized || h.Get("WWW-Authenticate") == "" {
				t.Errorf("%s %s with token %q: %d %s, want 401 %s with a challenge", r.method, r.path, token, status, body, api.CodeUnauthorized)
			}
		}
		status, body := soapPost(t, s.URL()+"/s/acme-run/soap", token)
		if rule := faultRule(body); status != http.StatusUnauthorized || rule != "WIRE-AUTH" {
			t.Errorf("a message with token %q: %d, fault rule %q; want 401 with a fault naming WIRE-AUTH", token, status, rule)
		}
	}
	if status, _, body := call(t, http.MethodGet, s.URL()+"/api/sessions/acme-run/messages", acmeToken, "", nil); status != http.StatusOK || !strings.Contains(string(body), `"seq": 1`) {
		t.Errorf("acme's log after the refused requests: %d %s", status, body)
	}
	if status, _, _ := call(t, http.MethodGet, s.URL()+"/healthz", "", "", nil); status != http.StatusOK {
		t.Errorf("/healthz without a token: %d, want 200", status)
	}
}

// A SOAP client that can only do HTTP Basic authentication sends the token
// as the password; a browser sends the cookie the login form set.
func TestTokenInBasicCredentialsAndLoginCookie(t *testing.T) {
	s := startWithTokens(t)
	req, _ := http.NewRequest(http.MethodGet, s.URL()+"/api/sessions", nil)
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("acme:"+acmeToken)))
	if status, _, b := send(t, req, ""); status != http.StatusOK {
		t.Errorf("Basic with the token as the password: %d %s", status, b)
	}
	req, _ = http.NewRequest(http.MethodGet, s.URL()+"/api/sessions", nil)
	req.SetBasicAuth("acme", "wrong-password-0123456789")
	if status, _, _ := send(t, req, ""); status != http.StatusUnauthorized {
		t.Errorf("Basic with a wrong password: %d, want 401", status)
	}

	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	login := func(token, next string) *http.Response {
		resp, err := noRedirect.PostForm(s.URL()+"/login", url.Values{"token": {token}, "next": {next}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := login("wrong-token-0123456789", "/ui/"); resp.StatusCode != http.StatusUnauthorized || len(resp.Cookies()) != 0 {
		t.Errorf("login with a wrong token: %d, cookies %v; want 401 and none", resp.StatusCode, resp.Cookies())
	}
	resp := login(coordinatorToken, "//evil.example/")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/" {
		t.Errorf("login: %d to %q, want 303 to /ui/ (not to another site)", resp.StatusCode, resp.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == server.TokenCookie {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("login cookie %+v, want an HttpOnly SameSite=Strict %s", cookie, server.TokenCookie)
	}
	req, _ = http.NewRequest(http.MethodGet, s.URL()+"/api/sessions", nil)
	req.AddCookie(cookie)
	if status, _, b := send(t, req, ""); status != http.StatusOK {
		t.Errorf("the login cookie: %d %s", status, b)
	}
}

// A vendor with maxSessions 2 creates two sessions; the third is 429 over
// the API and a fault naming WIRE-SESSION-QUOTA over SOAP. Its existing
// sessions stay usable, and other vendors are not limited by its quota.
func TestSessionQuotaPerToken(t *testing.T) {
	s := startWithTokens(t)
	base := s.URL() + "/api/sessions/"
	for _, name := range []string{"acme-1", "acme-2"} {
		if status, _, b := call(t, http.MethodPost, base+name+"/reset", acmeToken, "", nil); status != http.StatusOK {
			t.Fatalf("acme creates %s: %d %s", name, status, b)
		}
	}
	status, _, body := call(t, http.MethodPost, base+"acme-3/reset", acmeToken, "", nil)
	if status != http.StatusTooManyRequests || apiError(t, body).Code != api.CodeQuota {
		t.Errorf("acme's third session: %d %s, want 429 %s", status, body, api.CodeQuota)
	}
	status, body = soapPost(t, s.URL()+"/s/acme-4/soap", acmeToken)
	if rule := faultRule(body); status != http.StatusInternalServerError || rule != "WIRE-SESSION-QUOTA" {
		t.Errorf("acme's message opening a third session: %d, fault rule %q; want a fault naming WIRE-SESSION-QUOTA", status, rule)
	}
	if status, b := soapPost(t, s.URL()+"/s/acme-2/soap", acmeToken); status != http.StatusOK {
		t.Errorf("acme's message to a session it has: %d %s", status, b)
	}
	if status, _, b := call(t, http.MethodPost, base+"beta-3/reset", betaToken, "", nil); status != http.StatusOK {
		t.Errorf("beta is limited by acme's quota: %d %s", status, b)
	}
	if got := listed(t, s, acmeToken); !slices.Equal(got, []string{"acme-1", "acme-2"}) {
		t.Errorf("acme holds %v, want acme-1 and acme-2", got)
	}
}

// GET …/messages/{seq} masks a real-format identity code in the frame and
// the document it returns, as every other answer does; only the
// coordinator reads the message raw (?raw=1).
func TestMessageMasksIdentityCodes(t *testing.T) {
	const real = "200111A304B" // right format and check character, not a test identity
	frame := bytes.ReplaceAll(sample(t, "client-relation-frame.xml"), []byte("200111A904P"), []byte(real))
	doc := bytes.ReplaceAll(sample(t, "signature-restored/client-relation-document.xml"), []byte("200111A904P"), []byte(real))
	var body bytes.Buffer
	ct, err := wire.WriteRequest(&body, "1.1", wire.SwA, frame, doc)
	if err != nil {
		t.Fatal(err)
	}
	msg := body.Bytes()
	read := func(s *server.Server, token, query string) (int, api.Message) {
		t.Helper()
		status, _, b := call(t, http.MethodGet, s.URL()+"/api/sessions/run-1/messages/1"+query, token, "", nil)
		var m api.Message
		if status == http.StatusOK {
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
		}
		return status, m
	}
	clear := func(m api.Message) bool {
		return strings.Contains(m.FrameXML, real) || strings.Contains(m.DocumentXML, real)
	}
	masked := func(m api.Message) bool {
		return !clear(m) && strings.Contains(m.FrameXML, "***********") && strings.Contains(m.DocumentXML, "***********") &&
			strings.Contains(m.FrameXML, "010714-9983") // a test identity stays
	}

	t.Run("without tokens", func(t *testing.T) {
		s := startServer(t)
		if status, _, b := call(t, http.MethodPost, s.URL()+"/s/run-1/soap", "", ct, bytes.NewReader(msg)); status != http.StatusOK {
			t.Fatalf("post: %d %s", status, b)
		}
		if _, m := read(s, "", ""); !masked(m) {
			t.Errorf("the message is not masked:\n%s\n%s", m.FrameXML, m.DocumentXML)
		}
		if _, m := read(s, "", "?raw=1"); !clear(m) {
			t.Error("?raw=1 on a server without tokens (everyone is the coordinator) is masked")
		}
	})
	t.Run("with tokens", func(t *testing.T) {
		s := startWithTokens(t)
		if status, _, b := call(t, http.MethodPost, s.URL()+"/s/run-1/soap", acmeToken, ct, bytes.NewReader(msg)); status != http.StatusOK {
			t.Fatalf("post: %d %s", status, b)
		}
		if _, m := read(s, acmeToken, ""); !masked(m) {
			t.Errorf("the vendor's answer is not masked:\n%s", m.FrameXML)
		}
		if status, _ := read(s, acmeToken, "?raw=1"); status != http.StatusForbidden {
			t.Errorf("a vendor's ?raw=1: %d, want 403", status)
		}
		if _, m := read(s, coordinatorToken, ""); !masked(m) {
			t.Error("the coordinator's answer without ?raw=1 is not masked")
		}
		if _, m := read(s, coordinatorToken, "?raw=1"); !clear(m) {
			t.Error("the coordinator's ?raw=1 answer is masked")
		}
	})
}

// The quota counts what the simulator holds: SessionFor refuses a session
// beyond the owner's MaxSessions, and returns an existing session whoever
// owns it.
func TestSimulatorSessionFor(t *testing.T) {
	sim, err := simulator.New()
	if err != nil {
		t.Fatal(err)
	}
	o := simulator.Owner{Name: "acme", MaxSessions: 1}
	a, err := sim.SessionFor("a", o)
	if err != nil || a.Owner != "acme" {
		t.Fatalf("SessionFor: %v, owner %q", err, a.Owner)
	}
	if _, err := sim.SessionFor("b", o); err == nil {
		t.Error("a second session beyond the quota of 1")
	}
	if again, err := sim.SessionFor("a", simulator.Owner{Name: "beta"}); err != nil || again != a || again.Owner != "acme" {
		t.Errorf("SessionFor of an existing session: %v, owner %q", err, again.Owner)
	}
}

// Whatever a request's Authorization header or cookie holds, the guard
// answers 200 only for a known token and 401 otherwise, and never panics.
func FuzzAuthorization(f *testing.F) {
	tk, err := access.New(access.File{Coordinator: coordinatorToken, Vendors: []access.Vendor{{Name: "acme", Token: acmeToken}}})
	if err != nil {
		f.Fatal(err)
	}
	sim, err := simulator.New()
	if err != nil {
		f.Fatal(err)
	}
	h := (&server.Server{Sim: sim, Tokens: tk}).Handler()
	for _, seed := range []string{"Bearer " + acmeToken, "bearer  " + coordinatorToken, "Basic " + base64.StdEncoding.EncodeToString([]byte("x:"+acmeToken)), "Basic ###", "Bearer", "Digest x", ""} {
		f.Add(seed, "")
	}
	f.Add("", acmeToken)
	f.Fuzz(func(t *testing.T, authorization, cookie string) {
		req := httptest.NewRequest(http.MethodGet, "/api/sessions", nil)
		req.Header["Authorization"] = []string{authorization}
		if cookie != "" {
			req.Header["Cookie"] = []string{server.TokenCookie + "=" + cookie}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		known := strings.Contains(authorization, acmeToken) || strings.Contains(authorization, coordinatorToken) ||
			strings.Contains(authorization, "Basic") || strings.Contains(cookie, acmeToken) || strings.Contains(cookie, coordinatorToken)
		switch {
		case rec.Code == http.StatusOK && !known:
			t.Fatalf("Authorization %q, cookie %q: served without a known token", authorization, cookie)
		case rec.Code != http.StatusOK && rec.Code != http.StatusUnauthorized:
			t.Fatalf("Authorization %q, cookie %q: status %d, want 200 or 401", authorization, cookie, rec.Code)
		}
	})
}
