package signature

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/yhteistestaus/yhteistestaus/sharedtest"
)

// readSample returns the bytes of a sample file.
func readSample(t testing.TB, name string) []byte {
	t.Helper()
	return sharedtest.ReadFile(t, "samples", "kanta-sh-public", name)
}

// parse parses XML into an etree document.
func parse(t testing.TB, b []byte) *etree.Document {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(b); err != nil {
		t.Fatalf("parse: %v", err)
	}
	return doc
}

// verify runs Verify and fails the test on error.
func verify(t testing.TB, doc *etree.Document) []Result {
	t.Helper()
	rs, err := Verify(doc)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return rs
}

// refTo returns the reference of r whose target has the local name target.
func refTo(t testing.TB, r Result, target string) Reference {
	t.Helper()
	for _, ref := range r.References {
		if ref.Target == target {
			return ref
		}
	}
	t.Fatalf("signature %s has no reference to a %s (references %+v)", r.ID, target, r.References)
	return Reference{}
}

func TestVerifyRestoredSamplesVerifyCompletely(t *testing.T) {
	tests := []struct {
		file      string
		wantTypes []string
		wantPaths []string
		wantCN    string
	}{
		{
			file:      "signature-restored/client-relation-document.xml",
			wantTypes: []string{"3"},
			wantPaths: []string{"/ClinicalDocument/localSocialHeader/signatureCollection/signature"},
			wantCN:    "Potilastietojärjestelmä",
		},
		{
			file:      "signature-restored/plan-document.xml",
			wantTypes: []string{"1", "1"},
			wantPaths: []string{
				"/ClinicalDocument/localSocialHeader/signatureCollection/signature[1]",
				"/ClinicalDocument/localSocialHeader/signatureCollection/signature[2]",
			},
			wantCN: "Johansson Angelica 25104559650",
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rs := verify(t, parse(t, readSample(t, tt.file)))
			if len(rs) != len(tt.wantTypes) {
				t.Fatalf("got %d signatures, want %d", len(rs), len(tt.wantTypes))
			}
			for i, r := range rs {
				if !r.Valid() {
					t.Errorf("signature %d: got invalid (problem %q, signature value valid %v, references %+v), want valid",
						i+1, r.Problem, r.SignatureValueValid, r.References)
				}
				if r.Type != tt.wantTypes[i] {
					t.Errorf("signature %d: got type %q, want %q", i+1, r.Type, tt.wantTypes[i])
				}
				if r.Path != tt.wantPaths[i] {
					t.Errorf("signature %d: got path %q, want %q", i+1, r.Path, tt.wantPaths[i])
				}
				if len(r.References) != 2 {
					t.Errorf("signature %d: got %d references, want 2", i+1, len(r.References))
				}
				refTo(t, r, "nonXMLBody")
				refTo(t, r, "signatureTimestamp")
				if r.Certificate == nil {
					t.Fatalf("signature %d: got no certificate", i+1)
				}
				if got := r.Certificate.Subject.CommonName; got != tt.wantCN {
					t.Errorf("signature %d: got certificate CN %q, want %q", i+1, got, tt.wantCN)
				}
				if r.Time.IsZero() {
					t.Errorf("signature %d: got zero signing time", i+1)
				}
				if !r.CertificateValidAt(r.Time) {
					t.Errorf("signature %d: certificate valid %v..%v, signed at %v: want valid at signing time",
						i+1, r.Certificate.NotBefore, r.Certificate.NotAfter, r.Time)
				}
			}
		})
	}
}

func TestVerifyPublishedSamplesReportBodyDigestMismatch(t *testing.T) {
	// The published files were re-indented after signing (README,
	// "Signatures"): the nonXMLBody digest and the signature values fail,
	// the timestamp digests still match.
	for _, file := range []string{"client-relation-document.xml", "plan-document.xml"} {
		t.Run(file, func(t *testing.T) {
			rs := verify(t, parse(t, readSample(t, file)))
			if len(rs) == 0 {
				t.Fatal("got no signatures, want at least one")
			}
			for i, r := range rs {
				if r.Problem != "" {
					t.Errorf("signature %d: got problem %q, want none", i+1, r.Problem)
				}
				if r.Valid() {
					t.Errorf("signature %d: got valid, want invalid", i+1)
				}
				body := refTo(t, r, "nonXMLBody")
				if body.DigestValid || body.Problem != "" {
					t.Errorf("signature %d: body reference %s: got digest valid %v problem %q, want a plain digest mismatch",
						i+1, body.URI, body.DigestValid, body.Problem)
				}
				if ts := refTo(t, r, "signatureTimestamp"); !ts.Valid() {
					t.Errorf("signature %d: timestamp reference %s: got invalid (%q), want valid", i+1, ts.URI, ts.Problem)
				}
				if r.SignatureValueValid {
					t.Errorf("signature %d: got valid signature value over re-indented SignedInfo, want invalid", i+1)
				}
			}
		})
	}
}

func TestVerifyMatchesNamespacesNotPrefixes(t *testing.T) {
	// The plan's signature elements declare their own default namespace,
	// so prefixing the collection leaves every signed byte unchanged.
	src := string(readSample(t, "signature-restored/plan-document.xml"))
	src = strings.Replace(src, `<signatureCollection xmlns="urn:hl7finland">`,
		`<hl7fi:signatureCollection xmlns:hl7fi="urn:hl7finland">`, 1)
	src = strings.Replace(src, `</signatureCollection>`, `</hl7fi:signatureCollection>`, 1)
	rs := verify(t, parse(t, []byte(src)))
	if len(rs) != 2 {
		t.Fatalf("got %d signatures, want 2", len(rs))
	}
	for i, r := range rs {
		if !r.Valid() {
			t.Errorf("signature %d: got invalid (%q), want valid", i+1, r.Problem)
		}
	}

	// An element named signatureCollection in another namespace is not a
	// signature collection.
	src = strings.Replace(src, `xmlns:hl7fi="urn:hl7finland">`, `xmlns:hl7fi="urn:example">`, 1)
	if rs := verify(t, parse(t, []byte(src))); len(rs) != 0 {
		t.Errorf("got %d signatures in a foreign-namespace collection, want 0", len(rs))
	}
}

func TestVerifyInputWithoutSignatures(t *testing.T) {
	tests := []struct {
		name    string
		doc     *etree.Document
		wantErr bool
	}{
		{"nil document", nil, true},
		{"empty document", etree.NewDocument(), true},
		{"document without signatureCollection", parse(t, []byte(`<ClinicalDocument xmlns="urn:hl7-org:v3"/>`)), false},
		{"empty signatureCollection", parse(t, []byte(`<a><signatureCollection xmlns="urn:hl7finland"/></a>`)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := Verify(tt.doc)
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v, want error %v", err, tt.wantErr)
			}
			if len(rs) != 0 {
				t.Errorf("got %d results, want 0", len(rs))
			}
		})
	}
}

func TestVerifyDoesNotChangeDocument(t *testing.T) {
	doc := parse(t, readSample(t, "signature-restored/plan-document.xml"))
	before, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	verify(t, doc)
	after, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("Verify changed the document")
	}
}

func BenchmarkVerifyPlan(b *testing.B) {
	doc := parse(b, readSample(b, "signature-restored/plan-document.xml"))
	b.ReportAllocs()
	for b.Loop() {
		rs, err := Verify(doc)
		if err != nil || len(rs) != 2 || !rs[0].Valid() || !rs[1].Valid() {
			b.Fatalf("Verify: got %d results, error %v; want 2 valid", len(rs), err)
		}
	}
}

func FuzzVerify(f *testing.F) {
	for _, name := range []string{
		"client-relation-document.xml",
		"plan-document.xml",
		"signature-restored/client-relation-document.xml",
		"signature-restored/plan-document.xml",
	} {
		f.Add(readSample(f, name))
	}
	fixture, err := os.ReadFile(filepath.Join("testdata", "xmlsec1-enveloped.xml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(fixture)
	f.Add([]byte(`<a><signatureCollection xmlns="urn:hl7finland"><signature ID="s"><Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo><Reference URI="#s"/></SignedInfo></Signature></signature></signatureCollection></a>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(data); err != nil {
			return
		}
		rs, err := Verify(doc)
		if err != nil && doc.Root() != nil {
			t.Fatalf("Verify of a document with a root: got error %v, want results", err)
		}
		for _, r := range rs {
			_ = r.Valid()
		}
	})
}
