package body

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// MaxPDFSize bounds the PDF documents InspectPDF reads.
const MaxPDFSize = 64 << 20

// pdfaNamespace is the XMP namespace of PDF/A identification.
const pdfaNamespace = "http://www.aiim.org/pdfa/ns/id/"

// Errors of InspectPDF, wrapped with context; test them with errors.Is.
var (
	ErrNotPDF      = errors.New("not a PDF document")
	ErrPDFTooLarge = errors.New("PDF document too large")
	ErrPDFAIdent   = errors.New("malformed PDF/A identification")
)

// PDFInfo describes a PDF document.
type PDFInfo struct {
	// Version is the header version, e.g. "1.4".
	Version string
	// PDFAPart is the PDF/A part (1, 2, 3 …) from the XMP pdfaid:part, or 0
	// when the document does not claim PDF/A.
	PDFAPart int
	// PDFAConformance is the conformance level from pdfaid:conformance,
	// e.g. "B" or "A"; empty when absent.
	PDFAConformance string
}

// IsPDFA reports whether the document claims PDF/A conformance.
func (i PDFInfo) IsPDFA() bool { return i.PDFAPart > 0 }

var pdfHeader = regexp.MustCompile(`^%PDF-([0-9]\.[0-9])`)

// InspectPDF recognises a PDF by the "%PDF-n.m" header at its first byte
// and a PDF/A by the pdfaid:part and pdfaid:conformance properties of its
// XMP metadata, written either as elements or as attributes and matched by
// namespace URI. PDF/A forbids filtering the metadata stream, so the XMP
// packet is read from the raw bytes; a PDF whose XMP is compressed is
// reported as not PDF/A. The first XMP packet that has a pdfaid:part wins.
func InspectPDF(data []byte) (PDFInfo, error) {
	if len(data) > MaxPDFSize {
		return PDFInfo{}, fmt.Errorf("inspect pdf: %w: %d bytes, limit %d", ErrPDFTooLarge, len(data), MaxPDFSize)
	}
	m := pdfHeader.FindSubmatch(data)
	if m == nil {
		return PDFInfo{}, fmt.Errorf("inspect pdf: %w: no %%PDF-n.m header at the start", ErrNotPDF)
	}
	info := PDFInfo{Version: string(m[1])}
	rest := data
	for {
		start := bytes.Index(rest, []byte("<x:xmpmeta"))
		if start < 0 {
			start = bytes.Index(rest, []byte("<rdf:RDF"))
		}
		if start < 0 {
			return info, nil
		}
		end := bytes.Index(rest[start:], []byte("</x:xmpmeta>"))
		endLen := len("</x:xmpmeta>")
		if end < 0 {
			end = bytes.Index(rest[start:], []byte("</rdf:RDF>"))
			endLen = len("</rdf:RDF>")
		}
		if end < 0 {
			return info, nil
		}
		packet := rest[start : start+end+endLen]
		part, conf, found, err := pdfaIdentification(packet)
		if err != nil {
			return PDFInfo{}, fmt.Errorf("inspect pdf: %w", err)
		}
		if found {
			info.PDFAPart, info.PDFAConformance = part, conf
			return info, nil
		}
		rest = rest[start+end+endLen:]
	}
}

// pdfaIdentification reads pdfaid:part and pdfaid:conformance from an XMP
// packet.
func pdfaIdentification(packet []byte) (part int, conformance string, found bool, err error) {
	dec := xml.NewDecoder(bytes.NewReader(packet))
	dec.Strict = true
	var partText, confText string
	var inPart, inConf bool
	for depth := 0; ; {
		tok, terr := dec.Token()
		if errors.Is(terr, io.EOF) {
			break
		}
		if terr != nil {
			// Malformed XMP is treated as no identification: the PDF is
			// still a PDF, just not a recognisable PDF/A.
			return 0, "", false, nil
		}
		switch t := tok.(type) {
		case xml.Directive:
			return 0, "", false, nil
		case xml.StartElement:
			depth++
			if depth > MaxXHTMLDepth {
				return 0, "", false, nil
			}
			for _, a := range t.Attr {
				if a.Name.Space == pdfaNamespace {
					switch a.Name.Local {
					case "part":
						partText = a.Value
					case "conformance":
						confText = a.Value
					}
				}
			}
			inPart = t.Name.Space == pdfaNamespace && t.Name.Local == "part"
			inConf = t.Name.Space == pdfaNamespace && t.Name.Local == "conformance"
		case xml.EndElement:
			depth--
			inPart, inConf = false, false
		case xml.CharData:
			if inPart {
				partText += string(t)
			}
			if inConf {
				confText += string(t)
			}
		}
	}
	partText, confText = strings.TrimSpace(partText), strings.TrimSpace(confText)
	if partText == "" {
		return 0, "", false, nil
	}
	n, perr := strconv.Atoi(partText)
	if perr != nil || n < 1 || n > 9 {
		return 0, "", false, fmt.Errorf("%w: pdfaid:part %q", ErrPDFAIdent, partText)
	}
	return n, strings.ToUpper(confText), true, nil
}

// MinimalPDFA builds a small one-page PDF 1.4 document that identifies
// itself as PDF/A-1b through uncompressed XMP metadata, with the title in
// the document information and XMP, and the text on the page (one line per
// "\n"). The reference vendor system attaches it to unstructured documents.
// It is valid-looking, not certified: the standard Helvetica font is not
// embedded and there is no ICC output intent, which a real PDF/A validator
// would flag. The output is deterministic.
func MinimalPDFA(title, text string) []byte {
	var content bytes.Buffer
	content.WriteString("BT\n/F1 16 Tf\n50 790 Td\n(" + pdfString(title) + ") Tj\n/F1 11 Tf\n")
	for _, line := range strings.Split(text, "\n") {
		content.WriteString("0 -18 Td\n(" + pdfString(line) + ") Tj\n")
	}
	content.WriteString("ET\n")

	xmp := `<?xpacket begin="` + "\uFEFF" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
<pdfaid:part>1</pdfaid:part>
<pdfaid:conformance>B</pdfaid:conformance>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">` + xmlEscape(title) + `</rdf:li></rdf:Alt></dc:title>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
<pdf:Producer>Yhteistestaus reference system</pdf:Producer>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`

	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R /Metadata 6 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()),
		fmt.Sprintf("<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n%s\nendstream", len(xmp)+1, xmp),
		"<< /Title (" + pdfString(title) + ") /Producer (Yhteistestaus reference system) >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xE2\xE3\xCF\xD3\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	sum := sha256.Sum256([]byte(title + "\x00" + text))
	id := strings.ToUpper(hex.EncodeToString(sum[:16]))
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info 7 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, id, id, xref)
	return b.Bytes()
}

// pdfString escapes text for a PDF literal string in WinAnsi (Latin-1 for
// the letters Finnish and Swedish need); other characters become '?'.
func pdfString(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r >= 0xa0 && r <= 0xff:
			fmt.Fprintf(&b, "\\%03o", r)
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
