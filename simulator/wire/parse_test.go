package wire_test

import (
	"strings"
	"testing"

	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

func TestParseXMLRefusesHostileXML(t *testing.T) {
	lim := wire.Limits{MaxBytes: 1 << 20, MaxDepth: 64}
	tests := []struct {
		name string
		data string
		kind wire.Kind
	}{
		{"DTD with entities", `<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>`, wire.KindDTD},
		{"too deep", strings.Repeat("<a>", 65) + strings.Repeat("</a>", 65), wire.KindTooDeep},
		{"too large", "<a>" + strings.Repeat("x", 1<<20) + "</a>", wire.KindTooLarge},
		{"invalid UTF-8", "<a>\xff</a>", wire.KindEncoding},
		{"empty", "  \n", wire.KindXML},
		{"not XML", "hello", wire.KindXML},
		{"truncated", "<a><b>", wire.KindXML},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := wire.ParseXML([]byte(tt.data), lim, "document")
			if wire.KindOf(err) != tt.kind {
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
	lim := wire.Limits{MaxBytes: 1 << 20, MaxDepth: 64}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := wire.ParseXML([]byte(tt.data), lim, "document")
			if got := wire.KindOf(err) == wire.KindTooDeep; got != tt.tooDeep {
				t.Errorf("ParseXML: got error %v (too deep %v), want too deep %v", err, got, tt.tooDeep)
			}
			if !tt.tooDeep && err != nil {
				t.Errorf("ParseXML: got %v, want no error", err)
			}
		})
	}
}
