package sosmeta_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/yhteistestaus/yhteistestaus/sharedtest"
	"github.com/yhteistestaus/yhteistestaus/simulator/sosmeta"
	"github.com/yhteistestaus/yhteistestaus/simulator/sosmeta/sosmetatest"
)

const (
	planOID       = "1.2.246.537.6.1506.15007.2024.11.28"
	planOldOID    = "1.2.246.537.6.1506.15007.2023.9.27"
	caseOID       = "1.2.246.537.6.1505.2.2022.6.28"
	caseStatusOID = "1.2.246.537.6.1501"
)

// TestEveryStructureOfTheExportCompiles reads all of THL's structures: each
// compiles, names its own OID and has a status; the export has 202 Valmis
// and 61 Vanhentunut ones.
func TestEveryStructureOfTheExportCompiles(t *testing.T) {
	s := sosmetatest.Open(t)
	if got := s.Source().ExportDate; got != "2025-05-20" {
		t.Errorf("export date = %q, want 2025-05-20 (from the folder's README)", got)
	}
	count := map[sosmeta.Status]int{}
	for _, oid := range s.OIDs() {
		st, err := s.Structure(oid)
		if err != nil {
			t.Errorf("%s: %v", oid, err)
			continue
		}
		if st.Meta.OID != oid {
			t.Errorf("%s: sosmeta block names %q", oid, st.Meta.OID)
		}
		count[st.Meta.Status]++
	}
	if count[sosmeta.StatusFinal] != 202 || count[sosmeta.StatusDeprecated] != 61 || len(count) != 2 {
		t.Errorf("statuses = %v, want 202 Valmis and 61 Vanhentunut", count)
	}
}

func TestStructureMetadata(t *testing.T) {
	s := sosmetatest.Open(t)
	tests := []struct {
		oid  string
		want sosmeta.Meta
	}{
		{caseOID, sosmeta.Meta{Status: sosmeta.StatusFinal, DocumentType: "Asia-asiakirja", DocumentSubject: "Asia- ja asiakkuusasiakirja"}},
		{planOID, sosmeta.Meta{Status: sosmeta.StatusFinal, DocumentType: "Suunnitelma", DocumentSubject: "Lapsiperheiden palvelujen asiakasasiakirjat"}},
		{planOldOID, sosmeta.Meta{Status: sosmeta.StatusDeprecated, DocumentType: "Suunnitelma", DocumentSubject: "Lapsiperheiden palvelujen asiakasasiakirjat"}},
	}
	for _, tt := range tests {
		st, err := s.Structure(tt.oid)
		if err != nil {
			t.Fatal(err)
		}
		got := sosmeta.Meta{Status: st.Meta.Status, DocumentType: st.Meta.DocumentType, DocumentSubject: st.Meta.DocumentSubject}
		if got != tt.want {
			t.Errorf("%s: meta = %+v, want %+v", tt.oid, got, tt.want)
		}
	}
}

func TestFieldNamesAndClassifications(t *testing.T) {
	s := sosmetatest.Open(t)
	st, err := s.Structure(caseOID)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		pointer, name, codeSystem string
	}{
		{"/asia_asiakirja/asian_tiedot/tila", "Tila", caseStatusOID},
		{"/asia_asiakirja/asian_tiedot/palvelutehtava", "Palvelutehtävä", "1.2.246.537.6.1221"},
		{"/asia_asiakirja/asiakas/0/sukunimi", "Sukunimi", ""},
		{"/asia_asiakirja/asiakas", "Asiakas", ""},
		{"/asia_asiakirja/ei_kenttaa", "", ""},
	}
	for _, tt := range tests {
		f := st.Field(tt.pointer)
		if f.Name != tt.name || f.CodeSystem != tt.codeSystem {
			t.Errorf("Field(%s) = %q, %q; want %q, %q", tt.pointer, f.Name, f.CodeSystem, tt.name, tt.codeSystem)
		}
	}
}

func TestValidateNamesFieldsAndCodeSystems(t *testing.T) {
	s := sosmetatest.Open(t)
	doc := decode(t, `{"asia_asiakirja": {
		"palvelunjarjestajan_toimintayksikko": {"system": "urn:oid:1.2.246.537.6.202.2008", "code": "1.2.246.10.1", "display": "Yksikkö"},
		"asiakas": [{"sukunimi": "Testi", "etunimet": "Tiina"}],
		"asian_tiedot": {
			"asiatunnus": {"value": "1.2.3"},
			"nimi": {"system": "urn:oid:1.2.246.537.6.1265.202301", "code": "99", "display": "Muu"},
			"tila": {"system": "urn:oid:2.25.1", "code": "1", "display": "Vireillä"},
			"avauspaiva": "2026-03-02",
			"palvelutehtava": {"system": "urn:oid:1.2.246.537.6.1221.201601", "code": "24", "display": "Lapsiperheiden palvelut"}
		}}}`)
	probs, err := s.Validate(caseOID, doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) != 1 {
		t.Fatalf("problems = %v, want the one classification problem", probs)
	}
	p := probs[0]
	if p.Pointer != "/asia_asiakirja/asian_tiedot/tila" || p.Field != "Tila" || p.CodeSystem != caseStatusOID || !strings.Contains(p.Message, "Asian tila") {
		t.Errorf("problem = %+v, want the status's classification %s named", p, caseStatusOID)
	}
	// A key outside the structure is named with the field it is in.
	doc = decode(t, `{"asia_asiakirja": {"palvelunjarjestajan_toimintayksikko": {"system": "urn:oid:1.2.246.537.6.202.2008", "code": "1", "display": "Y"},
		"asiakas": [{"sukunimi": "T", "etunimet": "T", "lisakentta": 1}]}}`)
	probs, _ = s.Validate(caseOID, doc)
	if len(probs) != 1 || probs[0].Field != "Asiakas" || !strings.Contains(probs[0].Message, "lisakentta") {
		t.Errorf("problems = %v, want one naming the field Asiakas and the extra key", probs)
	}
}

func TestUnknownStructure(t *testing.T) {
	s := sosmetatest.Open(t)
	if s.Has("1.2.246.537.6.1505.2.2023.6.1") {
		t.Fatal("the invented case structure is in THL's export")
	}
	_, err := s.Structure("1.2.246.537.6.1505.2.2023.6.1")
	if !errors.Is(err, sosmeta.ErrUnknownStructure) {
		t.Errorf("err = %v, want ErrUnknownStructure", err)
	}
}

// TestStructuresCompileOnceAndConcurrently: a structure is compiled on
// first use and the same one is returned to every caller.
func TestStructuresCompileOnceAndConcurrently(t *testing.T) {
	s := sosmetatest.Open(t)
	var wg sync.WaitGroup
	got := make([]*sosmeta.Structure, 8)
	for i := range got {
		wg.Go(func() {
			st, err := s.Structure(planOID)
			if err != nil {
				t.Error(err)
			}
			got[i] = st
		})
	}
	wg.Wait()
	for _, st := range got[1:] {
		if st != got[0] {
			t.Fatal("Structure returned different compilations of one structure")
		}
	}
}

func TestLoad(t *testing.T) {
	schema := `{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
		"sosmeta": {"status": "Valmis", "oid": "1.2.3.4"}, "required": ["a"]}`
	tests := []struct {
		name    string
		fsys    fstest.MapFS
		wantErr string
	}{
		{"a structure in a status folder", fstest.MapFS{"Valmis/1.2.3.4.json": {Data: []byte(schema)}}, ""},
		{"one OID twice", fstest.MapFS{"Valmis/1.2.3.4.json": {Data: []byte(schema)}, "Vanhentunut/1.2.3.4.json": {Data: []byte(schema)}}, "both"},
		{"no structures", fstest.MapFS{"README.md": {Data: []byte("x")}, "notes.json": {Data: []byte("{}")}}, "no <OID>.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := sosmeta.Load(tt.fsys, sosmeta.Source{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			probs, err := s.Validate("1.2.3.4", map[string]any{})
			if err != nil || len(probs) != 1 {
				t.Errorf("Validate = %v, %v; want one missing field", probs, err)
			}
		})
	}
	bad := fstest.MapFS{"1.2.3.5.json": {Data: []byte(`{"sosmeta": {"oid": "9.9"}}`)}, "1.2.3.6.json": {Data: []byte(`{"type": 5}`)}}
	s, err := sosmeta.Load(bad, sosmeta.Source{})
	if err != nil {
		t.Fatal(err)
	}
	for _, oid := range []string{"1.2.3.5", "1.2.3.6"} {
		if _, err := s.Structure(oid); err == nil {
			t.Errorf("%s: got no error for a broken structure", oid)
		}
	}
}

func TestSourceString(t *testing.T) {
	tests := []struct {
		src  sosmeta.Source
		want string
	}{
		{sosmeta.Source{Dir: "../shared/sosmeta", ExportDate: "2025-05-20"}, "THL Sosmeta export 2025-05-20 (../shared/sosmeta)"},
		{sosmeta.Source{Dir: "x"}, "THL Sosmeta export (export date unknown) (x)"},
		{sosmeta.Source{Embedded: true}, "the embedded fallback schemas (the simulator's own, not THL's)"},
	}
	for _, tt := range tests {
		if got := tt.src.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func decode(tb testing.TB, s string) any {
	tb.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		tb.Fatal(err)
	}
	return v
}

// FuzzParse: any bytes compile to a structure or fail with an error, and a
// compiled structure validates a document without crashing.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"type": "object", "sosmeta": {"status": "Valmis"}, "properties": {"a": {"type": "object", "sosmeta": {"name": [{"lang": "fi", "value": "A"}], "classification": [{"lang": "fi", "value": "Koodistopalvelin: X 1.2.246.537.6.1501"}]}, "properties": {"system": {"type": "string", "pattern": "^urn:oid:1\\.2\\.246\\.537\\.6\\.1501(\\.\\d+)*$"}}}}}`))
	f.Add([]byte(`{"$schema": "http://json-schema.org/draft-07/schema#", "enum": [1, 1]}`))
	f.Add([]byte(`{"$ref": "http://example.com/x"}`))
	f.Add([]byte(`{"items": {"$ref": "#"}}`))
	// A real structure, when THL's export is beside the repository.
	if p, err := sharedtest.Lookup("sosmeta", "Valmis", "1.2.246.537.6.1505.9.2023.6.5.json"); err == nil {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	doc := map[string]any{"a": map[string]any{"system": "urn:oid:1.2"}, "b": []any{"x", 1.0}}
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := sosmeta.Parse(data)
		if err != nil {
			return
		}
		for _, p := range st.Validate(doc) {
			_ = st.Field(p.Pointer)
		}
	})
}
