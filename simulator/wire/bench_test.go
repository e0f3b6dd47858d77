package wire_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// BenchmarkParseXML compares, for the plan sample pair, the simulator's one
// hardened reader (checks included) with a bare etree parse of the same
// bytes.
func BenchmarkParseXML(b *testing.B) {
	dir := filepath.Join("..", "..", "..", "shared", "samples", "kanta-sh-public")
	var data [][]byte
	for _, name := range []string{"plan-frame.xml", "signature-restored/plan-document.xml"} {
		d, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			b.Skipf("samples not beside the repository: %v", err)
		}
		data = append(data, d)
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
