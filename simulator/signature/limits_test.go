package signature

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// hostileSignatures builds a document with one signatureCollection of sigs
// signatures, each with refs references to the element #t. With
// distinctPrefixes every reference asks for its own exclusive-C14N
// PrefixList, so that no two share a canonical form.
func hostileSignatures(t testing.TB, sigs, refs int, distinctPrefixes bool) *etree.Document {
	t.Helper()
	var b strings.Builder
	b.WriteString(`<a xmlns:p="urn:p"><signatureCollection xmlns="urn:hl7finland">`)
	for s := range sigs {
		fmt.Fprintf(&b, `<signature ID="s%d"><Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo>`, s)
		for r := range refs {
			prefixes := "p"
			if distinctPrefixes {
				prefixes = fmt.Sprintf("p x%d y%d", s, r)
			}
			fmt.Fprintf(&b, `<Reference URI="#t"><Transforms><Transform Algorithm="%s">`+
				`<InclusiveNamespaces xmlns="%s" PrefixList="%s"/></Transform></Transforms>`+
				`<DigestMethod Algorithm="%s"/><DigestValue>AA==</DigestValue></Reference>`,
				algExcC14N, nsExcC14N, prefixes, algSHA256)
		}
		b.WriteString(`</SignedInfo></Signature></signature>`)
	}
	b.WriteString(`</signatureCollection><t ID="t"><p:x/></t></a>`)
	doc := etree.NewDocument()
	if err := doc.ReadFromString(b.String()); err != nil {
		t.Fatalf("parse: %v", err)
	}
	return doc
}

// TestVerifyBoundsItsWork checks that the number of signatures and
// references checked, and the canonicalizations done for them, stay
// bounded however many a document carries, and that what is left unchecked
// is reported as a problem.
func TestVerifyBoundsItsWork(t *testing.T) {
	tests := []struct {
		name             string
		sigs, refs       int
		distinctPrefixes bool
		wantResults      int
		wantRefs         int    // references in each result
		wantLastProblem  string // in the last result's Problem; "" for none about limits
		wantMaxC14N      int    // canonicalizations of the target and SignedInfos
	}{
		{"within the limits", 2, 2, false, 2, 2, "", 1 + 2},
		{"too many signatures", 12, 1, false, MaxSignatures, 1, "has 12 signatures, the 4 after the first 8 are not checked", 1 + MaxSignatures},
		{"too many references", 1, 12, false, 1, MaxReferences, "SignedInfo has 12 references, the 4 after the first 8 are not checked", 1 + 1},
		{"a distinct PrefixList on every reference", MaxSignatures, MaxReferences, true, MaxSignatures, MaxReferences,
			"not checked: #t was already canonicalized in 4 different ways", maxTargetForms + MaxSignatures},
		{"everything over the limits", 100, 100, true, MaxSignatures, MaxReferences, "not checked", maxTargetForms + MaxSignatures},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVerifier(context.Background())
			rs, err := v.verify(hostileSignatures(t, tt.sigs, tt.refs, tt.distinctPrefixes))
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if len(rs) != tt.wantResults {
				t.Fatalf("got %d results, want %d", len(rs), tt.wantResults)
			}
			for i, r := range rs {
				if len(r.References) != tt.wantRefs {
					t.Errorf("result %d: got %d references, want %d", i+1, len(r.References), tt.wantRefs)
				}
			}
			last := rs[len(rs)-1]
			problems := last.Problem
			for _, ref := range last.References {
				problems += "; " + ref.Problem
			}
			if tt.wantLastProblem != "" && !strings.Contains(problems, tt.wantLastProblem) {
				t.Errorf("last result: got problems %q, want one containing %q", problems, tt.wantLastProblem)
			}
			if tt.wantLastProblem == "" && strings.Contains(problems, "not checked") {
				t.Errorf("last result: got problems %q, want none about limits", problems)
			}
			if v.canonicalizations > tt.wantMaxC14N {
				t.Errorf("got %d canonicalizations, want at most %d", v.canonicalizations, tt.wantMaxC14N)
			}
		})
	}
}

// Once the canonical forms computed add up to the budget, further
// references are not canonicalized.
func TestVerifyStopsCanonicalizingOverBudget(t *testing.T) {
	v := newVerifier(context.Background())
	v.budget = 1 // spent by the first canonical form
	rs, err := v.verify(hostileSignatures(t, 2, 2, true))
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if v.canonicalizations != 1 {
		t.Errorf("got %d canonicalizations, want 1", v.canonicalizations)
	}
	if p := rs[1].References[1].Problem; !strings.Contains(p, "bytes of canonical XML, the limit") {
		t.Errorf("last reference: got problem %q, want the budget named", p)
	}
}

// Signatures beyond the limit make the result invalid, so rules that
// require valid signatures do not pass a document they did not check.
func TestVerifyResultOverTheLimitIsNotValid(t *testing.T) {
	rs := verify(t, hostileSignatures(t, 1, MaxReferences+1, false))
	if len(rs) != 1 || rs[0].Valid() || rs[0].Problem == "" {
		t.Fatalf("got %+v, want one invalid result with a problem", rs)
	}
}

func TestVerifyContextStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rs, err := VerifyContext(ctx, hostileSignatures(t, 2, 2, false))
	if !errors.Is(err, context.Canceled) || rs != nil {
		t.Errorf("got %d results and error %v, want none and context.Canceled", len(rs), err)
	}
}

// endingContext is a context that ends after its Err method has been
// called ok times.
type endingContext struct {
	context.Context
	ok, calls int
}

func (c *endingContext) Err() error {
	c.calls++
	if c.calls > c.ok {
		return context.Canceled
	}
	return nil
}

// The context is checked before each reference, not only between
// signatures.
func TestVerifyContextChecksEveryReference(t *testing.T) {
	// One check before the signature, one before its first reference.
	ctx := &endingContext{Context: context.Background(), ok: 2}
	v := newVerifier(ctx)
	_, err := v.verify(hostileSignatures(t, 1, MaxReferences, true))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got error %v, want context.Canceled", err)
	}
	if v.canonicalizations != 1 {
		t.Errorf("got %d canonicalizations, want 1 (the first reference only)", v.canonicalizations)
	}
}
