package steps

import (
	"context"
	"time"

	"github.com/cucumber/godog"

	"github.com/yhteistestaus/yhteistestaus/kanta"
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
		{LayerArchive, `^the archive judges bodies with THL's Sosmeta structures$`, "precondition: the archive judges structured content with THL's Sosmeta structures (--sosmeta DIR); with only its embedded fallback schemas the scenario is not tested (neither passed nor failed)",
			func(w *World) any { return w.judgesWithSosmeta }},
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
