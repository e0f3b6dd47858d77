package rules

import (
	"errors"
	"slices"
	"strings"

	"github.com/yhteistestaus/yhteistestaus/simulator/body"
	"github.com/yhteistestaus/yhteistestaus/simulator/message"
	"github.com/yhteistestaus/yhteistestaus/simulator/sosmeta"
)

// --- stage 7: body --------------------------------------------------------

func (c *check) body() {
	d := c.r.Document
	if d == nil {
		return
	}
	b := d.Body
	if b.El == nil || b.Text == nil {
		c.add("BODY-MISSING", "/ClinicalDocument/component/nonXMLBody/text", "the document has no nonXMLBody/text display form")
		return
	}
	if b.DisplayErr != nil {
		c.add("BODY-BASE64", message.Path(b.Text), "display form: %v", b.DisplayErr)
	}
	if b.JSONEl != nil && b.JSONErr != nil {
		c.add("BODY-BASE64", message.Path(b.JSONEl), "structured content: %v", b.JSONErr)
	}
	if d.ID.Root != "" && b.ID != "OID"+d.ID.Root {
		c.add("BODY-ID", message.Path(b.El)+"/@ID", "nonXMLBody ID is %q, want %q", b.ID, "OID"+d.ID.Root)
	}
	format := ""
	if h := d.Header; h != nil && h.FileFormat.Code != "" {
		format = c.displayFormat(h.FileFormat.Code)
	}
	mediaKind := ""
	switch b.MediaType {
	case "application/xhtml+xml":
		mediaKind = "xhtml"
	case "application/pdf":
		mediaKind = "pdf"
	default:
		c.add("BODY-MEDIA-TYPE", message.AttrPath(b.Text, "mediaType"), "display form media type %q is neither application/xhtml+xml nor application/pdf", b.MediaType)
	}
	if format != "" && mediaKind != "" && format != mediaKind {
		c.add("BODY-MEDIA-TYPE", message.AttrPath(b.Text, "mediaType"), "fileFormat says %s but the display form is %s", format, b.MediaType)
	}
	if b.DisplayErr == nil {
		switch mediaKind {
		case "xhtml":
			if err := body.CheckXHTML(b.Display); err != nil {
				c.add("BODY-XHTML", message.Path(b.Text), "display form: %v", err)
			}
		case "pdf":
			info, err := body.InspectPDF(b.Display)
			switch {
			case err != nil:
				c.add("BODY-PDFA", message.Path(b.Text), "display form is not a PDF: %v", err)
			case info.PDFAPart == 0:
				c.add("BODY-PDFA", message.Path(b.Text), "display form is a PDF %s without PDF/A identification metadata", info.Version)
			}
		}
	}
	g := c.r.Group
	if g != nil && g.Structured && b.JSONEl == nil && !c.r.Annulment {
		c.add("BODY-JSON-REQUIRED", message.Path(b.El), "documents of group %s (%s) must be stored as structured JSON (hl7fi:json)", g.Code, g.Name)
	}
	if b.JSONEl == nil || b.JSONErr != nil {
		return
	}
	if mediaKind != "xhtml" {
		c.add("BODY-XHTML-REQUIRED", message.Path(b.Text), "structured content needs the XHTML display form, found %q", b.MediaType)
	}
	doc, err := c.content()
	if err != nil {
		c.add("BODY-JSON", message.Path(b.JSONEl), "structured content: %v", err)
		return
	}
	if d.Header == nil || d.Header.ContentSpecificationID.Value == "" {
		return // HDR-CONTENT-SPEC reports it
	}
	c.structure(strings.TrimSpace(d.Header.ContentSpecificationID.Value), doc)
}

// structure judges the structured content by its structure
// (contentSpecificationId): the structure's status, its document type and
// group, and the content against its schema. Every finding names the
// source of the structures.
func (c *check) structure(spec string, doc any) {
	d, b, set := c.r.Document, c.r.Document.Body, c.v.Schemas
	specLoc := message.Path(d.Header.ContentSpecificationID.El)
	src := set.Source()
	st, err := set.Structure(spec)
	var meta sosmeta.Meta
	if st != nil {
		meta = st.Meta
	}
	c.structureKind(spec, meta, src, specLoc)
	switch {
	case errors.Is(err, sosmeta.ErrUnknownStructure) && src.Embedded:
		c.add("BODY-SCHEMA-UNKNOWN", specLoc, "structure %s is not among %s, so its content was not checked (name THL's structures with --sosmeta)", spec, src)
		return
	case errors.Is(err, sosmeta.ErrUnknownStructure):
		// Annulment is allowed whatever the structure (handbook 10.3.1).
		if !c.r.Annulment {
			c.add("BODY-STRUCTURE-UNSUPPORTED", specLoc, "structure %s is not a supported structure version: %s has no Valmis or Vanhentunut structure of that OID", spec, src)
		}
		return
	case err != nil:
		c.add("BODY-SCHEMA", specLoc, "structure %s cannot be used: %v (judged by %s)", spec, err, src)
		return
	}
	c.structureStatus(st, specLoc)
	for _, p := range st.Validate(doc) {
		loc := message.Path(b.JSONEl) + "#" + p.Pointer
		field := ""
		if p.Field != "" {
			field = p.Field + ": "
		}
		if p.CodeSystem != "" {
			c.add("BODY-CLASSIFICATION", loc, "%s%s (judged by %s)", field, p.Message, src)
			continue
		}
		c.add("BODY-SCHEMA", loc, "%s%s (judged by %s)", field, p.Message, src)
	}
}

// structureStatus applies the structure's Sosmeta status (handbook 9.12.3,
// 10.1.2, 10.1.5, 10.3.1): a new document needs a Valmis structure in
// co-testing; a new version may keep to a Vanhentunut one in its
// transition period; an annulment is allowed whatever the status.
func (c *check) structureStatus(st *sosmeta.Structure, loc string) {
	status := st.Meta.Status
	if status == "" || status == sosmeta.StatusFinal || c.r.Annulment {
		return // the fallback schemas have no status
	}
	newVersion := strings.TrimSpace(c.r.Document.Version.Value) != "1"
	switch {
	case status == sosmeta.StatusDeprecated && newVersion:
		return
	case status == sosmeta.StatusDeprecated:
		c.add("BODY-STRUCTURE-STATUS", loc, "structure %s is %s in %s: a new document is stored with a %s structure in co-testing, only new versions and annulments may still use a deprecated one",
			st.OID, status, st.Source, sosmeta.StatusFinal)
	default:
		c.add("BODY-STRUCTURE-STATUS", loc, "structure %s has status %q in %s: only %s and %s structures are supported for storing",
			st.OID, status, st.Source, sosmeta.StatusFinal, sosmeta.StatusDeprecated)
	}
}

// structureKind checks that the structure fits the document: its group
// (the structure's OID arc and, when the structures say, Sosmeta's
// document type and subject) and, for client documents but attachments,
// the specific document type its OID carries.
func (c *check) structureKind(spec string, meta sosmeta.Meta, src sosmeta.Source, loc string) {
	g, h := c.r.Group, c.r.Document.Header
	if g == nil {
		return
	}
	want := g.Structure
	rest, inArc := strings.CutPrefix(spec, want.Arc+".")
	switch {
	case want.Arc != "" && !inArc:
		c.add("BODY-STRUCTURE-GROUP", loc, "structure %s is not a structure of a %s (those are under %s)", spec, g.Name, want.Arc)
		return
	case len(want.DocumentTypes) > 0 && meta.DocumentType != "" && !slices.Contains(want.DocumentTypes, meta.DocumentType):
		c.add("BODY-STRUCTURE-GROUP", loc, "structure %s is a %q (%s), not a structure of a %s (%s, judged by %s)",
			spec, meta.DocumentType, meta.DocumentSubject, g.Name, strings.Join(want.DocumentTypes, ", "), src)
	case len(want.Subjects) > 0 && meta.DocumentSubject != "" && !slices.Contains(want.Subjects, meta.DocumentSubject):
		c.add("BODY-STRUCTURE-GROUP", loc, "structure %s belongs to %q, not to the structures of a %s (%s, judged by %s)",
			spec, meta.DocumentSubject, g.Name, strings.Join(want.Subjects, ", "), src)
	}
	code := h.SpecificDocumentType.Code
	if !want.TypeArc || !inArc || code == "" || c.specificTypeIsAttachment(code) {
		return
	}
	if typ, _, _ := strings.Cut(rest, "."); typ != code {
		c.add("BODY-STRUCTURE-TYPE", loc, "structure %s is for specific document type %s, the header's specificDocumentType is %s", spec, typ, code)
	}
}

// displayFormat returns "xhtml" or "pdf" for a fileFormat code, or "".
func (c *check) displayFormat(code string) string {
	switch df := c.v.Groups.DisplayFormats; {
	case slices.Contains(df.XHTML, code):
		return "xhtml"
	case slices.Contains(df.PDF, code):
		return "pdf"
	}
	return ""
}

func (c *check) specificTypeIsAttachment(code string) bool {
	return slices.Contains(c.v.Groups.DocumentTypes.Attachment, code)
}

// content decodes the structured JSON content once per validation.
func (c *check) content() (any, error) {
	if !c.contentRead {
		c.contentRead = true
		c.contentDoc, c.contentErr = body.DecodeJSON(c.r.Document.Body.JSON)
	}
	return c.contentDoc, c.contentErr
}
