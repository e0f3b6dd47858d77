package sut_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus/sut"
)

// mustRequest builds a request or fails the test.
func mustRequest(t testing.TB, id string, action sut.Action, params any) sut.Request {
	t.Helper()
	req, err := sut.NewRequest(id, action, "http://127.0.0.1:41234/s/run-1/soap", params)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// storeDecision is a realistic store-document request.
func storeDecision(t testing.TB) sut.Request {
	return mustRequest(t, "r-7", sut.ActionStoreDocument, sut.DocumentParams{
		DocRef: "decision-1", CaseRef: "case-1", Type: "decision", ServiceTask: "24",
		Format: "structured", Signature: "professional", GuardianDisclosure: "1",
	})
}

// fakeSystem answers like a small vendor system: it stores documents,
// does not search, and remembers the requests it got.
type fakeSystem struct {
	mu   sync.Mutex
	got  []sut.Request
	fail error
}

func (f *fakeSystem) Do(ctx context.Context, req sut.Request) (*sut.Answer, error) {
	f.mu.Lock()
	f.got = append(f.got, req)
	f.mu.Unlock()
	if f.fail != nil {
		return nil, f.fail
	}
	switch req.Action {
	case sut.ActionStoreDocument:
		var p sut.DocumentParams
		if err := req.DecodeParams(&p); err != nil {
			return nil, err
		}
		return sut.OK(req, sut.Result{
			MessageIDs: []string{"1.2.246.10.99999991.10.0^100000071"},
			Documents: []sut.DocumentRef{{Ref: p.DocRef, DocumentID: "1.2.246.10.99999991.95.2025.7",
				SetID: "1.2.246.10.99999991.95.2025.7", Version: 1, Kind: p.Type}},
		}), nil
	case sut.ActionSearch:
		return sut.Unsupported(req, "this system does not search the archive"), nil
	}
	return sut.Failed(req, "archive answered AE", sut.Result{}), nil
}

func TestHTTPRoundTrip(t *testing.T) {
	sys := &fakeSystem{}
	srv := httptest.NewServer(sut.Handler(sys))
	defer srv.Close()
	d := sut.NewHTTP(srv.URL, srv.Client())

	tests := []struct {
		name string
		req  sut.Request
		want *sut.Answer
	}{
		{
			name: "an ok answer carries the identifiers the system used",
			req:  storeDecision(t),
			want: &sut.Answer{Protocol: sut.Protocol, ID: "r-7", Status: sut.StatusOK, Result: sut.Result{
				MessageIDs: []string{"1.2.246.10.99999991.10.0^100000071"},
				Documents: []sut.DocumentRef{{Ref: "decision-1", DocumentID: "1.2.246.10.99999991.95.2025.7",
					SetID: "1.2.246.10.99999991.95.2025.7", Version: 1, Kind: "decision"}},
			}},
		},
		{
			name: "an unsupported action is an answer, not an error",
			req:  mustRequest(t, "r-8", sut.ActionSearch, sut.SearchParams{ClientRef: "c1"}),
			want: &sut.Answer{Protocol: sut.Protocol, ID: "r-8", Status: sut.StatusUnsupported,
				Message: "this system does not search the archive"},
		},
		{
			name: "a failed action is an answer, not an error",
			req:  mustRequest(t, "r-9", sut.ActionAnnul, sut.AnnulParams{DocRef: "decision-1", Reason: "wrong client"}),
			want: &sut.Answer{Protocol: sut.Protocol, ID: "r-9", Status: sut.StatusFailed, Message: "archive answered AE"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			got, err := d.Do(ctx, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("answer:\ngot  %+v\nwant %+v", got, tt.want)
			}
		})
	}

	// The system got the requests as sent, with the time it has.
	sys.mu.Lock()
	defer sys.mu.Unlock()
	if got, want := len(sys.got), len(tests); got != want {
		t.Fatalf("system got %d requests, want %d", got, want)
	}
	first := sys.got[0]
	if first.TimeoutMs <= 0 || first.TimeoutMs > 10000 {
		t.Errorf("timeoutMs: got %d, want 1..10000 from the context's deadline", first.TimeoutMs)
	}
	first.TimeoutMs = 0
	if want := storeDecision(t); !reflect.DeepEqual(first, want) {
		t.Errorf("request at the system:\ngot  %+v\nwant %+v", first, want)
	}
}

func TestHTTPErrors(t *testing.T) {
	// answerWith returns a handler answering req's id with a modified answer.
	answerWith := func(edit func(m map[string]any)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			var req sut.Request
			_ = json.NewDecoder(r.Body).Decode(&req)
			m := map[string]any{"protocol": sut.Protocol, "id": req.ID, "status": "ok"}
			edit(m)
			_ = json.NewEncoder(w).Encode(m)
		}
	}
	raw := func(status int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			fmt.Fprint(w, body)
		}
	}
	tests := []struct {
		name     string
		handler  http.Handler
		timeout  time.Duration
		protocol bool   // the error wraps sut.ErrProtocol
		want     string // the error contains this
	}{
		{name: "HTTP 500 quotes the adapter's JSON error",
			handler: raw(500, `{"protocol":"yhteistestaus-sut/1","error":"database down"}`),
			want:    `adapter answered HTTP 500 Internal Server Error: database down`},
		{name: "HTTP 502 quotes the start of a non-JSON body",
			handler: raw(502, "<html><body>Bad gateway</body></html>"),
			want:    `HTTP 502 Bad Gateway: "<html><body>Bad gateway</body></html>"`},
		{name: "HTTP 404 with an empty body says so",
			handler: raw(404, ""), want: "HTTP 404 Not Found with an empty body"},
		{name: "a body that is not JSON", handler: raw(200, "Case opened!"),
			protocol: true, want: "answer is not JSON"},
		{name: "an empty body", handler: raw(200, " \n"),
			protocol: true, want: "empty answer"},
		{name: "two answers in one body",
			handler:  raw(200, `{"protocol":"yhteistestaus-sut/1","id":"r-7","status":"ok"} {}`),
			protocol: true, want: "data after the answer"},
		{name: "an answer to another request",
			handler:  answerWith(func(m map[string]any) { m["id"] = "r-6" }),
			protocol: true, want: `answer id "r-6" to request "r-7"`},
		{name: "an answer in another protocol",
			handler:  answerWith(func(m map[string]any) { m["protocol"] = "yhteistestaus-sut/2" }),
			protocol: true, want: `answer protocol "yhteistestaus-sut/2"`},
		{name: "an unknown status",
			handler:  answerWith(func(m map[string]any) { m["status"] = "done" }),
			protocol: true, want: `answer status "done"`},
		{name: "an answer larger than the limit",
			handler:  answerWith(func(m map[string]any) { m["message"] = strings.Repeat("x", sut.MaxAnswerBytes) }),
			protocol: true, want: "answer larger than 4194304 bytes"},
		{name: "the context's deadline passes",
			handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				// Reading the body lets the server notice the client leave.
				_, _ = io.Copy(io.Discard, r.Body)
				select {
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
			}),
			timeout: 200 * time.Millisecond, want: "context deadline exceeded"},
		{name: "Handler reports the driver's error as HTTP 500",
			handler: sut.Handler(&fakeSystem{fail: errors.New("cannot reach the archive")}),
			want:    `HTTP 500 Internal Server Error: store-document request "r-7": cannot reach the archive`},
		{name: "Handler refuses to pass on a driver's broken answer",
			handler: sut.Handler(sut.DriverFunc(func(ctx context.Context, req sut.Request) (*sut.Answer, error) {
				return &sut.Answer{ID: req.ID, Status: sut.StatusOK}, nil
			})),
			want: `HTTP 500 Internal Server Error: store-document request "r-7": driver protocol violation: answer protocol ""`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			timeout := tt.timeout
			if timeout == 0 {
				timeout = 10 * time.Second
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			start := time.Now()
			a, err := sut.NewHTTP(srv.URL, srv.Client()).Do(ctx, storeDecision(t))
			if err == nil {
				t.Fatalf("got answer %+v, want an error containing %q", a, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\ngot  %v\nwant it to contain %s", err, tt.want)
			}
			if got := errors.Is(err, sut.ErrProtocol); got != tt.protocol {
				t.Errorf("errors.Is(err, ErrProtocol): got %v, want %v", got, tt.protocol)
			}
			if !strings.Contains(err.Error(), `store-document request "r-7" to `+srv.URL) {
				t.Errorf("error %q does not name the action, the request and the adapter", err)
			}
			if tt.timeout > 0 {
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("errors.Is(err, context.DeadlineExceeded) = false for %v", err)
				}
				if el := time.Since(start); el > 3*time.Second {
					t.Errorf("returned after %v, want soon after the %v deadline", el, tt.timeout)
				}
			}
		})
	}
}

func TestHandlerGivesTheDriverTheRequestsTime(t *testing.T) {
	var left time.Duration
	d := sut.DriverFunc(func(ctx context.Context, req sut.Request) (*sut.Answer, error) {
		dl, ok := ctx.Deadline()
		if ok {
			left = time.Until(dl)
		}
		return sut.OK(req, sut.Result{}), nil
	})
	req := storeDecision(t)
	req.TimeoutMs = 3000
	body, _ := json.Marshal(req)
	rec := httptest.NewRecorder()
	sut.Handler(d).ServeHTTP(rec, httptest.NewRequest("POST", "/", bytes.NewReader(body)))
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if left <= 0 || left > 3*time.Second {
		t.Errorf("driver's time left: got %v, want up to 3s from timeoutMs", left)
	}
}

func TestHTTPUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := sut.NewHTTP(url, nil).Do(context.Background(), storeDecision(t))
	if err == nil || !strings.Contains(err.Error(), "connect") {
		t.Errorf("got %v, want a connection error", err)
	}
}

func TestHandlerRefusesMalformedRequests(t *testing.T) {
	valid := `{"protocol":"yhteistestaus-sut/1","id":"r-1","action":"describe"}`
	tests := []struct {
		name   string
		method string
		body   string
		status int
		want   string
	}{
		{"a valid request is answered", "POST", valid, 200, `"status":"failed"`},
		{"unknown fields are ignored (the protocol grows)", "POST",
			`{"protocol":"yhteistestaus-sut/1","id":"r-1","action":"describe","since":"1.1"}`, 200, `"id":"r-1"`},
		{"GET is not a request", "GET", "", 405, "method GET not allowed"},
		{"a body that is not JSON", "POST", "action=describe", 400, "request is not one JSON object"},
		{"an empty body", "POST", "", 400, "request is not one JSON object"},
		{"two requests in one body", "POST", valid + valid, 400, "data after the request"},
		{"another protocol", "POST", `{"protocol":"yhteistestaus-sut/2","id":"r-1","action":"describe"}`, 400,
			`protocol \"yhteistestaus-sut/2\" not supported`},
		{"no protocol", "POST", `{"id":"r-1","action":"describe"}`, 400, `protocol \"\" not supported`},
		{"no id", "POST", `{"protocol":"yhteistestaus-sut/1","action":"describe"}`, 400, "request has no id"},
		{"no action", "POST", `{"protocol":"yhteistestaus-sut/1","id":"r-1"}`, 400, "request has no action"},
		{"a request larger than the limit", "POST",
			`{"protocol":"yhteistestaus-sut/1","id":"r-1","action":"describe","params":"` + strings.Repeat("x", sut.MaxRequestBytes) + `"}`,
			413, "request larger than 1048576 bytes"},
	}
	h := sut.Handler(&fakeSystem{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, "/", strings.NewReader(tt.body)))
			if rec.Code != tt.status {
				t.Errorf("status: got %d, want %d (body %s)", rec.Code, tt.status, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type: got %q, want application/json", ct)
			}
			if !json.Valid(rec.Body.Bytes()) {
				t.Errorf("body is not JSON: %s", rec.Body)
			}
			if !strings.Contains(rec.Body.String(), tt.want) {
				t.Errorf("body:\ngot  %s\nwant it to contain %s", rec.Body, tt.want)
			}
		})
	}
}
