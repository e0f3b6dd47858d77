package sut_test

import (
	"testing"

	"github.com/yhteistestaus/yhteistestaus/sut"
)

// An annulment names exactly one thing: a document, a case or a client
// relation.
func TestAnnulTarget(t *testing.T) {
	for _, tc := range []struct {
		name   string
		params sut.AnnulParams
		target sut.AnnulTarget
		ref    string
		ok     bool
	}{
		{"a document", sut.AnnulParams{DocRef: "decision-1"}, sut.AnnulDocument, "decision-1", true},
		{"a case", sut.AnnulParams{CaseRef: "case-1", Reason: "väärä asiakas"}, sut.AnnulCase, "case-1", true},
		{"a client relation", sut.AnnulParams{ClientRef: "c1"}, sut.AnnulClientRelation, "c1", true},
		{"nothing", sut.AnnulParams{Reason: "?"}, "", "", false},
		{"two things", sut.AnnulParams{DocRef: "d", CaseRef: "k"}, "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target, ref, err := tc.params.Target()
			if (err == nil) != tc.ok || target != tc.target || ref != tc.ref {
				t.Errorf("Target() = %q, %q, %v; want %q, %q, ok %v", target, ref, err, tc.target, tc.ref, tc.ok)
			}
		})
	}
}
