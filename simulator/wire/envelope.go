package wire

import (
	"strings"

	"github.com/beevik/etree"
	"github.com/yhteistestaus/yhteistestaus/kanta"
)

// frameDepth is the depth of the frame in a SOAP envelope
// (Envelope/Body/frame): ParseXML notes where elements at this depth start
// and end, so that the frame's received bytes can be kept without writing
// them out again.
const frameDepth = 3

// envelopeParts checks a parsed SOAP envelope. want is "1.1", "1.2", or ""
// for either. It returns the version, the Header (nil when absent) and Body.
func envelopeParts(doc *etree.Document, want string, where string) (version string, header, body *etree.Element, err error) {
	root := doc.Root()
	ns := root.NamespaceURI()
	switch ns {
	case NamespaceSOAP11:
		version = "1.1"
	case NamespaceSOAP12:
		version = "1.2"
	}
	switch {
	case version == "" && ns == kanta.NamespaceHL7:
		return "", nil, nil, errorf(KindSOAP, nil, "%sbody is a bare HL7 V3 %s without a SOAP envelope", where, root.Tag)
	case version == "" || root.Tag != "Envelope":
		return "", nil, nil, errorf(KindSOAP, nil, "%sroot element is {%s}%s, want a SOAP 1.1 or 1.2 Envelope", where, ns, root.Tag)
	case want != "" && version != want:
		return "", nil, nil, errorf(KindSOAP, nil, "%sSOAP %s envelope sent with the media type of SOAP %s (%s)", where, version, want, soapMediaType(want))
	}
	body = child(root, ns, "Body")
	if body == nil {
		return "", nil, nil, errorf(KindSOAP, nil, "%sSOAP envelope has no Body", where)
	}
	return version, child(root, ns, "Header"), body, nil
}

// parseAndReadEnvelope parses a SOAP request envelope and reads it with
// readEnvelope.
func parseAndReadEnvelope(data []byte, want string, ps *parts, lim Limits, where string) (*Message, error) {
	doc, spans, err := parseXMLSpans(data, lim, where+"SOAP envelope", frameDepth)
	if err != nil {
		return nil, err
	}
	return readEnvelope(data, doc, spans, want, ps, lim, where)
}

// readEnvelope reads a parsed SOAP request envelope and the document its
// frame refers to. spans are the byte ranges of the elements at frameDepth
// in data. ps is nil unless the envelope came in a multipart body.
func readEnvelope(data []byte, doc *etree.Document, spans map[*etree.Element]span, want string, ps *parts, lim Limits, where string) (*Message, error) {
	version, header, body, err := envelopeParts(doc, want, where)
	if err != nil {
		return nil, err
	}
	kids := body.ChildElements()
	if len(kids) == 0 {
		return nil, errorf(KindNoFrame, nil, "%sSOAP Body is empty, want an HL7 V3 interaction such as RCMR_IN200002FI01", where)
	}
	if len(kids) > 1 {
		return nil, errorf(KindNoFrame, nil, "%sSOAP Body holds %d elements, want exactly one HL7 V3 interaction", where, len(kids))
	}
	frame := kids[0]
	if frame.Tag == "Fault" && frame.NamespaceURI() == body.NamespaceURI() {
		return nil, errorf(KindSOAP, nil, "%sSOAP Body holds a Fault, not a request", where)
	}
	if frame.NamespaceURI() != kanta.NamespaceHL7 || !isInteractionName(frame.Tag) {
		return nil, errorf(KindNoFrame, nil, "%sSOAP Body holds {%s}%s, want an HL7 V3 interaction such as RCMR_IN200002FI01 in namespace %s", where, frame.NamespaceURI(), frame.Tag, kanta.NamespaceHL7)
	}
	framePath := where + elementPath(frame)
	fdoc, fb, err := detachFrame(data, frame, spans[frame])
	if err != nil {
		return nil, err
	}
	msg := &Message{
		SOAPVersion: version,
		Interaction: frame.Tag,
		Frame:       fb,
		FrameXML:    fdoc,
		FramePath:   framePath,
	}
	if a := child(header, NamespaceWSA, "Action"); a != nil {
		msg.Action = strings.TrimSpace(a.Text())
	}
	if err := resolveDocument(msg, frame, ps, lim, where); err != nil {
		return nil, err
	}
	return msg, nil
}

// readBareFrame reads a parsed frame file with no SOAP around it.
func readBareFrame(data []byte, doc *etree.Document, lim Limits) (*Message, error) {
	root := doc.Root()
	ns := root.NamespaceURI()
	switch {
	case ns == kanta.NamespaceHL7 && root.Tag == "ClinicalDocument":
		return nil, errorf(KindNoFrame, nil, "file holds a CDA document (ClinicalDocument), not an HL7 V3 frame")
	case ns != kanta.NamespaceHL7 || !isInteractionName(root.Tag):
		return nil, errorf(KindNoFrame, nil, "file's root element is {%s}%s, want a SOAP Envelope or an HL7 V3 interaction such as RCMR_IN200002FI01", ns, root.Tag)
	}
	msg := &Message{Interaction: root.Tag, Frame: data, FrameXML: doc, FramePath: elementPath(root)}
	if err := resolveDocument(msg, root, nil, lim, ""); err != nil {
		return nil, err
	}
	return msg, nil
}

// isInteractionName reports whether s has the shape of an HL7 V3
// interaction id: four capitals, "_IN", six digits, two capitals, two digits
// (RCMR_IN200002FI01, MCCI_IN000002UV01).
func isInteractionName(s string) bool {
	if len(s) != 17 || s[4:7] != "_IN" {
		return false
	}
	for i, c := range []byte(s) {
		var ok bool
		switch {
		case i < 4 || i == 13 || i == 14:
			ok = 'A' <= c && c <= 'Z'
		case i >= 4 && i < 7:
			ok = true
		default:
			ok = '0' <= c && c <= '9'
		}
		if !ok {
			return false
		}
	}
	return true
}
