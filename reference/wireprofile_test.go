package reference_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/reference"
	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/codes"
	"github.com/yhteistestaus/yhteistestaus/simulator/control"
	"github.com/yhteistestaus/yhteistestaus/sut"
)

// update regenerates the wire profile's examples: go test ./reference -run TestWireProfileExamples -update
var update = flag.Bool("update", false, "regenerate the wire profile's examples in docs/wire-profile")

// examplesDir holds the wire profile's examples, relative to this package.
const examplesDir = "../docs/wire-profile"

// exampleStart is the wire profile examples' clock: the reference system's
// and the archive's time when the first message is made.
var exampleStart = time.Date(2025, 3, 3, 9, 0, 0, 0, time.FixedZone("EET", 2*3600))

// example is one action of the wire profile: the request and the name of
// its example files.
type example struct {
	name   string
	action sut.Action
	params any
}

// wireProfileExamples are the actions the wire profile shows, in the order
// the reference system sends them. Each example's messages are written as
// NN-name[-m].frame.xml and NN-name[-m].document.xml.
func wireProfileExamples(t testing.TB) []example {
	adult := testHetu(t, time.Date(1980, 3, 15, 0, 0, 0, 0, time.UTC), 901)
	child := testHetu(t, time.Date(2014, 11, 9, 0, 0, 0, 0, time.UTC), 903)
	other := testHetu(t, time.Date(1984, 7, 1, 0, 0, 0, 0, time.UTC), 904)
	newborn := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	newbornHetu := testHetu(t, newborn, 906)
	delay := time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	return []example{
		{"", sut.ActionRegisterClient, sut.RegisterClientParams{Ref: "c1", Hetu: adult, Given: "Maija", Family: "Testinen"}},
		{"", sut.ActionRegisterClient, sut.RegisterClientParams{Ref: "c2", Hetu: child, Given: "Aino", Family: "Testinen"}},
		{"", sut.ActionRegisterClient, sut.RegisterClientParams{Ref: "c3", Hetu: other, Given: "Bertta", Family: "Esimerkki"}},
		{"", sut.ActionRegisterClient, sut.RegisterClientParams{Ref: "c4", TemporaryID: true, Given: "Vauva", Family: "Testinen", BirthDate: newborn}},
		{"client-relation", sut.ActionOpenClientRelation, sut.ClientRelationParams{ClientRef: "c1", ServiceTask: "24"}},
		{"client-relation-minor", sut.ActionOpenClientRelation, sut.ClientRelationParams{ClientRef: "c2", ServiceTask: "24", GuardianDisclosure: "1"}},
		{"client-relation-update", sut.ActionUpdateClientRelation, sut.ClientRelationParams{ClientRef: "c1", ServiceTask: "24", Change: "responsible-worker"}},
		{"case-open", sut.ActionOpenCase, sut.CaseParams{CaseRef: "case-1", ClientRefs: []string{"c1"}, ServiceTask: "24", CaseName: "Perhetyö"}},
		{"decision", sut.ActionStoreDocument, sut.DocumentParams{DocRef: "decision-1", CaseRef: "case-1", Type: "decision", Format: "structured", Signature: "professional"}},
		{"plan-delayed", sut.ActionStoreDocument, sut.DocumentParams{DocRef: "plan-1", CaseRef: "case-1", Type: "plan", Format: "structured", Signature: "professional", DelayUntil: &delay, RestrictionGround: "1"}},
		{"journal-entry", sut.ActionStoreDocument, sut.DocumentParams{DocRef: "journal-1", CaseRef: "case-1", Type: "journal-entry", Format: "structured", Signature: "professional"}},
		{"other-pdf", sut.ActionStoreDocument, sut.DocumentParams{DocRef: "other-1", CaseRef: "case-1", Type: "other", Format: "pdf", Signature: "system", Description: "Hallinto-oikeuden päätös"}},
		{"attachment", sut.ActionStoreDocument, sut.DocumentParams{DocRef: "attachment-1", CaseRef: "case-1", Type: "attachment", Format: "pdf", Signature: "professional", MainDocRef: "decision-1"}},
		{"new-version", sut.ActionNewVersion, sut.VersionParams{DocRef: "journal-1"}},
		{"correction", sut.ActionNewVersion, sut.VersionParams{DocRef: "plan-1", Reason: "Asiakkaan tilanne kirjattu väärin."}},
		{"annul-document", sut.ActionAnnul, sut.AnnulParams{DocRef: "decision-1", Reason: "Kirjattu väärälle asiakkaalle"}},
		{"case-close", sut.ActionCloseCase, sut.CaseParams{CaseRef: "case-1"}},
		{"joint-case-open", sut.ActionOpenCase, sut.CaseParams{CaseRef: "case-2", ClientRefs: []string{"c1", "c2"}, ServiceTask: "24", CaseName: "Perheen tuki"}},
		{"joint-plan", sut.ActionStoreDocument, sut.DocumentParams{DocRef: "plan-2", CaseRef: "case-2", Type: "plan", Format: "structured", Signature: "professional", GuardianDisclosure: "1"}},
		{"annul-case", sut.ActionAnnul, sut.AnnulParams{CaseRef: "case-2", Reason: "Asia avattu virheellisesti"}},
		{"temporary-id-client-relation", sut.ActionOpenClientRelation, sut.ClientRelationParams{ClientRef: "c4", ServiceTask: "24"}},
		{"replace-temporary-id", sut.ActionReplaceTemporaryID, sut.ReplaceTemporaryIDParams{ClientRef: "c4", Hetu: newbornHetu}},
		{"client-relation-end", sut.ActionEndClientRelation, sut.ClientRelationParams{ClientRef: "c2", ServiceTask: "24"}},
		{"second-client-relation", sut.ActionOpenClientRelation, sut.ClientRelationParams{ClientRef: "c3", ServiceTask: "24"}},
		{"second-case-open", sut.ActionOpenCase, sut.CaseParams{CaseRef: "case-3", ClientRefs: []string{"c3"}, ServiceTask: "24", CaseName: "Aikuissosiaalityö"}},
		{"second-journal-entry", sut.ActionStoreDocument, sut.DocumentParams{DocRef: "journal-3", CaseRef: "case-3", Type: "journal-entry", Format: "structured", Signature: "professional"}},
		{"annul-client-relation", sut.ActionAnnul, sut.AnnulParams{ClientRef: "c3", Reason: "Asiakkuus kirjattu väärälle henkilölle"}},
	}
}

// exampleFile is one file of the examples: its name and content.
type exampleFile struct {
	name string
	data []byte
}

// tickingClock returns a clock that starts at start and moves a second
// forward on every reading, so that versions are made in order.
func tickingClock(start time.Time) func() time.Time {
	var mu sync.Mutex
	t := start
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

// generateExamples runs the examples' actions with the reference system
// against a session whose clock is exampleStart and returns the files:
// every message each named action sent, frame and document.
func generateExamples(t *testing.T) []exampleFile {
	t.Helper()
	ctx := context.Background()
	c := session(t, "wire-profile")
	if err := c.SetClock(ctx, exampleStart); err != nil {
		t.Fatal(err)
	}
	sys := newSystem(t, reference.Options{Now: tickingClock(exampleStart)})
	var files []exampleFile
	n := 0
	seen := 0
	for i, ex := range wireProfileExamples(t) {
		req, err := sut.NewRequest(fmt.Sprint(i+1), ex.action, c.SOAPURL(), ex.params)
		if err != nil {
			t.Fatal(err)
		}
		a, err := sys.Do(ctx, req)
		if err != nil {
			t.Fatalf("%s %s: %v", ex.action, ex.name, err)
		}
		if a.Status != sut.StatusOK {
			t.Fatalf("%s %s: %s: %s", ex.action, ex.name, a.Status, a.Message)
		}
		msgs, err := c.Messages(ctx, control.MessageFilter{Since: seen})
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) > 0 {
			seen = msgs[len(msgs)-1].Seq
		}
		if len(msgs) > 0 && ex.name == "" {
			t.Fatalf("%s sent messages: name the example", ex.action)
		}
		if ex.name == "" {
			continue
		}
		if len(msgs) == 0 {
			t.Fatalf("%s %s sent no message", ex.action, ex.name)
		}
		n++
		for j, m := range msgs {
			if m.AckType != kanta.AckAccepted || len(m.Findings) > 0 {
				t.Errorf("%s %s: message %s: %s %v, want AA without findings", ex.action, ex.name, m.MessageID, m.AckType, m.Findings)
			}
			full, err := c.Message(ctx, m.Seq)
			if err != nil {
				t.Fatal(err)
			}
			base := fmt.Sprintf("%02d-%s", n, ex.name)
			if len(msgs) > 1 {
				base += fmt.Sprintf("-%d", j+1)
			}
			files = append(files,
				exampleFile{base + ".frame.xml", []byte(full.FrameXML)},
				exampleFile{base + ".document.xml", []byte(full.DocumentXML)})
		}
	}
	return files
}

// keyBound matches what changes with the signing keys, which each run
// makes anew: signature values and certificates; partID matches the MIME
// part's content id, which each message draws anew.
var (
	keyBound = regexp.MustCompile(`(?s)(<(?:[\w]+:)?(?:SignatureValue|X509Certificate)\b[^>]*>).*?(</)`)
	partID   = regexp.MustCompile(`cid:[^"<]+`)
)

// masked is an example with its key-bound parts and content ids blanked.
func masked(b []byte) []byte {
	return partID.ReplaceAll(keyBound.ReplaceAll(b, []byte("${1}…${2}")), []byte("cid:…"))
}

// TestWireProfileExamples keeps docs/wire-profile true: its examples are
// what the reference system sends for each action (but for the signature
// values and certificates, which differ with every key), and every one is
// accepted by the archive without a finding when replayed in order into a
// fresh session. -update regenerates them.
func TestWireProfileExamples(t *testing.T) {
	files := generateExamples(t)
	if *update {
		old, _ := filepath.Glob(filepath.Join(examplesDir, "*.xml"))
		for _, f := range old {
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.MkdirAll(examplesDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if err := os.WriteFile(filepath.Join(examplesDir, f.name), f.data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	stored, err := filepath.Glob(filepath.Join(examplesDir, "*.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.name)
		want, err := os.ReadFile(filepath.Join(examplesDir, f.name))
		if err != nil {
			t.Errorf("example %s: %v (regenerate: go test ./reference -run TestWireProfileExamples -update)", f.name, err)
			continue
		}
		if !bytes.Equal(masked(f.data), masked(want)) {
			t.Errorf("example %s differs from what the reference system sends now (regenerate: go test ./reference -run TestWireProfileExamples -update)", f.name)
		}
	}
	for _, s := range stored {
		if !slices.Contains(names, filepath.Base(s)) {
			t.Errorf("%s is no example the reference system sends (regenerate with -update)", s)
		}
	}
	replayExamples(t, files)
}

// replayExamples sends the stored examples in order to a fresh archive
// session at exampleStart: every one must be accepted without findings.
func replayExamples(t *testing.T, files []exampleFile) {
	t.Helper()
	sim, err := simulator.New()
	if err != nil {
		t.Fatal(err)
	}
	ss, err := sim.Session("replay")
	if err != nil {
		t.Fatal(err)
	}
	ss.Clock.Set(exampleStart)
	for i := 0; i+1 < len(files); i += 2 {
		frameName := files[i].name
		docName := files[i+1].name
		frame, err := os.ReadFile(filepath.Join(examplesDir, frameName))
		if err != nil {
			continue // reported above
		}
		doc, err := os.ReadFile(filepath.Join(examplesDir, docName))
		if err != nil {
			continue
		}
		ex, err := ss.Receive(context.Background(), frame, doc, "wire-profile example")
		if err != nil {
			t.Fatal(err)
		}
		if ex.AckType != kanta.AckAccepted || len(ex.Findings) > 0 {
			t.Errorf("example %s: the archive answers %s %v, want AA without findings", strings.TrimSuffix(frameName, ".frame.xml"), ex.AckType, ex.Findings)
		}
	}
}

// wireProfileDoc is the wire profile, relative to this package.
const wireProfileDoc = "../docs/wire-profile.md"

// TestWireProfileStatesWhatTheSimulatorReads checks docs/wire-profile.md
// against the data the simulator judges by: it links every example, names
// every header element of the metadata model, the code system bound to
// every coded element, and every document group with its service
// requests.
func TestWireProfileStatesWhatTheSimulatorReads(t *testing.T) {
	b, err := os.ReadFile(wireProfileDoc)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	docs, err := filepath.Glob(filepath.Join(examplesDir, "*.document.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) == 0 {
		t.Fatal("no examples in " + examplesDir)
	}
	for _, d := range docs {
		link := "(wire-profile/" + filepath.Base(d) + ")"
		if !strings.Contains(doc, link) {
			t.Errorf("the wire profile does not link the example %s", link)
		}
		frame := strings.TrimSuffix(d, ".document.xml") + ".frame.xml"
		if _, err := os.Stat(frame); err != nil {
			t.Errorf("example %s has no frame: %v", d, err)
		}
	}
	for _, link := range regexp.MustCompile(`\(wire-profile/([^)]+)\)`).FindAllStringSubmatch(doc, -1) {
		if _, err := os.Stat(filepath.Join(examplesDir, link[1])); err != nil {
			t.Errorf("the wire profile links %s, which does not exist", link[1])
		}
	}
	gs, err := kanta.DefaultGroups()
	if err != nil {
		t.Fatal(err)
	}
	for _, el := range gs.HeaderElements {
		if !strings.Contains(doc, "`fi:"+el) {
			t.Errorf("the wire profile does not describe the header element fi:%s", el)
		}
	}
	for _, g := range gs.List {
		if !strings.Contains(doc, "`"+g.Code+"`") {
			t.Errorf("the wire profile does not name document group %s (%s)", g.Code, g.Name)
		}
		for _, sr := range g.ServiceRequests {
			if !strings.Contains(doc, "`"+sr+"`") {
				t.Errorf("the wire profile does not name service request %s of group %s", sr, g.Code)
			}
		}
	}
	for _, sr := range []string{gs.OperationServiceRequests.NewVersion, gs.OperationServiceRequests.Annul,
		gs.CaseStatus.Open, gs.CaseStatus.Closed, gs.RecordStatus.Ready, gs.RecordStatus.Annulled} {
		if !strings.Contains(doc, "`"+sr+"`") {
			t.Errorf("the wire profile does not name code %s", sr)
		}
	}
	for _, bd := range codes.Default().Bindings() {
		if strings.HasPrefix(bd.Element, "body.") && bd.Element != "body.socialService" {
			continue // codes inside the structured content follow its Sosmeta structure
		}
		if !strings.Contains(doc, bd.System) {
			t.Errorf("the wire profile does not give the code system %s of %s (%s)", bd.System, bd.Element, bd.Path)
		}
	}
}
