package yhteistestaus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/yhteistestaus/yhteistestaus/organisation"
)

// Status is the outcome of a scenario, a step or a requirement in a
// conformance run.
type Status string

// The statuses a conformance report shows.
const (
	// StatusPassed: verified and conforming.
	StatusPassed Status = "passed"
	// StatusFailed: verified and not conforming.
	StatusFailed Status = "failed"
	// StatusNotSupported: the vendor system answered that it does not
	// support an action the scenario needs.
	StatusNotSupported Status = "not-supported"
	// StatusNotTested: an automatic requirement no scenario of the run
	// exercised (filtered out by tags, or not applicable).
	StatusNotTested Status = "not-tested"
	// StatusNotYetAutomated: an automatic requirement the simulator cannot
	// exercise yet (searching other registers, the citizen view, consent).
	StatusNotYetAutomated Status = "not-yet-automated"
	// StatusToBeAttested: a requirement verified by the vendor's
	// attestation, with no attestation given yet.
	StatusToBeAttested Status = "to-be-attested"
	// StatusAttested: the vendor attested the requirement with evidence.
	StatusAttested Status = "attested"
	// StatusManual: a requirement a coordinator verifies by hand.
	StatusManual Status = "manual"
	// StatusSkipped: a step after a failing or unsupported step.
	StatusSkipped Status = "skipped"
	// StatusUndefined: a step whose phrase no step definition matches.
	StatusUndefined Status = "undefined"
)

// RequirementStatuses are the statuses a requirement can have, in the order
// reports and the console list them.
func RequirementStatuses() []Status {
	return []Status{
		StatusPassed, StatusFailed, StatusNotSupported, StatusNotTested,
		StatusNotYetAutomated, StatusToBeAttested, StatusAttested, StatusManual,
	}
}

// Run is the result of one conformance run of a vendor system against a
// profile: the input of every report writer.
type Run struct {
	// Profile is the information-system profile id, e.g. "vaihe2-kasittely".
	Profile      string            `json:"profile"`
	ProfileName  string            `json:"profileName"`
	ProfileNames map[string]string `json:"profileNames,omitempty"`
	// SUT describes the vendor system as it described itself.
	SUT SUTInfo `json:"sut"`
	// Archive is the simulator URL the run used.
	Archive string `json:"archive"`
	// Tags is the tag filter of the run, if any.
	Tags string `json:"tags,omitempty"`
	// Started and Duration time the run; JSON gives the duration in
	// milliseconds as "durationMs".
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"-"`
	// Verdict is StatusPassed when every mandatory requirement of the
	// profile passed (or was attested), StatusFailed otherwise.
	Verdict Status `json:"verdict"`
	// Scenarios are the scenarios run, in order.
	Scenarios []ScenarioResult `json:"scenarios"`
	// Requirements are the profile's requirements with their outcome.
	Requirements []RequirementResult `json:"requirements"`
	// Summary counts requirements by status.
	Summary map[Status]int `json:"summary"`
	// Partial is true when a tag filter selected part of the profile's
	// scenarios: the verdict then covers only the requirements the
	// selected scenarios verify.
	Partial bool `json:"partial,omitempty"`
	// RootCauses group the run's failures: one entry per defect (an
	// archive rule that fired, or a harness check, in the step it surfaced
	// in), with the scenarios it failed and the requirements it blocks.
	RootCauses []RootCause `json:"rootCauses,omitempty"`
	// NotTested is set, with the cause in one line, when the harness could
	// not test the system at all (adapter unreachable, hook missing,
	// operator silent with nothing received). The verdict is then
	// StatusNotTested and no requirement counts as failed.
	NotTested string `json:"notTested,omitempty"`
	// Messages are the messages the run's failures cite, as written
	// beside the reports (package reports, WriteMessages), by sequence
	// number.
	Messages []SavedMessage `json:"messages,omitempty"`
	// ArchiveKept is true when the archive outlives the run (an external
	// archive, --archive URL), so that its control API still gives the
	// messages after the run.
	ArchiveKept bool `json:"archiveKept,omitempty"`
	// Notes are information about the run as a whole that is no failure,
	// each one line, e.g. the organisation OIDs that are neither in the
	// bundled organisation register nor declared.
	Notes []string `json:"notes,omitempty"`
}

// RootCause is one defect of the system under test as a run saw it: an
// archive rule that fired, or a check of the harness itself, in the step it
// surfaced in. Reports list failures by root cause, so that one defect reads
// as one cause with the requirements it blocks, not as one card per
// requirement repeating the same error.
type RootCause struct {
	// ID names the cause within the run, stable across report formats:
	// for an archive rule its id (one defect, whichever step it surfaced
	// in), e.g. "HDR-SERVICE-TASK"; for a harness check the check id and
	// the step phrase with its quoted names elided, e.g.
	// `HARNESS-ACTION|the system has opened a case "…" for "…"`.
	ID string `json:"id"`
	// Rule is the rule id from the rule catalogue, or the harness check id
	// when Harness is true.
	Rule string `json:"rule"`
	// Harness is true for a check the harness makes itself (nothing was
	// sent, an answer the protocol does not allow), not an archive rule.
	Harness bool `json:"harness,omitempty"`
	// Title is the rule's one-line title from the catalogue.
	Title string `json:"title,omitempty"`
	// Step is the step the cause first surfaced in.
	Step string `json:"step"`
	// Message is a representative error text, Source the handbook section
	// and lines, Location where in the message, Excerpt the offending
	// fragment of the message as received (identity codes masked).
	Message  string `json:"message"`
	Source   string `json:"source,omitempty"`
	Location string `json:"location,omitempty"`
	Excerpt  string `json:"excerpt,omitempty"`
	// MessageSeq is the archive's sequence number of the offending message
	// in the run's session, 0 when none.
	MessageSeq int `json:"messageSeq,omitempty"`
	// Scenarios are the names of the scenarios it failed, in run order.
	Scenarios []string `json:"scenarios"`
	// Requirements are the ids of the requirements it blocks.
	Requirements []string `json:"requirements"`
}

// SUTInfo is what the vendor system said about itself.
type SUTInfo struct {
	Adapter string `json:"adapter"`
	Name    string `json:"name"`
	Vendor  string `json:"vendor,omitempty"`
	Version string `json:"version,omitempty"`
	// Organisations are the organisations and service units the vendor
	// declared for the run (--organisation), for the report's header.
	Organisations []organisation.Organisation `json:"organisations,omitempty"`
}

// ScenarioResult is one scenario of a run.
type ScenarioResult struct {
	Feature     string   `json:"feature"`
	FeatureFile string   `json:"featureFile"`
	Name        string   `json:"name"`
	Line        int      `json:"line"`
	Tags        []string `json:"tags"`
	// Requirements are the requirements the scenario verifies: those
	// tagged @req:ID and those it is about.
	Requirements []string `json:"requirements"`
	// About are the requirements the scenario is about (@about:ID): a
	// failure the harness detects itself, without an archive finding,
	// belongs to them.
	About    []string      `json:"about,omitempty"`
	Status   Status        `json:"status"`
	Duration time.Duration `json:"-"` // "durationMs" in JSON
	Steps    []StepResult  `json:"steps"`
}

// StepResult is one step of a scenario.
type StepResult struct {
	Keyword  string        `json:"keyword"`
	Text     string        `json:"text"`
	Line     int           `json:"line"`
	Status   Status        `json:"status"`
	Duration time.Duration `json:"-"` // "durationMs" in JSON
	// Error says why the step failed or was not supported.
	Error string `json:"error,omitempty"`
	// Findings are the archive's findings the step failed on, with rule
	// ids and handbook sources.
	Findings Findings `json:"findings,omitempty"`
	// Excerpt is the offending part of the message, when known: the
	// fragment at the location of the step's first finding.
	Excerpt string `json:"excerpt,omitempty"`
	// MessageSeq is the archive's sequence number of the message the
	// excerpt comes from, 0 when none.
	MessageSeq int `json:"messageSeq,omitempty"`
	// Citations are the offending fragments of the received messages,
	// one per rule the step's findings name, in the order of the
	// findings.
	Citations []Citation `json:"citations,omitempty"`
	// Check is the id of the harness check (package judge) a step that
	// failed without an archive finding failed on, e.g. "HARNESS-ACTION".
	Check string `json:"check,omitempty"`
	// Silent is the action (a driver protocol action) that sent no
	// message: the step's own for the "no message" check, or an earlier
	// action of the scenario whose missing message the step's findings
	// may follow from.
	Silent string `json:"silent,omitempty"`
}

// Citation (ote) is the part of a received message a finding points at:
// the element at the finding's location with a few lines of context, as
// the archive received it, identity codes masked (package excerpt).
type Citation struct {
	Rule     string `json:"rule"`
	Location string `json:"location"`
	// MessageSeq is the archive's sequence number of the message in the
	// run's session.
	MessageSeq int    `json:"messageSeq"`
	Excerpt    string `json:"excerpt"`
}

// RequirementResult is one requirement of the profile in a run.
type RequirementResult struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Section and Lines cite the handbook.
	Section string `json:"section"`
	Lines   string `json:"lines"`
	// Level is SHALL, SHOULD or MAY; Applicability mandatory, conditional
	// or optional for the profile; Verification automatic, attestation or
	// manual.
	Level         string `json:"level"`
	Applicability string `json:"applicability"`
	Verification  string `json:"verification"`
	Area          string `json:"area"`
	Status        Status `json:"status"`
	// Scenarios are the names of the scenarios tagged with the requirement.
	Scenarios []string `json:"scenarios,omitempty"`
	// Failures explain a failed requirement.
	Failures []Failure `json:"failures,omitempty"`
	// Evidence is the vendor's attestation.
	Evidence string `json:"evidence,omitempty"`
}

// Failure is why a requirement failed: the scenario and step, and the
// archive rule with its handbook section.
type Failure struct {
	Scenario string `json:"scenario"`
	Step     string `json:"step"`
	Error    string `json:"error"`
	Rule     string `json:"rule,omitempty"`
	Source   string `json:"source,omitempty"`
	Location string `json:"location,omitempty"`
	Excerpt  string `json:"excerpt,omitempty"`
	// MessageSeq is the archive's sequence number of the message the
	// excerpt comes from, 0 when none.
	MessageSeq int `json:"messageSeq,omitempty"`
	// Cause is the ID of the RootCause this failure belongs to.
	Cause string `json:"cause,omitempty"`
}

// millis is a duration in whole milliseconds, as results.json gives every
// duration ("durationMs"): a number with its unit in the name.
func millis(d time.Duration) int64 { return d.Milliseconds() }

// marshal encodes v without escaping <, > and &: whoever encodes the run
// decides that (results.json keeps message excerpts readable).
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// withMillis encodes plain, a JSON object, with the duration added as
// "durationMs".
func withMillis(plain any, d time.Duration) ([]byte, error) {
	b, err := marshal(plain)
	if err != nil {
		return nil, err
	}
	if len(b) < 2 || b[len(b)-1] != '}' {
		return nil, fmt.Errorf("encode %T: not a JSON object", plain)
	}
	sep := ","
	if len(b) == 2 {
		sep = ""
	}
	return fmt.Appendf(b[:len(b)-1], `%s"durationMs":%d}`, sep, millis(d)), nil
}

// readMillis decodes b into plain and its "durationMs" into d.
func readMillis(b []byte, plain any, d *time.Duration) error {
	if err := json.Unmarshal(b, plain); err != nil {
		return err
	}
	var v struct {
		DurationMS int64 `json:"durationMs"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*d = time.Duration(v.DurationMS) * time.Millisecond
	return nil
}

// MarshalJSON writes the run with its duration as "durationMs".
func (r Run) MarshalJSON() ([]byte, error) {
	type plain Run
	return withMillis(plain(r), r.Duration)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (r *Run) UnmarshalJSON(b []byte) error {
	type plain Run
	return readMillis(b, (*plain)(r), &r.Duration)
}

// MarshalJSON writes the scenario with its duration as "durationMs".
func (s ScenarioResult) MarshalJSON() ([]byte, error) {
	type plain ScenarioResult
	return withMillis(plain(s), s.Duration)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *ScenarioResult) UnmarshalJSON(b []byte) error {
	type plain ScenarioResult
	return readMillis(b, (*plain)(s), &s.Duration)
}

// MarshalJSON writes the step with its duration as "durationMs".
func (s StepResult) MarshalJSON() ([]byte, error) {
	type plain StepResult
	return withMillis(plain(s), s.Duration)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *StepResult) UnmarshalJSON(b []byte) error {
	type plain StepResult
	return readMillis(b, (*plain)(s), &s.Duration)
}

// SavedMessage is a message of the run's archive session written beside
// the reports, identity codes masked: the files of its frame and its
// document, relative to the report directory, empty for a part it did not
// have.
type SavedMessage struct {
	Seq      int    `json:"seq"`
	Frame    string `json:"frame,omitempty"`
	Document string `json:"document,omitempty"`
}
