package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/yhteistestaus/yhteistestaus"

	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/simulator/control"
	"github.com/yhteistestaus/yhteistestaus/simulator/message"
	"github.com/yhteistestaus/yhteistestaus/sut"
)

// Definition is one step phrase: its layer, its pattern (a regular
// expression in godog's syntax) and what it does.
type Definition struct {
	Layer   string
	Pattern string
	Doc     string
	bind    func(w *World) any
}

// Layers of step definitions.
const (
	LayerDrive   = "drive the system"
	LayerMessage = "check messages and findings"
	LayerArchive = "check archive state"
)

// protocolType maps the phrase's document type to the protocol's.
func protocolType(phrase string) string {
	switch phrase {
	case "journal entry":
		return string(kanta.DocumentJournal)
	case "other document":
		return string(kanta.DocumentOther)
	}
	return phrase
}

const docType = `(decision|plan|journal entry|other document|attachment)`

// Definitions returns every step phrase of the suite.
func Definitions() []Definition {
	return []Definition{
		// --- drive ---
		{LayerDrive, `^a test client "([^"]+)"$`, "registers an adult test client with a fresh 900-series identity code",
			func(w *World) any {
				return func(ctx context.Context, name string) error { return w.registerClient(ctx, name, 40, false) }
			}},
		{LayerDrive, `^a test client "([^"]+)" aged (\d+)$`, "registers a test client of that age (under 18 is a minor)",
			func(w *World) any {
				return func(ctx context.Context, name string, age int) error { return w.registerClient(ctx, name, age, false) }
			}},
		{LayerDrive, `^a test client "([^"]+)" known only by a temporary identifier$`, "registers a test client without an identity code; the system issues a temporary identifier",
			func(w *World) any {
				return func(ctx context.Context, name string) error { return w.registerClient(ctx, name, 40, true) }
			}},
		{LayerDrive, `^the system (?:has opened|opens) a client relation for "([^"]+)"$`, "the system archives the client's client relation document (asiakkuusasiakirja)",
			func(w *World) any {
				return func(ctx context.Context, name string) error {
					return w.clientRelation(ctx, sut.ActionOpenClientRelation, name)
				}
			}},
		{LayerDrive, `^the system is asked to open a client relation for "([^"]+)" again$`, "asks for a second client relation while one is open; a later step checks the outcome",
			func(w *World) any { return w.openAgain }},
		{LayerDrive, `^the system updates the client relation of "([^"]+)"$`, "the system archives a new version of the client relation document",
			func(w *World) any {
				return func(ctx context.Context, name string) error {
					return w.clientRelation(ctx, sut.ActionUpdateClientRelation, name)
				}
			}},
		{LayerDrive, `^the system ends the client relation of "([^"]+)"$`, "the system archives the client relation document's version that ends the relation",
			func(w *World) any {
				return func(ctx context.Context, name string) error {
					return w.clientRelation(ctx, sut.ActionEndClientRelation, name)
				}
			}},
		{LayerDrive, `^the system replaces the temporary identifier of "([^"]+)" with an identity code$`, "the client gets a fresh test identity code; the system archives it in the client relation document first",
			func(w *World) any { return w.replaceTemporaryID }},
		{LayerDrive, `^the system (?:has opened|opens) a case "([^"]+)" for (.+)$`, `opens a case (asia) for one client, or a joint case for "A" and "B"; the system archives the case document`,
			func(w *World) any { return w.openCase }},
		{LayerDrive, `^the system (?:has opened|opens) a case "([^"]+)" in service task "([^"]+)" for (.+)$`, `as above, in the service task (palvelutehtävä) with that code, e.g. "10" child protection or "25" family-law services`,
			func(w *World) any { return w.openCaseInTask }},
		{LayerDrive, `^the system closes case "([^"]+)"$`, "the system archives the case document's version that closes the case",
			func(w *World) any { return w.closeCase }},
		{LayerDrive, `^the system (?:has stored|stores) an? ` + docType + ` "([^"]+)" in case "([^"]+)"$`, "the system archives a client document of that type in the case (structured, professionally signed decisions)",
			func(w *World) any {
				return func(ctx context.Context, typ, name, caseName string) error {
					return w.storeDocument(ctx, typ, name, caseName, nil, true)
				}
			}},
		{LayerDrive, `^the system (?:has stored|stores) an? ` + docType + ` "([^"]+)" in case "([^"]+)" with:$`, "as above, with a table of options: format (structured|pdf), signature (professional|system), delayed days, restriction ground, guardian disclosure, main document, clients, description",
			func(w *World) any {
				return func(ctx context.Context, typ, name, caseName string, table *godog.Table) error {
					return w.storeDocument(ctx, typ, name, caseName, table, true)
				}
			}},
		{LayerDrive, `^the system is asked to store an? ` + docType + ` "([^"]+)" in case "([^"]+)"$`, "asks the system for something it should refuse; the step passes whatever happens, a later step checks the outcome",
			func(w *World) any {
				return func(ctx context.Context, typ, name, caseName string) error {
					return w.storeDocument(ctx, typ, name, caseName, nil, false)
				}
			}},
		{LayerDrive, `^the system stores a new version of "([^"]+)"$`, "the system archives a new version (correction or update) of the document",
			func(w *World) any { return w.newVersion }},
		{LayerDrive, `^the system is asked to store a new version of "([^"]+)"$`, "asks the system for a new version it should refuse (of an annulled document, say); a later step checks the outcome",
			func(w *World) any { return w.askNewVersion }},
		{LayerDrive, `^the system annuls "([^"]+)"$`, "the system annuls (mitätöi) the document, first annulling what refers to it",
			func(w *World) any { return w.annul }},
		{LayerDrive, `^the system searches the archive for the documents of "([^"]+)"$`, "the system searches its own register for the client's documents",
			func(w *World) any { return w.search }},
		{LayerDrive, `^(\d+) days pass$`, "moves the archive's simulated clock forward",
			func(w *World) any {
				return func(ctx context.Context, days int) error {
					return w.suite.Archive.AdvanceClock(ctx, time.Duration(days)*24*time.Hour)
				}
			}},

		// --- messages and findings ---
		{LayerMessage, `^the archive accepted every message of the action$`, "every message the last action caused was acknowledged AA",
			func(w *World) any { return w.allAccepted }},
		{LayerMessage, `^the action sent (\d+) messages?$`, "the last action caused exactly that many archiving messages",
			func(w *World) any { return w.messageCount }},
		{LayerMessage, `^the last message carried service request "([^"]+)"$`, "the service request (palvelupyyntö) of the action's last message",
			func(w *World) any { return w.serviceRequest }},
		{LayerMessage, `^the archive read the last message as (a new document|a new version|an annulment)$`, "what the archive did with the action's last message, judged by the archive's state and the message: stored a new document set, a new version of a set, or its annulment (whatever service request the archive accepted for it)",
			func(w *World) any { return w.operation }},
		{LayerMessage, `^the last message carried usage situation "([^"]+)"$`, "the usage situation (käyttötilanne) of the action's last message",
			func(w *World) any { return w.usage }},
		{LayerMessage, `^the archive rejected no message of the action$`, "whatever the system did, it sent nothing the archive rejected",
			func(w *World) any { return w.noneRejected }},
		{LayerMessage, `^the messages of the action had no warnings$`, "no warning or error finding on the action's messages (information notes, such as a code outside a partial list, are no warnings)",
			func(w *World) any { return w.noWarnings }},
		{LayerMessage, `^the last message carried correction data$`, "the corrected version names its storer, a description (the corrector's job title) and the reason of correction (Motivering för rättelse)",
			func(w *World) any { return w.correctionData }},
		{LayerMessage, `^the system refused the action without sending it to the archive$`, "the system answered failed or unsupported, and the archive received no message for the action",
			func(w *World) any { return w.refusedWithoutSending }},
		{LayerMessage, `^the system refused, or the archive rejected, the action$`, "the system answered failed or unsupported, or the archive acknowledged nothing of it with AA",
			func(w *World) any { return w.refused }},

		// --- archive state ---
		{LayerArchive, `^the archive holds "([^"]+)" at version (\d+)$`, "the document's set is archived and its latest version has that number",
			func(w *World) any { return w.holdsVersion }},
		{LayerArchive, `^the archive holds "([^"]+)" as annulled$`, "the document's latest version is its annulment",
			func(w *World) any { return w.holdsAnnulled }},
		{LayerArchive, `^the archive does not hold "([^"]+)"$`, "nothing of the document was archived",
			func(w *World) any { return w.notHeld }},
		{LayerArchive, `^the archive holds a client relation document for "([^"]+)"$`, "a live client relation document names the client",
			func(w *World) any { return w.holdsClientRelation }},
		{LayerArchive, `^the archive holds case "([^"]+)" as (open|closed)$`, "the case document's latest version says the case is open or closed",
			func(w *World) any { return w.holdsCase }},
		{LayerArchive, `^the archive holds case "([^"]+)" with clients (.+)$`, `the case document names exactly these clients, e.g. "A" and "B"`,
			func(w *World) any { return w.caseClients }},
		{LayerArchive, `^the archive holds "([^"]+)" delayed in MittKanta with ground "([^"]+)"$`, "the document's MittKanta display is delayed, with the restriction ground code",
			func(w *World) any { return w.delayed }},
		{LayerArchive, `^the archive holds "([^"]+)" with guardian disclosure code "([^"]+)"$`, "the code telling whether a minor's document may be shown to the guardian",
			func(w *World) any { return w.guardianCode }},
		{LayerArchive, `^the archive holds "([^"]+)" under the identity code of "([^"]+)"$`, "the document's latest version names the client by the identity code, not the temporary identifier",
			func(w *World) any { return w.underIdentityCode }},
		{LayerArchive, `^the archive holds "([^"]+)" in register "([^"]+)"$`, `the document's register (rekisteritunnus), e.g. "1" the social-welfare client register`,
			func(w *World) any { return w.inRegister }},
		{LayerArchive, `^the archive holds "([^"]+)" with no MittKanta restriction$`, "the document's latest version has no display delay and no restriction ground",
			func(w *World) any { return w.noRestriction }},
		{LayerArchive, `^the archive holds "([^"]+)" naming service task "([^"]+)"$`, `the structured content of the document's latest version names that service task, e.g. "crd:A" naming the task of each of A's cases`,
			func(w *World) any { return w.namesServiceTask }},
		{LayerArchive, `^the archive holds (\d+) live document sets? for "([^"]+)"$`, "counts the client's archived, non-annulled sets",
			func(w *World) any { return w.liveSets }},
	}
}

// InitializeScenario registers every step for one scenario with a fresh
// World; pass it as godog's ScenarioInitializer (wrapped by the runner).
func (s *Suite) InitializeScenario(sc *godog.ScenarioContext) *World {
	w := s.NewWorld()
	for _, d := range Definitions() {
		sc.Step(d.Pattern, d.bind(w))
	}
	sc.After(func(ctx context.Context, _ *godog.Scenario, err error) (context.Context, error) {
		if err != nil {
			return ctx, err
		}
		return ctx, w.Finish(ctx)
	})
	return w
}

// --- drive steps -----------------------------------------------------------

func (w *World) registerClient(ctx context.Context, name string, age int, temporary bool) error {
	if _, dup := w.clients[name]; dup {
		return fmt.Errorf("test client %q is registered already", name)
	}
	// Born in the month before the client's birthday month of the given
	// age, so that the identity's few days of spread keep the age.
	now := w.suite.now()
	birth := time.Date(now.Year()-age, now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -2, 0)
	code, birth, err := w.suite.identity(birth, 28)
	if err != nil {
		return err
	}
	c := &client{ref: w.ref(name), birth: birth, temporary: temporary}
	p := sut.RegisterClientParams{Ref: c.ref, Given: "Testi-" + name, Family: "Yhteistestaus", BirthDate: birth}
	if temporary {
		p.TemporaryID = true
	} else {
		p.Hetu = code
		c.hetu = code
	}
	out, err := w.act(ctx, sut.ActionRegisterClient, p)
	if err != nil {
		return err
	}
	if out.answer.Status != sut.StatusOK {
		return fmt.Errorf("register-client: the system answered %s: %s", out.answer.Status, out.answer.Message)
	}
	w.clients[name] = c
	return nil
}

func (w *World) clientRelation(ctx context.Context, action sut.Action, name string) error {
	c, err := w.client(name)
	if err != nil {
		return err
	}
	out, err := w.act(ctx, action, sut.ClientRelationParams{ClientRef: c.ref, ServiceTask: "24"})
	if err != nil {
		return err
	}
	if err := w.check(ctx, out); err != nil {
		return err
	}
	return w.remember("crd:"+name, out)
}

// remember records the documents an action archived: the one the system
// names by the scenario's ref (or, when the system fills in no refs, the
// last one of the kind the name implies) under name, and every other
// document it names by a ref of this scenario under that ref.
func (w *World) remember(name string, out *outcome) error {
	docs := out.answer.Result.Documents
	if len(docs) == 0 {
		return fmt.Errorf("%s: the system reported no archived document", out.action)
	}
	want, kind := w.docRef(name), ""
	switch {
	case strings.HasPrefix(name, "crd:"):
		kind = "client-relation"
	case strings.HasPrefix(name, "case:"):
		kind = "case"
	}
	pick, fallback := -1, -1
	for i, d := range docs {
		switch {
		case d.Ref == want:
			pick = i
		case d.Ref == "" && (kind == "" || d.Kind == kind):
			fallback = i
		}
	}
	if pick < 0 {
		pick = fallback
	}
	if pick < 0 {
		return fmt.Errorf("%s: the system reported no document for %q (ref %s)", out.action, name, want)
	}
	d := docs[pick]
	w.docs[name] = &d
	for i := range docs {
		if r := strings.TrimPrefix(docs[i].Ref, w.prefix); r != docs[i].Ref && r != "" && i != pick {
			d := docs[i]
			w.docs[r] = &d
		}
	}
	return nil
}

func (w *World) openAgain(ctx context.Context, name string) error {
	c, err := w.client(name)
	if err != nil {
		return err
	}
	_, err = w.act(ctx, sut.ActionOpenClientRelation, sut.ClientRelationParams{ClientRef: c.ref, ServiceTask: "24"})
	if errors.Is(err, ErrUnsupported) {
		return nil // an unsupported answer is a refusal; a later step judges it
	}
	return err
}

func (w *World) replaceTemporaryID(ctx context.Context, name string) error {
	c, err := w.client(name)
	if err != nil {
		return err
	}
	code, _, err := w.suite.identity(c.birth, 1)
	if err != nil {
		return err
	}
	out, err := w.act(ctx, sut.ActionReplaceTemporaryID, sut.ReplaceTemporaryIDParams{ClientRef: c.ref, Hetu: code})
	if err != nil {
		return err
	}
	if err := w.check(ctx, out); err != nil {
		return err
	}
	c.hetu, c.temporary = code, false
	return w.remember("crd:"+name, out)
}

func (w *World) openCase(ctx context.Context, caseName, clientList string) error {
	return w.openCaseInTask(ctx, caseName, "24", clientList)
}

// openCaseInTask opens a case in the service task with code task.
func (w *World) openCaseInTask(ctx context.Context, caseName, task, clientList string) error {
	names := quoted(clientList)
	if len(names) == 0 {
		return fmt.Errorf("name the case's clients in quotes, e.g. \"A\" and \"B\"")
	}
	var refs []string
	for _, n := range names {
		c, err := w.client(n)
		if err != nil {
			return err
		}
		refs = append(refs, c.ref)
	}
	out, err := w.act(ctx, sut.ActionOpenCase, sut.CaseParams{CaseRef: w.ref(caseName), ClientRefs: refs, ServiceTask: task})
	if err != nil {
		return err
	}
	if err := w.check(ctx, out); err != nil {
		return err
	}
	w.cases[caseName] = &caseInfo{ref: w.ref(caseName), id: out.answer.Result.CaseID, clients: names}
	return w.remember("case:"+caseName, out)
}

func (w *World) closeCase(ctx context.Context, caseName string) error {
	cs, err := w.caseOf(caseName)
	if err != nil {
		return err
	}
	out, err := w.act(ctx, sut.ActionCloseCase, sut.CaseParams{CaseRef: cs.ref})
	if err != nil {
		return err
	}
	if err := w.check(ctx, out); err != nil {
		return err
	}
	return w.remember("case:"+caseName, out)
}

func (w *World) storeDocument(ctx context.Context, typ, name, caseName string, table *godog.Table, mustSucceed bool) error {
	cs, err := w.caseOf(caseName)
	if err != nil {
		return err
	}
	p := sut.DocumentParams{DocRef: w.ref(name), CaseRef: cs.ref, Type: protocolType(typ), Format: "structured", Signature: "professional"}
	if p.Type == "other" {
		p.Format = "pdf"
	}
	if err := w.applyOptions(&p, table); err != nil {
		return err
	}
	out, err := w.act(ctx, sut.ActionStoreDocument, p)
	if !mustSucceed && errors.Is(err, ErrUnsupported) {
		return nil // an unsupported answer is a refusal; a later step judges it
	}
	if err != nil {
		return err
	}
	if !mustSucceed {
		return nil
	}
	if err := w.check(ctx, out); err != nil {
		return err
	}
	return w.remember(name, out)
}

// applyOptions reads a two-column table of document options.
func (w *World) applyOptions(p *sut.DocumentParams, table *godog.Table) error {
	if table == nil {
		return nil
	}
	for _, row := range table.Rows {
		if len(row.Cells) != 2 {
			return fmt.Errorf("document options: each row needs an option and a value")
		}
		key, val := strings.TrimSpace(row.Cells[0].Value), strings.TrimSpace(row.Cells[1].Value)
		switch key {
		case "format":
			p.Format = val
		case "signature":
			p.Signature = val
		case "delayed days":
			n, err := strconv.Atoi(val)
			if err != nil {
				return fmt.Errorf("delayed days: %w", err)
			}
			t := w.suite.now().AddDate(0, 0, n).Truncate(24 * time.Hour)
			p.DelayUntil = &t
		case "restriction ground":
			p.RestrictionGround = val
		case "guardian disclosure":
			p.GuardianDisclosure = val
		case "main document":
			if _, err := w.doc(val); err != nil {
				return err
			}
			p.MainDocRef = w.ref(val)
		case "clients":
			var refs []string
			for _, n := range quoted(val) {
				c, err := w.client(n)
				if err != nil {
					return err
				}
				refs = append(refs, c.ref)
			}
			p.ClientRefs = refs
		case "description":
			p.Description = val
		case "service task":
			p.ServiceTask = val
		default:
			return fmt.Errorf("unknown document option %q (format, signature, delayed days, restriction ground, guardian disclosure, main document, clients, description, service task)", key)
		}
	}
	return nil
}

func (w *World) askNewVersion(ctx context.Context, name string) error {
	if _, err := w.doc(name); err != nil {
		return err
	}
	_, err := w.act(ctx, sut.ActionNewVersion, sut.VersionParams{DocRef: w.docRef(name), Reason: "correction"})
	if errors.Is(err, ErrUnsupported) {
		return nil // an unsupported answer is a refusal; a later step judges it
	}
	return err
}

func (w *World) newVersion(ctx context.Context, name string) error {
	if _, err := w.doc(name); err != nil {
		return err
	}
	out, err := w.act(ctx, sut.ActionNewVersion, sut.VersionParams{DocRef: w.docRef(name), Reason: "correction"})
	if err != nil {
		return err
	}
	if err := w.check(ctx, out); err != nil {
		return err
	}
	return w.remember(name, out)
}

// docRef is the system's ref of a scenario document: client relation and
// case documents are named by their client or case.
func (w *World) docRef(name string) string {
	switch {
	case strings.HasPrefix(name, "crd:"):
		if c, ok := w.clients[strings.TrimPrefix(name, "crd:")]; ok {
			return c.ref
		}
	case strings.HasPrefix(name, "case:"):
		if c, ok := w.cases[strings.TrimPrefix(name, "case:")]; ok {
			return c.ref
		}
	}
	return w.ref(name)
}

// annul annuls a scenario's document, case or client relation, each named
// by its own parameter of the protocol (docRef, caseRef, clientRef).
func (w *World) annul(ctx context.Context, name string) error {
	target := name
	p := sut.AnnulParams{Reason: "stored for the wrong client"}
	if _, ok := w.docs[name]; !ok {
		if c, ok := w.cases[name]; ok {
			target, p.CaseRef = "case:"+name, c.ref
		} else if c, ok := w.clients[name]; ok {
			target, p.ClientRef = "crd:"+name, c.ref
		}
	}
	if _, err := w.doc(target); err != nil {
		return err
	}
	if p.CaseRef == "" && p.ClientRef == "" {
		p.DocRef = w.ref(name)
	}
	out, err := w.act(ctx, sut.ActionAnnul, p)
	if err != nil {
		return err
	}
	if err := w.check(ctx, out); err != nil {
		return err
	}
	return w.remember(target, out)
}

func (w *World) search(ctx context.Context, name string) error {
	c, err := w.client(name)
	if err != nil {
		return err
	}
	out, err := w.act(ctx, sut.ActionSearch, sut.SearchParams{ClientRef: c.ref})
	if err != nil {
		return err
	}
	if out.answer.Status != sut.StatusOK {
		return fmt.Errorf("search: the system answered %s: %s", out.answer.Status, out.answer.Message)
	}
	return nil
}

// --- message steps ----------------------------------------------------------

func (w *World) lastOutcome() (*outcome, error) {
	if w.last == nil {
		return nil, errors.New("no action of the system yet in this scenario")
	}
	return w.last, nil
}

func (w *World) allAccepted(ctx context.Context) error {
	o, err := w.lastOutcome()
	if err != nil {
		return err
	}
	if len(o.messages) == 0 {
		return &NoMessageError{Action: o.action}
	}
	return w.check(ctx, o)
}

func (w *World) messageCount(n int) error {
	o, err := w.lastOutcome()
	if err != nil {
		return err
	}
	if len(o.messages) != n {
		return fmt.Errorf("%s sent %d message(s), want %d", o.action, len(o.messages), n)
	}
	return nil
}

func (w *World) lastMessage() (*outcome, error) {
	o, err := w.lastOutcome()
	if err != nil {
		return nil, err
	}
	if len(o.messages) == 0 {
		return nil, &NoMessageError{Action: o.action}
	}
	return o, nil
}

func (w *World) serviceRequest(want string) error {
	o, err := w.lastMessage()
	if err != nil {
		return err
	}
	if got := o.messages[len(o.messages)-1].ServiceRequest; got != want {
		return fmt.Errorf("the last message carried service request %q, want %q", got, want)
	}
	return nil
}

// operationOf maps a phrase of the operation step to the archive's
// operation.
func operationOf(phrase string) api.Operation {
	switch phrase {
	case "a new version":
		return api.OpNewVersion
	case "an annulment":
		return api.OpAnnul
	}
	return api.OpStore
}

func (w *World) operation(phrase string) error {
	o, err := w.lastMessage()
	if err != nil {
		return err
	}
	m := o.messages[len(o.messages)-1]
	if want := operationOf(phrase); m.Operation != want {
		return fmt.Errorf("the archive read the last message (%s, service request %q) as %q, want %q", m.MessageID, m.ServiceRequest, m.Operation, want)
	}
	return nil
}

func (w *World) usage(want string) error {
	o, err := w.lastMessage()
	if err != nil {
		return err
	}
	if got := o.messages[len(o.messages)-1].Usage; got != want {
		return fmt.Errorf("the last message carried usage situation %q, want %q", got, want)
	}
	return nil
}

func (w *World) noWarnings(ctx context.Context) error {
	o, err := w.lastMessage()
	if err != nil {
		return err
	}
	for _, m := range o.messages {
		var warned yhteistestaus.Findings
		for _, f := range m.Findings {
			if f.Severity >= yhteistestaus.SeverityWarning {
				warned = append(warned, f)
			}
		}
		if len(warned) > 0 {
			return w.cite(ctx, &StepError{Msg: fmt.Sprintf("message %s has %d warning or error finding(s)", m.MessageID, len(warned)), Findings: warned}, o.messages)
		}
	}
	return nil
}

func (w *World) refusedWithoutSending(ctx context.Context) error {
	o, err := w.lastOutcome()
	if err != nil {
		return err
	}
	if o.answer.Status == sut.StatusOK {
		return fmt.Errorf("%s: the system did it (answered ok); it should have refused", o.action)
	}
	if len(o.messages) > 0 {
		var findings yhteistestaus.Findings
		for _, m := range o.messages {
			findings = append(findings, m.Findings.Errors()...)
		}
		return w.cite(ctx, &StepError{
			Msg:      fmt.Sprintf("%s: the system sent %d message(s) to the archive instead of refusing on its own", o.action, len(o.messages)),
			Findings: findings,
		}, o.messages)
	}
	return nil
}

func (w *World) noneRejected(ctx context.Context) error {
	o, err := w.lastOutcome()
	if err != nil {
		return err
	}
	var findings yhteistestaus.Findings
	for _, m := range o.messages {
		if m.AckType != kanta.AckAccepted {
			findings = append(findings, m.Findings.Errors()...)
		}
	}
	if len(findings) > 0 {
		return w.cite(ctx, &StepError{Msg: fmt.Sprintf("%s: the archive rejected message(s) of the action", o.action), Findings: findings}, o.messages)
	}
	return nil
}

func (w *World) refused() error {
	o, err := w.lastOutcome()
	if err != nil {
		return err
	}
	if n := len(o.accepted()); n > 0 {
		return fmt.Errorf("%s: the archive accepted %d message(s) of the action (the system answered %s); it should have refused", o.action, n, o.answer.Status)
	}
	if o.answer.Status == sut.StatusOK {
		return fmt.Errorf("%s: the system answered ok; it should have refused", o.action)
	}
	return nil
}

// --- archive steps -------------------------------------------------------------

func (w *World) versions(ctx context.Context, name string) ([]*api.Record, error) {
	d, err := w.doc(name)
	if err != nil {
		if c, ok := w.cases[name]; ok {
			return w.versions(ctx, "case:"+c.ref[len(w.prefix):])
		}
		return nil, err
	}
	vs, err := w.suite.Archive.Versions(ctx, d.SetID)
	if errors.Is(err, control.ErrNotFound) {
		return nil, fmt.Errorf("the archive holds no set %s for %q", d.SetID, name)
	}
	return vs, err
}

func (w *World) holdsVersion(ctx context.Context, name string, version int) error {
	vs, err := w.versions(ctx, name)
	if err != nil {
		return err
	}
	if last := vs[len(vs)-1]; last.Version != version {
		return fmt.Errorf("the archive holds %q at version %d, want %d", name, last.Version, version)
	}
	return nil
}

func (w *World) holdsAnnulled(ctx context.Context, name string) error {
	if _, ok := w.docs[name]; !ok {
		if _, ok := w.cases[name]; ok {
			name = "case:" + name
		} else if _, ok := w.clients[name]; ok {
			name = "crd:" + name
		}
	}
	vs, err := w.versions(ctx, name)
	if err != nil {
		return err
	}
	if !vs[len(vs)-1].Annulled {
		return fmt.Errorf("the archive's latest version of %q (version %d) is not an annulment", name, vs[len(vs)-1].Version)
	}
	return nil
}

func (w *World) notHeld(ctx context.Context, name string) error {
	o, err := w.lastOutcome()
	if err != nil {
		return err
	}
	if n := len(o.accepted()); n > 0 {
		return fmt.Errorf("the archive accepted %d message(s) of the last action, so %q may be archived", n, name)
	}
	if d, ok := w.docs[name]; ok {
		if vs, err := w.suite.Archive.Versions(ctx, d.SetID); err == nil && len(vs) > 0 {
			return fmt.Errorf("the archive holds %q (set %s)", name, d.SetID)
		}
	}
	for _, d := range o.answer.Result.Documents {
		if d.Ref == w.ref(name) {
			if vs, err := w.suite.Archive.Versions(ctx, d.SetID); err == nil && len(vs) > 0 {
				return fmt.Errorf("the archive holds %q (set %s)", name, d.SetID)
			}
		}
	}
	return nil
}

func (w *World) clientFilter(name string) (string, error) {
	c, err := w.client(name)
	if err != nil {
		return "", err
	}
	if c.hetu == "" {
		return "", fmt.Errorf("client %q has no identity code yet", name)
	}
	return c.hetu, nil
}

func (w *World) holdsClientRelation(ctx context.Context, name string) error {
	code, err := w.clientFilter(name)
	if err != nil {
		return err
	}
	sets, err := w.suite.Archive.Archive(ctx, control.ArchiveFilter{Client: code, Kind: "client-relation"})
	if err != nil {
		return err
	}
	for _, s := range sets {
		if !s.Latest.Annulled {
			return nil
		}
	}
	return fmt.Errorf("the archive holds no live client relation document for %q", name)
}

func (w *World) caseRecord(ctx context.Context, caseName string) (*api.Record, error) {
	if _, err := w.caseOf(caseName); err != nil {
		return nil, err
	}
	vs, err := w.versions(ctx, "case:"+caseName)
	if err != nil {
		return nil, err
	}
	return vs[len(vs)-1], nil
}

func (w *World) holdsCase(ctx context.Context, caseName, state string) error {
	r, err := w.caseRecord(ctx, caseName)
	if err != nil {
		return err
	}
	if got := map[bool]string{true: "closed", false: "open"}[r.CaseClosed]; got != state {
		return fmt.Errorf("the archive holds case %q as %s, want %s", caseName, got, state)
	}
	return nil
}

func (w *World) caseClients(ctx context.Context, caseName, list string) error {
	r, err := w.caseRecord(ctx, caseName)
	if err != nil {
		return err
	}
	var want []string
	for _, n := range quoted(list) {
		code, err := w.clientFilter(n)
		if err != nil {
			return err
		}
		want = append(want, code)
	}
	var got []string
	for _, c := range r.Clients {
		_, ext, _ := strings.Cut(c, "^")
		got = append(got, ext)
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		return fmt.Errorf("case %q has %d client(s) in the archive, want %d (%s)", caseName, len(got), len(want), list)
	}
	return nil
}

func (w *World) latest(ctx context.Context, name string) (*api.Record, error) {
	vs, err := w.versions(ctx, name)
	if err != nil {
		return nil, err
	}
	return vs[len(vs)-1], nil
}

func (w *World) delayed(ctx context.Context, name, ground string) error {
	r, err := w.latest(ctx, name)
	if err != nil {
		return err
	}
	if r.DelayUntil.IsZero() {
		return fmt.Errorf("the archive holds %q with no MittKanta delay", name)
	}
	if !slices.Contains(r.RestrictionGrounds, ground) {
		return fmt.Errorf("the archive holds %q with restriction grounds %v, want %q", name, r.RestrictionGrounds, ground)
	}
	return nil
}

func (w *World) guardianCode(ctx context.Context, name, code string) error {
	r, err := w.latest(ctx, name)
	if err != nil {
		return err
	}
	if r.GuardianConsent != code {
		return fmt.Errorf("the archive holds %q with guardian disclosure code %q, want %q", name, r.GuardianConsent, code)
	}
	return nil
}

func (w *World) underIdentityCode(ctx context.Context, name, clientName string) error {
	code, err := w.clientFilter(clientName)
	if err != nil {
		return err
	}
	r, err := w.latest(ctx, name)
	if err != nil {
		return err
	}
	for _, c := range r.Clients {
		if strings.HasSuffix(c, "^"+code) {
			return nil
		}
	}
	return fmt.Errorf("the archive's latest version of %q does not name %q by the identity code", name, clientName)
}

func (w *World) liveSets(ctx context.Context, n int, name string) error {
	code, err := w.clientFilter(name)
	if err != nil {
		return err
	}
	sets, err := w.suite.Archive.Archive(ctx, control.ArchiveFilter{Client: code})
	if err != nil {
		return err
	}
	live := 0
	for _, s := range sets {
		if !s.Latest.Annulled {
			live++
		}
	}
	if live != n {
		return fmt.Errorf("the archive holds %d live set(s) for %q, want %d", live, name, n)
	}
	return nil
}

// --- content checks ---------------------------------------------------------

// messageDocument fetches the CDA document a received message carried and
// parses it.
func (w *World) messageDocument(ctx context.Context, seq int) (*message.Document, error) {
	m, err := w.suite.Archive.Message(ctx, seq)
	if err != nil {
		return nil, fmt.Errorf("read message %d: %w", seq, err)
	}
	if m.DocumentXML == "" {
		return nil, fmt.Errorf("message %s carried no document", m.MessageID)
	}
	x, err := message.ParseXML([]byte(m.DocumentXML), message.DefaultLimits())
	if err != nil {
		return nil, fmt.Errorf("message %s: %w", m.MessageID, err)
	}
	d, err := message.ParseDocument(x)
	if err != nil {
		return nil, fmt.Errorf("message %s: %w", m.MessageID, err)
	}
	return d, nil
}

// archivedDocument is the CDA document of the latest archived version of a
// scenario document.
func (w *World) archivedDocument(ctx context.Context, name string) (*message.Document, error) {
	r, err := w.latest(ctx, name)
	if err != nil {
		return nil, err
	}
	ms, err := w.suite.Archive.Messages(ctx, control.MessageFilter{MessageID: r.MessageID})
	if err != nil {
		return nil, fmt.Errorf("read the archive's messages: %w", err)
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("the archive has no message %s for %q", r.MessageID, name)
	}
	return w.messageDocument(ctx, ms[len(ms)-1].Seq)
}

func (w *World) correctionData(ctx context.Context) error {
	o, err := w.lastMessage()
	if err != nil {
		return err
	}
	d, err := w.messageDocument(ctx, o.messages[len(o.messages)-1].Seq)
	if err != nil {
		return err
	}
	var missing []string
	if d.Header == nil || d.Header.ReasonOfCorrection.Code == "" {
		missing = append(missing, "the reason of correction (localSocialHeader/reasonOfCorrection)")
	}
	if d.Header == nil || strings.TrimSpace(d.Header.Description.Value) == "" {
		missing = append(missing, "the corrector's job title (localSocialHeader/description)")
	}
	if !slices.ContainsFunc(d.Authors, func(p message.Person) bool { return p.Family != "" }) {
		missing = append(missing, "the corrector's name (author)")
	}
	if len(missing) > 0 {
		return fmt.Errorf("the last message's document lacks %s", strings.Join(missing, ", "))
	}
	return nil
}

func (w *World) inRegister(ctx context.Context, name, register string) error {
	r, err := w.latest(ctx, name)
	if err != nil {
		return err
	}
	if r.Register != register {
		return fmt.Errorf("the archive holds %q in register %q, want %q", name, r.Register, register)
	}
	return nil
}

func (w *World) noRestriction(ctx context.Context, name string) error {
	r, err := w.latest(ctx, name)
	if err != nil {
		return err
	}
	if !r.DelayUntil.IsZero() || len(r.RestrictionGrounds) > 0 {
		return fmt.Errorf("the archive holds %q with a MittKanta delay until %s and restriction grounds %v, want none",
			name, r.DelayUntil.Format(time.DateOnly), r.RestrictionGrounds)
	}
	return nil
}

func (w *World) namesServiceTask(ctx context.Context, name, task string) error {
	if _, ok := w.docs[name]; !ok {
		if _, ok := w.clients[name]; ok {
			name = "crd:" + name
		}
	}
	d, err := w.archivedDocument(ctx, name)
	if err != nil {
		return err
	}
	if d.Body.JSON == nil {
		return fmt.Errorf("the archive's latest version of %q has no structured content", name)
	}
	got, err := serviceTasks(d.Body.JSON)
	if err != nil {
		return fmt.Errorf("the structured content of %q: %w", name, err)
	}
	if !slices.Contains(got, task) {
		return fmt.Errorf("the structured content of %q names service tasks %v, want %q among them", name, got, task)
	}
	return nil
}

// serviceTasks returns the codes of every service task (palvelutehtava)
// named in a structured (JSON) document, in order of appearance.
func serviceTasks(doc []byte) ([]string, error) {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return nil, fmt.Errorf("parse JSON: %w", err)
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if t, ok := x["palvelutehtava"].(map[string]any); ok {
				if c, ok := t["code"].(string); ok && !slices.Contains(out, c) {
					out = append(out, c)
				}
			}
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				walk(x[k])
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out, nil
}
