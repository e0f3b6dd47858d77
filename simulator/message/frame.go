package message

import (
	"fmt"

	"github.com/beevik/etree"
	"github.com/yhteistestaus/yhteistestaus/kanta"
)

// Frame is the HL7 V3 archiving frame (siirtokehys): transmission wrapper,
// control act and the copy of the document's header metadata in
// subject/clinicalDocument.
type Frame struct {
	Root *etree.Element
	// Interaction is the root element's local name (RCMR_IN200002FI01).
	Interaction string
	// InteractionID is the interactionId element.
	InteractionID II
	// ID is the message id.
	ID             II
	CreationTime   Value
	Processing     Code
	ProcessingMode Code
	AcceptAck      Code
	// Receivers and Senders are the device ids.
	Receivers []II
	Senders   []II
	// ControlAct is controlActProcess.
	ControlAct *etree.Element
	// TriggerEvent is controlActProcess/code.
	TriggerEvent Code
	// ReasonCodes are controlActProcess/reasonCode: the service request
	// (palvelupyyntö) and the usage situation (käyttötilanne).
	ReasonCodes []Code
	// Performer is authorOrPerformer/assignedPerson.
	Performer Person
	// PerformerOrganization is the represented organisation's id.
	PerformerOrganization II
	// Document is subject/clinicalDocument, the header copy.
	Document *FrameDocument
}

// FrameDocument is the frame's copy of the document header.
type FrameDocument struct {
	El             *etree.Element
	ID             II
	Code           Code
	Text           *etree.Element
	StatusCode     Code
	EffectiveTime  Value
	SetID          II
	Version        Value
	CompletionCode Code
	StorageCode    Code
	Patients       []Person
	Authors        []Person
	Custodian      II
}

// ParseFrame reads the frame from a parsed XML document. It fails only when
// the root element is not an HL7 V3 element at all; everything else missing
// is left zero for the validator to report.
func ParseFrame(doc *etree.Document) (*Frame, error) {
	root := doc.Root()
	if root == nil {
		return nil, fmt.Errorf("frame: no root element")
	}
	if root.NamespaceURI() != kanta.NamespaceHL7 {
		return nil, fmt.Errorf("frame: root element %s is not in the HL7 V3 namespace %s", root.Tag, kanta.NamespaceHL7)
	}
	f := &Frame{Root: root, Interaction: root.Tag}
	f.ID = readII(child(root, kanta.NamespaceHL7, "id"))
	f.CreationTime = readValue(child(root, kanta.NamespaceHL7, "creationTime"))
	f.InteractionID = readII(child(root, kanta.NamespaceHL7, "interactionId"))
	f.Processing = readCode(child(root, kanta.NamespaceHL7, "processingCode"))
	f.ProcessingMode = readCode(child(root, kanta.NamespaceHL7, "processingModeCode"))
	f.AcceptAck = readCode(child(root, kanta.NamespaceHL7, "acceptAckCode"))
	for _, r := range children(root, kanta.NamespaceHL7, "receiver") {
		f.Receivers = append(f.Receivers, readII(path(r, kanta.NamespaceHL7, "device", "id")))
	}
	for _, s := range children(root, kanta.NamespaceHL7, "sender") {
		f.Senders = append(f.Senders, readII(path(s, kanta.NamespaceHL7, "device", "id")))
	}
	ca := child(root, kanta.NamespaceHL7, "controlActProcess")
	f.ControlAct = ca
	if ca == nil {
		return f, nil
	}
	f.TriggerEvent = readCode(child(ca, kanta.NamespaceHL7, "code"))
	for _, rc := range children(ca, kanta.NamespaceHL7, "reasonCode") {
		f.ReasonCodes = append(f.ReasonCodes, readCode(rc))
	}
	if ap := path(ca, kanta.NamespaceHL7, "authorOrPerformer", "assignedPerson"); ap != nil {
		f.Performer = Person{ID: readII(child(ap, kanta.NamespaceHL7, "id")), El: ap}
		readName(&f.Performer, path(ap, kanta.NamespaceHL7, "assignedPerson", "name"), kanta.NamespaceHL7)
		f.PerformerOrganization = readII(path(ap, kanta.NamespaceHL7, "representedOrganization", "id"))
	}
	cd := path(ca, kanta.NamespaceHL7, "subject", "clinicalDocument")
	if cd == nil {
		return f, nil
	}
	fd := &FrameDocument{
		El:             cd,
		ID:             readII(child(cd, kanta.NamespaceHL7, "id")),
		Code:           readCode(child(cd, kanta.NamespaceHL7, "code")),
		Text:           child(cd, kanta.NamespaceHL7, "text"),
		StatusCode:     readCode(child(cd, kanta.NamespaceHL7, "statusCode")),
		EffectiveTime:  readValue(child(cd, kanta.NamespaceHL7, "effectiveTime")),
		SetID:          readII(child(cd, kanta.NamespaceHL7, "setId")),
		Version:        readValue(child(cd, kanta.NamespaceHL7, "versionNumber")),
		CompletionCode: readCode(child(cd, kanta.NamespaceHL7, "completionCode")),
		StorageCode:    readCode(child(cd, kanta.NamespaceHL7, "storageCode")),
		Custodian:      readII(path(cd, kanta.NamespaceHL7, "custodian", "assignedCustodian", "representedOrganization", "id")),
	}
	fd.Patients = readPatients(cd, "patient", "patientPerson")
	fd.Authors = readAuthors(cd)
	f.Document = fd
	return f, nil
}

// ReasonCode returns the control act's reasonCode in the code system (the
// OID with or without its version arc), or the zero Code.
func (f *Frame) ReasonCode(codeSystem string) Code {
	for _, c := range f.ReasonCodes {
		if SameCodeSystem(c.CodeSystem, codeSystem) {
			return c
		}
	}
	return Code{}
}
