package server

import (
	"bytes"
	_ "embed"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"text/template"

	"github.com/gorilla/mux"

	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// handleSOAP receives an archiving message and answers with an HL7 V3
// acknowledgement, or with a SOAP Fault when the request is not a message.
//
// Every fault is sent with HTTP 500, as the WS-I Basic Profile 1.1 (R1126)
// requires, also for a body over the size limit: a stock SOAP client then
// reads the fault as it reads any other. The fault's detail names the rule
// the request broke (wire.Kind.Rule), the same rule `yhteistestaus validate`
// reports for the same input.
func (s *Server) handleSOAP(w http.ResponseWriter, r *http.Request) {
	lim := s.limits()
	soapVersion := requestSOAPVersion(r)
	note := noteOf(r)
	ss, ok := sessionOf(r)
	if !ok {
		s.fault(w, r, wire.Fault{SOAPVersion: soapVersion, Code: "Server", Reason: "the endpoint opened no session"})
		return
	}
	note.set(func(n *requestNote) { n.session = ss.Name })
	// A body of declared length is read into a buffer of that length, and
	// one declared over the limit is refused before it is read.
	body := http.MaxBytesReader(w, r.Body, lim.MaxBytes+1)
	msg, err := wire.ReadSized(r.Header.Get("Content-Type"), body, r.ContentLength, lim)
	if err != nil {
		rule := wire.RuleOf(err)
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			rule = wire.KindTooLarge.Rule()
		}
		s.fault(w, r, wire.Fault{SOAPVersion: soapVersion, Code: "Client", Rule: rule, Reason: wire.Reason(err)})
		return
	}
	if msg.SOAPVersion != "" {
		soapVersion = msg.SOAPVersion
	}
	note.set(func(n *requestNote) { n.interaction, n.action = msg.Interaction, msg.Action })
	ex, err := ss.ReceiveMessage(r.Context(), msg, "soap-"+soapVersion+"/"+msg.DocumentFrom)
	if ctxErr := r.Context().Err(); err != nil && ctxErr != nil && errors.Is(err, ctxErr) {
		// The client went away, or the drain time ended; the message was
		// neither judged nor logged.
		s.fault(w, r, wire.Fault{SOAPVersion: soapVersion, Code: "Server", Reason: "the request ended before the archive judged the message"})
		return
	}
	if err != nil {
		s.logf("soap: receive", "err", err)
		s.fault(w, r, wire.Fault{SOAPVersion: soapVersion, Code: "Server", Reason: "the archive could not process the message"})
		return
	}
	note.set(func(n *requestNote) {
		n.operation, n.result, n.seq = string(ex.Operation), ex.AckType, ex.Seq
		for _, f := range ex.Findings.Errors() {
			if !slices.Contains(n.rules, f.Rule) {
				n.rules = append(n.rules, f.Rule)
			}
		}
	})
	ack := wire.Acknowledgement{
		ID:                strconv.FormatUint(s.acks.Add(1), 10),
		IDRoot:            kanta.OIDArchive,
		CreationTime:      ex.ReceivedAt,
		TargetMessageID:   ex.MessageIDExtension,
		TargetMessageRoot: ex.MessageIDRoot,
		Sender:            kanta.OIDArchive,
		Receiver:          ex.Sender,
		TypeCode:          ex.AckType,
		Details:           ex.Findings,
		Operation:         string(ex.Operation),
		Form:              s.AckForm,
	}
	if ack.Receiver == "" {
		ack.Receiver = "unknown"
	}
	if ack.TargetMessageRoot == "" {
		ack.TargetMessageRoot = "unknown"
	}
	var buf bytes.Buffer
	ct, err := wire.WriteAcknowledgement(&buf, soapVersion, ack)
	if err != nil {
		s.logf("soap: write acknowledgement", "err", err)
		s.fault(w, r, wire.Fault{SOAPVersion: soapVersion, Code: "Server", Reason: "the archive could not write its acknowledgement"})
		return
	}
	// Kept with the exchange before it is sent, so that the evidence
	// bundle holds every acknowledgement the vendor can have received.
	if err := ss.Acknowledged(r.Context(), ex.Seq, buf.Bytes()); err != nil {
		s.logf("soap: keep acknowledgement", "err", err)
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}

// requestSOAPVersion is the SOAP version the request's media type names:
// "1.2" for application/soap+xml, else "1.1".
func requestSOAPVersion(r *http.Request) string {
	if strings.Contains(strings.ToLower(r.Header.Get("Content-Type")), "soap+xml") {
		return "1.2"
	}
	return "1.1"
}

// fault answers with a SOAP Fault and HTTP 500 (WS-I Basic Profile 1.1,
// R1126), and notes its rule and reason for the request log.
func (s *Server) fault(w http.ResponseWriter, r *http.Request, f wire.Fault) {
	result := f.Rule
	if result == "" {
		result = "fault"
	}
	noteOf(r).setResult(result, f.Reason)
	s.faultStatus(w, http.StatusInternalServerError, f)
}

// faultStatus answers with a SOAP Fault and the HTTP status.
func (s *Server) faultStatus(w http.ResponseWriter, status int, f wire.Fault) {
	var buf bytes.Buffer
	ct, err := wire.WriteFault(&buf, f)
	if err != nil {
		http.Error(w, f.Reason, status)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

//go:embed wsdl/archive.wsdl
var wsdlText string

var wsdlTemplate = template.Must(template.New("wsdl").Parse(wsdlText))

// wsdlValues fill the WSDL template.
type wsdlValues struct {
	// Address is the endpoint's URL, XML-escaped.
	Address        string
	Interaction    string
	AckInteraction string
	Action         string
}

// handleWSDL serves the simulator's WSDL at GET /soap?wsdl and
// /s/{session}/soap?wsdl, with the endpoint address of the request's own
// host and session. It never creates the session.
func (s *Server) handleWSDL(w http.ResponseWriter, r *http.Request) {
	if !hasQueryKey(r, "wsdl") {
		s.writeJSONError(w, http.StatusMethodNotAllowed, "GET "+r.URL.Path+" serves only the WSDL (?wsdl); send archiving messages with POST")
		return
	}
	path := "/soap"
	if name, ok := mux.Vars(r)["session"]; ok {
		if !simulator.ValidSessionName(name) {
			s.writeJSONError(w, http.StatusNotFound, fmt.Sprintf("%q is not a session name", name))
			return
		}
		path = "/s/" + name + "/soap"
	}
	if !validHost(r.Host) {
		s.writeJSONError(w, http.StatusBadRequest, "the request's Host header is not a host name or address")
		return
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	var addr strings.Builder
	xml.EscapeText(&addr, []byte(scheme+"://"+r.Host+path))
	var buf bytes.Buffer
	err := wsdlTemplate.Execute(&buf, wsdlValues{
		Address:        addr.String(),
		Interaction:    kanta.InteractionArchiving,
		AckInteraction: kanta.InteractionAcknowledgement,
		Action:         wire.ActionFor(kanta.InteractionArchiving),
	})
	if err != nil {
		s.logf("wsdl", "err", err)
		s.writeJSONError(w, http.StatusInternalServerError, "the WSDL could not be written")
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.Write(buf.Bytes())
}

// hasQueryKey reports whether the query has key, in any letter case
// (?wsdl, ?WSDL).
func hasQueryKey(r *http.Request, key string) bool {
	for k := range r.URL.Query() {
		if strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}

// validHost reports whether h is host or host:port made of the characters
// of DNS names and IP addresses.
func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for _, c := range h {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.ContainsRune(".-:[]_", c):
		default:
			return false
		}
	}
	return true
}
