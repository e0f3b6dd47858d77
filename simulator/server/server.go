// Package server serves the mock archive over HTTP:
//
//   - POST /soap and /s/{session}/soap: the SOAP archiving endpoint (SOAP 1.1
//     or 1.2, document inline or as a MIME part), answered with an HL7 V3
//     acknowledgement, or a SOAP Fault (HTTP 500, naming the rule broken)
//     for input that is not a message;
//   - GET /soap?wsdl and /s/{session}/soap?wsdl: the simulator's own WSDL of
//     that endpoint (Kanta's is not public), addressed to the request's own
//     host and session;
//   - POST /shark-validointi/validoi/asiakirja/tulos: a validation endpoint
//     shaped like Kanta's public validation service (stateless);
//   - /api/...: the JSON control API for the harness: sessions, received
//     messages with their findings, archive contents, reset, the simulated
//     clock, and the session's evidence bundle (GET
//     /api/sessions/{s}/bundle, a zip with a SHA-256 manifest);
//   - /ui/: the coordinator's web UI (package inspector).
//
// With Tokens, every request but /healthz and /login needs a token, and a
// vendor sees only its own sessions (guard, in access.go); identity codes
// are masked in every answer unless the coordinator asks for a raw message.
//
// Reading never creates a session: a GET for a session that does not exist
// answers 404 with the error code api.CodeNoSession. A message to /soap, a
// reset and setting the clock create the session they name, up to the
// simulator's maximum; beyond it they answer 503 (a SOAP Fault for /soap).
//
// The limits a request must keep to are the simulator's
// (simulator.WithLimits), so that the transport and the validator agree.
package server

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"

	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/access"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/simulator/inspector"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// Server is the simulator's HTTP server. Set the fields before Start.
type Server struct {
	// Addr is the address to listen on, e.g. "127.0.0.1:8080"; ":0" picks
	// a free port.
	Addr string
	// Sim is the simulator served. Its Limits bound what a request may
	// carry.
	Sim *simulator.Simulator
	// Logger receives one line per request problem and per validation
	// service request; nil discards.
	Logger *slog.Logger
	// AckForm is how acknowledgements carry their type code:
	// wire.AckFormNE2008 (the zero value, schema-valid against the HL7 V3
	// Normative Edition 2008) or wire.AckFormAttribute.
	AckForm wire.AckForm
	// Tokens, when set, are the tokens callers must carry (serve --tokens):
	// a vendor sees only the sessions it created, the coordinator all.
	// Nil serves everyone as the coordinator (local development on
	// loopback).
	Tokens *access.Tokens
	// TLS, when set, makes the server speak HTTPS with it (serve
	// --tls-cert, --tls-key); with ClientAuth set (serve --client-ca) only
	// a client with a certificate of its CAs gets to send a request.
	TLS *tls.Config

	// MaxInFlight is how many requests the server serves at once; past it
	// a request is answered at once with HTTP 503 and Retry-After (a SOAP
	// Fault naming WIRE-BUSY for an archiving message). Zero takes
	// DefaultMaxInFlight.
	MaxInFlight int

	// acks numbers the acknowledgements the server writes, so that their
	// ids are unique across sessions.
	acks atomic.Uint64

	// inFlight counts the requests being served, running those bound
	// waits for; answeredAtShutdown counts those it answered itself when
	// the drain ended.
	inFlight           atomic.Int64
	running            sync.WaitGroup
	answeredAtShutdown atomic.Int64
	// base is the context every request derives from; endDrain cancels it
	// when Shutdown's drain time ends.
	initOnce sync.Once
	base     context.Context
	endDrain context.CancelFunc

	srv *http.Server
	ln  net.Listener
}

// Handler returns the server's routes, for tests and embedding.
func (s *Server) Handler() http.Handler {
	r := mux.NewRouter()
	r.Use(s.guard)
	r.HandleFunc("/login", s.handleLogin).Methods(http.MethodGet, http.MethodPost)
	r.HandleFunc("/soap", s.handleSOAP).Methods(http.MethodPost)
	r.HandleFunc("/s/{session}/soap", s.handleSOAP).Methods(http.MethodPost)
	r.HandleFunc("/soap", s.handleWSDL).Methods(http.MethodGet)
	r.HandleFunc("/s/{session}/soap", s.handleWSDL).Methods(http.MethodGet)
	r.HandleFunc("/shark-validointi/validoi/asiakirja/tulos", s.handleValidate).Methods(http.MethodPost)
	r.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") }).Methods(http.MethodGet)
	api := r.PathPrefix("/api").Subrouter()
	api.HandleFunc("/sessions", s.handleSessions).Methods(http.MethodGet)
	api.HandleFunc("/structures", s.handleStructures).Methods(http.MethodGet)
	api.HandleFunc("/sessions/{session}/messages", s.handleMessages).Methods(http.MethodGet)
	api.HandleFunc("/sessions/{session}/messages/{seq:[0-9]+}", s.handleMessage).Methods(http.MethodGet)
	api.HandleFunc("/sessions/{session}/archive", s.handleArchive).Methods(http.MethodGet)
	api.HandleFunc("/sessions/{session}/archive/sets/{setId}", s.handleSet).Methods(http.MethodGet)
	api.HandleFunc("/sessions/{session}/reset", s.handleReset).Methods(http.MethodPost)
	api.HandleFunc("/sessions/{session}", s.handleDeleteSession).Methods(http.MethodDelete)
	api.HandleFunc("/sessions/{session}/clock", s.handleClock).Methods(http.MethodGet, http.MethodPut)
	api.HandleFunc("/sessions/{session}/bundle", s.handleBundle).Methods(http.MethodGet)
	r.PathPrefix(inspector.Prefix).Handler(inspector.New(s.Sim, inspector.WithLogger(s.Logger)))
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeJSONError(w, http.StatusNotFound, fmt.Sprintf("no such endpoint: %s %s", r.Method, r.URL.Path))
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeJSONError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed on %s", r.Method, r.URL.Path))
	})
	return s.bound(r)
}

// limits returns the simulator's limits, which its validator applies too.
func (s *Server) limits() wire.Limits { return s.Sim.Limits() }

func (s *Server) logf(msg string, args ...any) {
	if s.Logger != nil {
		s.Logger.Info(msg, args...)
	}
}

// Start listens on Addr and serves in the background. Use URL for the
// address actually bound.
func (s *Server) Start() error {
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", s.Addr, err)
	}
	s.ln = ln
	s.initOnce.Do(s.init)
	s.srv = &http.Server{
		Handler:           s.Handler(),
		BaseContext:       func(net.Listener) context.Context { return s.base },
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	serve := func() error { return s.srv.Serve(ln) }
	if s.TLS != nil {
		s.srv.TLSConfig = s.TLS.Clone()
		serve = func() error { return s.srv.ServeTLS(ln, "", "") }
	}
	go func() {
		if err := serve(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logf("serve", "err", err)
		}
	}()
	return nil
}

// URL returns the base URL of the started server, e.g.
// http://127.0.0.1:8080, or https://… with TLS.
func (s *Server) URL() string {
	if s.ln == nil {
		return ""
	}
	if s.TLS != nil {
		return "https://" + s.ln.Addr().String()
	}
	return "http://" + s.ln.Addr().String()
}

// Shutdown stops accepting requests and waits for those under way until
// ctx ends: the drain time. A request still running then is answered with
// HTTP 503, a SOAP Fault naming WIRE-SHUTDOWN for an archiving message or a
// JSON error for the rest (unless its answer has begun), and its context is
// cancelled, so that no client sees its connection cut without an answer.
// Shutdown then waits a moment for those answers to be written and closes
// every connection still open. It returns an error only when a connection
// had to be closed so.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.srv == nil {
		return nil
	}
	err := s.srv.Shutdown(ctx)
	if err == nil || ctx.Err() == nil {
		return err
	}
	s.endDrain()
	grace, cancel := context.WithTimeout(context.Background(), answerGrace)
	defer cancel()
	err = s.srv.Shutdown(grace)
	if n := s.answeredAtShutdown.Load(); n > 0 {
		s.logf("drain time over", "answered", n, "rule", ruleShutdown)
	}
	if err != nil {
		s.srv.Close()
		return fmt.Errorf("shutdown: connections still open %v after the drain time were closed: %w", answerGrace, err)
	}
	return nil
}

// writeJSON answers with v as indented JSON. Text is written as it is
// (no \u003c for <), since the answers carry XML and locations. The status
// is sent before encoding, so an encoding failure can only be logged.
func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		s.logf("write JSON answer", "status", status, "err", err)
	}
}

func (s *Server) writeJSONError(w http.ResponseWriter, status int, msg string) {
	s.writeJSON(w, status, api.Error{Error: msg})
}
