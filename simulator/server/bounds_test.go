package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/simulator/server"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// heldRequest is a request whose body the client has begun but not
// finished, so that its handler waits, reading, until release.
type heldRequest struct {
	conn net.Conn
	rest string
}

// hold sends the request line, the headers and the first part of body on
// a connection of its own, and keeps the rest back.
func hold(t *testing.T, base, method, path, contentType, body string) *heldRequest {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	half := len(body) / 2
	fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s",
		method, path, strings.TrimPrefix(base, "http://"), contentType, len(body), body[:half])
	return &heldRequest{conn: conn, rest: body[half:]}
}

// release sends the rest of the body.
func (h *heldRequest) release(t *testing.T) {
	t.Helper()
	if _, err := io.WriteString(h.conn, h.rest); err != nil {
		t.Fatal(err)
	}
}

// answer reads the answer; a connection cut without one fails the test.
func (h *heldRequest) answer(t *testing.T) (*http.Response, []byte) {
	t.Helper()
	h.conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(h.conn), nil)
	if err != nil {
		t.Fatalf("no answer, the connection was cut: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("answer cut short: %v", err)
	}
	return resp, b
}

// waitHeld waits until the server is serving n requests: the held ones.
// It watches the server's count rather than sending requests of its own,
// which would take a slot and could have a held request refused as busy
// before the server had read it.
func waitHeld(t *testing.T, s *server.Server, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.InFlight() < n {
		if time.Now().After(deadline) {
			t.Fatalf("the server serves %d requests, want the %d held ones", s.InFlight(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

const smallEnvelope = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><x/></soap:Body></soap:Envelope>`

// Past MaxInFlight, a message gets at once a SOAP Fault naming WIRE-BUSY
// and a control API request a JSON error, both with 503 and Retry-After;
// /healthz still answers, and once the held requests end the server serves
// again.
func TestMaxInFlight(t *testing.T) {
	s := startConfigured(t, func(s *server.Server) { s.MaxInFlight = 2 })
	held := []*heldRequest{
		hold(t, s.URL(), "POST", "/soap", "text/xml", smallEnvelope),
		hold(t, s.URL(), "PUT", "/api/sessions/busy/clock", "application/json", `{"advance":"1h"}`),
	}
	waitHeld(t, s, int64(len(held)))

	start := time.Now()
	resp, err := http.Post(s.URL()+"/s/busy/soap", "text/xml", strings.NewReader(smallEnvelope))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("message past the limit: status %d, Retry-After %q, want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	f, err := wire.ReadFault(resp.Header.Get("Content-Type"), resp.Body)
	resp.Body.Close()
	if err != nil || f.Rule != "WIRE-BUSY" {
		t.Errorf("message past the limit: fault %+v (%v), want one naming WIRE-BUSY", f, err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the refusal took %v, want it at once", d)
	}

	resp, err = http.Get(s.URL() + "/api/sessions")
	if err != nil {
		t.Fatal(err)
	}
	var e api.Error
	json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || e.Code != api.CodeBusy {
		t.Errorf("API request past the limit: status %d, Retry-After %q, %+v, want 503, Retry-After and code %q", resp.StatusCode, resp.Header.Get("Retry-After"), e, api.CodeBusy)
	}
	if resp, err := http.Get(s.URL() + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz past the limit: %v %v, want 200", err, resp.Status)
	}

	for _, h := range held {
		h.release(t)
		if resp, _ := h.answer(t); resp.StatusCode == http.StatusServiceUnavailable {
			t.Errorf("held request: 503, want its own answer")
		}
	}
	resp, err = http.Get(s.URL() + "/api/sessions")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("after the held requests ended: %v %v, want 200", err, resp.Status)
	}
	resp.Body.Close()
}

// On shutdown, a request that ends within the drain time gets its own
// answer; one still running after it gets a SOAP Fault naming
// WIRE-SHUTDOWN (a message) or a JSON error (the control API), with 503,
// not a cut connection.
func TestShutdownAnswersRequestsStillRunning(t *testing.T) {
	sim, err := simulator.New()
	if err != nil {
		t.Fatal(err)
	}
	s := &server.Server{Addr: "127.0.0.1:0", Sim: sim, MaxInFlight: 3}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	message := hold(t, s.URL(), "POST", "/s/drain/soap", "text/xml", smallEnvelope)
	clock := hold(t, s.URL(), "PUT", "/api/sessions/drain/clock", "application/json", `{"advance":"1h"}`)
	finishing := hold(t, s.URL(), "POST", "/s/drain/soap", "text/xml", smallEnvelope)
	waitHeld(t, s, 3)

	drain := 500 * time.Millisecond
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), drain)
		defer cancel()
		done <- s.Shutdown(ctx)
	}()
	time.Sleep(drain / 5)
	finishing.release(t)
	if resp, b := finishing.answer(t); resp.StatusCode != http.StatusInternalServerError || !bytes.Contains(b, []byte("WIRE-NO-FRAME")) {
		t.Errorf("request finished within the drain time: %d %s, want its own fault (WIRE-NO-FRAME)", resp.StatusCode, b)
	}

	resp, b := message.answer(t)
	f, err := wire.ReadFault(resp.Header.Get("Content-Type"), bytes.NewReader(b))
	if resp.StatusCode != http.StatusServiceUnavailable || err != nil || f.Rule != "WIRE-SHUTDOWN" {
		t.Errorf("message still running after the drain: %d, fault %+v (%v), want 503 naming WIRE-SHUTDOWN", resp.StatusCode, f, err)
	}
	resp, b = clock.answer(t)
	var e api.Error
	if err := json.Unmarshal(b, &e); resp.StatusCode != http.StatusServiceUnavailable || err != nil || e.Code != api.CodeShuttingDown {
		t.Errorf("API request still running after the drain: %d %s, want 503 with code %q", resp.StatusCode, b, api.CodeShuttingDown)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Shutdown: %v, want nil once every request was answered", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Shutdown did not return")
	}
}

// identityCode matches a Finnish personal identity code (henkilötunnus).
var identityCode = regexp.MustCompile(`[0-9]{6}[-+ABCDEFUVWXY][0-9]{3}[0-9A-Y]`)

// The server logs one line per message with its session, result, duration
// and size, one debug line per other request, and no identity code from
// the messages or the queries.
func TestRequestLog(t *testing.T) {
	var buf syncBuffer
	s := startConfigured(t, func(s *server.Server) {
		s.Logger = slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	crdFrame, crd := sample(t, "client-relation-frame.xml"), sample(t, "signature-restored/client-relation-document.xml")
	planFrame, plan := sample(t, "plan-frame.xml"), sample(t, "signature-restored/plan-document.xml")
	codes := identityCode.FindAll(append(append(crdFrame, crd...), plan...), -1)
	if len(codes) == 0 {
		t.Fatal("the samples hold no identity code; the test cannot check the log leaks none")
	}
	url := s.URL() + "/s/logged/soap"
	post(t, url, "1.1", wire.SwA, crdFrame, crd)
	post(t, url, "1.2", wire.InlineBase64, planFrame, plan)
	resp, err := http.Post(url, "text/xml", strings.NewReader("<not-xml"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, path := range []string{"/api/sessions", "/api/sessions/logged/messages", "/api/sessions/logged/archive?client=" + string(codes[0])} {
		var v any
		getJSON(t, s.URL()+path, &v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil { // every line is written once the requests are done
		t.Fatal(err)
	}

	log := buf.String()
	for _, c := range codes {
		if strings.Contains(log, string(c)) {
			t.Errorf("the log holds identity code %s:\n%s", c, log)
		}
	}
	var messages, requests []map[string]any
	for line := range strings.Lines(log) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		switch m["msg"] {
		case "message":
			messages = append(messages, m)
		case "request":
			requests = append(requests, m)
		}
	}
	wantResults := []string{"AA", "AE", "XML-WELLFORMED"}
	if len(messages) != len(wantResults) {
		t.Fatalf("%d message lines, want %d:\n%s", len(messages), len(wantResults), log)
	}
	for i, m := range messages {
		if m["level"] != "INFO" || m["session"] != "logged" || m["result"] != wantResults[i] || m["duration"] == nil || m["bytes"] == nil || m["bytes"].(float64) <= 0 {
			t.Errorf("message line %d = %v, want level INFO, session logged, result %s, a duration and the size", i, m, wantResults[i])
		}
	}
	if messages[1]["rules"] == nil || !strings.Contains(messages[1]["rules"].(string), "ARC-ORDER-CRD") || messages[0]["operation"] != "store" {
		t.Errorf("message lines %v, want the store's operation and the AE's rules", messages)
	}
	if len(requests) != 3 {
		t.Fatalf("%d request lines, want one per control API request (3):\n%s", len(requests), log)
	}
	for _, m := range requests {
		if m["level"] != "DEBUG" || m["method"] != "GET" || m["status"].(float64) != 200 || strings.Contains(m["path"].(string), "?") {
			t.Errorf("request line %v, want a DEBUG line with method, status 200 and the path without its query", m)
		}
	}
}
