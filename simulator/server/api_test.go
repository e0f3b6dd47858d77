package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/simulator/server"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// do sends a request and returns the status and the body.
func do(t *testing.T, method, url, body string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	status, _, b := roundTrip(t, method, url, "", rd)
	return status, b
}

// roundTrip sends one request (with the Content-Type unless it is empty)
// and returns the answer's status, header and body.
func roundTrip(t *testing.T, method, url, contentType string, body io.Reader) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
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

func sessions(t *testing.T, s *server.Server) []string {
	t.Helper()
	var out struct {
		Sessions []string `json:"sessions"`
	}
	getJSON(t, s.URL()+"/api/sessions", &out)
	return out.Sessions
}

// Reading the control API never creates a session: a session that does not
// exist is 404 with the code no-session. Requests that change a session
// create it.
func TestControlAPIReadsDoNotCreateSessions(t *testing.T) {
	s := startServer(t)
	base := s.URL() + "/api/sessions/"
	reads := []struct{ name, path string }{
		{"messages", "ghost/messages"},
		{"one message", "ghost/messages/1"},
		{"archive", "ghost/archive"},
		{"one set", "ghost/archive/sets/1.2.3"},
		{"clock", "ghost/clock"},
	}
	for _, tt := range reads {
		t.Run("GET "+tt.name, func(t *testing.T) {
			status, body := do(t, http.MethodGet, base+tt.path, "")
			var e api.Error
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("body %s: %v", body, err)
			}
			if status != http.StatusNotFound || e.Code != api.CodeNoSession {
				t.Errorf("got %d %+v, want 404 with code %s", status, e, api.CodeNoSession)
			}
		})
	}
	if got := sessions(t, s); len(got) != 0 {
		t.Fatalf("after reads: got sessions %v, want none", got)
	}
	writes := []struct {
		name, method, url, body, session string
	}{
		{"reset", http.MethodPost, base + "r/reset", "", "r"},
		{"setting the clock", http.MethodPut, base + "c/clock", `{"advance":"1h"}`, "c"},
	}
	for _, tt := range writes {
		t.Run(tt.name, func(t *testing.T) {
			if status, body := do(t, tt.method, tt.url, tt.body); status != http.StatusOK {
				t.Fatalf("got %d %s, want 200", status, body)
			}
			if !slices.Contains(sessions(t, s), tt.session) {
				t.Errorf("session %s was not created", tt.session)
			}
		})
	}
	frame, doc := sample(t, "client-relation-frame.xml"), sample(t, "signature-restored/client-relation-document.xml")
	post(t, s.URL()+"/s/m/soap", "1.1", wire.SwA, frame, doc)
	if !slices.Contains(sessions(t, s), "m") {
		t.Errorf("a SOAP message did not create its session")
	}
	// A known session with no such message is a plain 404.
	status, body := do(t, http.MethodGet, base+"m/messages/9", "")
	var e api.Error
	json.Unmarshal(body, &e)
	if status != http.StatusNotFound || e.Code != "" {
		t.Errorf("missing message: got %d %+v, want 404 without a code", status, e)
	}
}

// Past the simulator's maximum, new sessions are refused: 503, and a SOAP
// Fault (HTTP 500) on the archiving endpoint. Existing sessions are still served.
func TestSessionCapOverHTTP(t *testing.T) {
	s := startServer(t, simulator.WithMaxSessions(1))
	if status, body := do(t, http.MethodPost, s.URL()+"/api/sessions/one/reset", ""); status != http.StatusOK {
		t.Fatalf("first session: got %d %s", status, body)
	}
	tests := []struct {
		name, method, url, body string
		want                    int
	}{
		{"reset of a new session", http.MethodPost, "/api/sessions/two/reset", "", http.StatusServiceUnavailable},
		{"clock of a new session", http.MethodPut, "/api/sessions/two/clock", `{"advance":"1h"}`, http.StatusServiceUnavailable},
		{"reset of the existing session", http.MethodPost, "/api/sessions/one/reset", "", http.StatusOK},
		{"messages of the existing session", http.MethodGet, "/api/sessions/one/messages", "", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status, body := do(t, tt.method, s.URL()+tt.url, tt.body); status != tt.want {
				t.Errorf("got %d %s, want %d", status, body, tt.want)
			}
		})
	}
	t.Run("SOAP message to a new session", func(t *testing.T) {
		var body bytes.Buffer
		ct, err := wire.WriteRequest(&body, "1.1", wire.SwA, sample(t, "client-relation-frame.xml"), sample(t, "signature-restored/client-relation-document.xml"))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Post(s.URL()+"/s/two/soap", ct, &body)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusInternalServerError {
			t.Errorf("got status %d, want 500 (a SOAP Fault, WS-I BP 1.1)", resp.StatusCode)
		}
		f, err := wire.ReadFault(resp.Header.Get("Content-Type"), resp.Body)
		if err != nil || !strings.Contains(f.Reason, "too many sessions") {
			t.Errorf("got fault %+v (%v), want one saying too many sessions", f, err)
		}
	})
	if got := sessions(t, s); !slices.Equal(got, []string{"one"}) {
		t.Errorf("got sessions %v, want [one]", got)
	}
}

// The control API serves the newest messages of a bounded log, by their
// sequence numbers, which go on increasing across resets, as the
// acknowledgement ids do.
func TestMessageLogOverHTTP(t *testing.T) {
	s := startServer(t, simulator.WithMaxExchanges(2))
	frame, doc := sample(t, "client-relation-frame.xml"), sample(t, "signature-restored/client-relation-document.xml")
	soap := s.URL() + "/s/log/soap"
	var ids []string
	for range 3 {
		ids = append(ids, post(t, soap, "1.1", wire.SwA, frame, doc).ID)
	}
	var msgs struct {
		Messages []struct {
			Seq int `json:"seq"`
		} `json:"messages"`
	}
	getJSON(t, s.URL()+"/api/sessions/log/messages", &msgs)
	if len(msgs.Messages) != 2 || msgs.Messages[0].Seq != 2 || msgs.Messages[1].Seq != 3 {
		t.Errorf("got messages %+v, want sequence numbers 2 and 3", msgs.Messages)
	}
	for _, tt := range []struct {
		seq  int
		want int
	}{{1, http.StatusNotFound}, {2, http.StatusOK}, {3, http.StatusOK}} {
		if status, _ := do(t, http.MethodGet, fmt.Sprintf("%s/api/sessions/log/messages/%d", s.URL(), tt.seq), ""); status != tt.want {
			t.Errorf("message %d: got %d, want %d", tt.seq, status, tt.want)
		}
	}
	if status, body := do(t, http.MethodPost, s.URL()+"/api/sessions/log/reset", ""); status != http.StatusOK {
		t.Fatalf("reset: %d %s", status, body)
	}
	ids = append(ids, post(t, soap, "1.1", wire.SwA, frame, doc).ID)
	if want := []string{"1", "2", "3", "4"}; !slices.Equal(ids, want) {
		t.Errorf("got acknowledgement ids %v, want %v", ids, want)
	}
}

// JSON answers carry XML and locations as they are, without \u003c escapes.
func TestJSONAnswersDoNotEscapeHTML(t *testing.T) {
	s := startServer(t)
	frame, doc := sample(t, "client-relation-frame.xml"), sample(t, "signature-restored/client-relation-document.xml")
	post(t, s.URL()+"/s/x/soap", "1.1", wire.SwA, frame, doc)
	status, body := do(t, http.MethodGet, s.URL()+"/api/sessions/x/messages/1", "")
	if status != http.StatusOK {
		t.Fatalf("got %d %s", status, body)
	}
	if bytes.Contains(body, []byte(`\u003c`)) || !bytes.Contains(body, []byte(`"frameXml": "<`)) {
		t.Errorf("got frameXml escaped, want the XML as it is: %.200s", body)
	}
}

// DELETE /api/sessions/{s} removes the session; a session that does not
// exist is 404, and deleting never creates one.
func TestDeleteSessionOverHTTP(t *testing.T) {
	s := startServer(t)
	base := s.URL() + "/api/sessions/"
	if status, body := do(t, http.MethodPost, base+"doomed/reset", ""); status != http.StatusOK {
		t.Fatalf("reset: %d %s", status, body)
	}
	tests := []struct {
		name, session string
		want          int
	}{
		{"an existing session", "doomed", http.StatusOK},
		{"the same session again", "doomed", http.StatusNotFound},
		{"a session that never was", "ghost", http.StatusNotFound},
	}
	for _, tt := range tests {
		if status, body := do(t, http.MethodDelete, base+tt.session, ""); status != tt.want {
			t.Errorf("DELETE %s (%s): %d %s, want %d", tt.session, tt.name, status, body, tt.want)
		}
	}
	if got := sessions(t, s); slices.Contains(got, "doomed") || slices.Contains(got, "ghost") {
		t.Errorf("sessions %v after the deletes, want neither doomed nor ghost", got)
	}
}
