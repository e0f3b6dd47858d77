package wire

import (
	"errors"
	"fmt"
)

// Kind classifies why a message could not be read. A server maps the kind to
// its answer: a SOAP fault for transport-level kinds, an acknowledgement with
// typeCode AR for the others.
type Kind int

// The kinds of Error. New kinds are added only at the end.
const (
	// KindOther is any error that is not an *Error.
	KindOther Kind = iota
	// KindTooLarge: the body exceeds Limits.MaxBytes, the multipart body
	// has more than Limits.MaxParts parts, or an XML part has more elements
	// or one element more attributes than the Limits allow.
	KindTooLarge
	// KindContentType: the Content-Type is missing, malformed or not one
	// the archive accepts.
	KindContentType
	// KindMIME: the multipart/related body is malformed: no boundary,
	// truncated, no parts, the start part missing, a bad part header or
	// transfer encoding.
	KindMIME
	// KindXML: the XML is not well-formed or is empty (see also
	// KindEncoding, KindDTD and KindTooDeep).
	KindXML
	// KindSOAP: the XML is not a SOAP envelope of the expected version, or
	// the envelope has no Body.
	KindSOAP
	// KindNoFrame: the SOAP Body (or the file) holds no HL7 V3 interaction.
	KindNoFrame
	// KindNoDocument: the frame refers to a document that cannot be found
	// or decoded: a missing cid part, bad inline base64, an unsupported
	// inline media type, or several candidate document parts.
	KindNoDocument
	// KindFault: an answer that was expected to be an acknowledgement is a
	// SOAP fault. errors.As finds the *Fault.
	KindFault
	// KindEncoding: the XML is not valid UTF-8, or declares an encoding
	// other than UTF-8 (the archive reads only UTF-8).
	KindEncoding
	// KindDTD: the XML contains a DOCTYPE or another <!...> declaration, so
	// no entity is ever expanded.
	KindDTD
	// KindTooDeep: the XML nests elements deeper than Limits.MaxDepth.
	KindTooDeep
)

var kindNames = [...]string{
	KindOther:       "error",
	KindTooLarge:    "too large",
	KindContentType: "content type",
	KindMIME:        "MIME",
	KindXML:         "XML",
	KindSOAP:        "SOAP",
	KindNoFrame:     "no frame",
	KindNoDocument:  "no document",
	KindFault:       "SOAP fault",
	KindEncoding:    "XML encoding",
	KindDTD:         "DTD",
	KindTooDeep:     "too deep",
}

// String returns a short lower-case name for the kind, e.g. "too large".
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("kind(%d)", int(k))
	}
	return kindNames[k]
}

// Error is the error returned by the readers of this package.
type Error struct {
	// Kind classifies the error.
	Kind Kind
	// Reason says in one sentence what is wrong and where, for a person.
	Reason string
	// Err is the underlying error, if any.
	Err error
}

// Error returns "wire: KIND: REASON: ERR".
func (e *Error) Error() string {
	s := "wire: " + e.Kind.String() + ": " + e.Reason
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Reason returns what is wrong, for a person, without the "wire: KIND: "
// prefix of Error: the reason and the underlying error of an *Error, or
// err.Error() for any other error.
func Reason(err error) string {
	var e *Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	if e.Err != nil {
		return e.Reason + ": " + e.Err.Error()
	}
	return e.Reason
}

// KindOf returns the Kind of the first *Error in err's chain, or KindOther
// when there is none (including when err is nil).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindOther
}

// errorf builds an *Error whose reason is formatted; a trailing %w operand
// is not allowed, pass the cause as err instead.
func errorf(k Kind, err error, format string, args ...any) *Error {
	return &Error{Kind: k, Reason: fmt.Sprintf(format, args...), Err: err}
}

// kindRules are the rule catalogue ids (catalogue/rules, wire.yaml
// and xml.yaml) of the kinds: the SOAP endpoint's fault and the command
// line's finding name the same rule for the same bad input.
var kindRules = [...]string{
	KindOther:       "WIRE-READ",
	KindTooLarge:    "XML-TOO-LARGE",
	KindContentType: "WIRE-CONTENT-TYPE",
	KindMIME:        "WIRE-MIME",
	KindXML:         "XML-WELLFORMED",
	KindSOAP:        "WIRE-SOAP",
	KindNoFrame:     "WIRE-NO-FRAME",
	KindNoDocument:  "WIRE-NO-DOCUMENT",
	KindFault:       "WIRE-FAULT",
	KindEncoding:    "XML-ENCODING",
	KindDTD:         "XML-DTD",
	KindTooDeep:     "XML-TOO-DEEP",
}

// Kinds returns every Kind, in order.
func Kinds() []Kind {
	ks := make([]Kind, len(kindRules))
	for i := range ks {
		ks[i] = Kind(i)
	}
	return ks
}

// Rule returns the id of the catalogue rule the kind breaks, e.g.
// "XML-ENCODING" for KindEncoding; an unknown kind gives WIRE-READ's.
func (k Kind) Rule() string {
	if k < 0 || int(k) >= len(kindRules) {
		return kindRules[KindOther]
	}
	return kindRules[k]
}

// RuleOf returns the rule of err's Kind (KindOf(err).Rule()).
func RuleOf(err error) string { return KindOf(err).Rule() }
