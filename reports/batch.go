package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/yhteistestaus/yhteistestaus"
)

// Batch is the outcome of validating captured messages one by one, as
// `yhteistestaus validate DIR…` does, for its JUnit and JSON summaries.
type Batch struct {
	// Started and Duration time the whole batch.
	Started  time.Time
	Duration time.Duration
	// Messages are the messages validated, in the order they were found.
	Messages []BatchMessage
}

// BatchMessage is one message of a Batch: one file, or a frame and
// document pair.
type BatchMessage struct {
	// Name is what was validated: the file, or "FRAME + DOCUMENT".
	Name string
	// Files are the message's files: one, or the frame and the document.
	Files []string
	// Unreadable says why the files could not be read; empty when they
	// were, and then Findings are the validator's.
	Unreadable string
	Findings   yhteistestaus.Findings
	Duration   time.Duration
}

// The statuses of a BatchMessage.
const (
	BatchValid      = "valid"
	BatchInvalid    = "invalid"
	BatchUnreadable = "unreadable"
)

// Status is BatchValid, BatchInvalid (a finding has severity error) or
// BatchUnreadable.
func (m BatchMessage) Status() string {
	switch {
	case m.Unreadable != "":
		return BatchUnreadable
	case m.Findings.HasErrors():
		return BatchInvalid
	}
	return BatchValid
}

// Counts returns how many of the batch's messages are valid, have errors
// and could not be read.
func (b *Batch) Counts() (valid, invalid, unreadable int) {
	for _, m := range b.Messages {
		switch m.Status() {
		case BatchValid:
			valid++
		case BatchInvalid:
			invalid++
		default:
			unreadable++
		}
	}
	return valid, invalid, unreadable
}

// Summary is the batch in one line: "1000 messages: 990 valid, 8 with
// errors, 2 unreadable".
func (b *Batch) Summary() string {
	valid, invalid, unreadable := b.Counts()
	return fmt.Sprintf("%d messages: %d valid, %d with errors, %d unreadable", len(b.Messages), valid, invalid, unreadable)
}

// batchJSON is the JSON summary of a batch.
type batchJSON struct {
	Messages   int                `json:"messages"`
	Valid      int                `json:"valid"`
	WithErrors int                `json:"withErrors"`
	Unreadable int                `json:"unreadable"`
	Started    time.Time          `json:"started"`
	DurationMs int64              `json:"durationMs"`
	Results    []batchJSONMessage `json:"results"`
}

type batchJSONMessage struct {
	Name       string                 `json:"name"`
	Files      []string               `json:"files"`
	Status     string                 `json:"status"`
	Unreadable string                 `json:"unreadable,omitempty"`
	Findings   yhteistestaus.Findings `json:"findings"`
}

// WriteBatchJSON writes the batch as indented JSON: the counts, then every
// message with its status and findings.
func WriteBatchJSON(w io.Writer, b *Batch) error {
	valid, invalid, unreadable := b.Counts()
	out := batchJSON{Messages: len(b.Messages), Valid: valid, WithErrors: invalid, Unreadable: unreadable,
		Started: b.Started, DurationMs: b.Duration.Milliseconds(), Results: make([]batchJSONMessage, 0, len(b.Messages))}
	for _, m := range b.Messages {
		fs := m.Findings
		if fs == nil {
			fs = yhteistestaus.Findings{}
		}
		out.Results = append(out.Results, batchJSONMessage{Name: m.Name, Files: m.Files, Status: m.Status(), Unreadable: m.Unreadable, Findings: fs})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("batch json: %w", err)
	}
	return nil
}

// WriteBatchJUnit writes the batch as JUnit XML, in the shape of
// junit.xml (testdata/junit.xsd): one testsuite "validate", one testcase
// per message (classname "validate", name the message). A message with an
// error finding is a failure whose message names the rules and whose text
// lists every finding with its source; a message that could not be read is
// an error.
func WriteBatchJUnit(w io.Writer, b *Batch) error {
	suite := junitSuite{Name: "validate", Time: seconds(b.Duration)}
	if !b.Started.IsZero() {
		suite.Timestamp = b.Started.UTC().Format("2006-01-02T15:04:05")
	}
	for _, m := range b.Messages {
		c := junitCase{ClassName: "validate", Name: m.Name, Time: seconds(m.Duration)}
		switch m.Status() {
		case BatchUnreadable:
			c.Error = &junitProblem{Message: "unreadable: " + m.Unreadable, Type: BatchUnreadable, Text: xmlText(m.Unreadable)}
			suite.Errors++
		case BatchInvalid:
			errs := m.Findings.Errors()
			var text strings.Builder
			for _, f := range m.Findings {
				fmt.Fprintf(&text, "%s\n    source: %s\n", f, f.Source)
			}
			c.Failure = &junitProblem{
				Message: fmt.Sprintf("%d error(s): %s", len(errs), strings.Join(errs.Rules(), ", ")),
				Type:    errs[0].Rule,
				Text:    xmlText(text.String()),
			}
			suite.Failures++
		}
		suite.Tests++
		suite.Cases = append(suite.Cases, c)
	}
	doc := junitSuites{Name: "yhteistestaus validate", Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors,
		Time: seconds(b.Duration), Suites: []junitSuite{suite}}
	if err := encodeJUnit(w, doc); err != nil {
		return fmt.Errorf("batch junit: %w", err)
	}
	return nil
}
