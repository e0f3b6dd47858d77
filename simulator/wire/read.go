package wire

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/textproto"
	"strings"

	"github.com/beevik/etree"
)

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
	return ReadSized(contentType, body, -1, lim)
}

// ReadSized is Read for a body whose length is declared in advance, as an
// HTTP request's Content-Length declares it (-1: not known). A body declared
// larger than lim.MaxBytes is refused before any of it is read; one of
// known length ends in a buffer of exactly that length, grown as bytes
// arrive (not allocated up front from the declaration alone).
// A body that ends before its declared length, or goes on after it, is a
// read error.
func ReadSized(contentType string, body io.Reader, size int64, lim Limits) (*Message, error) {
	lim = lim.withDefaults()
	mt, params, err := parseContentType(contentType, "Content-Type")
	if err != nil {
		return nil, err
	}
	if err := acceptMediaType(mt); err != nil {
		return nil, err
	}
	if size > lim.MaxBytes {
		return nil, errorf(KindTooLarge, nil, "body is %d bytes, over the limit of %d", size, lim.MaxBytes)
	}
	var data []byte
	if size >= 0 {
		if data, err = readDeclared(body, size); err != nil {
			return nil, err
		}
	} else if data, err = io.ReadAll(io.LimitReader(body, lim.MaxBytes+1)); err != nil {
		return nil, fmt.Errorf("wire: read body: %w", err)
	}
	if int64(len(data)) > lim.MaxBytes {
		return nil, errorf(KindTooLarge, nil, "body is larger than %d bytes", lim.MaxBytes)
	}
	return readTyped(mt, params, data, lim)
}

// The buffer readDeclared starts with, and the bytes that must arrive
// before it takes the whole declared size.
const (
	firstRead = 64 << 10
	trusted   = 1 << 20
)

// readDeclared reads a body of the declared size. Its buffer doubles as
// bytes arrive until the first MiB has, and then takes the declared size
// at once: a client declaring a large body and sending little of it costs
// little, and a large body costs its size and about one MiB more.
func readDeclared(body io.Reader, size int64) ([]byte, error) {
	data := make([]byte, 0, min(size, firstRead))
	for int64(len(data)) < size {
		if len(data) == cap(data) {
			next := 2 * int64(cap(data))
			if len(data) >= trusted {
				next = size
			}
			grown := make([]byte, len(data), min(next, size))
			copy(grown, data)
			data = grown
		}
		n, err := body.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF && int64(len(data)) < size {
			return nil, fmt.Errorf("wire: read body: %d of its declared %d bytes: %w", len(data), size, io.ErrUnexpectedEOF)
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("wire: read body: %w", err)
		}
	}
	if n, _ := body.Read(make([]byte, 1)); n > 0 {
		return nil, errorf(KindOther, nil, "body is longer than its declared %d bytes", size)
	}
	return data, nil
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

// readAllInto appends what r holds to buf, as io.ReadAll does, growing buf
// only when r holds more than buf has room for.
func readAllInto(buf []byte, r io.Reader) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
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
		return readMultipart(params, bytes.NewReader(data), len(data), lim)
	}
	if err != nil {
		return nil, err
	}
	if a := params["action"]; a != "" {
		msg.Action = a
	}
	return msg, nil
}
