package codes

import (
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/beevik/etree"
	"github.com/yhteistestaus/yhteistestaus/sharedtest"
)

var sampleFiles = []string{
	"client-relation-frame.xml",
	"client-relation-document.xml",
	"plan-frame.xml",
	"plan-document.xml",
}

// coded is one code found in a sample.
type coded struct {
	where, system, code string
}

// text concatenates an element's character data, skipping comments.
func text(el *etree.Element) string {
	var b strings.Builder
	for _, tok := range el.Child {
		if cd, ok := tok.(*etree.CharData); ok {
			b.WriteString(cd.Data)
		}
	}
	return b.String()
}

// collectJSON appends every {system, code} object in a decoded JSON value.
func collectJSON(where string, v any, out *[]coded) {
	switch v := v.(type) {
	case map[string]any:
		sys, sok := v["system"].(string)
		code, cok := v["code"].(string)
		if sok && cok {
			*out = append(*out, coded{where, sys, code})
		}
		for k, c := range v {
			collectJSON(where+"/"+k, c, out)
		}
	case []any:
		for _, c := range v {
			collectJSON(where, c, out)
		}
	}
}

// sampleCodes returns every code with a code system in the four samples:
// XML elements with @code and @codeSystem, and code objects in the base64
// JSON bodies.
func sampleCodes(t *testing.T) []coded {
	t.Helper()
	samplesDir := sharedtest.Dir(t, "samples", "kanta-sh-public")
	var out []coded
	for _, name := range sampleFiles {
		doc := etree.NewDocument()
		if err := doc.ReadFromFile(filepath.Join(samplesDir, name)); err != nil {
			t.Fatalf("read sample: %v", err)
		}
		for _, el := range doc.FindElements("//*") {
			code, sys := el.SelectAttrValue("code", ""), el.SelectAttrValue("codeSystem", "")
			if code != "" && sys != "" {
				out = append(out, coded{name + " " + el.Tag, sys, code})
			}
			if el.Tag == "json" && el.NamespaceURI() == "urn:hl7finland" {
				raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(text(el)), ""))
				if err != nil {
					t.Fatalf("%s: decode JSON body: %v", name, err)
				}
				var v any
				if err := json.Unmarshal(raw, &v); err != nil {
					t.Fatalf("%s: parse JSON body: %v", name, err)
				}
				collectJSON(name+" JSON ", v, &out)
			}
		}
	}
	return out
}

func TestEverySampleCodeIsBundled(t *testing.T) {
	set := Default()
	codes := sampleCodes(t)
	if len(codes) < 40 {
		t.Fatalf("found %d codes in the samples, want at least 40 (is the sample path right?)", len(codes))
	}
	seenJSON := false
	for _, c := range codes {
		if strings.Contains(c.where, "JSON") {
			seenJSON = true
		}
		sys, ok := set.System(c.system)
		if !ok {
			t.Errorf("%s: code system %s not bundled", c.where, c.system)
			continue
		}
		v, ok := sys.Lookup(c.code)
		if !ok {
			t.Errorf("%s: code %q not in %s", c.where, c.code, sys.OID())
			continue
		}
		if v.Own {
			t.Errorf("%s: observed code %q of %s is marked own; observed codes are official", c.where, c.code, sys.OID())
		}
	}
	if !seenJSON {
		t.Errorf("no codes found in the JSON bodies")
	}
}

func TestSystemOIDForms(t *testing.T) {
	set := Default()
	tests := []struct {
		name, query, want string
	}{
		{"exact with version arc", "1.2.246.537.6.1503.201601", "1.2.246.537.6.1503.201601"},
		{"without version arc", "1.2.246.537.6.1503", "1.2.246.537.6.1503.201601"},
		{"urn:oid prefix as in JSON bodies", "urn:oid:1.2.246.537.6.1222.201601", "1.2.246.537.6.1222.201601"},
		{"four-digit year arc", "1.2.246.537.5.1", "1.2.246.537.5.1.1997"},
		{"two versions: newest wins", "1.2.246.537.6.1265", "1.2.246.537.6.1265.202301"},
		{"old version by exact OID", "1.2.246.537.6.1265.201701", "1.2.246.537.6.1265.201701"},
		{"unversioned OID", "1.2.246.537.6.1243", "1.2.246.537.6.1243"},
		{"surrounding space", " 1.2.246.537.6.1289.201901 ", "1.2.246.537.6.1289.201901"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sys, ok := set.System(tt.query)
			if !ok {
				t.Fatalf("System(%q): not found, want %s", tt.query, tt.want)
			}
			if sys.OID() != tt.want {
				t.Errorf("System(%q): got %s, want %s", tt.query, sys.OID(), tt.want)
			}
		})
	}
	for _, q := range []string{"", "1.2.246.537.6.1503.202401", "1.2.246.537.6", "urn:oid:"} {
		if sys, ok := set.System(q); ok {
			t.Errorf("System(%q): got %s, want not found", q, sys.OID())
		}
	}
}

func TestRequiredBindings(t *testing.T) {
	set := Default()
	want := map[string]string{
		"frame.serviceRequest":                  "1.2.246.537.6.1503.201601",
		"frame.usageSituation":                  "1.2.246.537.6.1289.201901",
		"frame.completionCode":                  "1.2.246.537.5.40115.2006",
		"frame.storageCode":                     "1.2.246.537.5.40116.2006",
		"cda.generalDocumentType":               "1.2.246.537.6.1506.201701",
		"cda.confidentialityCode":               "1.2.246.777.5.99902.2006",
		"cda.administrativeGenderCode":          "1.2.246.537.5.1.1997",
		"cda.consentCode":                       "1.2.246.537.6.1286.201901",
		"header.specificDocumentType":           "1.2.246.537.6.1506.201701",
		"header.documentGroup":                  "1.2.246.537.6.1505.201601",
		"header.fileFormat":                     "1.2.246.537.6.1502.201601",
		"header.structuredFileFormat":           "1.2.246.537.5.40179.2008",
		"header.functionCode":                   "1.2.246.537.6.1221.201601",
		"header.recordStatus":                   "1.2.246.537.5.40154.2008",
		"header.registryType":                   "1.2.246.537.6.1264.201701",
		"header.totalRetentionPeriodClass":      "1.2.246.537.6.1258.201601",
		"header.specialContent":                 "1.2.246.537.6.112.2007",
		"header.serviceProcess.code":            "1.2.246.537.6.1277.201701",
		"header.inaccessibleArgument":           "1.2.246.537.6.1288.201901",
		"header.signature.authenticationMethod": "1.2.246.537.5.40128.2006",
		"header.signatureDescription":           "1.2.246.537.5.40127.2006",
		"case.name":                             "1.2.246.537.6.1265.202301",
	}
	for el, oid := range want {
		got, ok := set.Binding(el)
		if !ok || got != oid {
			t.Errorf("Binding(%q) = %q, %v; want %q, true", el, got, ok, oid)
		}
	}
	if _, ok := set.Binding("no.such.element"); ok {
		t.Errorf("Binding(no.such.element): got ok, want not found")
	}
}

func TestOwnServiceRequests(t *testing.T) {
	sys, ok := Default().System("1.2.246.537.6.1503.201601")
	if !ok {
		t.Fatal("service-request code system missing")
	}
	for _, code := range []string{"SIM-UUSI-VERSIO", "SIM-MITATOINTI"} {
		v, ok := sys.Lookup(code)
		if !ok || !v.Own || v.Note == "" {
			t.Errorf("Lookup(%q) = %+v, %v; want an own value with a note", code, v, ok)
		}
	}
	for _, code := range []string{"SP1", "SP17"} {
		if v, ok := sys.Lookup(code); !ok || v.Own {
			t.Errorf("Lookup(%q) = %+v, %v; want an official value", code, v, ok)
		}
	}
	if sys.Complete() {
		t.Errorf("service requests: Complete() = true, want false (only SP1 and SP17 are public)")
	}
}

func TestOwnValuesAreMarkedSIMOrNoted(t *testing.T) {
	for _, sys := range Default().Systems() {
		for _, v := range sys.Values() {
			if strings.HasPrefix(v.Code, "SIM-") && !v.Own {
				t.Errorf("%s %s: SIM- code not marked own", sys.OID(), v.Code)
			}
		}
	}
}

func TestHandbookClassifications(t *testing.T) {
	set := Default()
	tests := []struct {
		oid      string
		codes    []string
		complete bool
	}{
		{"1.2.246.537.6.1289.201901", []string{"1", "2", "3", "4"}, true},           // Table 11.3.2
		{"1.2.246.537.6.1288.201901", []string{"1", "2", "3", "4", "5", "6"}, true}, // Table 5.3.1
		{"1.2.246.537.6.1286.201901", []string{"1", "2", "3", "4"}, true},           // Table 5.4.1
		{"1.2.246.537.6.1221.201601", []string{"10", "15", "23", "24", "25", "26"}, false},
	}
	for _, tt := range tests {
		sys, ok := set.System(tt.oid)
		if !ok {
			t.Errorf("System(%s): not found", tt.oid)
			continue
		}
		if sys.Complete() != tt.complete {
			t.Errorf("%s Complete() = %v, want %v", tt.oid, sys.Complete(), tt.complete)
		}
		var got []string
		for _, v := range sys.Values() {
			got = append(got, v.Code)
		}
		if strings.Join(got, ",") != strings.Join(tt.codes, ",") {
			t.Errorf("%s codes: got %v, want %v", tt.oid, got, tt.codes)
		}
	}
}

func TestValidAt(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	v := Value{Code: "x", ValidFrom: day(2023, 1, 1), ValidTo: day(2024, 8, 31)}
	tests := []struct {
		name string
		at   time.Time
		want bool
	}{
		{"before start", day(2022, 12, 31), false},
		{"first day", time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"last day, late evening", time.Date(2024, 8, 31, 23, 59, 0, 0, time.UTC), true},
		{"day after", day(2024, 9, 1), false},
		{"calendar date in t's own zone", time.Date(2024, 8, 31, 23, 30, 0, 0, time.FixedZone("EEST", 3*3600)), true},
	}
	for _, tt := range tests {
		if got := v.ValidAt(tt.at); got != tt.want {
			t.Errorf("%s: ValidAt(%v) = %v, want %v", tt.name, tt.at, got, tt.want)
		}
	}
	if !(Value{Code: "open"}).ValidAt(time.Time{}) {
		t.Errorf("value without dates: ValidAt = false, want true")
	}
	old, _ := Default().System("1.2.246.537.6.1265.201701")
	if old.ValidAt(day(2024, 9, 1)) || !old.ValidAt(day(2024, 8, 31)) {
		t.Errorf("case names 2017: want valid through 31.8.2024 and not after")
	}
}

const okSystem = `oid: 1.2.3.2020
name: Testi
complete: false
completeBecause: test
source: test
values:
  - code: A
    display: a
`

const okBindings = `bindings:
  - element: x
    system: 1.2.3.2020
`

func TestLoadRejects(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"accepts a minimal valid set", map[string]string{"systems/a.yaml": okSystem, "bindings.yaml": okBindings}, ""},
		{"unknown field in a system", map[string]string{"systems/a.yaml": okSystem + "colour: red\n", "bindings.yaml": okBindings}, "colour"},
		{"unknown field in a value", map[string]string{"systems/a.yaml": okSystem + "    shade: red\n", "bindings.yaml": okBindings}, "shade"},
		{"duplicate YAML key", map[string]string{"systems/a.yaml": okSystem + "name: again\n", "bindings.yaml": okBindings}, "already defined"},
		{"duplicate code", map[string]string{"systems/a.yaml": okSystem + "  - code: A\n    display: again\n", "bindings.yaml": okBindings}, "duplicate code"},
		{"duplicate OID across files", map[string]string{"systems/a.yaml": okSystem, "systems/b.yaml": okSystem, "bindings.yaml": okBindings}, "duplicate code system"},
		{"duplicate binding", map[string]string{"systems/a.yaml": okSystem, "bindings.yaml": okBindings + "  - element: x\n    system: 1.2.3.2020\n"}, "duplicate binding"},
		{"binding to unknown system", map[string]string{"systems/a.yaml": okSystem, "bindings.yaml": "bindings:\n  - element: x\n    system: 9.9\n"}, "unknown code system"},
		{"own value without note", map[string]string{"systems/a.yaml": okSystem + "  - code: SIM-B\n    display: b\n    own: true\n", "bindings.yaml": okBindings}, "needs a note"},
		{"missing complete", map[string]string{"systems/a.yaml": strings.Replace(okSystem, "complete: false\n", "", 1), "bindings.yaml": okBindings}, "required"},
		{"missing completeBecause", map[string]string{"systems/a.yaml": strings.Replace(okSystem, "completeBecause: test\n", "", 1), "bindings.yaml": okBindings}, "completeBecause"},
		{"bad OID", map[string]string{"systems/a.yaml": strings.Replace(okSystem, "1.2.3.2020", "1.2.x", 1), "bindings.yaml": okBindings}, "not a dotted OID"},
		{"bad date", map[string]string{"systems/a.yaml": okSystem + "    validTo: 31.8.2024\n", "bindings.yaml": okBindings}, "YYYY-MM-DD"},
		{"no display at all", map[string]string{"systems/a.yaml": strings.Replace(okSystem, "    display: a\n", "", 1), "bindings.yaml": okBindings}, "display"},
		{"no bindings file", map[string]string{"systems/a.yaml": okSystem}, "bindings.yaml"},
		{"no systems", map[string]string{"bindings.yaml": okBindings}, "no systems"},
		{"two YAML documents", map[string]string{"systems/a.yaml": okSystem + "---\noid: 1.2\n", "bindings.yaml": okBindings}, "more than one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for n, c := range tt.files {
				fsys[n] = &fstest.MapFile{Data: []byte(c)}
			}
			_, err := Load(fsys)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Load: got error %v, want nil", err)
			case tt.want != "" && err == nil:
				t.Fatalf("Load: got nil error, want one mentioning %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Fatalf("Load: got error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}
