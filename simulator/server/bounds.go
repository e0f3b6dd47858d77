package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// DefaultMaxInFlight is how many requests the server serves at once unless
// Server.MaxInFlight says otherwise. It is a fixed number rather than a
// multiple of the cores because requests wait on the store as well as the
// CPU: 64 is twice the 32 concurrent connections the load goal asks for,
// and bounds the memory of a burst of large messages to 64 bodies of at
// most Limits.MaxBytes each and their trees.
const DefaultMaxInFlight = 64

// Rules of the answers bound gives instead of the route's (catalogue
// wire.yaml).
const (
	ruleBusy     = "WIRE-BUSY"
	ruleShutdown = "WIRE-SHUTDOWN"
)

// retryAfter is the Retry-After of an answer past MaxInFlight, in seconds:
// requests are short, so a slot is usually free within one.
const retryAfter = "1"

// answerGrace is how long Shutdown waits, after the drain time, for the
// answers bound gives to requests still running to be written.
const answerGrace = 2 * time.Second

// bound wraps every route but /healthz, around the router (and so around
// the access guard too): it refuses a request past MaxInFlight at once
// (503, Retry-After), answers a request still running when Shutdown's
// drain ends with a SOAP Fault or JSON error of its own (503) instead of
// leaving the connection to be cut, and logs one line per request: at info
// level for an archiving message (session, interaction, action, operation,
// result = acknowledgement type or fault rule, duration, size), at debug
// level for every other request. No identity code or name is logged: the
// log carries what the handlers note (requestNote), never the message's
// content, and the path without its query.
func (s *Server) bound(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		note := &requestNote{}
		body := &countingBody{ReadCloser: r.Body}
		r.Body = body
		soap := isSOAPPost(r)
		max := int64(s.MaxInFlight)
		if max <= 0 {
			max = DefaultMaxInFlight
		}
		if s.inFlight.Add(1) > max {
			s.inFlight.Add(-1)
			w.Header().Set("Retry-After", retryAfter)
			status := s.unavailable(w, r, soap, ruleBusy, "the archive is serving as many requests as it takes at once, send the request again in a moment")
			note.setResult(ruleBusy, "")
			s.logRequest(r, soap, note, status, body.n.Load(), time.Since(start))
			return
		}
		defer s.inFlight.Add(-1)
		s.running.Add(1)
		defer s.running.Done()

		r = r.WithContext(context.WithValue(r.Context(), noteKey{}, note))
		gw := &guardedWriter{w: w, header: make(http.Header)}
		// The route runs on the connection's own goroutine; only when the
		// drain ends does a goroutine of its own answer in its place.
		answeredAtShutdown := make(chan struct{})
		stop := context.AfterFunc(s.drainContext(), func() {
			defer close(answeredAtShutdown)
			if !gw.takeOver() {
				// The answer has begun; it can only run on until
				// Shutdown closes the connection.
				return
			}
			w.Header().Set("Connection", "close")
			gw.answered(s.unavailable(w, r, soap, ruleShutdown, "the archive is shutting down and did not finish the request within its drain time, so whether the message was archived is not known: send it again when the archive is back"))
			// What the client has not sent of the body is not waited for:
			// reads of it fail from now on, the route's included (its
			// context is cancelled too), so that the route stops and the
			// server does not wait for the rest of the body before it
			// closes the connection.
			rc := http.NewResponseController(w)
			rc.Flush()
			rc.SetReadDeadline(time.Now())
			note.setResult(ruleShutdown, "")
			s.answeredAtShutdown.Add(1)
		})
		next.ServeHTTP(gw, r)
		if !stop() {
			<-answeredAtShutdown
		}
		s.logRequest(r, soap, note, gw.statusCode(), body.n.Load(), time.Since(start))
	})
}

// drainContext returns the context Shutdown cancels when its drain time
// has ended.
func (s *Server) drainContext() context.Context {
	s.initOnce.Do(s.init)
	return s.base
}

// init makes the context the server's requests derive from; Shutdown
// cancels it when the drain ends.
func (s *Server) init() {
	s.base, s.endDrain = context.WithCancel(context.Background())
}

// unavailable answers r with HTTP 503 naming rule: a SOAP Fault for an
// archiving message, a JSON api.Error otherwise. It returns the status.
func (s *Server) unavailable(w http.ResponseWriter, r *http.Request, soap bool, rule, reason string) int {
	if soap {
		s.faultStatus(w, http.StatusServiceUnavailable, wire.Fault{SOAPVersion: requestSOAPVersion(r), Code: "Server", Rule: rule, Reason: reason})
		return http.StatusServiceUnavailable
	}
	code := api.CodeBusy
	if rule == ruleShutdown {
		code = api.CodeShuttingDown
	}
	s.writeJSON(w, http.StatusServiceUnavailable, api.Error{Error: reason, Code: code})
	return http.StatusServiceUnavailable
}

// isSOAPPost reports whether r is an archiving message: a POST to /soap or
// /s/{session}/soap.
func isSOAPPost(r *http.Request) bool {
	p := r.URL.Path
	return r.Method == http.MethodPost && (p == "/soap" || (strings.HasPrefix(p, "/s/") && strings.HasSuffix(p, "/soap")))
}

// logRequest writes the request's line: info for an archiving message,
// debug for the rest.
func (s *Server) logRequest(r *http.Request, soap bool, n *requestNote, status int, size int64, d time.Duration) {
	if s.Logger == nil {
		return
	}
	level := slog.LevelDebug
	if soap {
		level = slog.LevelInfo
	}
	ctx := context.Background()
	if !s.Logger.Enabled(ctx, level) {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	attrs := make([]slog.Attr, 0, 12)
	if n.session != "" {
		attrs = append(attrs, slog.String("session", n.session))
	}
	if soap {
		attrs = append(attrs, slog.String("interaction", n.interaction), slog.String("action", n.action), slog.String("operation", n.operation),
			slog.String("result", n.result))
		if n.seq > 0 {
			attrs = append(attrs, slog.Int("seq", n.seq))
		}
		if len(n.rules) > 0 {
			attrs = append(attrs, slog.String("rules", strings.Join(n.rules, ",")))
		}
		if n.reason != "" {
			attrs = append(attrs, slog.String("reason", n.reason))
		}
	} else {
		attrs = append(attrs, slog.String("method", r.Method), slog.String("path", r.URL.Path))
		if n.result != "" {
			attrs = append(attrs, slog.String("result", n.result))
		}
	}
	attrs = append(attrs, slog.Int("status", status), slog.Duration("duration", d), slog.Int64("bytes", size))
	msg := "request"
	if soap {
		msg = "message"
	}
	s.Logger.LogAttrs(ctx, level, msg, attrs...)
}

// requestNote is what a handler tells the request log about the request it
// serves. Handlers fill it through noteOf; bound reads it when the
// request ends, or when it answers in the handler's place.
type requestNote struct {
	mu                                      sync.Mutex
	session, interaction, action, operation string
	// result is the acknowledgement's type code (AA, AE, AR) or the rule
	// of the fault answered.
	result string
	// reason says why a message was refused with a fault.
	reason string
	seq    int
	// rules are the rules of the error findings of an AE or AR.
	rules []string
}

// noteKey is the context key of a request's *requestNote.
type noteKey struct{}

// noteOf returns the note of r, or one the log never reads when r did not
// come through bound (a test calling a handler directly).
func noteOf(r *http.Request) *requestNote {
	if n, ok := r.Context().Value(noteKey{}).(*requestNote); ok {
		return n
	}
	return &requestNote{}
}

// set changes the note under its lock.
func (n *requestNote) set(change func(n *requestNote)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	change(n)
}

// setResult notes the result (an acknowledgement type or a fault's rule)
// and, for a fault, its reason.
func (n *requestNote) setResult(result, reason string) {
	n.set(func(n *requestNote) { n.result, n.reason = result, reason })
}

// countingBody counts the bytes read of a request body.
type countingBody struct {
	io.ReadCloser
	n atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// guardedWriter is the ResponseWriter a route writes to under bound,
// which can take the answer over (takeOver) as long as the route has not
// begun its own, after which the route's writes are dropped. The route has
// a header map of its own, copied when it begins its answer, so that
// bound's answer and the route never share one.
type guardedWriter struct {
	mu     sync.Mutex
	w      http.ResponseWriter
	header http.Header
	// status is the answer's status once begun, 0 before.
	status int
	// taken is set when bound answered instead of the route.
	taken bool
}

// Header returns the route's header map.
func (g *guardedWriter) Header() http.Header { return g.header }

// WriteHeader begins the route's answer, unless bound has answered.
func (g *guardedWriter) WriteHeader(status int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.writeHeaderLocked(status)
}

func (g *guardedWriter) writeHeaderLocked(status int) {
	if g.taken || g.status != 0 {
		return
	}
	g.status = status
	dst := g.w.Header()
	for k, v := range g.header {
		dst[k] = v
	}
	g.w.WriteHeader(status)
}

// Write writes the route's answer, unless bound has answered.
func (g *guardedWriter) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.taken {
		return 0, http.ErrHandlerTimeout
	}
	g.writeHeaderLocked(http.StatusOK)
	return g.w.Write(p)
}

// Flush sends what the route has written, for answers that stream.
func (g *guardedWriter) Flush() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.taken {
		return
	}
	g.writeHeaderLocked(http.StatusOK)
	if f, ok := g.w.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap returns the server's ResponseWriter, for http.ResponseController.
func (g *guardedWriter) Unwrap() http.ResponseWriter { return g.w }

// takeOver reports whether bound may answer in the route's place: the
// route has not begun its answer. From then on the route's writes are
// dropped.
func (g *guardedWriter) takeOver() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.status != 0 {
		return false
	}
	g.taken = true
	return true
}

// answered notes the status of bound's own answer.
func (g *guardedWriter) answered(status int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.status = status
}

// statusCode returns the status the route answered with (200 for an answer
// that began without WriteHeader, 0 for none).
func (g *guardedWriter) statusCode() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.status
}
