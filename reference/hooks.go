package reference

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus/compose"
	"github.com/yhteistestaus/yhteistestaus/hetu"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/body"
)

// hook is how one fault changes the system. A fault acts only during the
// action faults.yaml names; within it, each function edits one stage of
// every message the action sends.
type hook struct {
	// document edits the document and the frame options before they are
	// built; it may set outgoing.skip.
	document func(m *outgoing)
	// cda edits the built document's tree; the document is then signed
	// again, so the signatures stay valid.
	cda func(m *outgoing, root *etree.Element)
	// signed edits the signed document.
	signed func(m *outgoing, cda []byte) ([]byte, error)
	// frame edits the built frame's tree.
	frame func(m *outgoing, root *etree.Element)
	// behaviour changes what the system itself does.
	behaviour behaviour
}

// behaviour is a set of changes to the system's own conduct.
type behaviour int

// The behaviours faults change.
const (
	// ignoreClosedCase stores documents into a closed case.
	ignoreClosedCase behaviour = 1 << iota
	// ignoreAnnulled stores new versions on top of an annulled document.
	ignoreAnnulled
	// reverseAnnulOrder annuls a document before the documents that
	// refer to it.
	reverseAnnulOrder
	// replaceOutsideClientRelation replaces a temporary identifier in
	// another document before the client relation document.
	replaceOutsideClientRelation
)

// Values the faults use.
const (
	otherOrganisation = "1.2.246.10.2012566.10.40" // Helsinki in the samples
	otherDevice       = "1.2.246.556.18007.9"      // not the archive
	unknownGroup      = "SIM-TUNTEMATON-RYHMA"     // no such document group
	draftStatus       = "1"                        // neither ready for archiving nor annulled
	pdfaNamespace     = "http://www.aiim.org/pdfa/ns/id/"
	notPDFANamespace  = "http://www.example.org/none/1/" // same length as pdfaNamespace
	hetuCheckChars    = "0123456789ABCDEFHJKLMNPRSTUVWXY"
)

// hooks is the table of fault hooks, by the fault's name; faults.yaml
// lists the same names, and faultTable refuses any difference.
func hooks() map[string]hook {
	return map[string]hook{
		// The frame.
		"frame-wrong-set-id": {frame: func(m *outgoing, root *etree.Element) {
			if el := root.FindElement("./controlActProcess/subject/clinicalDocument/setId"); el != nil {
				el.CreateAttr("root", m.doc.SetID+".1")
			}
		}},
		"frame-wrong-document-id": {frame: func(m *outgoing, root *etree.Element) {
			if el := root.FindElement("./controlActProcess/subject/clinicalDocument/id"); el != nil {
				el.CreateAttr("root", m.doc.ID+".1")
			}
		}},
		"frame-custodian-mismatch": {frame: func(m *outgoing, root *etree.Element) {
			if el := root.FindElement("./controlActProcess/subject/clinicalDocument/custodian/assignedCustodian/representedOrganization/id"); el != nil {
				el.CreateAttr("root", otherOrganisation)
			}
		}},
		"wrong-receiver-device": {frame: func(m *outgoing, root *etree.Element) {
			if el := root.FindElement("./receiver/device/id"); el != nil {
				el.CreateAttr("root", otherDevice)
			}
		}},
		"client-relation-as-client-document": {document: func(m *outgoing) {
			if m.kind == kindClientRelation {
				m.frame.ServiceRequest = "SP17"
			}
		}},
		"usage-situation-other-register": {document: func(m *outgoing) { m.frame.Usage = "3" }},

		// Versions.
		"skipped-version-number": {document: func(m *outgoing) {
			if m.doc.Version > 1 {
				m.doc.Version++
			}
		}},
		"new-version-numbered-one": {document: func(m *outgoing) { m.doc.Version = 1 }},
		"reused-document-id": {document: func(m *outgoing) {
			if m.doc.PreviousID != "" {
				m.doc.ID = m.doc.PreviousID
			}
		}},
		"version-on-annulled-document": {behaviour: ignoreAnnulled},
		"second-client-relation-document": {document: func(m *outgoing) {
			if m.kind == kindClientRelation {
				m.doc.SetID, m.doc.Version, m.doc.PreviousID = m.doc.ID, 1, ""
			}
		}},

		// Identity.
		"non-test-hetu":              {document: editHetus(nonTestHetu)},
		"wrong-hetu-check-character": {document: editHetus(wrongCheckCharacter)},
		"birth-time-mismatch": {document: func(m *outgoing) {
			for i, p := range m.doc.Clients {
				if c, err := hetu.Parse(p.Hetu); err == nil {
					m.doc.Clients[i].BirthDate = c.BirthDate.AddDate(0, 0, 1)
				}
			}
		}},
		"other-client-in-content": {document: func(m *outgoing) {
			if !structured(m) || len(m.doc.Clients) == 0 {
				return
			}
			other, err := hetu.TestCode(time.Date(1975, 5, 5, 0, 0, 0, 0, time.UTC), 999)
			if err != nil {
				return
			}
			d := cloneDocument(m.doc)
			d.Clients[0] = compose.Person{Hetu: other, Given: "Toinen", Family: "Asiakas"}
			if c, err := compose.DefaultContent(d); err == nil {
				m.doc.JSON = c
			}
		}},
		"missing-guardian-code": {document: func(m *outgoing) { m.doc.GuardianConsent = "" }},
		"temp-id-after-replacement": {document: func(m *outgoing) {
			for i, p := range m.doc.Clients {
				if p.TempID != nil && p.Hetu != "" {
					m.doc.Clients[i].Hetu = ""
				}
			}
		}},
		"temp-id-replaced-outside-client-relation": {behaviour: replaceOutsideClientRelation},
		// A client first known by a temporary identifier is left alone: its
		// identity code changing is the fault temp-id-replaced-outside-client-relation.
		"hetu-changed-in-new-version": {document: func(m *outgoing) {
			for i, p := range m.doc.Clients {
				if p.Hetu == "" || p.TempID != nil {
					continue
				}
				if h, err := otherTestHetu(p.Hetu); err == nil {
					m.doc.Clients[i].Hetu = h
				}
			}
		}},

		// Metadata.
		"missing-service-task": {document: func(m *outgoing) { m.doc.ServiceTask = "" }},
		"missing-service-unit": {document: func(m *outgoing) {
			m.doc.Custodian.ServiceUnitOID, m.doc.Custodian.ServiceUnitName = "", ""
			m.doc.Organiser.ServiceUnitOID, m.doc.Organiser.ServiceUnitName = "", ""
		}},
		"missing-case-id":         {document: func(m *outgoing) { m.doc.CaseID = "" }},
		"missing-service-process": {document: func(m *outgoing) { m.doc.ServiceProcess = "" }},
		"missing-storer": {document: func(m *outgoing) {
			if structured(m) {
				// The content still names its writer; only the metadata loses it.
				if c, err := compose.DefaultContent(m.doc); err == nil {
					m.doc.JSON = c
				}
			}
			m.doc.Author = nil
		}},
		"missing-specific-type": {cda: func(m *outgoing, root *etree.Element) {
			removeHeader(root, "specificDocumentType")
		}},
		"wrong-service-task-code-system": {cda: func(m *outgoing, root *etree.Element) {
			if el := header(root, "functionCode"); el != nil {
				el.CreateAttr("codeSystem", kanta.OIDUsageSituation)
			}
		}},
		"unknown-document-group": {cda: func(m *outgoing, root *etree.Element) {
			if el := header(root, "documentGroup"); el != nil {
				el.CreateAttr("code", unknownGroup)
				el.RemoveAttr("displayName")
			}
		}},
		"wrong-record-status": {cda: func(m *outgoing, root *etree.Element) {
			if el := header(root, "recordStatus"); el != nil {
				el.CreateAttr("code", draftStatus)
				el.RemoveAttr("displayName")
			}
		}},
		"attachment-without-main-document": {document: func(m *outgoing) {
			if m.kind == kindAttachment {
				m.doc.MainDocument = ""
			}
		}},
		"unstructured-without-description": {cda: func(m *outgoing, root *etree.Element) {
			if m.kind == kindOther {
				removeHeader(root, "description")
			}
		}},

		// MittKanta.
		"delay-without-ground": {document: func(m *outgoing) {
			if !m.doc.DelayUntil.IsZero() {
				m.doc.RestrictionGround = ""
			}
		}},
		"automatic-restriction": {document: func(m *outgoing) {
			if m.doc.RestrictionGround == "" && m.doc.DelayUntil.IsZero() {
				m.doc.RestrictionGround = "4"
			}
		}},

		// The body.
		"display-form-not-xhtml": {cda: func(m *outgoing, root *etree.Element) {
			if el := root.FindElement("./component/nonXMLBody/text"); el != nil && el.SelectAttrValue("mediaType", "") == "application/xhtml+xml" {
				el.SetText(base64.StdEncoding.EncodeToString([]byte("<html><body><p>Asiakirja</p></body></html>")))
			}
		}},
		"content-breaks-schema": {document: func(m *outgoing) {
			if !structured(m) {
				return
			}
			c, err := compose.DefaultContent(m.doc)
			if err != nil {
				return
			}
			// Every structure makes its client (asiakas) mandatory, so the
			// open fallback schemas see the defect as THL's do.
			for _, v := range c {
				if fields, ok := v.(map[string]any); ok {
					delete(fields, "asiakas")
				}
			}
			m.doc.JSON = c
		}},
		"pdf-without-pdfa-metadata": {document: func(m *outgoing) {
			if m.kind == kindOther || m.kind == kindAttachment || m.doc.PDF != nil {
				pdf := body.MinimalPDFA(cmpOr(m.doc.Description, string(m.kind)), "Skannattu asiakirja.")
				m.doc.PDF = bytes.ReplaceAll(pdf, []byte(pdfaNamespace), []byte(notPDFANamespace))
			}
		}},
		"journal-entry-as-pdf": {document: func(m *outgoing) {
			if m.kind == kindJournal {
				m.doc.PDF = body.MinimalPDFA("Asiakaskertomusmerkintä", "Merkintä skannattuna.")
				m.doc.ContentSpecID = ""
			}
		}},

		// Signatures.
		"unsigned-decision": {document: func(m *outgoing) {
			if m.kind == kindDecision {
				m.doc.Signers = nil
			}
		}},
		"decision-system-signature-only": {document: func(m *outgoing) {
			if m.kind != kindDecision {
				return
			}
			for i, s := range m.doc.Signers {
				m.doc.Signers[i] = compose.Signer{Key: s.Key, Cert: s.Cert}
			}
		}},
		"body-tampered-after-signing": {signed: tamperBody},
		"signature-without-signer-metadata": {cda: func(m *outgoing, root *etree.Element) {
			h := root.SelectElement("localSocialHeader")
			if h == nil {
				return
			}
			for _, el := range h.SelectElements("signature") {
				if el.Space != "" {
					h.RemoveChild(el)
				}
			}
		}},

		// Order and cases.
		"document-in-closed-case": {behaviour: ignoreClosedCase},
		"document-before-case": {document: func(m *outgoing) {
			if m.kind == kindCase && m.op == opStore {
				m.skip = true
			}
		}},
		"case-before-client-relation": {document: func(m *outgoing) {
			if m.kind == kindClientRelation && m.op == opStore {
				m.skip = true
			}
		}},
		"client-relation-queued-after-case": {document: func(m *outgoing) {
			if m.kind == kindClientRelation && m.op == opStore {
				m.queue = true
			}
		}},
		"annulment-out-of-order": {behaviour: reverseAnnulOrder},
		"joint-case-document-missing-client": {document: func(m *outgoing) {
			if len(m.doc.Clients) > 1 {
				m.doc.Clients = m.doc.Clients[:len(m.doc.Clients)-1]
			}
		}},
	}
}

// structured reports whether the message's document has structured content.
func structured(m *outgoing) bool {
	switch m.kind {
	case kindDecision, kindPlan, kindJournal:
		return m.doc.PDF == nil
	}
	return false
}

// header returns the localSocialHeader child with the tag, or nil.
func header(root *etree.Element, tag string) *etree.Element {
	h := root.SelectElement("localSocialHeader")
	if h == nil {
		return nil
	}
	return h.SelectElement(tag)
}

// removeHeader removes the localSocialHeader children with the tag.
func removeHeader(root *etree.Element, tag string) {
	h := root.SelectElement("localSocialHeader")
	if h == nil {
		return
	}
	for _, el := range h.SelectElements(tag) {
		h.RemoveChild(el)
	}
}

// editHetus returns a document hook that rewrites every client identity
// code with f; a code f cannot rewrite is kept.
func editHetus(f func(string) (string, error)) func(m *outgoing) {
	return func(m *outgoing) {
		for i, p := range m.doc.Clients {
			if p.Hetu == "" {
				continue
			}
			if h, err := f(p.Hetu); err == nil {
				m.doc.Clients[i].Hetu = h
			}
		}
	}
}

// nonTestHetu returns a valid identity code of the same birth date and sex
// whose individual number is outside the test series (100-199).
func nonTestHetu(s string) (string, error) {
	c, err := hetu.Parse(s)
	if err != nil {
		return "", err
	}
	n := c.Individual%100 + 100
	if n%2 != c.Individual%2 {
		n++
	}
	return withCheck(c.BirthDate.Format("020106") + string(c.CenturySign) + fmt.Sprintf("%03d", n))
}

// withCheck appends the check character to the first ten characters of
// an identity code.
func withCheck(s string) (string, error) {
	n, err := strconv.Atoi(s[:6] + s[7:10])
	if err != nil {
		return "", fmt.Errorf("identity code digits: %w", err)
	}
	return s + string(hetuCheckChars[n%31]), nil
}

// wrongCheckCharacter returns the code with the next check character.
func wrongCheckCharacter(s string) (string, error) {
	if len(s) != 11 {
		return "", fmt.Errorf("identity code of %d characters", len(s))
	}
	i := strings.IndexByte(hetuCheckChars, s[10])
	if i < 0 {
		return "", fmt.Errorf("identity code check character %q", s[10])
	}
	return s[:10] + string(hetuCheckChars[(i+1)%len(hetuCheckChars)]), nil
}

// otherTestHetu returns another test identity code of the same birth date
// and sex.
func otherTestHetu(s string) (string, error) {
	c, err := hetu.Parse(s)
	if err != nil {
		return "", err
	}
	n := c.Individual + 2
	if n > 999 {
		n = c.Individual - 2
	}
	if n < 900 {
		n = 900 + c.Individual%2
	}
	return hetu.TestCode(c.BirthDate, n, c.CenturySign)
}

// tamperBody changes the display form of a signed document without
// signing it again: a comment appended to the XHTML, or a line to the PDF.
func tamperBody(m *outgoing, cda []byte) ([]byte, error) {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(cda); err != nil {
		return nil, fmt.Errorf("read signed document: %w", err)
	}
	el := doc.Root().FindElement("./component/nonXMLBody/text")
	if el == nil {
		return cda, nil
	}
	display, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(el.Text()), ""))
	if err != nil {
		return nil, fmt.Errorf("read display form: %w", err)
	}
	if el.SelectAttrValue("mediaType", "") == "application/pdf" {
		display = append(display, "\n% muutettu allekirjoituksen jälkeen\n"...)
	} else {
		display = append(display, "\n<!-- muutettu allekirjoituksen jälkeen -->\n"...)
	}
	el.SetText(base64.StdEncoding.EncodeToString(display))
	out, err := doc.WriteToBytes()
	if err != nil {
		return nil, fmt.Errorf("write tampered document: %w", err)
	}
	return out, nil
}
