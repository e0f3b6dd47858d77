package rules

import (
	"context"
	"testing"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus/internal/cputime"
)

// samplePairs returns the four frame and document pairs of the samples:
// the published documents and the signature-restored ones.
func samplePairs() [][2]string {
	return [][2]string{
		{"client-relation-frame.xml", "client-relation-document.xml"},
		{"plan-frame.xml", "plan-document.xml"},
		{"client-relation-frame.xml", "signature-restored/client-relation-document.xml"},
		{"plan-frame.xml", "signature-restored/plan-document.xml"},
	}
}

// FuzzValidate feeds arbitrary frame and document bytes to the validator:
// it must never panic, and every finding must name a catalogued rule.
func FuzzValidate(f *testing.F) {
	for _, p := range samplePairs() {
		f.Add(readSample(f, p[0]), readSample(f, p[1]))
	}
	v := newValidator(f)
	f.Fuzz(func(t *testing.T, frame, document []byte) {
		res := v.Validate(context.Background(), frame, document)
		for _, fd := range res.Findings {
			if _, ok := v.Catalogue.Rule(fd.Rule); !ok {
				t.Errorf("finding with rule %q, which is not in the catalogue: %v", fd.Rule, fd)
			}
		}
	})
}

// BenchmarkValidatePlan measures the full validation (stages 1 to 8, with
// both signatures verified) of the plan sample pair.
func BenchmarkValidatePlan(b *testing.B) {
	frame, doc := readSample(b, "plan-frame.xml"), readSample(b, "signature-restored/plan-document.xml")
	v := newValidator(b)
	ctx := context.Background()
	if res := v.Validate(ctx, frame, doc); res.Findings.HasErrors() {
		b.Fatalf("the plan sample has errors: %v", res.Findings.Errors().Rules())
	}
	b.SetBytes(int64(len(frame) + len(doc)))
	b.ReportAllocs()
	cpu := cputime.Start()
	for b.Loop() {
		v.Validate(ctx, frame, doc)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	cpu.Report(b)
}

// BenchmarkParsePlan is the baseline for BenchmarkValidatePlan: a bare
// etree parse of the same frame and document bytes.
func BenchmarkParsePlan(b *testing.B) {
	frame, doc := readSample(b, "plan-frame.xml"), readSample(b, "signature-restored/plan-document.xml")
	b.SetBytes(int64(len(frame) + len(doc)))
	b.ReportAllocs()
	cpu := cputime.Start()
	for b.Loop() {
		for _, data := range [][]byte{frame, doc} {
			if err := etree.NewDocument().ReadFromBytes(data); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	cpu.Report(b)
}
