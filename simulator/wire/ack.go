package wire

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/kanta"
)

// HL7 V3 identifiers used in acknowledgements.
const (
	// InteractionRoot is the OID under which HL7 V3 interaction ids live.
	InteractionRoot = "2.16.840.1.113883.1.6"
	// RuleCodeSystemName names the code system of acknowledgementDetail
	// codes: the simulator's rule catalogue ids. It has no OID.
	RuleCodeSystemName = "yhteistestaus-rules"
	// OperationKeyword is the attentionLine keyWordText that carries
	// Acknowledgement.Operation.
	OperationKeyword = "operation"
)

// AckForm is how an acknowledgement carries its type code (AA, AE, AR).
// The edition Kanta's answers follow is not public; the simulator answers
// in the HL7 V3 Normative Edition 2008 form by default.
type AckForm int

// The forms of an acknowledgement.
const (
	// AckFormNE2008 writes <acknowledgement><typeCode code="AA"/>
	// <targetMessage>..., as MCCI_MT000200UV01 of the HL7 V3 Normative
	// Edition 2008 has it: the answer validates against that edition's
	// MCCI_IN000002UV01.xsd. The default.
	AckFormNE2008 AckForm = iota
	// AckFormAttribute writes <acknowledgement typeCode="AA"> as some other
	// editions have it, for a client written against one of those. It
	// does not validate against the NE2008 schema.
	AckFormAttribute
)

// ParseAckForm returns the form named "ne2008" or "attribute".
func ParseAckForm(s string) (AckForm, error) {
	switch strings.ToLower(s) {
	case "ne2008":
		return AckFormNE2008, nil
	case "attribute":
		return AckFormAttribute, nil
	}
	return 0, fmt.Errorf("acknowledgement form %q is not ne2008 or attribute", s)
}

// String returns "ne2008" or "attribute".
func (f AckForm) String() string {
	if f == AckFormAttribute {
		return "attribute"
	}
	return "ne2008"
}

// hl7Time is the HL7 V3 TS layout the package writes.
const hl7Time = "20060102150405-0700"

// Acknowledgement is the archive's answer to an archiving message (kuittaus):
// an HL7 V3 MCCI_IN000002UV01 inside a SOAP envelope.
type Acknowledgement struct {
	// ID is the extension of the acknowledgement's own message id.
	ID string
	// IDRoot is the root of the message id; WriteAcknowledgement uses
	// Sender when it is empty.
	IDRoot string
	// CreationTime is when the acknowledgement was made. It must be set.
	CreationTime time.Time
	// TargetMessageID and TargetMessageRoot identify the acknowledged
	// message (the frame's id/@extension and id/@root).
	TargetMessageID, TargetMessageRoot string
	// Sender and Receiver are device OIDs; for the archive's answers Sender
	// is kanta.OIDArchive and Receiver the vendor's sender device.
	Sender, Receiver string
	// TypeCode is AckAccepted, AckError or AckRejected.
	TypeCode string
	// Details become one acknowledgementDetail each: typeCode E, W or I
	// from the severity, code = rule id (with the source as its
	// originalText), text = message, location = location.
	Details []yhteistestaus.Finding
	// Operation, when set, says what the archive did ("store",
	// "new-version", "annul"); it travels in an attentionLine whose
	// keyWordText is OperationKeyword.
	Operation string
	// Form is how the type code is written (AckFormNE2008 by default).
	Form AckForm
}

// WriteAcknowledgement writes ack as MCCI_IN000002UV01 inside a SOAP
// envelope of soapVersion ("1.1" or "1.2") and returns the Content-Type
// header value.
func WriteAcknowledgement(w io.Writer, soapVersion string, ack Acknowledgement) (contentType string, err error) {
	ns, err := soapNamespace(soapVersion)
	if err != nil {
		return "", err
	}
	switch ack.TypeCode {
	case kanta.AckAccepted, kanta.AckError, kanta.AckRejected:
	default:
		return "", fmt.Errorf("wire: write acknowledgement: typeCode %q is not AA, AE or AR", ack.TypeCode)
	}
	if ack.CreationTime.IsZero() {
		return "", fmt.Errorf("wire: write acknowledgement: CreationTime is not set")
	}
	doc, body := newEnvelope(ns, soapVersion)
	m := body.CreateElement(kanta.InteractionAcknowledgement)
	m.CreateAttr("xmlns", kanta.NamespaceHL7)
	m.CreateAttr("xmlns:xsi", kanta.NamespaceXSI)
	m.CreateAttr("ITSVersion", "XML_1.0")

	idRoot := ack.IDRoot
	if idRoot == "" {
		idRoot = ack.Sender
	}
	setII(m.CreateElement("id"), idRoot, ack.ID)
	m.CreateElement("creationTime").CreateAttr("value", ack.CreationTime.Format(hl7Time))
	setII(m.CreateElement("interactionId"), InteractionRoot, kanta.InteractionAcknowledgement)
	m.CreateElement("processingCode").CreateAttr("code", "P")
	m.CreateElement("processingModeCode").CreateAttr("code", "T")
	m.CreateElement("acceptAckCode").CreateAttr("code", "NE")
	device(m, "receiver", "RCV", ack.Receiver)
	device(m, "sender", "SND", ack.Sender)
	if ack.Operation != "" {
		al := m.CreateElement("attentionLine")
		al.CreateElement("keyWordText").SetText(OperationKeyword)
		v := al.CreateElement("value")
		v.CreateAttr("xsi:type", "ST")
		v.SetText(ack.Operation)
	}
	a := m.CreateElement("acknowledgement")
	if ack.Form == AckFormAttribute {
		a.CreateAttr("typeCode", ack.TypeCode)
	} else {
		a.CreateElement("typeCode").CreateAttr("code", ack.TypeCode)
	}
	setII(a.CreateElement("targetMessage").CreateElement("id"), ack.TargetMessageRoot, ack.TargetMessageID)
	for _, f := range ack.Details {
		d := a.CreateElement("acknowledgementDetail")
		d.CreateAttr("typeCode", detailType(f.Severity))
		c := d.CreateElement("code")
		c.CreateAttr("code", f.Rule)
		c.CreateAttr("codeSystemName", RuleCodeSystemName)
		if f.Source != "" {
			c.CreateElement("originalText").SetText(f.Source)
		}
		d.CreateElement("text").SetText(f.Message)
		if f.Location != "" {
			d.CreateElement("location").SetText(f.Location)
		}
	}
	if _, err := doc.WriteTo(w); err != nil {
		return "", fmt.Errorf("wire: write acknowledgement: %w", err)
	}
	return soapMediaType(soapVersion) + "; charset=utf-8", nil
}

// setII sets the root and (when not empty) extension of an II element.
func setII(e *etree.Element, root, ext string) {
	e.CreateAttr("root", root)
	if ext != "" {
		e.CreateAttr("extension", ext)
	}
}

// device writes a receiver or sender with its device id.
func device(m *etree.Element, tag, typeCode, oid string) {
	r := m.CreateElement(tag)
	r.CreateAttr("typeCode", typeCode)
	d := r.CreateElement("device")
	d.CreateAttr("classCode", "DEV")
	d.CreateAttr("determinerCode", "INSTANCE")
	d.CreateElement("id").CreateAttr("root", oid)
}

// detailType maps a severity to an acknowledgementDetail typeCode.
func detailType(s yhteistestaus.Severity) string {
	switch s {
	case yhteistestaus.SeverityError:
		return "E"
	case yhteistestaus.SeverityWarning:
		return "W"
	}
	return "I"
}

// ReadAcknowledgement reads an acknowledgement written by
// WriteAcknowledgement (or any MCCI_IN000002UV01 of the same shape) from a
// response body with the given Content-Type. When the body is a SOAP fault
// the error has KindFault and errors.As finds the *Fault.
func ReadAcknowledgement(contentType string, body io.Reader) (*Acknowledgement, error) {
	m, err := readResponse(contentType, body)
	if err != nil {
		return nil, err
	}
	if m.fault != nil {
		return nil, &Error{Kind: KindFault, Reason: "the answer is a SOAP fault, not an acknowledgement", Err: m.fault}
	}
	e := m.payload
	if e.NamespaceURI() != kanta.NamespaceHL7 || e.Tag != kanta.InteractionAcknowledgement {
		return nil, errorf(KindNoFrame, nil, "SOAP Body holds {%s}%s, want %s", e.NamespaceURI(), e.Tag, kanta.InteractionAcknowledgement)
	}
	h := func(path ...string) *etree.Element { return descend(e, kanta.NamespaceHL7, path...) }
	ack := &Acknowledgement{
		ID:       attr(h("id"), "extension"),
		IDRoot:   attr(h("id"), "root"),
		Receiver: attr(h("receiver", "device", "id"), "root"),
		Sender:   attr(h("sender", "device", "id"), "root"),
	}
	if v := attr(h("creationTime"), "value"); v != "" {
		t, err := parseHL7Time(v)
		if err != nil {
			return nil, errorf(KindXML, err, "acknowledgement creationTime %q is not an HL7 time", v)
		}
		ack.CreationTime = t
	}
	for _, al := range e.ChildElements() {
		if is(al, kanta.NamespaceHL7, "attentionLine") && strings.TrimSpace(charData(child(al, kanta.NamespaceHL7, "keyWordText"))) == OperationKeyword {
			ack.Operation = strings.TrimSpace(charData(child(al, kanta.NamespaceHL7, "value")))
		}
	}
	a := h("acknowledgement")
	if a == nil {
		return nil, errorf(KindNoFrame, nil, "%s has no acknowledgement", kanta.InteractionAcknowledgement)
	}
	// Either form: the NE2008 typeCode element or the attribute.
	if tc := child(a, kanta.NamespaceHL7, "typeCode"); tc != nil {
		ack.TypeCode = attr(tc, "code")
	} else {
		ack.TypeCode, ack.Form = attr(a, "typeCode"), AckFormAttribute
	}
	tid := descend(a, kanta.NamespaceHL7, "targetMessage", "id")
	ack.TargetMessageRoot, ack.TargetMessageID = attr(tid, "root"), attr(tid, "extension")
	for _, d := range a.ChildElements() {
		if !is(d, kanta.NamespaceHL7, "acknowledgementDetail") {
			continue
		}
		f := yhteistestaus.Finding{Severity: yhteistestaus.SeverityError}
		switch attr(d, "typeCode") {
		case "W":
			f.Severity = yhteistestaus.SeverityWarning
		case "I":
			f.Severity = yhteistestaus.SeverityInfo
		}
		if c := child(d, kanta.NamespaceHL7, "code"); c != nil {
			f.Rule = attr(c, "code")
			if ot := child(c, kanta.NamespaceHL7, "originalText"); ot != nil {
				f.Source = charData(ot)
			}
		}
		if t := child(d, kanta.NamespaceHL7, "text"); t != nil {
			f.Message = charData(t)
		}
		if l := child(d, kanta.NamespaceHL7, "location"); l != nil {
			f.Location = charData(l)
		}
		ack.Details = append(ack.Details, f)
	}
	return ack, nil
}

// attr returns e's attribute key, or "" when e is nil or lacks it.
func attr(e *etree.Element, key string) string {
	if e == nil {
		return ""
	}
	return e.SelectAttrValue(key, "")
}

// parseHL7Time parses the HL7 V3 TS forms an acknowledgement may carry.
func parseHL7Time(v string) (time.Time, error) {
	var err error
	for _, layout := range []string{hl7Time, "20060102150405.000-0700", "20060102150405", "200601021504-0700", "20060102"} {
		var t time.Time
		if t, err = time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, err
}

// response is the content of a SOAP response Body.
type response struct {
	version string
	payload *etree.Element // the Body's one element, when not a fault
	fault   *Fault
}

// readResponse reads a SOAP response: an envelope whose Body holds one
// element, either a Fault or a payload.
func readResponse(contentType string, body io.Reader) (*response, error) {
	lim := DefaultLimits()
	mt, _, err := parseContentType(contentType, "Content-Type")
	if err != nil {
		return nil, err
	}
	var want string
	switch mt {
	case "text/xml":
		want = "1.1"
	case "application/soap+xml":
		want = "1.2"
	default:
		return nil, errorf(KindContentType, nil, "Content-Type %q is not a SOAP response, want text/xml or application/soap+xml", mt)
	}
	data, err := io.ReadAll(io.LimitReader(body, lim.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("wire: read response: %w", err)
	}
	if int64(len(data)) > lim.MaxBytes {
		return nil, errorf(KindTooLarge, nil, "response is larger than %d bytes", lim.MaxBytes)
	}
	doc, err := ParseXML(data, lim, "SOAP envelope")
	if err != nil {
		return nil, err
	}
	version, _, b, err := envelopeParts(doc, want, "")
	if err != nil {
		return nil, err
	}
	kids := b.ChildElements()
	if len(kids) != 1 {
		return nil, errorf(KindNoFrame, nil, "SOAP Body holds %d elements, want exactly one", len(kids))
	}
	r := &response{version: version}
	if kids[0].Tag == "Fault" && kids[0].NamespaceURI() == b.NamespaceURI() {
		r.fault = readFault(version, kids[0])
	} else {
		r.payload = kids[0]
	}
	return r, nil
}
