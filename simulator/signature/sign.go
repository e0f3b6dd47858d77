package signature

import (
	"bufio"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/beevik/etree"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/codes"
)

// SignOptions controls Sign.
type SignOptions struct {
	// Type is the signature type code (allekirjoituksen tyyppi), "1" for a
	// professional signature or "3" for a system signature. Required.
	Type string
	// TypeDisplay is signatureDescription/@displayName. When empty, the
	// code system's display name for Type is used, if it has one.
	TypeDisplay string
	// Time is the signing time written to signatureTimestamp; zero means
	// now.
	Time time.Time
	// ID is the new signature element's ID attribute; empty means a
	// generated "sig_<uuid>". The timestamp gets ID "CDA-timestamp.<ID>".
	ID string
}

// Sign appends a new signature element to the signatureCollection of doc's
// localSocialHeader (namespace urn:hl7finland), creating the
// signatureCollection inside an existing localSocialHeader if needed. The
// new XMLDSig signature (RSA-SHA256, exclusive C14N, SHA-256 digests) covers
// the document's nonXMLBody, referenced by its ID attribute, and the new
// signatureTimestamp, in the layout of the Kanta samples, so that Verify
// accepts it. key must be an RSA key whose public half is cert's. Sign
// changes nothing when it returns an error.
//
// The signature is computed over the body as it stands: re-indenting the
// document afterwards breaks it.
func Sign(doc *etree.Document, key crypto.Signer, cert *x509.Certificate, opts SignOptions) error {
	if doc == nil || doc.Root() == nil {
		return errors.New("sign: document has no root element")
	}
	if key == nil || cert == nil {
		return errors.New("sign: key and certificate are required")
	}
	pub, ok := key.Public().(*rsa.PublicKey)
	if !ok {
		return fmt.Errorf("sign: key is %T, want an RSA key", key.Public())
	}
	if !pub.Equal(cert.PublicKey) {
		return errors.New("sign: key does not match the certificate's public key")
	}
	if opts.Type == "" {
		return errors.New("sign: signature type is required")
	}
	// The signature types are the code list the validator checks against
	// (simulator/codes, binding header.signatureDescription).
	set := codes.Default()
	oid, ok := set.Binding("header.signatureDescription")
	if !ok {
		return errors.New("sign: no code system bound to signatureDescription")
	}
	types, ok := set.System(oid)
	if !ok {
		return fmt.Errorf("sign: code system %s of the signature types is not bundled", oid)
	}
	display := opts.TypeDisplay
	if v, ok := types.Lookup(opts.Type); ok && display == "" {
		display = v.Display
	}
	signingTime := opts.Time
	if signingTime.IsZero() {
		signingTime = time.Now()
	}
	id := opts.ID
	if id == "" {
		var err error
		if id, err = newID(); err != nil {
			return fmt.Errorf("sign: %w", err)
		}
	}
	timestampID := "CDA-timestamp." + id

	var body, header *etree.Element
	ids := make(map[string]bool)
	walk(doc.Root(), func(e *etree.Element) {
		if v := idOf(e); v != "" {
			ids[v] = true
		}
		if body == nil && e.Tag == "nonXMLBody" && e.NamespaceURI() == kanta.NamespaceHL7 {
			body = e
		}
		if header == nil && e.Tag == "localSocialHeader" && e.NamespaceURI() == kanta.NamespaceHL7Finland {
			header = e
		}
	})
	switch {
	case body == nil:
		return errors.New("sign: document has no nonXMLBody")
	case idOf(body) == "":
		return errors.New("sign: nonXMLBody has no ID attribute")
	case header == nil:
		return errors.New("sign: document has no localSocialHeader")
	case ids[id] || ids[timestampID]:
		return fmt.Errorf("sign: ID %q or %q is already in use", id, timestampID)
	}

	// Build the signature element detached, then attach it: canonical
	// forms depend on the namespaces in scope in the document.
	sigEl := etree.NewElement("signature")
	sigEl.CreateAttr("xmlns", kanta.NamespaceHL7Finland)
	sigEl.CreateAttr("ID", id)
	desc := sigEl.CreateElement("signatureDescription")
	desc.CreateAttr("code", opts.Type)
	if display != "" {
		desc.CreateAttr("displayName", display)
	}
	desc.CreateAttr("codeSystem", types.OID())
	desc.CreateAttr("codeSystemName", types.Name())
	ts := sigEl.CreateElement("signatureTimestamp")
	ts.CreateAttr("ID", timestampID)
	ts.SetText(signingTime.UTC().Format(time.RFC3339Nano))

	dsSig := sigEl.CreateElement("Signature")
	dsSig.CreateAttr("xmlns", nsDSig)
	signedInfo := dsSig.CreateElement("SignedInfo")
	signedInfo.CreateElement("CanonicalizationMethod").CreateAttr("Algorithm", algExcC14N)
	signedInfo.CreateElement("SignatureMethod").CreateAttr("Algorithm", algRSASHA256)
	bodyDigest := reference(signedInfo, "#"+idOf(body))
	timestampDigest := reference(signedInfo, "#"+timestampID)
	signatureValue := dsSig.CreateElement("SignatureValue")
	dsSig.CreateElement("KeyInfo").CreateElement("X509Data").CreateElement("X509Certificate").
		SetText(base64.StdEncoding.EncodeToString(cert.Raw))

	collection := child(header, kanta.NamespaceHL7Finland, "signatureCollection")
	newCollection := collection == nil
	if newCollection {
		collection = header.CreateElement("signatureCollection")
		collection.CreateAttr("xmlns", kanta.NamespaceHL7Finland)
	}
	collection.AddChild(sigEl)

	err := func() error {
		for _, d := range []struct {
			el    *etree.Element
			value *etree.Element
		}{{body, bodyDigest}, {ts, timestampDigest}} {
			digest, err := digestOf(d.el, algExcC14N, crypto.SHA256)
			if err != nil {
				return fmt.Errorf("digest %s: %w", d.el.Tag, err)
			}
			d.value.SetText(base64.StdEncoding.EncodeToString(digest))
		}
		digest, err := digestOf(signedInfo, algExcC14N, crypto.SHA256)
		if err != nil {
			return fmt.Errorf("digest SignedInfo: %w", err)
		}
		value, err := key.Sign(rand.Reader, digest, crypto.SHA256)
		if err != nil {
			return fmt.Errorf("sign SignedInfo: %w", err)
		}
		signatureValue.SetText(base64.StdEncoding.EncodeToString(value))
		return nil
	}()
	if err != nil {
		collection.RemoveChild(sigEl)
		if newCollection {
			header.RemoveChild(collection)
		}
		return fmt.Errorf("sign: %w", err)
	}
	return nil
}

// reference appends to signedInfo a Reference to uri with the exclusive
// C14N transform and SHA-256, and returns its empty DigestValue element.
func reference(signedInfo *etree.Element, uri string) *etree.Element {
	ref := signedInfo.CreateElement("Reference")
	ref.CreateAttr("URI", uri)
	ref.CreateElement("Transforms").CreateElement("Transform").CreateAttr("Algorithm", algExcC14N)
	ref.CreateElement("DigestMethod").CreateAttr("Algorithm", algSHA256)
	return ref.CreateElement("DigestValue")
}

// digestOf hashes the canonical form of el.
func digestOf(el *etree.Element, c14n string, hash crypto.Hash) ([]byte, error) {
	h := hash.New()
	w := bufio.NewWriter(h)
	if err := canonicalize(el, c14n, "", nil, w); err != nil {
		return nil, err
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// newID returns "sig_" followed by a random (version 4) UUID, the form the
// samples use.
func newID() (string, error) {
	var u [16]byte
	if _, err := rand.Read(u[:]); err != nil {
		return "", fmt.Errorf("generate signature ID: %w", err)
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("sig_%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16]), nil
}
