package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/yhteistestaus/yhteistestaus"
)

// ValidationRequest is the body of the validation endpoint, shaped like
// Kanta's public validation service (wire-facts 2.6) and as the public
// SH-Kanta-validator client sends it: the XML as raw text in JSON strings.
type ValidationRequest struct {
	// MessageID is the client's id of the request; the server logs it.
	MessageID string `json:"messageId"`
	// ServiceRequest is the palvelupyyntö (SP1, SP17, ...). When given, it
	// must be the frame's own service request.
	ServiceRequest string `json:"palveluPyynto"`
	// Level is the validation level. The public client always sends "1",
	// and neither it nor the handbook defines another: level "1" (or none)
	// runs every stateless stage (see ValidationLevels).
	Level string `json:"level"`
	// Frame is the archiving frame (siirtokehys) as XML text.
	Frame string `json:"siirtokehysXml"`
	// Document is the CDA document as XML text.
	Document string `json:"asiakirjaXml"`
}

// ValidationLevels are the levels the validation service knows, with the
// stages each runs. Level 1 is the only level the public client sends: the
// stages the archive applies when it stores a message (xml, frame, header,
// codes, identity, consistency, body, signature), except the archive stage,
// whose rules need the archive's state that a stateless service does not
// have. An empty level is level 1.
var ValidationLevels = map[string][]string{
	"1": {"xml", "frame", "header", "codes", "identity", "consistency", "body", "signature"},
}

// ValidationError is the validation endpoint's answer, with HTTP 400, when
// the message is not valid: the errors numbered and joined,
// "1: ...;2: ...". No item contains ";", so a client that splits on it
// gets one item per error.
type ValidationError struct {
	Description string `json:"description"`
	// Findings is the simulator's addition: every finding, structured
	// (errors, warnings and notes).
	Findings yhteistestaus.Findings `json:"findings"`
}

// handleValidate answers like Kanta's validation service: HTTP 200 with an
// empty body when valid; HTTP 400 with JSON {"description": "1: ...;2: ...",
// "findings": [...]} when not (also for a request it cannot read); HTTP 415
// for a body that is not JSON.
func (s *Server) handleValidate(w http.ResponseWriter, r *http.Request) {
	lim := s.limits()
	cat := s.Sim.Validator().Catalogue
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		s.writeJSON(w, http.StatusUnsupportedMediaType, ValidationError{
			Description: describe(fmt.Sprintf("Content-Type %q is not application/json, send the request as JSON {messageId, palveluPyynto, level, siirtokehysXml, asiakirjaXml}", r.Header.Get("Content-Type"))),
		})
		return
	}
	var req ValidationRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, lim.MaxBytes))
	if err := dec.Decode(&req); err != nil {
		status := http.StatusBadRequest
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			status = http.StatusRequestEntityTooLarge
		}
		s.writeJSON(w, status, ValidationError{Description: describe("request is not valid JSON: " + err.Error())})
		return
	}
	level := req.Level
	if level == "" {
		level = "1"
	}
	if _, ok := ValidationLevels[level]; !ok {
		s.writeJSON(w, http.StatusBadRequest, ValidationError{Description: describe(fmt.Sprintf("level %q is not known, the service knows level 1 (every check of the archive except those that need its state)", req.Level))})
		return
	}
	if req.Frame == "" || req.Document == "" {
		s.writeJSON(w, http.StatusBadRequest, ValidationError{Description: describe("siirtokehysXml and asiakirjaXml are required")})
		return
	}
	var notes yhteistestaus.Findings
	frame, lied := withoutUTF16Declaration(req.Frame)
	if lied {
		notes = append(notes, cat.Finding("XML-DECLARED-UTF16", "siirtokehysXml", "siirtokehysXml declares encoding UTF-16 but arrived as JSON text, so it is read as the Unicode text it is"))
	}
	document, lied := withoutUTF16Declaration(req.Document)
	if lied {
		notes = append(notes, cat.Finding("XML-DECLARED-UTF16", "asiakirjaXml", "asiakirjaXml declares encoding UTF-16 but arrived as JSON text, so it is read as the Unicode text it is"))
	}
	res := s.Sim.Validate(r.Context(), []byte(frame), []byte(document))
	if res.Cancelled != nil {
		s.writeJSON(w, http.StatusServiceUnavailable, ValidationError{Description: describe("the request ended before the validation did")})
		return
	}
	findings := append(notes, res.Findings...)
	if req.ServiceRequest != "" && res.ServiceRequest != "" && req.ServiceRequest != res.ServiceRequest {
		findings = append(findings, cat.Finding("FRAME-SERVICE-REQUEST", "palveluPyynto",
			"palveluPyynto %s differs from the frame's service request %s", req.ServiceRequest, res.ServiceRequest))
	}
	errs := findings.Errors()
	s.logf("validation service", "messageId", req.MessageID, "palveluPyynto", req.ServiceRequest, "level", level,
		"valid", len(errs) == 0, "errors", len(errs), "findings", len(findings))
	if len(errs) == 0 {
		w.WriteHeader(http.StatusOK)
		return
	}
	items := make([]string, len(errs))
	for i, f := range errs {
		items[i] = fmt.Sprintf("%s %s (%s)", f.Rule, f.Message, f.Location)
	}
	s.writeJSON(w, http.StatusBadRequest, ValidationError{Description: describe(items...), Findings: findings})
}

// describe numbers the items and joins them as Kanta's service does:
// "1: first;2: second". A ";" inside an item (from a library's message,
// say) becomes ",", so that every item stays one item for a client that
// splits on ";".
func describe(items ...string) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = fmt.Sprintf("%d: %s", i+1, strings.ReplaceAll(it, ";", ","))
	}
	return strings.Join(parts, ";")
}

// withoutUTF16Declaration returns text without a leading XML declaration
// that names UTF-16, and whether it had one. The public validator client
// puts <?xml version="1.0" encoding="utf-16"?> before UTF-8 text; on this
// JSON path the text is Unicode already, so the declaration is dropped
// (with a note) and the rest is read as it is. Only here: everywhere else
// a declaration that does not match the bytes is an XML-ENCODING error.
func withoutUTF16Declaration(text string) (string, bool) {
	t := strings.TrimLeft(text, " \t\r\n\ufeff")
	if !strings.HasPrefix(t, "<?xml") {
		return text, false
	}
	end := strings.Index(t, "?>")
	if end < 0 {
		return text, false
	}
	decl := t[:end]
	i := strings.Index(decl, "encoding")
	if i < 0 {
		return text, false
	}
	v := strings.TrimLeft(decl[i+len("encoding"):], " \t\r\n")
	v, ok := strings.CutPrefix(v, "=")
	if !ok {
		return text, false
	}
	v = strings.TrimLeft(v, " \t\r\n")
	if v == "" || (v[0] != '"' && v[0] != '\'') {
		return text, false
	}
	enc, _, ok := strings.Cut(v[1:], v[:1])
	if !ok {
		return text, false
	}
	switch strings.ToLower(enc) {
	case "utf-16", "utf-16le", "utf-16be":
		return strings.TrimLeft(t[end+2:], " \t\r\n"), true
	}
	return text, false
}
