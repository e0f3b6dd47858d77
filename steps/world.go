// Package steps holds the Gherkin step definitions of the conformance
// suite, in three layers:
//
//   - drive: make the vendor system do what its users would (register a
//     client, open a client relation or a case, store, replace or annul a
//     document), through the driver protocol (package sut);
//   - message: check the messages the archive received for the action and
//     the archive's findings on them;
//   - archive: check what the archive holds afterwards, and the content of
//     the documents it holds.
//
// Definitions (definitions.go) is the table of phrases; each layer's steps
// are in their own file (drive.go, messages.go, archive.go, content.go),
// and the World that carries one scenario is here.
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
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/hetu"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
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
	// Excerpt is the offending part of the message, when known: the
	// fragment at the first finding's location (see World.cite), from the
	// message with the archive's sequence number MessageSeq.
	Excerpt    string
	MessageSeq int
	// Citations are the fragments, one per rule the findings name.
	Citations []yhteistestaus.Citation
	// Silent is an earlier action of the scenario that the system answered
	// ok to but that sent nothing before this step: the findings may be
	// its consequence (a case stored before a client relation document
	// that never came).
	Silent sut.Action
}

// NoMessageError is the harness's check that an action the system answered
// ok to reached the archive: the archive received no message for it, not
// even a little later.
type NoMessageError struct {
	// Action is the action that sent nothing.
	Action sut.Action
	// Missing, when set, says what the system named that never arrived
	// although the action sent other messages.
	Missing string
}

// Error says which action sent nothing the archive received.
func (e *NoMessageError) Error() string {
	if e.Missing != "" {
		return fmt.Sprintf("%s: %s", e.Action, e.Missing)
	}
	return fmt.Sprintf("%s: the system answered ok, but the archive received no message", e.Action)
}

// Error returns the step's error text with the archive's findings.
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
	// seq is the sequence number of the newest archive message seen.
	seq int
}

// catchUp returns the archive messages after the newest one seen and
// remembers the newest.
func (s *Suite) catchUp(ctx context.Context) ([]*api.Exchange, error) {
	s.mu.Lock()
	since := s.seq
	s.mu.Unlock()
	msgs, err := s.Archive.Messages(ctx, control.MessageFilter{Since: since})
	if err != nil {
		return nil, fmt.Errorf("read the archive's messages: %w", err)
	}
	if n := len(msgs); n > 0 {
		s.mu.Lock()
		if msgs[n-1].Seq > s.seq {
			s.seq = msgs[n-1].Seq
		}
		s.mu.Unlock()
	}
	return msgs, nil
}

// identity returns a fresh 900-series test identity code for a client born
// within the given number of days from birth (1: on that day), and the
// birth date it encodes. Each run starts at a random place, so that runs
// against one long-lived system do not reuse identities.
func (s *Suite) identity(birth time.Time, days int) (string, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		s.started = true
		var b [4]byte
		rand.Read(b[:])
		s.next = int(binary.BigEndian.Uint32(b[:]) % identitySpace)
	}
	var err error
	for range identitySpace {
		n := s.next % identitySpace
		s.next++
		var code string
		if code, err = hetu.TestCode(birth.AddDate(0, 0, (n/100)%days), 900+n%100); err == nil {
			c, err := hetu.Parse(code)
			if err != nil {
				return "", time.Time{}, err
			}
			return code, c.BirthDate, nil
		}
	}
	return "", time.Time{}, fmt.Errorf("no test identity for a client born %s: %w", birth.Format(time.DateOnly), err)
}

// identitySpace is the number of test identities per birth month: 28 days
// of 100 individual numbers (900-999).
const identitySpace = 28 * 100

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
	// silent are the scenario's actions that answered ok but sent
	// nothing yet: their messages may still arrive during a later action
	// (a system that queues them), which the next check sees.
	silent []*outcome
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
	messages []*api.Exchange
	// missing says what the system named for the action that the archive
	// has not received (see check).
	missing string
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
	// Messages that arrived outside any action (a vendor's stray message)
	// are not the action's.
	if _, err := s.catchUp(ctx); err != nil {
		return nil, err
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
	msgs, err := s.catchUp(ctx)
	if err != nil {
		return out, err
	}
	out.messages = msgs
	return out, nil
}

// check fails unless the action succeeded, the archive received messages
// for it and accepted every one, the messages the system names exist, and
// every document version the system says it archived is in the archive.
//
// The archive's own findings come first. An action that sent nothing is
// given a short grace for a message still on its way; if none comes, it is
// not failed at once but remembered as silent: a system that queues the
// message sends it during a later action, and the archive's finding on that
// action (a case stored before its client relation document) is the report
// that leads to the fix. The next check, or the end of the scenario, fails
// with "no message" if it still has not arrived.
func (w *World) check(ctx context.Context, o *outcome) error {
	var findings yhteistestaus.Findings
	rejected := 0
	for _, m := range o.messages {
		if m.AckType != kanta.AckAccepted {
			rejected++
			findings = append(findings, m.Findings.Errors()...)
		}
	}
	if o.answer.Status == sut.StatusFailed || rejected > 0 {
		return w.cite(ctx, &StepError{
			Msg:      fmt.Sprintf("%s: the system answered %q (%s) and the archive rejected %d of %d message(s)", o.action, o.answer.Status, o.answer.Message, rejected, len(o.messages)),
			Findings: findings,
			Silent:   w.FirstSilent(),
		}, o.messages)
	}
	if len(o.messages) == 0 && !o.action.SendsNothing() {
		if err := w.awaitLate(ctx, o); err != nil {
			return err
		}
	}
	if len(o.messages) == 0 && !o.action.SendsNothing() {
		w.silent = append(w.silent, o)
		return nil
	}
	missing, err := w.missing(ctx, o)
	if err != nil {
		return err
	}
	if missing != "" {
		// Part of the action is still to come.
		o.missing = missing
		w.silent = append(w.silent, o)
	} else {
		for _, id := range o.answer.Result.MessageIDs {
			if !o.hasMessage(id) {
				return fmt.Errorf("%s: the system says it sent message %s, but the archive never received it", o.action, id)
			}
		}
	}
	return w.checkSilent(ctx, o)
}

// missing says which document version the system names for the action the
// archive does not hold, or "" when it holds them all.
func (w *World) missing(ctx context.Context, o *outcome) (string, error) {
	for _, d := range o.answer.Result.Documents {
		held, err := w.holds(ctx, d)
		if err != nil {
			return "", err
		}
		if !held {
			return fmt.Sprintf("the system says it archived %s version %d (set %s), but the archive does not hold it", d.DocumentID, d.Version, d.SetID), nil
		}
	}
	return "", nil
}

// holds reports whether the archive holds the document version.
func (w *World) holds(ctx context.Context, d sut.DocumentRef) (bool, error) {
	vs, err := w.suite.Archive.Versions(ctx, d.SetID)
	if err != nil && !errors.Is(err, control.ErrNotFound) {
		return false, fmt.Errorf("read the versions of set %s: %w", d.SetID, err)
	}
	for _, v := range vs {
		if v.Version == d.Version && v.DocumentID == d.DocumentID {
			return true, nil
		}
	}
	return false, nil
}

// lateGrace is how long an action that sent nothing is given for a message
// still on its way.
const lateGrace = 300 * time.Millisecond

// awaitLate polls the archive for messages of an action that arrive after
// the system's answer, for at most lateGrace.
func (w *World) awaitLate(ctx context.Context, o *outcome) error {
	ctx, cancel := context.WithTimeout(ctx, lateGrace)
	defer cancel()
	tick := time.NewTicker(lateGrace / 6)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		msgs, err := w.suite.catchUp(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if len(msgs) > 0 {
			o.messages = append(o.messages, msgs...)
			return nil
		}
	}
}

// checkSilent resolves the scenario's silent actions: one whose documents
// have arrived by now is done (one that named none cannot be told apart
// and counts as done); one still missing fails the check, except the
// current action o, whose own messages are still to be seen.
func (w *World) checkSilent(ctx context.Context, o *outcome) error {
	var still []*outcome
	for _, s := range w.silent {
		if s == o {
			still = append(still, s)
			continue
		}
		for _, d := range s.answer.Result.Documents {
			held, err := w.holds(ctx, d)
			if err != nil {
				return err
			}
			if !held {
				return &NoMessageError{Action: s.action, Missing: s.missing}
			}
		}
	}
	w.silent = still
	return nil
}

// FirstSilent returns the first action of the scenario that the system
// answered ok to but whose messages have not reached the archive, or "".
func (w *World) FirstSilent() sut.Action {
	if len(w.silent) == 0 {
		return ""
	}
	return w.silent[0].action
}

// Finish fails a scenario that ends with an action whose messages never
// reached the archive; the runner calls it after the scenario's last step.
func (w *World) Finish(ctx context.Context) error {
	if len(w.silent) == 0 {
		return nil
	}
	return w.checkSilent(ctx, nil)
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
func (o *outcome) accepted() []*api.Exchange {
	var out []*api.Exchange
	for _, m := range o.messages {
		if m.AckType == kanta.AckAccepted {
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
