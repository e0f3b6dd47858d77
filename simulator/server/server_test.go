package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/sharedtest"
	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/simulator/server"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

func sample(tb testing.TB, name string) []byte {
	tb.Helper()
	return sharedtest.ReadFile(tb, "samples", "kanta-sh-public", name)
}

// startServer runs a real server on a loopback port, serving a simulator
// built with opts.
func startServer(tb testing.TB, opts ...simulator.Option) *server.Server {
	tb.Helper()
	return startConfigured(tb, func(*server.Server) {}, opts...)
}

// startConfigured is startServer with the server's fields set by
// configure before it starts.
func startConfigured(tb testing.TB, configure func(*server.Server), opts ...simulator.Option) *server.Server {
	tb.Helper()
	sim, err := simulator.New(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	s := &server.Server{Addr: "127.0.0.1:0", Sim: sim}
	configure(s)
	if err := s.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	return s
}

// post sends an archiving message and parses the acknowledgement.
func post(tb testing.TB, url, soapVersion string, pkg wire.Packaging, frame, doc []byte) *wire.Acknowledgement {
	tb.Helper()
	var body bytes.Buffer
	ct, err := wire.WriteRequest(&body, soapVersion, pkg, frame, doc)
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := http.Post(url, ct, &body)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		tb.Fatalf("POST %s: status %d: %s", url, resp.StatusCode, b)
	}
	ack, err := wire.ReadAcknowledgement(resp.Header.Get("Content-Type"), resp.Body)
	if err != nil {
		tb.Fatalf("read acknowledgement: %v", err)
	}
	return ack
}

func ruleIDs(ack *wire.Acknowledgement, severity string) []string {
	var ids []string
	for _, d := range ack.Details {
		if d.Severity.String() == severity {
			ids = append(ids, d.Rule)
		}
	}
	return ids
}

// Every transport carries the real client relation document to the archive,
// which accepts it (a first document for a new client), and the plan, which
// it rejects because the client has no client relation document yet.
func TestSOAPTransports(t *testing.T) {
	s := startServer(t)
	crdFrame, crd := sample(t, "client-relation-frame.xml"), sample(t, "signature-restored/client-relation-document.xml")
	planFrame, plan := sample(t, "plan-frame.xml"), sample(t, "signature-restored/plan-document.xml")
	tests := []struct {
		name    string
		version string
		pkg     wire.Packaging
	}{
		{"soap 1.1 inline base64", "1.1", wire.InlineBase64},
		{"soap 1.2 inline base64", "1.2", wire.InlineBase64},
		{"soap 1.1 with attachments", "1.1", wire.SwA},
		{"soap 1.2 with attachments", "1.2", wire.SwA},
		{"soap 1.1 mtom", "1.1", wire.MTOM},
		{"soap 1.2 mtom", "1.2", wire.MTOM},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			session := s.URL() + "/s/t" + string(rune('a'+i)) + "/soap"
			ack := post(t, session, tt.version, tt.pkg, crdFrame, crd)
			if ack.TypeCode != kanta.AckAccepted || ack.Operation != "store" {
				t.Errorf("client relation document: ack %s operation %q, want AA store; errors %v", ack.TypeCode, ack.Operation, ruleIDs(ack, "error"))
			}
			if ack.TargetMessageID != "10037140046" {
				t.Errorf("ack targets message %q, want 10037140046", ack.TargetMessageID)
			}
			ack = post(t, session, tt.version, tt.pkg, planFrame, plan)
			if ack.TypeCode != kanta.AckError || !contains(ruleIDs(ack, "error"), "ARC-ORDER-CRD") {
				t.Errorf("plan without its client's client relation document: ack %s errors %v, want AE with ARC-ORDER-CRD", ack.TypeCode, ruleIDs(ack, "error"))
			}
		})
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// The same document stored twice is refused the second time, and the
// control API shows the archive holding one version.
func TestSOAPStateAndControlAPI(t *testing.T) {
	s := startServer(t)
	frame, doc := sample(t, "client-relation-frame.xml"), sample(t, "signature-restored/client-relation-document.xml")
	url := s.URL() + "/s/state/soap"
	if ack := post(t, url, "1.1", wire.SwA, frame, doc); ack.TypeCode != kanta.AckAccepted {
		t.Fatalf("first store: %s %v", ack.TypeCode, ruleIDs(ack, "error"))
	}
	ack := post(t, url, "1.1", wire.SwA, frame, doc)
	if errs := ruleIDs(ack, "error"); ack.TypeCode != kanta.AckError || !contains(errs, "ARC-DUPLICATE-ID") {
		t.Errorf("second store: %s %v, want AE with ARC-DUPLICATE-ID", ack.TypeCode, errs)
	}
	var arch api.Archive
	getJSON(t, s.URL()+"/api/sessions/state/archive?client=200111A904P", &arch)
	if len(arch.Sets) != 1 || arch.Sets[0].Versions != 1 || arch.Sets[0].Latest.Kind != "client-relation" {
		t.Errorf("archive view = %+v, want one client relation document with one version", arch)
	}
	var msgs struct {
		Messages []struct {
			Seq      int    `json:"seq"`
			AckType  string `json:"ackType"`
			Findings []struct {
				Rule string `json:"rule"`
			} `json:"findings"`
		} `json:"messages"`
	}
	getJSON(t, s.URL()+"/api/sessions/state/messages", &msgs)
	if len(msgs.Messages) != 2 || msgs.Messages[0].AckType != "AA" || msgs.Messages[1].AckType != "AE" {
		t.Errorf("messages = %+v, want AA then AE", msgs.Messages)
	}
	// Sessions do not leak into each other.
	post(t, s.URL()+"/s/other/soap", "1.1", wire.SwA, sample(t, "plan-frame.xml"), sample(t, "signature-restored/plan-document.xml"))
	getJSON(t, s.URL()+"/api/sessions/other/archive", &arch)
	if len(arch.Sets) != 0 {
		t.Errorf("session other sees %d sets, want 0", len(arch.Sets))
	}
	// Reset empties the session.
	resp, err := http.Post(s.URL()+"/api/sessions/state/reset", "application/json", nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("reset: %v %v", err, resp.Status)
	}
	resp.Body.Close()
	getJSON(t, s.URL()+"/api/sessions/state/archive", &arch)
	if len(arch.Sets) != 0 {
		t.Errorf("after reset the archive holds %d sets", len(arch.Sets))
	}
}

func TestClockAPI(t *testing.T) {
	s := startServer(t)
	want := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	body, _ := json.Marshal(api.Clock{Now: want})
	req, _ := http.NewRequest(http.MethodPut, s.URL()+"/api/sessions/c/clock", bytes.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var got api.Clock
	json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if d := got.Now.Sub(want); d < 0 || d > time.Minute {
		t.Errorf("clock = %v, want about %v", got.Now, want)
	}
	req, _ = http.NewRequest(http.MethodPut, s.URL()+"/api/sessions/c/clock", strings.NewReader(`{"advance":"48h"}`))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if d := got.Now.Sub(want.Add(48 * time.Hour)); d < 0 || d > time.Minute {
		t.Errorf("after advancing 48h clock = %v", got.Now)
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// endless yields n bytes of a repeated pattern without allocating them.
type endless struct {
	pattern []byte
	n       int64
}

func (e *endless) Read(p []byte) (int, error) {
	if e.n <= 0 {
		return 0, io.EOF
	}
	i := 0
	for i < len(p) && e.n > 0 {
		c := copy(p[i:], e.pattern)
		if int64(c) > e.n {
			c = int(e.n)
		}
		i += c
		e.n -= int64(c)
	}
	return i, nil
}

// Hostile input gets a SOAP Fault with HTTP 500 (WS-I BP 1.1), a readable
// reason and the rule it breaks, quickly, and the server keeps serving.
func TestHostileInput(t *testing.T) {
	s := startServer(t, simulator.WithLimits(wire.Limits{MaxBytes: 8 << 20}))
	deep := strings.Repeat("<a>", 10000) + strings.Repeat("</a>", 10000)
	tests := []struct {
		name        string
		contentType string
		body        func() io.Reader
		wantRule    string
	}{
		{"DTD with entities", "text/xml", func() io.Reader {
			return strings.NewReader(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body>&lol2;</Body></Envelope>`)
		}, "XML-DTD"},
		{"50 MB body", "text/xml", func() io.Reader {
			return io.MultiReader(strings.NewReader(`<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body>`), &endless{[]byte("aaaaaaaa"), 50 << 20})
		}, "XML-TOO-LARGE"},
		{"10,000-deep nesting", "text/xml", func() io.Reader {
			return strings.NewReader(`<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body>` + deep + `</Body></Envelope>`)
		}, "XML-TOO-DEEP"},
		{"invalid UTF-8", "text/xml", func() io.Reader {
			return strings.NewReader("<Envelope xmlns=\"http://schemas.xmlsoap.org/soap/envelope/\"><Body>\xff\xfe</Body></Envelope>")
		}, "XML-ENCODING"},
		{"truncated MIME", `multipart/related; boundary="b"; type="text/xml"`, func() io.Reader {
			return strings.NewReader("--b\r\nContent-Type: text/xml\r\n\r\n<Envelope xmlns=\"http://schemas.xmlsoap.org/soap/envelope/\"><Bo")
		}, "WIRE-MIME"},
		{"wrong content type", "image/png", func() io.Reader { return strings.NewReader("\x89PNG....") }, "WIRE-CONTENT-TYPE"},
		{"garbage", "text/xml", func() io.Reader { return strings.NewReader("hello, archive") }, "XML-WELLFORMED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL()+"/soap", tt.body())
			req.Header.Set("Content-Type", tt.contentType)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("request: %v", err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusInternalServerError {
				b, _ := io.ReadAll(resp.Body)
				t.Fatalf("status %d, want 500: %s", resp.StatusCode, b)
			}
			f, err := wire.ReadFault(resp.Header.Get("Content-Type"), resp.Body)
			if err != nil {
				t.Fatalf("read fault: %v", err)
			}
			if f.Reason == "" {
				t.Errorf("fault has no reason")
			}
			if f.Rule != tt.wantRule {
				t.Errorf("fault names rule %q, want %q (reason %s)", f.Rule, tt.wantRule, f.Reason)
			}
		})
	}
	if resp, err := http.Get(s.URL() + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("server stopped serving after hostile input: %v", err)
	}
}
