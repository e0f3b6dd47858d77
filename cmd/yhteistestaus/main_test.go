package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus/sharedtest"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// samplePath is a public sample beside the repository (../shared/samples);
// the test skips, saying so, outside that layout.
func samplePath(t testing.TB, name string) string {
	t.Helper()
	return sharedtest.Dir(t, "samples", "kanta-sh-public", name)
}

func run(t *testing.T, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb}
	status = m.Run(context.Background(), args)
	return status, out.String(), errb.String()
}

// writeMessage packs a sample pair into a SOAP message file.
func writeMessage(t *testing.T, version string, pkg wire.Packaging, frame, doc string) string {
	t.Helper()
	f, err := os.ReadFile(samplePath(t, frame))
	if err != nil {
		t.Fatal(err)
	}
	d, err := os.ReadFile(samplePath(t, doc))
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	ct, err := wire.WriteRequest(&body, version, pkg, f, d)
	if err != nil {
		t.Fatal(err)
	}
	data := body.Bytes()
	if pkg != wire.InlineBase64 {
		data = append([]byte("MIME-Version: 1.0\r\nContent-Type: "+ct+"\r\n\r\n"), data...)
	}
	p := filepath.Join(t.TempDir(), "message.xml")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestValidateExitStatus(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantStatus int
		wantOut    string
	}{
		{"valid pair", []string{"validate", "--frame", samplePath(t, "plan-frame.xml"), "--document", samplePath(t, "signature-restored/plan-document.xml")}, 0, "valid: 0 error(s)"},
		{"re-indented published document fails its signature", []string{"validate", "--frame", samplePath(t, "plan-frame.xml"), "--document", samplePath(t, "plan-document.xml")}, 1, "SIG-DIGEST"},
		{"missing document flag", []string{"validate", "--frame", samplePath(t, "plan-frame.xml")}, 2, ""},
		{"unreadable file", []string{"validate", "--frame", "nope.xml", "--document", "nope.xml"}, 2, ""},
		{"unknown format", []string{"validate", "--format", "yaml", "x"}, 2, ""},
		{"not a message", []string{"validate", "main.go"}, 1, "XML-WELLFORMED"},
		{"unknown command", []string{"frobnicate"}, 2, ""},
		{"flags after the file", []string{"validate", "main.go", "--format", "json"}, 1, `"valid": false`},
		{"rules in an unknown format", []string{"rules", "--format", "md"}, 2, ""},
		{"requirements in an unknown format", []string{"requirements", "--format", "yaml"}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out, errs := run(t, tt.args...)
			if status != tt.wantStatus {
				t.Errorf("status = %d, want %d\nstdout: %s\nstderr: %s", status, tt.wantStatus, out, errs)
			}
			if !strings.Contains(out, tt.wantOut) {
				t.Errorf("stdout = %q, want it to contain %q", out, tt.wantOut)
			}
		})
	}
}

func TestValidateMessageFiles(t *testing.T) {
	tests := []struct {
		name    string
		version string
		pkg     wire.Packaging
	}{
		{"SOAP 1.1 envelope with the document inline", "1.1", wire.InlineBase64},
		{"SOAP 1.2 MIME message with attachment", "1.2", wire.SwA},
		{"MTOM MIME message", "1.1", wire.MTOM},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeMessage(t, tt.version, tt.pkg, "client-relation-frame.xml", "signature-restored/client-relation-document.xml")
			status, out, errs := run(t, "validate", "--format", "json", p)
			if status != 0 {
				t.Fatalf("status %d\n%s\n%s", status, out, errs)
			}
			var rep validateReport
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("json output: %v\n%s", err, out)
			}
			if !rep.Valid {
				t.Errorf("valid = false, findings %v", rep.Findings)
			}
		})
	}
}

func TestServeShutsDownGracefully(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	var out, errb bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &errb, Ready: func(url string) { ready <- url }}
	done := make(chan int, 1)
	go func() { done <- m.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}) }()
	var url string
	select {
	case url = <-ready:
	case <-time.After(10 * time.Second):
		t.Fatal("server did not start")
	}
	resp, err := http.Get(url + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %v", err)
	}
	resp.Body.Close()
	cancel()
	select {
	case status := <-done:
		if status != 0 {
			t.Errorf("serve exited %d: %s", status, errb.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestRulesLists(t *testing.T) {
	status, out, _ := run(t, "rules", "--format", "json")
	if status != 0 {
		t.Fatalf("status %d", status)
	}
	var rs []map[string]any
	if err := json.Unmarshal([]byte(out), &rs); err != nil || len(rs) < 60 {
		t.Errorf("rules json: %d rules, err %v", len(rs), err)
	}
}

// An encoding declaration that does not match the bytes (the samples are
// UTF-8 with non-ASCII letters) is XML-ENCODING, in a message file and in
// --frame/--document alike. Only the validation service's JSON path lets
// the public client's UTF-16 declaration pass.
func TestValidateRefusesEncodingDeclarationsThatLie(t *testing.T) {
	declare := func(t *testing.T, name, encoding string) string {
		data, err := os.ReadFile(samplePath(t, name))
		if err != nil {
			t.Skipf("samples not beside the repository: %v", err)
		}
		p := filepath.Join(t.TempDir(), filepath.Base(name))
		data = append([]byte(`<?xml version="1.0" encoding="`+encoding+`"?>`+"\n"), data...)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, enc := range []string{"ISO-8859-1", "utf-16"} {
		t.Run(enc+" frame file", func(t *testing.T) {
			status, out, _ := run(t, "validate", declare(t, "plan-frame.xml", enc))
			if status != 1 || !strings.Contains(out, "XML-ENCODING") || strings.Contains(out, "XML-WELLFORMED") {
				t.Errorf("status %d, want 1 with XML-ENCODING (and not XML-WELLFORMED):\n%s", status, out)
			}
		})
		t.Run(enc+" frame and document", func(t *testing.T) {
			status, out, _ := run(t, "validate", "--frame", declare(t, "plan-frame.xml", enc), "--document", declare(t, "signature-restored/plan-document.xml", enc))
			if status != 1 || strings.Count(out, "error XML-ENCODING") != 2 {
				t.Errorf("status %d, want 1 with XML-ENCODING for frame and document:\n%s", status, out)
			}
		})
	}
	t.Run("UTF-8 declared", func(t *testing.T) {
		status, out, _ := run(t, "validate", "--frame", declare(t, "plan-frame.xml", "UTF-8"), "--document", declare(t, "signature-restored/plan-document.xml", "utf-8"))
		if status != 0 {
			t.Errorf("status %d, want 0:\n%s", status, out)
		}
	})
}
