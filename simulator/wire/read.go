package wire

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"net/url"
	"strings"

	"github.com/beevik/etree"
	"github.com/yhteistestaus/yhteistestaus/kanta"
)

// Limits bound what the readers accept. A zero field takes its value from
// DefaultLimits.
type Limits struct {
	// MaxBytes is the largest body (or file) read, in bytes. Reading stops
	// at the limit.
	MaxBytes int64
	// MaxParts is the largest number of parts in a multipart/related body.
	MaxParts int
	// MaxDepth is the deepest element nesting accepted in any XML part.
	MaxDepth int
	// MaxElements is the largest number of elements in one XML part.
	MaxElements int
	// MaxAttributes is the largest number of attributes on one element.
	MaxAttributes int
}

// DefaultLimits returns the limits the simulator uses unless configured
// otherwise: 20 MiB, 16 MIME parts, 256 levels of XML nesting, 200,000
// elements per XML part and 256 attributes per element. They are our
// choice; Kanta's own limits are not public. The samples are under 30 kB,
// about a dozen levels deep, with under 1,000 elements.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 20 << 20, MaxParts: 16, MaxDepth: 256, MaxElements: 200_000, MaxAttributes: 256}
}

// withDefaults fills the zero fields of l from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxParts <= 0 {
		l.MaxParts = d.MaxParts
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxElements <= 0 {
		l.MaxElements = d.MaxElements
	}
	if l.MaxAttributes <= 0 {
		l.MaxAttributes = d.MaxAttributes
	}
	return l
}

// WithDefaults returns l with every zero field taken from DefaultLimits.
func (l Limits) WithDefaults() Limits { return l.withDefaults() }

// Where a Message's document came from (Message.DocumentFrom).
const (
	// FromMIMEPart: a multipart/related part, referenced by cid or found as
	// the one ClinicalDocument part (SOAP with Attachments).
	FromMIMEPart = "mime-part"
	// FromXOP: a part referenced by xop:Include (MTOM/XOP).
	FromXOP = "xop"
	// FromInlineBase64: base64 in the frame's clinicalDocument/text.
	FromInlineBase64 = "inline-base64"
	// FromNone: the message carries no document.
	FromNone = "none"
)

// Message is one received archiving message (arkistointisanoma), split into
// its parts: the HL7 V3 frame (kehys) and the CDA R2 document (sisältö) it
// carries.
type Message struct {
	// SOAPVersion is "1.1", "1.2", or "" when the message was a bare frame.
	SOAPVersion string
	// Action is the SOAP action: the action parameter of the content type
	// (SOAP 1.2, or the root part's type in multipart), the SOAPAction header
	// of a MIME message file, or the WS-Addressing Action header. Read cannot
	// see HTTP headers: a server copies a SOAP 1.1 SOAPAction header itself.
	Action string
	// Interaction is the local name of the frame element, e.g.
	// "RCMR_IN200002FI01".
	Interaction string
	// Frame is the interaction element's bytes as received, for the message
	// log: a slice of the body, not a copy. It is standalone XML: when the
	// frame relies on a namespace declared outside it in the envelope, it is
	// the frame written out with those declarations. For a bare frame file
	// it is the file's bytes unchanged.
	Frame []byte
	// FrameXML is the parsed frame, a document whose root is the
	// interaction element, carrying every namespace declaration in scope in
	// the envelope. The validator reads it; nothing parses Frame again.
	FrameXML *etree.Document
	// Document is the CDA document as received (after MIME transfer
	// decoding or base64 decoding; never re-serialised, because signatures
	// depend on the bytes). Nil when the message carries no document.
	Document []byte
	// DocumentXML is the parsed Document; nil when there is none.
	DocumentXML *etree.Document
	// DocumentFrom is one of FromMIMEPart, FromXOP, FromInlineBase64 or
	// FromNone.
	DocumentFrom string
	// FramePath says where the frame was found, e.g.
	// "MIME part <root@x> /Envelope/Body/RCMR_IN200002FI01".
	FramePath string
	// DocumentPath says where the document was found, e.g. "MIME part
	// <doc@x>" or the path of the frame's text element; "" when none.
	DocumentPath string
}

// Read reads an archiving message from an HTTP request body with the given
// Content-Type header value. It accepts a SOAP 1.1 envelope (text/xml), a
// SOAP 1.2 envelope (application/soap+xml), or multipart/related carrying
// either (SOAP with Attachments) or an XOP package (MTOM). The body must be a
// SOAP envelope; use ReadFile for a bare frame.
//
// Read stops reading at lim.MaxBytes. Every error is an *Error; KindOf tells
// its Kind. A frame that carries no document is not an error: the Message
// then has DocumentFrom FromNone, and the validator reports it.
func Read(contentType string, body io.Reader, lim Limits) (*Message, error) {
	lim = lim.withDefaults()
	mt, params, err := parseContentType(contentType, "Content-Type")
	if err != nil {
		return nil, err
	}
	if err := acceptMediaType(mt); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(body, lim.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("wire: read body: %w", err)
	}
	if int64(len(data)) > lim.MaxBytes {
		return nil, errorf(KindTooLarge, nil, "body is larger than %d bytes", lim.MaxBytes)
	}
	return readTyped(mt, params, data, lim)
}

// ReadFile reads an archiving message from a file, sniffing its form: a SOAP
// envelope, a bare frame (an HL7 V3 interaction with no SOAP around it,
// whose document can then only be inline base64), or a MIME message: header
// lines including Content-Type (optionally preceded by an HTTP request line),
// a blank line, and the body as Read accepts it. For a bare frame,
// Message.Frame is data unchanged.
func ReadFile(data []byte, lim Limits) (*Message, error) {
	lim = lim.withDefaults()
	if int64(len(data)) > lim.MaxBytes {
		return nil, errorf(KindTooLarge, nil, "file is larger than %d bytes", lim.MaxBytes)
	}
	start := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(start) == 0 {
		return nil, errorf(KindXML, nil, "file is empty")
	}
	if start[0] == '<' {
		doc, spans, err := parseXMLSpans(data, lim, "file", frameDepth)
		if err != nil {
			return nil, err
		}
		if root := doc.Root(); root.Tag == "Envelope" && (root.NamespaceURI() == NamespaceSOAP11 || root.NamespaceURI() == NamespaceSOAP12) {
			return readEnvelope(data, doc, spans, "", nil, lim, "")
		}
		return readBareFrame(data, doc, lim)
	}
	return readMIMEFile(data, lim)
}

// readMIMEFile reads a MIME message: headers, a blank line, the body.
func readMIMEFile(data []byte, lim Limits) (*Message, error) {
	rest := data
	if first, after, ok := bytes.Cut(rest, []byte("\n")); ok && isRequestLine(string(bytes.TrimRight(first, "\r"))) {
		rest = after
	}
	br := bufio.NewReader(bytes.NewReader(rest))
	hdr, err := textproto.NewReader(br).ReadMIMEHeader()
	if err != nil {
		return nil, errorf(KindXML, err, "file is neither XML (it does not start with '<') nor a MIME message with headers")
	}
	ct := hdr.Get("Content-Type")
	if ct == "" {
		return nil, errorf(KindContentType, nil, "MIME message has no Content-Type header")
	}
	mt, params, err := parseContentType(ct, "Content-Type header")
	if err != nil {
		return nil, err
	}
	if err := acceptMediaType(mt); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(br)
	if err != nil {
		return nil, fmt.Errorf("wire: read MIME body: %w", err)
	}
	msg, err := readTyped(mt, params, body, lim)
	if err != nil {
		return nil, err
	}
	if a := strings.Trim(hdr.Get("SOAPAction"), `" `); a != "" && msg.Action == "" {
		msg.Action = a
	}
	return msg, nil
}

// isRequestLine reports whether s looks like "POST /path HTTP/1.1".
func isRequestLine(s string) bool {
	f := strings.Fields(s)
	return len(f) == 3 && strings.HasPrefix(f[2], "HTTP/") && !strings.Contains(f[0], ":")
}

// parseContentType parses a Content-Type value and rejects charsets other
// than UTF-8.
func parseContentType(ct, what string) (string, map[string]string, error) {
	if strings.TrimSpace(ct) == "" {
		return "", nil, errorf(KindContentType, nil, "%s is missing", what)
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return "", nil, errorf(KindContentType, err, "%s %q is malformed", what, ct)
	}
	if cs := params["charset"]; cs != "" && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
		return "", nil, errorf(KindContentType, nil, "%s has charset %q, only UTF-8 is accepted", what, cs)
	}
	return mt, params, nil
}

// acceptMediaType rejects media types that cannot carry a SOAP request.
func acceptMediaType(mt string) error {
	switch mt {
	case "text/xml", "application/soap+xml", "multipart/related":
		return nil
	}
	return errorf(KindContentType, nil, "Content-Type %q is not accepted, want text/xml (SOAP 1.1), application/soap+xml (SOAP 1.2) or multipart/related (SwA, MTOM)", mt)
}

// readTyped reads a body whose media type has been accepted.
func readTyped(mt string, params map[string]string, data []byte, lim Limits) (*Message, error) {
	var msg *Message
	var err error
	switch mt {
	case "text/xml":
		msg, err = parseAndReadEnvelope(data, "1.1", nil, lim, "")
	case "application/soap+xml":
		msg, err = parseAndReadEnvelope(data, "1.2", nil, lim, "")
	default:
		return readMultipart(params, data, lim)
	}
	if err != nil {
		return nil, err
	}
	if a := params["action"]; a != "" {
		msg.Action = a
	}
	return msg, nil
}

// part is one part of a multipart/related body, transfer-decoded.
type part struct {
	index     int
	id        string // Content-ID without angle brackets
	mediaType string
	params    map[string]string
	body      []byte
	doc       *etree.Document // the part parsed, when it was read as XML
}

// label names the part in error reasons.
func (p *part) label() string {
	if p.id != "" {
		return "MIME part <" + p.id + ">"
	}
	return fmt.Sprintf("MIME part %d", p.index+1)
}

// parts is the parts of one multipart/related body.
type parts struct {
	all  []*part
	root *part
}

// byCID returns the part a cid: URL names.
func (ps *parts) byCID(ref string) (*part, error) {
	scheme, id, ok := strings.Cut(strings.TrimSpace(ref), ":")
	if !ok || !strings.EqualFold(scheme, "cid") || id == "" {
		return nil, errorf(KindNoDocument, nil, "reference %q is not a cid: URL, the archive resolves only references to MIME parts", ref)
	}
	if ps == nil {
		return nil, errorf(KindNoDocument, nil, "reference %q names a MIME part but the message is not multipart/related", ref)
	}
	if u, err := url.PathUnescape(id); err == nil {
		id = u
	}
	for _, p := range ps.all {
		if p.id == id && p != ps.root {
			return p, nil
		}
	}
	for _, p := range ps.all {
		if strings.EqualFold(p.id, id) && p != ps.root {
			return p, nil
		}
	}
	return nil, errorf(KindNoDocument, nil, "reference %q names no MIME part of the message", ref)
}

// readMultipart reads a multipart/related body: SOAP with Attachments or an
// MTOM/XOP package.
func readMultipart(params map[string]string, data []byte, lim Limits) (*Message, error) {
	boundary := params["boundary"]
	if boundary == "" {
		return nil, errorf(KindMIME, nil, "multipart/related Content-Type has no boundary parameter")
	}
	mr := multipart.NewReader(bytes.NewReader(data), boundary)
	ps := &parts{}
	for {
		mp, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil && len(ps.all) == 0 && errors.Is(err, io.EOF) {
			break // reported below as "no parts"
		}
		if err != nil {
			return nil, errorf(KindMIME, err, "multipart body is malformed after %d parts", len(ps.all))
		}
		if len(ps.all) == lim.MaxParts {
			return nil, errorf(KindTooLarge, nil, "multipart body has more than %d parts", lim.MaxParts)
		}
		p, err := readPart(mp, len(ps.all))
		if err != nil {
			return nil, err
		}
		ps.all = append(ps.all, p)
	}
	if len(ps.all) == 0 {
		return nil, errorf(KindMIME, nil, "multipart body has no parts (boundary %q not found)", boundary)
	}

	if start := strings.Trim(strings.TrimSpace(params["start"]), "<>"); start != "" {
		for _, p := range ps.all {
			if p.id == start {
				ps.root = p
				break
			}
		}
		if ps.root == nil {
			return nil, errorf(KindMIME, nil, "start part <%s> named by the Content-Type is not in the body", start)
		}
	} else {
		ps.root = ps.all[0]
	}
	root := ps.root
	if t := params["type"]; t != "" && !strings.EqualFold(t, root.mediaType) {
		return nil, errorf(KindMIME, nil, "multipart/related type parameter is %q but the root %s is %q", t, root.label(), root.mediaType)
	}

	version, action := "", params["action"]
	switch root.mediaType {
	case "text/xml":
		version = "1.1"
	case "application/soap+xml":
		version = "1.2"
		if action == "" {
			action = root.params["action"]
		}
	case "application/xop+xml":
		inner := root.params["type"]
		if inner == "" {
			inner = params["start-info"]
		}
		if inner != "" {
			imt, iparams, err := parseContentType(inner, "XOP root type")
			if err != nil {
				return nil, err
			}
			switch imt {
			case "text/xml":
				version = "1.1"
			case "application/soap+xml":
				version = "1.2"
			default:
				return nil, errorf(KindContentType, nil, "XOP root %s wraps %q, want text/xml or application/soap+xml", root.label(), imt)
			}
			if action == "" {
				action = iparams["action"]
			}
		}
		if action == "" {
			action = root.params["action"]
		}
	default:
		return nil, errorf(KindContentType, nil, "root %s has Content-Type %q, want text/xml, application/soap+xml or application/xop+xml", root.label(), root.mediaType)
	}

	// Every XML-looking part is scanned, so a DOCTYPE is rejected wherever it is.
	for _, p := range ps.all {
		if p == root || !looksXML(p) {
			continue
		}
		if err := checkPart(p, lim); err != nil {
			return nil, err
		}
	}

	msg, err := parseAndReadEnvelope(root.body, version, ps, lim, root.label()+" ")
	if err != nil {
		return nil, err
	}
	if action != "" {
		msg.Action = action
	}
	return msg, nil
}

// readPart reads one raw part and undoes its transfer encoding.
func readPart(mp *multipart.Part, index int) (*part, error) {
	p := &part{index: index, id: strings.Trim(strings.TrimSpace(mp.Header.Get("Content-ID")), "<>")}
	body, err := io.ReadAll(mp)
	if err != nil {
		return nil, errorf(KindMIME, err, "%s is truncated", p.label())
	}
	ct := mp.Header.Get("Content-Type")
	if ct == "" {
		ct = "text/plain" // RFC 2045 default
	}
	p.mediaType, p.params, err = parseContentType(ct, p.label()+" Content-Type")
	if err != nil {
		if e, ok := err.(*Error); ok {
			e.Kind = KindMIME
		}
		return nil, err
	}
	switch cte := strings.ToLower(strings.TrimSpace(mp.Header.Get("Content-Transfer-Encoding"))); cte {
	case "", "7bit", "8bit", "binary":
		p.body = body
	case "base64":
		p.body, err = decodeBase64(string(body))
		if err != nil {
			return nil, errorf(KindMIME, err, "%s has invalid base64 content", p.label())
		}
	case "quoted-printable":
		p.body, err = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		if err != nil {
			return nil, errorf(KindMIME, err, "%s has invalid quoted-printable content", p.label())
		}
	default:
		return nil, errorf(KindMIME, nil, "%s has unsupported Content-Transfer-Encoding %q", p.label(), cte)
	}
	return p, nil
}

// looksXML reports whether a part is XML by its media type or first byte.
func looksXML(p *part) bool {
	if p.mediaType == "text/xml" || strings.HasSuffix(p.mediaType, "/xml") || strings.HasSuffix(p.mediaType, "+xml") {
		return true
	}
	b := bytes.TrimLeft(p.body, " \t\r\n\ufeff")
	return len(b) > 0 && b[0] == '<'
}

// checkPart parses a part as XML once and keeps the tree.
func checkPart(p *part, lim Limits) error {
	if p.doc != nil {
		return nil
	}
	doc, err := ParseXML(p.body, lim, "document in "+p.label())
	if err != nil {
		return err
	}
	p.doc = doc
	return nil
}

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
