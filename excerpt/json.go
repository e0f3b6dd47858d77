package excerpt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus/simulator/body"
)

// jnode is a value of the structured content, with object members in the
// order they were received.
type jnode struct {
	// key is the member name or the array index that leads to the value.
	key    string
	inObj  bool
	parent *jnode
	// kind is '{', '[' or 0 for a scalar, whose JSON text is scalar.
	kind     byte
	scalar   string
	children []*jnode
}

// renderJSON writes the excerpt of the structured content in el (base64
// JSON, as hl7fi:json carries it) at the JSON pointer.
func renderJSON(w *writer, el *etree.Element, pointer []string) error {
	data, err := body.Base64Text(el)
	if err != nil {
		return fmt.Errorf("structured content: %w", err)
	}
	root, err := parseJSON(data)
	if err != nil {
		return err
	}
	target, missing := root, ""
	for _, tok := range pointer {
		next := target.child(tok)
		if next == nil {
			missing = tok
			break
		}
		target = next
	}
	w.line(0, false, "<!-- "+el.Tag+", decoded from base64 -->")
	if missing != "" {
		writeJOpen(w, 0, false, target)
		for _, c := range target.children {
			writeJCollapsed(w, 1, false, c)
		}
		w.line(1, true, "// no "+strconv.Quote(missing)+" here")
		writeJClose(w, 0, false, target)
		return nil
	}
	parent := target.parent
	if parent == nil {
		writeJNode(w, 0, true, target, targetDepth)
		return nil
	}
	writeJOpen(w, 0, false, parent)
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
		writeJCollapsed(w, 1, false, parent.children[i])
	}
	writeJNode(w, 1, true, target, targetDepth)
	end := min(len(parent.children), at+1+siblings)
	for i := at + 1; i < end; i++ {
		writeJCollapsed(w, 1, false, parent.children[i])
	}
	if end < len(parent.children) {
		w.line(1, false, "…")
	}
	writeJClose(w, 0, false, parent)
	return nil
}

// child returns the member or element the pointer token names, or nil.
func (n *jnode) child(tok string) *jnode {
	for _, c := range n.children {
		if c.key == tok {
			return c
		}
	}
	return nil
}

// label is `"key": ` for an object member, nothing otherwise.
func (n *jnode) label() string {
	if n.inObj {
		return strconv.Quote(n.key) + ": "
	}
	return ""
}

func writeJOpen(w *writer, level int, mark bool, n *jnode) {
	if n.kind == 0 {
		w.line(level, mark, n.label()+n.scalar)
		return
	}
	w.line(level, mark, n.label()+string(n.kind))
}

func writeJClose(w *writer, level int, mark bool, n *jnode) {
	switch n.kind {
	case '{':
		w.line(level, mark, "}")
	case '[':
		w.line(level, mark, "]")
	}
}

// writeJNode writes n expanded to the given depth.
func writeJNode(w *writer, level int, mark bool, n *jnode, depth int) {
	if n.kind == 0 || len(n.children) == 0 || depth <= 1 {
		writeJCollapsed(w, level, mark, n)
		return
	}
	writeJOpen(w, level, mark, n)
	for _, c := range n.children {
		writeJNode(w, level+1, mark, c, depth-1)
	}
	writeJClose(w, level, mark, n)
}

// writeJCollapsed writes n on one line.
func writeJCollapsed(w *writer, level int, mark bool, n *jnode) {
	switch {
	case n.kind == 0:
		w.line(level, mark, n.label()+shorten(n.scalar))
	case len(n.children) == 0:
		w.line(level, mark, n.label()+string(n.kind)+closing(n.kind))
	default:
		w.line(level, mark, fmt.Sprintf("%s%c…%s (%d)", n.label(), n.kind, closing(n.kind), len(n.children)))
	}
}

func closing(kind byte) string {
	if kind == '{' {
		return "}"
	}
	return "]"
}

// parseJSON reads data into a tree, within the limits the archive takes
// (body.MaxJSONSize, body.MaxJSONDepth).
func parseJSON(data []byte) (*jnode, error) {
	if len(data) > body.MaxJSONSize {
		return nil, fmt.Errorf("structured content over %d bytes", body.MaxJSONSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	root := &jnode{}
	var cur *jnode // the open object or array
	depth := 0
	key, haveKey := "", false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("structured content is not JSON: %w", err)
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			depth--
			if cur == nil {
				return nil, errors.New("structured content is not JSON")
			}
			cur = cur.parent
			continue
		}
		if cur != nil && cur.kind == '{' && !haveKey {
			s, ok := tok.(string)
			if !ok {
				return nil, errors.New("structured content is not JSON: object key is not a string")
			}
			key, haveKey = s, true
			continue
		}
		n := root
		if cur != nil {
			n = &jnode{parent: cur}
			if cur.kind == '{' {
				n.key, n.inObj, haveKey = key, true, false
			} else {
				n.key = strconv.Itoa(len(cur.children))
			}
			cur.children = append(cur.children, n)
		} else if root.kind != 0 || root.scalar != "" {
			return nil, errors.New("structured content has data after its value")
		}
		switch t := tok.(type) {
		case json.Delim:
			depth++
			if depth > body.MaxJSONDepth {
				return nil, fmt.Errorf("structured content nests over %d deep", body.MaxJSONDepth)
			}
			n.kind = byte(t)
			cur = n
		case string:
			n.scalar = quote(t)
		case json.Number:
			n.scalar = t.String()
		case bool:
			n.scalar = strconv.FormatBool(t)
		case nil:
			n.scalar = "null"
		}
	}
	if root.kind == 0 && root.scalar == "" {
		return nil, errors.New("structured content is empty")
	}
	return root, nil
}

// quote writes s as a JSON string, leaving <, > and & as they are.
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}
