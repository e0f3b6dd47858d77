package signature

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/beevik/etree"
)

func TestVerifyFixtureSignedByXmlsec1(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "xmlsec1-enveloped.xml"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		edit      func(string) string
		wantValid bool
		wantBody  bool // whole-document digest valid
	}{
		{"as signed", func(s string) string { return s }, true, true},
		{"comment added outside the signature", func(s string) string {
			return strings.Replace(s, "<component>", "<!-- added --><component>", 1)
		}, true, true},
		{"document id changed", func(s string) string {
			return strings.Replace(s, `<id root="1.2.246.10.1.2.3"/>`, `<id root="1.2.246.10.1.2.4"/>`, 1)
		}, false, false},
		{"unsigned KeyInfo inside the enveloped signature extended", func(s string) string {
			// The enveloped-signature transform leaves the Signature out of
			// the whole-document digest, and KeyInfo is not signed.
			return strings.Replace(s, "<ds:KeyInfo>", "<ds:KeyInfo><ds:KeyName>x</ds:KeyName>", 1)
		}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := verify(t, parse(t, []byte(tt.edit(string(src)))))
			if len(rs) != 1 {
				t.Fatalf("got %d signatures, want 1", len(rs))
			}
			r := rs[0]
			if r.Valid() != tt.wantValid {
				t.Errorf("got valid %v, want %v (problem %q, references %+v)", r.Valid(), tt.wantValid, r.Problem, r.References)
			}
			whole := refTo(t, r, "ClinicalDocument")
			if whole.URI != "" || whole.DigestValid != tt.wantBody {
				t.Errorf("whole-document reference: got URI %q digest valid %v, want URI \"\" digest valid %v",
					whole.URI, whole.DigestValid, tt.wantBody)
			}
			if ts := refTo(t, r, "signatureTimestamp"); !ts.Valid() {
				t.Errorf("timestamp reference (InclusiveNamespaces, SHA-512): got invalid %q, want valid", ts.Problem)
			}
		})
	}
}

func TestSignedDocumentVerifiesWithXmlsec1(t *testing.T) {
	xmlsec1, err := exec.LookPath("xmlsec1")
	if err != nil {
		t.Skip("xmlsec1 not installed; it gives an independent check of Sign")
	}
	key, cert := testSigner(t, "xmlsec1 cross-check")
	for _, sample := range []string{"signature-restored/client-relation-document.xml", "plan-document.xml"} {
		t.Run(sample, func(t *testing.T) {
			doc := unsigned(t, sample)
			if err := Sign(doc, key, cert, SignOptions{Type: "3", Time: signingTime}); err != nil {
				t.Fatalf("Sign: %v", err)
			}
			file := filepath.Join(t.TempDir(), "signed.xml")
			if err := doc.WriteToFile(file); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(xmlsec1, "--verify", "--insecure", "--enabled-key-data", "x509",
				"--id-attr:ID", "urn:hl7-org:v3:nonXMLBody",
				"--id-attr:ID", "urn:hl7finland:signatureTimestamp", file).CombinedOutput()
			if err != nil {
				t.Errorf("xmlsec1 --verify: got %v, want success:\n%s", err, out)
			}
		})
	}
}

func TestVerifyConcurrentlyOnOneDocument(t *testing.T) {
	doc := parse(t, readSample(t, "signature-restored/plan-document.xml"))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			rs, err := Verify(doc)
			if err != nil || len(rs) != 2 || !rs[0].Valid() || !rs[1].Valid() {
				t.Errorf("Verify: got %d results, error %v; want 2 valid", len(rs), err)
			}
		})
	}
	wg.Wait()
}

// TestVerifyHostileInput checks that odd but parseable documents give
// problems, not panics.
func TestVerifyHostileInput(t *testing.T) {
	const (
		coll = `<signatureCollection xmlns="urn:hl7finland">`
		ds   = `<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">`
	)
	tests := []struct {
		name, xml, wantProblem string
	}{
		{"signature without anything", `<a>` + coll + `<signature/></signatureCollection></a>`, "no ds:Signature"},
		{"Signature without SignedInfo", `<a>` + coll + `<signature>` + ds + `</Signature></signature></signatureCollection></a>`, "no ds:SignedInfo"},
		{"reference to the signature itself", `<a>` + coll + `<signature ID="s">` + ds +
			`<SignedInfo><Reference URI="#s"><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue>AA==</DigestValue></Reference></SignedInfo></Signature></signature></signatureCollection></a>`,
			"no KeyInfo"},
		{"enveloped transform on the Signature element itself", `<a>` + coll + `<signature>` + `<Signature xmlns="http://www.w3.org/2000/09/xmldsig#" Id="x">` +
			`<SignedInfo><Reference URI="#x"><Transforms><Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></Transforms><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue>AA==</DigestValue></Reference></SignedInfo></Signature></signature></signatureCollection></a>`,
			"no KeyInfo"},
		{"undeclared prefix in the target", `<a>` + coll + `<signature>` + ds +
			`<SignedInfo><Reference URI="#t"><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue>AA==</DigestValue></Reference></SignedInfo></Signature></signature></signatureCollection><x:t ID="t"/></a>`,
			"no KeyInfo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := etree.NewDocument()
			if err := doc.ReadFromString(tt.xml); err != nil {
				t.Fatalf("parse: %v", err)
			}
			rs := verify(t, doc)
			if len(rs) != 1 {
				t.Fatalf("got %d results, want 1", len(rs))
			}
			if !strings.Contains(rs[0].Problem, tt.wantProblem) || rs[0].Valid() {
				t.Errorf("got problem %q valid %v, want invalid with a problem containing %q", rs[0].Problem, rs[0].Valid(), tt.wantProblem)
			}
		})
	}
}
