package message

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sample(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "samples", "kanta-sh-public", name))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func TestParseXMLRefusesHostileInput(t *testing.T) {
	lim := Limits{MaxBytes: 1 << 20, MaxDepth: 64}
	tests := []struct {
		name string
		data string
		kind XMLKind
	}{
		{"DTD with entities", `<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>`, XMLDTD},
		{"too deep", strings.Repeat("<a>", 65) + strings.Repeat("</a>", 65), XMLTooDeep},
		{"too large", "<a>" + strings.Repeat("x", 1<<20) + "</a>", XMLTooLarge},
		{"invalid UTF-8", "<a>\xff</a>", XMLEncoding},
		{"empty", "  \n", XMLEmpty},
		{"not XML", "hello", XMLMalformed},
		{"truncated", "<a><b>", XMLMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseXML([]byte(tt.data), lim)
			if !IsXMLError(err, tt.kind) {
				t.Errorf("ParseXML: got %v, want kind %d", err, tt.kind)
			}
		})
	}
}

// Comments, CDATA and self-closing elements do not count as nesting.
func TestNestingDepth(t *testing.T) {
	tests := []struct {
		data string
		want int
	}{
		{"<a><b/><c><d></d></c></a>", 3},
		{"<a><!-- <b><c><d> --></a>", 1},
		{"<a><![CDATA[<b><c>]]></a>", 1},
		{"<?xml version='1.0'?><a/>", 0},
	}
	for _, tt := range tests {
		if got := nestingDepth([]byte(tt.data)); got != tt.want {
			t.Errorf("nestingDepth(%q) = %d, want %d", tt.data, got, tt.want)
		}
	}
}

func TestSameCodeSystem(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"1.2.246.537.6.1503.201601", "1.2.246.537.6.1503.201601", true},
		{"1.2.246.537.6.1503", "1.2.246.537.6.1503.201601", true},
		{"1.2.246.537.6.1503.201601", "1.2.246.537.6.1503", true},
		{"1.2.246.537.6.1", "1.2.246.537.6.1503", false},
		{"1.2.246.537.6.1265.201701", "1.2.246.537.6.1265.202301", false},
	}
	for _, tt := range tests {
		if got := SameCodeSystem(tt.a, tt.b); got != tt.want {
			t.Errorf("SameCodeSystem(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// The samples read into the models, matched by namespace whatever the
// prefixes.
func TestParseSamples(t *testing.T) {
	doc, err := ParseXML(sample(t, "plan-document.xml"), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	d, err := ParseDocument(doc)
	if err != nil {
		t.Fatal(err)
	}
	h := d.Header
	switch {
	case h == nil:
		t.Fatal("no localSocialHeader")
	case h.DocumentGroup.Code != "5" || h.SpecificDocumentType.Code != "15007" || h.FunctionCode.Code != "24":
		t.Errorf("header codes: group %q type %q task %q", h.DocumentGroup.Code, h.SpecificDocumentType.Code, h.FunctionCode.Code)
	case len(h.Signatures) != 2 || h.Signatures[0].Type.Code != "1":
		t.Errorf("signatures: %+v", h.Signatures)
	case d.Case == nil || d.Case.ID.Root != "1.2.246.10.2012566.95.2026.778465.646":
		t.Errorf("case: %+v", d.Case)
	case len(d.Body.Display) == 0 || len(d.Body.JSON) == 0:
		t.Errorf("body not decoded: %v %v", d.Body.DisplayErr, d.Body.JSONErr)
	}
	if got := Path(h.FunctionCode.El); got != "/ClinicalDocument/localSocialHeader/functionCode" {
		t.Errorf("Path = %s", got)
	}
	fx, err := ParseXML(sample(t, "plan-frame.xml"), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseFrame(fx)
	if err != nil {
		t.Fatal(err)
	}
	if f.ID.Extension != "10036249903" || f.ReasonCode("1.2.246.537.6.1503").Code != "SP17" || f.Document == nil || len(f.Document.Patients) != 1 {
		t.Errorf("frame: id %s reason %+v", f.ID, f.ReasonCodes)
	}
}

func FuzzParseDocument(f *testing.F) {
	for _, name := range []string{"plan-document.xml", "client-relation-document.xml", "plan-frame.xml"} {
		f.Add(sample(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := ParseXML(data, DefaultLimits())
		if err != nil {
			return
		}
		if d, err := ParseDocument(doc); err == nil && d.Header != nil {
			_ = Path(d.Header.El)
		}
		ParseFrame(doc)
	})
}
