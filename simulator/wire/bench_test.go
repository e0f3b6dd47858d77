package wire_test

import (
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
