package rules

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/simulator/codes"
	"github.com/yhteistestaus/yhteistestaus/simulator/message"
)

// --- stage 4: codes -------------------------------------------------------

// boundCode is a coded element with the binding name of simulator/codes.
type boundCode struct {
	binding string
	code    message.Code
}

func (c *check) boundCodes() []boundCode {
	var out []boundCode
	if f := c.r.Frame; f != nil {
		if fd := f.Document; fd != nil {
			out = append(out, boundCode{"frame.document.code", fd.Code},
				boundCode{"frame.completionCode", fd.CompletionCode}, boundCode{"frame.storageCode", fd.StorageCode})
			for _, p := range fd.Patients {
				out = append(out, boundCode{"cda.administrativeGenderCode", p.Gender})
			}
		}
	}
	d := c.r.Document
	if d == nil {
		return out
	}
	out = append(out, boundCode{"cda.generalDocumentType", d.Code}, boundCode{"cda.confidentialityCode", d.Confidentiality})
	for _, p := range d.Patients {
		out = append(out, boundCode{"cda.administrativeGenderCode", p.Gender})
	}
	for _, cs := range d.Consents {
		out = append(out, boundCode{"cda.consentCode", cs})
	}
	if h := d.Header; h != nil {
		out = append(out,
			boundCode{"header.specificDocumentType", h.SpecificDocumentType},
			boundCode{"header.documentGroup", h.DocumentGroup},
			boundCode{"header.fileFormat", h.FileFormat},
			boundCode{"header.structuredFileFormat", h.StructuredFileFormat},
			boundCode{"header.functionCode", h.FunctionCode},
			boundCode{"header.recordStatus", h.RecordStatus},
			boundCode{"header.registryType", h.RegistryType},
			boundCode{"header.totalRetentionPeriodClass", h.TotalRetentionPeriodClass},
			boundCode{"header.specialContent", h.SpecialContent},
			boundCode{"header.serviceProcess.code", h.ServiceProcess},
			boundCode{"case.name", h.CaseName},
			boundCode{"header.caseStatus", h.CaseStatus},
			boundCode{"header.reasonOfCorrection", h.ReasonOfCorrection},
		)
		for _, ia := range h.InaccessibleArguments {
			out = append(out, boundCode{"header.inaccessibleArgument", ia})
		}
		for _, s := range h.SocialServices {
			out = append(out, boundCode{"body.socialService", s})
		}
		for _, s := range h.Signers {
			out = append(out, boundCode{"header.signature.authenticationMethod", s.AuthenticationMethod})
		}
		for _, s := range h.Signatures {
			out = append(out, boundCode{"header.signatureDescription", s.Type})
		}
	}
	return out
}

func (c *check) codes() {
	for _, bc := range c.boundCodes() {
		code := bc.code
		if !code.Present() {
			continue
		}
		// The location is built only for a finding.
		where := func(suffix string) string { return message.Path(code.El) + suffix }
		if code.Code == "" {
			if code.NullFlavor == "" {
				c.add("CODE-EMPTY", where(""), "coded element has neither a code nor a nullFlavor")
			}
			continue
		}
		oid, ok := c.v.Codes.Binding(bc.binding)
		if !ok {
			continue
		}
		if code.CodeSystem != "" && !message.SameCodeSystem(code.CodeSystem, oid) {
			// An earlier version of the bound classification that is no
			// longer in force is an expired code, not a wrong system.
			if old, ok := c.v.Codes.System(code.CodeSystem); ok && old.OID() == code.CodeSystem && sameClassification(code.CodeSystem, oid) && !old.ValidAt(c.now) && !c.r.Annulment {
				c.add("CODE-EXPIRED", where("/@codeSystem"), "classification %s (%s) is not in force on %s, use %s", old.Name(), code.CodeSystem, c.now.Format(time.DateOnly), oid)
				continue
			}
			c.add("CODE-SYSTEM", where("/@codeSystem"), "code system is %s, want %s", code.CodeSystem, oid)
			continue
		}
		sys, ok := c.v.Codes.System(oid)
		if !ok {
			continue
		}
		if !c.r.Annulment && !sys.ValidAt(c.now) {
			c.add("CODE-EXPIRED", where("/@codeSystem"), "classification %s (%s) is not in force on %s", sys.Name(), oid, c.now.Format(time.DateOnly))
			continue
		}
		val, ok := sys.Lookup(code.Code)
		switch {
		case !ok && sys.Complete():
			c.add("CODE-UNKNOWN", where("/@code"), "code %q is not in %s (%s)", code.Code, sys.Name(), oid)
		case !ok:
			c.unlisted(where("/@code"), sys, code.Code)
		case !c.r.Annulment && !val.ValidAt(c.now):
			// At annulment the code check is simplified (L25988-L25994).
			c.add("CODE-EXPIRED", where("/@code"), "code %q of %s is not in force on %s", code.Code, sys.Name(), c.now.Format(time.DateOnly))
		}
	}
	c.organisations()
	c.contentCodes()
}

// unlisted notes a code that the simulator's partial list of sys does not
// hold: information, once per code and message, never a rejection (the
// list is incomplete, the code may well be right).
func (c *check) unlisted(where string, sys *codes.System, code string) {
	if !c.first(sys.OID() + "|" + code) {
		return
	}
	c.add("CODE-UNLISTED", where, "code %q is not in the simulator's partial list of %s (%s), load the full list with --codes DIR to check it", code, sys.Name(), sys.OID())
}

// undeclaredNote is the message of a CODE-ORG-UNDECLARED finding; the OID
// comes first so that UndeclaredOrganisation can read it back.
const undeclaredNote = "organisation OID %s is not in the bundled part of %s: declare it with --organisation FILE"

// organisation notes an organisation or service unit OID that is neither
// in the bundled part of the organisation register nor declared by the
// vendor (--organisation), once per OID and message.
func (c *check) organisation(where string, sys *codes.System, oid string) {
	if _, ok := sys.Lookup(oid); ok {
		return
	}
	if _, ok := c.v.Organisations.Lookup(oid); ok {
		return
	}
	if c.first("org|" + oid) {
		c.add("CODE-ORG-UNDECLARED", where, undeclaredNote, oid, sys.Name())
	}
}

// first reports whether key is noted for the first time in this message.
func (c *check) first(key string) bool {
	if c.noted[key] {
		return false
	}
	if c.noted == nil {
		c.noted = make(map[string]bool)
	}
	c.noted[key] = true
	return true
}

// organisations checks the organisation OIDs of the header (custodian,
// organiser, provider, service unit) against the organisation register and
// the vendor's declaration.
func (c *check) organisations() {
	d := c.r.Document
	if d == nil {
		return
	}
	type boundID struct {
		binding string
		id      message.II
	}
	ids := []boundID{{"cda.custodian", d.Custodian}}
	if h := d.Header; h != nil {
		ids = append(ids, boundID{"header.organiser", h.OutsourcingServiceCustomer}, boundID{"header.serviceProvider", h.ServiceProvider})
	}
	if d.Case != nil {
		ids = append(ids, boundID{"cda.serviceUnit", d.Case.ServiceUnit})
	}
	for _, x := range ids {
		if x.id.Root == "" || !isOID(x.id.Root) {
			continue // the header stage reports a missing or malformed one
		}
		oid, ok := c.v.Codes.Binding(x.binding)
		if !ok {
			continue
		}
		if sys, ok := c.v.Codes.System(oid); ok && sys.Declarable() {
			c.organisation(message.AttrPath(x.id.El, "root"), sys, x.id.Root)
		}
	}
}

// UndeclaredOrganisation returns the OID a CODE-ORG-UNDECLARED finding
// names, so that a run can list them once.
func UndeclaredOrganisation(f yhteistestaus.Finding) (oid string, ok bool) {
	if f.Rule != "CODE-ORG-UNDECLARED" {
		return "", false
	}
	prefix, _, _ := strings.Cut(undeclaredNote, "%s")
	rest, ok := strings.CutPrefix(f.Message, prefix)
	if !ok {
		return "", false
	}
	oid, _, _ = strings.Cut(rest, " ")
	return oid, isOID(oid)
}

// contentCodes checks {system, code} objects inside the structured JSON.
func (c *check) contentCodes() {
	d := c.r.Document
	if d == nil || d.Body.JSON == nil {
		return
	}
	v, err := c.content()
	if err != nil {
		return // the body stage reports it
	}
	walkJSON(v, "", func(ptr string, obj map[string]any) {
		sysURI, _ := obj["system"].(string)
		code, hasCode := obj["code"].(string)
		if !hasCode || sysURI == "" {
			return
		}
		oid := strings.TrimPrefix(sysURI, "urn:oid:")
		sys, ok := c.v.Codes.System(oid)
		if !ok {
			return // content classifications are mostly not bundled
		}
		if _, ok := sys.Lookup(code); ok {
			return
		}
		where := message.Path(d.Body.JSONEl) + "#" + ptr
		switch {
		case sys.Declarable():
			c.organisation(where, sys, code)
		case sys.Complete():
			c.add("CODE-CONTENT", where, "content code %q is not in %s (%s)", code, sys.Name(), oid)
		default:
			c.unlisted(where, sys, code)
		}
	})
}

// walkJSON calls fn for every object in v with its JSON pointer.
func walkJSON(v any, ptr string, fn func(ptr string, obj map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		fn(ptr, x)
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			walkJSON(x[k], ptr+"/"+k, fn)
		}
	case []any:
		for i, e := range x {
			walkJSON(e, fmt.Sprintf("%s/%d", ptr, i), fn)
		}
	}
}

// sameClassification reports whether two code-system OIDs are versions of
// one classification: equal but for their last (version) arc.
func sameClassification(a, b string) bool {
	i, j := strings.LastIndexByte(a, '.'), strings.LastIndexByte(b, '.')
	return i > 0 && j > 0 && a[:i] == b[:j]
}
