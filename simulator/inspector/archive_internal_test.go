package inspector

import (
	"context"
	"slices"
	"testing"

	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/simulator/archive"
)

// The archive tree puts each case under the client relation document of
// its custodian and each document under its case; a case of a custodian
// with no client relation document, and a document whose case is not
// archived, stay under the client; a document archived under a temporary
// identifier is under the identity code that replaced it; the versions of
// an annulled document are all there, the document marked annulled; a
// real identity code is masked.
func TestArchiveTree(t *testing.T) {
	const (
		custodian, other = "1.2.246.10.1.10.0", "1.2.246.10.2.10.0"
		test             = kanta.OIDHetu + "^010101A900R" // a test identity
		real             = kanta.OIDHetu + "^010101-123N" // not a test identity
		temporary        = "1.2.246.10.1.99^T1"
	)
	crd, cs, doc := string(kanta.KindClientRelation), string(kanta.KindCase), string(kanta.KindClientDocument)
	ctx := context.Background()
	store := archive.NewMemStore()
	add := func(r api.Record, prev int) {
		t.Helper()
		r.DocumentID = r.SetID + "." + string(rune('0'+r.Version))
		if err := store.Add(ctx, &r, prev); err != nil {
			t.Fatalf("add %s v%d: %v", r.SetID, r.Version, err)
		}
	}
	add(api.Record{SetID: "crd-1", Version: 1, Kind: crd, Custodian: custodian, Clients: []string{temporary}}, 0)
	add(api.Record{SetID: "case-1", Version: 1, Kind: cs, Custodian: custodian, Clients: []string{temporary}, CaseID: "C1"}, 0)
	add(api.Record{SetID: "crd-1", Version: 2, Kind: crd, Custodian: custodian, Clients: []string{test}}, 1)
	add(api.Record{SetID: "dec-1", Version: 1, Kind: doc, Custodian: custodian, Clients: []string{test}, CaseID: "C1"}, 0)
	add(api.Record{SetID: "dec-1", Version: 2, Kind: doc, Custodian: custodian, Clients: []string{test}, CaseID: "C1", Annulled: true, Operation: api.OpAnnul}, 1)
	add(api.Record{SetID: "case-2", Version: 1, Kind: cs, Custodian: other, Clients: []string{test}, CaseID: "C2"}, 0)
	add(api.Record{SetID: "loose-1", Version: 1, Kind: doc, Custodian: custodian, Clients: []string{test}, CaseID: "C9"}, 0)
	add(api.Record{SetID: "crd-real", Version: 1, Kind: crd, Custodian: custodian, Clients: []string{real}}, 0)

	v, err := archiveTree(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	if v.Sets != 6 || v.Versions != 8 {
		t.Errorf("%d sets, %d versions; want 6 and 8", v.Sets, v.Versions)
	}
	var clients []string
	for _, c := range v.Clients {
		clients = append(clients, c.Client)
	}
	if want := []string{test, kanta.OIDHetu + "^***********"}; !slices.Equal(clients, want) {
		t.Fatalf("clients %v, want %v (the temporary identifier under its identity code, the real code masked)", clients, want)
	}
	c := v.Clients[0]
	if !slices.Equal(c.Aliases, []string{temporary}) {
		t.Errorf("aliases %v, want [%s]", c.Aliases, temporary)
	}
	if len(c.Relations) != 1 || c.Relations[0].Set.Latest.SetID != "crd-1" || len(c.Relations[0].Set.Versions) != 2 {
		t.Fatalf("client relation documents %+v, want crd-1 with 2 versions", c.Relations)
	}
	cases := c.Relations[0].Cases
	if len(cases) != 1 || cases[0].Set.Latest.SetID != "case-1" {
		t.Fatalf("cases under crd-1: %d, want case-1 only", len(cases))
	}
	if ds := cases[0].Documents; len(ds) != 1 || ds[0].Latest.SetID != "dec-1" || !ds[0].Annulled || len(ds[0].Versions) != 2 || !ds[0].Versions[1].Annulled {
		t.Errorf("documents of case-1: want dec-1, annulled, with both versions")
	}
	if len(c.Cases) != 1 || c.Cases[0].Set.Latest.SetID != "case-2" {
		t.Errorf("cases without a client relation document of their custodian: want case-2")
	}
	if len(c.Documents) != 1 || c.Documents[0].Latest.SetID != "loose-1" {
		t.Errorf("documents whose case is not archived: want loose-1")
	}
	if got := v.Clients[1].Relations[0].Set.Latest.Clients; !slices.Equal(got, []string{kanta.OIDHetu + "^***********"}) {
		t.Errorf("the real identity code's record shows clients %v", got)
	}
}
