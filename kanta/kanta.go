// Package kanta is the shared vocabulary of archiving to Kanta's
// social-welfare client data archive (Sosiaalihuollon asiakastiedon
// arkisto): the XML namespaces, the well-known OIDs, the interaction ids,
// the signature types, the kinds of document and the table of document
// groups (groups.yaml, embedded).
//
// The mock archive (simulator/...), the composer (compose), the reference
// vendor system (reference) and the steps all take these names from here,
// so each is written once and the vendor side never borrows the
// validator's own tables. The package holds names and data only: what a
// rule makes of them is in simulator/rules.
package kanta

// XML namespaces of the archiving message.
const (
	// NamespaceHL7 is the namespace of HL7 V3 and CDA R2 elements.
	NamespaceHL7 = "urn:hl7-org:v3"
	// NamespaceHL7Finland is the namespace of the Finnish CDA extensions
	// (localSocialHeader and its children).
	NamespaceHL7Finland = "urn:hl7finland"
	// NamespaceXHTML is the namespace of the document's display form.
	NamespaceXHTML = "http://www.w3.org/1999/xhtml"
	// NamespaceXSI is the XML Schema instance namespace (xsi:type).
	NamespaceXSI = "http://www.w3.org/2001/XMLSchema-instance"
)

// Well-known OIDs of the archiving message.
const (
	// OIDHetu is the identity code (henkilötunnus) system.
	OIDHetu = "1.2.246.21"
	// OIDRegistrationNumber is the professional registration number
	// (rekisteröintinumero, Valvira) system.
	OIDRegistrationNumber = "1.2.246.537.26"
	// OIDArchive is the archive's device id: the frame's receiver and the
	// acknowledgement's sender.
	OIDArchive = "1.2.246.556.18007.2"
	// OIDInteraction is the HL7 interaction id code system.
	OIDInteraction = "2.16.840.1.113883.1.6"
	// OIDTriggerEvent is the HL7 trigger event code system.
	OIDTriggerEvent = "2.16.840.1.113883.1.18"
	// OIDServiceRequest is the service request (palvelupyyntö) code system
	// of the control act's reasonCode.
	OIDServiceRequest = "1.2.246.537.6.1503.201601"
	// OIDUsageSituation is the usage situation (käyttötilanne) code system
	// of the control act's reasonCode.
	OIDUsageSituation = "1.2.246.537.6.1289.201901"
	// OIDGuardianConsent is the code system telling whether a minor's
	// document may be disclosed to the guardians.
	OIDGuardianConsent = "1.2.246.537.6.1286.201901"
	// OIDSignatureType is the signature type code system (KanTa-palvelut -
	// Sähköisen allekirjoituksen tyyppi).
	OIDSignatureType = "1.2.246.537.5.40127.2006"
)

// Interaction ids and trigger events.
const (
	// InteractionArchiving is the archiving frame (siirtokehys).
	InteractionArchiving = "RCMR_IN200002FI01"
	// TriggerArchiving is the archiving frame's trigger event.
	TriggerArchiving = "RCMR_TE000102UV01"
	// InteractionAcknowledgement is the archive's accept acknowledgement
	// (kuittaus).
	InteractionAcknowledgement = "MCCI_IN000002UV01"
)

// Acknowledgement type codes (the acknowledgement's typeCode).
const (
	// AckAccepted (AA): the archive accepted the message.
	AckAccepted = "AA"
	// AckError (AE): the archive refused the message for an application
	// error (its findings say which).
	AckError = "AE"
	// AckRejected (AR): the archive could not read the message as a
	// document at all.
	AckRejected = "AR"
)

// Signature types (OIDSignatureType).
const (
	// SignatureProfessional is a professional's own signature
	// (ammattilaisen allekirjoitus).
	SignatureProfessional = "1"
	// SignatureSystem is the organisation's system signature
	// (järjestelmäallekirjoitus).
	SignatureSystem = "3"
)

// DocumentType is the kind of client document the driver protocol asks a
// system to store (sut.DocumentParams.Type, docs/sut-protocol.md).
type DocumentType string

// The document types of the driver protocol.
const (
	// DocumentDecision is a decision (päätös).
	DocumentDecision DocumentType = "decision"
	// DocumentPlan is a client plan (asiakassuunnitelma).
	DocumentPlan DocumentType = "plan"
	// DocumentJournal is a client journal entry (asiakaskertomusmerkintä);
	// it is spelled like its document group kind.
	DocumentJournal = DocumentType(KindJournal)
	// DocumentOther is an unstructured client document (PDF/A).
	DocumentOther DocumentType = "other"
	// DocumentAttachment is an attachment (liite) to another document.
	DocumentAttachment DocumentType = "attachment"
)

// DocumentTypes returns the document types of the driver protocol. Each
// call returns a new slice.
func DocumentTypes() []DocumentType {
	return []DocumentType{DocumentDecision, DocumentPlan, DocumentJournal, DocumentOther, DocumentAttachment}
}
