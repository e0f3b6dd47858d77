package wire

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"
)

// Namespace URIs the package matches on. Prefixes are never compared.
const (
	// NamespaceSOAP11 is the SOAP 1.1 envelope namespace.
	NamespaceSOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
	// NamespaceSOAP12 is the SOAP 1.2 envelope namespace.
	NamespaceSOAP12 = "http://www.w3.org/2003/05/soap-envelope"
	// NamespaceXOP is the XOP include namespace used by MTOM.
	NamespaceXOP = "http://www.w3.org/2004/08/xop/include"
	// NamespaceWSA is the WS-Addressing 1.0 namespace; its Action header
	// is read when the content type carries no action.
	NamespaceWSA = "http://www.w3.org/2005/08/addressing"
)

// ParseXML reads data as one XML document into an etree tree, in a single
// pass that refuses, while it reads and before any large tree is built, what
// the archive never accepts: an empty document, invalid UTF-8, an encoding
// declaration other than UTF-8 (or US-ASCII), a DOCTYPE or any other <!...>
// declaration (and so every entity trick), nesting deeper than
// lim.MaxDepth, more than lim.MaxElements elements, an element with more
// than lim.MaxAttributes attributes or lim.MaxNamespaces namespace
// declarations, more than lim.MaxNamespacesTotal namespace declarations in
// all, malformed XML, no root, more than one root and text outside the
// root. Zero limits take DefaultLimits; the size limit (MaxBytes) applies
// to data as a whole. what names the XML in error reasons, e.g. "SOAP
// envelope".
//
// The element count and the attributes per element are checked first, by a
// scan of the bytes that allocates nothing (scanTags), so that a body of
// millions of empty elements, or a tag of a million attributes, is refused
// before a single element of the tree is built; the other limits trip on
// the first element that breaks them, so the tree built before a refusal
// stays within MaxElements.
//
// Every entry that reads XML from outside (the SOAP endpoint, the
// validation service, the command line, the steps) reads it with ParseXML,
// once. Errors are *Error of KindXML, KindEncoding, KindDTD, KindTooDeep
// or KindTooLarge.
func ParseXML(data []byte, lim Limits, what string) (*etree.Document, error) {
	doc, _, err := parseXMLSpans(data, lim, what, 0)
	return doc, err
}

// span is where an element starts and ends in the bytes it was read from.
type span struct{ start, end int64 }

// parseXMLSpans is ParseXML that also notes the byte range of every
// element at depth spanDepth (the root is at depth 1).
func parseXMLSpans(data []byte, lim Limits, what string, spanDepth int) (*etree.Document, map[*etree.Element]span, error) {
	lim = lim.withDefaults()
	if int64(len(data)) > lim.MaxBytes {
		return nil, nil, errorf(KindTooLarge, nil, "%s is %d bytes, over the limit of %d", what, len(data), lim.MaxBytes)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil, errorf(KindXML, nil, "%s is empty", what)
	}
	if !utf8.Valid(data) {
		return nil, nil, errorf(KindEncoding, nil, "%s is not valid UTF-8 (first bad byte at offset %d)", what, invalidUTF8At(data))
	}
	if err := scanTags(data, lim, what); err != nil {
		return nil, nil, err
	}
	p := xmlParser{data: data, lim: lim, what: what, spanDepth: spanDepth}
	if spanDepth > 0 {
		p.spans = make(map[*etree.Element]span, 1)
	}
	doc, err := p.parse()
	if err != nil {
		return nil, nil, err
	}
	return doc, p.spans, nil
}

// errDeclaredEncoding stops the decoder at an encoding declaration other
// than UTF-8; the parser reports it as KindEncoding.
var errDeclaredEncoding = errors.New("declared encoding is not UTF-8")

// xmlParser is one run of ParseXML.
type xmlParser struct {
	data []byte
	lim  Limits
	what string
	dec  *xml.Decoder
	// spanDepth, when positive, is the depth whose elements' byte ranges
	// are noted in spans.
	spanDepth int
	spans     map[*etree.Element]span
	// spaces interns the white space between elements.
	spaces map[string]string
}

// tree is the part of the tree being read: the open elements, the
// document's own element first, and the children read so far of each
// (those of open[i] from marks[i] on). An element gets its children when
// it closes, all at once in a child list of the right size instead of one
// grown by appending.
type tree struct {
	open    []*etree.Element
	marks   []int
	pending []etree.Token
}

// push opens e, whose children follow.
func (t *tree) push(e *etree.Element) {
	t.open = append(t.open, e)
	t.marks = append(t.marks, len(t.pending))
}

// add adds a child to the innermost open element.
func (t *tree) add(c etree.Token) { t.pending = append(t.pending, c) }

// cur is the innermost open element.
func (t *tree) cur() *etree.Element { return t.open[len(t.open)-1] }

// pop closes the innermost open element: it gets its children.
func (t *tree) pop() {
	last := len(t.open) - 1
	e, mark := t.open[last], t.marks[last]
	if kids := t.pending[mark:]; len(kids) > 0 {
		e.Child = make([]etree.Token, 0, len(kids))
		for _, k := range kids {
			e.AddChild(k)
		}
		clear(kids)
	}
	t.pending = t.pending[:mark]
	t.open, t.marks = t.open[:last], t.marks[:last]
}

func (p *xmlParser) parse() (*etree.Document, error) {
	var declared string
	p.dec = xml.NewDecoder(bytes.NewReader(p.data))
	p.dec.Strict = true
	p.dec.CharsetReader = func(charset string, r io.Reader) (io.Reader, error) {
		switch strings.ToLower(charset) {
		case "us-ascii", "ascii", "utf8":
			return r, nil
		}
		declared = charset
		return nil, errDeclaredEncoding
	}
	doc := etree.NewDocument()
	tr := tree{open: make([]*etree.Element, 0, 16), marks: make([]int, 0, 16), pending: make([]etree.Token, 0, 128)}
	tr.push(&doc.Element)
	p.spaces = make(map[string]string, 16)
	depth, elements, roots, namespaces := 0, 0, 0, 0
	for {
		start := p.dec.InputOffset()
		tok, err := p.dec.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			if declared != "" {
				return nil, errorf(KindEncoding, nil, "%s declares encoding %q but its bytes are UTF-8, the archive accepts only UTF-8 (declare encoding=\"UTF-8\" or nothing)", p.what, declared)
			}
			return nil, errorf(KindXML, err, "%s is not well-formed XML", p.what)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				if roots++; roots > 1 {
					return nil, errorf(KindXML, nil, "%s has more than one root element (second is %s, line %d)", p.what, t.Name.Local, p.line())
				}
			}
			if depth++; depth > p.lim.MaxDepth {
				return nil, errorf(KindTooDeep, nil, "%s nests elements deeper than %d levels (line %d)", p.what, p.lim.MaxDepth, p.line())
			}
			if elements++; elements > p.lim.MaxElements {
				return nil, errorf(KindTooLarge, nil, "%s has more than %d elements", p.what, p.lim.MaxElements)
			}
			if len(t.Attr) > p.lim.MaxAttributes {
				return nil, errorf(KindTooLarge, nil, "%s has an element %s with %d attributes, over the limit of %d (line %d)", p.what, t.Name.Local, len(t.Attr), p.lim.MaxAttributes, p.line())
			}
			if n := countNamespaceDecls(t.Attr); n > 0 {
				if n > p.lim.MaxNamespaces {
					return nil, errorf(KindTooLarge, nil, "%s has an element %s with %d namespace declarations, over the limit of %d (line %d)", p.what, t.Name.Local, n, p.lim.MaxNamespaces, p.line())
				}
				if namespaces += n; namespaces > p.lim.MaxNamespacesTotal {
					return nil, errorf(KindTooLarge, nil, "%s has more than %d namespace declarations (line %d)", p.what, p.lim.MaxNamespacesTotal, p.line())
				}
			}
			e := etree.NewElement(t.Name.Local)
			e.Space = t.Name.Space
			if len(t.Attr) > 0 {
				e.Attr = make([]etree.Attr, 0, len(t.Attr))
			}
			for _, a := range t.Attr {
				key := a.Name.Local
				if a.Name.Space != "" {
					key = a.Name.Space + ":" + key
				}
				e.CreateAttr(key, a.Value)
			}
			tr.add(e)
			tr.push(e)
			if depth == p.spanDepth {
				p.spans[e] = span{start: start}
			}
		case xml.EndElement:
			cur := tr.cur()
			if depth == 0 || cur.Tag != t.Name.Local || cur.Space != t.Name.Space {
				return nil, errorf(KindXML, nil, "%s is not well-formed XML: end tag </%s> does not close <%s> (line %d)", p.what, qname(t.Name), qname(xml.Name{Space: cur.Space, Local: cur.Tag}), p.line())
			}
			if depth == p.spanDepth {
				sp := p.spans[cur]
				sp.end = p.dec.InputOffset()
				p.spans[cur] = sp
			}
			depth--
			tr.pop()
		case xml.CharData:
			if depth == 0 {
				if len(bytes.Trim(t, " \t\r\n\ufeff")) > 0 {
					return nil, errorf(KindXML, nil, "%s has text outside the root element (line %d)", p.what, p.line())
				}
				continue
			}
			if isSpace(t) {
				// Indentation repeats: one string per distinct run.
				s, ok := p.spaces[string(t)]
				if !ok {
					s = string(t)
					p.spaces[s] = s
				}
				ws := etree.NewText(s)
				ws.SetData(s) // SetData marks it as whitespace, as etree's reader does
				tr.add(ws)
				continue
			}
			tr.add(etree.NewText(string(t)))
		case xml.Comment:
			tr.add(etree.NewComment(string(t)))
		case xml.ProcInst:
			tr.add(etree.NewProcInst(t.Target, string(t.Inst)))
		case xml.Directive:
			word, _, _ := strings.Cut(strings.TrimSpace(string(t)), " ")
			return nil, errorf(KindDTD, nil, "%s contains a <!%s declaration (line %d), DTDs and entity declarations are not accepted", p.what, word, p.line())
		}
	}
	if depth != 0 {
		return nil, errorf(KindXML, nil, "%s is not well-formed XML: it ends inside <%s>", p.what, tr.cur().Tag)
	}
	tr.pop() // the document's own element
	if roots == 0 {
		return nil, errorf(KindXML, nil, "%s has no root element", p.what)
	}
	return doc, nil
}

// scanTags checks, in one scan of data that allocates nothing, the limits
// whose breach would otherwise build something large before the parser
// could see it: more than lim.MaxElements start tags (and empty-element
// tags), comments, processing instructions and CDATA sections together
// (each is a node of the tree: 2.5M empty comments in 17 MB built 383 MB
// of tree before they were counted), or a tag with more than
// lim.MaxAttributes attributes (the decoder
// builds a tag's attributes all at once, so one tag of a million attributes
// would cost hundreds of megabytes before the parser counted them). A start
// tag is a '<' that does not open an end tag, a comment, a CDATA section, a
// processing instruction or a declaration; an attribute is an '=' in a tag
// outside a quoted value. In well-formed XML, '<' appears nowhere else (not
// in text, not in attribute values), so for it the counts are exact; for
// other input the parser reports the error that matters.
func scanTags(data []byte, lim Limits, what string) error {
	elements := 0
	for i := 0; ; {
		j := bytes.IndexByte(data[i:], '<')
		if j < 0 || i+j+1 >= len(data) {
			return nil
		}
		i += j + 1
		tag := false
		switch data[i] {
		case '/':
			continue
		case '?':
			i = skipPast(data, i, "?>")
		case '!':
			switch {
			case bytes.HasPrefix(data[i:], []byte("!--")):
				i = skipPast(data, i, "-->")
			case bytes.HasPrefix(data[i:], []byte("![CDATA[")):
				i = skipPast(data, i, "]]>")
			default:
				continue // a declaration: the parser refuses it
			}
		default:
			tag = true
		}
		// Every element, comment, processing instruction and CDATA
		// section is a node of the tree.
		if elements++; elements > lim.MaxElements {
			return errorf(KindTooLarge, nil, "%s has more than %d elements (comments, processing instructions and CDATA sections counted as elements)", what, lim.MaxElements)
		}
		if tag {
			var attrs int
			start := i
			if i, attrs = scanAttributes(data, i); attrs > lim.MaxAttributes {
				name := data[start:min(start+64, len(data))]
				if k := bytes.IndexAny(name, " \t\r\n/>="); k >= 0 {
					name = name[:k]
				}
				return errorf(KindTooLarge, nil, "%s has an element %s with more than %d attributes (line %d)", what, name, lim.MaxAttributes, bytes.Count(data[:start], []byte("\n"))+1)
			}
		}
	}
}

// scanAttributes counts the attributes of the tag that starts at i (just
// after its '<') and returns the offset after the tag's '>' with the count.
func scanAttributes(data []byte, i int) (int, int) {
	n := 0
	for i < len(data) {
		k := bytes.IndexAny(data[i:], `="'>`)
		if k < 0 {
			return len(data), n
		}
		i += k
		switch data[i] {
		case '=':
			n++
		case '"', '\'':
			q := bytes.IndexByte(data[i+1:], data[i])
			if q < 0 {
				return len(data), n
			}
			i += q + 1
		case '>':
			return i + 1, n
		}
		i++
	}
	return i, n
}

// skipPast returns the offset just after the first end at or after i, or
// len(data) when there is none.
func skipPast(data []byte, i int, end string) int {
	k := bytes.Index(data[i:], []byte(end))
	if k < 0 {
		return len(data)
	}
	return i + k + len(end)
}

// countNamespaceDecls counts the namespace declarations among a start tag's
// attributes, as RawToken gives them (xmlns:p is Space "xmlns", xmlns is
// Local "xmlns").
func countNamespaceDecls(attrs []xml.Attr) int {
	n := 0
	for _, a := range attrs {
		if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			n++
		}
	}
	return n
}

// line returns the line number of the decoder's position.
func (p *xmlParser) line() int {
	off := min(p.dec.InputOffset(), int64(len(p.data)))
	return bytes.Count(p.data[:off], []byte("\n")) + 1
}

// qname returns prefix:local as written.
func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// isSpace reports whether s is only XML white space.
func isSpace(s []byte) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n':
		default:
			return false
		}
	}
	return true
}

// invalidUTF8At returns the offset of the first invalid UTF-8 byte in b.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// is reports whether e is the element {ns}local.
func is(e *etree.Element, ns, local string) bool {
	return e != nil && e.Tag == local && e.NamespaceURI() == ns
}

// child returns the first child element {ns}local of e, or nil.
func child(e *etree.Element, ns, local string) *etree.Element {
	if e == nil {
		return nil
	}
	for _, c := range e.ChildElements() {
		if is(c, ns, local) {
			return c
		}
	}
	return nil
}

// descend follows a path of child elements in one namespace.
func descend(e *etree.Element, ns string, locals ...string) *etree.Element {
	for _, l := range locals {
		e = child(e, ns, l)
	}
	return e
}

// elementPath returns /a/b/c for e, by local names.
func elementPath(e *etree.Element) string {
	var parts []string
	for ; e != nil && e.Tag != ""; e = e.Parent() {
		parts = append(parts, e.Tag)
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteString("/")
		b.WriteString(parts[i])
	}
	return b.String()
}

// charData concatenates the character data children of e, skipping
// comments and processing instructions (vendors put comments inside base64).
// It returns "" for a nil element.
func charData(e *etree.Element) string {
	if e == nil {
		return ""
	}
	var b strings.Builder
	for _, t := range e.Child {
		if cd, ok := t.(*etree.CharData); ok {
			b.WriteString(cd.Data)
		}
	}
	return b.String()
}

// detachFrame makes the frame element the root of a document of its own,
// carrying the namespace declarations in scope at it, and returns that
// document with the frame's bytes: the received bytes (sp in data) when the
// frame declares every namespace it uses, else the detached frame written
// out.
func detachFrame(data []byte, frame *etree.Element, sp span) (*etree.Document, []byte, error) {
	var inherited []etree.Attr
	declared := func(as []etree.Attr, a etree.Attr) bool {
		for _, b := range as {
			if b.Space == a.Space && b.Key == a.Key {
				return true
			}
		}
		return false
	}
	for p := frame.Parent(); p != nil && p.Tag != ""; p = p.Parent() {
		for _, a := range p.Attr {
			if isNamespaceDecl(a) && !declared(frame.Attr, a) && !declared(inherited, a) {
				inherited = append(inherited, a)
			}
		}
	}
	needed := false
	if len(inherited) > 0 {
		prefixes := make(map[string]bool, len(inherited))
		for _, a := range inherited {
			if a.Space == "" {
				prefixes[""] = true
			} else {
				prefixes[a.Key] = true
			}
		}
		needed = usesPrefix(frame, prefixes, map[string]bool{})
	}
	doc := etree.NewDocument()
	doc.SetRoot(frame)
	for _, a := range inherited {
		frame.CreateAttr(a.FullKey(), a.Value)
	}
	if !needed && sp.end > sp.start && sp.end <= int64(len(data)) {
		return doc, data[sp.start:sp.end], nil
	}
	out := etree.NewDocument()
	out.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	out.AddChild(frame.Copy())
	b, err := out.WriteToBytes()
	if err != nil {
		return nil, nil, fmt.Errorf("wire: write frame: %w", err)
	}
	return doc, b, nil
}

// isNamespaceDecl reports whether a is xmlns or xmlns:prefix.
func isNamespaceDecl(a etree.Attr) bool {
	return a.Space == "xmlns" || (a.Space == "" && a.Key == "xmlns")
}

// usesPrefix reports whether e or an element below it uses one of the
// prefixes ("" for the default namespace) without declaring it itself: in
// an element or attribute name, or in an xsi:type value. shadowed are the
// prefixes declared between the frame and e.
func usesPrefix(e *etree.Element, prefixes, shadowed map[string]bool) bool {
	local, cloned := shadowed, false
	for _, a := range e.Attr {
		if isNamespaceDecl(a) {
			if !cloned {
				local, cloned = maps.Clone(shadowed), true
			}
			if a.Space == "" {
				local[""] = true
			} else {
				local[a.Key] = true
			}
		}
	}
	uses := func(prefix string) bool { return prefixes[prefix] && !local[prefix] }
	if uses(e.Space) {
		return true
	}
	for _, a := range e.Attr {
		if isNamespaceDecl(a) {
			continue
		}
		if a.Space != "" && a.Space != "xml" && uses(a.Space) {
			return true
		}
		if a.Key == "type" && a.Space != "" {
			if prefix, _, ok := strings.Cut(a.Value, ":"); ok && uses(prefix) {
				return true
			} else if !ok && uses("") {
				return true
			}
		}
	}
	for _, c := range e.ChildElements() {
		if usesPrefix(c, prefixes, local) {
			return true
		}
	}
	return false
}
