package body

import (
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/beevik/etree"
	"github.com/yhteistestaus/yhteistestaus/kanta"
)

// MaxBase64Size bounds the base64 text of one body part before decoding.
const MaxBase64Size = 64 << 20

// ErrBase64 means a body part's base64 text does not decode.
var ErrBase64 = errors.New("body part is not valid base64")

// Content is what a nonXMLBody carries, decoded.
type Content struct {
	// MediaType is text/@mediaType, e.g. "application/xhtml+xml" or
	// "application/pdf".
	MediaType string
	// Display is the decoded text element: the XHTML display form or the PDF.
	Display []byte
	// JSON is the decoded hl7fi:json structured form, nil when absent.
	JSON []byte
}

// Base64Text decodes an element's base64 content. It joins the element's
// character data, skipping XML comments (vendors put comments inside the
// base64, as the samples do), and ignores whitespace that splits the text.
// The text is decoded in chunks as it is read, so the only allocation is
// the decoded content.
func Base64Text(el *etree.Element) ([]byte, error) {
	n := 0
	for _, tok := range el.Child {
		if cd, ok := tok.(*etree.CharData); ok {
			for i := 0; i < len(cd.Data); i++ {
				if !isBase64Space(cd.Data[i]) {
					n++
				}
			}
		}
	}
	if n > MaxBase64Size {
		return nil, fmt.Errorf("decode <%s>: %w: more than %d characters", el.Tag, ErrBase64, MaxBase64Size)
	}
	data := make([]byte, base64.StdEncoding.DecodedLen(n))
	var chunk [1024]byte // a multiple of 4: each chunk decodes on its own
	k, m, read := 0, 0, 0
	flush := func() error {
		// Padding ends the data: a chunk ending in "=" with more text after
		// it is as invalid as the whole text would be.
		if k > 0 && chunk[k-1] == '=' && read+k < n {
			return base64.CorruptInputError(read + k)
		}
		d, err := base64.StdEncoding.Decode(data[m:], chunk[:k])
		var corrupt base64.CorruptInputError
		if errors.As(err, &corrupt) {
			err = base64.CorruptInputError(int64(read) + int64(corrupt))
		}
		m += d
		read += k
		k = 0
		return err
	}
	for _, tok := range el.Child {
		cd, ok := tok.(*etree.CharData)
		if !ok {
			continue
		}
		for i := 0; i < len(cd.Data); i++ {
			if c := cd.Data[i]; !isBase64Space(c) {
				chunk[k] = c
				if k++; k == len(chunk) {
					if err := flush(); err != nil {
						return nil, fmt.Errorf("decode <%s>: %w: %v", el.Tag, ErrBase64, err)
					}
				}
			}
		}
	}
	if err := flush(); err != nil {
		return nil, fmt.Errorf("decode <%s>: %w: %v", el.Tag, ErrBase64, err)
	}
	return data[:m], nil
}

// isBase64Space reports whether c is white space that may split base64 text.
func isBase64Space(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

// ReadNonXMLBody decodes a CDA component/nonXMLBody element: its HL7 text
// element (representation="B64") and its optional urn:hl7finland json
// element. Elements are matched by namespace URI, never by prefix.
func ReadNonXMLBody(nonXMLBody *etree.Element) (Content, error) {
	var c Content
	var text, js *etree.Element
	for _, ch := range nonXMLBody.ChildElements() {
		switch {
		case ch.Tag == "text" && ch.NamespaceURI() == kanta.NamespaceHL7:
			if text != nil {
				return Content{}, errors.New("read nonXMLBody: more than one text element")
			}
			text = ch
		case ch.Tag == "json" && ch.NamespaceURI() == kanta.NamespaceHL7Finland:
			if js != nil {
				return Content{}, errors.New("read nonXMLBody: more than one json element")
			}
			js = ch
		}
	}
	if text == nil {
		return Content{}, errors.New("read nonXMLBody: no text element")
	}
	c.MediaType = text.SelectAttrValue("mediaType", "")
	if rep := text.SelectAttrValue("representation", "TXT"); rep != "B64" {
		return Content{}, fmt.Errorf("read nonXMLBody: text representation %q, want B64", rep)
	}
	var err error
	if c.Display, err = Base64Text(text); err != nil {
		return Content{}, fmt.Errorf("read nonXMLBody: %w", err)
	}
	if js != nil {
		if c.JSON, err = Base64Text(js); err != nil {
			return Content{}, fmt.Errorf("read nonXMLBody: %w", err)
		}
	}
	return c, nil
}
