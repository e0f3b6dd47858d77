package reference_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus/compose"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/reference"
	"github.com/yhteistestaus/yhteistestaus/simulator/control"
	"github.com/yhteistestaus/yhteistestaus/simulator/message"
	"github.com/yhteistestaus/yhteistestaus/sut"
)

// lastMessage is the id of the last message the answer sent.
func lastMessage(t *testing.T, a answered) string {
	t.Helper()
	ids := a.answer.Result.MessageIDs
	if len(ids) == 0 {
		t.Fatalf("%s sent no message", a.step)
	}
	return ids[len(ids)-1]
}

// sentDocument returns the document the message carried.
func sentDocument(t *testing.T, c *control.Client, id string) *message.Document {
	t.Helper()
	ctx := context.Background()
	ms, err := c.Messages(ctx, control.MessageFilter{MessageID: id})
	if err != nil || len(ms) == 0 {
		t.Fatalf("message %s: %v (found %d)", id, err, len(ms))
	}
	m, err := c.Message(ctx, ms[len(ms)-1].Seq)
	if err != nil {
		t.Fatalf("message %d: %v", ms[len(ms)-1].Seq, err)
	}
	x, err := message.ParseXML([]byte(m.DocumentXML), message.DefaultLimits())
	if err != nil {
		t.Fatalf("message %s: %v", m.MessageID, err)
	}
	d, err := message.ParseDocument(x)
	if err != nil {
		t.Fatalf("message %s: %v", m.MessageID, err)
	}
	return d
}

// contentServiceTasks returns the service task codes a client relation
// document's content lists.
func contentServiceTasks(t *testing.T, d *message.Document) []string {
	t.Helper()
	var content struct {
		Relation struct {
			Tasks []struct {
				Task struct {
					Code string `json:"code"`
				} `json:"palvelutehtava"`
			} `json:"sosiaalihuollon_palvelutehtava"`
		} `json:"asiakkuusasiakirja"`
	}
	if err := json.Unmarshal(d.Body.JSON, &content); err != nil {
		t.Fatalf("client relation content: %v", err)
	}
	var out []string
	for _, task := range content.Relation.Tasks {
		out = append(out, task.Task.Code)
	}
	return out
}

// runAccepted runs the steps, checks each answer's status and message
// count and that the archive accepted every message.
func runAccepted(t *testing.T, c *control.Client, steps []step) []answered {
	t.Helper()
	sys := newSystem(t, reference.Options{})
	as := run(t, sys, c, steps)
	checkAnswers(t, as, true)
	checkAllAccepted(t, c)
	return as
}

// TestCaseServiceTaskEntersClientRelation: opening a case in a service
// task the client relation document does not list yet stores a new version
// of it with the task added, before the case document (handbook
// L15552-L15564); the tasks stay in later versions (handbook 9.4.2).
func TestCaseServiceTaskEntersClientRelation(t *testing.T) {
	t.Parallel()
	c := session(t, "reference-service-tasks")
	h := testHetu(t, time.Date(1975, 4, 4, 0, 0, 0, 0, time.UTC), 931)
	ok := sut.StatusOK
	as := runAccepted(t, c, []step{
		{sut.ActionRegisterClient, sut.RegisterClientParams{Ref: "a", Hetu: h, Family: "A"}, ok, 0},
		{sut.ActionOpenClientRelation, sut.ClientRelationParams{ClientRef: "a"}, ok, 1},
		{sut.ActionOpenCase, sut.CaseParams{CaseRef: "child-protection", ClientRefs: []string{"a"}, ServiceTask: "10"}, ok, 2},
		{sut.ActionOpenCase, sut.CaseParams{CaseRef: "second", ClientRefs: []string{"a"}, ServiceTask: "10"}, ok, 1},
		{sut.ActionOpenCase, sut.CaseParams{CaseRef: "families", ClientRefs: []string{"a"}}, ok, 1},
		{sut.ActionUpdateClientRelation, sut.ClientRelationParams{ClientRef: "a", ServiceTask: "24"}, ok, 1},
		{sut.ActionUpdateClientRelation, sut.ClientRelationParams{ClientRef: "a", ServiceTask: "25"}, ok, 1},
		{sut.ActionEndClientRelation, sut.ClientRelationParams{ClientRef: "a"}, ok, 1},
	})
	tests := []struct {
		name  string
		step  int
		index int // the message of the step: 0 is the first
		want  []string
	}{
		{"a new task is entered ahead of the case document", 2, 0, []string{"24", "10"}},
		{"an update keeps every task", 5, 0, []string{"24", "10"}},
		{"an update adds its task to the earlier ones", 6, 0, []string{"24", "10", "25"}},
		{"the end of the relation keeps every task", 7, 0, []string{"24", "10", "25"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := sentDocument(t, c, as[tt.step].answer.Result.MessageIDs[tt.index])
			if got := contentServiceTasks(t, d); !slices.Equal(got, tt.want) {
				t.Errorf("client relation service tasks: got %v, want %v", got, tt.want)
			}
			if d.Header.FunctionCode.Code != "24" {
				t.Errorf("client relation functionCode: got %q, want the first task 24", d.Header.FunctionCode.Code)
			}
		})
	}
	if docs := as[2].answer.Result.Documents; len(docs) != 2 || docs[0].Kind != "client-relation" || docs[1].Kind != "case" {
		t.Errorf("open-case archived %+v, want the client relation document, then the case", docs)
	}
}

// TestCaseDocumentGetsIdentityCode: once the identity code replaces the
// temporary identifier, the first document added to an open case, or new
// version of one of its documents, comes after a new version of the case
// document under the identity code; a closed case is never changed
// (handbook L25753-L25768).
func TestCaseDocumentGetsIdentityCode(t *testing.T) {
	t.Parallel()
	c := session(t, "reference-case-identity")
	birth := time.Date(time.Now().Year()-1, 1, 10, 0, 0, 0, 0, time.UTC)
	h := testHetu(t, birth, 933)
	ok, failed := sut.StatusOK, sut.StatusFailed
	as := runAccepted(t, c, []step{
		{sut.ActionRegisterClient, sut.RegisterClientParams{Ref: "t", TemporaryID: true, Family: "T", BirthDate: birth}, ok, 0},
		{sut.ActionOpenClientRelation, sut.ClientRelationParams{ClientRef: "t"}, ok, 1},
		{sut.ActionOpenCase, sut.CaseParams{CaseRef: "open", ClientRefs: []string{"t"}}, ok, 1},
		{sut.ActionOpenCase, sut.CaseParams{CaseRef: "closed", ClientRefs: []string{"t"}}, ok, 1},
		{sut.ActionStoreDocument, sut.DocumentParams{DocRef: "early", CaseRef: "open", Type: "journal-entry"}, ok, 1},
		{sut.ActionCloseCase, sut.CaseParams{CaseRef: "closed"}, ok, 1},
		{sut.ActionReplaceTemporaryID, sut.ReplaceTemporaryIDParams{ClientRef: "t", Hetu: h}, ok, 1},
		// The case document first, then the new version.
		{sut.ActionNewVersion, sut.VersionParams{DocRef: "early"}, ok, 2},
		// The case document already names the identity code.
		{sut.ActionStoreDocument, sut.DocumentParams{DocRef: "late", CaseRef: "open", Type: "journal-entry"}, ok, 1},
		{sut.ActionStoreDocument, sut.DocumentParams{DocRef: "closed-doc", CaseRef: "closed", Type: "journal-entry"}, failed, 0},
	})
	docs := as[7].answer.Result.Documents
	if len(docs) != 2 || docs[0].Kind != "case" || docs[0].Version != 2 || docs[1].Ref != "early" {
		t.Errorf("new-version archived %+v, want case version 2, then early", docs)
	}
	state := archiveState(t, c)
	refs := refsOf(as)
	tests := []struct {
		ref      string
		versions int
		byCode   bool
	}{
		{"open", 2, true},
		{"closed", 2, false},
		{"early", 2, true},
		{"late", 1, true},
	}
	for _, tt := range tests {
		s := state[refs[tt.ref]]
		if s.Versions != tt.versions {
			t.Errorf("%s: got %d versions, want %d", tt.ref, s.Versions, tt.versions)
		}
		if got := strings.HasSuffix(s.Clients, "^"+h); got != tt.byCode {
			t.Errorf("%s: names the client as %s; by the identity code: got %t, want %t", tt.ref, s.Clients, got, tt.byCode)
		}
	}
}

// TestCorrectionData: a new version with a reason corrects a client
// document; it names the corrector (author), the job title (description)
// and the grounds (reasonOfCorrection), handbook L29267-L29285. Other new
// versions are no corrections.
func TestCorrectionData(t *testing.T) {
	t.Parallel()
	c := session(t, "reference-corrections")
	h := testHetu(t, time.Date(1966, 6, 6, 0, 0, 0, 0, time.UTC), 935)
	ok := sut.StatusOK
	as := runAccepted(t, c, []step{
		{sut.ActionRegisterClient, sut.RegisterClientParams{Ref: "a", Hetu: h, Family: "A"}, ok, 0},
		{sut.ActionOpenCase, sut.CaseParams{CaseRef: "k", ClientRefs: []string{"a"}}, ok, 2},
		{sut.ActionStoreDocument, sut.DocumentParams{DocRef: "plan", CaseRef: "k", Type: "plan"}, ok, 1},
		{sut.ActionStoreDocument, sut.DocumentParams{DocRef: "scan", CaseRef: "k", Type: "other", Description: "Skannattu hakemus"}, ok, 1},
		{sut.ActionNewVersion, sut.VersionParams{DocRef: "plan", Reason: "Päivämäärä korjattu."}, ok, 1},
		{sut.ActionNewVersion, sut.VersionParams{DocRef: "scan", Reason: compose.CorrectionWrongClientData}, ok, 1},
		{sut.ActionNewVersion, sut.VersionParams{DocRef: "plan"}, ok, 1},
		{sut.ActionNewVersion, sut.VersionParams{DocRef: "scan"}, ok, 1},
		{sut.ActionNewVersion, sut.VersionParams{DocRef: "k", Reason: "Asian nimi muuttui."}, ok, 1},
	})
	title := reference.DefaultProfessional().Title
	tests := []struct {
		name            string
		step            int
		wantReason      string
		wantDescription string
	}{
		{"a free-text reason is a writing error", 4, compose.CorrectionWritingError, title},
		{"a reason that is a code is the grounds", 5, compose.CorrectionWrongClientData, "Skannattu hakemus (korjaajan tehtävänimike: " + title + ")"},
		{"a new version without a reason is no correction", 6, "", ""},
		{"an unstructured document gets its own description back", 7, "", "Skannattu hakemus"},
		{"a case document is updated, not corrected", 8, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := sentDocument(t, c, lastMessage(t, as[tt.step]))
			if got := d.Header.ReasonOfCorrection.Code; got != tt.wantReason {
				t.Errorf("reasonOfCorrection: got %q, want %q", got, tt.wantReason)
			}
			if got := d.Header.Description.Value; got != tt.wantDescription {
				t.Errorf("description: got %q, want %q", got, tt.wantDescription)
			}
			if tt.wantReason != "" && !slices.ContainsFunc(d.Authors, func(p message.Person) bool {
				return p.Family == reference.DefaultProfessional().Family
			}) {
				t.Errorf("authors %+v: want the corrector", d.Authors)
			}
		})
	}
}

// TestClosedCaseSaysSoInMetadataAndContent: the version that closes a case
// carries the closed status and the closing date both in the metadata
// (fi:caseStatus, effectiveTime/high) and in the structured content
// (asian_tiedot/tila, paattymispaiva), as the wire profile says.
func TestClosedCaseSaysSoInMetadataAndContent(t *testing.T) {
	t.Parallel()
	c := session(t, "closed-case")
	gs, err := kanta.DefaultGroups()
	if err != nil {
		t.Fatal(err)
	}
	as := runAccepted(t, c, []step{
		{sut.ActionRegisterClient, sut.RegisterClientParams{Ref: "a", Hetu: testHetu(t, time.Date(1980, 3, 15, 0, 0, 0, 0, time.UTC), 901)}, sut.StatusOK, 0},
		{sut.ActionOpenCase, sut.CaseParams{CaseRef: "k", ClientRefs: []string{"a"}, CaseName: "Perhetyö"}, sut.StatusOK, 2},
		{sut.ActionCloseCase, sut.CaseParams{CaseRef: "k"}, sut.StatusOK, 1},
	})
	for _, tc := range []struct {
		step   int
		status string
		closed bool
	}{{1, gs.CaseStatus.Open, false}, {2, gs.CaseStatus.Closed, true}} {
		d := sentDocument(t, c, lastMessage(t, as[tc.step]))
		if d.Header == nil || d.Header.CaseStatus.Code != tc.status {
			t.Errorf("%s: fi:caseStatus %+v, want %s", as[tc.step].step, d.Header.CaseStatus, tc.status)
		}
		if got := d.Case != nil && d.Case.High.Value != ""; got != tc.closed {
			t.Errorf("%s: effectiveTime/high present %v, want %v", as[tc.step].step, got, tc.closed)
		}
		var content struct {
			Case struct {
				Info struct {
					Status struct {
						Code string `json:"code"`
					} `json:"tila"`
					Closed string `json:"paattymispaiva"`
				} `json:"asian_tiedot"`
			} `json:"asia_asiakirja"`
		}
		if err := json.Unmarshal(d.Body.JSON, &content); err != nil {
			t.Fatalf("case content: %v", err)
		}
		if got := content.Case.Info.Status.Code; got != tc.status {
			t.Errorf("%s: content status %q, want %s", as[tc.step].step, got, tc.status)
		}
		if got := content.Case.Info.Closed != ""; got != tc.closed {
			t.Errorf("%s: content closing date present %v, want %v", as[tc.step].step, got, tc.closed)
		}
	}
}
