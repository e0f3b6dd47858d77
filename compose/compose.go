package compose

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/yhteistestaus/yhteistestaus/hetu"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/codes"
)

// Organisation is an organisation (organisaatio) with one of its service
// units (palveluyksikkö), both named by OIDs of the SOTE organisation
// register.
type Organisation struct {
	OID, Name                       string
	ServiceUnitOID, ServiceUnitName string
}

// TempID is a client's temporary identifier (tilapäinen yksilöintitunnus),
// used until the client's personal identity code is known: a value issued
// under the organisation's OID.
type TempID struct {
	Root, Extension string
}

// Person is a client (asiakas). A client has a personal identity code
// (henkilötunnus), a temporary identifier, or both while the identifier is
// being replaced; the documents name the client by the identity code when
// there is one.
type Person struct {
	Hetu   string
	TempID *TempID
	Given  string
	Family string
	// BirthDate and Gender (code of 1.2.246.537.5.1.1997: "1" man, "2"
	// woman) are derived from Hetu when zero.
	BirthDate time.Time
	Gender    string
}

// Professional is a social-welfare professional (sosiaalihuollon
// ammattihenkilö): author, signer or sender of a message.
type Professional struct {
	Hetu               string
	RegistrationNumber string // Valvira's registration number (rekisteröintinumero)
	Given, Family      string
	Title              string // job title (tehtävänimike)
}

// Signer signs a document: a professional's signature (ammattihenkilön
// allekirjoitus) when Professional is set, otherwise a system signature
// (järjestelmäallekirjoitus). Key must be the RSA key of Cert.
type Signer struct {
	Key          crypto.Signer
	Cert         *x509.Certificate
	Professional *Professional
}

// Document is everything the archive needs of one version of a document of
// any group. Zero fields are left out of the document unless a default is
// documented; the archive's validator reports what a group misses.
type Document struct {
	// Group is the document group's meaning; the group code comes from
	// kanta/groups.yaml.
	Group kanta.GroupKind
	// ID is the version's document id and SetID the id every version of
	// the document shares (OIDs); Version is versionNumber.
	ID, SetID string
	Version   int
	// Annul makes this version the annulment (mitätöinti) of the set;
	// AnnulReason is shown in the display form.
	Annul       bool
	AnnulReason string
	// PreviousID is the document id of the version this one replaces; when
	// set, the document links to it with relatedDocument typeCode RPLC.
	PreviousID string
	// Clients are the document's clients (one for a client relation
	// document; several for a joint case).
	Clients []Person
	// Author is the professional who wrote the document (the storer);
	// nil gives the null author of the client relation document sample.
	Author *Professional
	// Custodian is the register keeper (rekisterinpitäjä). Organiser is the
	// service organiser (palvelunjärjestäjä), the Custodian when zero; its
	// service unit (or else the Custodian's) is the document's service
	// unit. Provider is the service provider (palveluntuottaja), if another.
	Custodian, Organiser, Provider Organisation
	// ClientRelationshipID identifies the client relationship of a client
	// relation document (asiakkuuden yksilöintitunnus); SetID when empty.
	ClientRelationshipID string
	// CaseID is the case (asia) the document belongs to, or for a case
	// document its own case. CaseName is the case's name as text and
	// CaseNameCode its class in Sosiaalihuollon asia 2023 ("99" when empty).
	// CaseOpened and CaseClosed are the case's open and close dates (for a
	// client relation document: the relationship's start and end); a case
	// document with CaseClosed set is a closed case.
	CaseID                 string
	CaseName, CaseNameCode string
	CaseOpened, CaseClosed time.Time
	// ServiceTask (palvelutehtävä), ServiceProcess (palveluprosessi) and
	// SocialServices (sosiaalipalvelu) are codes of their classifications.
	ServiceTask, ServiceProcess string
	SocialServices              []string
	// OtherServiceTasks are the further service tasks (codes) of a client
	// relation document: the tasks of the client's cases besides
	// ServiceTask. The content's sosiaalihuollon_palvelutehtava lists
	// ServiceTask and then these, each once (handbook L15552-L15564); the
	// list is cumulative, so a later version keeps every earlier task
	// (handbook 9.4.2). Other groups ignore it.
	OtherServiceTasks []string
	// GeneralType and SpecificType are the document types (yleinen and
	// tarkennettu asiakirjatyyppi). GeneralType is derived from a known
	// SpecificType when empty; a journal entry defaults to its own types.
	GeneralType, SpecificType string
	// ContentSpecID is the structure (contentSpecificationId) of the JSON
	// content; derived from the group and specific type when empty.
	ContentSpecID string
	// JSON is the structured content, marshalled with encoding/json; when
	// nil and the document has a structure, DefaultContent supplies it.
	JSON any
	// PDF is the display form of an unstructured document (PDF/A); when
	// nil and the document has no structure, a minimal PDF/A is made.
	PDF []byte
	// Text is the narrative of the default content: the plan's situation,
	// the decision, the journal entry.
	Text string
	// Description is the free-text name of an unstructured document
	// (asiakirjan kuvaus); unstructured client documents default to the
	// document type's name. A correction also records the corrector's job
	// title here, as the metadata has no field of its own for it (handbook
	// L29277-L29279).
	Description string
	// ReasonOfCorrection makes the version a correction (korjaus) of a
	// client document: the code of the grounds of the correction in the
	// classification bound to header.reasonOfCorrection ("Socialvård –
	// Motivering för rättelse i en handling", handbook L29281-L29285), such
	// as CorrectionWritingError. The corrector is the Author and the time
	// of the correction the EffectiveTime.
	ReasonOfCorrection string
	// GuardianConsent is the code of 1.2.246.537.6.1286.201901 telling
	// whether a minor's document may be shown to the guardians.
	GuardianConsent string
	// DelayUntil, RestrictionGround (code of 1.2.246.537.6.1288.201901) and
	// RestrictionText are the MittKanta display restrictions.
	DelayUntil                         time.Time
	RestrictionGround, RestrictionText string
	// MainDocument is the set id of an attachment's main document.
	MainDocument string
	// EffectiveTime is when the document was made; it is also the signing
	// time. Required.
	EffectiveTime time.Time
	// Signers sign the document in order.
	Signers []Signer
}

// The grounds of a correction (Document.ReasonOfCorrection) of the
// simulator's own code system (simulator/codes, reason-of-correction.yaml).
const (
	// CorrectionWritingError corrects a writing or calculation error
	// (handbook Table 11.3.1, Rättelse av klienthandling).
	CorrectionWritingError = "SIM-KIRJOITUSVIRHE"
	// CorrectionWrongClientData corrects incorrect client data.
	CorrectionWrongClientData = "SIM-VIRHEELLINEN-ASIAKASTIETO"
)

// The document types this package knows the structures of.
const (
	TypePlan             = "15"    // Suunnitelma
	TypePlanFamilies     = "15007" // Lapsiperheiden palvelujen asiakassuunnitelma
	TypeDecision         = "SIM-PAATOS"
	TypeDecisionSocial   = "11001" // Lapsiperheiden palvelupäätös (THL's structure 1.2.246.537.6.1506.11001)
	TypeJournal          = "SIM-ASIAKASKERTOMUSMERKINTA"
	TypeJournalEntry     = "19013" // Muu asiakaskertomusmerkintä (THL's structure 1.2.246.537.6.1506.19013)
	TypeOtherDocument    = "SIM-MUU-ASIAKASASIAKIRJA"
	TypeAttachment       = "SIM-LIITE"
	defaultCaseNameCode  = "99"
	registerClientRecord = "1" // Sosiaalihuollon asiakasrekisteri
)

// The structures (contentSpecificationId) with a default content.
const (
	SpecClientRelation = "1.2.246.537.6.1505.1.2023.6.1"
	SpecCase           = "1.2.246.537.6.1505.2.2022.6.28"
	SpecDecision       = "1.2.246.537.6.1506.11001.2023.9.8"
	SpecPlanFamilies   = "1.2.246.537.6.1506.15007.2024.11.28"
	SpecJournal        = "1.2.246.537.6.1506.19013.2022.1.10"
)

// groupsTable is the parsed groups table, read once; it is never modified.
var groupsTable = sync.OnceValues(kanta.DefaultGroups)

// resolved is a Document with its defaults applied and its group looked up.
type resolved struct {
	Document
	group   *kanta.Group
	groups  *kanta.Groups
	clients []Person
	// json is the marshalled content; nil for an unstructured document.
	json []byte
	// pdf is the PDF/A display form of an unstructured document.
	pdf []byte
}

// resolve applies the defaults and prepares the content. It never changes
// d.
func (d *Document) resolve() (*resolved, error) {
	r, err := d.resolveMeta()
	if err != nil {
		return nil, err
	}
	unstructured := r.PDF != nil || (r.JSON == nil && r.ContentSpecID == "")
	if unstructured && r.Description == "" && r.group.IsClientDocument() {
		r.Description = r.title()
	}
	if err := r.content(); err != nil {
		return nil, err
	}
	return r, nil
}

// resolveMeta applies the defaults of the metadata.
func (d *Document) resolveMeta() (*resolved, error) {
	if d == nil {
		return nil, errors.New("compose: nil document")
	}
	gs, err := groupsTable()
	if err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	g, ok := gs.ByKind(d.Group)
	if !ok {
		return nil, fmt.Errorf("compose: unknown document group kind %q", d.Group)
	}
	switch {
	case d.ID == "" || d.SetID == "":
		return nil, errors.New("compose: document needs ID and SetID")
	case d.EffectiveTime.IsZero():
		return nil, errors.New("compose: document needs EffectiveTime (it is also the signing time)")
	}
	r := &resolved{Document: *d, group: g, groups: gs}
	r.SocialServices = slices.Clone(d.SocialServices)
	r.OtherServiceTasks = slices.Clone(d.OtherServiceTasks)
	r.Signers = slices.Clone(d.Signers)
	if r.Organiser.OID == "" {
		r.Organiser = r.Custodian
	}
	if r.Organiser.ServiceUnitOID == "" {
		r.Organiser.ServiceUnitOID, r.Organiser.ServiceUnitName = r.Custodian.ServiceUnitOID, r.Custodian.ServiceUnitName
	}
	if r.ClientRelationshipID == "" {
		r.ClientRelationshipID = r.SetID
	}
	if r.CaseNameCode == "" {
		r.CaseNameCode = defaultCaseNameCode
	}
	if g.Kind == kanta.KindCase && r.CaseName == "" && r.CaseNameCode == defaultCaseNameCode {
		// Class 99 needs the case's name as text (handbook L17140-L17146).
		r.CaseName = defaultCaseName
	}
	if g.Kind == kanta.KindJournal && r.GeneralType == "" && r.SpecificType == "" {
		r.GeneralType, r.SpecificType = TypeJournal, TypeJournalEntry
	}
	if r.GeneralType == "" {
		r.GeneralType = generalTypeOf(g.Kind, r.SpecificType)
	}
	if r.ContentSpecID == "" && r.PDF == nil {
		r.ContentSpecID = specOf(g.Kind, r.SpecificType)
	}
	for _, p := range d.Clients {
		r.clients = append(r.clients, p.resolve())
	}
	r.Clients = r.clients
	return r, nil
}

// generalTypeOf returns the general type of a known specific type, or of
// the unstructured documents of a group.
func generalTypeOf(kind kanta.GroupKind, specific string) string {
	switch specific {
	case TypePlanFamilies:
		return TypePlan
	case TypeDecisionSocial:
		return TypeDecision
	case TypeJournalEntry:
		return TypeJournal
	case TypeAttachment:
		return TypeOtherDocument
	}
	switch kind {
	case kanta.KindOld, kanta.KindPhase1:
		return TypeOtherDocument
	}
	return ""
}

// specOf returns the structure of a group's or specific type's documents.
func specOf(kind kanta.GroupKind, specific string) string {
	switch kind {
	case kanta.KindClientRelation:
		return SpecClientRelation
	case kanta.KindCase:
		return SpecCase
	case kanta.KindJournal:
		if specific == TypeJournalEntry {
			return SpecJournal
		}
	case kanta.KindClientDocument:
		switch specific {
		case TypePlanFamilies:
			return SpecPlanFamilies
		case TypeDecisionSocial:
			return SpecDecision
		}
	}
	return ""
}

// resolve fills BirthDate and Gender from a valid identity code; a bad
// code is kept as given, for tests that build such documents on purpose.
func (p Person) resolve() Person {
	c, err := hetu.Parse(p.Hetu)
	if err != nil {
		return p
	}
	if p.BirthDate.IsZero() {
		p.BirthDate = c.BirthDate
	}
	if p.Gender == "" {
		p.Gender = "1"
		if c.Female {
			p.Gender = "2"
		}
	}
	return p
}

// id returns the client's identifier as the documents give it: the identity
// code when there is one, else the temporary identifier; empty when the
// client has neither.
func (p Person) id() (root, extension string) {
	switch {
	case p.Hetu != "":
		return kanta.OIDHetu, p.Hetu
	case p.TempID != nil:
		return p.TempID.Root, p.TempID.Extension
	}
	return "", ""
}

// id returns the professional's identifier: the registration number when
// there is one, else the identity code.
func (p *Professional) id() (root, extension string) {
	if p.RegistrationNumber != "" {
		return kanta.OIDRegistrationNumber, p.RegistrationNumber
	}
	return kanta.OIDHetu, p.Hetu
}

// title is the document's name in its display form.
func (r *resolved) title() string {
	for _, c := range []string{r.SpecificType, r.GeneralType} {
		if c == "" {
			continue
		}
		if v, ok := lookup("header.specificDocumentType", c); ok {
			return displayOf(v)
		}
	}
	return r.group.Name
}

// lookup finds a code in the code system the binding names.
func lookup(binding, code string) (codes.Value, bool) {
	cs := codes.Default()
	oid, ok := cs.Binding(binding)
	if !ok {
		return codes.Value{}, false
	}
	return cs.Lookup(oid, code)
}

// displayOf is a value's Finnish display name, else its Swedish one.
func displayOf(v codes.Value) string {
	if v.Display != "" {
		return v.Display
	}
	return v.DisplaySv
}

// ts formats an HL7 V3 time stamp with the time's zone offset.
func ts(t time.Time) string { return t.Format("20060102150405-0700") }

// date formats an HL7 V3 date.
func date(t time.Time) string { return t.Format("20060102") }
