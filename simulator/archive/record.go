// Package archive keeps the state of the mock archive (Sosiaalihuollon
// asiakastiedon arkisto) and applies the rules that depend on it: version
// numbering, annulment, storage order, case membership and the life of a
// client's identifiers.
//
// State lives behind the Store interface; NewMemStore is the in-memory
// implementation. Archive decides, from the document group, setId,
// versionNumber and record status of a validated message, whether the
// message stores a new document, a new version (replacement) or an
// annulment, checks the state rules and records the version.
package archive

import (
	"errors"
	"time"
)

// Operation is what an archiving message does.
type Operation string

// The operations of the archive (handbook Table 11.3.1).
const (
	// OpStore archives the first version of a document (tallennus).
	OpStore Operation = "store"
	// OpNewVersion archives a new version that replaces the latest
	// (uusi versio; update and correction).
	OpNewVersion Operation = "new-version"
	// OpAnnul archives the annulment version of a document (mitätöinti).
	OpAnnul Operation = "annul"
	// OpNone is a message that was rejected before its operation could be told.
	OpNone Operation = "none"
)

// Record is one archived version of a document, with the metadata the
// archive's state rules and views need.
type Record struct {
	// DocumentID is the version's own id (ClinicalDocument/id/@root).
	DocumentID string `json:"documentId"`
	// SetID is the document's set id, shared by all its versions.
	SetID string `json:"setId"`
	// Version is the versionNumber.
	Version int `json:"version"`
	// Operation is how this version came to be.
	Operation Operation `json:"operation"`
	// Group is the document group code and Kind its meaning.
	Group string `json:"group"`
	Kind  string `json:"kind"`
	// Custodian is the register keeper's organisation OID; Organiser the
	// service organiser's; Register the registry type code.
	Custodian string `json:"custodian"`
	Organiser string `json:"organiser,omitempty"`
	Register  string `json:"register,omitempty"`
	// Clients are the document's client identifiers, root^extension.
	Clients []string `json:"clients"`
	// CaseID is the case (asia) the document belongs to; for a case
	// document, its own case id.
	CaseID string `json:"caseId,omitempty"`
	// CaseClosed is true for a case document whose case is closed.
	CaseClosed bool `json:"caseClosed,omitempty"`
	// ServiceTask is the palvelutehtävä code.
	ServiceTask string `json:"serviceTask,omitempty"`
	// GeneralType and SpecificType are the document type codes.
	GeneralType  string `json:"generalType,omitempty"`
	SpecificType string `json:"specificType,omitempty"`
	// MainDocument is the main document of an attachment.
	MainDocument string `json:"mainDocument,omitempty"`
	// Annulled is true for an annulment version.
	Annulled bool `json:"annulled,omitempty"`
	// GuardianConsent is the code telling whether a minor's document may be
	// shown to the guardian; empty when not given.
	GuardianConsent string `json:"guardianConsent,omitempty"`
	// DelayUntil and RestrictionGrounds are the MittKanta display
	// restrictions.
	DelayUntil         time.Time `json:"delayUntil,omitzero"`
	RestrictionGrounds []string  `json:"restrictionGrounds,omitempty"`
	// EffectiveTime is the document's creation time.
	EffectiveTime time.Time `json:"effectiveTime,omitzero"`
	// StoredAt is the simulated time the archive stored the version.
	StoredAt time.Time `json:"storedAt"`
	// MessageID is the id of the message that carried the version.
	MessageID string `json:"messageId,omitempty"`
	// Document is the CDA document as received.
	Document []byte `json:"-"`
}

// ErrNotFound is returned by Store lookups that find nothing.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned by Store.Add when the set's latest version is not
// the one the caller expected (another message was stored in between).
var ErrConflict = errors.New("conflicting concurrent version")
