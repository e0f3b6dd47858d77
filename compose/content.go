package compose

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/codes"
)

// Default texts of the structured content, used when the Document leaves
// them empty.
const (
	defaultText         = "Asiakkaan tilanne ja tuen tarve on käyty läpi yhdessä asiakkaan kanssa."
	defaultDecisionText = "Asiakkaalle myönnetään haettu sosiaalipalvelu."
	defaultGrounds      = "Palvelutarpeen arvioinnin perusteella asiakas tarvitsee palvelua."
	defaultAppeal       = "Päätökseen saa hakea oikaisua 30 päivän kuluessa tiedoksisaannista."
	defaultTitle        = "sosiaalihuollon ammattihenkilö"
	defaultCaseName     = "Sosiaalihuollon asia"
	entryType           = "Käynti tai yhteydenotto"
	decisionResult      = "Myönteinen"
	defaultLegalBasis   = "Sosiaalihuoltolaki (1301/2014)"
	defaultStreet       = "Testikatu 1"
	defaultPostcode     = "00100"
	defaultPostOffice   = "Helsinki"
	defaultPhone        = "+358 9 123 4567"
)

// The code objects of the decision structure whose classifications the
// simulator holds no list of: Sosiaalihuolto - Ratkaisun laji and eArkisto -
// Allekirjoitus (their codes are not public; these are the simulator's own
// choice, kept to the classification THL's structure names).
const (
	decisionKindSystem   = "1.2.246.537.6.1248"
	decisionKindCode     = "1"
	signatureKindSystem  = "1.2.246.537.5.40161"
	signatureKindCode    = "1"
	signatureKindDisplay = "Ammattihenkilön allekirjoitus"
)

// DefaultContent returns the default structured content of the document's
// structure (ContentSpecID, or the one its group and specific type imply),
// made from the Document's fields so that it passes the bundled JSON
// Schema and names the same clients as the metadata. It fails for a
// document without a known structure and when a field the structure needs
// is missing (an author for the plan, decision and journal entry; a social
// service for the decision).
func DefaultContent(d *Document) (map[string]any, error) {
	r, err := d.resolveMeta()
	if err != nil {
		return nil, err
	}
	return r.defaultContent()
}

// ClientRelationContent returns the default content of a client relation
// document (asiakkuusasiakirja, structure 1.2.246.537.6.1505.1.2023.6.1)
// for the document's first client.
func ClientRelationContent(d *Document) (map[string]any, error) {
	return contentOf(d, (*resolved).clientRelationContent)
}

// CaseContent returns the default content of a case document (asia-
// asiakirja, structure 1.2.246.537.6.1505.2.2022.6.28).
func CaseContent(d *Document) (map[string]any, error) {
	return contentOf(d, (*resolved).caseContent)
}

// DecisionContent returns the default content of a decision on the
// document's first social service (lapsiperheiden palvelupäätös, THL's
// structure 1.2.246.537.6.1506.11001.2023.9.8).
func DecisionContent(d *Document) (map[string]any, error) {
	return contentOf(d, (*resolved).decisionContent)
}

// JournalContent returns the default content of a client journal entry
// (muu asiakaskertomusmerkintä, THL's structure
// 1.2.246.537.6.1506.19013.2022.1.10).
func JournalContent(d *Document) (map[string]any, error) {
	return contentOf(d, (*resolved).journalContent)
}

// PlanContent returns the default content of a client plan in services
// for families with children (lapsiperheiden palvelujen asiakassuunnitelma,
// structure 1.2.246.537.6.1506.15007.2024.11.28).
func PlanContent(d *Document) (map[string]any, error) {
	return contentOf(d, (*resolved).planContent)
}

func contentOf(d *Document, f func(*resolved) (map[string]any, error)) (map[string]any, error) {
	r, err := d.resolveMeta()
	if err != nil {
		return nil, err
	}
	return f(r)
}

// content marshals the structured content, or picks the PDF/A display form
// of an unstructured document.
func (r *resolved) content() error {
	if r.PDF != nil {
		r.pdf = r.PDF
		return nil
	}
	v := r.JSON
	if v == nil {
		if r.ContentSpecID == "" {
			r.pdf = r.defaultPDF()
			return nil
		}
		c, err := r.defaultContent()
		if err != nil {
			return err
		}
		v = c
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("compose: marshal content: %w", err)
	}
	r.json = bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	return nil
}

func (r *resolved) defaultContent() (map[string]any, error) {
	switch r.ContentSpecID {
	case SpecClientRelation:
		return r.clientRelationContent()
	case SpecCase:
		return r.caseContent()
	case SpecDecision:
		return r.decisionContent()
	case SpecJournal:
		return r.journalContent()
	case SpecPlanFamilies:
		return r.planContent()
	case "":
		return nil, fmt.Errorf("compose: a %s document of specific type %q has no structure with a default content", r.group.Kind, r.SpecificType)
	}
	return nil, fmt.Errorf("compose: no default content for structure %s; give Document.JSON", r.ContentSpecID)
}

func (r *resolved) clientRelationContent() (map[string]any, error) {
	if len(r.clients) == 0 {
		return nil, errors.New("compose: a client relation document needs a client")
	}
	p := r.clients[0]
	client := r.jsonClient(p)
	if !p.BirthDate.IsZero() {
		client["syntymaaika"] = jsonDate(p.BirthDate)
	}
	if p.Gender != "" {
		client["sukupuoli"] = koodi("cda.administrativeGenderCode", p.Gender)
	}
	client["turvakielto"] = false
	start := r.CaseOpened
	if start.IsZero() {
		start = r.EffectiveTime
	}
	relation := map[string]any{"asiakkuuden_alkamispvm": jsonDate(start)}
	if !r.CaseClosed.IsZero() {
		relation["asiakkuuden_paattymispvm"] = jsonDate(r.CaseClosed)
	}
	c := map[string]any{
		"asiakkuuden_yksilointitunnus":        map[string]any{"system": "urn:oid:" + r.Custodian.OID, "value": r.ClientRelationshipID},
		"asiakas":                             client,
		"sosiaalihuollon_asiakkuus":           relation,
		"palvelunjarjestajan_toimintayksikko": unit(r.Organiser.OID, r.Organiser.Name),
	}
	var tasks []any
	for _, code := range r.serviceTasks() {
		task := map[string]any{"palvelutehtava": koodi("body.serviceTask", code)}
		if r.Organiser.ServiceUnitOID != "" {
			period := map[string]any{
				"palveluyksikon_nimi":    unit(r.Organiser.ServiceUnitOID, r.Organiser.ServiceUnitName),
				"asiakkuuden_alkamispvm": jsonDate(start),
			}
			if !r.CaseClosed.IsZero() {
				period["asiakkuuden_paattymispvm"] = jsonDate(r.CaseClosed)
			}
			task["palvelunjarjestajan_palveluyksikko"] = []any{period}
			if len(r.SocialServices) > 0 {
				provider := map[string]any{
					"sosiaalipalvelu":        r.socialServices(),
					"palveluyksikon_nimi":    unit(r.Organiser.ServiceUnitOID, r.Organiser.ServiceUnitName),
					"asiakkuuden_alkamispvm": jsonDate(start),
				}
				task["palveluntuottaja"] = []any{provider}
			}
		}
		tasks = append(tasks, task)
	}
	if len(tasks) > 0 {
		c["sosiaalihuollon_palvelutehtava"] = tasks
	}
	return map[string]any{"asiakkuusasiakirja": c}, nil
}

// serviceTasks are the service tasks of a client relation document:
// ServiceTask, then OtherServiceTasks, each once and none empty.
func (r *resolved) serviceTasks() []string {
	var out []string
	for _, code := range append([]string{r.ServiceTask}, r.OtherServiceTasks...) {
		if code != "" && !slices.Contains(out, code) {
			out = append(out, code)
		}
	}
	return out
}

func (r *resolved) caseContent() (map[string]any, error) {
	opened := r.CaseOpened
	if opened.IsZero() {
		opened = r.EffectiveTime
	}
	status := r.groups.CaseStatus.Open
	if !r.CaseClosed.IsZero() {
		status = r.groups.CaseStatus.Closed
	}
	c := map[string]any{
		"asiatunnus":     map[string]any{"system": "urn:oid:" + r.Custodian.OID, "value": r.CaseID},
		"nimi":           koodi("case.name", r.CaseNameCode),
		"tila":           koodi("header.caseStatus", status),
		"avauspaiva":     jsonDate(opened),
		"palvelutehtava": koodi("body.serviceTask", r.ServiceTask),
	}
	if r.CaseName != "" {
		c["lisatieto_luokkaan_muu"] = r.CaseName
	}
	if !r.CaseClosed.IsZero() {
		c["paattymispaiva"] = jsonDate(r.CaseClosed)
	}
	unitOID, unitName := r.Organiser.ServiceUnitOID, r.Organiser.ServiceUnitName
	if unitOID == "" {
		unitOID, unitName = r.Organiser.OID, r.Organiser.Name
	}
	return map[string]any{"asia_asiakirja": map[string]any{
		"palvelunjarjestajan_toimintayksikko": unit(unitOID, unitName),
		"asiakas":                             r.jsonClients(),
		"asian_tiedot":                        c,
	}}, nil
}

func (r *resolved) decisionContent() (map[string]any, error) {
	if r.Author == nil {
		return nil, errors.New("compose: a decision needs its decision maker (Author)")
	}
	if len(r.SocialServices) == 0 {
		return nil, errors.New("compose: a decision is about one social service (SocialServices)")
	}
	text := r.Text
	if text == "" {
		text = defaultDecisionText
	}
	maker := map[string]any{"sukunimi": r.Author.Family, "etunimet": r.Author.Given}
	informant := map[string]any{"sukunimi": r.Author.Family, "etunimet": r.Author.Given, "yhteystiedot": map[string]any{
		"postiosoite":   map[string]any{"lahiosoite": defaultStreet, "postinumero": defaultPostcode, "postitoimipaikka": defaultPostOffice},
		"puhelinnumero": defaultPhone,
	}}
	return map[string]any{"lapsiperheiden_palvelupaatos": map[string]any{
		"asiakas": r.jsonClients(),
		"paatos": map[string]any{
			"paatospaivamaara":                   jsonDate(r.EffectiveTime),
			"ratkaisun_laji":                     map[string]any{"system": "urn:oid:" + decisionKindSystem, "code": decisionKindCode, "display": decisionResult},
			"sosiaalipalvelu_jota_paatos_koskee": map[string]any{"sosiaalipalvelu": koodi("body.socialService", r.SocialServices[0])},
			"ratkaisu_ja_perustelut":             text + " " + defaultGrounds,
			"ratkaisun_lakiperuste":              defaultLegalBasis,
			"paatoksentekija":                    maker,
			"lisatietojen_antaja":                []any{informant},
		},
		"allekirjoitus": map[string]any{"allekirjoituksen_tyyppi": map[string]any{
			"system": "urn:oid:" + signatureKindSystem, "code": signatureKindCode, "display": signatureKindDisplay}},
	}}, nil
}

func (r *resolved) journalContent() (map[string]any, error) {
	if r.Author == nil {
		return nil, errors.New("compose: a journal entry needs its author")
	}
	text := r.Text
	if text == "" {
		text = defaultText
	}
	entry := map[string]any{
		"palvelutehtava": koodi("body.serviceTask", r.ServiceTask),
		"tapahtuma":      map[string]any{"kuvaus": entryType + ": " + text},
	}
	if len(r.SocialServices) > 0 {
		entry["sosiaalipalvelu"] = r.socialServices()
	}
	return map[string]any{"muu_asiakaskertomusmerkinta": map[string]any{
		"asiakas":                 r.jsonClients(),
		"asiakaskertomusmerkinta": entry,
		"paivamaara":              jsonDate(r.EffectiveTime),
		"laatija":                 r.professional(r.Author),
	}}, nil
}

func (r *resolved) planContent() (map[string]any, error) {
	if r.Author == nil {
		return nil, errors.New("compose: a plan needs its author")
	}
	text := r.Text
	if text == "" {
		text = defaultText
	}
	plan := map[string]any{"kuvaus_asiakkaan_tilanteesta": text}
	if len(r.SocialServices) > 0 {
		var planned []any
		for _, s := range r.SocialServices {
			planned = append(planned, map[string]any{"sosiaalipalvelu": koodi("body.socialService", s)})
		}
		plan["palvelut_joita_asiakkaalle_suunnitellaan"] = planned
	}
	return map[string]any{"lapsiperheiden_palvelujen_asiakassuunnitelma": map[string]any{
		"asiakas":     r.jsonClients(),
		"suunnitelma": plan,
		"paivamaara":  jsonDate(r.EffectiveTime),
		"laatija":     []any{r.professional(r.Author)},
	}}, nil
}

// jsonClient is the asiakas object of a client.
func (r *resolved) jsonClient(p Person) map[string]any {
	c := map[string]any{"sukunimi": p.Family, "etunimet": p.Given}
	if p.Hetu != "" {
		c["henkilotunnus"] = map[string]any{"system": "urn:oid:" + kanta.OIDHetu, "value": p.Hetu}
	}
	if p.TempID != nil {
		c["tilapainen_yksilointitunnus"] = map[string]any{"system": "urn:oid:" + p.TempID.Root, "value": p.TempID.Extension}
	}
	return c
}

func (r *resolved) jsonClients() []any {
	out := make([]any, 0, len(r.clients))
	for _, p := range r.clients {
		out = append(out, r.jsonClient(p))
	}
	return out
}

// professional is the ammattihenkilo object.
func (r *resolved) professional(p *Professional) map[string]any {
	title := p.Title
	if title == "" {
		title = defaultTitle
	}
	return map[string]any{"sukunimi": p.Family, "etunimet": p.Given, "tehtavanimike": title}
}

func (r *resolved) socialServices() []any {
	out := make([]any, 0, len(r.SocialServices))
	for _, s := range r.SocialServices {
		out = append(out, koodi("body.socialService", s))
	}
	return out
}

// koodi is a code object {system, code, display} of the code system the
// binding names, with the bundled display name when the code is known (the
// code itself otherwise).
func koodi(binding, code string) map[string]any {
	cs := codes.Default()
	oid, _ := cs.Binding(binding)
	// Sosmeta's code objects require a display; the code stands in for an
	// unknown one.
	k := map[string]any{"system": "urn:oid:" + oid, "code": code, "display": code}
	if v, ok := cs.Lookup(oid, code); ok {
		if d := displayOf(v); d != "" {
			k["display"] = d
		}
	}
	return k
}

// unit is a service unit or organisation of the SOTE organisation register.
func unit(oid, name string) map[string]any {
	k := koodi("body.serviceUnit", oid)
	if name != "" {
		k["display"] = name
	}
	return k
}

func jsonDate(t time.Time) string { return t.Format(time.DateOnly) }
