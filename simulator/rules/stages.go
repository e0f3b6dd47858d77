package rules

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/hetu"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/body"
	"github.com/yhteistestaus/yhteistestaus/simulator/codes"
	"github.com/yhteistestaus/yhteistestaus/simulator/message"
	"github.com/yhteistestaus/yhteistestaus/simulator/signature"
	"github.com/yhteistestaus/yhteistestaus/simulator/sosmeta"
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
		where := message.Path(code.El)
		if code.Code == "" {
			if code.NullFlavor == "" {
				c.add("CODE-EMPTY", where, "coded element has neither a code nor a nullFlavor")
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
				c.add("CODE-EXPIRED", where+"/@codeSystem", "classification %s (%s) is not in force on %s, use %s", old.Name(), code.CodeSystem, c.now.Format(time.DateOnly), oid)
				continue
			}
			c.add("CODE-SYSTEM", where+"/@codeSystem", "code system is %s, want %s", code.CodeSystem, oid)
			continue
		}
		sys, ok := c.v.Codes.System(oid)
		if !ok {
			continue
		}
		if !c.r.Annulment && !sys.ValidAt(c.now) {
			c.add("CODE-EXPIRED", where+"/@codeSystem", "classification %s (%s) is not in force on %s", sys.Name(), oid, c.now.Format(time.DateOnly))
			continue
		}
		val, ok := sys.Lookup(code.Code)
		switch {
		case !ok && sys.Complete():
			c.add("CODE-UNKNOWN", where+"/@code", "code %q is not in %s (%s)", code.Code, sys.Name(), oid)
		case !ok:
			c.unlisted(where+"/@code", sys, code.Code)
		case !c.r.Annulment && !val.ValidAt(c.now):
			// At annulment the code check is simplified (L25988-L25994).
			c.add("CODE-EXPIRED", where+"/@code", "code %q of %s is not in force on %s", code.Code, sys.Name(), c.now.Format(time.DateOnly))
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

// --- stage 5: identity ----------------------------------------------------

func (c *check) identity() {
	d := c.r.Document
	seen := make(map[string]bool)
	checkHetu := func(value, where, who string, client bool) (hetu.Code, bool) {
		code, err := hetu.Parse(value)
		if err != nil {
			c.add(hetuRule(err), where, "%s's personal identity code: %v", who, err)
			return code, false
		}
		if !code.Test && !seen[value] {
			seen[value] = true
			c.add("ID-TEST-IDENTITY", where, "%s's personal identity code is not a test identity (individual number 900-999), only test identities are accepted", who)
			return code, false
		}
		return code, true
	}
	checkPerson := func(p message.Person, who string, client bool) {
		id := p.ID
		switch {
		case id.Root == kanta.OIDHetu:
			code, ok := checkHetu(id.Extension, message.AttrPath(id.El, "extension"), who, client)
			if ok && client && p.BirthTime.Value != "" {
				bt, err := message.ParseTS(p.BirthTime.Value)
				if err != nil || bt.Format("20060102") != code.BirthDate.Format("20060102") {
					c.add("ID-BIRTH-DATE", message.Path(p.BirthTime.El), "birth time %q does not match the identity code's birth date %s",
						p.BirthTime.Value, code.BirthDate.Format(time.DateOnly))
				}
			}
		case client && id.Null():
			c.add("ID-CLIENT-MISSING", loc(id.El, message.Path(p.El)+"/id"), "the client has neither a personal identity code nor a temporary identifier")
		case client:
			if !isOID(id.Root) || id.Extension == "" {
				c.add("ID-TEMP-ID", loc(id.El, message.Path(p.El)), "temporary identifier %q needs an OID root and a value", id.String())
			}
		case !client && id.Root == kanta.OIDRegistrationNumber:
			if id.Extension == "" {
				c.add("ID-PROFESSIONAL", message.Path(id.El), "registration number without a value")
			}
		case !client && id.NullFlavor == "":
			c.add("ID-PROFESSIONAL", loc(id.El, message.Path(p.El)), "professional id root %q is neither %s nor %s", id.Root, kanta.OIDHetu, kanta.OIDRegistrationNumber)
		}
	}
	if f := c.r.Frame; f != nil {
		if f.Performer.ID.Root == kanta.OIDHetu {
			checkPerson(f.Performer, "the sender", false)
		}
		if f.Document != nil {
			for _, p := range f.Document.Patients {
				checkPerson(p, "the frame's client", true)
			}
			for _, p := range f.Document.Authors {
				if p.ID.Root == kanta.OIDHetu {
					checkPerson(p, "the frame's author", false)
				}
			}
		}
	}
	if d == nil {
		return
	}
	for _, p := range d.Patients {
		checkPerson(p, "the client", true)
		c.r.Clients = append(c.r.Clients, p.ID)
	}
	for _, p := range d.Authors {
		if !p.ID.Null() {
			checkPerson(p, "the author", false)
		}
	}
	// Clients in the structured content.
	if d.Body.JSON != nil {
		if v, err := c.content(); err == nil {
			docHetus := make(map[string]bool)
			for _, p := range d.Patients {
				if p.ID.Root == kanta.OIDHetu {
					docHetus[p.ID.Extension] = true
				}
			}
			for _, jc := range jsonClients(v) {
				where := message.Path(d.Body.JSONEl) + "#" + jc.ptr
				if _, ok := checkHetu(jc.hetu, where, "the content's client", true); !ok {
					continue
				}
				if !docHetus[jc.hetu] {
					c.add("ID-SAME-CLIENT", where, "the content names client %s, who is not a client in the metadata (recordTarget)", hetu.Mask(jc.hetu))
				}
			}
		}
	}
	c.minors(d)
}

// minors checks that a minor client's documents say whether they may be
// shown to the guardian.
func (c *check) minors(d *message.Document) {
	g := c.r.Group
	if g == nil || g.Kind == kanta.KindCase || g.Kind == kanta.KindOld || c.r.Annulment {
		return
	}
	at, err := message.ParseTS(d.EffectiveTime.Value)
	if err != nil {
		at = c.now
	}
	for _, p := range d.Patients {
		if p.ID.Root != kanta.OIDHetu {
			continue
		}
		code, err := hetu.Parse(p.ID.Extension)
		if err != nil || !at.Before(code.BirthDate.AddDate(18, 0, 0)) {
			continue
		}
		has := false
		for _, cs := range d.Consents {
			if message.SameCodeSystem(cs.CodeSystem, kanta.OIDGuardianConsent) && cs.Code != "" {
				has = true
			}
		}
		if !has {
			c.add("ID-MINOR-GUARDIAN", "/ClinicalDocument/authorization/consent/code",
				"the client is under 18 on %s and the document does not say whether it may be shown to the guardian (%s)",
				at.Format(time.DateOnly), kanta.OIDGuardianConsent)
		}
	}
}

type jsonClient struct{ ptr, hetu string }

// jsonClients finds the identity codes of clients in structured content:
// objects under an "asiakas" key holding henkilotunnus {system, value}.
func jsonClients(v any) []jsonClient {
	var out []jsonClient
	var walk func(v any, ptr string, inClient bool)
	walk = func(v any, ptr string, inClient bool) {
		switch x := v.(type) {
		case map[string]any:
			if inClient {
				if ht, ok := x["henkilotunnus"].(map[string]any); ok {
					sys, _ := ht["system"].(string)
					val, _ := ht["value"].(string)
					if strings.TrimPrefix(sys, "urn:oid:") == kanta.OIDHetu && val != "" {
						out = append(out, jsonClient{ptr + "/henkilotunnus/value", val})
					}
				}
			}
			for k, e := range x {
				walk(e, ptr+"/"+k, k == "asiakas")
			}
		case []any:
			for i, e := range x {
				walk(e, fmt.Sprintf("%s/%d", ptr, i), inClient)
			}
		}
	}
	walk(v, "", false)
	slices.SortFunc(out, func(a, b jsonClient) int { return strings.Compare(a.ptr, b.ptr) })
	return out
}

// --- stage 6: frame and document consistency ------------------------------

func (c *check) consistency() {
	f, d := c.r.Frame, c.r.Document
	if f == nil || f.Document == nil || d == nil {
		return
	}
	fd := f.Document
	if fd.ID.Root != d.ID.Root || fd.ID.Extension != d.ID.Extension {
		c.add("CONS-ID", loc(fd.ID.El, message.Path(fd.El)+"/id"), "frame says document id %q, the document is %q", fd.ID.String(), d.ID.String())
	}
	if fd.SetID.Root != d.SetID.Root || fd.SetID.Extension != d.SetID.Extension {
		c.add("CONS-SETID", loc(fd.SetID.El, message.Path(fd.El)+"/setId"), "frame says setId %q, the document has %q", fd.SetID.String(), d.SetID.String())
	}
	if fd.Version.Value != d.Version.Value {
		c.add("CONS-VERSION", loc(fd.Version.El, message.Path(fd.El)+"/versionNumber"), "frame says version %q, the document has %q", fd.Version.Value, d.Version.Value)
	}
	ids := func(ps []message.Person) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.ID.String())
		}
		slices.Sort(out)
		return out
	}
	if fa, da := ids(fd.Patients), ids(d.Patients); !slices.Equal(fa, da) {
		c.add("CONS-CLIENT", message.Path(fd.El)+"/recordTarget", "frame names clients %v, the document %v", maskAll(fa), maskAll(da))
	}
	if fd.Custodian.Root != d.Custodian.Root {
		c.add("CONS-CUSTODIAN", loc(fd.Custodian.El, message.Path(fd.El)+"/custodian"), "frame says custodian %q, the document %q", fd.Custodian.Root, d.Custodian.Root)
	}
	if h := d.Header; h != nil && fd.Code.Code != "" && h.RegistryType.Code != "" && fd.Code.Code != h.RegistryType.Code {
		c.add("CONS-REGISTRY", message.Path(fd.Code.El), "frame's clinicalDocument/code is register %q, the document's registryType %q", fd.Code.Code, h.RegistryType.Code)
	}
	if fd.EffectiveTime.Value != "" && fd.EffectiveTime.Value != d.EffectiveTime.Value {
		c.add("CONS-EFFECTIVE-TIME", message.Path(fd.EffectiveTime.El), "frame says effectiveTime %q, the document %q", fd.EffectiveTime.Value, d.EffectiveTime.Value)
	}
	if len(f.Senders) == 1 {
		s := f.Senders[0].Root
		ok := s == d.Custodian.Root
		if h := d.Header; h != nil {
			ok = ok || s == h.OutsourcingServiceCustomer.Root || s == h.ServiceProvider.Root
		}
		if !ok {
			c.add("CONS-SENDER", message.Path(f.Senders[0].El), "sender %s is neither the document's custodian, organiser nor provider", s)
		}
	}
}

func maskAll(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		if root, ext, ok := strings.Cut(id, "^"); ok && root == kanta.OIDHetu {
			id = root + "^" + hetu.Mask(ext)
		}
		out[i] = id
	}
	return out
}

// --- stage 7: body --------------------------------------------------------

func (c *check) body() {
	d := c.r.Document
	if d == nil {
		return
	}
	b := d.Body
	if b.El == nil || b.Text == nil {
		c.add("BODY-MISSING", "/ClinicalDocument/component/nonXMLBody/text", "the document has no nonXMLBody/text display form")
		return
	}
	if b.DisplayErr != nil {
		c.add("BODY-BASE64", message.Path(b.Text), "display form: %v", b.DisplayErr)
	}
	if b.JSONEl != nil && b.JSONErr != nil {
		c.add("BODY-BASE64", message.Path(b.JSONEl), "structured content: %v", b.JSONErr)
	}
	if d.ID.Root != "" && b.ID != "OID"+d.ID.Root {
		c.add("BODY-ID", message.Path(b.El)+"/@ID", "nonXMLBody ID is %q, want %q", b.ID, "OID"+d.ID.Root)
	}
	format := ""
	if h := d.Header; h != nil && h.FileFormat.Code != "" {
		format = c.displayFormat(h.FileFormat.Code)
	}
	mediaKind := ""
	switch b.MediaType {
	case "application/xhtml+xml":
		mediaKind = "xhtml"
	case "application/pdf":
		mediaKind = "pdf"
	default:
		c.add("BODY-MEDIA-TYPE", message.AttrPath(b.Text, "mediaType"), "display form media type %q is neither application/xhtml+xml nor application/pdf", b.MediaType)
	}
	if format != "" && mediaKind != "" && format != mediaKind {
		c.add("BODY-MEDIA-TYPE", message.AttrPath(b.Text, "mediaType"), "fileFormat says %s but the display form is %s", format, b.MediaType)
	}
	if b.DisplayErr == nil {
		switch mediaKind {
		case "xhtml":
			if err := body.CheckXHTML(b.Display); err != nil {
				c.add("BODY-XHTML", message.Path(b.Text), "display form: %v", err)
			}
		case "pdf":
			info, err := body.InspectPDF(b.Display)
			switch {
			case err != nil:
				c.add("BODY-PDFA", message.Path(b.Text), "display form is not a PDF: %v", err)
			case info.PDFAPart == 0:
				c.add("BODY-PDFA", message.Path(b.Text), "display form is a PDF %s without PDF/A identification metadata", info.Version)
			}
		}
	}
	g := c.r.Group
	if g != nil && g.Structured && b.JSONEl == nil && !c.r.Annulment {
		c.add("BODY-JSON-REQUIRED", message.Path(b.El), "documents of group %s (%s) must be stored as structured JSON (hl7fi:json)", g.Code, g.Name)
	}
	if b.JSONEl == nil || b.JSONErr != nil {
		return
	}
	if mediaKind != "xhtml" {
		c.add("BODY-XHTML-REQUIRED", message.Path(b.Text), "structured content needs the XHTML display form, found %q", b.MediaType)
	}
	doc, err := c.content()
	if err != nil {
		c.add("BODY-JSON", message.Path(b.JSONEl), "structured content: %v", err)
		return
	}
	if d.Header == nil || d.Header.ContentSpecificationID.Value == "" {
		return // HDR-CONTENT-SPEC reports it
	}
	c.structure(strings.TrimSpace(d.Header.ContentSpecificationID.Value), doc)
}

// structure judges the structured content by its structure
// (contentSpecificationId): the structure's status, its document type and
// group, and the content against its schema. Every finding names the
// source of the structures.
func (c *check) structure(spec string, doc any) {
	d, b, set := c.r.Document, c.r.Document.Body, c.v.Schemas
	specLoc := message.Path(d.Header.ContentSpecificationID.El)
	src := set.Source()
	st, err := set.Structure(spec)
	var meta sosmeta.Meta
	if st != nil {
		meta = st.Meta
	}
	c.structureKind(spec, meta, src, specLoc)
	switch {
	case errors.Is(err, sosmeta.ErrUnknownStructure) && src.Embedded:
		c.add("BODY-SCHEMA-UNKNOWN", specLoc, "structure %s is not among %s, so its content was not checked (name THL's structures with --sosmeta)", spec, src)
		return
	case errors.Is(err, sosmeta.ErrUnknownStructure):
		// Annulment is allowed whatever the structure (handbook 10.3.1).
		if !c.r.Annulment {
			c.add("BODY-STRUCTURE-UNSUPPORTED", specLoc, "structure %s is not a supported structure version: %s has no Valmis or Vanhentunut structure of that OID", spec, src)
		}
		return
	case err != nil:
		c.add("BODY-SCHEMA", specLoc, "structure %s cannot be used: %v (judged by %s)", spec, err, src)
		return
	}
	c.structureStatus(st, specLoc)
	for _, p := range st.Validate(doc) {
		loc := message.Path(b.JSONEl) + "#" + p.Pointer
		field := ""
		if p.Field != "" {
			field = p.Field + ": "
		}
		if p.CodeSystem != "" {
			c.add("BODY-CLASSIFICATION", loc, "%s%s (judged by %s)", field, p.Message, src)
			continue
		}
		c.add("BODY-SCHEMA", loc, "%s%s (judged by %s)", field, p.Message, src)
	}
}

// structureStatus applies the structure's Sosmeta status (handbook 9.12.3,
// 10.1.2, 10.1.5, 10.3.1): a new document needs a Valmis structure in
// co-testing; a new version may keep to a Vanhentunut one in its
// transition period; an annulment is allowed whatever the status.
func (c *check) structureStatus(st *sosmeta.Structure, loc string) {
	status := st.Meta.Status
	if status == "" || status == sosmeta.StatusFinal || c.r.Annulment {
		return // the fallback schemas have no status
	}
	newVersion := strings.TrimSpace(c.r.Document.Version.Value) != "1"
	switch {
	case status == sosmeta.StatusDeprecated && newVersion:
		return
	case status == sosmeta.StatusDeprecated:
		c.add("BODY-STRUCTURE-STATUS", loc, "structure %s is %s in %s: a new document is stored with a %s structure in co-testing, only new versions and annulments may still use a deprecated one",
			st.OID, status, st.Source, sosmeta.StatusFinal)
	default:
		c.add("BODY-STRUCTURE-STATUS", loc, "structure %s has status %q in %s: only %s and %s structures are supported for storing",
			st.OID, status, st.Source, sosmeta.StatusFinal, sosmeta.StatusDeprecated)
	}
}

// structureKind checks that the structure fits the document: its group
// (the structure's OID arc and, when the structures say, Sosmeta's
// document type and subject) and, for client documents but attachments,
// the specific document type its OID carries.
func (c *check) structureKind(spec string, meta sosmeta.Meta, src sosmeta.Source, loc string) {
	g, h := c.r.Group, c.r.Document.Header
	if g == nil {
		return
	}
	want := g.Structure
	rest, inArc := strings.CutPrefix(spec, want.Arc+".")
	switch {
	case want.Arc != "" && !inArc:
		c.add("BODY-STRUCTURE-GROUP", loc, "structure %s is not a structure of a %s (those are under %s)", spec, g.Name, want.Arc)
		return
	case len(want.DocumentTypes) > 0 && meta.DocumentType != "" && !slices.Contains(want.DocumentTypes, meta.DocumentType):
		c.add("BODY-STRUCTURE-GROUP", loc, "structure %s is a %q (%s), not a structure of a %s (%s, judged by %s)",
			spec, meta.DocumentType, meta.DocumentSubject, g.Name, strings.Join(want.DocumentTypes, ", "), src)
	case len(want.Subjects) > 0 && meta.DocumentSubject != "" && !slices.Contains(want.Subjects, meta.DocumentSubject):
		c.add("BODY-STRUCTURE-GROUP", loc, "structure %s belongs to %q, not to the structures of a %s (%s, judged by %s)",
			spec, meta.DocumentSubject, g.Name, strings.Join(want.Subjects, ", "), src)
	}
	code := h.SpecificDocumentType.Code
	if !want.TypeArc || !inArc || code == "" || c.specificTypeIsAttachment(code) {
		return
	}
	if typ, _, _ := strings.Cut(rest, "."); typ != code {
		c.add("BODY-STRUCTURE-TYPE", loc, "structure %s is for specific document type %s, the header's specificDocumentType is %s", spec, typ, code)
	}
}

// --- stage 8: signatures --------------------------------------------------

func (c *check) signatures() {
	d := c.r.Document
	if d == nil || d.Header == nil {
		return
	}
	g := c.r.Group
	h := d.Header
	if len(h.Signatures) == 0 {
		if g != nil && g.Signed {
			c.add("SIG-MISSING", message.Path(h.El)+"/signatureCollection", "the document has no signature, but documents of group %s (%s) must carry a professional or system signature", g.Code, g.Name)
		}
		return
	}
	results, err := signature.VerifyContext(c.ctx, d.XML)
	if ctxErr := c.ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
		c.r.Cancelled = ctxErr
		return
	}
	if err != nil {
		c.add("SIG-UNVERIFIABLE", message.Path(h.SignatureCollection), "signatures cannot be checked: %v", err)
		return
	}
	c.r.Signatures = results
	professional := 0
	for i, r := range results {
		where := r.Path
		if where == "" && i < len(h.Signatures) {
			where = message.Path(h.Signatures[i].El)
		}
		if r.Type == "" {
			c.add("SIG-TYPE", where, "signature %q names no type in signatureDescription", r.ID)
		}
		if r.Type == kanta.SignatureProfessional {
			professional++
		}
		if r.Problem != "" {
			c.add("SIG-UNVERIFIABLE", where, "signature %q cannot be checked: %s", r.ID, r.Problem)
		}
		coversBody := false
		for _, ref := range r.References {
			if d.Body.ID != "" && ref.URI == "#"+d.Body.ID {
				coversBody = true
			}
			switch {
			case ref.Problem != "":
				c.add("SIG-UNVERIFIABLE", where, "signature %q reference %s: %s", r.ID, ref.URI, ref.Problem)
			case !ref.DigestValid:
				c.add("SIG-DIGEST", where, "signature %q: the digest of reference %s (%s) does not match, the content changed after signing", r.ID, ref.URI, ref.Target)
			}
		}
		if r.Problem == "" && !r.SignatureValueValid {
			c.add("SIG-VALUE", where, "signature %q: the signature value does not verify with the certificate in KeyInfo", r.ID)
		}
		if !coversBody {
			c.add("SIG-BODY-REFERENCE", where, "signature %q does not reference the document body #%s", r.ID, d.Body.ID)
		}
	}
	if professional > 1 {
		c.add("SIG-ONE-PROFESSIONAL", message.Path(h.SignatureCollection), "%d professional signatures, the archived document is signed by one professional", professional)
	}
	if professional > 0 && !c.hasSignerMetadata() {
		c.add("SIG-SIGNER-METADATA", message.Path(h.El)+"/signature", "a professional signature needs the signer's name, registration number or identity code, authentication method and time in localSocialHeader/signature")
	}
	if professional == 0 && c.needsProfessionalSignature() && !c.r.Annulment {
		c.add("SIG-PROFESSIONAL-REQUIRED", message.Path(h.SignatureCollection), "document type %s/%s needs the professional's advanced electronic signature (Table 9.10.1)",
			d.Code.Code, h.SpecificDocumentType.Code)
	}
}

func (c *check) hasSignerMetadata() bool {
	for _, s := range c.r.Document.Header.Signers {
		if s.AssignedAuthorSigner.Value != "" && len(s.Given) > 0 && s.Family != "" && s.AuthenticationMethod.Code != "" && s.Time.Value != "" {
			return true
		}
	}
	return false
}

// displayFormat returns "xhtml" or "pdf" for a fileFormat code, or "".
func (c *check) displayFormat(code string) string {
	switch df := c.v.Groups.DisplayFormats; {
	case slices.Contains(df.XHTML, code):
		return "xhtml"
	case slices.Contains(df.PDF, code):
		return "pdf"
	}
	return ""
}

func (c *check) specificTypeIsAttachment(code string) bool {
	return slices.Contains(c.v.Groups.DocumentTypes.Attachment, code)
}

// needsProfessionalSignature reports whether the document's general or
// specific type is one that Table 9.10.1 reserves for the professional's
// signature.
func (c *check) needsProfessionalSignature() bool {
	d := c.r.Document
	ps := c.v.Groups.DocumentTypes.ProfessionalSignature
	return slices.Contains(ps, d.Code.Code) || slices.Contains(ps, d.Header.SpecificDocumentType.Code)
}

// content decodes the structured JSON content once per validation.
func (c *check) content() (any, error) {
	if !c.contentRead {
		c.contentRead = true
		c.contentDoc, c.contentErr = body.DecodeJSON(c.r.Document.Body.JSON)
	}
	return c.contentDoc, c.contentErr
}

// sameClassification reports whether two code-system OIDs are versions of
// one classification: equal but for their last (version) arc.
func sameClassification(a, b string) bool {
	i, j := strings.LastIndexByte(a, '.'), strings.LastIndexByte(b, '.')
	return i > 0 && j > 0 && a[:i] == b[:j]
}
