package wire

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"

	"github.com/beevik/etree"
	"github.com/yhteistestaus/yhteistestaus/kanta"
)

// Packaging is how WriteRequest carries the CDA document.
type Packaging int

// The packagings WriteRequest can produce.
const (
	// InlineBase64 puts the document as base64 into the frame's
	// clinicalDocument/text (representation="B64", mediaType="text/xml").
	InlineBase64 Packaging = iota
	// SwA sends multipart/related (SOAP with Attachments): the envelope,
	// then the document as a part that text/reference names by cid: URL.
	SwA
	// MTOM sends an XOP package: an application/xop+xml root whose
	// clinicalDocument/text holds an xop:Include naming the document part.
	MTOM
)

var packagingNames = [...]string{"inline-base64", "swa", "mtom"}

// String returns "inline-base64", "swa" or "mtom".
func (p Packaging) String() string {
	if p < 0 || int(p) >= len(packagingNames) {
		return fmt.Sprintf("packaging(%d)", int(p))
	}
	return packagingNames[p]
}

// ActionFor returns the SOAP action the package uses for an interaction:
// "urn:hl7-org:v3:" followed by the interaction id, in the style of the HL7
// V3 web services profile. It is our choice: Kanta's is not public.
func ActionFor(interaction string) string { return "urn:hl7-org:v3:" + interaction }

// WriteRequest writes a SOAP request (soapVersion "1.1" or "1.2") carrying
// frame and document, packaged as pkg, and returns the Content-Type header
// value to send with it. The frame's controlActProcess/subject/
// clinicalDocument/text is rewritten to refer to the document (it is created
// when missing); the document bytes are sent unchanged. A nil document
// leaves the frame as it is and sends no document part.
//
// For SOAP 1.2 the action (ActionFor of the frame's interaction) is put in
// the action parameter of the SOAP media type; for SOAP 1.1 the caller sends
// it as the SOAPAction HTTP header.
func WriteRequest(w io.Writer, soapVersion string, pkg Packaging, frame, document []byte) (contentType string, err error) {
	ns, err := soapNamespace(soapVersion)
	if err != nil {
		return "", err
	}
	if pkg < InlineBase64 || pkg > MTOM {
		return "", fmt.Errorf("wire: write request: unknown packaging %d", int(pkg))
	}
	doc, err := ParseXML(frame, DefaultLimits(), "frame")
	if err != nil {
		return "", fmt.Errorf("wire: write request: %w", err)
	}
	root := doc.Root()
	if root.NamespaceURI() != kanta.NamespaceHL7 || !isInteractionName(root.Tag) {
		return "", fmt.Errorf("wire: write request: frame root is {%s}%s, not an HL7 V3 interaction", root.NamespaceURI(), root.Tag)
	}
	action := ActionFor(root.Tag)
	docID := newContentID("document")
	if document != nil {
		if err := setDocumentText(root, pkg, document, docID); err != nil {
			return "", fmt.Errorf("wire: write request: %w", err)
		}
	}
	envelope, err := envelopeAround(ns, soapVersion, root)
	if err != nil {
		return "", fmt.Errorf("wire: write request: %w", err)
	}

	soapType := map[string]string{"charset": "utf-8"}
	if soapVersion == "1.2" {
		soapType["action"] = action
	}
	soapCT := mime.FormatMediaType(soapMediaType(soapVersion), soapType)
	if pkg == InlineBase64 {
		if _, err := w.Write(envelope); err != nil {
			return "", fmt.Errorf("wire: write request: %w", err)
		}
		return soapCT, nil
	}

	rootID := newContentID("envelope")
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	outer := map[string]string{"start": "<" + rootID + ">", "boundary": mw.Boundary()}
	rootHeader := textproto.MIMEHeader{
		"Content-Id":                {"<" + rootID + ">"},
		"Content-Transfer-Encoding": {"8bit"},
	}
	switch pkg {
	case SwA:
		outer["type"] = soapMediaType(soapVersion)
		rootHeader.Set("Content-Type", soapCT)
	case MTOM:
		outer["type"] = "application/xop+xml"
		inner := soapMediaType(soapVersion)
		if soapVersion == "1.2" {
			inner = mime.FormatMediaType(inner, map[string]string{"action": action})
		}
		outer["start-info"] = inner
		rootHeader.Set("Content-Type", mime.FormatMediaType("application/xop+xml", map[string]string{"charset": "utf-8", "type": inner}))
	}
	pw, err := mw.CreatePart(rootHeader)
	if err == nil {
		_, err = pw.Write(envelope)
	}
	if err == nil && document != nil {
		pw, err = mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {"text/xml"},
			"Content-Transfer-Encoding": {"binary"},
			"Content-Id":                {"<" + docID + ">"},
		})
		if err == nil {
			_, err = pw.Write(document)
		}
	}
	if err == nil {
		err = mw.Close()
	}
	if err == nil {
		_, err = w.Write(buf.Bytes())
	}
	if err != nil {
		return "", fmt.Errorf("wire: write request: %w", err)
	}
	return mime.FormatMediaType("multipart/related", outer), nil
}

// setDocumentText makes the frame's clinicalDocument/text refer to the
// document as pkg requires.
func setDocumentText(frame *etree.Element, pkg Packaging, document []byte, docID string) error {
	cd := descend(frame, kanta.NamespaceHL7, "controlActProcess", "subject", "clinicalDocument")
	if cd == nil {
		return fmt.Errorf("frame has no controlActProcess/subject/clinicalDocument")
	}
	text := child(cd, kanta.NamespaceHL7, "text")
	if text == nil {
		text = etree.NewElement("text")
		text.Space = cd.Space
		at := 0
		if prev := child(cd, kanta.NamespaceHL7, "code"); prev != nil {
			at = prev.Index() + 1
		} else if prev := child(cd, kanta.NamespaceHL7, "id"); prev != nil {
			at = prev.Index() + 1
		}
		cd.InsertChildAt(at, text)
	}
	var keep []etree.Attr
	for _, a := range text.Attr {
		if a.Space == "xmlns" || (a.Space == "" && a.Key == "xmlns") {
			keep = append(keep, a)
		}
	}
	text.Attr = keep
	text.Child = nil
	text.CreateAttr("mediaType", "text/xml")
	switch pkg {
	case InlineBase64:
		text.CreateAttr("representation", "B64")
		text.SetText(wrap(base64.StdEncoding.EncodeToString(document), 76))
	case SwA:
		ref := text.CreateElement("reference")
		ref.Space = cd.Space
		ref.CreateAttr("value", "cid:"+docID)
	case MTOM:
		inc := text.CreateElement("xop:Include")
		inc.CreateAttr("xmlns:xop", NamespaceXOP)
		inc.CreateAttr("href", "cid:"+docID)
	}
	return nil
}

// envelopeAround serialises a SOAP envelope whose Body holds payload.
func envelopeAround(ns, soapVersion string, payload *etree.Element) ([]byte, error) {
	env, body := newEnvelope(ns, soapVersion)
	body.AddChild(payload)
	return env.WriteToBytes()
}

// newEnvelope creates an empty SOAP envelope and returns it and its Body.
func newEnvelope(ns, soapVersion string) (*etree.Document, *etree.Element) {
	prefix := "soap"
	if soapVersion == "1.2" {
		prefix = "env"
	}
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	env := doc.CreateElement(prefix + ":Envelope")
	env.CreateAttr("xmlns:"+prefix, ns)
	body := env.CreateElement(prefix + ":Body")
	return doc, body
}

// wrap splits s into lines of at most n characters.
func wrap(s string, n int) string {
	var b bytes.Buffer
	b.WriteByte('\n')
	for len(s) > n {
		b.WriteString(s[:n])
		b.WriteByte('\n')
		s = s[n:]
	}
	b.WriteString(s)
	b.WriteByte('\n')
	return b.String()
}

// newContentID returns a fresh Content-ID (without angle brackets).
func newContentID(what string) string {
	return what + "-" + rand.Text() + "@yhteistestaus"
}

// soapNamespace returns the envelope namespace of a SOAP version.
func soapNamespace(version string) (string, error) {
	switch version {
	case "1.1":
		return NamespaceSOAP11, nil
	case "1.2":
		return NamespaceSOAP12, nil
	}
	return "", fmt.Errorf("wire: unknown SOAP version %q (want 1.1 or 1.2)", version)
}

// soapMediaType returns the media type of a SOAP version's envelope.
func soapMediaType(version string) string {
	if version == "1.2" {
		return "application/soap+xml"
	}
	return "text/xml"
}
