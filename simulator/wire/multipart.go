package wire

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"mime/quotedprintable"
	"net/url"
	"strings"

	"github.com/beevik/etree"
)

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

// readMultipart reads a multipart/related body from r: SOAP with
// Attachments or an MTOM/XOP package. size is the body's length or a guess
// at it (0 when unknown); it sizes the buffer the parts are read into.
func readMultipart(params map[string]string, r io.Reader, size int, lim Limits) (*Message, error) {
	boundary := params["boundary"]
	if boundary == "" {
		return nil, errorf(KindMIME, nil, "multipart/related Content-Type has no boundary parameter")
	}
	mr := multipart.NewReader(r, boundary)
	ps := &parts{}
	// The parts' bodies are no larger than the body they are cut from, so
	// they are read one after another into one buffer of its size.
	buf := make([]byte, 0, size)
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
		var p *part
		p, buf, err = readPart(mp, len(ps.all), buf)
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

// readPart reads one raw part and undoes its transfer encoding. The raw
// part is appended to buf, which is returned.
func readPart(mp *multipart.Part, index int, buf []byte) (*part, []byte, error) {
	p := &part{index: index, id: strings.Trim(strings.TrimSpace(mp.Header.Get("Content-ID")), "<>")}
	start := len(buf)
	buf, err := readAllInto(buf, mp)
	if err != nil {
		return nil, buf, errorf(KindMIME, err, "%s is truncated", p.label())
	}
	// The part's own slice: capped, so that nothing appended later runs
	// into it.
	body := buf[start:len(buf):len(buf)]
	p2, err := decodePart(mp, p, body)
	return p2, buf, err
}

// decodePart gives p its media type and its body, transfer-decoded.
func decodePart(mp *multipart.Part, p *part, body []byte) (*part, error) {
	var err error
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
