package message

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
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

// The depth limit counts elements as the parser sees them: markup inside
// attribute values, comments and CDATA is not an element and cannot hide
// one.
func TestParseXMLDepth(t *testing.T) {
	nest := func(n int, open string) string {
		return strings.Repeat(open, n) + strings.Repeat("</a>", n)
	}
	tests := []struct {
		name    string
		data    string
		tooDeep bool
	}{
		{"at the limit", nest(64, "<a>"), false},
		{"one over the limit", nest(65, "<a>"), true},
		{"an attribute value ending like an empty-element tag", nest(65, `<a x="/>">`), true},
		{"an attribute value with a start tag", nest(65, `<a x="&lt;b>">`), true},
		{"a single-quoted attribute value", nest(65, `<a x='/>'>`), true},
		{"an empty element one over the limit", strings.Repeat("<a>", 64) + "<b/>" + strings.Repeat("</a>", 64), true},
		{"tags inside a comment", "<a><!-- " + strings.Repeat("<b>", 100) + " --></a>", false},
		{"tags inside CDATA", "<a><![CDATA[" + strings.Repeat("<b>", 100) + "]]></a>", false},
		{"tags inside an attribute value", `<a x="` + strings.Repeat("&lt;b>", 100) + `"/>`, false},
	}
	lim := Limits{MaxBytes: 1 << 20, MaxDepth: 64}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseXML([]byte(tt.data), lim)
			if got := IsXMLError(err, XMLTooDeep); got != tt.tooDeep {
				t.Errorf("ParseXML: got error %v (too deep %v), want too deep %v", err, got, tt.tooDeep)
			}
			if !tt.tooDeep && err != nil {
				t.Errorf("ParseXML: got %v, want no error", err)
			}
		})
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

// The validator accepts what the transport accepts: one set of limits.
func TestDefaultLimitsMatchTheTransport(t *testing.T) {
	w := wire.DefaultLimits()
	got := DefaultLimits()
	if int64(got.MaxBytes) != w.MaxBytes || got.MaxDepth != w.MaxDepth {
		t.Errorf("DefaultLimits() = %+v, want the transport's %d bytes and %d levels", got, w.MaxBytes, w.MaxDepth)
	}
	custom := wire.Limits{MaxBytes: 1234, MaxParts: 2, MaxDepth: 7}
	if got := LimitsOf(custom); got != (Limits{MaxBytes: 1234, MaxDepth: 7}) {
		t.Errorf("LimitsOf(%+v) = %+v, want 1234 bytes and 7 levels", custom, got)
	}
}
