package rules

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/hetu"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/organisation"
	"github.com/yhteistestaus/yhteistestaus/simulator/body"
	"github.com/yhteistestaus/yhteistestaus/simulator/codes"
	"github.com/yhteistestaus/yhteistestaus/simulator/message"
	"github.com/yhteistestaus/yhteistestaus/simulator/signature"
	"github.com/yhteistestaus/yhteistestaus/simulator/sosmeta"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// Validator applies the stateless rules (stages 1 to 8) to an archiving
// message. A Validator is safe for concurrent use once built.
type Validator struct {
	Catalogue *Catalogue
	Codes     *codes.Set
	// Schemas are the document structures the body stage judges the
	// structured content by: THL's Sosmeta export when the user names one
	// (--sosmeta), else the embedded fallback (body.DefaultSchemas).
	Schemas *sosmeta.Set
	Groups  *kanta.Groups
	// Organisations are the vendor's declared organisations and service
	// units (--organisation); nil declares none.
	Organisations *organisation.Declaration
	// Limits bound the XML Validate reads (the transport's, wire.Limits).
	Limits wire.Limits
	// Now gives the archiving time, for code validity and client age; nil
	// means time.Now. The simulator passes its injectable clock.
	Now func() time.Time
}

// NewValidator returns a validator with the embedded catalogue, code lists,
// schemas and groups.
func NewValidator() (*Validator, error) {
	cs := codes.Default()
	ss, err := body.DefaultSchemas()
	if err != nil {
		return nil, fmt.Errorf("schemas: %w", err)
	}
	gs, err := kanta.DefaultGroups()
	if err != nil {
		return nil, err
	}
	if err := checkRequiredElements(gs); err != nil {
		return nil, err
	}
	return &Validator{Catalogue: Default(), Codes: cs, Schemas: ss, Groups: gs, Limits: wire.DefaultLimits()}, nil
}

// Result is the outcome of validating one message: the findings and the
// models read from it, which the archive uses to apply its state rules.
type Result struct {
	Findings yhteistestaus.Findings
	// Frame and Document are nil when they could not be read.
	Frame    *message.Frame
	Document *message.Document
	// Group is the document's group; nil when missing or unknown.
	Group *kanta.Group
	// ServiceRequest and Usage are the control act's reason codes.
	ServiceRequest string
	Usage          string
	// Annulment is true when the document's record status is the annulment
	// status: the message annuls the document's set.
	Annulment bool
	// Signatures are the checked signatures.
	Signatures []signature.Result
	// CaseClosed is true for a case document that closes its case.
	CaseClosed bool
	// Clients are the client identifiers of the document (hetu or
	// temporary identifier), root^extension.
	Clients []message.II
	// Cancelled is the context's error when the validation stopped before
	// it was complete; the findings are then partial and say nothing about
	// the message.
	Cancelled error
}

// MaxFindingsPerRule is the number of findings one rule adds for one
// message. Beyond it the rule adds a single finding that counts the rest,
// so that a hostile message cannot make the acknowledgement arbitrarily
// long.
const MaxFindingsPerRule = 20

// check carries one validation run.
type check struct {
	ctx context.Context
	v   *Validator
	r   *Result
	now time.Time

	// perRule counts the findings of each rule; omitted the findings over
	// MaxFindingsPerRule, with the location of the first one omitted.
	perRule map[string]int
	omitted []omission

	// serviceRequestLoc is where the service request is, for findings of
	// later stages.
	serviceRequestLoc string

	// noted holds the codes and organisation OIDs already noted as
	// information in this message, so that each is noted once.
	noted map[string]bool

	// The structured content, decoded once (see content).
	contentRead bool
	contentDoc  any
	contentErr  error
}

// omission counts the findings of a rule left out over MaxFindingsPerRule.
type omission struct {
	rule, loc string
	n         int
}

// add adds a finding of the rule, unless the rule already has
// MaxFindingsPerRule findings: then it only counts it (see summarize).
func (c *check) add(rule string, loc string, format string, args ...any) {
	if c.perRule == nil {
		c.perRule = make(map[string]int)
	}
	c.perRule[rule]++
	if n := c.perRule[rule]; n > MaxFindingsPerRule {
		if n == MaxFindingsPerRule+1 {
			c.omitted = append(c.omitted, omission{rule: rule, loc: loc})
		}
		for i := range c.omitted {
			if c.omitted[i].rule == rule {
				c.omitted[i].n++
			}
		}
		return
	}
	c.r.Findings = append(c.r.Findings, c.v.Catalogue.Finding(rule, loc, format, args...))
}

// summarize adds one finding per rule that had findings left out, counting
// them.
func (c *check) summarize() {
	for _, o := range c.omitted {
		c.r.Findings = append(c.r.Findings, c.v.Catalogue.Finding(o.rule, o.loc,
			"%d more findings of rule %s are not listed (the first %d are)", o.n, o.rule, MaxFindingsPerRule))
	}
}

// Validate runs stages 1 to 8 on a frame and its document. document may be
// nil (the frame carried none), which is itself a finding. Validate never
// panics on bad input. ctx is checked between stages and while checking
// signatures; when it ends, Validate stops and returns a Result whose
// Cancelled is ctx.Err().
func (v *Validator) Validate(ctx context.Context, frame, document []byte) *Result {
	c := v.newCheck(ctx)
	fdoc := c.parse("frame", frame)
	var ddoc *etree.Document
	if document != nil {
		ddoc = c.parse("document", document)
	}
	return c.run(fdoc, ddoc, document, document != nil)
}

// ValidateXML is Validate for a message already read, as wire.Read hands it
// over: the frame and the document parsed once by wire.ParseXML, and the
// document's bytes as received (for Document.Raw). document nil means the
// message carries none, which is itself a finding.
func (v *Validator) ValidateXML(ctx context.Context, frame, document *etree.Document, documentBytes []byte) *Result {
	return v.newCheck(ctx).run(frame, document, documentBytes, document != nil)
}

func (v *Validator) newCheck(ctx context.Context) *check {
	c := &check{ctx: ctx, v: v, r: &Result{}, now: time.Now()}
	if v.Now != nil {
		c.now = v.Now()
	}
	return c
}

// run runs the stages on the parsed frame and document; hasDocument is
// false when the message carried no document at all.
func (c *check) run(fdoc, ddoc *etree.Document, document []byte, hasDocument bool) *Result {
	ctx := c.ctx
	if !hasDocument {
		c.add("XML-NO-DOCUMENT", "/", "the message carries no CDA document")
	}
	if fdoc != nil {
		if f, err := message.ParseFrame(fdoc); err != nil {
			c.add("XML-ROOT", "/", "%v", err)
		} else {
			c.r.Frame = f
		}
	}
	if ddoc != nil {
		if d, err := message.ParseDocument(ddoc); err != nil {
			c.add("XML-ROOT", "/", "%v", err)
		} else {
			d.Raw = document
			c.r.Document = d
		}
	}
	stages := []func(){c.frame, c.header, c.codes, c.identity, c.consistency, c.body, c.signatures}
	for _, stage := range stages {
		if err := ctx.Err(); err != nil {
			c.r.Cancelled = err
		}
		if c.r.Cancelled != nil {
			return c.r
		}
		stage()
	}
	if err := ctx.Err(); err != nil {
		c.r.Cancelled = err
		return c.r
	}
	c.summarize()
	return c.r
}

func (c *check) parse(what string, data []byte) *etree.Document {
	doc, err := wire.ParseXML(data, c.v.Limits, what)
	if err == nil {
		return doc
	}
	c.add(wire.RuleOf(err), "/", "%s", wire.Reason(err))
	return nil
}

// loc returns the location of a possibly missing element, falling back to
// a description of where it should be.
func loc(e *etree.Element, fallback string) string {
	if e != nil {
		return message.Path(e)
	}
	return fallback
}

// --- stage 2: frame -------------------------------------------------------

func (c *check) frame() {
	f := c.r.Frame
	if f == nil {
		return
	}
	if f.Interaction != kanta.InteractionArchiving || f.InteractionID.Extension != kanta.InteractionArchiving || f.InteractionID.Root != kanta.OIDInteraction {
		c.add("FRAME-INTERACTION", loc(f.InteractionID.El, "/"+f.Interaction+"/interactionId"),
			"interaction is %s with interactionId %s, want %s with interactionId %s^%s",
			f.Interaction, f.InteractionID, kanta.InteractionArchiving, kanta.OIDInteraction, kanta.InteractionArchiving)
	}
	if f.ID.Root == "" || f.ID.Extension == "" || !isOID(f.ID.Root) {
		c.add("FRAME-ID", loc(f.ID.El, "/"+f.Interaction+"/id"), "message id %q needs an OID root and an extension", f.ID.String())
	}
	if _, err := message.ParseTS(f.CreationTime.Value); err != nil {
		c.add("FRAME-CREATION-TIME", loc(f.CreationTime.El, "/"+f.Interaction+"/creationTime"), "creationTime: %v", err)
	}
	for _, pc := range []struct {
		name string
		code message.Code
		ok   []string
	}{
		{"processingCode", f.Processing, []string{"D", "P", "T"}},
		{"processingModeCode", f.ProcessingMode, []string{"A", "I", "R", "T"}},
		{"acceptAckCode", f.AcceptAck, []string{"AL", "ER", "NE"}},
	} {
		if !slices.Contains(pc.ok, pc.code.Code) {
			c.add("FRAME-PROCESSING", loc(pc.code.El, "/"+f.Interaction+"/"+pc.name),
				"%s is %q, want one of %s", pc.name, pc.code.Code, strings.Join(pc.ok, ", "))
		}
	}
	if len(f.Receivers) != 1 || f.Receivers[0].Root != kanta.OIDArchive {
		var got []string
		for _, r := range f.Receivers {
			got = append(got, r.Root)
		}
		c.add("FRAME-RECEIVER", "/"+f.Interaction+"/receiver/device/id", "receiver device is %q, want the archive %s", strings.Join(got, ", "), kanta.OIDArchive)
	}
	if len(f.Senders) != 1 || !isOID(f.Senders[0].Root) {
		c.add("FRAME-SENDER", "/"+f.Interaction+"/sender/device/id", "the message needs exactly one sender device with an organisation OID")
	}
	if f.ControlAct == nil {
		c.add("FRAME-SUBJECT", "/"+f.Interaction+"/controlActProcess", "the message has no controlActProcess")
		return
	}
	// plan-frame.xml, from a production system, names the code system
	// without a code: that is accepted as it stands.
	sampleForm := f.TriggerEvent.Code == "" && f.TriggerEvent.CodeSystem == kanta.OIDTriggerEvent
	if !sampleForm && (f.TriggerEvent.Code != kanta.TriggerArchiving || f.TriggerEvent.CodeSystem != kanta.OIDTriggerEvent) {
		c.add("FRAME-TRIGGER", loc(f.TriggerEvent.El, message.Path(f.ControlAct)+"/code"),
			"trigger event is %q in %q, want %s in %s", f.TriggerEvent.Code, f.TriggerEvent.CodeSystem, kanta.TriggerArchiving, kanta.OIDTriggerEvent)
	}
	var srs []message.Code
	for _, rc := range f.ReasonCodes {
		switch {
		case message.SameCodeSystem(rc.CodeSystem, kanta.OIDServiceRequest):
			srs = append(srs, rc)
		case message.SameCodeSystem(rc.CodeSystem, kanta.OIDUsageSituation):
			c.r.Usage = rc.Code
		}
	}
	caLoc := message.Path(f.ControlAct) + "/reasonCode"
	switch {
	case len(srs) != 1:
		c.add("FRAME-SERVICE-REQUEST", caLoc, "found %d service-request reasonCodes in %s, want exactly one", len(srs), kanta.OIDServiceRequest)
	default:
		c.r.ServiceRequest = srs[0].Code
		c.serviceRequestLoc = message.Path(srs[0].El)
		if sys, ok := c.v.Codes.System(kanta.OIDServiceRequest); ok {
			if _, ok := sys.Lookup(srs[0].Code); !ok {
				c.add("FRAME-SERVICE-REQUEST", message.Path(srs[0].El), "service request %q is not a known service request", srs[0].Code)
			}
		}
	}
	usage := f.ReasonCode(kanta.OIDUsageSituation)
	switch {
	case usage.El == nil:
		c.add("FRAME-USAGE-SITUATION", caLoc, "the control act declares no usage situation (%s)", kanta.OIDUsageSituation)
	case !slices.Contains([]string{"1", "2", "3", "4"}, usage.Code):
		c.add("FRAME-USAGE-SITUATION", message.Path(usage.El), "usage situation %q is not one of 1-4", usage.Code)
	case usage.Code == "3":
		c.add("FRAME-USAGE-STORE", message.Path(usage.El), "usage situation 3 (another controller's register) allows searching only, not archiving")
	}
	p := f.Performer
	if p.El == nil || p.ID.Extension == "" || (p.ID.Root != kanta.OIDHetu && p.ID.Root != kanta.OIDRegistrationNumber) {
		c.add("FRAME-PERFORMER", loc(p.El, message.Path(f.ControlAct)+"/authorOrPerformer"),
			"authorOrPerformer/assignedPerson/id must give the sender's identity code (%s) or registration number (%s)", kanta.OIDHetu, kanta.OIDRegistrationNumber)
	}
	if f.Document == nil {
		c.add("FRAME-SUBJECT", message.Path(f.ControlAct)+"/subject/clinicalDocument", "the control act carries no subject/clinicalDocument")
	}
}

// --- stage 3: header ------------------------------------------------------

func (c *check) header() {
	d := c.r.Document
	if d == nil {
		return
	}
	root := "/ClinicalDocument"
	if tid := childEl(d.Root, kanta.NamespaceHL7, "typeId"); tid == nil || tid.SelectAttrValue("extension", "") != "POCD_HD000040" {
		c.add("HDR-TYPEID", root+"/typeId", "typeId must be 2.16.840.1.113883.1.3^POCD_HD000040")
	}
	if !isOID(d.ID.Root) {
		c.add("HDR-ID", loc(d.ID.El, root+"/id"), "document id %q is not an OID", d.ID.Root)
	}
	if !isOID(d.SetID.Root) {
		c.add("HDR-SETID", loc(d.SetID.El, root+"/setId"), "setId %q is not an OID", d.SetID.Root)
	}
	if n, err := d.Version.Int(); err != nil || n < 1 {
		c.add("HDR-VERSION", loc(d.Version.El, root+"/versionNumber"), "versionNumber %q is not a positive integer", d.Version.Value)
	}
	if _, err := message.ParseTS(d.EffectiveTime.Value); err != nil {
		c.add("HDR-EFFECTIVE-TIME", loc(d.EffectiveTime.El, root+"/effectiveTime"), "effectiveTime: %v", err)
	}
	if d.Confidentiality.Code == "" {
		c.add("HDR-CONFIDENTIALITY", loc(d.Confidentiality.El, root+"/confidentialityCode"), "the document has no confidentialityCode")
	}
	if len(d.Patients) == 0 {
		c.add("HDR-CLIENT", root+"/recordTarget", "the document names no client in recordTarget/patientRole")
	}
	if !isOID(d.Custodian.Root) {
		c.add("HDR-CUSTODIAN", loc(d.Custodian.El, root+"/custodian"), "the custodian needs an organisation OID")
	}
	h := d.Header
	if h == nil {
		c.add("HDR-LOCAL-HEADER", root+"/localSocialHeader", "the document has no localSocialHeader in %s", kanta.NamespaceHL7Finland)
		return
	}
	for _, e := range h.Elements {
		if e.NamespaceURI() != kanta.NamespaceHL7Finland || !c.v.Groups.KnownHeaderElement(e.Tag) {
			c.add("HDR-UNKNOWN-ELEMENT", message.Path(e), "localSocialHeader element %s {%s} is not in the metadata model", e.Tag, e.NamespaceURI())
		}
	}
	c.r.Annulment = h.RecordStatus.Code == c.v.Groups.RecordStatus.Annulled
	if h.RecordStatus.Code != "" && h.RecordStatus.Code != c.v.Groups.RecordStatus.Ready && !c.r.Annulment {
		c.add("HDR-RECORD-STATUS", message.Path(h.RecordStatus.El), "record status %q is neither ready for archiving (%s) nor annulled (%s)",
			h.RecordStatus.Code, c.v.Groups.RecordStatus.Ready, c.v.Groups.RecordStatus.Annulled)
	}
	if h.DocumentGroup.Code == "" {
		c.add("HDR-DOCUMENT-GROUP", loc(h.DocumentGroup.El, message.Path(h.El)+"/documentGroup"), "the localSocialHeader names no document group")
		return
	}
	g, ok := c.v.Groups.ByCode(h.DocumentGroup.Code)
	if !ok {
		c.add("HDR-DOCUMENT-GROUP", message.Path(h.DocumentGroup.El), "document group %q is not known", h.DocumentGroup.Code)
		return
	}
	c.r.Group = g
	if g.Kind == kanta.KindClientRelation && len(d.Patients) > 1 {
		c.add("HDR-CLIENT", root+"/recordTarget", "a client relation document has exactly one client, found %d", len(d.Patients))
	}
	reported := make(map[string]bool)
	elements := headerElements()
	for _, name := range g.Required {
		el := elements[name]
		if !el.present(d) && !reported[el.display] {
			reported[el.display] = true
			c.add(el.rule, el.display, "%s is missing, but documents of group %s (%s) must have it", el.display, g.Code, g.Name)
		}
	}
	if g.Structured && h.StructuredFileFormat.Code == "" && !reported["localSocialHeader/structuredFileFormat"] {
		c.add("HDR-FORMAT", message.Path(h.El)+"/structuredFileFormat", "documents of group %s (%s) are structured and need structuredFileFormat", g.Code, g.Name)
	}
	if c.r.ServiceRequest != "" && !c.serviceRequestFits(g) {
		c.add("FRAME-SERVICE-REQUEST-GROUP", c.serviceRequestLoc, "service request %s does not fit document group %s (%s)",
			c.r.ServiceRequest, g.Code, g.Name)
	}
	if g.IsClientDocument() && !c.r.Annulment && slices.Contains(c.v.Groups.ImplementationProcesses, h.ServiceProcess.Code) && len(h.SocialServices) == 0 {
		c.add("HDR-SOCIAL-SERVICE", message.Path(h.ServiceProcess.El), "service process %s is the implementation of the service, so the document names its social service (socialService)", h.ServiceProcess.Code)
	}
	if g.Kind == kanta.KindCase {
		c.r.CaseClosed = h.CaseStatus.Code == c.v.Groups.CaseStatus.Closed || (d.Case != nil && d.Case.High.Value != "")
	}
	if g.Kind == kanta.KindCase {
		c.caseStatus()
	}
	if h.FileFormat.Code != "" && c.displayFormat(h.FileFormat.Code) == "pdf" && g.IsClientDocument() && h.Description.Value == "" && d.Body.MediaType == "application/pdf" {
		c.add("HDR-DESCRIPTION", message.Path(h.El)+"/description", "an unstructured (PDF) document needs its free-text name in the description metadata")
	}
	if c.isAttachment() && h.MainDocument.Root == "" {
		c.add("HDR-ATTACHMENT", message.Path(h.El)+"/mainDocument", "an attachment must name its main document")
	}
	if h.DelayDate.Present() {
		if _, err := message.ParseTS(h.DelayDate.Value); err != nil {
			c.add("HDR-DELAY", message.Path(h.DelayDate.El), "delayDate: %v", err)
		}
		if len(h.InaccessibleArguments) == 0 {
			c.add("HDR-DELAY", message.Path(h.DelayDate.El), "a MittKanta display delay needs its ground in inaccessibleArgument")
		}
	}
}

// serviceRequestFits reports whether the message's service request suits
// the document group and the operation.
func (c *check) serviceRequestFits(g *kanta.Group) bool {
	sr, ops := c.r.ServiceRequest, c.v.Groups.OperationServiceRequests
	version, _ := c.r.Document.Version.Int()
	switch sr {
	case ops.NewVersion:
		return version > 1 && !c.r.Annulment
	case ops.Annul:
		return c.r.Annulment
	}
	return g.AllowsServiceRequest(sr)
}

func (c *check) isAttachment() bool {
	h := c.r.Document.Header
	return h.SpecificDocumentType.Code != "" && c.specificTypeIsAttachment(h.SpecificDocumentType.Code)
}

// --- helpers --------------------------------------------------------------

func childEl(e *etree.Element, ns, local string) *etree.Element {
	for _, ch := range e.ChildElements() {
		if ch.Tag == local && ch.NamespaceURI() == ns {
			return ch
		}
	}
	return nil
}

// isOID reports whether s looks like an OID: digits separated by dots.
func isOID(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch == '.' {
			if s[i-1] == '.' {
				return false
			}
			continue
		}
		if ch < '0' || ch > '9' {
			return false
		}
	}
	return strings.Contains(s, ".")
}

// hetuError maps a hetu parse error to its rule.
func hetuRule(err error) string {
	switch {
	case errors.Is(err, hetu.ErrDate):
		return "ID-HETU-DATE"
	case errors.Is(err, hetu.ErrCheck):
		return "ID-HETU-CHECK"
	default:
		return "ID-HETU-FORMAT"
	}
}
