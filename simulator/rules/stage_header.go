package rules

import (
	"slices"

	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/message"
)

// --- stage 3: header ------------------------------------------------------

func (c *check) header() {
	d := c.r.Document
	if d == nil {
		return
	}
	root := "/ClinicalDocument"
	if tid := childEl(d.Root, kanta.NamespaceHL7, "typeId"); tid == nil || tid.SelectAttrValue("extension", "") != "POCD_HD000040" {
		c.add("HDR-TYPEID", root+"/typeId", "typeId must be 2.16.840.1.113883.1.3^POCD_HD000040")
	}
	if !isOID(d.ID.Root) {
		c.add("HDR-ID", loc(d.ID.El, root+"/id"), "document id %q is not an OID", d.ID.Root)
	}
	if !isOID(d.SetID.Root) {
		c.add("HDR-SETID", loc(d.SetID.El, root+"/setId"), "setId %q is not an OID", d.SetID.Root)
	}
	if n, err := d.Version.Int(); err != nil || n < 1 {
		c.add("HDR-VERSION", loc(d.Version.El, root+"/versionNumber"), "versionNumber %q is not a positive integer", d.Version.Value)
	}
	if _, err := message.ParseTS(d.EffectiveTime.Value); err != nil {
		c.add("HDR-EFFECTIVE-TIME", loc(d.EffectiveTime.El, root+"/effectiveTime"), "effectiveTime: %v", err)
	}
	if d.Confidentiality.Code == "" {
		c.add("HDR-CONFIDENTIALITY", loc(d.Confidentiality.El, root+"/confidentialityCode"), "the document has no confidentialityCode")
	}
	if len(d.Patients) == 0 {
		c.add("HDR-CLIENT", root+"/recordTarget", "the document names no client in recordTarget/patientRole")
	}
	if !isOID(d.Custodian.Root) {
		c.add("HDR-CUSTODIAN", loc(d.Custodian.El, root+"/custodian"), "the custodian needs an organisation OID")
	}
	h := d.Header
	if h == nil {
		c.add("HDR-LOCAL-HEADER", root+"/localSocialHeader", "the document has no localSocialHeader in %s", kanta.NamespaceHL7Finland)
		return
	}
	for _, e := range h.Elements {
		if e.NamespaceURI() != kanta.NamespaceHL7Finland || !c.v.Groups.KnownHeaderElement(e.Tag) {
			c.add("HDR-UNKNOWN-ELEMENT", message.Path(e), "localSocialHeader element %s {%s} is not in the metadata model", e.Tag, e.NamespaceURI())
		}
	}
	c.r.Annulment = h.RecordStatus.Code == c.v.Groups.RecordStatus.Annulled
	if h.RecordStatus.Code != "" && h.RecordStatus.Code != c.v.Groups.RecordStatus.Ready && !c.r.Annulment {
		c.add("HDR-RECORD-STATUS", message.Path(h.RecordStatus.El), "record status %q is neither ready for archiving (%s) nor annulled (%s)",
			h.RecordStatus.Code, c.v.Groups.RecordStatus.Ready, c.v.Groups.RecordStatus.Annulled)
	}
	if h.DocumentGroup.Code == "" {
		c.add("HDR-DOCUMENT-GROUP", loc(h.DocumentGroup.El, message.Path(h.El)+"/documentGroup"), "the localSocialHeader names no document group")
		return
	}
	g, ok := c.v.Groups.ByCode(h.DocumentGroup.Code)
	if !ok {
		c.add("HDR-DOCUMENT-GROUP", message.Path(h.DocumentGroup.El), "document group %q is not known", h.DocumentGroup.Code)
		return
	}
	c.r.Group = g
	if g.Kind == kanta.KindClientRelation && len(d.Patients) > 1 {
		c.add("HDR-CLIENT", root+"/recordTarget", "a client relation document has exactly one client, found %d", len(d.Patients))
	}
	reported := make(map[string]bool)
	elements := headerElements()
	for _, name := range g.Required {
		el := elements[name]
		if !el.present(d) && !reported[el.display] {
			reported[el.display] = true
			c.add(el.rule, el.display, "%s is missing, but documents of group %s (%s) must have it", el.display, g.Code, g.Name)
		}
	}
	if g.Structured && h.StructuredFileFormat.Code == "" && !reported["localSocialHeader/structuredFileFormat"] {
		c.add("HDR-FORMAT", message.Path(h.El)+"/structuredFileFormat", "documents of group %s (%s) are structured and need structuredFileFormat", g.Code, g.Name)
	}
	if c.r.ServiceRequest != "" && !c.serviceRequestFits(g) {
		c.add("FRAME-SERVICE-REQUEST-GROUP", c.serviceRequestLoc, "service request %s does not fit document group %s (%s)",
			c.r.ServiceRequest, g.Code, g.Name)
	}
	if g.IsClientDocument() && !c.r.Annulment && slices.Contains(c.v.Groups.ImplementationProcesses, h.ServiceProcess.Code) && len(h.SocialServices) == 0 {
		c.add("HDR-SOCIAL-SERVICE", message.Path(h.ServiceProcess.El), "service process %s is the implementation of the service, so the document names its social service (socialService)", h.ServiceProcess.Code)
	}
	if g.Kind == kanta.KindCase {
		c.r.CaseClosed = h.CaseStatus.Code == c.v.Groups.CaseStatus.Closed || (d.Case != nil && d.Case.High.Value != "")
	}
	if g.Kind == kanta.KindCase {
		c.caseStatus()
	}
	if h.FileFormat.Code != "" && c.displayFormat(h.FileFormat.Code) == "pdf" && g.IsClientDocument() && h.Description.Value == "" && d.Body.MediaType == "application/pdf" {
		c.add("HDR-DESCRIPTION", message.Path(h.El)+"/description", "an unstructured (PDF) document needs its free-text name in the description metadata")
	}
	if c.isAttachment() && h.MainDocument.Root == "" {
		c.add("HDR-ATTACHMENT", message.Path(h.El)+"/mainDocument", "an attachment must name its main document")
	}
	if h.DelayDate.Present() {
		if _, err := message.ParseTS(h.DelayDate.Value); err != nil {
			c.add("HDR-DELAY", message.Path(h.DelayDate.El), "delayDate: %v", err)
		}
		if len(h.InaccessibleArguments) == 0 {
			c.add("HDR-DELAY", message.Path(h.DelayDate.El), "a MittKanta display delay needs its ground in inaccessibleArgument")
		}
	}
}

// serviceRequestFits reports whether the message's service request suits
// the document group and the operation.
func (c *check) serviceRequestFits(g *kanta.Group) bool {
	sr, ops := c.r.ServiceRequest, c.v.Groups.OperationServiceRequests
	version, _ := c.r.Document.Version.Int()
	switch sr {
	case ops.NewVersion:
		return version > 1 && !c.r.Annulment
	case ops.Annul:
		return c.r.Annulment
	}
	return g.AllowsServiceRequest(sr)
}

func (c *check) isAttachment() bool {
	h := c.r.Document.Header
	return h.SpecificDocumentType.Code != "" && c.specificTypeIsAttachment(h.SpecificDocumentType.Code)
}
