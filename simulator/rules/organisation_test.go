package rules

import (
	"bytes"
	"context"
	"testing"

	"github.com/yhteistestaus/yhteistestaus/organisation"
)

// TestDeclaredOrganisationIsKnown checks that an organisation OID outside
// the bundled register draws the information CODE-ORG-UNDECLARED, once per
// OID and message, and nothing once the vendor declares it.
func TestDeclaredOrganisationIsKnown(t *testing.T) {
	const unknown = "1.2.246.10.99999999.10.0"
	fx := newCorpusFixture(t)
	plan := originalPair(t, fx, basePlan)
	// The organiser and the custodian both become the unknown organisation.
	p := steps(
		editDoc(attrIs("localSocialHeader/outsourcingServiceCustomer", "root", unknown)),
		editDoc(attrIs("custodian/assignedCustodian/representedCustodianOrganization/id", "root", unknown)),
		editFrame(attrIs("controlActProcess/subject/clinicalDocument/custodian/assignedCustodian/representedOrganization/id", "root", unknown)),
	)(t, fx, pair{bytes.Clone(plan.frame), bytes.Clone(plan.doc)})

	res := fx.v.Validate(context.Background(), p.frame, p.doc)
	var notes int
	for _, f := range res.Findings {
		if oid, ok := UndeclaredOrganisation(f); ok {
			notes++
			if oid != unknown {
				t.Errorf("UndeclaredOrganisation(%v) = %q, want %q", f, oid, unknown)
			}
		}
	}
	if notes != 1 {
		t.Errorf("undeclared organisation noted %d times, want once per message: %v", notes, res.Findings)
	}

	decl, err := organisation.Parse("test", []byte("organisations:\n  - oid: "+unknown+"\n    name: Testiorganisaatio\n"))
	if err != nil {
		t.Fatal(err)
	}
	fx.v.Organisations = decl
	res = fx.v.Validate(context.Background(), p.frame, p.doc)
	if res.Findings.Has("CODE-ORG-UNDECLARED") {
		t.Errorf("a declared organisation is still noted: %v", res.Findings)
	}
}
