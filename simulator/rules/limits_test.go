package rules

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus/catalogue"
	"github.com/yhteistestaus/yhteistestaus/simulator/signature"
)

// clientRelation returns the valid client relation message, its document
// edited by e (nil for none).
func clientRelation(tb testing.TB, e edit) pair {
	tb.Helper()
	p := pair{readSample(tb, "client-relation-frame.xml"), readSample(tb, "signature-restored/client-relation-document.xml")}
	if e == nil {
		return p
	}
	return editDoc(e)(tb, nil, p)
}

// unknownHeaderElements adds n elements to localSocialHeader that the
// metadata model does not have: one HDR-UNKNOWN-ELEMENT finding each.
func unknownHeaderElements(n int) edit {
	return func(tb testing.TB, d *etree.Element) {
		h := find(tb, d, "localSocialHeader")
		for i := range n {
			h.CreateElement(fmt.Sprintf("unknownElement%d", i))
		}
	}
}

func TestFindingsPerRuleAreCapped(t *testing.T) {
	tests := []struct {
		name       string
		unknown    int
		wantListed int
		wantMore   string // the summary finding's message; "" for none
	}{
		{"a few findings are all listed", 3, 3, ""},
		{"findings up to the cap are all listed", MaxFindingsPerRule, MaxFindingsPerRule, ""},
		{"one over the cap is counted", MaxFindingsPerRule + 1, MaxFindingsPerRule, "1 more findings of rule HDR-UNKNOWN-ELEMENT are not listed"},
		{"a thousand are counted", 1000, MaxFindingsPerRule, "980 more findings of rule HDR-UNKNOWN-ELEMENT are not listed"},
	}
	v := newValidator(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := clientRelation(t, unknownHeaderElements(tt.unknown))
			res := v.Validate(context.Background(), p.frame, p.doc)
			var listed, summaries []string
			for _, f := range res.Findings {
				if f.Rule != "HDR-UNKNOWN-ELEMENT" {
					continue
				}
				if strings.Contains(f.Message, "not listed") {
					summaries = append(summaries, f.Message)
				} else {
					listed = append(listed, f.Location)
				}
			}
			if len(listed) != tt.wantListed {
				t.Errorf("got %d listed findings, want %d", len(listed), tt.wantListed)
			}
			switch {
			case tt.wantMore == "" && len(summaries) > 0:
				t.Errorf("got summaries %q, want none", summaries)
			case tt.wantMore != "" && (len(summaries) != 1 || !strings.Contains(summaries[0], tt.wantMore)):
				t.Errorf("got summaries %q, want one saying %q", summaries, tt.wantMore)
			}
		})
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

// A validation whose context ends reports the cancellation, not a finding
// about the message.
func TestValidateReportsCancellation(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		want error
	}{
		{"not cancelled", context.Background(), nil},
		{"cancelled before it starts", cancelled, context.Canceled},
		{"cancelled between stages", &endingContext{Context: context.Background(), ok: 3}, context.Canceled},
		// Seven checks between the stages, then the signature checks.
		{"cancelled while checking signatures", &endingContext{Context: context.Background(), ok: 8}, context.Canceled},
	}
	v := newValidator(t)
	p := clientRelation(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := v.Validate(tt.ctx, p.frame, p.doc)
			if !errors.Is(res.Cancelled, tt.want) || (tt.want == nil) != (res.Cancelled == nil) {
				t.Errorf("got Cancelled %v, want %v", res.Cancelled, tt.want)
			}
			if rules := res.Findings.Rules(); slices.Contains(rules, "XML-TOO-LARGE") || slices.Contains(rules, "SIG-UNVERIFIABLE") {
				t.Errorf("got findings %v, want none about size or signatures", rules)
			}
		})
	}
}

// Signatures and references beyond the signature package's limits are not
// checked, and the document is reported as not verifiable.
func TestSignaturesOverTheLimitAreUnverifiable(t *testing.T) {
	extraReferences := func(tb testing.TB, d *etree.Element) {
		si := find(tb, d, "localSocialHeader/signatureCollection/signature/Signature/SignedInfo")
		ref := childrenNamed(si, "Reference")[0]
		for range signature.MaxReferences {
			si.AddChild(ref.Copy())
		}
	}
	extraSignatures := func(tb testing.TB, d *etree.Element) {
		coll := find(tb, d, "localSocialHeader/signatureCollection")
		sig := childrenNamed(coll, "signature")[0]
		for range signature.MaxSignatures {
			coll.AddChild(sig.Copy())
		}
	}
	tests := []struct {
		name string
		edit edit
		want string
	}{
		{"too many references", extraReferences, "references, the 2 after the first 8 are not checked"},
		{"too many signatures", extraSignatures, "signatures, the 1 after the first 8 are not checked"},
	}
	v := newValidator(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := clientRelation(t, tt.edit)
			res := v.Validate(context.Background(), p.frame, p.doc)
			found := false
			for _, f := range res.Findings {
				if f.Rule == "SIG-UNVERIFIABLE" && strings.Contains(f.Message, tt.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("got findings %v, want SIG-UNVERIFIABLE saying %q", res.Findings, tt.want)
			}
		})
	}
}

func TestStagesReturnsACopy(t *testing.T) {
	s := catalogue.Stages()
	want := slices.Clone(s)
	s[0] = "changed"
	if got := catalogue.Stages(); !slices.Equal(got, want) {
		t.Errorf("got %v after changing a returned slice, want %v", got, want)
	}
}
