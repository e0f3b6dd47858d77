// Package sut defines the vendor-system driver protocol, version 1: how the
// harness asks a client data system under test (SUT) to do what its users
// would do (open a client relation, store a decision, annul it ...), and
// how the system answers with the identifiers it used, so that the harness
// can find the resulting messages in the mock archive.
//
// The protocol is JSON. docs/sut-protocol.md describes it with examples.
// Adapters in this package carry it over HTTP (NewHTTP), over a command's
// standard input and output (NewExec) and to a human operator (NewManual);
// the in-process reference vendor system (package reference) implements
// Driver directly.
package sut

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Protocol is the protocol name and version every request and answer
// carries. A later version adds actions and fields; a system answers the
// versions it knows.
const Protocol = "yhteistestaus-sut/1"

// Driver makes a vendor system perform actions.
type Driver interface {
	// Do performs one action and returns the system's answer. An action
	// the system does not support is an Answer with StatusUnsupported, not
	// an error; an error means the system could not be reached or answered
	// nonsense.
	Do(ctx context.Context, req Request) (*Answer, error)
}

// Action names what the harness asks the system to do.
type Action string

// The actions of protocol version 1.
const (
	// ActionDescribe asks for the system's name, version and the actions it supports.
	ActionDescribe Action = "describe"
	// ActionReset asks the system to forget its test data (optional).
	ActionReset Action = "reset"
	// ActionRegisterClient registers a test client (asiakas) in the system.
	ActionRegisterClient Action = "register-client"
	// ActionOpenClientRelation opens the client relation: the system
	// archives the client relation document (asiakkuusasiakirja).
	ActionOpenClientRelation Action = "open-client-relation"
	// ActionUpdateClientRelation updates it: a new version.
	ActionUpdateClientRelation Action = "update-client-relation"
	// ActionEndClientRelation ends it: a new version with the end date.
	ActionEndClientRelation Action = "end-client-relation"
	// ActionReplaceTemporaryID replaces the client's temporary identifier
	// with the personal identity code.
	ActionReplaceTemporaryID Action = "replace-temporary-id"
	// ActionOpenCase opens a case (asia): the system archives the case
	// document; several clients make a joint case (yhteinen asia).
	ActionOpenCase Action = "open-case"
	// ActionCloseCase closes the case: a new version of the case document.
	ActionCloseCase Action = "close-case"
	// ActionStoreDocument stores a client document (asiakasasiakirja).
	ActionStoreDocument Action = "store-document"
	// ActionNewVersion stores a new version of a document (correction or update).
	ActionNewVersion Action = "new-version"
	// ActionAnnul annuls (mitätöi) a document, a case with its documents,
	// or a client relation with everything of the client (AnnulParams).
	ActionAnnul Action = "annul"
	// ActionSearch searches the archive (for the searching profiles).
	ActionSearch Action = "search"
)

// SendsNothing reports whether the action, done right, sends the archive
// no message: describe, reset, register-client and search.
func (a Action) SendsNothing() bool {
	switch a {
	case ActionDescribe, ActionReset, ActionRegisterClient, ActionSearch:
		return true
	}
	return false
}

// Actions lists every action of protocol version 1.
func Actions() []Action {
	return []Action{ActionDescribe, ActionReset, ActionRegisterClient, ActionOpenClientRelation,
		ActionUpdateClientRelation, ActionEndClientRelation, ActionReplaceTemporaryID, ActionOpenCase,
		ActionCloseCase, ActionStoreDocument, ActionNewVersion, ActionAnnul, ActionSearch}
}

// Request is one action for the system.
type Request struct {
	Protocol string `json:"protocol"`
	// ID identifies the request; the answer repeats it.
	ID     string `json:"id"`
	Action Action `json:"action"`
	// Archive is the archive endpoint the system must send its messages
	// to (SOAP), e.g. http://127.0.0.1:41234/s/run-1/soap.
	Archive string `json:"archive,omitempty"`
	// Params are the action's parameters: one of the *Params types.
	Params json.RawMessage `json:"params,omitempty"`
	// TimeoutMs tells the system how many milliseconds the harness waits
	// for the answer. The HTTP and exec adapters fill it from the
	// context's deadline when it is zero.
	TimeoutMs int64 `json:"timeoutMs,omitempty"`
}

// DriverFunc adapts an ordinary function to the Driver interface.
type DriverFunc func(ctx context.Context, req Request) (*Answer, error)

// Do calls f(ctx, req).
func (f DriverFunc) Do(ctx context.Context, req Request) (*Answer, error) { return f(ctx, req) }

// NewRequest builds a request with params encoded.
func NewRequest(id string, action Action, archive string, params any) (Request, error) {
	req := Request{Protocol: Protocol, ID: id, Action: action, Archive: archive}
	if params != nil {
		b, err := json.Marshal(params)
		if err != nil {
			return Request{}, fmt.Errorf("encode %s params: %w", action, err)
		}
		req.Params = b
	}
	return req, nil
}

// DecodeParams decodes the request's parameters into v. Fields v does not
// know are ignored, so that a system keeps working when a later revision of
// protocol version 1 adds optional parameters (docs/sut-protocol.md,
// "Versioning").
func (r Request) DecodeParams(v any) error {
	if len(r.Params) == 0 {
		return nil
	}
	if err := json.Unmarshal(r.Params, v); err != nil {
		return fmt.Errorf("decode %s params: %w", r.Action, err)
	}
	return nil
}

// AnswerStatus says how the system answered.
type AnswerStatus string

// The answer statuses.
const (
	// StatusOK: the system performed the action.
	StatusOK AnswerStatus = "ok"
	// StatusUnsupported: the system does not support the action (or the
	// variant asked for); the report shows "not supported".
	StatusUnsupported AnswerStatus = "unsupported"
	// StatusFailed: the system tried and failed, e.g. the archive rejected
	// its message; Message says why.
	StatusFailed AnswerStatus = "failed"
)

// Answer is the system's reply to a Request.
type Answer struct {
	Protocol string       `json:"protocol"`
	ID       string       `json:"id"`
	Status   AnswerStatus `json:"status"`
	Message  string       `json:"message,omitempty"`
	Result   Result       `json:"result,omitempty"`
}

// Result carries the identifiers the system used, so that the harness can
// find the messages it sent.
type Result struct {
	// System describes the system (describe).
	System *SystemInfo `json:"system,omitempty"`
	// Client is the registered client's identifiers (register-client).
	Client *ClientIDs `json:"client,omitempty"`
	// MessageIDs are the ids (root^extension or extension) of the archiving
	// messages the action sent, in order.
	MessageIDs []string `json:"messageIds,omitempty"`
	// Documents are the documents the action archived or tried to.
	Documents []DocumentRef `json:"documents,omitempty"`
	// CaseID is the case id (asiatunnus) of open-case.
	CaseID string `json:"caseId,omitempty"`
	// Found are the documents a search returned.
	Found []DocumentRef `json:"found,omitempty"`
}

// SystemInfo describes the system under test.
type SystemInfo struct {
	Name    string   `json:"name"`
	Vendor  string   `json:"vendor,omitempty"`
	Version string   `json:"version,omitempty"`
	Actions []Action `json:"actions"`
	// Profiles the system claims to implement.
	Profiles []string `json:"profiles,omitempty"`
	// Organisation is the register keeper the system archives for.
	Organisation string `json:"organisation,omitempty"`
}

// Supports reports whether the system lists the action.
func (s *SystemInfo) Supports(a Action) bool {
	for _, x := range s.Actions {
		if x == a {
			return true
		}
	}
	return false
}

// ClientIDs are a client's identifiers in the system.
type ClientIDs struct {
	Ref    string `json:"ref"`
	Hetu   string `json:"hetu,omitempty"`
	TempID string `json:"tempId,omitempty"`
}

// DocumentRef names one archived document version.
type DocumentRef struct {
	// Ref is the harness's name for the document (docRef of the request).
	Ref        string `json:"ref,omitempty"`
	DocumentID string `json:"documentId"`
	SetID      string `json:"setId"`
	Version    int    `json:"version"`
	Kind       string `json:"kind,omitempty"`
}

// RegisterClientParams registers a test client. The harness chooses the
// identity: a 900-series test identity code, or a temporary identifier
// when TemporaryID is true.
type RegisterClientParams struct {
	Ref         string    `json:"ref"`
	Hetu        string    `json:"hetu,omitempty"`
	TemporaryID bool      `json:"temporaryId,omitempty"`
	Given       string    `json:"given"`
	Family      string    `json:"family"`
	BirthDate   time.Time `json:"birthDate"`
}

// ClientRelationParams open, update or end a client relation.
type ClientRelationParams struct {
	ClientRef   string `json:"clientRef"`
	ServiceTask string `json:"serviceTask,omitempty"`
	// Change describes an update, e.g. "responsible-worker".
	Change string `json:"change,omitempty"`
	// GuardianDisclosure is the code (1.2.246.537.6.1286.201901) telling
	// whether a minor's document may be disclosed to the guardians.
	GuardianDisclosure string `json:"guardianDisclosure,omitempty"`
}

// ReplaceTemporaryIDParams gives a client's identity code.
type ReplaceTemporaryIDParams struct {
	ClientRef string `json:"clientRef"`
	Hetu      string `json:"hetu"`
}

// CaseParams open or close a case.
type CaseParams struct {
	CaseRef     string   `json:"caseRef"`
	ClientRefs  []string `json:"clientRefs,omitempty"`
	ServiceTask string   `json:"serviceTask,omitempty"`
	CaseName    string   `json:"caseName,omitempty"`
}

// DocumentParams store a client document.
type DocumentParams struct {
	DocRef  string `json:"docRef"`
	CaseRef string `json:"caseRef"`
	// ClientRefs default to the case's clients.
	ClientRefs []string `json:"clientRefs,omitempty"`
	// Type is the kind of document: "decision", "plan", "journal-entry",
	// "other" (unstructured PDF/A) or "attachment".
	Type string `json:"type"`
	// SpecificType is the specific document type (tarkentava
	// asiakirjatyyppi), a code of 1.2.246.537.6.1506.201701 such as 15007;
	// empty lets the system choose one for Type.
	SpecificType string `json:"specificType,omitempty"`
	ServiceTask  string `json:"serviceTask,omitempty"`
	// Format is "structured" (XHTML + JSON) or "pdf" (PDF/A).
	Format string `json:"format,omitempty"`
	// Signature is "professional" or "system".
	Signature string `json:"signature,omitempty"`
	// DelayUntil delays the document in MittKanta; RestrictionGround is
	// the ground code (1.2.246.537.6.1288.201901) for a delay or for not
	// showing it.
	DelayUntil        *time.Time `json:"delayUntil,omitempty"`
	RestrictionGround string     `json:"restrictionGround,omitempty"`
	// GuardianDisclosure is the code (1.2.246.537.6.1286.201901) for a
	// minor client.
	GuardianDisclosure string `json:"guardianDisclosure,omitempty"`
	// MainDocRef is the main document of an attachment.
	MainDocRef string `json:"mainDocRef,omitempty"`
	// Description is the free-text name of an unstructured document.
	Description string `json:"description,omitempty"`
}

// VersionParams store a new version of a document.
type VersionParams struct {
	DocRef string `json:"docRef"`
	Reason string `json:"reason,omitempty"`
}

// AnnulParams annul (mitätöi) one of three things; exactly one of DocRef,
// CaseRef and ClientRef is set:
//   - DocRef: a client document (asiakasasiakirja), after its attachments;
//   - CaseRef: a case (asia), after every client document of the case;
//   - ClientRef: the client's client relation (asiakkuus), after every
//     other document of the client: its cases and their documents.
//
// Reason is the free-text reason the user gives.
type AnnulParams struct {
	DocRef    string `json:"docRef,omitempty"`
	CaseRef   string `json:"caseRef,omitempty"`
	ClientRef string `json:"clientRef,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// AnnulTarget says what an annul request annuls.
type AnnulTarget string

// The targets of an annulment.
const (
	AnnulDocument       AnnulTarget = "document"
	AnnulCase           AnnulTarget = "case"
	AnnulClientRelation AnnulTarget = "client-relation"
)

// Target returns what p annuls and the ref that names it, or an error
// unless exactly one of DocRef, CaseRef and ClientRef is set.
func (p AnnulParams) Target() (AnnulTarget, string, error) {
	var target AnnulTarget
	var ref string
	n := 0
	for _, c := range []struct {
		t   AnnulTarget
		ref string
	}{{AnnulDocument, p.DocRef}, {AnnulCase, p.CaseRef}, {AnnulClientRelation, p.ClientRef}} {
		if c.ref != "" {
			target, ref = c.t, c.ref
			n++
		}
	}
	if n != 1 {
		return "", "", fmt.Errorf("annul needs exactly one of docRef, caseRef and clientRef, got %d", n)
	}
	return target, ref, nil
}

// SearchParams search the archive.
type SearchParams struct {
	ClientRef    string `json:"clientRef"`
	DocumentType string `json:"documentType,omitempty"`
}

// Answer helpers.

// OK returns an ok answer to req with the result.
func OK(req Request, res Result) *Answer {
	return &Answer{Protocol: Protocol, ID: req.ID, Status: StatusOK, Result: res}
}

// Unsupported returns an unsupported answer to req.
func Unsupported(req Request, why string) *Answer {
	return &Answer{Protocol: Protocol, ID: req.ID, Status: StatusUnsupported, Message: why}
}

// Failed returns a failed answer to req.
func Failed(req Request, why string, res Result) *Answer {
	return &Answer{Protocol: Protocol, ID: req.ID, Status: StatusFailed, Message: why, Result: res}
}

// ErrProtocol reports an answer that breaks the protocol.
var ErrProtocol = errors.New("driver protocol violation")

// CheckAnswer checks that a is a well-formed answer to req.
func CheckAnswer(req Request, a *Answer) error {
	switch {
	case a == nil:
		return fmt.Errorf("%w: no answer", ErrProtocol)
	case a.Protocol != Protocol:
		return fmt.Errorf("%w: answer protocol %q, want %q", ErrProtocol, a.Protocol, Protocol)
	case a.ID != req.ID:
		return fmt.Errorf("%w: answer id %q to request %q", ErrProtocol, a.ID, req.ID)
	case a.Status != StatusOK && a.Status != StatusUnsupported && a.Status != StatusFailed:
		return fmt.Errorf("%w: answer status %q", ErrProtocol, a.Status)
	}
	return nil
}
