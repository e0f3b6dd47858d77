package compose

import (
	"errors"
	"fmt"
	"time"

	"github.com/beevik/etree"
	"github.com/yhteistestaus/yhteistestaus/kanta"
)

// Fixed values of the frame, as in the samples.
const (
	completionLegal = "LA" // Legally authenticated
	storageActive   = "AC" // Active
	usageOwn        = "1"  // Palvelunjärjestäjän rekisterin oma käyttö
)

// FrameOptions are the message-level choices of a frame. The zero value
// gives a usable frame for a document with an Author.
type FrameOptions struct {
	// MessageRoot and MessageID are the message id (root OID and
	// extension); the sender's OID and the document id when empty.
	MessageRoot, MessageID string
	// CreationTime is the message's creation time; the document's
	// EffectiveTime when zero.
	CreationTime time.Time
	// Usage is the usage situation (käyttötilanne, 1.2.246.537.6.1289):
	// "1" when empty.
	Usage string
	// ServiceRequest overrides the service request (palvelupyyntö) that
	// ServiceRequest chooses.
	ServiceRequest string
	// Sender is the sending organisation's OID; the custodian when empty.
	Sender string
	// Performer is the professional sending the message; the document's
	// Author, else its first professional signer, when nil.
	Performer *Professional
	// Processing is processingCode ("D", "P" or "T"); "D" as in the
	// samples when empty.
	Processing string
}

// ServiceRequest returns the service request a message carrying the
// document asks for: the annulment request for an annulment, the new
// version request for a later version, else the request of the document's
// group in kanta/groups.yaml (SP1 for a client relation
// document, SIM-ASIA for a case document, SP17 for client documents).
func ServiceRequest(d *Document) (string, error) {
	r, err := d.resolveMeta()
	if err != nil {
		return "", err
	}
	return r.serviceRequest()
}

func (r *resolved) serviceRequest() (string, error) {
	switch {
	case r.Annul:
		return r.groups.OperationServiceRequests.Annul, nil
	case r.Version > 1:
		return r.groups.OperationServiceRequests.NewVersion, nil
	case len(r.group.ServiceRequests) == 0:
		return "", fmt.Errorf("compose: group %s has no service request", r.group.Code)
	}
	return r.group.ServiceRequests[0], nil
}

// Frame renders the archiving frame RCMR_IN200002FI01 that carries the
// document: transmission wrapper, control act with the service request and
// usage situation, and the copy of the document's header metadata in
// subject/clinicalDocument. Its text element names no part; a transport
// (simulator/wire) points it at the document.
func Frame(d *Document, opts FrameOptions) ([]byte, error) {
	r, err := d.resolveMeta()
	if err != nil {
		return nil, err
	}
	sr := opts.ServiceRequest
	if sr == "" {
		if sr, err = r.serviceRequest(); err != nil {
			return nil, err
		}
	}
	sender := opts.Sender
	if sender == "" {
		sender = r.Custodian.OID
	}
	performer := opts.Performer
	if performer == nil {
		performer = r.Author
	}
	for _, s := range r.Signers {
		if performer == nil && s.Professional != nil {
			performer = s.Professional
		}
	}
	if performer == nil {
		return nil, errors.New("compose: the frame needs a performer: give FrameOptions.Performer, an Author or a professional signer")
	}
	msgRoot, msgID := opts.MessageRoot, opts.MessageID
	if msgRoot == "" {
		msgRoot = sender
	}
	if msgID == "" {
		msgID = r.ID
	}
	created := opts.CreationTime
	if created.IsZero() {
		created = r.EffectiveTime
	}
	usage := opts.Usage
	if usage == "" {
		usage = usageOwn
	}
	processing := opts.Processing
	if processing == "" {
		processing = "D"
	}

	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	root := doc.CreateElement(kanta.InteractionArchiving)
	root.CreateAttr("xmlns", kanta.NamespaceHL7)
	root.CreateAttr("ITSVersion", "XML_1.0")
	id := root.CreateElement("id")
	id.CreateAttr("root", msgRoot)
	id.CreateAttr("extension", msgID)
	root.CreateElement("creationTime").CreateAttr("value", ts(created))
	iid := root.CreateElement("interactionId")
	iid.CreateAttr("root", kanta.OIDInteraction)
	iid.CreateAttr("extension", kanta.InteractionArchiving)
	root.CreateElement("processingCode").CreateAttr("code", processing)
	root.CreateElement("processingModeCode").CreateAttr("code", "T")
	root.CreateElement("acceptAckCode").CreateAttr("code", "ER")
	device(root, "receiver", "RCV", kanta.OIDArchive)
	device(root, "sender", "SND", sender)

	ca := root.CreateElement("controlActProcess")
	ca.CreateAttr("classCode", "CACT")
	ca.CreateAttr("moodCode", "EVN")
	trigger := ca.CreateElement("code")
	trigger.CreateAttr("code", kanta.TriggerArchiving)
	trigger.CreateAttr("codeSystem", kanta.OIDTriggerEvent)
	ca.CreateElement("priorityCode").CreateAttr("code", "R")
	coded(ca, "reasonCode", "frame.serviceRequest", sr)
	coded(ca, "reasonCode", "frame.usageSituation", usage)
	ap := ca.CreateElement("authorOrPerformer")
	ap.CreateAttr("typeCode", "PRF")
	person := ap.CreateElement("assignedPerson")
	pRoot, pExt := performer.id()
	if performer.Hetu != "" {
		pRoot, pExt = kanta.OIDHetu, performer.Hetu
	}
	pid := person.CreateElement("id")
	pid.CreateAttr("root", pRoot)
	pid.CreateAttr("extension", pExt)
	name(person.CreateElement("assignedPerson"), "", performer.Given, performer.Family)
	unitOID, unitName := r.Organiser.ServiceUnitOID, r.Organiser.ServiceUnitName
	if unitOID == "" {
		unitOID, unitName = sender, r.Custodian.Name
	}
	organisation(person.CreateElement("representedOrganization"), unitOID, unitName)

	r.frameDocument(ca.CreateElement("subject").CreateElement("clinicalDocument"))
	doc.IndentTabs()
	out, err := doc.WriteToBytes()
	if err != nil {
		return nil, fmt.Errorf("compose: write frame: %w", err)
	}
	return out, nil
}

// frameDocument writes the frame's copy of the document header.
func (r *resolved) frameDocument(cd *etree.Element) {
	cd.CreateAttr("classCode", "DOCCLIN")
	cd.CreateAttr("moodCode", "EVN")
	cd.CreateElement("realmCode").CreateAttr("code", "FI")
	typeID := cd.CreateElement("typeId")
	typeID.CreateAttr("root", oidCDAType)
	typeID.CreateAttr("extension", cdaTypeExtension)
	cd.CreateElement("id").CreateAttr("root", r.ID)
	coded(cd, "code", "frame.document.code", registerClientRecord)
	cd.CreateElement("text").CreateAttr("mediaType", "multipart/related")
	cd.CreateElement("statusCode").CreateAttr("code", "COMPLETED")
	cd.CreateElement("effectiveTime").CreateAttr("value", ts(r.EffectiveTime))
	coded(cd, "confidentialityCode", "cda.confidentialityCode", confidential)
	cd.CreateElement("languageCode").CreateAttr("code", "fi")
	cd.CreateElement("setId").CreateAttr("root", r.SetID)
	cd.CreateElement("versionNumber").CreateAttr("value", fmt.Sprint(r.Version))
	coded(cd, "completionCode", "frame.completionCode", completionLegal)
	coded(cd, "storageCode", "frame.storageCode", storageActive)
	for _, p := range r.clients {
		rt := cd.CreateElement("recordTarget")
		rt.CreateAttr("typeCode", "RCT")
		pat := rt.CreateElement("patient")
		pat.CreateAttr("classCode", "PAT")
		identifier(pat.CreateElement("id"), p)
		pat.CreateElement("statusCode").CreateAttr("code", "normal")
		pp := pat.CreateElement("patientPerson")
		pp.CreateAttr("classCode", "PSN")
		pp.CreateAttr("determinerCode", "INSTANCE")
		name(pp, "", p.Given, p.Family)
		if p.Gender != "" {
			coded(pp, "administrativeGenderCode", "cda.administrativeGenderCode", p.Gender)
		}
		if !p.BirthDate.IsZero() {
			pp.CreateElement("birthTime").CreateAttr("value", date(p.BirthDate))
		}
	}
	if a := r.Author; a != nil {
		au := cd.CreateElement("author")
		au.CreateAttr("typeCode", "AUT")
		au.CreateElement("time").CreateAttr("value", ts(r.EffectiveTime))
		aa := au.CreateElement("assignedAuthor")
		aa.CreateAttr("classCode", "ASSIGNED")
		idRoot, ext := a.id()
		id := aa.CreateElement("id")
		id.CreateAttr("root", idRoot)
		id.CreateAttr("extension", ext)
		name(aa.CreateElement("assignedPerson"), "", a.Given, a.Family)
	}
	org := cd.CreateElement("custodian")
	org.CreateAttr("typeCode", "CST")
	ro := org.CreateElement("assignedCustodian").CreateElement("representedOrganization")
	organisation(ro, r.Custodian.OID, r.Custodian.Name)
}

// device appends a receiver or sender device.
func device(root *etree.Element, tag, typeCode, oid string) {
	el := root.CreateElement(tag)
	el.CreateAttr("typeCode", typeCode)
	dev := el.CreateElement("device")
	dev.CreateAttr("classCode", "DEV")
	dev.CreateAttr("determinerCode", "INSTANCE")
	dev.CreateElement("id").CreateAttr("root", oid)
}
