package body

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"

	"github.com/yhteistestaus/yhteistestaus/kanta"
)

// Limits of CheckXHTML.
const (
	// MaxXHTMLSize bounds the decoded display form. Real ones embed logos as
	// data: URIs, so the bound is generous.
	MaxXHTMLSize = 32 << 20
	// MaxXHTMLDepth bounds element nesting.
	MaxXHTMLDepth = 256
)

// Errors of CheckXHTML, wrapped with context; test them with errors.Is.
var (
	ErrXHTMLTooLarge = errors.New("xhtml display form too large")
	ErrXHTMLTooDeep  = errors.New("xhtml display form nested too deeply")
	ErrXHTMLSyntax   = errors.New("xhtml display form is not well-formed XML")
	ErrXHTMLDTD      = errors.New("xhtml display form contains a DTD or other directive")
	ErrXHTMLRoot     = errors.New("xhtml display form root is not an XHTML element")
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// CheckXHTML checks the decoded XHTML display form: at most MaxXHTMLSize
// bytes, well-formed XML (UTF-8), no DOCTYPE, ENTITY or other directive, a
// single root element in the XHTML namespace (the samples use
// <div class="soc-document" xmlns="http://www.w3.org/1999/xhtml">), and
// nesting no deeper than MaxXHTMLDepth.
func CheckXHTML(data []byte) error {
	if len(data) > MaxXHTMLSize {
		return fmt.Errorf("check xhtml: %w: %d bytes, limit %d", ErrXHTMLTooLarge, len(data), MaxXHTMLSize)
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	dec.Entity = nil // only the five predefined entities
	dec.CharsetReader = func(charset string, _ io.Reader) (io.Reader, error) {
		return nil, fmt.Errorf("encoding %q not supported, want UTF-8", charset)
	}
	// RawToken, not Token: the check needs no namespace translation
	// except the root's, which it resolves itself, and matches end tags to
	// start tags with its own stack of names.
	var open []xml.Name
	roots := 0
	for {
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("check xhtml: %w: %v", ErrXHTMLSyntax, err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return fmt.Errorf("check xhtml: %w: line %d", ErrXHTMLDTD, lineOf(data, dec.InputOffset()))
		case xml.StartElement:
			if len(open) == 0 {
				roots++
				if roots > 1 {
					return fmt.Errorf("check xhtml: %w: more than one root element", ErrXHTMLSyntax)
				}
				if ns := rootNamespace(t); ns != kanta.NamespaceXHTML {
					return fmt.Errorf("check xhtml: %w: root <%s> in namespace %q, want %q", ErrXHTMLRoot, t.Name.Local, ns, kanta.NamespaceXHTML)
				}
			}
			if len(open) == MaxXHTMLDepth {
				return fmt.Errorf("check xhtml: %w: more than %d levels", ErrXHTMLTooDeep, MaxXHTMLDepth)
			}
			open = append(open, t.Name)
		case xml.EndElement:
			if len(open) == 0 {
				return fmt.Errorf("check xhtml: %w: line %d: unexpected end element </%s>", ErrXHTMLSyntax, lineOf(data, dec.InputOffset()), qualified(t.Name))
			}
			if top := open[len(open)-1]; top != t.Name {
				return fmt.Errorf("check xhtml: %w: line %d: element <%s> closed by </%s>", ErrXHTMLSyntax, lineOf(data, dec.InputOffset()), qualified(top), qualified(t.Name))
			}
			open = open[:len(open)-1]
		case xml.CharData:
			if len(open) == 0 && len(bytes.TrimSpace(t)) > 0 {
				return fmt.Errorf("check xhtml: %w: text outside the root element", ErrXHTMLSyntax)
			}
		}
	}
	if len(open) > 0 {
		return fmt.Errorf("check xhtml: %w: unexpected EOF inside <%s>", ErrXHTMLSyntax, qualified(open[len(open)-1]))
	}
	if roots == 0 {
		return fmt.Errorf("check xhtml: %w: no root element", ErrXHTMLSyntax)
	}
	return nil
}

// rootNamespace returns the namespace of the root element: the one its
// prefix (or the default namespace) is declared to on the element itself,
// which is all that is in scope at the root. An undeclared prefix is
// returned as it is, as encoding/xml's Token does.
func rootNamespace(t xml.StartElement) string {
	for _, a := range t.Attr {
		switch {
		case t.Name.Space == "" && a.Name.Space == "" && a.Name.Local == "xmlns":
			return a.Value
		case t.Name.Space != "" && a.Name.Space == "xmlns" && a.Name.Local == t.Name.Space:
			return a.Value
		}
	}
	return t.Name.Space
}

// qualified returns prefix:local as written.
func qualified(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// lineOf returns the 1-based line number of a byte offset.
func lineOf(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return bytes.Count(data[:off], []byte{'\n'}) + 1
}
