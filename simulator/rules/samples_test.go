package rules

import (
	"context"
	"testing"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/sharedtest"
)

// samplesDir is ../shared/samples/kanta-sh-public beside the repository.
func samplesDir(tb testing.TB) string {
	tb.Helper()
	return sharedtest.Dir(tb, "samples", "kanta-sh-public")
}

func readSample(tb testing.TB, name string) []byte {
	tb.Helper()
	return sharedtest.ReadFile(tb, "samples", "kanta-sh-public", name)
}

func newValidator(tb testing.TB) *Validator {
	tb.Helper()
	v, err := NewValidator()
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// The real production samples are read without error findings, except the
// signature digest on the published (re-indented) documents.
func TestSamples(t *testing.T) {
	v := newValidator(t)
	tests := []struct {
		frame, document string
		wantErrors      []string
	}{
		{"client-relation-frame.xml", "client-relation-document.xml", []string{"SIG-DIGEST", "SIG-VALUE"}},
		{"plan-frame.xml", "plan-document.xml", []string{"SIG-DIGEST", "SIG-VALUE"}},
		{"client-relation-frame.xml", "signature-restored/client-relation-document.xml", nil},
		{"plan-frame.xml", "signature-restored/plan-document.xml", nil},
	}
	for _, tt := range tests {
		t.Run(tt.document, func(t *testing.T) {
			res := v.Validate(context.Background(), readSample(t, tt.frame), readSample(t, tt.document))
			for _, f := range res.Findings {
				t.Logf("%v", f)
			}
			got := yhteistestaus.Findings(res.Findings.Errors()).Rules()
			if !equalSets(got, tt.wantErrors) {
				t.Errorf("error rules = %v, want %v", got, tt.wantErrors)
			}
		})
	}
}

func equalSets(a, b []string) bool {
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}
