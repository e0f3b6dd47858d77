package server

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/mux"

	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/access"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/simulator/inspector"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// TokenCookie is the cookie a browser carries its token in, set by the
// login form at /login; the guard accepts it as it accepts a bearer token.
// It is HttpOnly and SameSite=Strict, so that another site's page cannot
// make a browser use it.
const TokenCookie = "yhteistestaus_token"

// guard is the one middleware every route goes through (Handler installs
// it on the router, so that a route added later is guarded too):
//
//   - it identifies the caller by the request's token (Authorization:
//     Bearer, Basic with the token as the password, or TokenCookie) when
//     the server has Tokens, answering 401 without a known token (a GET of
//     the inspector's pages is sent to /login instead); without Tokens
//     every caller is access.Open. Only /healthz and /login are served to
//     anyone.
//   - for a route that names a session ({session}, and POST /soap for the
//     default session), it opens the session: a POST or PUT creates it,
//     owned by the caller and within the caller's quota (429 past it);
//     other methods only look it up. A vendor is answered for another
//     vendor's session exactly as for a missing one (404, api.CodeNoSession),
//     so that a session's existence does not leak. The handler finds the
//     session with sessionOf.
//
// The SOAP endpoint's refusals are SOAP Faults naming a rule; the others
// are JSON api.Error answers.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" || r.URL.Path == "/login" {
			next.ServeHTTP(w, r)
			return
		}
		caller, ok := s.caller(r)
		if !ok && r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, inspector.Prefix) {
			// A browser on the inspector's pages goes to the login form.
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="yhteistestaus", Basic realm="yhteistestaus"`)
			s.refuse(w, r, refusal{status: http.StatusUnauthorized, code: api.CodeUnauthorized, rule: "WIRE-AUTH",
				msg: "this archive needs a token: send Authorization: Bearer <token> (or Basic with the token as the password)"})
			return
		}
		ctx := access.NewContext(r.Context(), caller)
		if name, ok := sessionNamed(r); ok {
			ss, ref := s.openSession(name, caller, r.Method == http.MethodPost || r.Method == http.MethodPut)
			if ss == nil {
				s.refuse(w, r, ref)
				return
			}
			ctx = context.WithValue(ctx, sessionKey{}, ss)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// caller identifies the request's caller.
func (s *Server) caller(r *http.Request) (access.Caller, bool) {
	if s.Tokens == nil {
		return access.Open, true
	}
	return s.Tokens.Identify(requestToken(r))
}

// requestToken returns the token the request carries: a bearer token, the
// password of Basic credentials (what a stock SOAP client can send), or the
// login cookie.
func requestToken(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, rest, _ := strings.Cut(h, " ")
		switch {
		case strings.EqualFold(scheme, "Bearer"):
			return strings.TrimSpace(rest)
		case strings.EqualFold(scheme, "Basic"):
			_, pw, _ := r.BasicAuth()
			return pw
		}
		return ""
	}
	if c, err := r.Cookie(TokenCookie); err == nil {
		return c.Value
	}
	return ""
}

// sessionNamed returns the session a matched route names: its {session}
// variable, or the default session for POST /soap. A GET of a SOAP
// endpoint (its WSDL) names none: it reads no session's state.
func sessionNamed(r *http.Request) (string, bool) {
	soap := strings.HasSuffix(r.URL.Path, "/soap")
	if soap && r.Method != http.MethodPost {
		return "", false
	}
	if name, ok := mux.Vars(r)["session"]; ok {
		return name, true
	}
	return "", soap
}

// openSession opens the session for the caller, creating it when create
// is set; a nil session comes with the refusal to answer.
func (s *Server) openSession(name string, c access.Caller, create bool) (*simulator.Session, refusal) {
	var ss *simulator.Session
	var err error
	if create {
		ss, err = s.Sim.SessionFor(name, simulator.Owner{Name: c.Name, MaxSessions: c.MaxSessions})
	} else {
		ss, err = s.Sim.Lookup(name)
	}
	if err == nil && !c.Coordinator && ss.Owner != c.Name {
		// Worded as the simulator words a missing session.
		err = fmt.Errorf("session %s: %w", ss.Name, simulator.ErrNoSession)
		if create {
			return nil, refusal{status: http.StatusNotFound, code: api.CodeNoSession, rule: "WIRE-AUTH",
				msg: fmt.Sprintf("session %s is not open to this token: name a session of your own", ss.Name)}
		}
	}
	switch {
	case err == nil:
		return ss, refusal{}
	case errors.Is(err, simulator.ErrNoSession):
		return nil, refusal{status: http.StatusNotFound, code: api.CodeNoSession, msg: err.Error()}
	case errors.Is(err, simulator.ErrQuota):
		return nil, refusal{status: http.StatusTooManyRequests, code: api.CodeQuota, rule: "WIRE-SESSION-QUOTA",
			msg: err.Error() + " (delete or reuse one of your sessions)"}
	case errors.Is(err, simulator.ErrTooManySessions):
		return nil, refusal{status: http.StatusServiceUnavailable, server: true,
			msg: "the archive holds too many sessions to open another, reset or reuse one"}
	}
	return nil, refusal{status: http.StatusBadRequest, msg: err.Error()}
}

// refusal is the guard's answer to a request it does not pass on.
type refusal struct {
	status int
	code   string // api.Error.Code
	rule   string // the rule a SOAP Fault names
	server bool   // the SOAP Fault's code is Server, not Client
	msg    string
}

// refuse answers with the refusal: a SOAP Fault to a message for the SOAP
// endpoint (HTTP 500 as WS-I BP 1.1 R1126 asks, but 401 for a missing
// token, so that a stock client's HTTP authentication can answer the
// challenge), JSON otherwise.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, ref refusal) {
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/soap") {
		code := "Client"
		if ref.server {
			code = "Server"
		}
		status := http.StatusInternalServerError
		if ref.status == http.StatusUnauthorized {
			status = ref.status
		}
		result := ref.rule
		if result == "" {
			result = "fault"
		}
		noteOf(r).setResult(result, ref.msg) // for the message's log line (bound)
		s.faultStatus(w, status, wire.Fault{SOAPVersion: requestSOAPVersion(r), Code: code, Rule: ref.rule, Reason: ref.msg})
		return
	}
	s.writeJSON(w, ref.status, api.Error{Error: ref.msg, Code: ref.code})
}

// sessionKey is the context key of the session the guard opened.
type sessionKey struct{}

// sessionOf returns the session the guard opened for the request's route.
func sessionOf(r *http.Request) (*simulator.Session, bool) {
	ss, ok := r.Context().Value(sessionKey{}).(*simulator.Session)
	return ss, ok
}

// callerOf returns the request's caller, as the guard identified it.
func callerOf(r *http.Request) access.Caller {
	c, ok := access.FromContext(r.Context())
	if !ok {
		// Not through the guard: nobody.
		return access.Caller{}
	}
	return c
}

// loginPage is the form /login serves: a browser's way to the cookie.
var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Yhteistestaus: log in</title></head>
<body><h1>Mock archive</h1>
{{if .Failed}}<p role="alert">That token is not known here.</p>{{end}}
<form method="post" action="/login">
<input type="hidden" name="next" value="{{.Next}}">
<label>Token <input type="password" name="token" autocomplete="current-password" required></label>
<button type="submit">Log in</button>
</form></body></html>
`))

// handleLogin serves the login form (GET) and, for a known token (POST),
// sets TokenCookie and sends the browser on to the form's next page (a
// path on this server; default /ui/).
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	next := r.FormValue("next")
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		next = "/ui/"
	}
	if r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		loginPage.Execute(w, struct {
			Next   string
			Failed bool
		}{next, false})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	tok := r.PostFormValue("token")
	if s.Tokens != nil {
		if _, ok := s.Tokens.Identify(tok); !ok {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusUnauthorized)
			loginPage.Execute(w, struct {
				Next   string
				Failed bool
			}{next, true})
			return
		}
		http.SetCookie(w, &http.Cookie{Name: TokenCookie, Value: tok, Path: "/", HttpOnly: true,
			Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}
