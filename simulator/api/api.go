// Package api holds the plain data types of the mock archive's JSON control
// API (README, "The mock archive over HTTP"): the received messages with
// their findings, the archive's document sets and versions, the simulated
// clock and the API's errors. The server (simulator/server) writes them and
// the client (simulator/control) reads them, so that the steps and the
// runner depend on this contract and not on the simulator's insides. The
// simulator's message log and the archive's records are kept in the same
// types, so that each field is defined once.
package api

import (
	"time"

	"github.com/yhteistestaus/yhteistestaus"
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

// Exchange is one received message and the archive's answer.
type Exchange struct {
	// Seq numbers the session's exchanges from 1. Numbers keep increasing
	// across resets and are never reused, so that acknowledgement ids do
	// not repeat.
	Seq int `json:"seq"`
	// ReceivedAt is the session's simulated time of receipt.
	ReceivedAt time.Time `json:"receivedAt"`
	// Transport says how the message came: "soap-1.1", "soap-1.2",
	// "validate", with the packaging of the document.
	Transport string `json:"transport"`
	// MessageID is the frame's id (root^extension).
	MessageID string `json:"messageId"`
	// MessageIDRoot and MessageIDExtension are its parts.
	MessageIDRoot      string `json:"messageIdRoot,omitempty"`
	MessageIDExtension string `json:"messageIdExtension,omitempty"`
	// Sender is the sender device OID.
	Sender string `json:"sender"`
	// ServiceRequest and Usage are the control act's reason codes.
	ServiceRequest string `json:"serviceRequest,omitempty"`
	Usage          string `json:"usage,omitempty"`
	// DocumentID, SetID, Version and Group identify the document.
	DocumentID string `json:"documentId,omitempty"`
	SetID      string `json:"setId,omitempty"`
	Version    string `json:"version,omitempty"`
	Group      string `json:"group,omitempty"`
	Kind       string `json:"kind,omitempty"`
	// Clients are the document's client identifiers, root^extension. An
	// identity code that is not a valid test identity (900 series) is
	// masked (hetu.Mask): the log shows no real person's code.
	Clients []string `json:"clients,omitempty"`
	// CaseID is the case the document belongs to.
	CaseID string `json:"caseId,omitempty"`
	// Operation is what the archive read the message as.
	Operation Operation `json:"operation"`
	// Accepted is true when the archive stored the document.
	Accepted bool `json:"accepted"`
	// AckType is the acknowledgement's type code: AA, AE or AR.
	AckType string `json:"ackType"`
	// Findings are every finding: validation and state rules.
	Findings yhteistestaus.Findings `json:"findings"`
	// FrameSize and DocumentSize are the sizes in bytes of the message's
	// parts as received; FrameSHA256 and DocumentSHA256 their SHA-256, in
	// hex.
	FrameSize      int    `json:"frameSize"`
	FrameSHA256    string `json:"frameSha256,omitempty"`
	DocumentSize   int    `json:"documentSize"`
	DocumentSHA256 string `json:"documentSha256,omitempty"`
	// Truncated is true when the log keeps only the first bytes of the
	// parts of a message the archive did not store
	// (simulator.MaxRejectedPart of each).
	Truncated bool `json:"truncated,omitempty"`
	// Frame and Document are the message's parts as received (truncated
	// when Truncated is set).
	Frame    []byte `json:"-"`
	Document []byte `json:"-"`
	// Ack is the acknowledgement (kuittaus) the archive sent for the
	// message, as sent: the SOAP envelope with MCCI_IN000002UV01 inside.
	// Empty until the server has written it, and for a message that came
	// by another way than the SOAP endpoint.
	Ack []byte `json:"-"`
}

// Message is an exchange in the control API, with the message's parts and
// the acknowledgement as text when one message is asked for (GET
// .../messages/{seq}).
type Message struct {
	Exchange
	FrameXML    string `json:"frameXml,omitempty"`
	DocumentXML string `json:"documentXml,omitempty"`
	AckXML      string `json:"ackXml,omitempty"`
}

// Messages is the answer of GET /api/sessions/{s}/messages: the session's
// received messages, oldest first, without their parts.
type Messages struct {
	Session  string    `json:"session"`
	Messages []Message `json:"messages"`
}

// Archive is the answer of GET /api/sessions/{s}/archive: for each document
// set, its latest version and how many versions it has.
type Archive struct {
	Session string `json:"session"`
	Sets    []Set  `json:"sets"`
}

// Set is one document set in Archive.
type Set struct {
	Latest   *Record `json:"latest"`
	Versions int     `json:"versions"`
}

// Versions is the answer of GET /api/sessions/{s}/archive/sets/{setId}:
// every version of the set, oldest first.
type Versions struct {
	SetID    string    `json:"setId"`
	Versions []*Record `json:"versions"`
}

// Clock is the simulated clock in the control API. PUT sets Now, or moves
// the clock by Advance (a Go duration such as "48h").
type Clock struct {
	Now     time.Time `json:"now"`
	Advance string    `json:"advance,omitempty"`
}

// Error is the control API's answer to a request it cannot serve.
type Error struct {
	// Error says what is wrong, for people.
	Error string `json:"error"`
	// Code is one of the Code constants when the program reading the
	// answer may act on the cause, else empty.
	Code string `json:"code,omitempty"`
}

// Error codes of the control API (Error.Code).
const (
	// CodeNoSession: the session named does not exist, or belongs to
	// another vendor (the answer is the same, so that a session's
	// existence does not leak).
	CodeNoSession = "no-session"
	// CodeUnauthorized: the request carries no token, or one the archive
	// does not know (HTTP 401).
	CodeUnauthorized = "unauthorized"
	// CodeForbidden: the token is valid but may not do this, e.g. read a
	// raw message without the coordinator's token (HTTP 403).
	CodeForbidden = "forbidden"
	// CodeQuota: creating the session would give the vendor more sessions
	// than its quota (HTTP 429).
	CodeQuota = "session-quota"
	// CodeBusy: the server is serving as many requests as it takes at once
	// (HTTP 503 with Retry-After, rule WIRE-BUSY).
	CodeBusy = "busy"
	// CodeShuttingDown: the request was still running when the server's
	// drain time ended (HTTP 503, rule WIRE-SHUTDOWN).
	CodeShuttingDown = "shutting-down"
)

// Structures says which document structures (rakenteet) the archive judges
// structured content with, at GET /api/structures: THL's Sosmeta export
// (--sosmeta DIR) or only the simulator's own embedded fallback schemas,
// with which the checks of a structure's status and of an unknown
// structure cannot be made.
type Structures struct {
	// Sosmeta is true when the archive judges with THL's Sosmeta
	// structures; false for the embedded fallback schemas.
	Sosmeta bool `json:"sosmeta"`
	// Source describes the set in one phrase, e.g. "THL Sosmeta export
	// 2025-05-20 (../shared/sosmeta)".
	Source string `json:"source"`
	// ExportDate is the date of THL's export (YYYY-MM-DD) when known.
	ExportDate string `json:"exportDate,omitempty"`
	// Count is the number of structures in the set.
	Count int `json:"count"`
}
