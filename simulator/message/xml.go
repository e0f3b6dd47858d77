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
	"fmt"
	"strings"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// Namespace URIs of the archiving message.
const (
	NSXMLDSig = "http://www.w3.org/2000/09/xmldsig#"
)

// DefaultLimits returns wire.DefaultLimits: the validator reads a message
// within the same limits as the transport, with the same reader.
func DefaultLimits() wire.Limits { return wire.DefaultLimits() }

// ParseXML parses data as an XML document with the simulator's one hardened
// reader, wire.ParseXML: no DTD or entity, UTF-8 only, within the limits.
// Errors are *wire.Error; wire.RuleOf names the rule they break.
func ParseXML(data []byte, lim wire.Limits) (*etree.Document, error) {
	return wire.ParseXML(data, lim, "document")
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
