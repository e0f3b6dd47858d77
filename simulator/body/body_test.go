package body

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/sharedtest"

	"github.com/yhteistestaus/yhteistestaus/simulator/sosmeta"
	"github.com/yhteistestaus/yhteistestaus/simulator/sosmeta/sosmetatest"
)

// sample is one decoded sample document.
type sample struct {
	name          string
	contentSpecID string
	content       Content
}

// loadSamples decodes the nonXMLBody of every sample CDA document, published
// and signature-restored.
func loadSamples(tb testing.TB) []sample {
	tb.Helper()
	samplesDir := sharedtest.Dir(tb, "samples", "kanta-sh-public")
	var out []sample
	for _, name := range []string{
		"client-relation-document.xml",
		"plan-document.xml",
		filepath.Join("signature-restored", "client-relation-document.xml"),
		filepath.Join("signature-restored", "plan-document.xml"),
	} {
		doc := etree.NewDocument()
		if err := doc.ReadFromFile(filepath.Join(samplesDir, name)); err != nil {
			tb.Fatalf("read sample %s: %v", name, err)
		}
		var spec string
		var body *etree.Element
		for _, el := range doc.FindElements("//*") {
			switch {
			case el.Tag == "contentSpecificationId" && el.NamespaceURI() == kanta.NamespaceHL7Finland:
				spec = strings.TrimSpace(el.Text())
			case el.Tag == "nonXMLBody" && el.NamespaceURI() == kanta.NamespaceHL7:
				body = el
			}
		}
		if body == nil || spec == "" {
			tb.Fatalf("%s: no nonXMLBody or contentSpecificationId", name)
		}
		c, err := ReadNonXMLBody(body)
		if err != nil {
			tb.Fatalf("%s: ReadNonXMLBody: %v", name, err)
		}
		out = append(out, sample{name, spec, c})
	}
	return out
}

func defaultSchemas(tb testing.TB) *sosmeta.Set {
	tb.Helper()
	s, err := DefaultSchemas()
	if err != nil {
		tb.Fatalf("DefaultSchemas: %v", err)
	}
	return s
}

func TestSamplesPassEveryCheck(t *testing.T) {
	schemas := defaultSchemas(t)
	for _, s := range loadSamples(t) {
		t.Run(s.name, func(t *testing.T) {
			if s.content.MediaType != "application/xhtml+xml" {
				t.Errorf("media type: got %q, want application/xhtml+xml", s.content.MediaType)
			}
			if err := CheckXHTML(s.content.Display); err != nil {
				t.Errorf("CheckXHTML: got %v, want nil", err)
			}
			doc, err := DecodeJSON(s.content.JSON)
			if err != nil {
				t.Fatalf("DecodeJSON: got %v, want nil", err)
			}
			probs, err := schemas.Validate(s.contentSpecID, doc)
			if err != nil {
				t.Fatalf("Validate(%s): %v", s.contentSpecID, err)
			}
			if len(probs) != 0 {
				t.Errorf("Validate(%s): got problems %v, want none", s.contentSpecID, probs)
			}
		})
	}
}

func TestReadNonXMLBodyHandlesCommentsAndSplitBase64(t *testing.T) {
	const src = `<nonXMLBody xmlns="urn:hl7-org:v3" xmlns:x="urn:hl7finland">
  <text mediaType="application/xhtml+xml" representation="B64"><!-- a comment -->PGRpdiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMTk5OS94aHRtbCI+
  aGVpPC9kaXY+<!-- another --></text>
  <x:json>eyJhIjog
  MX0=</x:json>
</nonXMLBody>`
	doc := etree.NewDocument()
	if err := doc.ReadFromString(src); err != nil {
		t.Fatal(err)
	}
	c, err := ReadNonXMLBody(doc.Root())
	if err != nil {
		t.Fatalf("ReadNonXMLBody: %v", err)
	}
	if got, want := string(c.Display), `<div xmlns="http://www.w3.org/1999/xhtml">hei</div>`; got != want {
		t.Errorf("display: got %q, want %q", got, want)
	}
	if got, want := string(c.JSON), `{"a": 1}`; got != want {
		t.Errorf("json: got %q, want %q", got, want)
	}
}

func TestReadNonXMLBodyErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"no text", `<nonXMLBody xmlns="urn:hl7-org:v3"/>`, "no text"},
		{"not base64", `<nonXMLBody xmlns="urn:hl7-org:v3"><text representation="B64">@@@</text></nonXMLBody>`, "base64"},
		{"wrong representation", `<nonXMLBody xmlns="urn:hl7-org:v3"><text representation="TXT">x</text></nonXMLBody>`, "representation"},
		{"text in the wrong namespace is ignored", `<nonXMLBody xmlns="urn:hl7-org:v3"><x:text xmlns:x="urn:other" representation="B64">aGk=</x:text></nonXMLBody>`, "no text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := etree.NewDocument()
			if err := doc.ReadFromString(tt.src); err != nil {
				t.Fatal(err)
			}
			_, err := ReadNonXMLBody(doc.Root())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ReadNonXMLBody: got %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestCheckXHTML(t *testing.T) {
	const ok = `<div class="soc-document" xmlns="http://www.w3.org/1999/xhtml"><p>Hei &amp; moi</p></div>`
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"soc-document div in the XHTML namespace", ok, nil},
		{"leading CRLFs and a BOM as vendors send", "\ufeff\r\n\r\n" + ok, nil},
		{"html root with prefix", `<h:html xmlns:h="http://www.w3.org/1999/xhtml"><h:body/></h:html>`, nil},
		{"comments around the root", "<!-- x -->" + ok + "<!-- y -->", nil},
		{"DOCTYPE refused", `<!DOCTYPE html>` + ok, ErrXHTMLDTD},
		{"entity declaration refused", `<!DOCTYPE d [<!ENTITY a "aaaa">]><div xmlns="http://www.w3.org/1999/xhtml">&a;</div>`, ErrXHTMLDTD},
		{"undefined entity", `<div xmlns="http://www.w3.org/1999/xhtml">&nbsp;</div>`, ErrXHTMLSyntax},
		{"root without namespace", `<div class="soc-document"/>`, ErrXHTMLRoot},
		{"root in another namespace", `<div xmlns="urn:hl7-org:v3"/>`, ErrXHTMLRoot},
		{"two roots", ok + ok, ErrXHTMLSyntax},
		{"text after the root", ok + "tail", ErrXHTMLSyntax},
		{"unclosed element", `<div xmlns="http://www.w3.org/1999/xhtml"><p>`, ErrXHTMLSyntax},
		{"empty", ``, ErrXHTMLSyntax},
		{"invalid UTF-8", "<div xmlns=\"http://www.w3.org/1999/xhtml\">\xff\xfe</div>", ErrXHTMLSyntax},
		{"non-UTF-8 declaration", `<?xml version="1.0" encoding="ISO-8859-1"?>` + ok, ErrXHTMLSyntax},
		{"nesting too deep", `<div xmlns="http://www.w3.org/1999/xhtml">` + strings.Repeat("<b>", MaxXHTMLDepth) + strings.Repeat("</b>", MaxXHTMLDepth) + `</div>`, ErrXHTMLTooDeep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckXHTML([]byte(tt.in))
			if !errors.Is(err, tt.want) {
				t.Fatalf("CheckXHTML: got %v, want %v", err, tt.want)
			}
		})
	}
	big := make([]byte, MaxXHTMLSize+1)
	if err := CheckXHTML(big); !errors.Is(err, ErrXHTMLTooLarge) {
		t.Errorf("CheckXHTML(%d bytes): got %v, want %v", len(big), err, ErrXHTMLTooLarge)
	}
}

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"object", `{"a": [1, "x", true, null, {"b": 2.5}]}`, nil},
		{"duplicate key", `{"a": 1, "a": 2}`, ErrJSONDupKey},
		{"nested duplicate key", `{"a": {"b": 1, "b": 1}}`, ErrJSONDupKey},
		{"trailing data", `{"a": 1} {"b": 2}`, ErrJSONSyntax},
		{"truncated", `{"a": [1, 2`, ErrJSONSyntax},
		{"empty", ``, ErrJSONSyntax},
		{"invalid UTF-8", "{\"a\": \"\xff\"}", ErrJSONEncoding},
		{"byte-order mark", "\ufeff{}", ErrJSONEncoding},
		{"too deep", strings.Repeat("[", MaxJSONDepth+1) + strings.Repeat("]", MaxJSONDepth+1), ErrJSONTooDeep},
		{"brackets inside strings do not count", `{"a": "` + strings.Repeat("[", MaxJSONDepth+5) + `"}`, nil},
		{"bare word", `nope`, ErrJSONSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeJSON([]byte(tt.in))
			if !errors.Is(err, tt.want) {
				t.Fatalf("DecodeJSON(%.40q): got %v, want %v", tt.in, err, tt.want)
			}
		})
	}
	if _, err := DecodeJSON(make([]byte, MaxJSONSize+1)); !errors.Is(err, ErrJSONTooLarge) {
		t.Errorf("DecodeJSON(too large): got %v, want %v", err, ErrJSONTooLarge)
	}
}

// samplePlanJSON returns the plan sample's decoded JSON as text.
func samplePlanJSON(t testing.TB) string {
	for _, s := range loadSamples(t) {
		if s.name == "plan-document.xml" {
			return string(s.content.JSON)
		}
	}
	t.Fatal("plan sample not found")
	return ""
}

func sampleClientRelationJSON(t testing.TB) string {
	for _, s := range loadSamples(t) {
		if s.name == "client-relation-document.xml" {
			return string(s.content.JSON)
		}
	}
	t.Fatal("client relation sample not found")
	return ""
}

const (
	planID = "1.2.246.537.6.1506.15007.2024.11.28"
	crID   = "1.2.246.537.6.1505.1.2023.6.1"
	caseID = "1.2.246.537.6.1505.2.2022.6.28"
)

func TestValidateRejectsPlausibleErrors(t *testing.T) {
	schemas := defaultSchemas(t)
	plan := samplePlanJSON(t)
	cr := sampleClientRelationJSON(t)
	real := sosmetatest.Open(t)
	caseDoc, err := os.ReadFile(filepath.Join("testdata", caseID+".json"))
	if err != nil {
		t.Fatal(err)
	}
	replace := func(s, old, new string) string {
		t.Helper()
		if !strings.Contains(s, old) {
			t.Fatalf("mutation: %q not found", old)
		}
		return strings.Replace(s, old, new, 1)
	}
	// wantPtr is where THL's structure finds the defect; embedded says
	// whether the open fallback schemas find it too. The fallback may miss
	// a defect, never find one the real structure does not.
	tests := []struct {
		name, spec, json, wantPtr string
		embedded                  bool
	}{
		{"plan without its client", planID,
			replace(plan, `"asiakas": [{ "sukunimi": "Sosh-Aik", "etunimet": "Kanta-Hakuat", "henkilotunnus": { "system": "urn:oid:1.2.246.21", "value": "180418A903L" } }],`, ""),
			"/lapsiperheiden_palvelujen_asiakassuunnitelma", true},
		{"plan with an empty client list", planID,
			replace(plan, `[{ "sukunimi": "Sosh-Aik", "etunimet": "Kanta-Hakuat", "henkilotunnus": { "system": "urn:oid:1.2.246.21", "value": "180418A903L" } }]`, "[]"),
			"/lapsiperheiden_palvelujen_asiakassuunnitelma/asiakas", true},
		{"plan code object without urn:oid", planID,
			replace(plan, `"urn:oid:1.2.246.537.6.1222.201601"`, `"1.2.246.537.6.1222.201601"`),
			"/lapsiperheiden_palvelujen_asiakassuunnitelma/suunnitelma/palvelut_joita_asiakkaalle_suunnitellaan/0/sosiaalipalvelu/system", true},
		{"plan code object from the wrong classification", planID,
			replace(plan, `"urn:oid:1.2.246.537.6.1222.201601"`, `"urn:oid:1.2.246.537.6.1221.201601"`),
			"/lapsiperheiden_palvelujen_asiakassuunnitelma/suunnitelma/palvelut_joita_asiakkaalle_suunnitellaan/0/sosiaalipalvelu", true},
		{"plan code object as a bare string", planID,
			replace(plan, `{ "system": "urn:oid:1.2.246.537.6.1222.201601", "code": "45", "display": "Sosiaaliohjaus" }`, `"45"`),
			"/lapsiperheiden_palvelujen_asiakassuunnitelma/suunnitelma/palvelut_joita_asiakkaalle_suunnitellaan/0/sosiaalipalvelu", true},
		{"plan code object without code", planID,
			replace(plan, `"code": "45", `, ""),
			"/lapsiperheiden_palvelujen_asiakassuunnitelma/suunnitelma/palvelut_joita_asiakkaalle_suunnitellaan/0/sosiaalipalvelu", true},
		{"plan date in Finnish format", planID,
			replace(plan, `"paivamaara": "2026-03-23"`, `"paivamaara": "23.3.2026"`),
			"/lapsiperheiden_palvelujen_asiakassuunnitelma/paivamaara", true},
		{"plan impossible month", planID,
			replace(plan, `"paivamaara": "2026-03-23"`, `"paivamaara": "2026-13-23"`),
			"/lapsiperheiden_palvelujen_asiakassuunnitelma/paivamaara", true},
		{"plan time without offset", planID,
			replace(plan, `"2026-03-19T13:33:30+03:00"`, `"2026-03-19 13:33"`),
			"/lapsiperheiden_palvelujen_asiakassuunnitelma/suunnitelma/suunnitelman_tarkistaminen/paivamaara_ja_kellonaika", true},
		{"plan field outside the structure", planID,
			replace(plan, `"paivamaara": "2026-03-23"`, `"paivamaara": "2026-03-23", "oma_kentta": 1`),
			"/lapsiperheiden_palvelujen_asiakassuunnitelma", false},
		{"client relation without client", crID,
			replace(cr, `"asiakas": {`, `"asiakas_x": {`),
			"/asiakkuusasiakirja", true},
		{"client relation bad birth date", crID,
			replace(cr, `"syntymaaika": "2011-01-01"`, `"syntymaaika": "20110101"`),
			"/asiakkuusasiakirja/asiakas/syntymaaika", true},
		{"client relation gender from the wrong code system", crID,
			replace(cr, `"urn:oid:1.2.246.537.5.1.1997"`, `"urn:oid:1.2.246.537.6.1222"`),
			"/asiakkuusasiakirja/asiakas/sukupuoli", true},
		{"case without its status", caseID,
			replace(string(caseDoc), `"tila": {"system": "urn:oid:1.2.246.537.6.1501", "code": "SIM-VIREILLA", "display": "Vireillä"},`, ""),
			"/asia_asiakirja/asian_tiedot", true},
		{"case status from an own code system", caseID,
			replace(string(caseDoc), `"urn:oid:1.2.246.537.6.1501"`, `"urn:oid:2.25.216987723456657924596742437068248609408"`),
			"/asia_asiakirja/asian_tiedot/tila", false},
		{"wrong root key", planID, `{"asiakassuunnitelma": {}}`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := DecodeJSON([]byte(tt.json))
			if err != nil {
				t.Fatalf("DecodeJSON: %v", err)
			}
			probs, err := real.Validate(tt.spec, doc)
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if !slices.ContainsFunc(probs, func(p sosmeta.Problem) bool { return p.Pointer == tt.wantPtr }) {
				t.Errorf("THL's structure: got problems %v, want one at %q", probs, tt.wantPtr)
			}
			own, err := schemas.Validate(tt.spec, doc)
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if got := len(own) > 0; got != tt.embedded {
				t.Errorf("embedded fallback: got problems %v, want a rejection: %v", own, tt.embedded)
			}
		})
	}
}

func TestValidateUnknownSpecification(t *testing.T) {
	schemas := defaultSchemas(t)
	_, err := schemas.Validate("1.2.246.537.6.1506.99999.2024.1.1", map[string]any{})
	if !errors.Is(err, sosmeta.ErrUnknownStructure) {
		t.Fatalf("Validate(unknown id): got %v, want %v", err, sosmeta.ErrUnknownStructure)
	}
}

func TestBundledSchemasHaveExamplesAndSayTheyAreOurs(t *testing.T) {
	schemas := defaultSchemas(t)
	want := []string{
		"1.2.246.537.6.1505.1.2023.6.1",
		"1.2.246.537.6.1505.2.2022.6.28",
		"1.2.246.537.6.1506.11001.2023.9.8",
		"1.2.246.537.6.1506.15007.2024.11.28",
		"1.2.246.537.6.1506.19013.2022.1.10",
	}
	if got := schemas.OIDs(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("IDs: got %v, want %v", got, want)
	}
	for _, id := range want {
		raw, err := os.ReadFile(filepath.Join("schemas", id+".json"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(raw, []byte("NOT THL's official schema")) {
			t.Errorf("%s: description does not say the schema is synthetic", id)
		}
		if !bytes.Contains(raw, []byte("is a real Sosmeta id")) || !bytes.Contains(raw, []byte("Open:")) {
			t.Errorf("%s: description does not say that the id is THL's and the schema open", id)
		}
		if id == crID || id == planID {
			continue // the sample JSON is the example
		}
		example, err := os.ReadFile(filepath.Join("testdata", id+".json"))
		if err != nil {
			t.Fatalf("%s: no example: %v", id, err)
		}
		doc, err := DecodeJSON(example)
		if err != nil {
			t.Fatalf("%s example: DecodeJSON: %v", id, err)
		}
		probs, err := schemas.Validate(id, doc)
		if err != nil || len(probs) != 0 {
			t.Errorf("%s example: Validate = %v, %v; want no problems", id, probs, err)
		}
	}
}

func TestInspectPDF(t *testing.T) {
	pdfa := MinimalPDFA("Päätös (liite)", "Rivi 1\nRivi (2) \\ ä")
	plain := []byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
	tests := []struct {
		name    string
		in      []byte
		want    PDFInfo
		wantErr error
	}{
		{"MinimalPDFA is PDF/A-1b", pdfa, PDFInfo{"1.4", 1, "B"}, nil},
		{"plain PDF without XMP is not PDF/A", plain, PDFInfo{"1.7", 0, ""}, nil},
		{"attribute form of pdfaid", []byte(`%PDF-1.7
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:p="http://www.aiim.org/pdfa/ns/id/" p:part="2" p:conformance="u"/></rdf:RDF></x:xmpmeta>`), PDFInfo{"1.7", 2, "U"}, nil},
		{"XMP without pdfaid", []byte(`%PDF-1.5 <x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>`), PDFInfo{"1.5", 0, ""}, nil},
		{"pdfaid in the wrong namespace", []byte(`%PDF-1.5 <x:xmpmeta xmlns:x="adobe:ns:meta/"><pdfaid:part xmlns:pdfaid="urn:fake">1</pdfaid:part></x:xmpmeta>`), PDFInfo{"1.5", 0, ""}, nil},
		{"malformed XMP is ignored", []byte(`%PDF-1.5 <x:xmpmeta <<>> </x:xmpmeta>`), PDFInfo{"1.5", 0, ""}, nil},
		{"non-numeric part", []byte(`%PDF-1.5 <x:xmpmeta xmlns:x="adobe:ns:meta/"><pdfaid:part xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">one</pdfaid:part></x:xmpmeta>`), PDFInfo{}, ErrPDFAIdent},
		{"XHTML is not a PDF", []byte(`<div xmlns="http://www.w3.org/1999/xhtml"/>`), PDFInfo{}, ErrNotPDF},
		{"header not at the start", []byte(" %PDF-1.4"), PDFInfo{}, ErrNotPDF},
		{"empty", nil, PDFInfo{}, ErrNotPDF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := InspectPDF(tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("InspectPDF: got error %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("InspectPDF: got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestMinimalPDFAStructure(t *testing.T) {
	pdf := MinimalPDFA("Otsikko", "Teksti")
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.4\n")) || !bytes.HasSuffix(pdf, []byte("%%EOF\n")) {
		t.Fatalf("MinimalPDFA: missing header or trailer")
	}
	if !bytes.Equal(pdf, MinimalPDFA("Otsikko", "Teksti")) {
		t.Errorf("MinimalPDFA: output is not deterministic")
	}
	// Every xref offset must point at its "n 0 obj" line.
	xref := bytes.Index(pdf, []byte("\nxref\n"))
	lines := strings.Split(string(pdf[xref+1:]), "\n")
	for i := 1; i <= 7; i++ {
		off, err := strconv.Atoi(lines[2+i][:10])
		if err != nil {
			t.Fatalf("xref line %q: %v", lines[2+i], err)
		}
		want := []byte(strconv.Itoa(i) + " 0 obj")
		if !bytes.HasPrefix(pdf[off:], want) {
			t.Errorf("xref entry %d points at %q, want %q", i, pdf[off:off+8], want)
		}
	}
	if !bytes.Contains(pdf, []byte("/Title (Otsikko)")) {
		t.Errorf("MinimalPDFA: title missing from the document information")
	}
}

func TestPDFStringEscapes(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a(b)c\\", `a\(b\)c\\`},
		{"ä", `\344`},
		{"€", "?"},
	}
	for _, tt := range tests {
		if got := pdfString(tt.in); got != tt.want {
			t.Errorf("pdfString(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzCheckXHTML(f *testing.F) {
	for _, s := range loadSamples(f) {
		f.Add(s.content.Display)
	}
	f.Add([]byte(`<!DOCTYPE d [<!ENTITY a "b">]><div xmlns="http://www.w3.org/1999/xhtml">&a;</div>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = CheckXHTML(data)
	})
}

func FuzzDecodeJSON(f *testing.F) {
	schemas := defaultSchemas(f)
	for _, s := range loadSamples(f) {
		f.Add(s.content.JSON)
	}
	f.Add([]byte(`{"a":{"a":1,"a":2}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := DecodeJSON(data)
		if err != nil {
			return
		}
		for _, id := range schemas.OIDs() {
			if _, err := schemas.Validate(id, doc); err != nil {
				t.Fatalf("Validate(%s) of a decoded document: %v", id, err)
			}
		}
	})
}

func FuzzInspectPDF(f *testing.F) {
	f.Add(MinimalPDFA("Otsikko", "Teksti"))
	f.Add([]byte("%PDF-1.7\n%%EOF\n"))
	f.Add([]byte(`%PDF-1.7 <x:xmpmeta xmlns:x="adobe:ns:meta/"><r xmlns:p="http://www.aiim.org/pdfa/ns/id/" p:part="2"/></x:xmpmeta>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := InspectPDF(data)
		if err == nil && info.Version == "" {
			t.Fatalf("InspectPDF: no error and no version")
		}
	})
}

func BenchmarkValidatePlan(b *testing.B) {
	schemas := defaultSchemas(b)
	doc, err := DecodeJSON([]byte(samplePlanJSON(b)))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		probs, err := schemas.Validate(planID, doc)
		if err != nil || len(probs) != 0 {
			b.Fatalf("Validate: %v, %v", probs, err)
		}
	}
}

// FuzzBase64Text checks the chunked decoding against decoding the whole
// text at once: the same content, and an error exactly when the whole text
// is not valid base64. The text is split over character data and comments
// as vendors split it.
func FuzzBase64Text(f *testing.F) {
	f.Add(strings.Repeat("QUJD", 300), 7)
	f.Add(strings.Repeat("QUJD", 255)+"QQ==QUJD", 3)
	f.Add("QUJD\nREVG\n", 0)
	f.Add("QQ=", 1)
	f.Fuzz(func(t *testing.T, text string, split int) {
		el := etree.NewElement("text")
		if split > 0 && split < len(text) {
			el.CreateText(text[:split])
			el.CreateComment("a comment inside the base64")
			el.CreateText(text[split:])
		} else {
			el.CreateText(text)
		}
		got, err := Base64Text(el)
		stripped := strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, text)
		want, wantErr := base64.StdEncoding.DecodeString(stripped)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("Base64Text error %v, whole-text decode error %v", err, wantErr)
		}
		if err == nil && !bytes.Equal(got, want) {
			t.Fatalf("Base64Text = %q, want %q", got, want)
		}
	})
}
