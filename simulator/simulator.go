// Package simulator is the mock Kanta social-welfare client data archive
// (Sosiaalihuollon asiakastiedon arkisto): it receives archiving messages,
// validates them with the rule catalogue (simulator/rules), applies the
// archive's state rules (simulator/archive) and keeps a log of every
// exchange, per session.
//
// Sessions isolate vendors and runs: every session has its own archive
// state, message log and simulated clock. Messages are routed to a session
// by name; "default" is used when none is given.
package simulator

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/simulator/archive"
	"github.com/yhteistestaus/yhteistestaus/simulator/rules"
)

// DefaultSession is the session of messages that name none.
const DefaultSession = "default"

// Simulator is the mock archive. Build it with New; it is safe for
// concurrent use.
type Simulator struct {
	validator *rules.Validator
	newStore  func() archive.Store

	mu       sync.Mutex
	sessions map[string]*Session
}

// New returns a simulator with the embedded rules, code lists and schemas
// and an in-memory store per session.
func New() (*Simulator, error) {
	v, err := rules.NewValidator()
	if err != nil {
		return nil, fmt.Errorf("build validator: %w", err)
	}
	return &Simulator{
		validator: v,
		newStore:  func() archive.Store { return archive.NewMemStore() },
		sessions:  make(map[string]*Session),
	}, nil
}

var sessionName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ValidSessionName reports whether name can name a session: 1 to 64
// letters, digits, dots, dashes and underscores.
func ValidSessionName(name string) bool { return sessionName.MatchString(name) }

// Session returns the named session, creating it on first use.
func (s *Simulator) Session(name string) (*Session, error) {
	if name == "" {
		name = DefaultSession
	}
	if !ValidSessionName(name) {
		return nil, fmt.Errorf("invalid session name %q", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ss, ok := s.sessions[name]; ok {
		return ss, nil
	}
	ss := &Session{Name: name, Clock: &Clock{}, validator: s.validator}
	ss.archive = archive.New(s.newStore(), s.validator.Catalogue, ss.Clock.Now)
	s.sessions[name] = ss
	return ss, nil
}

// Sessions returns the names of the sessions, sorted.
func (s *Simulator) Sessions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.sessions))
	for n := range s.sessions {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Validate runs the stateless validation (stages 1 to 8) at the real time,
// without touching any archive: the validation service and the CLI use it.
func (s *Simulator) Validate(ctx context.Context, frame, document []byte) *rules.Result {
	return s.validator.Validate(ctx, frame, document)
}

// Validator returns the simulator's validator.
func (s *Simulator) Validator() *rules.Validator { return s.validator }

// Session is one isolated archive with its message log and clock.
type Session struct {
	Name  string
	Clock *Clock

	validator *rules.Validator
	archive   *archive.Archive

	mu  sync.Mutex
	log []*Exchange
}

// Archive returns the session's archive.
func (ss *Session) Archive() *archive.Archive { return ss.archive }

// Exchange is one received message and the archive's answer.
type Exchange struct {
	// Seq numbers the session's exchanges from 1.
	Seq int `json:"seq"`
	// ReceivedAt is the session's simulated time of receipt.
	ReceivedAt time.Time `json:"receivedAt"`
	// Transport says how the message came: "soap-1.1", "soap-1.2",
	// "validate", with the packaging of the document.
	Transport string `json:"transport"`
	// MessageID is the frame's id (root^extension).
	MessageID string `json:"messageId"`
	// MessageIDRoot and MessageIDExtension are its parts.
	MessageIDRoot      string `json:"messageIdRoot,omitempty"`
	MessageIDExtension string `json:"messageIdExtension,omitempty"`
	// Sender is the sender device OID.
	Sender string `json:"sender"`
	// ServiceRequest and Usage are the control act's reason codes.
	ServiceRequest string `json:"serviceRequest,omitempty"`
	Usage          string `json:"usage,omitempty"`
	// DocumentID, SetID, Version and Group identify the document.
	DocumentID string   `json:"documentId,omitempty"`
	SetID      string   `json:"setId,omitempty"`
	Version    string   `json:"version,omitempty"`
	Group      string   `json:"group,omitempty"`
	Kind       string   `json:"kind,omitempty"`
	Clients    []string `json:"clients,omitempty"`
	CaseID     string   `json:"caseId,omitempty"`
	// Operation is what the archive read the message as.
	Operation archive.Operation `json:"operation"`
	// Accepted is true when the archive stored the document.
	Accepted bool `json:"accepted"`
	// AckType is the acknowledgement's type code: AA, AE or AR.
	AckType string `json:"ackType"`
	// Findings are every finding: validation and state rules.
	Findings yhteistestaus.Findings `json:"findings"`
	// Frame and Document are the message's parts as received.
	Frame    []byte `json:"-"`
	Document []byte `json:"-"`
}

// Acknowledgement type codes.
const (
	AckAccepted = "AA"
	AckError    = "AE"
	AckRejected = "AR"
)

// Receive validates a message, applies the archive's state rules, stores
// the document when nothing is wrong, logs the exchange and returns it.
// transport describes how the message arrived, for the log.
func (ss *Session) Receive(ctx context.Context, frame, document []byte, transport string) (*Exchange, error) {
	v := *ss.validator
	v.Now = ss.Clock.Now
	res := v.Validate(ctx, frame, document)
	ex := &Exchange{ReceivedAt: ss.Clock.Now(), Transport: transport, Frame: frame, Document: document, Operation: archive.OpNone}
	if f := res.Frame; f != nil {
		ex.MessageID = f.ID.String()
		ex.MessageIDRoot, ex.MessageIDExtension = f.ID.Root, f.ID.Extension
		if len(f.Senders) > 0 {
			ex.Sender = f.Senders[0].Root
		}
	}
	ex.ServiceRequest, ex.Usage = res.ServiceRequest, res.Usage
	if d := res.Document; d != nil {
		ex.DocumentID, ex.SetID, ex.Version = d.ID.Root, d.SetID.Root, d.Version.Value
		for _, id := range res.Clients {
			ex.Clients = append(ex.Clients, id.String())
		}
		if d.Case != nil {
			ex.CaseID = d.Case.ID.Root
		}
	}
	if g := res.Group; g != nil {
		ex.Group, ex.Kind = g.Code, string(g.Kind)
	}
	out, err := ss.archive.Submit(ctx, res, ex.MessageID)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	ex.Operation = out.Operation
	ex.Accepted = out.Accepted
	ex.Findings = append(slices.Clone(res.Findings), out.Findings...)
	switch {
	case out.Accepted:
		ex.AckType = AckAccepted
	case res.Frame == nil || res.Document == nil:
		ex.AckType = AckRejected
	default:
		ex.AckType = AckError
	}
	ss.mu.Lock()
	ex.Seq = len(ss.log) + 1
	ss.log = append(ss.log, ex)
	ss.mu.Unlock()
	return ex, nil
}

// Exchanges returns the session's exchanges, oldest first.
func (ss *Session) Exchanges() []*Exchange {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return slices.Clone(ss.log)
}

// Reset empties the session's archive and log and returns its clock to
// real time.
func (ss *Session) Reset(ctx context.Context) error {
	if err := ss.archive.Store().Reset(ctx); err != nil {
		return fmt.Errorf("reset archive: %w", err)
	}
	ss.mu.Lock()
	ss.log = nil
	ss.mu.Unlock()
	ss.Clock.Reset()
	return nil
}

// Clock is a session's simulated clock: real time, or a set time that then
// runs on. Tests move it instead of sleeping.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
	// real returns the real time; nil means time.Now.
	real func() time.Time
}

func (c *Clock) realNow() time.Time {
	if c.real != nil {
		return c.real()
	}
	return time.Now()
}

// Now returns the simulated time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.realNow().Add(c.offset)
}

// Set makes the simulated time t from now on (it keeps running).
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = t.Sub(c.realNow())
}

// Advance moves the simulated time forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// Reset returns the clock to real time.
func (c *Clock) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = 0
}
