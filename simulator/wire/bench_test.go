package wire_test

import (
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus/sharedtest"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// BenchmarkParseXML compares, for the plan sample pair, the simulator's one
// hardened reader (checks included) with a bare etree parse of the same
// bytes.
func BenchmarkParseXML(b *testing.B) {
	var data [][]byte
	for _, name := range []string{"plan-frame.xml", "signature-restored/plan-document.xml"} {
		data = append(data, sharedtest.ReadFile(b, "samples", "kanta-sh-public", name))
	}
	b.Run("wire.ParseXML", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, d := range data {
				if _, err := wire.ParseXML(d, wire.Limits{}, "sample"); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("etree", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, d := range data {
				if err := etree.NewDocument().ReadFromBytes(d); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// BenchmarkReadHostile reads hostile bodies the way the SOAP endpoint does
// (a body of declared length); B/op is what refusing each one (or, for the
// two accepted, reading it) costs, to set against body-B, its size.
func BenchmarkReadHostile(b *testing.B) {
	bodies := []struct {
		name     string
		body     string
		accepted bool
		// declared is the Content-Length declared, when not the body's.
		declared int64
	}{
		{"4M empty elements", envOpen + strings.Repeat("<a/>", 4<<20) + envClose, false, 0},
		{"200,000 empty elements, the most accepted", envOpen + textFrame(strings.Repeat("<a/>", 200_000-7)) + envClose, true, 0},
		{"10,000-deep nesting", deep(10000), false, 0},
		{"1M namespace declarations on one element", envOpen + "<a" + strings.Repeat(` xmlns:p="u"`, 1<<20) + "/>" + envClose, false, 0},
		{"16 MB of text", envOpen + textFrame("<text>"+strings.Repeat("x", 16<<20)+"</text>") + envClose, true, 0},
		{"billion laughs", billionLaughs(), false, 0},
		{"2.5M comments", envOpen + strings.Repeat("<!---->", 5<<19) + envClose, false, 0},
		{"3M processing instructions", envOpen + strings.Repeat("<?a?>", 3<<20) + envClose, false, 0},
		{"1.5M CDATA sections", envOpen + strings.Repeat("<![CDATA[]]>", 3<<19) + envClose, false, 0},
		{"20 MB declared, 1 kB sent", envOpen + strings.Repeat("<a/>", 250), false, 20 << 20},
	}
	for _, bb := range bodies {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			b.ReportMetric(float64(len(bb.body)), "body-B")
			size := int64(len(bb.body))
			if bb.declared > 0 {
				size = bb.declared
			}
			for b.Loop() {
				_, err := wire.ReadSized("text/xml", strings.NewReader(bb.body), size, wire.Limits{})
				// A body shorter than declared is a read error (KindOther);
				// the others break a limit.
				if accepted := err == nil; accepted != bb.accepted || (err != nil && (wire.KindOf(err) == wire.KindOther) != (bb.declared > 0)) {
					b.Fatalf("read: %v", err)
				}
			}
		})
	}
}
