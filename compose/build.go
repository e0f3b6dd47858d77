package compose

import (
	"encoding/base64"
	"fmt"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/codes"
	"github.com/yhteistestaus/yhteistestaus/simulator/signature"
)

// Namespaces and fixed values of the documents.
const (
	fi               = "hl7fi:" // the prefix this package gives urn:hl7finland
	oidCDAType       = "2.16.840.1.113883.1.3"
	cdaTypeExtension = "POCD_HD000040"
	confidential     = "6" // Sosiaalihuollon salassapidettävä
	retentionForever = "1" // Säilytetään pysyvästi
	jsonFormat       = "5" // structuredFileFormat JSON
	authCertificate  = "1" // authenticationMethod: the professional's certificate
	serviceProcessTy = "Sosiaalihuollon palveluprosessi"
	mediaXHTML       = "application/xhtml+xml"
	mediaPDF         = "application/pdf"
	softwareVendor   = "Yhteistestaus"
	softwareProduct  = "compose"
	softwareVersion  = "1"
)

// Build renders the document as CDA R2 with its localSocialHeader and
// display form, signs it with every Signer in order (signature ids
// "sig_<n>_<ID>", signing time EffectiveTime) and returns the bytes. The
// signatures cover the body as written, so the bytes must be sent as they
// are. Build never changes d.
func (d *Document) Build() ([]byte, error) {
	r, err := d.resolve()
	if err != nil {
		return nil, err
	}
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	root := doc.CreateElement("ClinicalDocument")
	root.CreateAttr("xmlns", kanta.NamespaceHL7)
	r.cdaHeader(root)
	r.localHeader(root)
	if err := r.nonXMLBody(root); err != nil {
		return nil, err
	}
	doc.IndentTabs()
	for i, s := range r.Signers {
		typ := kanta.SignatureSystem
		if s.Professional != nil {
			typ = kanta.SignatureProfessional
		}
		opts := signature.SignOptions{Type: typ, Time: r.EffectiveTime, ID: fmt.Sprintf("sig_%d_%s", i+1, r.ID)}
		if err := signature.Sign(doc, s.Key, s.Cert, opts); err != nil {
			return nil, fmt.Errorf("compose: signer %d: %w", i+1, err)
		}
	}
	out, err := doc.WriteToBytes()
	if err != nil {
		return nil, fmt.Errorf("compose: write document: %w", err)
	}
	return out, nil
}

// cdaHeader writes the CDA header up to componentOf.
func (r *resolved) cdaHeader(root *etree.Element) {
	root.CreateElement("realmCode").CreateAttr("code", "FI")
	typeID := root.CreateElement("typeId")
	typeID.CreateAttr("root", oidCDAType)
	typeID.CreateAttr("extension", cdaTypeExtension)
	root.CreateElement("id").CreateAttr("root", r.ID)
	if r.GeneralType != "" {
		coded(root, "code", "cda.generalDocumentType", r.GeneralType)
	} else {
		root.CreateElement("code").CreateAttr("nullFlavor", "NA")
	}
	root.CreateElement("effectiveTime").CreateAttr("value", ts(r.EffectiveTime))
	coded(root, "confidentialityCode", "cda.confidentialityCode", confidential)
	root.CreateElement("languageCode").CreateAttr("code", "fi")
	root.CreateElement("setId").CreateAttr("root", r.SetID)
	root.CreateElement("versionNumber").CreateAttr("value", fmt.Sprint(r.Version))
	for _, p := range r.clients {
		role := root.CreateElement("recordTarget").CreateElement("patientRole")
		identifier(role.CreateElement("id"), p)
		pat := role.CreateElement("patient")
		name(pat, "", p.Given, p.Family)
		if p.Gender != "" {
			coded(pat, "administrativeGenderCode", "cda.administrativeGenderCode", p.Gender)
		}
		if !p.BirthDate.IsZero() {
			pat.CreateElement("birthTime").CreateAttr("value", date(p.BirthDate))
		}
	}
	author := root.CreateElement("author")
	author.CreateElement("time").CreateAttr("value", ts(r.EffectiveTime))
	aa := author.CreateElement("assignedAuthor")
	if a := r.Author; a != nil {
		idRoot, ext := a.id()
		id := aa.CreateElement("id")
		id.CreateAttr("root", idRoot)
		id.CreateAttr("extension", ext)
		name(aa.CreateElement("assignedPerson"), "", a.Given, a.Family)
	} else {
		aa.CreateElement("id").CreateAttr("nullFlavor", "NA")
	}
	org := root.CreateElement("custodian").CreateElement("assignedCustodian").CreateElement("representedCustodianOrganization")
	org.CreateElement("id").CreateAttr("root", r.Custodian.OID)
	if r.Custodian.Name != "" {
		org.CreateElement("name").SetText(r.Custodian.Name)
	}
	if r.PreviousID != "" {
		rd := root.CreateElement("relatedDocument")
		rd.CreateAttr("typeCode", "RPLC")
		pd := rd.CreateElement("parentDocument")
		pd.CreateElement("id").CreateAttr("root", r.PreviousID)
		pd.CreateElement("setId").CreateAttr("root", r.SetID)
		pd.CreateElement("versionNumber").CreateAttr("value", fmt.Sprint(r.Version-1))
	}
	if r.GuardianConsent != "" {
		consent := root.CreateElement("authorization").CreateElement("consent")
		coded(consent, "code", "cda.consentCode", r.GuardianConsent)
		consent.CreateElement("statusCode").CreateAttr("code", "completed")
	}
	r.componentOf(root)
}

// componentOf writes the case (encompassingEncounter): its id, for a case
// document its open and close dates, the organiser and the service unit.
func (r *resolved) componentOf(root *etree.Element) {
	enc := root.CreateElement("componentOf").CreateElement("encompassingEncounter")
	if r.CaseID != "" && r.group.Kind != kanta.KindClientRelation {
		enc.CreateElement("id").CreateAttr("root", r.CaseID)
	} else {
		enc.CreateElement("id").CreateAttr("nullFlavor", "NA")
	}
	et := enc.CreateElement("effectiveTime")
	switch {
	case r.group.Kind == kanta.KindCase && !r.CaseOpened.IsZero():
		et.CreateElement("low").CreateAttr("value", date(r.CaseOpened))
		if !r.CaseClosed.IsZero() {
			et.CreateElement("high").CreateAttr("value", date(r.CaseClosed))
		}
	default:
		et.CreateAttr("nullFlavor", "NA")
	}
	if r.Organiser.OID != "" {
		ae := enc.CreateElement("responsibleParty").CreateElement("assignedEntity")
		ae.CreateElement("id").CreateAttr("nullFlavor", "NA")
		organisation(ae.CreateElement("representedOrganization"), r.Organiser.OID, r.Organiser.Name)
	}
	if r.Organiser.ServiceUnitOID != "" {
		ep := enc.CreateElement("encounterParticipant")
		ep.CreateAttr("typeCode", "ADM")
		ae := ep.CreateElement("assignedEntity")
		ae.CreateElement("id").CreateAttr("nullFlavor", "NA")
		organisation(ae.CreateElement("representedOrganization"), r.Organiser.ServiceUnitOID, r.Organiser.ServiceUnitName)
	}
}

// localHeader writes hl7fi:localSocialHeader in the order of the samples,
// with an empty signatureCollection that signing fills.
func (r *resolved) localHeader(root *etree.Element) {
	h := root.CreateElement(fi + "localSocialHeader")
	h.CreateAttr("xmlns:hl7fi", kanta.NamespaceHL7Finland)
	if r.SpecificType != "" {
		coded(h, fi+"specificDocumentType", "header.specificDocumentType", r.SpecificType)
	}
	h.CreateElement(fi+"creationTime").CreateAttr("value", ts(r.EffectiveTime))
	coded(h, fi+"documentGroup", "header.documentGroup", r.group.Code)
	if r.json != nil {
		coded(h, fi+"fileFormat", "header.fileFormat", r.groups.DisplayFormats.XHTML[0])
		coded(h, fi+"structuredFileFormat", "header.structuredFileFormat", jsonFormat)
	} else {
		coded(h, fi+"fileFormat", "header.fileFormat", r.groups.DisplayFormats.PDF[0])
	}
	sw := h.CreateElement(fi + "softwareSupport")
	sw.CreateAttr("moderator", softwareVendor)
	sw.CreateAttr("product", softwareProduct)
	sw.CreateAttr("version", softwareVersion)
	if r.ServiceTask != "" {
		coded(h, fi+"functionCode", "header.functionCode", r.ServiceTask)
	}
	status := r.groups.RecordStatus.Ready
	if r.Annul {
		status = r.groups.RecordStatus.Annulled
	}
	coded(h, fi+"recordStatus", "header.recordStatus", status)
	coded(h, fi+"registryType", "header.registryType", registerClientRecord)
	if r.Organiser.OID != "" {
		h.CreateElement(fi+"outsourcingServiceCustomer").CreateAttr("root", r.Organiser.OID)
		if r.Organiser.Name != "" {
			h.CreateElement(fi + "outsourcingServiceCustomerName").SetText(r.Organiser.Name)
		}
	}
	if r.Provider.OID != "" {
		h.CreateElement(fi+"serviceProvider").CreateAttr("root", r.Provider.OID)
		if r.Provider.Name != "" {
			h.CreateElement(fi + "serviceProviderName").SetText(r.Provider.Name)
		}
	}
	coded(h, fi+"totalRetentionPeriodClass", "header.totalRetentionPeriodClass", retentionForever)
	special := "E"
	if r.RestrictionGround != "" || !r.DelayUntil.IsZero() {
		special = "K"
	}
	coded(h, fi+"specialContent", "header.specialContent", special)
	if r.json != nil && r.ContentSpecID != "" {
		h.CreateElement(fi + "contentSpecificationId").SetText(r.ContentSpecID)
	}
	if r.group.Kind == kanta.KindClientRelation {
		h.CreateElement(fi+"encompassingClientRelationship").CreateAttr("root", r.ClientRelationshipID)
	}
	if r.ServiceProcess != "" {
		sp := h.CreateElement(fi + "serviceProcess")
		sp.CreateElement(fi + "type").SetText(serviceProcessTy)
		coded(sp, fi+"code", "header.serviceProcess.code", r.ServiceProcess)
	}
	for _, s := range r.SocialServices {
		coded(h, fi+"socialService", "body.socialService", s)
	}
	if r.group.Kind == kanta.KindCase {
		cn := coded(h, fi+"caseName", "case.name", r.CaseNameCode)
		if r.CaseName != "" {
			cn.CreateElement(fi + "originalText").SetText(r.CaseName)
		}
		status := r.groups.CaseStatus.Open
		if !r.CaseClosed.IsZero() {
			status = r.groups.CaseStatus.Closed
		}
		coded(h, fi+"caseStatus", "header.caseStatus", status)
		for _, p := range r.clients {
			identifier(h.CreateElement(fi+"caseClient"), p)
		}
	}
	if r.RestrictionText != "" {
		h.CreateElement(fi + "authorizationRestrictionArgument").SetText(r.RestrictionText)
	}
	if r.RestrictionGround != "" {
		coded(h, fi+"inaccessibleArgument", "header.inaccessibleArgument", r.RestrictionGround)
	}
	if !r.DelayUntil.IsZero() {
		h.CreateElement(fi+"delayDate").CreateAttr("value", date(r.DelayUntil))
	}
	if r.ReasonOfCorrection != "" {
		coded(h, fi+"reasonOfCorrection", "header.reasonOfCorrection", r.ReasonOfCorrection)
	}
	if r.Description != "" {
		h.CreateElement(fi + "description").SetText(r.Description)
	}
	if r.MainDocument != "" {
		h.CreateElement(fi+"mainDocument").CreateAttr("root", r.MainDocument)
	}
	for _, s := range r.Signers {
		p := s.Professional
		if p == nil {
			continue
		}
		sg := h.CreateElement(fi + "signature")
		_, who := p.id()
		sg.CreateElement(fi + "assignedAuthorSigner").SetText(who)
		name(sg.CreateElement(fi+"signer"), fi, p.Given, p.Family)
		coded(sg, fi+"authenticationMethod", "header.signature.authenticationMethod", authCertificate)
		sg.CreateElement(fi+"time").CreateAttr("value", ts(r.EffectiveTime))
	}
	if len(r.Signers) > 0 {
		// Made here, so that it is indented; signing fills it.
		h.CreateElement("signatureCollection").CreateAttr("xmlns", kanta.NamespaceHL7Finland)
	}
}

// nonXMLBody writes the display form and the structured content, base64.
func (r *resolved) nonXMLBody(root *etree.Element) error {
	b := root.CreateElement("component").CreateElement("nonXMLBody")
	b.CreateAttr("ID", "OID"+r.ID)
	text := b.CreateElement("text")
	if r.json == nil {
		text.CreateAttr("mediaType", mediaPDF)
		text.CreateAttr("representation", "B64")
		text.SetText(base64.StdEncoding.EncodeToString(r.pdf))
		return nil
	}
	display, err := r.xhtml()
	if err != nil {
		return err
	}
	text.CreateAttr("mediaType", mediaXHTML)
	text.CreateAttr("representation", "B64")
	text.SetText(base64.StdEncoding.EncodeToString(display))
	j := b.CreateElement(fi + "json")
	j.CreateAttr("xmlns:hl7fi", kanta.NamespaceHL7Finland)
	j.SetText(base64.StdEncoding.EncodeToString(r.json))
	return nil
}

// coded appends a coded element with the code system the binding names,
// and the system's and the code's names when bundled.
func coded(parent *etree.Element, tag, binding, code string) *etree.Element {
	el := parent.CreateElement(tag)
	el.CreateAttr("code", code)
	cs := codes.Default()
	oid, ok := cs.Binding(binding)
	if !ok {
		return el
	}
	el.CreateAttr("codeSystem", oid)
	sys, ok := cs.System(oid)
	if !ok {
		return el
	}
	el.CreateAttr("codeSystemName", sys.Name())
	if v, ok := sys.Lookup(code); ok && displayOf(v) != "" {
		el.CreateAttr("displayName", displayOf(v))
	}
	return el
}

// identifier fills an id element with a client's identifier.
func identifier(id *etree.Element, p Person) {
	root, ext := p.id()
	if root == "" {
		id.CreateAttr("nullFlavor", "NI")
		return
	}
	id.CreateAttr("root", root)
	id.CreateAttr("extension", ext)
}

// name appends name/given and name/family with the element prefix.
func name(parent *etree.Element, prefix, given, family string) {
	n := parent.CreateElement(prefix + "name")
	if given != "" {
		n.CreateElement(prefix + "given").SetText(given)
	}
	n.CreateElement(prefix + "family").SetText(family)
}

func organisation(el *etree.Element, oid, orgName string) {
	el.CreateElement("id").CreateAttr("root", oid)
	if orgName != "" {
		el.CreateElement("name").SetText(orgName)
	}
}
