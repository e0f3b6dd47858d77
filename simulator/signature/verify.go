package signature

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/yhteistestaus/yhteistestaus/kanta"
)

// Result is the outcome of checking one signature element of a
// signatureCollection.
type Result struct {
	// ID is the signature element's ID attribute.
	ID string
	// Type is signatureDescription/@code: "1" for a professional signature
	// (ammattihenkilön allekirjoitus), "3" for a system signature
	// (järjestelmäallekirjoitus).
	Type string
	// Path is an XPath-like location of the signature element, e.g.
	// /ClinicalDocument/localSocialHeader/signatureCollection/signature[2].
	Path string
	// Time is the signatureTimestamp value, zero when missing or not an
	// RFC 3339 date-time.
	Time time.Time
	// SignatureMethod is the SignatureMethod Algorithm URI.
	SignatureMethod string
	// References holds the outcome of every ds:Reference, in document order.
	References []Reference
	// SignatureValueValid reports whether the RSA signature value verifies
	// over the canonical SignedInfo with the certificate's key.
	SignatureValueValid bool
	// Problem is non-empty when the signature cannot be checked completely:
	// an unsupported algorithm, a missing or unreadable certificate, bad
	// base64, a missing element. Several problems are joined by ", ".
	Problem string
	// Certificate is the signer's certificate from
	// KeyInfo/X509Data/X509Certificate, or nil. Its trust chain is not
	// checked.
	Certificate *x509.Certificate
}

// Valid reports whether the signature verified completely: no problem, a
// valid signature value and at least one reference, every one with a
// matching digest.
func (r Result) Valid() bool {
	if r.Problem != "" || !r.SignatureValueValid || len(r.References) == 0 {
		return false
	}
	for _, ref := range r.References {
		if !ref.Valid() {
			return false
		}
	}
	return true
}

// CertificateValidAt reports whether t lies within the validity period of
// the signer's certificate. It is false without a certificate.
func (r Result) CertificateValidAt(t time.Time) bool {
	c := r.Certificate
	return c != nil && !t.Before(c.NotBefore) && !t.After(c.NotAfter)
}

// Reference is the outcome of checking one ds:Reference of a signature.
type Reference struct {
	// URI is the Reference's URI attribute, e.g. "#OID1.2.246.10...".
	URI string
	// Target is the local name of the referenced element, e.g.
	// "nonXMLBody" or "signatureTimestamp"; empty when not found.
	Target string
	// TargetPath is the XPath-like location of the referenced element.
	TargetPath string
	// DigestMethod is the DigestMethod Algorithm URI.
	DigestMethod string
	// DigestValid reports whether the digest of the transformed target
	// equals DigestValue.
	DigestValid bool
	// Problem is non-empty when the digest could not be computed or
	// compared: target not found or not unique, unsupported transform or
	// digest algorithm, bad base64.
	Problem string
}

// Valid reports whether the reference's digest matched without problems.
func (r Reference) Valid() bool { return r.Problem == "" && r.DigestValid }

// Limits on the work one Verify call does, so that a hostile document
// cannot make signature checking arbitrarily expensive.
const (
	// MaxSignatures is the number of signature elements checked per
	// signatureCollection. The rest are not checked; the last checked
	// signature's Result names them in its Problem.
	MaxSignatures = 8
	// MaxReferences is the number of ds:Reference elements checked per
	// SignedInfo. The rest are not checked and are named in the Result's
	// Problem.
	MaxReferences = 8
	// maxTargetForms is the number of distinct canonical forms (transforms,
	// PrefixList, digest algorithm) computed for one reference target;
	// further forms are reported as problems instead of canonicalising the
	// target again.
	maxTargetForms = 4
	// maxCanonicalBytes is the total size of the canonical forms one Verify
	// call computes; references beyond it are reported as problems.
	maxCanonicalBytes = 256 << 20
)

// Verify is VerifyContext without cancellation.
func Verify(doc *etree.Document) ([]Result, error) {
	return VerifyContext(context.Background(), doc)
}

// VerifyContext checks every signature element in the signatureCollection
// elements (namespace urn:hl7finland) of doc, the parsed CDA document, and
// returns one Result per checked signature in document order (at most
// MaxSignatures per collection). A document without signatures gives no
// results. VerifyContext returns an error only when doc has no root element
// or ctx ends, which it checks before every signature and reference;
// everything wrong with a signature is reported in its Result.
// VerifyContext only reads doc, so concurrent calls on the same document are
// safe while nobody changes it.
//
// VerifyContext does not judge the signature against Kanta's rules (which
// type is required, whether a reference covers the nonXMLBody, certificate
// trust): Result carries what such rules need.
func VerifyContext(ctx context.Context, doc *etree.Document) ([]Result, error) {
	return newVerifier(ctx).verify(doc)
}

// newVerifier returns a verifier for one Verify call.
func newVerifier(ctx context.Context) *verifier {
	return &verifier{
		ctx:     ctx,
		ids:     make(map[string][]*etree.Element),
		digests: make(map[digestKey][]byte),
		forms:   make(map[*etree.Element]int),
		certs:   make(map[string]certEntry),
		budget:  maxCanonicalBytes,
	}
}

// verify does VerifyContext's work.
func (v *verifier) verify(doc *etree.Document) ([]Result, error) {
	if doc == nil || doc.Root() == nil {
		return nil, errors.New("verify signatures: document has no root element")
	}
	ctx := v.ctx
	var collections []*etree.Element
	walk(doc.Root(), func(e *etree.Element) {
		if id := idOf(e); id != "" {
			v.ids[id] = append(v.ids[id], e)
		}
		if e.Tag == "signatureCollection" && e.NamespaceURI() == kanta.NamespaceHL7Finland {
			collections = append(collections, e)
		}
	})
	var results []Result
	for _, c := range collections {
		sigs := children(c, kanta.NamespaceHL7Finland, "signature")
		checked := sigs[:min(len(sigs), MaxSignatures)]
		for i, s := range checked {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("verify signatures: %w", err)
			}
			var extra string
			if i == len(checked)-1 && len(sigs) > len(checked) {
				extra = fmt.Sprintf("%s has %d signatures, the %d after the first %d are not checked",
					path(c), len(sigs), len(sigs)-len(checked), MaxSignatures)
			}
			r := v.signature(doc, s, extra)
			if v.err != nil {
				return nil, fmt.Errorf("verify signatures: %w", v.err)
			}
			results = append(results, r)
		}
	}
	return results, nil
}

// verifier holds what one Verify call shares between signatures.
type verifier struct {
	ctx     context.Context
	err     error                       // ctx's error once it ended
	ids     map[string][]*etree.Element // elements by ID/Id/id value
	digests map[digestKey][]byte        // canonical digests already computed
	forms   map[*etree.Element]int      // canonical forms computed per target
	certs   map[string]certEntry        // parsed certificates by base64 text
	// canonicalBytes is the size of the canonical forms computed so far,
	// up to budget; canonicalizations counts them.
	canonicalBytes    int
	budget            int
	canonicalizations int
	// out buffers each canonical form on its way into the digest (into);
	// it is made at the first canonicalization and reused.
	out  *bufio.Writer
	into digestWriter
}

// digestWriter feeds a canonical form to a hash and counts its bytes.
type digestWriter struct {
	h hash.Hash
	n int
}

func (w *digestWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	return w.h.Write(p)
}

type digestKey struct {
	target, exclude  *etree.Element
	c14n, prefixList string
	hash             crypto.Hash
}

type certEntry struct {
	cert *x509.Certificate
	err  error
}

// digest canonicalizes el within the Verify call's budget and returns the
// hash of the canonical form. The form goes straight into the hash.
func (v *verifier) digest(el *etree.Element, alg, prefixes string, exclude *etree.Element, hash crypto.Hash) ([]byte, error) {
	if v.canonicalBytes >= v.budget {
		return nil, fmt.Errorf("not checked: the document's signatures already needed %d bytes of canonical XML, the limit", v.budget)
	}
	v.into = digestWriter{h: hash.New()}
	if v.out == nil {
		v.out = bufio.NewWriterSize(&v.into, 2048)
	} else {
		v.out.Reset(&v.into)
	}
	err := canonicalize(el, alg, prefixes, exclude, v.out)
	if err == nil {
		err = v.out.Flush()
	}
	v.canonicalizations++
	v.canonicalBytes += v.into.n
	if err != nil {
		return nil, err
	}
	return v.into.h.Sum(nil), nil
}

// problems collects the reasons a signature or reference cannot be checked.
type problems []string

func (p *problems) addf(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

func (p problems) String() string { return strings.Join(p, ", ") }

// signature checks one urn:hl7finland signature element. extra, when not
// empty, is a problem to report with the signature's own.
func (v *verifier) signature(doc *etree.Document, el *etree.Element, extra string) (r Result) {
	r.ID, r.Path = idOf(el), path(el)
	var probs problems
	defer func() { r.Problem = probs.String() }()
	if extra != "" {
		probs = append(probs, extra)
	}

	r.Type = attr(child(el, kanta.NamespaceHL7Finland, "signatureDescription"), "code")
	if ts := child(el, kanta.NamespaceHL7Finland, "signatureTimestamp"); ts != nil {
		if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(text(ts))); err == nil {
			r.Time = t
		}
	}

	sig := child(el, nsDSig, "Signature")
	if sig == nil {
		probs.addf("no ds:Signature element")
		return r
	}
	signedInfo := child(sig, nsDSig, "SignedInfo")
	if signedInfo == nil {
		probs.addf("no ds:SignedInfo element")
		return r
	}

	refs := children(signedInfo, nsDSig, "Reference")
	if len(refs) > MaxReferences {
		probs.addf("SignedInfo has %d references, the %d after the first %d are not checked", len(refs), len(refs)-MaxReferences, MaxReferences)
		refs = refs[:MaxReferences]
	}
	for _, ref := range refs {
		if err := v.ctx.Err(); err != nil {
			v.err = err
			return r
		}
		r.References = append(r.References, v.reference(doc, ref, sig))
	}
	if len(refs) == 0 {
		probs.addf("SignedInfo has no Reference")
	}

	cert, err := v.certificate(sig)
	if err != nil {
		probs.addf("%v", err)
	}
	r.Certificate = cert

	r.SignatureMethod = attr(child(signedInfo, nsDSig, "SignatureMethod"), "Algorithm")
	hash, ok := rsaSignatureHash(r.SignatureMethod)
	if !ok {
		probs.addf("unsupported SignatureMethod %q", r.SignatureMethod)
	}
	cm := child(signedInfo, nsDSig, "CanonicalizationMethod")
	c14n := attr(cm, "Algorithm")
	if !isCanonicalization(c14n) {
		probs.addf("unsupported CanonicalizationMethod %q", c14n)
		ok = false
	}
	sv := child(sig, nsDSig, "SignatureValue")
	var value []byte
	if sv == nil {
		probs.addf("no ds:SignatureValue element")
		ok = false
	} else if value, err = decodeBase64(text(sv)); err != nil {
		probs.addf("SignatureValue: %v", err)
		ok = false
	}
	if !ok || cert == nil {
		return r
	}
	pub, isRSA := cert.PublicKey.(*rsa.PublicKey)
	if !isRSA {
		probs.addf("certificate key is %v, want RSA", cert.PublicKeyAlgorithm)
		return r
	}
	digest, err := v.digest(signedInfo, c14n, prefixList(cm), nil, hash)
	if err != nil {
		probs.addf("canonicalize SignedInfo: %v", err)
		return r
	}
	switch err := rsa.VerifyPKCS1v15(pub, hash, digest, value); {
	case err == nil:
		r.SignatureValueValid = true
	case !errors.Is(err, rsa.ErrVerification):
		// E.g. a key too short for crypto/rsa to accept.
		probs.addf("verify SignatureValue: %v", err)
	}
	return r
}

// certificate parses the first KeyInfo/X509Data/X509Certificate of sig.
func (v *verifier) certificate(sig *etree.Element) (*x509.Certificate, error) {
	var certEl *etree.Element
	if ki := child(sig, nsDSig, "KeyInfo"); ki != nil {
		if xd := child(ki, nsDSig, "X509Data"); xd != nil {
			certEl = child(xd, nsDSig, "X509Certificate")
		}
	}
	if certEl == nil {
		return nil, errors.New("no KeyInfo/X509Data/X509Certificate")
	}
	b64 := text(certEl)
	if e, ok := v.certs[b64]; ok {
		return e.cert, e.err
	}
	var e certEntry
	der, err := decodeBase64(b64)
	if err != nil {
		e.err = fmt.Errorf("X509Certificate: %w", err)
	} else if e.cert, err = x509.ParseCertificate(der); err != nil {
		e.err = fmt.Errorf("X509Certificate: %w", err)
	}
	v.certs[b64] = e
	return e.cert, e.err
}

// reference checks one ds:Reference of the ds:Signature sig.
func (v *verifier) reference(doc *etree.Document, ref, sig *etree.Element) (out Reference) {
	var probs problems
	defer func() { out.Problem = probs.String() }()

	out.URI = attr(ref, "URI")
	target := v.target(doc, ref, &probs)
	if target != nil {
		out.Target = target.Tag
		out.TargetPath = path(target)
	}

	var enveloped bool
	c14n, prefixes := "", ""
	if ts := child(ref, nsDSig, "Transforms"); ts != nil {
		for _, t := range children(ts, nsDSig, "Transform") {
			switch alg := attr(t, "Algorithm"); {
			case alg == algEnveloped:
				enveloped = true
			case isCanonicalization(alg):
				c14n, prefixes = alg, prefixList(t)
			default:
				probs.addf("unsupported Transform %q", alg)
			}
		}
	}
	if c14n == "" {
		// XMLDSig converts a node-set to octets with inclusive C14N 1.0.
		c14n = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
	}

	out.DigestMethod = attr(child(ref, nsDSig, "DigestMethod"), "Algorithm")
	hash, ok := digestHash(out.DigestMethod)
	if !ok {
		probs.addf("unsupported DigestMethod %q", out.DigestMethod)
	}
	var want []byte
	if dv := child(ref, nsDSig, "DigestValue"); dv == nil {
		probs.addf("no DigestValue")
	} else if d, err := decodeBase64(text(dv)); err != nil {
		probs.addf("DigestValue: %v", err)
	} else {
		want = d
	}
	if len(probs) > 0 {
		return out
	}

	key := digestKey{target: target, c14n: c14n, prefixList: prefixes, hash: hash}
	if enveloped {
		if _, inside := indexPath(target, sig); inside {
			key.exclude = sig
		}
	}
	got, ok := v.digests[key]
	if !ok {
		if v.forms[target] >= maxTargetForms {
			probs.addf("not checked: %s was already canonicalized in %d different ways", out.URI, maxTargetForms)
			return out
		}
		v.forms[target]++
		d, err := v.digest(target, c14n, prefixes, key.exclude, hash)
		if err != nil {
			probs.addf("canonicalize %s: %v", out.URI, err)
			return out
		}
		got = d
		v.digests[key] = got
	}
	out.DigestValid = bytes.Equal(got, want)
	return out
}

// target resolves the URI of ref to an element: "" is the document element,
// "#X" the single element whose ID (or Id, id) is X.
func (v *verifier) target(doc *etree.Document, ref *etree.Element, probs *problems) *etree.Element {
	uri, ok := "", false
	for _, a := range ref.Attr {
		if a.Space == "" && a.Key == "URI" {
			uri, ok = a.Value, true
		}
	}
	switch {
	case !ok:
		probs.addf("Reference has no URI")
	case uri == "":
		return doc.Root()
	case !strings.HasPrefix(uri, "#"):
		probs.addf("unsupported Reference URI %q: only same-document references are allowed", uri)
	default:
		switch els := v.ids[uri[1:]]; len(els) {
		case 0:
			probs.addf("reference target %s not found", uri)
		case 1:
			return els[0]
		default:
			probs.addf("reference target %s is ambiguous: %d elements have that ID", uri, len(els))
		}
	}
	return nil
}

// prefixList returns the PrefixList of an ec:InclusiveNamespaces child of
// el (a Transform or CanonicalizationMethod).
func prefixList(el *etree.Element) string {
	if el == nil {
		return ""
	}
	return attr(child(el, nsExcC14N, "InclusiveNamespaces"), "PrefixList")
}

// decodeBase64 decodes base64 text that may be broken by XML white space.
func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
	if s == "" {
		return nil, errors.New("empty base64 value")
	}
	return base64.StdEncoding.DecodeString(s)
}
