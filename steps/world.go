// Package steps holds the Gherkin step definitions of the conformance
// suite, in three layers:
//
//   - drive: make the vendor system do what its users would (register a
//     client, open a client relation or a case, store, replace or annul a
//     document), through the driver protocol (package sut);
//   - message: check the messages the archive received for the action and
//     the archive's findings on them;
//   - archive: check what the archive holds afterwards.
//
// Steps never trust the vendor system's word alone: every drive step looks
// up the messages the system says it sent in the mock archive, and every
// check asks the archive (package simulator/control).
//
// A scenario author writes scenarios with the phrases of Definitions
// (`yhteistestaus steps` lists them) without writing Go.
package steps

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
	"sync"
	"time"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/hetu"
	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/control"
	"github.com/yhteistestaus/yhteistestaus/sut"
)

// ErrUnsupported marks a step the vendor system answered "unsupported";
// the report shows the scenario as not supported, not as failed.
var ErrUnsupported = errors.New("not supported by the system under test")

// StepError is a failed step with the archive's findings behind it.
type StepError struct {
	Msg      string
	Findings yhteistestaus.Findings
	// Excerpt is the offending part of the message, when known.
	Excerpt string
}

func (e *StepError) Error() string {
	if len(e.Findings) == 0 {
		return e.Msg
	}
	var b strings.Builder
	b.WriteString(e.Msg)
	for _, f := range e.Findings {
		fmt.Fprintf(&b, "\n  %s", f)
	}
	return b.String()
}

// Suite is what every scenario of a run shares: the vendor system, the
// archive and the supply of test identities.
type Suite struct {
	// Driver drives the vendor system.
	Driver sut.Driver
	// Archive is the archive session the run uses.
	Archive *control.Client
	// Timeout bounds one action of the vendor system.
	Timeout time.Duration
	// Now is the time test clients' ages are computed at; nil means time.Now.
	Now func() time.Time

	mu       sync.Mutex
	started  bool
	next     int
	scenario int
	requests int
}

// identity returns a fresh 900-series test identity code for a client born
// on birth.
func (s *Suite) identity(birth time.Time) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		// Start each run at its own place, so that runs against one
		// long-lived system do not reuse identities.
		s.started = true
		s.next = int(crc32.ChecksumIEEE([]byte(s.Archive.Session)) % 20000)
	}
	var err error
	for range 40000 {
		n := s.next % 40000
		s.next++
		day := birth.AddDate(0, 0, n/100)
		var code string
		if code, err = hetu.TestCode(day, 900+n%100); err == nil {
			return code, nil
		}
	}
	return "", fmt.Errorf("no test identity for a client born %s: %w", birth.Format(time.DateOnly), err)
}

func (s *Suite) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Suite) newScenario() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scenario++
	return s.scenario
}

func (s *Suite) requestID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	return fmt.Sprintf("r%d", s.requests)
}

// World is one scenario's state: the names the scenario uses for clients,
// cases and documents, and the outcome of the last action.
type World struct {
	suite  *Suite
	prefix string

	clients map[string]*client
	cases   map[string]*caseInfo
	docs    map[string]*sut.DocumentRef

	// last is the outcome of the last drive step.
	last *outcome
}

type client struct {
	ref       string
	hetu      string
	temporary bool
	birth     time.Time
}

type caseInfo struct {
	ref     string
	id      string
	clients []string
}

// outcome is what one drive step did.
type outcome struct {
	action   sut.Action
	answer   *sut.Answer
	messages []*simulator.Exchange
}

// NewWorld returns the state of a new scenario.
func (s *Suite) NewWorld() *World {
	n := s.newScenario()
	return &World{
		suite:   s,
		prefix:  fmt.Sprintf("%s-s%d-", s.Archive.Session, n),
		clients: make(map[string]*client),
		cases:   make(map[string]*caseInfo),
		docs:    make(map[string]*sut.DocumentRef),
	}
}

// ref turns a scenario's name into the run-wide name sent to the system.
func (w *World) ref(name string) string { return w.prefix + name }

func (w *World) client(name string) (*client, error) {
	c, ok := w.clients[name]
	if !ok {
		return nil, fmt.Errorf("no test client %q in this scenario (add a step such as: Given a test client %q)", name, name)
	}
	return c, nil
}

func (w *World) caseOf(name string) (*caseInfo, error) {
	c, ok := w.cases[name]
	if !ok {
		return nil, fmt.Errorf("no case %q in this scenario (open it first)", name)
	}
	return c, nil
}

func (w *World) doc(name string) (*sut.DocumentRef, error) {
	d, ok := w.docs[name]
	if !ok {
		return nil, fmt.Errorf("no document %q archived in this scenario", name)
	}
	return d, nil
}

// act sends an action to the vendor system and collects the messages the
// archive received for it. It returns ErrUnsupported when the system does
// not support the action.
func (w *World) act(ctx context.Context, action sut.Action, params any) (*outcome, error) {
	s := w.suite
	timeout := s.Timeout
	if timeout == 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	before, err := s.Archive.Messages(ctx, control.MessageFilter{})
	if err != nil {
		return nil, fmt.Errorf("read the archive's messages: %w", err)
	}
	since := 0
	if len(before) > 0 {
		since = before[len(before)-1].Seq
	}
	req, err := sut.NewRequest(s.requestID(), action, s.Archive.SOAPURL(), params)
	if err != nil {
		return nil, err
	}
	ans, err := s.Driver.Do(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("%s: the system under test: %w", action, err)
	}
	if err := sut.CheckAnswer(req, ans); err != nil {
		return nil, fmt.Errorf("%s: %w", action, err)
	}
	out := &outcome{action: action, answer: ans}
	w.last = out
	if ans.Status == sut.StatusUnsupported {
		return out, fmt.Errorf("%w: %s: %s", ErrUnsupported, action, ans.Message)
	}
	msgs, err := s.Archive.Messages(ctx, control.MessageFilter{Since: since})
	if err != nil {
		return out, fmt.Errorf("read the archive's messages: %w", err)
	}
	out.messages = msgs
	return out, nil
}

// check fails unless the action succeeded and the archive accepted every
// message the system says it sent, and those messages exist.
func (o *outcome) check() error {
	var findings yhteistestaus.Findings
	rejected := 0
	for _, m := range o.messages {
		if m.AckType != simulator.AckAccepted {
			rejected++
			findings = append(findings, m.Findings.Errors()...)
		}
	}
	if o.answer.Status == sut.StatusFailed || rejected > 0 {
		return &StepError{
			Msg:      fmt.Sprintf("%s: the system answered %q (%s) and the archive rejected %d of %d message(s)", o.action, o.answer.Status, o.answer.Message, rejected, len(o.messages)),
			Findings: findings,
		}
	}
	for _, id := range o.answer.Result.MessageIDs {
		if !o.hasMessage(id) {
			return fmt.Errorf("%s: the system says it sent message %s, but the archive never received it", o.action, id)
		}
	}
	return nil
}

func (o *outcome) hasMessage(id string) bool {
	for _, m := range o.messages {
		if m.MessageID == id || m.MessageIDExtension == id {
			return true
		}
	}
	return false
}

// accepted returns the messages the archive accepted.
func (o *outcome) accepted() []*simulator.Exchange {
	var out []*simulator.Exchange
	for _, m := range o.messages {
		if m.AckType == simulator.AckAccepted {
			out = append(out, m)
		}
	}
	return out
}

// quoted extracts the "quoted" names of a phrase such as `"A" and "B"`.
func quoted(s string) []string {
	var out []string
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(s[i+1:], '"')
		if j < 0 {
			return out
		}
		out = append(out, s[i+1:i+1+j])
		s = s[i+2+j:]
	}
}
