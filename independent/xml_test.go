package independent_test

import (
	"github.com/beevik/etree"
)

// Namespaces the vendor writes. It matches elements by namespace URI, as
// the real samples use different prefixes.
const (
	nsHL7   = "urn:hl7-org:v3"
	nsHL7FI = "urn:hl7finland"
)

// kid returns the first child element of e in namespace ns with the local
// name, or nil.
func kid(e *etree.Element, ns, local string) *etree.Element {
	if e == nil {
		return nil
	}
	for _, c := range e.ChildElements() {
		if c.Tag == local && c.NamespaceURI() == ns {
			return c
		}
	}
	return nil
}

// kids returns every child element of e in namespace ns with the local name.
func kids(e *etree.Element, ns, local string) []*etree.Element {
	var out []*etree.Element
	for _, c := range e.ChildElements() {
		if c.Tag == local && c.NamespaceURI() == ns {
			out = append(out, c)
		}
	}
	return out
}

// walk descends the path of HL7 (or, for names after a "fi:" step, Finnish)
// elements below e.
func walk(e *etree.Element, path ...string) *etree.Element {
	for _, p := range path {
		ns := nsHL7
		if len(p) > 3 && p[:3] == "fi:" {
			ns, p = nsHL7FI, p[3:]
		}
		e = kid(e, ns, p)
		if e == nil {
			return nil
		}
	}
	return e
}

// drop removes every child of e in namespace ns with the local name.
func drop(e *etree.Element, ns, local string) {
	for _, c := range kids(e, ns, local) {
		e.RemoveChild(c)
	}
}

// clear removes every attribute and child of e.
func clear(e *etree.Element) {
	e.Attr = nil
	for _, c := range e.Child {
		e.RemoveChild(c)
	}
}

// attrs sets the attributes of e from name, value pairs.
func attrs(e *etree.Element, kv ...string) *etree.Element {
	for i := 0; i+1 < len(kv); i += 2 {
		e.CreateAttr(kv[i], kv[i+1])
	}
	return e
}

// insertBefore creates an element named tag in parent before the first of
// parent's children named by the HL7 local names in before (or at the end).
func insertBefore(parent *etree.Element, tag string, before ...string) *etree.Element {
	el := etree.NewElement(tag)
	for i, tok := range parent.Child {
		c, ok := tok.(*etree.Element)
		if !ok {
			continue
		}
		for _, b := range before {
			if c.Tag == b {
				parent.InsertChildAt(i, el)
				return el
			}
		}
	}
	parent.AddChild(el)
	return el
}

// header is the document's localSocialHeader with the prefix the template
// gives urn:hl7finland.
type header struct {
	el     *etree.Element
	prefix string
}

func (h header) tag(local string) string {
	if h.prefix == "" {
		return local
	}
	return h.prefix + ":" + local
}

// set finds or creates the header element (before the signatures) and
// replaces its attributes.
func (h header) set(local string, kv ...string) *etree.Element {
	el := kid(h.el, nsHL7FI, local)
	if el == nil {
		el = etree.NewElement(h.tag(local))
		pos := len(h.el.Child)
		for i, tok := range h.el.Child {
			if c, ok := tok.(*etree.Element); ok && (c.Tag == "signature" || c.Tag == "signatureCollection") {
				pos = i
				break
			}
		}
		h.el.InsertChildAt(pos, el)
	}
	clear(el)
	return attrs(el, kv...)
}

// code sets a coded header element.
func (h header) code(local, code, system string) *etree.Element {
	return h.set(local, "code", code, "codeSystem", system)
}

// text sets a header element's text.
func (h header) text(local, value string) {
	h.set(local).SetText(value)
}

func (h header) remove(local string) { drop(h.el, nsHL7FI, local) }
