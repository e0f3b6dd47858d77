package wire

import (
	"encoding/base64"
	"fmt"
	"mime"
	"strings"

	"github.com/beevik/etree"
	"github.com/yhteistestaus/yhteistestaus/kanta"
)

// acceptedInline reports whether mt is accepted for an inline base64 CDA.
func acceptedInline(mt string) bool {
	switch mt {
	case "text/xml", "application/xml", "application/hl7-cda+xml":
		return true
	}
	return false
}

// resolveDocument finds the document the frame's
// controlActProcess/subject/clinicalDocument/text refers to and stores it in
// msg.
func resolveDocument(msg *Message, frame *etree.Element, ps *parts, lim Limits, where string) error {
	msg.DocumentFrom = FromNone
	text := descend(frame, kanta.NamespaceHL7, "controlActProcess", "subject", "clinicalDocument", "text")
	if text != nil {
		textPath := where + elementPath(text)
		if inc := child(text, NamespaceXOP, "Include"); inc != nil {
			return useReferenced(msg, ps, inc.SelectAttrValue("href", ""), FromXOP, lim)
		}
		if ref := child(text, kanta.NamespaceHL7, "reference"); ref != nil {
			return useReferenced(msg, ps, ref.SelectAttrValue("value", ""), FromMIMEPart, lim)
		}
		if strings.EqualFold(text.SelectAttrValue("representation", ""), "B64") {
			mt := text.SelectAttrValue("mediaType", "text/plain")
			base, _, err := mime.ParseMediaType(mt)
			if err != nil || !acceptedInline(base) {
				return errorf(KindNoDocument, err, "inline document at %s has mediaType %q, want text/xml, application/xml or application/hl7-cda+xml", textPath, mt)
			}
			raw, err := decodeBase64(charData(text))
			if err != nil {
				return errorf(KindNoDocument, err, "inline document at %s is not valid base64", textPath)
			}
			doc, err := ParseXML(raw, lim, "inline document at "+textPath)
			if err != nil {
				return err
			}
			msg.Document, msg.DocumentXML, msg.DocumentFrom, msg.DocumentPath = raw, doc, FromInlineBase64, textPath
			return nil
		}
	}
	// A vendor reference (such as Epic's <mimeEncode><DXS/></mimeEncode>) or
	// no text at all: use the one part that holds a ClinicalDocument.
	if ps == nil {
		return nil
	}
	var found []*part
	for _, p := range ps.all {
		if p != ps.root && p.doc != nil && is(p.doc.Root(), kanta.NamespaceHL7, "ClinicalDocument") {
			found = append(found, p)
		}
	}
	switch len(found) {
	case 0:
		return nil
	case 1:
		msg.Document, msg.DocumentXML, msg.DocumentFrom, msg.DocumentPath = found[0].body, found[0].doc, FromMIMEPart, found[0].label()
		return nil
	}
	return errorf(KindNoDocument, nil, "the frame names no part and %d MIME parts hold a ClinicalDocument, reference one with <reference value=\"cid:...\"/>", len(found))
}

// useReferenced stores the part a cid: reference names as the document.
func useReferenced(msg *Message, ps *parts, ref, from string, lim Limits) error {
	p, err := ps.byCID(ref)
	if err != nil {
		return err
	}
	if err := checkPart(p, lim); err != nil {
		return err
	}
	msg.Document, msg.DocumentXML, msg.DocumentFrom, msg.DocumentPath = p.body, p.doc, from, p.label()
	return nil
}

// decodeBase64 decodes base64 that may be split by whitespace, with or
// without padding.
func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
	if s == "" {
		return nil, fmt.Errorf("no base64 content")
	}
	if strings.HasSuffix(s, "=") || len(s)%4 == 0 {
		return base64.StdEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}
