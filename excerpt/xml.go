package excerpt

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/yhteistestaus/yhteistestaus/simulator/message"
)

// node is an element of a message, with where its markup is in the
// message as received.
type node struct {
	name     string
	attrs    []xml.Attr
	parent   *node
	children []*node
	// start tag, text content and end tag, as received.
	startTag string
	text     strings.Builder
	endTag   string
}

// maxElements bounds the elements of a message an excerpt is cut from:
// real messages have a few hundred.
const maxElements = 100_000

// parseXML reads data into a tree of nodes. It takes the limits the
// archive takes (message.DefaultLimits): no document type declaration, at
// most the archive's size and depth.
func parseXML(data []byte) (*node, error) {
	lim := message.DefaultLimits()
	if lim.MaxBytes > 0 && len(data) > lim.MaxBytes {
		return nil, fmt.Errorf("message of %d bytes is over the limit of %d", len(data), lim.MaxBytes)
	}
	if !utf8.Valid(data) {
		return nil, errors.New("message is not valid UTF-8")
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	var root, cur *node
	depth, count := 0, 0
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("message is not well-formed XML: %w", err)
		}
		after := dec.InputOffset()
		raw := string(data[before:after])
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if lim.MaxDepth > 0 && depth > lim.MaxDepth {
				return nil, fmt.Errorf("elements nest over %d deep", lim.MaxDepth)
			}
			if count++; count > maxElements {
				return nil, fmt.Errorf("message has over %d elements", maxElements)
			}
			n := &node{name: t.Name.Local, attrs: t.Attr, parent: cur, startTag: raw}
			if cur != nil {
				cur.children = append(cur.children, n)
			} else if root == nil {
				root = n
			}
			cur = n
		case xml.EndElement:
			depth--
			if cur == nil {
				return nil, errors.New("message is not well-formed XML: unexpected end tag")
			}
			cur.endTag = raw
			cur = cur.parent
		case xml.CharData:
			if cur != nil {
				cur.text.Write(bytes.TrimSpace(t))
			}
		case xml.Directive:
			return nil, errors.New("document type declarations (DTD) are not allowed")
		}
	}
	if root == nil {
		return nil, errors.New("message has no element")
	}
	return root, nil
}

// attr returns the value of the attribute with the local name and no
// namespace, or of any namespace when none has none.
func (n *node) attr(local string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Local == local && a.Name.Space == "" {
			return a.Value, true
		}
	}
	for _, a := range n.attrs {
		if a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// named returns the children of n with the local name.
func (n *node) named(local string) []*node {
	var out []*node
	for _, c := range n.children {
		if c.name == local {
			out = append(out, c)
		}
	}
	return out
}

// matches reports whether the element passes a step's test: some
// element down the test's path has the wanted text or attribute value.
// It walks the path level by level, so that each element is visited once.
func (n *node) matches(test []string, want string) bool {
	if len(test) == 0 {
		return true
	}
	level := []*node{n}
	for i, t := range test {
		last := i == len(test)-1
		if a, ok := strings.CutPrefix(t, "@"); ok {
			if !last {
				return false
			}
			for _, e := range level {
				if v, has := e.attr(localName(a)); has && v == want {
					return true
				}
			}
			return false
		}
		var next []*node
		for _, e := range level {
			next = append(next, e.named(localName(t))...)
		}
		if last {
			for _, e := range next {
				if strings.TrimSpace(e.text.String()) == want {
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
func resolve(root *node, steps []step) (*node, string) {
	n := root
	for _, st := range steps {
		var next *node
		i := 0
		for _, c := range n.named(st.name) {
			if !c.matches(st.test, st.want) {
				continue
			}
			i++
			if st.pos == 0 || st.pos == i {
				next = c
				break
			}
		}
		if next == nil {
			return n, st.name
		}
		n = next
	}
	return n, ""
}

// renderXML writes the target element with its context: the parent's
// start tag, up to two siblings on each side, the parent's end tag. When
// an element is missing below target, target itself is the context and a
// comment marks where the missing element belongs.
func renderXML(w *writer, target *node, missing string) {
	if missing != "" {
		w.line(0, false, target.startTag)
		kids := target.children
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
		w.end(0, false, target)
		return
	}
	parent := target.parent
	if parent == nil {
		writeNode(w, 0, true, target, targetDepth)
		return
	}
	w.line(0, false, parent.startTag)
	at := 0
	for i, c := range parent.children {
		if c == target {
			at = i
		}
	}
	if at > siblings {
		w.line(1, false, "…")
	}
	for i := max(0, at-siblings); i < at; i++ {
		writeCollapsed(w, 1, false, parent.children[i])
	}
	writeNode(w, 1, true, target, targetDepth)
	end := min(len(parent.children), at+1+siblings)
	for i := at + 1; i < end; i++ {
		writeCollapsed(w, 1, false, parent.children[i])
	}
	if end < len(parent.children) {
		w.line(1, false, "…")
	}
	w.end(0, false, parent)
}

// writeNode writes n expanded to the given depth.
func writeNode(w *writer, level int, mark bool, n *node, depth int) {
	if len(n.children) == 0 || depth <= 1 {
		writeCollapsed(w, level, mark, n)
		return
	}
	w.line(level, mark, n.startTag+shortText(n))
	for _, c := range n.children {
		writeNode(w, level+1, mark, c, depth-1)
	}
	w.end(level, mark, n)
}

// writeCollapsed writes n on one line: the start tag, the text, and "…"
// for children.
func writeCollapsed(w *writer, level int, mark bool, n *node) {
	if n.endTag == "" && len(n.children) == 0 {
		w.line(level, mark, n.startTag) // <empty/>
		return
	}
	inner := shortText(n)
	if len(n.children) > 0 {
		inner += "…"
	}
	w.line(level, mark, n.startTag+inner+n.endTag)
}

// shortText is n's text content, shortened.
func shortText(n *node) string {
	return shorten(n.text.String())
}

// end writes n's end tag, if it has one (<empty/> has none).
func (w *writer) end(level int, mark bool, n *node) {
	if n.endTag != "" {
		w.line(level, mark, n.endTag)
	}
}
