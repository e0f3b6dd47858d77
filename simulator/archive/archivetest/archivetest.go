// Package archivetest is the conformance suite of archive.Store: every
// implementation (the in-memory store, the SQL stores) runs Run, so that
// the archive's state rules see the same answers from each.
package archivetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/simulator/archive"
)

// The identifiers of the suite's records.
const (
	custodianA = "1.2.246.10.1.10.0"
	custodianB = "1.2.246.10.2.10.0"
	hetuA      = kanta.OIDHetu + "^200111A904P"
	hetuB      = kanta.OIDHetu + "^180418A903L"
	tempA      = "1.2.246.10.1.22.2026^T-1"
	tempB      = "1.2.246.10.1.22.2026^T-2"
	caseA      = "1.2.246.10.1.95.1"
)

var (
	crd     = string(kanta.KindClientRelation)
	caseDoc = string(kanta.KindCase)
	plan    = string(kanta.KindClientDocument)
	journal = string(kanta.KindJournal)
)

var stored = time.Date(2026, 7, 20, 10, 0, 0, 0, time.UTC)

// record is a version with every field set, so that a store that drops one
// fails the round trip.
func record(set string, version int, kind, custodian string, clients ...string) *api.Record {
	op := api.OpStore
	if version > 1 {
		op = api.OpNewVersion
	}
	return &api.Record{
		DocumentID: fmt.Sprintf("%s.%d", set, version), SetID: set, Version: version, Operation: op,
		Group: "1", Kind: kind, Custodian: custodian, Organiser: "1.2.246.10.9", Register: "1",
		Clients: clients, ServiceTask: "24", GeneralType: "1", SpecificType: "2",
		GuardianConsent: "1", DelayUntil: stored.AddDate(0, 1, 0), RestrictionGrounds: []string{"1", "2"},
		EffectiveTime: stored.Add(-time.Hour), StoredAt: stored.Add(time.Duration(version) * time.Minute),
		MessageID: "1.2.3^" + set, Document: []byte("<ClinicalDocument>" + set + "</ClinicalDocument>"),
	}
}

func inCase(r *api.Record, caseID string, closed bool) *api.Record {
	r.CaseID, r.CaseClosed = caseID, closed
	return r
}

func attachment(r *api.Record, main string) *api.Record {
	r.MainDocument = main
	return r
}

func annulment(r *api.Record) *api.Record {
	r.Annulled, r.Operation = true, api.OpAnnul
	return r
}

// Run runs the conformance suite; open returns a new, empty store each
// time it is called.
func Run(t *testing.T, open func(t *testing.T) archive.Store) {
	t.Run("Empty", func(t *testing.T) { testEmpty(t, open(t)) })
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, open(t)) })
	t.Run("Conflicts", func(t *testing.T) { testConflicts(t, open(t)) })
	t.Run("Live", func(t *testing.T) { testLive(t, open(t)) })
	t.Run("Aliases", func(t *testing.T) { testAliases(t, open(t)) })
	t.Run("Reset", func(t *testing.T) { testReset(t, open(t)) })
	t.Run("ConcurrentAdd", func(t *testing.T) { testConcurrentAdd(t, open(t)) })
}

func add(t *testing.T, s archive.Store, prev int, r *api.Record) {
	t.Helper()
	if err := s.Add(context.Background(), r, prev); err != nil {
		t.Fatalf("Add %s v%d: %v", r.SetID, r.Version, err)
	}
}

// meta is the record without its document, for comparing.
func meta(t *testing.T, r *api.Record) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func sets(rs []*api.Record) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, fmt.Sprintf("%s.%d", r.SetID, r.Version))
	}
	return out
}

func testEmpty(t *testing.T, s archive.Store) {
	ctx := context.Background()
	if vs, err := s.Versions(ctx, "1.2.3"); err != nil || len(vs) != 0 {
		t.Errorf("Versions of an unknown set = %v, %v, want none, no error", vs, err)
	}
	if r, err := s.ByDocumentID(ctx, "1.2.3"); !errors.Is(err, archive.ErrNotFound) {
		t.Errorf("ByDocumentID of an unknown id = %v, %v, want ErrNotFound", r, err)
	}
	if d, err := s.Document(ctx, "1.2.3"); !errors.Is(err, archive.ErrNotFound) {
		t.Errorf("Document of an unknown id = %q, %v, want ErrNotFound", d, err)
	}
	if rs, err := s.Latest(ctx); err != nil || len(rs) != 0 {
		t.Errorf("Latest = %v, %v, want none", rs, err)
	}
	if rs, err := s.Live(ctx, archive.Query{Custodian: custodianA}); !errors.Is(err, archive.ErrUnindexed) {
		t.Errorf("Live without a key = %v, %v, want ErrUnindexed", rs, err)
	}
	if rs, err := s.Live(ctx, archive.Query{Clients: []string{hetuA}}); err != nil || len(rs) != 0 {
		t.Errorf("Live = %v, %v, want none", rs, err)
	}
	if h, err := s.Alias(ctx, tempA); err != nil || h != "" {
		t.Errorf("Alias = %q, %v, want none", h, err)
	}
	if ts, err := s.Aliases(ctx, hetuA); err != nil || len(ts) != 0 {
		t.Errorf("Aliases = %v, %v, want none", ts, err)
	}
}

func testRoundTrip(t *testing.T, s archive.Store) {
	ctx := context.Background()
	v1 := inCase(record("1.1", 1, plan, custodianA, hetuA, hetuB), caseA, false)
	v2 := attachment(inCase(record("1.1", 2, plan, custodianA, hetuA), caseA, true), "9.9")
	other := record("1.2", 1, crd, custodianB, hetuB)
	add(t, s, 0, v1)
	add(t, s, 0, other)
	add(t, s, 1, v2)
	vs, err := s.Versions(ctx, "1.1")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || meta(t, vs[0]) != meta(t, v1) || meta(t, vs[1]) != meta(t, v2) {
		t.Errorf("Versions:\ngot  %v\nwant %s and %s", vs, meta(t, v1), meta(t, v2))
	}
	for _, want := range []*api.Record{v1, v2, other} {
		got, err := s.ByDocumentID(ctx, want.DocumentID)
		if err != nil || meta(t, got) != meta(t, want) {
			t.Errorf("ByDocumentID %s = %v, %v, want %s", want.DocumentID, got, err, meta(t, want))
		}
		doc, err := s.Document(ctx, want.DocumentID)
		if err != nil || !bytes.Equal(doc, want.Document) {
			t.Errorf("Document %s = %q, %v, want %q", want.DocumentID, doc, err, want.Document)
		}
	}
	latest, err := s.Latest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sets(latest), []string{"1.1.2", "1.2.1"}; !slices.Equal(got, want) {
		t.Errorf("Latest = %v, want %v (first stored first)", got, want)
	}
}

func testConflicts(t *testing.T, s archive.Store) {
	ctx := context.Background()
	add(t, s, 0, record("1.1", 1, crd, custodianA, hetuA))
	tests := []struct {
		name string
		r    *api.Record
		prev int
	}{
		{"a new set with a previous version", record("1.2", 1, crd, custodianA, hetuB), 1},
		{"a second first version", record("1.1", 1, crd, custodianA, hetuA), 0},
		{"a version on a stale one", record("1.1", 3, crd, custodianA, hetuA), 2},
		{"a document id already stored", func() *api.Record { r := record("1.3", 1, crd, custodianA, hetuB); r.DocumentID = "1.1.1"; return r }(), 0},
	}
	for _, tt := range tests {
		if err := s.Add(ctx, tt.r, tt.prev); !errors.Is(err, archive.ErrConflict) {
			t.Errorf("Add %s: %v, want ErrConflict", tt.name, err)
		}
	}
	latest, err := s.Latest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sets(latest), []string{"1.1.1"}; !slices.Equal(got, want) {
		t.Errorf("after refused adds Latest = %v, want %v", got, want)
	}
	if rs, err := s.Live(ctx, archive.Query{Clients: []string{hetuB}}); err != nil || len(rs) != 0 {
		t.Errorf("a refused add is indexed: Live = %v, %v", sets(rs), err)
	}
}

func testLive(t *testing.T, s archive.Store) {
	ctx := context.Background()
	add(t, s, 0, record("1", 1, crd, custodianA, hetuA))
	add(t, s, 0, record("2", 1, crd, custodianB, hetuA))
	add(t, s, 0, inCase(record("3", 1, caseDoc, custodianA, hetuA, hetuB), caseA, false))
	add(t, s, 0, inCase(record("4", 1, plan, custodianA, hetuA), caseA, false))
	add(t, s, 0, attachment(inCase(record("5", 1, plan, custodianA, hetuA), caseA, false), "4"))
	add(t, s, 0, attachment(inCase(record("6", 1, plan, custodianA, hetuA), caseA, false), "4.1"))
	add(t, s, 0, inCase(record("7", 1, journal, custodianA, hetuB), caseA, false))
	// The journal entry moves from client B to client A and leaves the case;
	// set 6 is annulled.
	add(t, s, 1, record("7", 2, journal, custodianA, hetuA))
	add(t, s, 1, annulment(attachment(inCase(record("6", 2, plan, custodianA, hetuA), caseA, false), "4.1")))
	tests := []struct {
		name string
		q    archive.Query
		want []string
	}{
		{"the client's client relation documents of a custodian", archive.Query{Custodian: custodianA, Kinds: []string{crd}, Clients: []string{hetuA}}, []string{"1.1"}},
		{"the client's client relation documents of every custodian", archive.Query{Kinds: []string{crd}, Clients: []string{hetuA}}, []string{"1.1", "2.1"}},
		{"a client under any of several identifiers", archive.Query{Custodian: custodianA, Clients: []string{tempA, hetuB}}, []string{"3.1"}},
		{"the client's other documents, latest versions only", archive.Query{Custodian: custodianA, ExceptKinds: []string{crd}, Clients: []string{hetuA}}, []string{"3.1", "4.1", "5.1", "7.2"}},
		{"a client no latest version has", archive.Query{Clients: []string{tempB}}, nil},
		{"the case documents of a case", archive.Query{Custodian: custodianA, Kinds: []string{caseDoc}, CaseID: caseA}, []string{"3.1"}},
		{"the case of another custodian", archive.Query{Custodian: custodianB, CaseID: caseA}, nil},
		{"the documents of a case", archive.Query{Custodian: custodianA, ExceptKinds: []string{caseDoc, crd}, CaseID: caseA}, []string{"4.1", "5.1"}},
		{"attachments of a main document by set or document id", archive.Query{MainDocuments: []string{"4", "4.1"}}, []string{"5.1"}},
		{"attachments of an annulled attachment's main document", archive.Query{MainDocuments: []string{"4.1"}}, nil},
	}
	for _, tt := range tests {
		rs, err := s.Live(ctx, tt.q)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got := sets(rs); !slices.Equal(got, append([]string{}, tt.want...)) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func testAliases(t *testing.T, s archive.Store) {
	ctx := context.Background()
	add(t, s, 0, record("1", 1, crd, custodianA, tempA))
	add(t, s, 0, record("2", 1, crd, custodianB, tempB))
	add(t, s, 0, record("3", 1, plan, custodianA, tempB))
	// A client document replacing an identifier makes no alias; a client
	// relation document does.
	add(t, s, 1, record("3", 2, plan, custodianA, hetuB))
	add(t, s, 1, record("1", 2, crd, custodianA, hetuA))
	tests := []struct {
		id, want string
	}{
		{tempA, hetuA},
		{tempB, ""},
		{hetuA, ""},
	}
	for _, tt := range tests {
		if got, err := s.Alias(ctx, tt.id); err != nil || got != tt.want {
			t.Errorf("Alias %s = %q, %v, want %q", tt.id, got, err, tt.want)
		}
	}
	add(t, s, 1, record("2", 2, crd, custodianB, hetuA))
	if got, err := s.Aliases(ctx, hetuA); err != nil || !slices.Equal(got, []string{tempA, tempB}) {
		t.Errorf("Aliases %s = %v, %v, want %v", hetuA, got, err, []string{tempA, tempB})
	}
	// A later change of the same identifier wins, both ways.
	add(t, s, 0, record("4", 1, crd, custodianB, tempB))
	add(t, s, 1, record("4", 2, crd, custodianB, hetuB))
	if got, err := s.Alias(ctx, tempB); err != nil || got != hetuB {
		t.Errorf("Alias %s after a second change = %q, %v, want %q", tempB, got, err, hetuB)
	}
	if got, err := s.Aliases(ctx, hetuA); err != nil || !slices.Equal(got, []string{tempA}) {
		t.Errorf("Aliases %s after a second change = %v, %v, want %v", hetuA, got, err, []string{tempA})
	}
	if got, err := s.Aliases(ctx, hetuB); err != nil || !slices.Equal(got, []string{tempB}) {
		t.Errorf("Aliases %s = %v, %v, want %v", hetuB, got, err, []string{tempB})
	}
}

func testReset(t *testing.T, s archive.Store) {
	ctx := context.Background()
	add(t, s, 0, record("1", 1, crd, custodianA, tempA))
	add(t, s, 1, record("1", 2, crd, custodianA, hetuA))
	if err := s.Reset(ctx); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	testEmpty(t, s)
	// The same set can be stored again from version 1.
	add(t, s, 0, record("1", 1, crd, custodianA, tempA))
}

func testConcurrentAdd(t *testing.T, s archive.Store) {
	ctx := context.Background()
	add(t, s, 0, record("1", 1, crd, custodianA, hetuA))
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			r := record("1", 2, crd, custodianA, hetuA)
			r.DocumentID = fmt.Sprintf("1.2.%d", i)
			errs[i] = s.Add(ctx, r, 1)
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, archive.ErrConflict):
			t.Errorf("concurrent Add: %v, want nil or ErrConflict", err)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d concurrent second versions were added, want 1", won, n)
	}
	if vs, err := s.Versions(ctx, "1"); err != nil || len(vs) != 2 {
		t.Errorf("Versions = %v, %v, want 2", sets(vs), err)
	}
}
