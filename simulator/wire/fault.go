package wire

import (
	"fmt"
	"io"
	"strings"

	"github.com/beevik/etree"
)

// Fault is a SOAP fault: the archive's answer when it cannot read a message
// at all (the transport-level kinds of Error).
type Fault struct {
	// SOAPVersion is "1.1" or "1.2".
	SOAPVersion string
	// Code is the fault code's local name as the version spells it:
	// "Client" or "Server" in SOAP 1.1, "Sender" or "Receiver" in SOAP 1.2,
	// or "VersionMismatch", "MustUnderstand", "DataEncodingUnknown".
	Code string
	// Reason is the human-readable explanation (faultstring, Reason/Text).
	Reason string
	// Rule is the id of the catalogue rule the request broke (see
	// Kind.Rule), or "" when the fault blames the archive. It travels in the
	// fault's detail (SOAP 1.1 detail, SOAP 1.2 Detail) as a rule element of
	// NamespaceFaultDetail, and at the start of the reason.
	Rule string
}

// NamespaceFaultDetail is the namespace of the rule element in a fault's
// detail: <rule xmlns="urn:yhteistestaus:fault">XML-ENCODING</rule>.
const NamespaceFaultDetail = "urn:yhteistestaus:fault"

// Error returns "SOAP fault CODE: REASON".
func (f *Fault) Error() string { return "SOAP fault " + f.Code + ": " + f.Reason }

// Sender reports whether the fault blames the sender of the message
// (Client in SOAP 1.1, Sender in SOAP 1.2).
func (f *Fault) Sender() bool { return f.Code == "Client" || f.Code == "Sender" }

// faultCode maps a code given in either version's spelling to soapVersion's.
func faultCode(soapVersion, code string) (string, error) {
	switch strings.ToLower(code) {
	case "client", "sender":
		if soapVersion == "1.1" {
			return "Client", nil
		}
		return "Sender", nil
	case "server", "receiver":
		if soapVersion == "1.1" {
			return "Server", nil
		}
		return "Receiver", nil
	case "versionmismatch":
		return "VersionMismatch", nil
	case "mustunderstand":
		return "MustUnderstand", nil
	case "dataencodingunknown":
		if soapVersion == "1.2" {
			return "DataEncodingUnknown", nil
		}
	}
	return "", fmt.Errorf("wire: write fault: unknown fault code %q for SOAP %s", code, soapVersion)
}

// WriteFault writes f as a SOAP fault of f.SOAPVersion ("1.1" or "1.2") and
// returns the Content-Type header value. f.Code may be given in either
// version's spelling ("Client" or "Sender", "Server" or "Receiver"); it is
// written as the version spells it. A rule is written in the detail and
// leads the reason ("XML-ENCODING: ..."). The HTTP status is the caller's
// job: the WS-I Basic Profile 1.1 (R1126) wants 500 for every fault.
func WriteFault(w io.Writer, f Fault) (contentType string, err error) {
	soapVersion := f.SOAPVersion
	ns, err := soapNamespace(soapVersion)
	if err != nil {
		return "", err
	}
	code, err := faultCode(soapVersion, f.Code)
	if err != nil {
		return "", err
	}
	reason := f.Reason
	if f.Rule != "" {
		reason = f.Rule + ": " + reason
	}
	doc, body := newEnvelope(ns, soapVersion)
	p := body.Space
	fe := body.CreateElement(p + ":Fault")
	var detail *etree.Element
	if soapVersion == "1.1" {
		fe.CreateElement("faultcode").SetText(p + ":" + code)
		fe.CreateElement("faultstring").SetText(reason)
		if f.Rule != "" {
			detail = fe.CreateElement("detail")
		}
	} else {
		fe.CreateElement(p + ":Code").CreateElement(p + ":Value").SetText(p + ":" + code)
		t := fe.CreateElement(p + ":Reason").CreateElement(p + ":Text")
		t.CreateAttr("xml:lang", "en")
		t.SetText(reason)
		if f.Rule != "" {
			detail = fe.CreateElement(p + ":Detail")
		}
	}
	if detail != nil {
		r := detail.CreateElement("rule")
		r.CreateAttr("xmlns", NamespaceFaultDetail)
		r.SetText(f.Rule)
	}
	if _, err := doc.WriteTo(w); err != nil {
		return "", fmt.Errorf("wire: write fault: %w", err)
	}
	return soapMediaType(soapVersion) + "; charset=utf-8", nil
}

// ReadFault reads a SOAP fault from a response body with the given
// Content-Type. A body that is not a fault gives an error of KindSOAP.
func ReadFault(contentType string, body io.Reader) (*Fault, error) {
	r, err := readResponse(contentType, body)
	if err != nil {
		return nil, err
	}
	if r.fault == nil {
		return nil, errorf(KindSOAP, nil, "SOAP Body holds {%s}%s, not a Fault", r.payload.NamespaceURI(), r.payload.Tag)
	}
	return r.fault, nil
}

// readFault reads a Fault element of either version.
func readFault(version string, e *etree.Element) *Fault {
	f := &Fault{SOAPVersion: version}
	qname := func(s string) string {
		s = strings.TrimSpace(s)
		if _, local, ok := strings.Cut(s, ":"); ok {
			return local
		}
		return s
	}
	var detail *etree.Element
	if version == "1.1" {
		f.Code = qname(charData(child(e, "", "faultcode")))
		f.Reason = charData(child(e, "", "faultstring"))
		detail = child(e, "", "detail")
	} else {
		ns := e.NamespaceURI()
		f.Code = qname(charData(descend(e, ns, "Code", "Value")))
		f.Reason = charData(descend(e, ns, "Reason", "Text"))
		detail = child(e, ns, "Detail")
	}
	if r := child(detail, NamespaceFaultDetail, "rule"); r != nil {
		f.Rule = strings.TrimSpace(charData(r))
		f.Reason = strings.TrimPrefix(f.Reason, f.Rule+": ")
	}
	return f
}
