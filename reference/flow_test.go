package reference_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus/hetu"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/reference"
	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/simulator/control"
	"github.com/yhteistestaus/yhteistestaus/simulator/server"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
	"github.com/yhteistestaus/yhteistestaus/sut"
)

// baseURL is the loopback simulator every test of the binary shares; each
// test uses its own session.
var baseURL string

func TestMain(m *testing.M) {
	sim, err := simulator.New()
	if err != nil {
		fmt.Fprintln(os.Stderr, "simulator:", err)
		os.Exit(1)
	}
	srv := &server.Server{Addr: "127.0.0.1:0", Sim: sim}
	if err := srv.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "start simulator:", err)
		os.Exit(1)
	}
	baseURL = srv.URL()
	code := m.Run()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
	os.Exit(code)
}

// keys are one pair of signing keys for the test binary: RSA key
// generation is slow.
var keys = sync.OnceValues(func() (*reference.Keys, error) { return reference.NewKeys(time.Now()) })

// newSystem returns a reference system with the shared keys.
func newSystem(t testing.TB, opts reference.Options) *reference.System {
	t.Helper()
	k, err := keys()
	if err != nil {
		t.Fatalf("NewKeys: %v", err)
	}
	opts.Keys = k
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	s, err := reference.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// session returns the control client of a new, empty session.
func session(t testing.TB, name string) *control.Client {
	t.Helper()
	c := &control.Client{BaseURL: baseURL, Session: name}
	if err := c.Reset(context.Background()); err != nil {
		t.Fatalf("reset session %s: %v", name, err)
	}
	return c
}

func testHetu(t testing.TB, birth time.Time, n int) string {
	t.Helper()
	h, err := hetu.TestCode(birth, n)
	if err != nil {
		t.Fatalf("TestCode: %v", err)
	}
	return h
}

// step is one request of a flow and the answer status a correct system
// gives.
type step struct {
	action sut.Action
	params any
	want   sut.AnswerStatus
	// messages is how many messages a correct system sends.
	messages int
}

func (s step) String() string {
	p := fmt.Sprintf("%+v", s.params)
	if len(p) > 80 {
		p = p[:80] + "…"
	}
	return fmt.Sprintf("%s %s", s.action, p)
}

// flowClients are the clients of the full flow: an adult, a minor, a
// second adult for the joint case and a newborn with a temporary
// identifier, whose identity code comes later.
type flowClients struct {
	adult, minor, other, newbornHetu string
	newbornBirth                     time.Time
}

func newFlowClients(t testing.TB) flowClients {
	now := time.Now()
	newborn := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	return flowClients{
		adult:        testHetu(t, time.Date(1980, 3, 15, 0, 0, 0, 0, time.UTC), 901),
		minor:        testHetu(t, now.AddDate(-10, 0, 0), 903),
		other:        testHetu(t, time.Date(1984, 7, 1, 0, 0, 0, 0, time.UTC), 904),
		newbornHetu:  testHetu(t, newborn, 906),
		newbornBirth: newborn,
	}
}

// fullFlow exercises every action of the protocol: client relations,
// cases (one joint, one closed), every document type, new versions, the
// replacement of a temporary identifier and annulments with dependants.
func fullFlow(t testing.TB) []step {
	c := newFlowClients(t)
	delay := time.Now().AddDate(0, 1, 0)
	ok, failed, unsupported := sut.StatusOK, sut.StatusFailed, sut.StatusUnsupported
	doc := func(ref, caseRef, typ string) sut.DocumentParams {
		return sut.DocumentParams{DocRef: ref, CaseRef: caseRef, Type: typ}
	}
	plan := doc("plan", "family", "plan")
	plan.DelayUntil, plan.RestrictionGround = &delay, "1"
	other := doc("scan", "family", "other")
	other.Description = "Skannattu hakemus"
	attachment := doc("plan-attachment", "", "attachment")
	attachment.MainDocRef = "plan"
	return []step{
		{sut.ActionDescribe, nil, ok, 0},
		{sut.ActionRegisterClient, sut.RegisterClientParams{Ref: "anna", Hetu: c.adult, Given: "Anna", Family: "Aikuinen"}, ok, 0},
		{sut.ActionRegisterClient, sut.RegisterClientParams{Ref: "mikko", Hetu: c.minor, Given: "Mikko", Family: "Alaikäinen"}, ok, 0},
		{sut.ActionRegisterClient, sut.RegisterClientParams{Ref: "bertta", Hetu: c.other, Given: "Bertta", Family: "Aikuinen"}, ok, 0},
		{sut.ActionRegisterClient, sut.RegisterClientParams{Ref: "vauva", TemporaryID: true, Given: "Vauva", Family: "Tilapäinen", BirthDate: c.newbornBirth}, ok, 0},
		{sut.ActionOpenClientRelation, sut.ClientRelationParams{ClientRef: "anna"}, ok, 1},
		{sut.ActionOpenClientRelation, sut.ClientRelationParams{ClientRef: "mikko", GuardianDisclosure: "1"}, ok, 1},
		{sut.ActionOpenClientRelation, sut.ClientRelationParams{ClientRef: "bertta"}, ok, 1},
		{sut.ActionOpenClientRelation, sut.ClientRelationParams{ClientRef: "vauva"}, ok, 1},
		{sut.ActionUpdateClientRelation, sut.ClientRelationParams{ClientRef: "anna", Change: "responsible-worker"}, ok, 1},
		{sut.ActionOpenCase, sut.CaseParams{CaseRef: "family", ClientRefs: []string{"anna"}, CaseName: "Perheen tuen tarve"}, ok, 1},
		{sut.ActionStoreDocument, doc("decision", "family", "decision"), ok, 1},
		{sut.ActionStoreDocument, plan, ok, 1},
		{sut.ActionStoreDocument, doc("journal", "family", "journal-entry"), ok, 1},
		{sut.ActionStoreDocument, other, ok, 1},
		{sut.ActionStoreDocument, attachment, ok, 1},
		{sut.ActionNewVersion, sut.VersionParams{DocRef: "plan", Reason: "Tilanne on muuttunut."}, ok, 1},
		{sut.ActionOpenCase, sut.CaseParams{CaseRef: "child", ClientRefs: []string{"mikko"}}, ok, 1},
		{sut.ActionStoreDocument, doc("child-plan", "child", "plan"), ok, 1},
		{sut.ActionStoreDocument, doc("child-decision", "child", "decision"), ok, 1},
		{sut.ActionOpenCase, sut.CaseParams{CaseRef: "joint", ClientRefs: []string{"anna", "bertta"}}, ok, 1},
		{sut.ActionStoreDocument, doc("joint-journal", "joint", "journal-entry"), ok, 1},
		{sut.ActionOpenCase, sut.CaseParams{CaseRef: "newborn", ClientRefs: []string{"vauva"}}, ok, 1},
		{sut.ActionStoreDocument, doc("newborn-journal-1", "newborn", "journal-entry"), ok, 1},
		{sut.ActionReplaceTemporaryID, sut.ReplaceTemporaryIDParams{ClientRef: "vauva", Hetu: c.newbornHetu}, ok, 1},
		// The case document first gets the identity code (handbook L25760-L25768).
		{sut.ActionStoreDocument, doc("newborn-journal-2", "newborn", "journal-entry"), ok, 2},
		{sut.ActionNewVersion, sut.VersionParams{DocRef: "newborn"}, ok, 1},
		{sut.ActionCloseCase, sut.CaseParams{CaseRef: "child"}, ok, 1},
		// A correct system refuses what the archive would refuse.
		{sut.ActionStoreDocument, doc("child-late", "child", "journal-entry"), failed, 0},
		{sut.ActionAnnul, sut.AnnulParams{DocRef: "plan", Reason: "Kirjattu väärälle asiakkaalle"}, ok, 2},
		{sut.ActionNewVersion, sut.VersionParams{DocRef: "plan"}, failed, 0},
		{sut.ActionAnnul, sut.AnnulParams{CaseRef: "family"}, ok, 4},
		{sut.ActionEndClientRelation, sut.ClientRelationParams{ClientRef: "anna"}, ok, 1},
		{sut.ActionAnnul, sut.AnnulParams{ClientRef: "bertta"}, ok, 3},
		{sut.ActionSearch, sut.SearchParams{ClientRef: "anna"}, unsupported, 0},
		{sut.ActionStoreDocument, doc("video", "joint", "video"), unsupported, 0},
	}
}

// answered is a step with the system's answer.
type answered struct {
	step
	answer *sut.Answer
}

// checkAnswers fails the test for every step whose answer has another
// status than the step wants or, when counted, names another number of
// messages. It returns how many messages the answers name.
func checkAnswers(t testing.TB, as []answered, countMessages bool) int {
	t.Helper()
	sent := 0
	for i, a := range as {
		if a.answer.Status != a.want {
			t.Errorf("step %d %s: status %s (%s), want %s", i+1, a.step, a.answer.Status, a.answer.Message, a.want)
		}
		got := len(a.answer.Result.MessageIDs)
		if countMessages && got != a.messages {
			t.Errorf("step %d %s: sent %d messages, want %d", i+1, a.step, got, a.messages)
		}
		sent += got
	}
	return sent
}

// checkAllAccepted fails the test for every message of the session the
// archive did not acknowledge AA, and returns the messages.
func checkAllAccepted(t testing.TB, c *control.Client) []*api.Exchange {
	t.Helper()
	msgs, err := c.Messages(context.Background(), control.MessageFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.AckType != kanta.AckAccepted {
			t.Errorf("message %s (%s %s v%s): %s, want AA: %v", m.MessageID, m.Kind, m.Operation, m.Version, m.AckType, m.Findings)
		}
	}
	return msgs
}

// run sends the steps to the system, archiving into the session.
func run(t testing.TB, sys sut.Driver, c *control.Client, steps []step) []answered {
	t.Helper()
	ctx := context.Background()
	var out []answered
	for i, s := range steps {
		req, err := sut.NewRequest(fmt.Sprint(i+1), s.action, c.SOAPURL(), s.params)
		if err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
		a, err := sys.Do(ctx, req)
		if err != nil {
			t.Fatalf("step %d %s: Do: %v", i+1, s, err)
		}
		if err := sut.CheckAnswer(req, a); err != nil {
			t.Fatalf("step %d %s: %v", i+1, s, err)
		}
		out = append(out, answered{s, a})
	}
	return out
}

// setSummary is what the tests compare of one archived set.
type setSummary struct {
	Kind         string
	Versions     int
	Annulled     bool
	Clients      string
	Guardian     string
	Restrictions string
	Delayed      bool
}

func (s setSummary) String() string {
	return fmt.Sprintf("%s v%d annulled=%t clients=%s guardian=%q restrictions=%q delayed=%t",
		s.Kind, s.Versions, s.Annulled, s.Clients, s.Guardian, s.Restrictions, s.Delayed)
}

// archiveState summarises the session's archive by set id.
func archiveState(t testing.TB, c *control.Client) map[string]setSummary {
	t.Helper()
	sets, err := c.Archive(context.Background(), control.ArchiveFilter{})
	if err != nil {
		t.Fatalf("archive: %v", err)
	}
	out := make(map[string]setSummary)
	for _, s := range sets {
		r := s.Latest
		out[r.SetID] = setSummary{
			Kind: r.Kind, Versions: s.Versions, Annulled: r.Annulled,
			Clients: strings.Join(r.Clients, ","), Guardian: r.GuardianConsent,
			Restrictions: strings.Join(r.RestrictionGrounds, ","), Delayed: !r.DelayUntil.IsZero(),
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// diffState describes how two archive states differ, or "" when they
// are the same.
func diffState(got, want map[string]setSummary) string {
	var lines []string
	for _, k := range sortedKeys(want) {
		g, ok := got[k]
		switch {
		case !ok:
			lines = append(lines, fmt.Sprintf("set %s missing, want %s", k, want[k]))
		case g != want[k]:
			lines = append(lines, fmt.Sprintf("set %s: got %s, want %s", k, g, want[k]))
		}
	}
	for _, k := range sortedKeys(got) {
		if _, ok := want[k]; !ok {
			lines = append(lines, fmt.Sprintf("unexpected set %s: %s", k, got[k]))
		}
	}
	return strings.Join(lines, "\n")
}

// refsOf maps the harness's document names to the set ids the answers
// gave.
func refsOf(as []answered) map[string]string {
	out := make(map[string]string)
	for _, a := range as {
		for _, d := range a.answer.Result.Documents {
			if d.Ref != "" && d.SetID != "" {
				out[d.Ref] = d.SetID
			}
		}
	}
	return out
}

func TestFullFlowIsAccepted(t *testing.T) {
	t.Parallel()
	c := session(t, "reference-full-flow")
	sys := newSystem(t, reference.Options{})
	as := run(t, sys, c, fullFlow(t))
	sent := checkAnswers(t, as, true)
	if msgs := checkAllAccepted(t, c); len(msgs) != sent {
		t.Errorf("archive received %d messages, the answers name %d", len(msgs), sent)
	}

	refs := refsOf(as)
	want := map[string]struct {
		kind     string
		versions int
		annulled bool
	}{
		"anna":              {"client-relation", 3, false}, // opened, updated, ended
		"mikko":             {"client-relation", 1, false},
		"bertta":            {"client-relation", 2, true},
		"vauva":             {"client-relation", 2, false}, // temporary id replaced
		"family":            {"case", 2, true},
		"decision":          {"client-document", 2, true},
		"plan":              {"client-document", 3, true}, // new version, then annulled
		"journal":           {"journal-entry", 2, true},
		"scan":              {"client-document", 2, true},
		"plan-attachment":   {"client-document", 2, true},
		"child":             {"case", 2, false}, // closed
		"child-plan":        {"client-document", 1, false},
		"child-decision":    {"client-document", 1, false},
		"joint":             {"case", 2, true},
		"joint-journal":     {"journal-entry", 2, true},
		"newborn":           {"case", 3, false}, // identity code, then a new version
		"newborn-journal-1": {"journal-entry", 1, false},
		"newborn-journal-2": {"journal-entry", 1, false},
	}
	state := archiveState(t, c)
	if len(state) != len(want) {
		t.Errorf("archive holds %d sets, want %d", len(state), len(want))
	}
	for _, ref := range sortedKeys(want) {
		w := want[ref]
		got, ok := state[refs[ref]]
		if !ok {
			t.Errorf("%s (set %q) is not archived", ref, refs[ref])
			continue
		}
		if got.Kind != w.kind || got.Versions != w.versions || got.Annulled != w.annulled {
			t.Errorf("%s: got %s v%d annulled=%t, want %s v%d annulled=%t", ref, got.Kind, got.Versions, got.Annulled, w.kind, w.versions, w.annulled)
		}
	}
	for ref, check := range map[string]func(setSummary) bool{
		"child-plan": func(s setSummary) bool { return s.Guardian == "1" }, // a minor's document
		"plan":       func(s setSummary) bool { return s.Restrictions == "1" && s.Delayed },
		"decision":   func(s setSummary) bool { return s.Guardian == "" },
		"newborn-journal-2": func(s setSummary) bool {
			return strings.HasPrefix(s.Clients, "1.2.246.21^") && s.Guardian == "1"
		},
	} {
		if s := state[refs[ref]]; !check(s) {
			t.Errorf("%s: archived as %s", ref, s)
		}
	}
}

// TestTransports runs the start of the flow in every SOAP version and
// packaging the system offers.
func TestTransports(t *testing.T) {
	t.Parallel()
	for _, soap := range []string{"1.1", "1.2"} {
		for _, pkg := range []string{"inline-base64", "swa", "mtom"} {
			t.Run(soap+"/"+pkg, func(t *testing.T) {
				t.Parallel()
				c := session(t, "reference-transport-"+strings.ReplaceAll(soap, ".", "")+"-"+pkg)
				sys := newSystem(t, reference.Options{SOAPVersion: soap, Packaging: pkg})
				steps := fullFlow(t)[:13]
				checkAnswers(t, run(t, sys, c, steps), false)
			})
		}
	}
}

func TestDescribe(t *testing.T) {
	t.Parallel()
	sys := newSystem(t, reference.Options{})
	req, _ := sut.NewRequest("d", sut.ActionDescribe, "", nil)
	a, err := sys.Do(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	info := a.Result.System
	switch {
	case a.Status != sut.StatusOK || info == nil:
		t.Fatalf("describe: got %s %+v, want ok with the system", a.Status, a)
	case info.Name != reference.Name:
		t.Errorf("name %q, want %q", info.Name, reference.Name)
	case !slices.Contains(info.Profiles, "vaihe2-kasittely"):
		t.Errorf("profiles %v, want vaihe2-kasittely among them", info.Profiles)
	case info.Supports(sut.ActionSearch) || !info.Supports(sut.ActionAnnul):
		t.Errorf("actions %v: want annul and not search", info.Actions)
	case info.Organisation != reference.DefaultOrganisation().OID:
		t.Errorf("organisation %q, want %q", info.Organisation, reference.DefaultOrganisation().OID)
	}
}

// TestRefusals checks the requests a correct system refuses without
// sending anything.
func TestRefusals(t *testing.T) {
	t.Parallel()
	c := session(t, "reference-refusals")
	sys := newSystem(t, reference.Options{})
	adult := testHetu(t, time.Date(1970, 1, 2, 0, 0, 0, 0, time.UTC), 911)
	steps := []step{
		{sut.ActionRegisterClient, sut.RegisterClientParams{Ref: "a", Hetu: adult, Family: "A"}, sut.StatusOK, 0},
		{sut.ActionRegisterClient, sut.RegisterClientParams{Ref: "a", Hetu: adult, Family: "A"}, sut.StatusFailed, 0},
		{sut.ActionRegisterClient, sut.RegisterClientParams{Ref: "b", Hetu: "311301-9011", Family: "B"}, sut.StatusFailed, 0},
		{sut.ActionRegisterClient, sut.RegisterClientParams{Ref: "c", Family: "C"}, sut.StatusFailed, 0},
		{sut.ActionRegisterClient, sut.RegisterClientParams{Ref: "d", Family: "D", BirthDate: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)}, sut.StatusOK, 0},
		{sut.ActionOpenCase, sut.CaseParams{CaseRef: "x", ClientRefs: []string{"nobody"}}, sut.StatusFailed, 0},
		{sut.ActionStoreDocument, sut.DocumentParams{DocRef: "y", CaseRef: "nowhere", Type: "plan"}, sut.StatusFailed, 0},
		{sut.ActionNewVersion, sut.VersionParams{DocRef: "nothing"}, sut.StatusFailed, 0},
		{sut.ActionAnnul, sut.AnnulParams{DocRef: "nothing"}, sut.StatusFailed, 0},
		{sut.ActionUpdateClientRelation, sut.ClientRelationParams{ClientRef: "a"}, sut.StatusFailed, 0},
		{sut.ActionReplaceTemporaryID, sut.ReplaceTemporaryIDParams{ClientRef: "a", Hetu: adult}, sut.StatusFailed, 0},
		// A case opens the relation of a client who has none.
		{sut.ActionOpenCase, sut.CaseParams{CaseRef: "x", ClientRefs: []string{"a"}}, sut.StatusOK, 2},
		{sut.ActionOpenCase, sut.CaseParams{CaseRef: "x", ClientRefs: []string{"a"}}, sut.StatusFailed, 0},
		{sut.ActionOpenClientRelation, sut.ClientRelationParams{ClientRef: "a"}, sut.StatusFailed, 0},
		{sut.ActionStoreDocument, sut.DocumentParams{DocRef: "j", CaseRef: "x", Type: "journal-entry", Format: "pdf"}, sut.StatusUnsupported, 0},
		{sut.ActionStoreDocument, sut.DocumentParams{DocRef: "att", CaseRef: "x", Type: "attachment"}, sut.StatusFailed, 0},
		{sut.ActionStoreDocument, sut.DocumentParams{DocRef: "p", CaseRef: "x", Type: "plan", Format: "pdf"}, sut.StatusOK, 1},
		{sut.ActionStoreDocument, sut.DocumentParams{DocRef: "p", CaseRef: "x", Type: "plan"}, sut.StatusFailed, 0},
		{sut.ActionCloseCase, sut.CaseParams{CaseRef: "x"}, sut.StatusOK, 1},
		{sut.ActionCloseCase, sut.CaseParams{CaseRef: "x"}, sut.StatusFailed, 0},
		{sut.ActionNewVersion, sut.VersionParams{DocRef: "p"}, sut.StatusFailed, 0},
		{sut.ActionEndClientRelation, sut.ClientRelationParams{ClientRef: "a"}, sut.StatusOK, 1},
		{sut.ActionEndClientRelation, sut.ClientRelationParams{ClientRef: "a"}, sut.StatusFailed, 0},
		// A renewed need reopens the ended relation in a new version.
		{sut.ActionOpenClientRelation, sut.ClientRelationParams{ClientRef: "a"}, sut.StatusOK, 1},
	}
	checkAnswers(t, run(t, sys, c, steps), true)
	checkAllAccepted(t, c)
}

// TestSeedsKeepSystemsApart runs two systems with different seeds into one
// session: their identifiers do not collide.
func TestSeedsKeepSystemsApart(t *testing.T) {
	t.Parallel()
	c := session(t, "reference-seeds")
	for seed := uint32(1); seed <= 2; seed++ {
		sys := newSystem(t, reference.Options{Seed: seed})
		h := testHetu(t, time.Date(1960, 1, int(seed), 0, 0, 0, 0, time.UTC), 920+int(seed))
		steps := []step{
			{sut.ActionRegisterClient, sut.RegisterClientParams{Ref: "a", Hetu: h, Family: "A"}, sut.StatusOK, 0},
			{sut.ActionOpenCase, sut.CaseParams{CaseRef: "x", ClientRefs: []string{"a"}}, sut.StatusOK, 2},
			{sut.ActionStoreDocument, sut.DocumentParams{DocRef: "p", CaseRef: "x", Type: "plan"}, sut.StatusOK, 1},
		}
		for i, a := range run(t, sys, c, steps) {
			if a.answer.Status != a.want {
				t.Errorf("seed %d step %d %s: status %s (%s), want %s", seed, i+1, a.step, a.answer.Status, a.answer.Message, a.want)
			}
		}
	}
	msgs, err := c.Messages(context.Background(), control.MessageFilter{})
	if err != nil {
		t.Fatal(err)
	}
	seen := make(map[string]bool)
	for _, m := range msgs {
		if seen[m.MessageID] {
			t.Errorf("message id %s used twice", m.MessageID)
		}
		seen[m.MessageID] = true
	}
	if got := len(archiveState(t, c)); got != 6 {
		t.Errorf("archive holds %d sets, want 6", got)
	}
}

// TestArchiveAnswers checks how the system reads answers that are not
// acknowledgements: a SOAP fault is the archive refusing the message (the
// answer is failed); anything else is an error of the exchange.
func TestArchiveAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		wantStatus sut.AnswerStatus
		wantErr    bool
	}{
		{"SOAP fault", func(w http.ResponseWriter, r *http.Request) {
			var buf strings.Builder
			ct, err := wire.WriteFault(&buf, wire.Fault{SOAPVersion: "1.1", Code: "Client", Rule: "XML-TOO-LARGE", Reason: "message too large"})
			if err != nil {
				t.Error(err)
			}
			w.Header().Set("Content-Type", ct)
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, buf.String())
		}, sut.StatusFailed, false},
		{"not SOAP", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html>proxy error</html>")
		}, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			sys := newSystem(t, reference.Options{})
			ctx := context.Background()
			reg, _ := sut.NewRequest("1", sut.ActionRegisterClient, srv.URL, sut.RegisterClientParams{Ref: "a", Hetu: "200111A904P"})
			if _, err := sys.Do(ctx, reg); err != nil {
				t.Fatal(err)
			}
			req, _ := sut.NewRequest("2", sut.ActionOpenClientRelation, srv.URL, sut.ClientRelationParams{ClientRef: "a"})
			a, err := sys.Do(ctx, req)
			switch {
			case tc.wantErr && err == nil:
				t.Errorf("got answer %+v, want an error", a)
			case !tc.wantErr && err != nil:
				t.Errorf("got error %v, want answer %s", err, tc.wantStatus)
			case !tc.wantErr && a.Status != tc.wantStatus:
				t.Errorf("got status %s (%s), want %s", a.Status, a.Message, tc.wantStatus)
			}
		})
	}
}

// TestOverTheHTTPAdapter drives the system through the protocol's HTTP
// adapter, as `yhteistestaus reference-sut` serves it.
func TestOverTheHTTPAdapter(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(sut.Handler(newSystem(t, reference.Options{})))
	defer srv.Close()
	c := session(t, "reference-http-adapter")
	checkAnswers(t, run(t, sut.NewHTTP(srv.URL, nil), c, fullFlow(t)), false)
}
