package independent_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"sort"
	"strings"
)

// Code systems of the structured content, as Sosmeta's classifications
// name them (urn:oid: form, as in the real plan).
const (
	sysHetu        = "urn:oid:1.2.246.21"
	sysServiceTask = "urn:oid:1.2.246.537.6.1221.201601"
	sysSocialSvc   = "urn:oid:1.2.246.537.6.1222.201601"
	sysOrgRegister = "urn:oid:1.2.246.537.6.202.2008"
	sysGender      = "urn:oid:1.2.246.537.5.1.1997"
	sysCaseName    = "urn:oid:1.2.246.537.6.1265.202301"
	sysSignature   = "urn:oid:1.2.246.537.5.40161"
)

// serviceTaskName is the Finnish name of a service task the vendor offers
// (Sosiaalihuolto - Palvelutehtävä).
func serviceTaskName(code string) string {
	switch code {
	case "10":
		return "Lastensuojelu"
	case "24":
		return "Lapsiperheiden palvelut"
	case "25":
		return "Perheoikeudelliset palvelut"
	}
	return "Palvelutehtävä " + code
}

func coded(system, code, display string) map[string]any {
	return map[string]any{"system": system, "code": code, "display": display}
}

// person is a client in the structured content: names and the identity
// code, or the temporary identifier.
func (c *vclient) person() map[string]any {
	p := map[string]any{"sukunimi": c.family, "etunimet": c.given}
	if c.hetu != "" {
		p["henkilotunnus"] = map[string]any{"system": sysHetu, "value": c.hetu}
	} else {
		p["tilapainen_yksilointitunnus"] = map[string]any{"system": "urn:oid:" + c.tempRoot, "value": c.tempExt}
	}
	return p
}

// persons are the document's clients in the structured content.
func persons(d *vdoc) []any {
	out := make([]any, 0, len(d.clients))
	for _, c := range d.clients {
		out = append(out, c.person())
	}
	return out
}

// clientRelationContent edits the real sample's client relation content
// (asiakkuusasiakirja) for the client: identity, the relationship's id and
// dates, the organiser and one entry per service task.
func (v *vendor) clientRelationContent(sample map[string]any, d *vdoc, x *version) (map[string]any, error) {
	root, ok := sample["asiakkuusasiakirja"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the client relation sample has no asiakkuusasiakirja")
	}
	c := d.clients[0]
	root["asiakkuuden_yksilointitunnus"] = map[string]any{"system": "urn:oid:" + v.org.oid, "value": d.relationship}
	// The sample's client with this client's identity: the fields the
	// vendor's records hold are kept as the sample has them.
	asiakas, _ := root["asiakas"].(map[string]any)
	if asiakas == nil {
		asiakas = map[string]any{}
	}
	delete(asiakas, "henkilotunnus")
	delete(asiakas, "tilapainen_yksilointitunnus")
	for k, val := range c.person() {
		asiakas[k] = val
	}
	if !c.birth.IsZero() {
		asiakas["syntymaaika"] = c.birth.Format("2006-01-02")
	}
	if g := c.gender(); g != "" {
		asiakas["sukupuoli"] = coded(sysGender, g, map[string]string{"1": "mies", "2": "nainen"}[g])
	}
	root["asiakas"] = asiakas
	rel := map[string]any{"asiakkuuden_alkamispvm": d.start.Format("2006-01-02")}
	if !x.ended.IsZero() {
		rel["asiakkuuden_paattymispvm"] = x.ended.Format("2006-01-02")
	}
	root["sosiaalihuollon_asiakkuus"] = rel
	root["palvelunjarjestajan_toimintayksikko"] = coded(sysOrgRegister, v.org.oid, v.org.name)
	var tasks []any
	for _, t := range x.tasks {
		unit := v.org.unit(t)
		period := map[string]any{"palveluyksikon_nimi": coded(sysOrgRegister, unit.oid, unit.name),
			"asiakkuuden_alkamispvm": d.start.Format("2006-01-02")}
		if !x.ended.IsZero() {
			period["asiakkuuden_paattymispvm"] = x.ended.Format("2006-01-02")
		}
		tasks = append(tasks, map[string]any{
			"palvelutehtava":                     coded(sysServiceTask, t, serviceTaskName(t)),
			"palvelunjarjestajan_palveluyksikko": []any{period},
		})
	}
	root["sosiaalihuollon_palvelutehtava"] = tasks
	return sample, nil
}

// caseContent is the case document (asia_asiakirja, Sosmeta
// 1.2.246.537.6.1505.2.2022.6.28).
func (v *vendor) caseContent(d *vdoc, x *version) map[string]any {
	clients := persons(d)
	status, statusName := caseOpen, "Vireillä"
	if !x.ended.IsZero() {
		status, statusName = caseClosed, "Päättynyt"
	}
	info := map[string]any{
		"asiatunnus":             map[string]any{"system": "urn:oid:" + v.org.oid, "value": d.cse.id},
		"nimi":                   coded(sysCaseName, "99", "Muu sosiaalihuollon asia"),
		"lisatieto_luokkaan_muu": d.cse.name,
		"tila":                   coded("urn:oid:"+sysCaseStatus, status, statusName),
		"avauspaiva":             d.start.Format("2006-01-02"),
		"yhteinen_asia":          len(d.clients) > 1,
		"palvelutehtava":         coded(sysServiceTask, d.cse.task, serviceTaskName(d.cse.task)),
	}
	if !x.ended.IsZero() {
		info["paattymispaiva"] = x.ended.Format("2006-01-02")
	}
	return map[string]any{"asia_asiakirja": map[string]any{
		"palvelunjarjestajan_toimintayksikko": coded(sysOrgRegister, v.org.oid, v.org.name),
		"asiakas":                             clients,
		"asian_tiedot":                        info,
	}}
}

// planContent edits the real sample plan's content
// (lapsiperheiden_palvelujen_asiakassuunnitelma) for the document.
func (v *vendor) planContent(sample map[string]any, d *vdoc, x *version) (map[string]any, error) {
	root, ok := sample["lapsiperheiden_palvelujen_asiakassuunnitelma"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the plan sample has no lapsiperheiden_palvelujen_asiakassuunnitelma")
	}
	clients := persons(d)
	root["asiakas"] = clients
	if plan, ok := root["suunnitelma"].(map[string]any); ok {
		plan["kuvaus_asiakkaan_tilanteesta"] = x.text
	}
	root["paivamaara"] = x.time.Format("2006-01-02")
	unit := v.org.unit(d.cse.task)
	root["laatija"] = []any{map[string]any{"sukunimi": v.pro.family, "etunimet": v.pro.given,
		"tehtavanimike": v.pro.title, "palveluyksikko": coded(sysOrgRegister, unit.oid, unit.name)}}
	return sample, nil
}

// decisionContent is a families' service decision (lapsiperheiden
// palvelupäätös, Sosmeta 1.2.246.537.6.1506.11001.2023.9.8).
func (v *vendor) decisionContent(d *vdoc, x *version) map[string]any {
	clients := persons(d)
	unit := v.org.unit(d.cse.task)
	return map[string]any{"lapsiperheiden_palvelupaatos": map[string]any{
		"asiakas": clients,
		"paatos": map[string]any{
			"paatospaivamaara":                   x.time.Format("2006-01-02"),
			"ratkaisun_laji":                     coded("urn:oid:1.2.246.537.6.1248", "1", "Myönteinen"),
			"sosiaalipalvelu_jota_paatos_koskee": map[string]any{"sosiaalipalvelu": coded(sysSocialSvc, "45", "Sosiaaliohjaus")},
			"ratkaisu_ja_perustelut":             x.text,
			"ratkaisun_lakiperuste":              "Sosiaalihuoltolaki 1301/2014",
			"paatoksentekija":                    map[string]any{"sukunimi": v.pro.family, "etunimet": v.pro.given},
			"lisatietojen_antaja": []any{map[string]any{"sukunimi": v.pro.family, "etunimet": v.pro.given,
				"yhteystiedot": map[string]any{
					"postiosoite":   map[string]any{"lahiosoite": unit.street, "postinumero": unit.postcode, "postitoimipaikka": unit.city},
					"puhelinnumero": unit.phone,
				}}},
		},
		"allekirjoitus": map[string]any{"allekirjoituksen_tyyppi": coded(sysSignature, "1", "Ammattihenkilön allekirjoitus")},
	}}
}

// journalContent is a journal entry of a meeting (merkintä tapaamisesta
// tai yhteydenotosta, Sosmeta 1.2.246.537.6.1506.19005.2022.1.10).
func (v *vendor) journalContent(d *vdoc, x *version) map[string]any {
	clients := persons(d)
	return map[string]any{"merkinta_tapaamisesta_tai_yhteydenotosta": map[string]any{
		"asiakas": clients,
		"asiakaskertomusmerkinta": map[string]any{
			"palvelutehtava": coded(sysServiceTask, d.cse.task, serviceTaskName(d.cse.task)),
		},
		"laatija": map[string]any{"sukunimi": v.pro.family, "etunimet": v.pro.given},
	}}
}

// xhtml renders content as the display form: the document's title, then
// every field of the content as a labelled line, in key order.
func xhtml(id, title string, content map[string]any) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<div xmlns="http://www.w3.org/1999/xhtml" class="soc-document" id="OID%s"><h1>%s</h1>`, html.EscapeString(id), html.EscapeString(title))
	var lines []string
	var flatten func(prefix string, v any)
	flatten = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if d, ok := x["display"].(string); ok {
				lines = append(lines, prefix+": "+d)
				return
			}
			if val, ok := x["value"].(string); ok {
				lines = append(lines, prefix+": "+val)
				return
			}
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				flatten(strings.TrimPrefix(prefix+" / "+k, " / "), x[k])
			}
		case []any:
			for _, e := range x {
				flatten(prefix, e)
			}
		default:
			lines = append(lines, fmt.Sprintf("%s: %v", prefix, x))
		}
	}
	flatten("", content)
	for _, l := range lines {
		fmt.Fprintf(&b, "<p>%s</p>", html.EscapeString(strings.ReplaceAll(l, "_", " ")))
	}
	b.WriteString("</div>")
	return b.Bytes()
}

// pdfA is a one-page PDF/A-1b with the title as its text and the XMP
// metadata that identifies it.
func pdfA(title string) []byte {
	xmp := `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
		`<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"><pdfaid:part>1</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance></rdf:Description>` +
		`<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title><rdf:Alt><rdf:li xml:lang="x-default">` + html.EscapeString(title) + `</rdf:li></rdf:Alt></dc:title></rdf:Description>` +
		`</rdf:RDF></x:xmpmeta><?xpacket end="w"?>`
	text := "BT /F1 12 Tf 72 720 Td (" + strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(asciiOnly(title)) + ") Tj ET"
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R /Metadata 5 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 6 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(text), text),
		fmt.Sprintf("<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n%s\nendstream", len(xmp), xmp),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// asciiOnly replaces the letters outside ASCII that the standard font
// would need an encoding for.
func asciiOnly(s string) string {
	return strings.NewReplacer("ä", "a", "ö", "o", "å", "a", "Ä", "A", "Ö", "O", "Å", "A").Replace(s)
}

// jsonEncoder writes JSON without escaping <, > and &.
func jsonEncoder(w *bytes.Buffer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

// decodeJSON decodes a sample's structured content.
func decodeJSON(b []byte) (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode sample content: %w", err)
	}
	return m, nil
}
