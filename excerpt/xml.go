package excerpt

import (
	"fmt"
	"strings"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// parseXML reads a message part with the simulator's one hardened reader
// (wire.ParseXML), within the archive's limits, and returns its root.
func parseXML(data []byte) (*etree.Element, error) {
	doc, err := wire.ParseXML(data, wire.DefaultLimits(), "message")
	if err != nil {
		return nil, fmt.Errorf("read message: %w", err)
	}
	return doc.Root(), nil
}

// attr returns the value of the attribute with the local name, preferring
// one without a prefix.
func attr(e *etree.Element, local string) (string, bool) {
	for _, a := range e.Attr {
		if a.Key == local && a.Space == "" {
			return a.Value, true
		}
	}
	for _, a := range e.Attr {
		if a.Key == local {
			return a.Value, true
		}
	}
	return "", false
}

// named returns the child elements of e with the local name, whatever
// their prefix.
func named(e *etree.Element, local string) []*etree.Element {
	var out []*etree.Element
	for _, c := range e.ChildElements() {
		if c.Tag == local {
			out = append(out, c)
		}
	}
	return out
}

// text returns the text content of e itself (not of its children),
// without the white space around each piece.
func text(e *etree.Element) string {
	var b strings.Builder
	for _, t := range e.Child {
		if cd, ok := t.(*etree.CharData); ok {
			b.WriteString(strings.TrimSpace(cd.Data))
		}
	}
	return b.String()
}

// matches reports whether the element passes a step's test: some element
// down the test's path has the wanted text or attribute value. It walks
// the path level by level, so that each element is visited once.
func matches(e *etree.Element, test []string, want string) bool {
	if len(test) == 0 {
		return true
	}
	level := []*etree.Element{e}
	for i, t := range test {
		last := i == len(test)-1
		if a, ok := strings.CutPrefix(t, "@"); ok {
			if !last {
				return false
			}
			for _, x := range level {
				if v, has := attr(x, localName(a)); has && v == want {
					return true
				}
			}
			return false
		}
		var next []*etree.Element
		for _, x := range level {
			next = append(next, named(x, localName(t))...)
		}
		if last {
			for _, x := range next {
				if text(x) == want {
					return true
				}
			}
			return false
		}
		level = next
	}
	return false
}

// resolve follows steps from root. It returns the element the steps name,
// or the deepest element on the way and the step missing below it.
func resolve(root *etree.Element, steps []step) (*etree.Element, string) {
	e := root
	for _, st := range steps {
		var next *etree.Element
		i := 0
		for _, c := range named(e, st.name) {
			if !matches(c, st.test, st.want) {
				continue
			}
			i++
			if st.pos == 0 || st.pos == i {
				next = c
				break
			}
		}
		if next == nil {
			return e, st.name
		}
		e = next
	}
	return e, ""
}

// parent returns e's parent element, or nil for the root.
func parent(e *etree.Element) *etree.Element {
	p := e.Parent()
	if p == nil || p.Parent() == nil && p.Tag == "" {
		return nil // the document node
	}
	return p
}

// renderXML writes the target element with its context: the parent's
// start tag, up to two siblings on each side, the parent's end tag. When
// an element is missing below target, target itself is the context and a
// comment marks where the missing element belongs.
func renderXML(w *writer, target *etree.Element, missing string) {
	if missing != "" {
		w.line(0, false, startTag(target, false))
		kids := target.ChildElements()
		if len(kids) > missingHead+missingTail+1 {
			for _, c := range kids[:missingHead] {
				writeCollapsed(w, 1, false, c)
			}
			w.line(1, false, "…")
			kids = kids[len(kids)-missingTail:]
		}
		for _, c := range kids {
			writeCollapsed(w, 1, false, c)
		}
		w.line(1, true, "<!-- no "+missing+" here -->")
		w.line(0, false, endTag(target))
		return
	}
	p := parent(target)
	if p == nil {
		writeElement(w, 0, true, target, targetDepth)
		return
	}
	w.line(0, false, startTag(p, false))
	kids := p.ChildElements()
	at := 0
	for i, c := range kids {
		if c == target {
			at = i
		}
	}
	if at > siblings {
		w.line(1, false, "…")
	}
	for i := max(0, at-siblings); i < at; i++ {
		writeCollapsed(w, 1, false, kids[i])
	}
	writeElement(w, 1, true, target, targetDepth)
	end := min(len(kids), at+1+siblings)
	for i := at + 1; i < end; i++ {
		writeCollapsed(w, 1, false, kids[i])
	}
	if end < len(kids) {
		w.line(1, false, "…")
	}
	w.line(0, false, endTag(p))
}

// writeElement writes e expanded to the given depth.
func writeElement(w *writer, level int, mark bool, e *etree.Element, depth int) {
	kids := e.ChildElements()
	if len(kids) == 0 || depth <= 1 {
		writeCollapsed(w, level, mark, e)
		return
	}
	w.line(level, mark, startTag(e, false)+escapeText(shorten(text(e))))
	for _, c := range kids {
		writeElement(w, level+1, mark, c, depth-1)
	}
	w.line(level, mark, endTag(e))
}

// writeCollapsed writes e on one line: the start tag, the text, and "…"
// for its children.
func writeCollapsed(w *writer, level int, mark bool, e *etree.Element) {
	inner := escapeText(shorten(text(e)))
	if len(e.ChildElements()) > 0 {
		inner += "…"
	}
	if inner == "" {
		w.line(level, mark, startTag(e, true))
		return
	}
	w.line(level, mark, startTag(e, false)+inner+endTag(e))
}

// startTag writes e's start tag with its prefix and attributes as read
// (<ep2:functionCode code="24"/> when empty is set).
func startTag(e *etree.Element, empty bool) string {
	var b strings.Builder
	b.WriteString("<" + e.FullTag())
	for _, a := range e.Attr {
		b.WriteString(" " + a.FullKey() + `="` + escapeAttr(a.Value) + `"`)
	}
	if empty {
		b.WriteString("/")
	}
	b.WriteString(">")
	return b.String()
}

// endTag is e's end tag.
func endTag(e *etree.Element) string {
	return "</" + e.FullTag() + ">"
}

// escapeText escapes text content for showing it between tags.
func escapeText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;").Replace(s)
}

// escapeAttr escapes an attribute value for showing it in its tag.
func escapeAttr(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", `"`, "&quot;").Replace(s)
}
