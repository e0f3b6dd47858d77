package excerpt

import (
	"encoding/base64"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus/simulator/body"
)

// Masked returns a message part (the frame or the document) as the archive
// received it, with every identity code masked as Mask masks it: in its
// text and attributes, and inside base64 structured content, which is
// decoded, masked and encoded again. A part whose base64 content holds no
// code to mask is returned byte for byte as received, apart from the codes
// in its text; one whose content does is written out again from the parsed
// tree. A part that does not read as XML has only its text masked.
func Masked(part []byte) []byte {
	root, err := parseXML(part)
	if err == nil && maskBase64(root) {
		doc := etree.NewDocumentWithRoot(root)
		if out, err := doc.WriteToBytes(); err == nil {
			part = out
		}
	}
	return []byte(Mask(string(part)))
}

// maskBase64 masks the identity codes in the base64 content of e and its
// descendants, reporting whether any was masked.
func maskBase64(e *etree.Element) bool {
	changed := false
	for _, c := range e.ChildElements() {
		if maskBase64(c) {
			changed = true
		}
	}
	if len(e.ChildElements()) > 0 {
		return changed
	}
	data, err := body.Base64Text(e)
	if err != nil || len(data) == 0 {
		return changed
	}
	masked := Mask(string(data))
	if masked == string(data) {
		return changed
	}
	for _, tok := range append([]etree.Token(nil), e.Child...) {
		if cd, ok := tok.(*etree.CharData); ok {
			e.RemoveChild(cd)
		}
	}
	e.SetText(base64.StdEncoding.EncodeToString([]byte(masked)))
	return true
}
