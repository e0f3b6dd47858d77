// Package message reads an archiving message of Kanta's social-welfare
// client data archive into typed models: the HL7 V3 frame
// (siirtokehys, RCMR_IN200002FI01) and the CDA R2 document it carries, with
// the urn:hl7finland localSocialHeader.
//
// Elements are matched by namespace URI and local name, never by prefix:
// real vendors use ep2, hl7fi and default namespaces for the same elements.
// Every model value keeps its element, so that a finding can point at it.
package message

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// Namespace URIs of the archiving message.
const (
	NSXMLDSig = "http://www.w3.org/2000/09/xmldsig#"
)

// Limits bound what ParseXML accepts.
type Limits struct {
	// MaxBytes is the largest document accepted.
	MaxBytes int
	// MaxDepth is the deepest element nesting accepted.
	MaxDepth int
}

// DefaultLimits returns the limits of wire.DefaultLimits, so that the
// validator accepts every document the transport does: generous for real
// documents (the samples are under 30 kB and 12 levels deep) and small
// enough to refuse abuse quickly.
func DefaultLimits() Limits { return LimitsOf(wire.DefaultLimits()) }

// LimitsOf returns the document limits that go with the transport limits
// l: the same size and depth.
func LimitsOf(l wire.Limits) Limits {
	return Limits{MaxBytes: int(min(l.MaxBytes, math.MaxInt)), MaxDepth: l.MaxDepth}
}

// XMLError is a document that is not acceptable XML. Kind is one of the
// XMLKind constants.
type XMLError struct {
	Kind   XMLKind
	Detail string
}

// XMLKind classifies XMLErrors.
type XMLKind int

// The kinds of XMLError.
const (
	XMLMalformed XMLKind = iota
	XMLTooLarge
	XMLDTD
	XMLTooDeep
	XMLEncoding
	XMLEmpty
)

// Error returns the detail: what is wrong with the document, for people.
func (e *XMLError) Error() string { return e.Detail }

// ParseXML parses data as an XML document within the limits. It refuses
// document type declarations (and so every entity trick), invalid UTF-8,
// nesting deeper than lim.MaxDepth (1024 when not positive) and documents
// over lim.MaxBytes (unbounded when not positive).
func ParseXML(data []byte, lim Limits) (*etree.Document, error) {
	if lim.MaxBytes > 0 && len(data) > lim.MaxBytes {
		return nil, &XMLError{XMLTooLarge, fmt.Sprintf("document is %d bytes, over the limit of %d", len(data), lim.MaxBytes)}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &XMLError{XMLEmpty, "document is empty"}
	}
	if !utf8.Valid(data) {
		return nil, &XMLError{XMLEncoding, "document is not valid UTF-8"}
	}
	if i := bytes.Index(data, []byte("<!DOCTYPE")); i >= 0 {
		return nil, &XMLError{XMLDTD, "document type declarations (DTD) are not allowed"}
	}
	doc := etree.NewDocument()
	// etree counts the depth while it tokenises, so markup inside attribute
	// values, comments or CDATA neither counts nor hides an element. Zero
	// means etree's own limit (1024 levels).
	doc.ReadSettings.MaxDepth = lim.MaxDepth
	if err := doc.ReadFromBytes(data); err != nil {
		if errors.Is(err, etree.ErrMaxDepth) {
			return nil, &XMLError{XMLTooDeep, fmt.Sprintf("elements are nested over %d deep", maxDepth(lim))}
		}
		return nil, &XMLError{XMLMalformed, fmt.Sprintf("not well-formed XML: %v", err)}
	}
	for _, t := range doc.Child {
		if _, ok := t.(*etree.Directive); ok {
			return nil, &XMLError{XMLDTD, "document type declarations (DTD) are not allowed"}
		}
	}
	if doc.Root() == nil {
		return nil, &XMLError{XMLMalformed, "no root element"}
	}
	return doc, nil
}

// maxDepth is the depth limit ParseXML applies: lim.MaxDepth, or etree's
// default of 1024 when that is not positive.
func maxDepth(lim Limits) int {
	if lim.MaxDepth > 0 {
		return lim.MaxDepth
	}
	return 1024
}

// IsXMLError reports whether err is an *XMLError of kind k.
func IsXMLError(err error, k XMLKind) bool {
	var xe *XMLError
	return errors.As(err, &xe) && xe.Kind == k
}

// child returns the first child element of e with the namespace and local
// name, or nil.
func child(e *etree.Element, ns, local string) *etree.Element {
	if e == nil {
		return nil
	}
	for _, c := range e.Child {
		if ce, ok := c.(*etree.Element); ok && ce.Tag == local && ce.NamespaceURI() == ns {
			return ce
		}
	}
	return nil
}

// children returns the child elements of e with the namespace and local name.
func children(e *etree.Element, ns, local string) []*etree.Element {
	if e == nil {
		return nil
	}
	var out []*etree.Element
	for _, c := range e.Child {
		if ce, ok := c.(*etree.Element); ok && ce.Tag == local && ce.NamespaceURI() == ns {
			out = append(out, ce)
		}
	}
	return out
}

// path follows a chain of local names in one namespace from e.
func path(e *etree.Element, ns string, locals ...string) *etree.Element {
	for _, l := range locals {
		e = child(e, ns, l)
		if e == nil {
			return nil
		}
	}
	return e
}

// attr returns the value of an attribute without namespace prefix.
func attr(e *etree.Element, key string) string {
	if e == nil {
		return ""
	}
	for _, a := range e.Attr {
		if a.Key == key && a.Space == "" {
			return a.Value
		}
	}
	return ""
}

// Path returns an XPath-like location of e made of local names, with a
// position where e has same-named siblings:
// /ClinicalDocument/recordTarget/patientRole/id.
func Path(e *etree.Element) string {
	if e == nil {
		return ""
	}
	var parts []string
	for x := e; x != nil; x = x.Parent() {
		if x.Parent() == nil && x.Tag == "" {
			break // the document node
		}
		step := x.Tag
		if p := x.Parent(); p != nil {
			n, pos := 0, 0
			for _, c := range p.Child {
				if ce, ok := c.(*etree.Element); ok && ce.Tag == x.Tag && ce.Space == x.Space {
					n++
					if ce == x {
						pos = n
					}
				}
			}
			if n > 1 {
				step = fmt.Sprintf("%s[%d]", step, pos)
			}
		}
		parts = append(parts, step)
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return "/" + strings.Join(parts, "/")
}

// AttrPath returns the location of an attribute of e: Path(e) + "/@key".
func AttrPath(e *etree.Element, key string) string { return Path(e) + "/@" + key }

// Text returns the element's text content with surrounding space trimmed.
func Text(e *etree.Element) string {
	if e == nil {
		return ""
	}
	return strings.TrimSpace(e.Text())
}
