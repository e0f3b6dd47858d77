package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus/catalogue"
	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/server"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// Every wire.Kind names a rule of the catalogue, of the wire or xml stage.
func TestEveryWireKindHasARule(t *testing.T) {
	cat := catalogue.DefaultRules()
	for _, k := range wire.Kinds() {
		r, ok := cat.Rule(k.Rule())
		if !ok {
			t.Errorf("kind %v names rule %q, which is not in the catalogue", k, k.Rule())
			continue
		}
		if r.Stage != "wire" && r.Stage != "xml" {
			t.Errorf("kind %v names rule %s of stage %s, want wire or xml", k, r.ID, r.Stage)
		}
	}
}

// hostileMessages is a corpus of bad input, one or more for every kind
// of wire error: each as the Content-Type and body of a request, with the
// rule it breaks.
func hostileMessages() []struct{ name, contentType, body, rule string } {
	const env11 = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>`
	const end11 = `</soap:Body></soap:Envelope>`
	frame := func(text string) string {
		return `<RCMR_IN200002FI01 xmlns="urn:hl7-org:v3"><id root="1.2.3" extension="1"/><controlActProcess><subject><clinicalDocument>` +
			text + `</clinicalDocument></subject></controlActProcess></RCMR_IN200002FI01>`
	}
	lol := `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>`
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	inline := func(doc string) string {
		return frame(`<text mediaType="text/xml" representation="B64">` + b64(doc) + `</text>`)
	}
	mime := func(parts ...string) string {
		return "--b\r\n" + strings.Join(parts, "\r\n--b\r\n") + "\r\n--b--\r\n"
	}
	swa := `multipart/related; type="text/xml"; boundary=b`
	return []struct{ name, contentType, body, rule string }{
		{"billion laughs", "text/xml", lol + env11 + "&lol2;" + end11, "XML-DTD"},
		{"external entity", "text/xml", `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>` + env11 + "&e;" + end11, "XML-DTD"},
		{"DTD in the inline document", "text/xml", env11 + inline(lol+`<ClinicalDocument xmlns="urn:hl7-org:v3"/>`) + end11, "XML-DTD"},
		{"10,000-deep nesting", "text/xml", env11 + strings.Repeat("<a>", 10000) + strings.Repeat("</a>", 10000) + end11, "XML-TOO-DEEP"},
		{"300,000 elements", "text/xml", env11 + frame(strings.Repeat("<x/>", 300000)) + end11, "XML-TOO-LARGE"},
		{"an element with 1,000 attributes", "text/xml", env11 + `<a ` + manyAttributes(1000) + `/>` + end11, "XML-TOO-LARGE"},
		{"16 MB of 4M empty elements", "text/xml", env11 + strings.Repeat("<a/>", 4<<20) + end11, "XML-TOO-LARGE"},
		{"an element with 100,000 namespace declarations", "text/xml", env11 + `<a` + strings.Repeat(` xmlns:p="urn:p"`, 100000) + `/>` + end11, "XML-TOO-LARGE"},
		{"an element with 100 namespace declarations", "text/xml", env11 + `<a` + manyNamespaces(100) + `/>` + end11, "XML-TOO-LARGE"},
		{"5,000 elements declaring a namespace", "text/xml", env11 + frame(strings.Repeat(`<x xmlns="urn:hl7-org:v3"/>`, 5000)) + end11, "XML-TOO-LARGE"},
		{"invalid UTF-8", "text/xml", env11 + "\xff\xfe" + frame("") + end11, "XML-ENCODING"},
		{"ISO-8859-1 declared on UTF-8", "text/xml", `<?xml version="1.0" encoding="ISO-8859-1"?>` + env11 + frame("<text>Käyttö</text>") + end11, "XML-ENCODING"},
		{"UTF-16 declared on UTF-8", "text/xml", `<?xml version="1.0" encoding="utf-16"?>` + env11 + frame("") + end11, "XML-ENCODING"},
		{"ISO-8859-1 declared in the inline document", "text/xml", env11 + inline(`<?xml version="1.0" encoding="ISO-8859-1"?><ClinicalDocument xmlns="urn:hl7-org:v3">ä</ClinicalDocument>`) + end11, "XML-ENCODING"},
		{"not XML", "text/xml", "hello, archive", "XML-WELLFORMED"},
		{"unclosed element", "text/xml", env11 + frame(""), "XML-WELLFORMED"},
		{"two roots", "text/xml", env11 + frame("") + end11 + "<again/>", "XML-WELLFORMED"},
		{"wrong content type", "application/json", `{"siirtokehysXml": "..."}`, "WIRE-CONTENT-TYPE"},
		{"charset other than UTF-8", "text/xml; charset=ISO-8859-1", env11 + frame("") + end11, "WIRE-CONTENT-TYPE"},
		{"SOAP 1.1 as application/soap+xml", "application/soap+xml", env11 + frame("") + end11, "WIRE-SOAP"},
		{"bare frame", "text/xml", frame(""), "WIRE-SOAP"},
		{"envelope without Body", "text/xml", `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"/>`, "WIRE-SOAP"},
		{"empty Body", "text/xml", env11 + end11, "WIRE-NO-FRAME"},
		{"CDA document in Body", "text/xml", env11 + `<ClinicalDocument xmlns="urn:hl7-org:v3"/>` + end11, "WIRE-NO-FRAME"},
		{"cid reference without MIME", "text/xml", env11 + frame(`<text><reference value="cid:d"/></text>`) + end11, "WIRE-NO-DOCUMENT"},
		{"bad inline base64", "text/xml", env11 + frame(`<text mediaType="text/xml" representation="B64">!!!</text>`) + end11, "WIRE-NO-DOCUMENT"},
		{"no boundary", `multipart/related; type="text/xml"`, mime("Content-Type: text/xml\r\n\r\n" + env11 + frame("") + end11), "WIRE-MIME"},
		{"truncated MIME", swa, "--b\r\nContent-Type: text/xml\r\n\r\n" + env11, "WIRE-MIME"},
		{"unknown transfer encoding", swa, mime("Content-Type: text/xml\r\nContent-Transfer-Encoding: x-rot13\r\n\r\n" + env11 + frame("") + end11), "WIRE-MIME"},
		{"reference to a missing part", swa, mime("Content-Type: text/xml\r\n\r\n" + env11 + frame(`<text><reference value="cid:gone"/></text>`) + end11), "WIRE-NO-DOCUMENT"},
		{"too many parts", swa, mime(append([]string{"Content-Type: text/xml\r\n\r\n" + env11 + frame("") + end11}, strings.Split(strings.Repeat("Content-Type: text/plain\r\n\r\nx|", 16), "|")[:16]...)...), "XML-TOO-LARGE"},
	}
}

func manyNamespaces(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, ` xmlns:p%d="urn:p%d"`, i, i)
	}
	return b.String()
}

func manyAttributes(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, ` a%d="v"`, i)
	}
	return b.String()
}

// The two edges agree: for every input of the hostile corpus, the SOAP
// endpoint's fault and `yhteistestaus validate FILE` (the same request as
// a MIME message file) name the same rule, and it is the wire kind's.
func TestValidateAndSOAPEndpointGiveTheSameRule(t *testing.T) {
	sim, err := simulator.New()
	if err != nil {
		t.Fatal(err)
	}
	srv := &server.Server{Addr: "127.0.0.1:0", Sim: sim}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	for _, tt := range hostileMessages() {
		t.Run(tt.name, func(t *testing.T) {
			_, readErr := wire.Read(tt.contentType, strings.NewReader(tt.body), sim.Limits())
			if readErr == nil {
				t.Fatalf("the corpus input is readable, want a wire error")
			}
			want := tt.rule
			if got := wire.RuleOf(readErr); got != want {
				t.Errorf("wire.Read: rule %s, want %s (%v)", got, want, readErr)
			}

			resp, err := http.Post(srv.URL()+"/s/edges/soap", tt.contentType, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			f, err := wire.ReadFault(resp.Header.Get("Content-Type"), resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatalf("SOAP endpoint: no fault (status %d): %v", resp.StatusCode, err)
			}
			if resp.StatusCode != http.StatusInternalServerError || f.Rule != want {
				t.Errorf("SOAP endpoint: status %d rule %q, want 500 and %s (%s)", resp.StatusCode, f.Rule, want, f.Reason)
			}

			p := filepath.Join(t.TempDir(), "message.mime")
			file := "Content-Type: " + tt.contentType + "\r\n\r\n" + tt.body
			if err := os.WriteFile(p, []byte(file), 0o644); err != nil {
				t.Fatal(err)
			}
			status, out, errs := run(t, "validate", "--format", "json", p)
			var rep validateReport
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("validate: status %d, not JSON: %v\n%s%s", status, err, out, errs)
			}
			if status != 1 || len(rep.Findings) != 1 || rep.Findings[0].Rule != want {
				t.Errorf("validate FILE: status %d findings %v, want 1 and one %s finding", status, rep.Findings.Rules(), want)
			}
		})
	}
}
