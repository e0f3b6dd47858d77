package wire

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
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

// checkXML scans data as one XML document and rejects what the archive never
// accepts: invalid UTF-8, an encoding other than UTF-8, DOCTYPE and other
// declarations (and so every entity trick), nesting deeper than maxDepth,
// malformed XML, no root or more than one root. It returns the namespace
// URI and local name of the root element. what names the XML in error
// reasons, e.g. "SOAP envelope".
//
// The scan is streaming and stops at the first problem, so hostile input
// costs at most one pass over bytes already bounded by Limits.MaxBytes.
func checkXML(data []byte, maxDepth int, what string) (xml.Name, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return xml.Name{}, errorf(KindXML, nil, "%s is empty", what)
	}
	if !utf8.Valid(data) {
		return xml.Name{}, errorf(KindXML, nil, "%s is not valid UTF-8 (first bad byte at offset %d)", what, invalidUTF8At(data))
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.CharsetReader = func(charset string, r io.Reader) (io.Reader, error) {
		switch strings.ToLower(charset) {
		case "us-ascii", "ascii", "utf8":
			return r, nil
		}
		return nil, fmt.Errorf("encoding %q is not accepted, only UTF-8", charset)
	}
	var root xml.Name
	depth, roots := 0, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return xml.Name{}, errorf(KindXML, err, "%s is not well-formed XML", what)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots > 1 {
					return xml.Name{}, errorf(KindXML, nil, "%s has more than one root element (second is %s, line %d)", what, t.Name.Local, line(d, data))
				}
				root = t.Name
			}
			depth++
			if depth > maxDepth {
				return xml.Name{}, errorf(KindXML, nil, "%s nests elements deeper than %d levels (line %d)", what, maxDepth, line(d, data))
			}
		case xml.EndElement:
			depth--
		case xml.Directive:
			word, _, _ := strings.Cut(strings.TrimSpace(string(t)), " ")
			return xml.Name{}, errorf(KindXML, nil, "%s contains a <!%s declaration (line %d); DTDs and entity declarations are not accepted", what, word, line(d, data))
		case xml.CharData:
			if depth == 0 && len(bytes.Trim(t, " \t\r\n\ufeff")) > 0 {
				return xml.Name{}, errorf(KindXML, nil, "%s has text outside the root element (line %d)", what, line(d, data))
			}
		}
	}
	if roots == 0 {
		return xml.Name{}, errorf(KindXML, nil, "%s has no root element", what)
	}
	return root, nil
}

// parseXML checks data with checkXML and reads it into an etree document.
func parseXML(data []byte, lim Limits, what string) (*etree.Document, error) {
	if _, err := checkXML(data, lim.MaxDepth, what); err != nil {
		return nil, err
	}
	doc := etree.NewDocument()
	doc.ReadSettings.MaxDepth = lim.MaxDepth + 1
	if err := doc.ReadFromBytes(data); err != nil {
		if errors.Is(err, etree.ErrMaxDepth) {
			return nil, errorf(KindXML, err, "%s nests elements deeper than %d levels", what, lim.MaxDepth)
		}
		return nil, errorf(KindXML, err, "%s is not well-formed XML", what)
	}
	if doc.Root() == nil {
		return nil, errorf(KindXML, nil, "%s has no root element", what)
	}
	return doc, nil
}

// line returns the line number of the decoder's position in data.
func line(d *xml.Decoder, data []byte) int {
	off := d.InputOffset()
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
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

// standalone returns a copy of e that carries every namespace declaration
// in scope at e, so that it can be written as a document of its own.
// Declarations on e win over inherited ones, nearer ancestors over farther.
func standalone(e *etree.Element) *etree.Element {
	c := e.Copy()
	declared := func(space, key string) bool {
		for _, a := range c.Attr {
			if a.Space == space && a.Key == key {
				return true
			}
		}
		return false
	}
	for p := e.Parent(); p != nil && p.Tag != ""; p = p.Parent() {
		for _, a := range p.Attr {
			isDecl := a.Space == "xmlns" || (a.Space == "" && a.Key == "xmlns")
			if isDecl && !declared(a.Space, a.Key) {
				c.CreateAttr(a.FullKey(), a.Value)
			}
		}
	}
	return c
}

// serialize writes e as a standalone UTF-8 XML document with a declaration.
func serialize(e *etree.Element) ([]byte, error) {
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	doc.SetRoot(e)
	return doc.WriteToBytes()
}
