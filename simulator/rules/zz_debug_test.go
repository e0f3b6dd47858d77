package rules

import (
	"bytes"
	"context"
	"fmt"
	"testing"
)

func TestZZDebug(t *testing.T) {
	fx := newCorpusFixture(t)
	bases := map[string]pair{}
	for _, o := range originals() {
		bases[o.name] = o.make(t, fx)
	}
	for _, tc := range mutationCases() {
		b := bases[tc.base]
		p := tc.mutate(t, fx, pair{bytes.Clone(b.frame), bytes.Clone(b.doc)})
		res := fx.v.Validate(context.Background(), p.frame, p.doc)
		var rs []string
		for _, f := range res.Findings {
			if f.Rule == "FRAME-TRIGGER" || f.Rule == "CONS-EFFECTIVE-TIME" || f.Rule == "SIG-ONE-PROFESSIONAL" {
				continue
			}
			rs = append(rs, f.Severity.String()[:1]+":"+f.Rule)
		}
		fmt.Printf("%-75s %v\n", tc.name, rs)
	}
}
