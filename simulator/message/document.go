package message

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/body"
)

// Document is a CDA R2 client data document (asiakirja) with its
// localSocialHeader: the metadata the archive stores and judges.
type Document struct {
	// Raw is the document as received, when the reader was given it.
	Raw []byte
	// XML is the parsed document; Root is its root element.
	XML  *etree.Document
	Root *etree.Element

	ID              II
	Code            Code // general document type (yleinen asiakirjatyyppi)
	EffectiveTime   Value
	Confidentiality Code
	Language        Code
	SetID           II
	Version         Value
	Patients        []Person
	Authors         []Person
	Custodian       II
	CustodianName   string
	// Consents are authorization/consent/code values, e.g. the disclosure of
	// a minor's data to guardians (1.2.246.537.6.1286).
	Consents []Code
	// Case is componentOf/encompassingEncounter: the asia (case).
	Case *Case
	// RelatedDocuments are relatedDocument elements (replacement links).
	RelatedDocuments []RelatedDocument
	// Header is the localSocialHeader; nil when the document has none.
	Header *LocalHeader
	// Body is component/nonXMLBody.
	Body Body
}

// Case is the document's componentOf/encompassingEncounter: the case (asia)
// id, its opening and closing times and the service unit (palveluyksikkö).
type Case struct {
	El          *etree.Element
	ID          II
	Low, High   Value
	Effective   *etree.Element
	ServiceUnit II
	Responsible II
}

// RelatedDocument is a relatedDocument link to another document.
type RelatedDocument struct {
	El       *etree.Element
	TypeCode string
	ID       II
	SetID    II
	Version  Value
}

// LocalHeader is the urn:hl7finland localSocialHeader.
type LocalHeader struct {
	El                               *etree.Element
	SpecificDocumentType             Code // tarkennettu asiakirjatyyppi
	CreationTime                     Value
	DocumentGroup                    Code // asiakirjaryhmä
	FileFormat                       Code // näyttömuodon formaatti
	StructuredFileFormat             Code
	FunctionCode                     Code // palvelutehtävä
	RecordStatus                     Code // valmistumisen tila
	RegistryType                     Code // rekisteritunnus
	OutsourcingServiceCustomer       II   // palvelunjärjestäjä
	OutsourcingServiceCustomerName   Value
	ServiceProvider                  II // palvelun tuottaja
	TotalRetentionPeriodClass        Code
	SpecialContent                   Code
	ContentSpecificationID           Value
	EncompassingClientRelationship   II
	ServiceProcess                   Code // palveluprosessi
	SocialServices                   []Code
	CaseName                         Code // asian nimi (case documents)
	CaseStatus                       Code // asian tila (case documents)
	CaseClients                      []II // joint case members (case documents)
	AuthorizationRestrictionArgument Value
	InaccessibleArguments            []Code // MittKanta display restriction grounds
	DelayDate                        Value  // MittKanta display delayed until
	ReasonOfCorrection               Code
	Description                      Value // asiakirjan kuvaus, the free-text name of unstructured documents
	MainDocument                     II    // the main document of an attachment (liite)
	Signers                          []Signer
	SignatureCollection              *etree.Element
	Signatures                       []SignatureInfo
	// Elements are the header's child elements in order, for the check of
	// elements outside the metadata model.
	Elements []*etree.Element
}

// Signer is a localSocialHeader/signature block: who signed, how and when.
type Signer struct {
	El                   *etree.Element
	AssignedAuthorSigner Value
	Given                []string
	Family               string
	AuthenticationMethod Code
	Time                 Value
}

// SignatureInfo is one signatureCollection/signature: its type and id. The
// cryptographic check is the signature package's.
type SignatureInfo struct {
	El   *etree.Element
	ID   string
	Type Code
}

// Body is component/nonXMLBody: the display form (XHTML or PDF) and the
// structured JSON, decoded from base64.
type Body struct {
	El *etree.Element
	// ID is the body's ID attribute, the signature reference target.
	ID string
	// Text is nonXMLBody/text.
	Text      *etree.Element
	MediaType string
	// Representation is text/@representation (B64).
	Representation string
	// Display is the decoded display form; DisplayErr says why decoding failed.
	Display    []byte
	DisplayErr error
	// JSONEl is the hl7fi:json element; nil when absent.
	JSONEl  *etree.Element
	JSON    []byte
	JSONErr error
}

// ParseDocument reads a CDA document from a parsed XML document. It fails
// only when the root is not an HL7 ClinicalDocument.
func ParseDocument(doc *etree.Document) (*Document, error) {
	root := doc.Root()
	if root == nil {
		return nil, fmt.Errorf("document: no root element")
	}
	if root.Tag != "ClinicalDocument" || root.NamespaceURI() != kanta.NamespaceHL7 {
		return nil, fmt.Errorf("document: root element is %s in namespace %q, want ClinicalDocument in %s",
			root.Tag, root.NamespaceURI(), kanta.NamespaceHL7)
	}
	d := &Document{XML: doc, Root: root}
	d.ID = readII(child(root, kanta.NamespaceHL7, "id"))
	d.Code = readCode(child(root, kanta.NamespaceHL7, "code"))
	d.EffectiveTime = readValue(child(root, kanta.NamespaceHL7, "effectiveTime"))
	d.Confidentiality = readCode(child(root, kanta.NamespaceHL7, "confidentialityCode"))
	d.Language = readCode(child(root, kanta.NamespaceHL7, "languageCode"))
	d.SetID = readII(child(root, kanta.NamespaceHL7, "setId"))
	d.Version = readValue(child(root, kanta.NamespaceHL7, "versionNumber"))
	// The document's recordTarget is patientRole/patient, the frame's
	// patient/patientPerson.
	d.Patients = readPatients(root, "patientRole", "patient")
	d.Authors = readAuthors(root)
	org := path(root, kanta.NamespaceHL7, "custodian", "assignedCustodian", "representedCustodianOrganization")
	d.Custodian = readII(child(org, kanta.NamespaceHL7, "id"))
	d.CustodianName = Text(child(org, kanta.NamespaceHL7, "name"))
	for _, au := range children(root, kanta.NamespaceHL7, "authorization") {
		if c := path(au, kanta.NamespaceHL7, "consent", "code"); c != nil {
			d.Consents = append(d.Consents, readCode(c))
		}
	}
	for _, rd := range children(root, kanta.NamespaceHL7, "relatedDocument") {
		pd := child(rd, kanta.NamespaceHL7, "parentDocument")
		d.RelatedDocuments = append(d.RelatedDocuments, RelatedDocument{
			El: rd, TypeCode: attr(rd, "typeCode"),
			ID: readII(child(pd, kanta.NamespaceHL7, "id")), SetID: readII(child(pd, kanta.NamespaceHL7, "setId")),
			Version: readValue(child(pd, kanta.NamespaceHL7, "versionNumber")),
		})
	}
	if enc := path(root, kanta.NamespaceHL7, "componentOf", "encompassingEncounter"); enc != nil {
		c := &Case{El: enc, ID: readII(child(enc, kanta.NamespaceHL7, "id"))}
		if et := child(enc, kanta.NamespaceHL7, "effectiveTime"); et != nil {
			c.Effective = et
			c.Low = readValue(child(et, kanta.NamespaceHL7, "low"))
			c.High = readValue(child(et, kanta.NamespaceHL7, "high"))
			if !c.Low.Present() && attr(et, "value") != "" {
				c.Low = Value{Value: attr(et, "value"), El: et}
			}
		}
		for _, ep := range children(enc, kanta.NamespaceHL7, "encounterParticipant") {
			if attr(ep, "typeCode") == "ADM" {
				c.ServiceUnit = readII(path(ep, kanta.NamespaceHL7, "assignedEntity", "representedOrganization", "id"))
			}
		}
		c.Responsible = readII(path(enc, kanta.NamespaceHL7, "responsibleParty", "assignedEntity", "representedOrganization", "id"))
		d.Case = c
	}
	if h := child(root, kanta.NamespaceHL7Finland, "localSocialHeader"); h != nil {
		d.Header = readHeader(h)
	}
	d.Body = readBody(path(root, kanta.NamespaceHL7, "component", "nonXMLBody"))
	return d, nil
}

func readHeader(h *etree.Element) *LocalHeader {
	lh := &LocalHeader{El: h}
	c := func(name string) Code { return readCode(child(h, kanta.NamespaceHL7Finland, name)) }
	v := func(name string) Value { return readValue(child(h, kanta.NamespaceHL7Finland, name)) }
	id := func(name string) II { return readII(child(h, kanta.NamespaceHL7Finland, name)) }
	lh.SpecificDocumentType = c("specificDocumentType")
	lh.CreationTime = v("creationTime")
	lh.DocumentGroup = c("documentGroup")
	lh.FileFormat = c("fileFormat")
	lh.StructuredFileFormat = c("structuredFileFormat")
	lh.FunctionCode = c("functionCode")
	lh.RecordStatus = c("recordStatus")
	lh.RegistryType = c("registryType")
	lh.OutsourcingServiceCustomer = id("outsourcingServiceCustomer")
	lh.OutsourcingServiceCustomerName = v("outsourcingServiceCustomerName")
	lh.ServiceProvider = id("serviceProvider")
	lh.TotalRetentionPeriodClass = c("totalRetentionPeriodClass")
	lh.SpecialContent = c("specialContent")
	lh.ContentSpecificationID = v("contentSpecificationId")
	lh.EncompassingClientRelationship = id("encompassingClientRelationship")
	lh.ServiceProcess = readCode(path(h, kanta.NamespaceHL7Finland, "serviceProcess", "code"))
	for _, s := range children(h, kanta.NamespaceHL7Finland, "socialService") {
		lh.SocialServices = append(lh.SocialServices, readCode(s))
	}
	lh.CaseName = c("caseName")
	lh.CaseStatus = c("caseStatus")
	for _, cc := range children(h, kanta.NamespaceHL7Finland, "caseClient") {
		lh.CaseClients = append(lh.CaseClients, readII(cc))
	}
	lh.AuthorizationRestrictionArgument = v("authorizationRestrictionArgument")
	for _, ia := range children(h, kanta.NamespaceHL7Finland, "inaccessibleArgument") {
		lh.InaccessibleArguments = append(lh.InaccessibleArguments, readCode(ia))
	}
	lh.DelayDate = v("delayDate")
	lh.ReasonOfCorrection = c("reasonOfCorrection")
	lh.Description = v("description")
	lh.MainDocument = id("mainDocument")
	for _, s := range children(h, kanta.NamespaceHL7Finland, "signature") {
		sg := Signer{El: s, AssignedAuthorSigner: readValue(child(s, kanta.NamespaceHL7Finland, "assignedAuthorSigner")),
			AuthenticationMethod: readCode(child(s, kanta.NamespaceHL7Finland, "authenticationMethod")),
			Time:                 readValue(child(s, kanta.NamespaceHL7Finland, "time"))}
		if n := path(s, kanta.NamespaceHL7Finland, "signer", "name"); n != nil {
			for _, g := range children(n, kanta.NamespaceHL7Finland, "given") {
				sg.Given = append(sg.Given, Text(g))
			}
			sg.Family = Text(child(n, kanta.NamespaceHL7Finland, "family"))
		}
		lh.Signers = append(lh.Signers, sg)
	}
	if sc := child(h, kanta.NamespaceHL7Finland, "signatureCollection"); sc != nil {
		lh.SignatureCollection = sc
		for _, s := range children(sc, kanta.NamespaceHL7Finland, "signature") {
			lh.Signatures = append(lh.Signatures, SignatureInfo{El: s, ID: attr(s, "ID"),
				Type: readCode(child(s, kanta.NamespaceHL7Finland, "signatureDescription"))})
		}
	}
	lh.Elements = h.ChildElements()
	return lh
}

func readBody(b *etree.Element) Body {
	body := Body{El: b}
	if b == nil {
		return body
	}
	body.ID = attr(b, "ID")
	if t := child(b, kanta.NamespaceHL7, "text"); t != nil {
		body.Text = t
		body.MediaType = attr(t, "mediaType")
		body.Representation = attr(t, "representation")
		body.Display, body.DisplayErr = decodeBase64(t)
	}
	if j := child(b, kanta.NamespaceHL7Finland, "json"); j != nil {
		body.JSONEl = j
		body.JSON, body.JSONErr = decodeBase64(j)
	}
	return body
}

// SameCodeSystem reports whether two code-system OIDs name the same
// classification: equal, or equal but for a trailing version arc on one of
// them. A version arc is a year (4 digits, 1970-2099, as in
// 1.2.246.537.5.40127.2006) or a year and month (6 digits, as in
// 1.2.246.537.6.1503.201601). Other four-digit arcs, such as the
// classification number 1503 itself, are not versions.
func SameCodeSystem(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) < len(b) {
		a, b = b, a
	}
	rest, ok := strings.CutPrefix(a, b+".")
	return ok && isVersionArc(rest)
}

// isVersionArc reports whether an OID arc is a classification version:
// YYYY or YYYYMM with a year from 1970 to 2099 and a month from 01 to 12.
func isVersionArc(arc string) bool {
	if len(arc) != 4 && len(arc) != 6 {
		return false
	}
	for i := 0; i < len(arc); i++ {
		if arc[i] < '0' || arc[i] > '9' {
			return false
		}
	}
	year, _ := strconv.Atoi(arc[:4])
	if year < 1970 || year > 2099 {
		return false
	}
	if len(arc) == 6 {
		month, _ := strconv.Atoi(arc[4:])
		return month >= 1 && month <= 12
	}
	return true
}

// decodeBase64 decodes an element's base64 text, which real vendors split
// with white space and interleave with XML comments.
func decodeBase64(e *etree.Element) ([]byte, error) {
	data, err := body.Base64Text(e)
	if err == nil && len(data) == 0 {
		return nil, fmt.Errorf("no base64 content")
	}
	return data, err
}
