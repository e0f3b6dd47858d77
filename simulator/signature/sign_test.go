package signature

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/yhteistestaus/yhteistestaus/kanta"
)

// signingTime is the fixed signing time of the tests.
var signingTime = time.Date(2026, 3, 23, 8, 50, 35, 559014800, time.UTC)

// testSigner makes a key and self-signed certificate for a test.
func testSigner(t testing.TB, cn string) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, cert, err := NewTestCertificate(cn, signingTime)
	if err != nil {
		t.Fatalf("NewTestCertificate: %v", err)
	}
	return key, cert
}

// unsigned returns a sample parsed, with every signature of its
// signatureCollection removed.
func unsigned(t testing.TB, name string) *etree.Document {
	t.Helper()
	doc := parse(t, readSample(t, name))
	walk(doc.Root(), func(e *etree.Element) {
		if is(e, kanta.NamespaceHL7Finland, "signatureCollection") {
			for _, s := range children(e, kanta.NamespaceHL7Finland, "signature") {
				e.RemoveChild(s)
			}
		}
	})
	if rs := verify(t, doc); len(rs) != 0 {
		t.Fatalf("got %d signatures after removing them, want 0", len(rs))
	}
	return doc
}

// find returns the first element {ns}local in doc.
func find(t testing.TB, doc *etree.Document, ns, local string) *etree.Element {
	t.Helper()
	var found *etree.Element
	walk(doc.Root(), func(e *etree.Element) {
		if found == nil && is(e, ns, local) {
			found = e
		}
	})
	if found == nil {
		t.Fatalf("no %s element", local)
	}
	return found
}

// reparse serializes doc and parses it again, as a receiver would.
func reparse(t testing.TB, doc *etree.Document) *etree.Document {
	t.Helper()
	b, err := doc.WriteToBytes()
	if err != nil {
		t.Fatalf("serialize: %v", err)
	}
	return parse(t, b)
}

func TestSignThenVerify(t *testing.T) {
	key, cert := testSigner(t, "Yhteistestaus test signer")
	tests := []struct {
		name   string
		sample string
		edit   func(t *testing.T, doc *etree.Document)
		opts   []SignOptions
	}{
		{
			name:   "system signature on the client relation document",
			sample: "signature-restored/client-relation-document.xml",
			opts:   []SignOptions{{Type: "3", Time: signingTime, ID: "Epic.HL7Finland.Signature.1"}},
		},
		{
			name:   "two professional signatures on the plan",
			sample: "signature-restored/plan-document.xml",
			opts:   []SignOptions{{Type: "1", Time: signingTime}, {Type: "1", Time: signingTime.Add(time.Minute)}},
		},
		{
			name:   "signing the re-indented published document",
			sample: "plan-document.xml",
			opts:   []SignOptions{{Type: "1", TypeDisplay: "Ammattihenkilön allekirjoitus", Time: signingTime}},
		},
		{
			name:   "signatureCollection created inside localSocialHeader",
			sample: "signature-restored/plan-document.xml",
			edit: func(t *testing.T, doc *etree.Document) {
				c := find(t, doc, kanta.NamespaceHL7Finland, "signatureCollection")
				c.Parent().RemoveChild(c)
			},
			opts: []SignOptions{{Type: "3", Time: signingTime}},
		},
		{
			name:   "body identified by an Id attribute",
			sample: "signature-restored/client-relation-document.xml",
			edit: func(t *testing.T, doc *etree.Document) {
				body := find(t, doc, kanta.NamespaceHL7, "nonXMLBody")
				id := body.SelectAttrValue("ID", "")
				body.RemoveAttr("ID")
				body.CreateAttr("Id", id)
			},
			opts: []SignOptions{{Type: "3", Time: signingTime}},
		},
		{
			name:   "signatureCollection with a prefix",
			sample: "signature-restored/client-relation-document.xml",
			edit: func(t *testing.T, doc *etree.Document) {
				c := find(t, doc, kanta.NamespaceHL7Finland, "signatureCollection")
				c.RemoveAttr("xmlns")
				c.Space = "ep2" // declared on localSocialHeader
			},
			opts: []SignOptions{{Type: "3", Time: signingTime}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := unsigned(t, tt.sample)
			if tt.edit != nil {
				tt.edit(t, doc)
			}
			for _, o := range tt.opts {
				if err := Sign(doc, key, cert, o); err != nil {
					t.Fatalf("Sign: %v", err)
				}
			}
			for _, d := range []struct {
				name string
				doc  *etree.Document
			}{{"in memory", doc}, {"serialized and parsed again", reparse(t, doc)}} {
				rs := verify(t, d.doc)
				if len(rs) != len(tt.opts) {
					t.Fatalf("%s: got %d signatures, want %d", d.name, len(rs), len(tt.opts))
				}
				for i, r := range rs {
					o := tt.opts[i]
					if !r.Valid() {
						t.Errorf("%s: signature %d: got invalid (problem %q, value valid %v, references %+v), want valid",
							d.name, i+1, r.Problem, r.SignatureValueValid, r.References)
					}
					if r.Type != o.Type {
						t.Errorf("%s: signature %d: got type %q, want %q", d.name, i+1, r.Type, o.Type)
					}
					if o.ID != "" && r.ID != o.ID {
						t.Errorf("%s: signature %d: got ID %q, want %q", d.name, i+1, r.ID, o.ID)
					}
					if !strings.HasPrefix(r.ID, "sig_") && o.ID == "" {
						t.Errorf("%s: signature %d: got generated ID %q, want sig_<uuid>", d.name, i+1, r.ID)
					}
					if !r.Time.Equal(o.Time) {
						t.Errorf("%s: signature %d: got time %v, want %v", d.name, i+1, r.Time, o.Time)
					}
					if r.Certificate == nil || !r.Certificate.Equal(cert) {
						t.Errorf("%s: signature %d: got a different certificate, want the signer's", d.name, i+1)
					}
					refTo(t, r, "nonXMLBody")
					refTo(t, r, "signatureTimestamp")
				}
			}
		})
	}
}

func TestSignWritesSampleLayout(t *testing.T) {
	key, cert := testSigner(t, "layout")
	doc := unsigned(t, "signature-restored/plan-document.xml")
	if err := Sign(doc, key, cert, SignOptions{Type: "1", Time: signingTime, ID: "sig_1"}); err != nil {
		t.Fatalf("Sign: %v", err)
	}
	sig := find(t, doc, kanta.NamespaceHL7Finland, "signatureCollection").SelectElement("signature")
	checks := []struct {
		what, got, want string
	}{
		{"signature ID", sig.SelectAttrValue("ID", ""), "sig_1"},
		{"type code", sig.FindElement("signatureDescription").SelectAttrValue("code", ""), "1"},
		{"type display name", sig.FindElement("signatureDescription").SelectAttrValue("displayName", ""), "Ammattihenkilön allekirjoitus"},
		{"type code system", sig.FindElement("signatureDescription").SelectAttrValue("codeSystem", ""), "1.2.246.537.5.40127.2006"},
		{"timestamp ID", sig.FindElement("signatureTimestamp").SelectAttrValue("ID", ""), "CDA-timestamp.sig_1"},
		{"timestamp", sig.FindElement("signatureTimestamp").Text(), "2026-03-23T08:50:35.5590148Z"},
		{"canonicalization", sig.FindElement("Signature/SignedInfo/CanonicalizationMethod").SelectAttrValue("Algorithm", ""), algExcC14N},
		{"signature method", sig.FindElement("Signature/SignedInfo/SignatureMethod").SelectAttrValue("Algorithm", ""), algRSASHA256},
		{"first reference", sig.FindElement("Signature/SignedInfo/Reference[1]").SelectAttrValue("URI", ""), "#OID1.2.246.10.2012566.95.2026.688883.2655274"},
		{"second reference", sig.FindElement("Signature/SignedInfo/Reference[2]").SelectAttrValue("URI", ""), "#CDA-timestamp.sig_1"},
		{"certificate", sig.FindElement("Signature/KeyInfo/X509Data/X509Certificate").Text(), base64.StdEncoding.EncodeToString(cert.Raw)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.what, c.got, c.want)
		}
	}
}

func TestSignRefusesUnsignableInput(t *testing.T) {
	key, cert := testSigner(t, "signer")
	otherKey, _ := testSigner(t, "other")
	tests := []struct {
		name string
		edit func(t *testing.T, doc *etree.Document)
		key  *rsa.PrivateKey
		opts SignOptions
		want string
	}{
		{
			name: "nonXMLBody without ID",
			edit: func(t *testing.T, doc *etree.Document) {
				find(t, doc, kanta.NamespaceHL7, "nonXMLBody").RemoveAttr("ID")
			},
			opts: SignOptions{Type: "1"},
			want: "nonXMLBody has no ID",
		},
		{
			name: "no nonXMLBody",
			edit: func(t *testing.T, doc *etree.Document) {
				b := find(t, doc, kanta.NamespaceHL7, "nonXMLBody")
				b.Parent().RemoveChild(b)
			},
			opts: SignOptions{Type: "1"},
			want: "no nonXMLBody",
		},
		{
			name: "no localSocialHeader",
			edit: func(t *testing.T, doc *etree.Document) {
				h := find(t, doc, kanta.NamespaceHL7Finland, "localSocialHeader")
				h.Parent().RemoveChild(h)
			},
			opts: SignOptions{Type: "1"},
			want: "no localSocialHeader",
		},
		{
			name: "key does not match certificate",
			key:  otherKey,
			opts: SignOptions{Type: "1"},
			want: "does not match",
		},
		{
			name: "no signature type",
			opts: SignOptions{},
			want: "type is required",
		},
		{
			name: "ID already used in the document",
			opts: SignOptions{Type: "1", ID: "OID1.2.246.10.2012566.95.2026.688883.2655274"},
			want: "already in use",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := unsigned(t, "signature-restored/plan-document.xml")
			if tt.edit != nil {
				tt.edit(t, doc)
			}
			before, _ := doc.WriteToString()
			k := key
			if tt.key != nil {
				k = tt.key
			}
			err := Sign(doc, k, cert, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Sign: got error %v, want one containing %q", err, tt.want)
			}
			if after, _ := doc.WriteToString(); after != before {
				t.Error("Sign changed the document although it failed")
			}
		})
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	key, cert := testSigner(t, "signer")
	_, otherCert := testSigner(t, "impostor")
	signed := unsigned(t, "signature-restored/plan-document.xml")
	if err := Sign(signed, key, cert, SignOptions{Type: "1", Time: signingTime, ID: "sig_1"}); err != nil {
		t.Fatalf("Sign: %v", err)
	}
	const bodyURI = "#OID1.2.246.10.2012566.95.2026.688883.2655274"

	el := func(t *testing.T, doc *etree.Document, p string) *etree.Element {
		t.Helper()
		e := find(t, doc, kanta.NamespaceHL7Finland, "signatureCollection").FindElement("signature/" + p)
		if e == nil {
			t.Fatalf("no %s in the signature", p)
		}
		return e
	}
	// Checks return "" when the result shows what they expect.
	valid := func(r Result) string {
		if !r.Valid() {
			return "got invalid, want valid: " + r.Problem
		}
		return ""
	}
	digestMismatch := func(uri string) func(Result) string {
		return func(r Result) string {
			for _, ref := range r.References {
				if ref.URI == uri {
					if ref.DigestValid || ref.Problem != "" {
						return "got digest valid " + boolString(ref.DigestValid) + " problem " + ref.Problem + ", want a digest mismatch"
					}
					if r.Valid() {
						return "got a valid signature, want invalid"
					}
					return ""
				}
			}
			return "no reference " + uri
		}
	}
	referenceProblem := func(uri, want string) func(Result) string {
		return func(r Result) string {
			for _, ref := range r.References {
				if ref.URI == uri {
					if !strings.Contains(ref.Problem, want) {
						return "got reference problem " + ref.Problem + ", want one containing " + want
					}
					if r.Valid() {
						return "got a valid signature, want invalid"
					}
					return ""
				}
			}
			return "no reference " + uri
		}
	}
	problem := func(want string) func(Result) string {
		return func(r Result) string {
			if !strings.Contains(r.Problem, want) {
				return "got problem " + r.Problem + ", want one containing " + want
			}
			if r.Valid() || r.SignatureValueValid {
				return "got a valid signature value, want invalid"
			}
			return ""
		}
	}
	badSignatureValue := func(r Result) string {
		if r.SignatureValueValid || r.Valid() {
			return "got a valid signature value, want invalid"
		}
		if r.Problem != "" {
			return "got problem " + r.Problem + ", want none"
		}
		return ""
	}
	setAlgorithm := func(p, alg string) func(*testing.T, *etree.Document) {
		return func(t *testing.T, doc *etree.Document) { el(t, doc, p).CreateAttr("Algorithm", alg) }
	}
	setText := func(p, text string) func(*testing.T, *etree.Document) {
		return func(t *testing.T, doc *etree.Document) { el(t, doc, p).SetText(text) }
	}

	tests := []struct {
		name   string
		tamper func(*testing.T, *etree.Document)
		check  func(Result) string
	}{
		{"untouched signature verifies", func(*testing.T, *etree.Document) {}, valid},
		{"one byte of the body text changed", func(t *testing.T, doc *etree.Document) {
			text := find(t, doc, kanta.NamespaceHL7, "nonXMLBody").SelectElement("text")
			s := []byte(text.Text())
			s[10] ^= 1
			text.SetText(string(s))
		}, digestMismatch(bodyURI)},
		{"body re-indented", func(t *testing.T, doc *etree.Document) {
			find(t, doc, kanta.NamespaceHL7, "nonXMLBody").InsertChildAt(0, etree.NewText("\n\t\t\t"))
		}, digestMismatch(bodyURI)},
		{"comment added to the body is ignored", func(t *testing.T, doc *etree.Document) {
			find(t, doc, kanta.NamespaceHL7, "nonXMLBody").InsertChildAt(0, etree.NewComment(" re-signed? "))
		}, valid},
		{"timestamp changed", setText("signatureTimestamp", "2027-01-01T00:00:00Z"), digestMismatch("#CDA-timestamp.sig_1")},
		{"certificate swapped", setText("Signature/KeyInfo/X509Data/X509Certificate",
			base64.StdEncoding.EncodeToString(otherCert.Raw)), badSignatureValue},
		{"SignedInfo changed", setText("Signature/SignedInfo/Reference[1]/DigestValue",
			base64.StdEncoding.EncodeToString(make([]byte, 32))), badSignatureValue},
		{"timestamp reference target dropped", func(t *testing.T, doc *etree.Document) {
			ts := el(t, doc, "signatureTimestamp")
			ts.Parent().RemoveChild(ts)
		}, referenceProblem("#CDA-timestamp.sig_1", "not found")},
		{"second element with the body's ID", func(t *testing.T, doc *etree.Document) {
			find(t, doc, kanta.NamespaceHL7Finland, "localSocialHeader").CreateElement("decoy").CreateAttr("ID", bodyURI[1:])
		}, referenceProblem(bodyURI, "ambiguous")},
		{"external reference", func(t *testing.T, doc *etree.Document) {
			el(t, doc, "Signature/SignedInfo/Reference[1]").CreateAttr("URI", "http://example.com/body")
		}, referenceProblem("http://example.com/body", "same-document")},
		{"unknown signature algorithm", setAlgorithm("Signature/SignedInfo/SignatureMethod", "urn:example:rot13"),
			problem(`unsupported SignatureMethod "urn:example:rot13"`)},
		{"unknown canonicalization", setAlgorithm("Signature/SignedInfo/CanonicalizationMethod", "urn:example:c14n"),
			problem("unsupported CanonicalizationMethod")},
		{"unknown digest algorithm", setAlgorithm("Signature/SignedInfo/Reference[1]/DigestMethod", "urn:example:md4"),
			referenceProblem(bodyURI, "unsupported DigestMethod")},
		{"unknown transform", setAlgorithm("Signature/SignedInfo/Reference[1]/Transforms/Transform", "urn:example:xslt"),
			referenceProblem(bodyURI, "unsupported Transform")},
		{"broken base64 in SignatureValue", setText("Signature/SignatureValue", "not*base64"), problem("SignatureValue")},
		{"broken base64 in X509Certificate", setText("Signature/KeyInfo/X509Data/X509Certificate", "%%%"), problem("X509Certificate")},
		{"X509Certificate not a certificate", setText("Signature/KeyInfo/X509Data/X509Certificate", "AAAA"), problem("X509Certificate")},
		{"broken base64 in DigestValue", setText("Signature/SignedInfo/Reference[2]/DigestValue", "=="),
			referenceProblem("#CDA-timestamp.sig_1", "DigestValue")},
		{"no KeyInfo", func(t *testing.T, doc *etree.Document) {
			ki := el(t, doc, "Signature/KeyInfo")
			ki.Parent().RemoveChild(ki)
		}, problem("no KeyInfo")},
		{"no ds:Signature", func(t *testing.T, doc *etree.Document) {
			s := el(t, doc, "Signature")
			s.Parent().RemoveChild(s)
		}, problem("no ds:Signature")},
		{"ds:Signature in a foreign namespace", func(t *testing.T, doc *etree.Document) {
			el(t, doc, "Signature").CreateAttr("xmlns", "urn:example")
		}, problem("no ds:Signature")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := signed.Copy()
			tt.tamper(t, doc)
			rs := verify(t, doc)
			if len(rs) != 1 {
				t.Fatalf("got %d results, want 1", len(rs))
			}
			if msg := tt.check(rs[0]); msg != "" {
				t.Error(msg)
			}
		})
	}
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func TestNewTestCertificate(t *testing.T) {
	key, cert := testSigner(t, "Testi Allekirjoittaja")
	if got := cert.Subject.CommonName; got != "Testi Allekirjoittaja" {
		t.Errorf("got common name %q, want %q", got, "Testi Allekirjoittaja")
	}
	if !key.PublicKey.Equal(cert.PublicKey) {
		t.Error("got a certificate for another key, want the returned key's")
	}
	if !signingTime.After(cert.NotBefore) || !signingTime.Before(cert.NotAfter) {
		t.Errorf("got validity %v..%v, want it to contain %v", cert.NotBefore, cert.NotAfter, signingTime)
	}
	if err := cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature); err != nil {
		t.Errorf("got self-signature error %v, want a self-signed certificate", err)
	}
}
