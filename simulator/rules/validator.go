// Package rules provides the engine that applies the stateless rules
// (stages 1 to 8) of the rule catalogue (package catalogue, the spine) to an
// archiving message: frame, header, codes, identity, consistency, body and
// signatures. Each finding is built from its rule's catalogue entry.
package rules

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/catalogue"
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
	Catalogue *catalogue.Rules
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
	return &Validator{Catalogue: catalogue.DefaultRules(), Codes: cs, Schemas: ss, Groups: gs, Limits: wire.DefaultLimits()}, nil
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
