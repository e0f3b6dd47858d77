package message

import (
	"testing"

	"github.com/yhteistestaus/yhteistestaus/sharedtest"
)

func sample(tb testing.TB, name string) []byte {
	tb.Helper()
	return sharedtest.ReadFile(tb, "samples", "kanta-sh-public", name)
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
		// Bindings version by year too.
		{"1.2.246.537.5.40127", "1.2.246.537.5.40127.2006", true},
		{"1.2.246.537.5.40127.2006", "1.2.246.537.5.40127", true},
		{"1.2.246.537.6.12", "1.2.246.537.6.12.1997", true},
		{"1.2.246.537.6.140", "1.2.246.537.6.140.2008", true},
		{"1.2.246.537.6.12.1997", "1.2.246.537.6.12.2008", false},
		// A four-digit arc that is not a year is a different classification.
		{"1.2.246.537.6", "1.2.246.537.6.1503", false},
		{"1.2.246.537.6", "1.2.246.537.6.1265", false},
		// Neither is a six-digit arc that is not a year and month.
		{"1.2.246.537.6.1503", "1.2.246.537.6.1503.201613", false},
		{"1.2.246.537.6.1503", "1.2.246.537.6.1503.150301", false},
		// Other lengths and non-digits are not version arcs.
		{"1.2.246.537.6.1503", "1.2.246.537.6.1503.20160", false},
		{"1.2.246.537.6.1503", "1.2.246.537.6.1503.2016011", false},
		{"1.2.246.537.6.1503", "1.2.246.537.6.1503.20a6", false},
		{"1.2.246.537.6.1503", "1.2.246.537.6.15032016", false},
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
