package reports

import (
	"time"

	"github.com/yhteistestaus/yhteistestaus"
)

// fixtureRun is a representative run of profile vaihe2-kasittely: every
// requirement status a report shows (passed, failed with findings and an
// excerpt, not supported, not tested, not yet automated, attested, to be
// attested, manual) and scenarios that passed, failed and were not
// supported.
func fixtureRun() *yhteistestaus.Run {
	ms := time.Millisecond
	guardianFinding := yhteistestaus.Finding{
		Rule:     "ID-MINOR-GUARDIAN",
		Severity: yhteistestaus.SeverityError,
		Message:  `the client is 12 years old and the document has no guardian-disclosure code (code system 1.2.246.537.5.40172)`,
		Location: "/ClinicalDocument/component/structuredBody/component/section/entry/observation[code/@code='huoltajanTiedonsaanti']",
		Source:   "9.12.3 Granskning av uppgifter om en klient L25978-L25980",
	}
	// The excerpt as package excerpt cuts it: the offending element marked
	// "> ", its context indented, a code outside the test series masked.
	excerpt := `  <entry>
    <code code="huoltajanTiedonsaanti" codeSystem="1.2.246.537.6.12.2002.348"/>
>   <observation classCode="OBS" moodCode="EVN">
>     <value xsi:type="CV" nullFlavor="NI"/>
>     <subject extension="***********"/>
>   </observation>
  </entry>
`
	cause := "ID-MINOR-GUARDIAN"
	return &yhteistestaus.Run{
		Profile:     "vaihe2-kasittely",
		ProfileName: "Sosiaalihuollon asiakastietoja käsittelevä järjestelmä",
		ProfileNames: map[string]string{
			"en": "System processing social-welfare client data",
			"fi": "Sosiaalihuollon asiakastietoja käsittelevä järjestelmä",
			"sv": "Ett system för behandling av klientuppgifter inom socialvården",
		},
		SUT: yhteistestaus.SUTInfo{
			Adapter: "reference",
			Name:    "Reference client data system",
			Vendor:  "Yhteistestaus project",
			Version: "0.9.0",
		},
		Archive:  "http://127.0.0.1:41235/s/run-20250314-093000-1a2b3c4d/soap",
		Messages: []yhteistestaus.SavedMessage{{Seq: 7, Frame: "messages/7-frame.xml", Document: "messages/7-document.xml"}},
		Started:  time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC),
		Duration: 3482 * ms,
		Verdict:  yhteistestaus.StatusFailed,
		Scenarios: []yhteistestaus.ScenarioResult{
			{
				Feature:      "Client relation",
				FeatureFile:  "features/client_relation.feature",
				Name:         "Opening a client relation stores a client relation document",
				Line:         8,
				Tags:         []string{"@req:REQ-CR-001", "@req:REQ-CR-003"},
				Requirements: []string{"REQ-CR-001", "REQ-CR-003"},
				Status:       yhteistestaus.StatusPassed,
				Duration:     212 * ms,
				Steps: []yhteistestaus.StepResult{
					{Keyword: "Given ", Text: `a test client "010101A900X" registered in the system`, Line: 9, Status: yhteistestaus.StatusPassed, Duration: 14 * ms},
					{Keyword: "When ", Text: "the system opens a client relation in service task family work", Line: 10, Status: yhteistestaus.StatusPassed, Duration: 151 * ms},
					{Keyword: "Then ", Text: "the archive accepts the message", Line: 11, Status: yhteistestaus.StatusPassed, Duration: 3 * ms},
					{Keyword: "And ", Text: "the archive holds 1 client relation document for the client", Line: 12, Status: yhteistestaus.StatusPassed, Duration: 2 * ms},
				},
			},
			{
				Feature:      "Client relation",
				FeatureFile:  "features/client_relation.feature",
				Name:         "Ending a client relation records the end time",
				Line:         15,
				Tags:         []string{"@req:REQ-CR-004"},
				Requirements: []string{"REQ-CR-004"},
				Status:       yhteistestaus.StatusPassed,
				Duration:     305 * ms,
				Steps: []yhteistestaus.StepResult{
					{Keyword: "Given ", Text: "an open client relation", Line: 16, Status: yhteistestaus.StatusPassed, Duration: 160 * ms},
					{Keyword: "When ", Text: "the system ends the client relation", Line: 17, Status: yhteistestaus.StatusPassed, Duration: 140 * ms},
					{Keyword: "Then ", Text: "the client relation document has an end time not before its start", Line: 18, Status: yhteistestaus.StatusPassed, Duration: 5 * ms},
				},
			},
			{
				Feature:      "Client documents",
				FeatureFile:  "features/documents.feature",
				Name:         "A decision about a minor says whether the guardian may see it",
				Line:         21,
				Tags:         []string{"@req:REQ-MK-014", "@minor"},
				Requirements: []string{"REQ-MK-014"},
				Status:       yhteistestaus.StatusFailed,
				Duration:     388 * ms,
				Steps: []yhteistestaus.StepResult{
					{Keyword: "Given ", Text: `a test client "010113A9010" aged 12 with an open case`, Line: 22, Status: yhteistestaus.StatusPassed, Duration: 170 * ms},
					{Keyword: "When ", Text: `the system stores a "päätös" document in the case`, Line: 23, Status: yhteistestaus.StatusPassed, Duration: 205 * ms},
					{
						Keyword: "Then ", Text: "the archive accepts the message", Line: 24,
						Status: yhteistestaus.StatusFailed, Duration: 4 * ms,
						Error:    "the archive rejected the message: 1 error finding",
						Findings: yhteistestaus.Findings{guardianFinding},
						Excerpt:  excerpt, MessageSeq: 7,
						Citations: []yhteistestaus.Citation{{Rule: guardianFinding.Rule, Location: guardianFinding.Location, MessageSeq: 7, Excerpt: excerpt}},
					},
					{Keyword: "And ", Text: "the document carries guardian-disclosure code 1", Line: 25, Status: yhteistestaus.StatusSkipped},
				},
			},
			{
				Feature:      "Client documents",
				FeatureFile:  "features/documents.feature",
				Name:         "An unstructured document is stored as PDF/A",
				Line:         28,
				Tags:         []string{"@req:REQ-SRV-004"},
				Requirements: []string{"REQ-SRV-004"},
				Status:       yhteistestaus.StatusNotSupported,
				Duration:     21 * ms,
				Steps: []yhteistestaus.StepResult{
					{Keyword: "Given ", Text: "an open case for a test client", Line: 29, Status: yhteistestaus.StatusPassed, Duration: 18 * ms},
					{
						Keyword: "When ", Text: `the system stores a "lähete" document as PDF/A`, Line: 30,
						Status: yhteistestaus.StatusNotSupported, Duration: 3 * ms,
						Error: `the system does not support action "storeDocument" with format "pdfa"`,
					},
					{Keyword: "Then ", Text: "the archive accepts the message", Line: 31, Status: yhteistestaus.StatusSkipped},
				},
			},
		},
		Requirements: []yhteistestaus.RequirementResult{
			{
				ID: "REQ-CR-001", Title: "Each client has a personal client relation document",
				Section: "7.1", Lines: "L15502-L15510", Level: "SHALL", Applicability: "mandatory",
				Verification: "automatic", Area: "document-creation", Status: yhteistestaus.StatusPassed,
				Scenarios: []string{"Opening a client relation stores a client relation document"},
			},
			{
				ID: "REQ-CR-003", Title: "The start of a client relation is recorded in the client relation document",
				Section: "7.1", Lines: "L15512-L15520", Level: "SHALL", Applicability: "mandatory",
				Verification: "automatic", Area: "document-creation", Status: yhteistestaus.StatusPassed,
				Scenarios: []string{"Opening a client relation stores a client relation document"},
			},
			{
				ID: "REQ-CR-004", Title: "The end of a client relation is recorded, not before its start",
				Section: "7.1", Lines: "L15530-L15540", Level: "SHALL", Applicability: "mandatory",
				Verification: "automatic", Area: "document-creation", Status: yhteistestaus.StatusPassed,
				Scenarios: []string{"Ending a client relation records the end time"},
			},
			{
				ID: "REQ-MK-014", Title: "The guardian-disclosure field defaults to 1 and is shown clearly",
				Section: "5.3", Lines: "L8887-L8921", Level: "SHALL", Applicability: "mandatory",
				Verification: "automatic", Area: "document-creation", Status: yhteistestaus.StatusFailed,
				Scenarios: []string{"A decision about a minor says whether the guardian may see it"},
				Failures: []yhteistestaus.Failure{{
					Scenario: "A decision about a minor says whether the guardian may see it",
					Step:     "Then the archive accepts the message",
					Error:    guardianFinding.Message,
					Rule:     guardianFinding.Rule,
					Source:   guardianFinding.Source,
					Location: guardianFinding.Location,
					Excerpt:  excerpt, MessageSeq: 7,
					Cause: cause,
				}},
			},
			{
				ID: "REQ-SRV-004", Title: "Documents are PDF/A, XHTML or JSON",
				Section: "3.1", Lines: "L1403-L1405, L2198", Level: "SHALL", Applicability: "mandatory",
				Verification: "automatic", Area: "document-creation", Status: yhteistestaus.StatusNotSupported,
				Scenarios: []string{"An unstructured document is stored as PDF/A"},
			},
			{
				ID: "REQ-CP-009", Title: "Every member of a family child-protection case gets a client relation document",
				Section: "8.4", Lines: "L18120-L18131", Level: "SHALL", Applicability: "conditional",
				Verification: "automatic", Area: "own-register-storage", Status: yhteistestaus.StatusNotTested,
			},
			{
				ID: "REQ-SRH-010", Title: "A search of another service provider's register needs the client's consent",
				Section: "3.3.2", Lines: "L3401-L3412", Level: "SHALL", Applicability: "mandatory",
				Verification: "automatic", Area: "other-register-search", Status: yhteistestaus.StatusNotYetAutomated,
			},
			{
				ID: "REQ-SRV-044", Title: "Users are identified strongly and their access is logged",
				Section: "3.2.2", Lines: "L2290-L2294", Level: "SHALL", Applicability: "mandatory",
				Verification: "attestation", Area: "access-security-logging", Status: yhteistestaus.StatusAttested,
				Evidence: "Access log design: docs/security/access-log.md, reviewed 2025-02-20 (screenshot evidence/access-log.png)",
			},
			{
				ID: "REQ-SRV-052", Title: "Processing without legitimate connection is motivated separately in advance",
				Section: "2", Lines: "L1177-L1181, L1765-L1777", Level: "SHALL", Applicability: "mandatory",
				Verification: "attestation", Area: "access-security-logging", Status: yhteistestaus.StatusToBeAttested,
			},
			{
				ID: "REQ-SRV-094", Title: "Register access rights are co-tested with at least two connected systems",
				Section: "3.2.1", Lines: "L2273-L2275", Level: "SHALL", Applicability: "mandatory",
				Verification: "manual", Area: "general", Status: yhteistestaus.StatusManual,
			},
		},
		RootCauses: []yhteistestaus.RootCause{{
			ID: cause, Rule: guardianFinding.Rule, Title: "A minor client's document says whether it may be shown to the guardian.",
			Step: "Then the archive accepts the message", Message: guardianFinding.Message, Source: guardianFinding.Source,
			Location: guardianFinding.Location, Excerpt: excerpt, MessageSeq: 7,
			Scenarios:    []string{"A decision about a minor says whether the guardian may see it"},
			Requirements: []string{"REQ-MK-014"},
		}},
		Summary: map[yhteistestaus.Status]int{
			yhteistestaus.StatusPassed:          3,
			yhteistestaus.StatusFailed:          1,
			yhteistestaus.StatusNotSupported:    1,
			yhteistestaus.StatusNotTested:       1,
			yhteistestaus.StatusNotYetAutomated: 1,
			yhteistestaus.StatusAttested:        1,
			yhteistestaus.StatusToBeAttested:    1,
			yhteistestaus.StatusManual:          1,
		},
	}
}
