package compose

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/body"
)

// maxDisplayDepth bounds the nesting of content rendered as XHTML; deeper
// parts are shown as JSON text, well inside body.MaxXHTMLDepth.
const maxDisplayDepth = 24

// xhtml renders the display form of structured content: a small
// <div class="soc-document"> in the XHTML namespace, in the layout of the
// real samples (header, title, one section per top-level field).
func (r *resolved) xhtml() ([]byte, error) {
	var content any
	dec := json.NewDecoder(bytes.NewReader(r.json))
	dec.UseNumber()
	if err := dec.Decode(&content); err != nil {
		return nil, fmt.Errorf("compose: read content for the display form: %w", err)
	}
	doc := etree.NewDocument()
	root := doc.CreateElement("div")
	root.CreateAttr("xmlns", kanta.NamespaceXHTML)
	root.CreateAttr("class", "soc-document")
	root.CreateAttr("id", "OID"+r.ID)
	hdr := div(root, "soc-header")
	div(hdr, "soc-hdr1").SetText(r.Custodian.Name)
	div(hdr, "soc-hdr2").SetText(r.generalTitle())
	main := div(root, "soc-main-wrapper")
	h1 := main.CreateElement("h1")
	h1.CreateAttr("class", "soc-fulltitle")
	h1.SetText(r.title())
	if r.Annul {
		p := main.CreateElement("p")
		p.CreateAttr("class", "soc-annulled")
		p.SetText(strings.TrimSpace("Asiakirja on mitätöity. " + r.AnnulReason))
	}
	if r.ReasonOfCorrection != "" {
		p := main.CreateElement("p")
		p.CreateAttr("class", "soc-corrected")
		p.SetText(r.correctionNote())
	}
	// The content is {structure name: {fields}}: render the fields.
	fields := content
	if m, ok := content.(map[string]any); ok && len(m) == 1 {
		for _, v := range m {
			fields = v
		}
	}
	if m, ok := fields.(map[string]any); ok {
		for _, k := range sortedKeys(m) {
			item := div(div(main, "soc-list"), "soc-item")
			h := item.CreateElement("h2")
			h.CreateAttr("class", "soc-title")
			h.SetText(label(k))
			renderValue(div(item, "soc-content"), k, m[k], 0)
		}
	} else {
		renderValue(div(main, "soc-content"), "", fields, 0)
	}
	out, err := doc.WriteToBytes()
	if err != nil {
		return nil, fmt.Errorf("compose: write display form: %w", err)
	}
	return out, nil
}

// generalTitle is the general document type's name, or the group's.
func (r *resolved) generalTitle() string {
	if r.GeneralType != "" {
		if v, ok := lookup("cda.generalDocumentType", r.GeneralType); ok {
			return displayOf(v)
		}
	}
	return r.group.Name
}

// renderValue appends the rendering of one content value to parent.
func renderValue(parent *etree.Element, key string, v any, depth int) {
	if depth > maxDisplayDepth {
		b, _ := json.Marshal(v)
		parent.CreateElement("p").SetText(string(b))
		return
	}
	switch x := v.(type) {
	case map[string]any:
		if s, ok := scalarObject(key, x); ok {
			parent.CreateElement("p").SetText(s)
			return
		}
		for _, k := range sortedKeys(x) {
			if s, ok := scalar(k, x[k]); ok {
				p := parent.CreateElement("p")
				p.CreateElement("b").SetText(label(k))
				p.CreateText(": " + s)
				continue
			}
			sub := div(parent, "soc-sub")
			sub.CreateElement("h3").SetText(label(k))
			renderValue(sub, k, x[k], depth+1)
		}
	case []any:
		for _, e := range x {
			renderValue(div(parent, "soc-item"), key, e, depth+1)
		}
	default:
		s, _ := scalar(key, v)
		parent.CreateElement("p").SetText(s)
	}
}

// scalar renders a value that fits on one line.
func scalar(key string, v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		if x {
			return "Kyllä", true
		}
		return "Ei", true
	case nil:
		return "", true
	case map[string]any:
		return scalarObject(key, x)
	}
	return "", false
}

// scalarObject renders code objects {system, code, display} by their name
// and identifiers {system, value} by their value, hiding the individual
// part of a personal identity code as the samples do.
func scalarObject(key string, m map[string]any) (string, bool) {
	if _, ok := m["system"]; !ok {
		return "", false
	}
	if code, ok := m["code"].(string); ok {
		if d, ok := m["display"].(string); ok && d != "" {
			return d, true
		}
		return code, true
	}
	if value, ok := m["value"].(string); ok {
		if key == "henkilotunnus" && len(value) == 11 {
			return value[:6] + "*****", true
		}
		return value, true
	}
	return "", false
}

// label turns a structure's field name into a heading.
func label(key string) string {
	s := strings.ReplaceAll(key, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func div(parent *etree.Element, class string) *etree.Element {
	d := parent.CreateElement("div")
	d.CreateAttr("class", class)
	return d
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// defaultPDF is the PDF/A display form of an unstructured document: its
// name, clients, case and text.
func (r *resolved) defaultPDF() []byte {
	var lines []string
	for _, p := range r.clients {
		_, id := p.id()
		if p.Hetu != "" && len(id) == 11 {
			id = id[:6] + "*****"
		}
		lines = append(lines, fmt.Sprintf("Asiakas: %s %s %s", p.Family, p.Given, id))
	}
	if r.CaseID != "" {
		lines = append(lines, "Asia: "+r.CaseID)
	}
	if r.Description != "" {
		lines = append(lines, r.Description)
	}
	if r.Text != "" {
		lines = append(lines, r.Text)
	}
	if r.Annul {
		lines = append(lines, strings.TrimSpace("Asiakirja on mitätöity. "+r.AnnulReason))
	}
	if r.ReasonOfCorrection != "" {
		lines = append(lines, r.correctionNote())
	}
	return body.MinimalPDFA(r.title(), strings.Join(lines, "\n"))
}

// correctionNote tells the client who corrected the document, when and on
// what grounds (handbook L29286-L29289: the correction data is shown to
// the client).
func (r *resolved) correctionNote() string {
	reason := r.ReasonOfCorrection
	if v, ok := lookup("header.reasonOfCorrection", reason); ok && displayOf(v) != "" {
		reason = displayOf(v)
	}
	note := "Asiakirjaa on korjattu " + r.EffectiveTime.Format("2.1.2006") + "."
	if a := r.Author; a != nil {
		who := strings.TrimSpace(a.Given + " " + a.Family)
		if a.Title != "" {
			who += ", " + a.Title
		}
		note += " Korjaaja: " + who + "."
	}
	return note + " Korjauksen peruste: " + reason + "."
}
