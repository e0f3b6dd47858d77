// Package simulator is the mock Kanta social-welfare client data archive
// (Sosiaalihuollon asiakastiedon arkisto): it receives archiving messages,
// validates them with the rule catalogue (simulator/rules), applies the
// archive's state rules (simulator/archive) and keeps a log of every
// exchange, per session.
//
// Sessions isolate vendors and runs: every session has its own archive
// state, message log and simulated clock. Messages are routed to a session
// by name; "default" is used when none is given.
//
// What a simulator holds is bounded: at most DefaultMaxSessions sessions,
// each logging its newest DefaultMaxExchanges exchanges (see the Options of
// New).
package simulator

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/yhteistestaus/yhteistestaus/hetu"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/organisation"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/simulator/archive"
	"github.com/yhteistestaus/yhteistestaus/simulator/codes"
	"github.com/yhteistestaus/yhteistestaus/simulator/message"
	"github.com/yhteistestaus/yhteistestaus/simulator/rules"
	"github.com/yhteistestaus/yhteistestaus/simulator/sosmeta"
	"github.com/yhteistestaus/yhteistestaus/simulator/wire"
)

// DefaultSession is the session of messages that name none.
const DefaultSession = "default"

// Defaults of the options of New.
const (
	// DefaultMaxSessions is the number of sessions a simulator holds.
	DefaultMaxSessions = 1000
	// DefaultMaxExchanges is the number of exchanges a session's log keeps:
	// the newest ones.
	DefaultMaxExchanges = 10000
)

// Errors of session lookups, to test with errors.Is.
var (
	// ErrNoSession is returned by Lookup for a session that does not exist.
	ErrNoSession = errors.New("no such session")
	// ErrTooManySessions is returned by Session when creating the session
	// would exceed the simulator's maximum.
	ErrTooManySessions = errors.New("too many sessions")
	// ErrInvalidSessionName is returned for a name ValidSessionName refuses.
	ErrInvalidSessionName = errors.New("invalid session name")
	// ErrQuota is returned by SessionFor when creating the session would
	// give its owner more sessions than its Owner.MaxSessions.
	ErrQuota = errors.New("session quota reached")
)

// Simulator is the mock archive. Build it with New; it is safe for
// concurrent use.
type Simulator struct {
	validator *rules.Validator
	store     Store
	opts      options

	mu       sync.Mutex
	sessions map[string]*Session
}

// options are what Options set.
type options struct {
	limits        wire.Limits
	maxSessions   int
	maxExchanges  int
	organisations *organisation.Declaration
	codes         *codes.Set
	structures    *sosmeta.Set
	store         Store
	now           func() time.Time
}

// An Option configures a simulator built by New.
type Option func(*options)

// WithLimits sets the limits a message must keep to (zero fields take
// wire.DefaultLimits): the transport reads within them (simulator/server
// uses Simulator.Limits) and the validator applies the same size and depth
// to each XML part, so that both agree.
func WithLimits(l wire.Limits) Option { return func(o *options) { o.limits = l } }

// WithOrganisations makes the archive know the vendor's declared
// organisations and service units (--organisation): their OIDs are then
// values of SOTE-organisaatiorekisteri besides the bundled ones.
func WithOrganisations(d *organisation.Declaration) Option {
	return func(o *options) { o.organisations = d }
}

// WithCodes makes the archive judge codes by cs, the embedded code lists
// with a coordinator's overlay applied (codes.LoadOverlay, --codes); nil
// keeps the embedded lists.
func WithCodes(cs *codes.Set) Option { return func(o *options) { o.codes = cs } }

// WithMaxSessions sets the number of sessions the simulator holds (default
// DefaultMaxSessions); creating one more fails with ErrTooManySessions.
func WithMaxSessions(n int) Option { return func(o *options) { o.maxSessions = n } }

// WithMaxExchanges sets the number of exchanges each session's log keeps
// (default DefaultMaxExchanges); older ones are dropped.
func WithMaxExchanges(n int) Option { return func(o *options) { o.maxExchanges = n } }

// WithStore keeps the sessions in st (default NewMemStore()): New takes
// up the sessions st holds, with their logs, archives and clocks, so that
// a simulator over a durable store (simulator/sqlstore) goes on where the
// last one stopped.
func WithStore(st Store) Option { return func(o *options) { o.store = st } }

// EnvSosmeta is the environment variable that names THL's Sosmeta export
// (a folder) for a simulator built without WithStructures, as CI sets it.
const EnvSosmeta = "YHTEISTESTAUS_SOSMETA"

// WithStructures sets the document structures the validator's body stage
// judges structured content by, normally THL's Sosmeta export
// (sosmeta.Open); nil, the default, takes the folder EnvSosmeta names, or
// the embedded fallback schemas when it is unset.
func WithStructures(s *sosmeta.Set) Option { return func(o *options) { o.structures = s } }

// New returns a simulator with the embedded rules, code lists and schemas
// and an in-memory store per session.
func New(opts ...Option) (*Simulator, error) {
	o := options{maxSessions: DefaultMaxSessions, maxExchanges: DefaultMaxExchanges}
	for _, opt := range opts {
		opt(&o)
	}
	o.limits = o.limits.WithDefaults()
	if o.maxSessions <= 0 {
		o.maxSessions = DefaultMaxSessions
	}
	if o.maxExchanges <= 0 {
		o.maxExchanges = DefaultMaxExchanges
	}
	v, err := rules.NewValidator()
	if err != nil {
		return nil, fmt.Errorf("build validator: %w", err)
	}
	v.Limits = o.limits
	v.Organisations = o.organisations
	if o.structures == nil {
		if dir := os.Getenv(EnvSosmeta); dir != "" {
			if o.structures, err = sosmeta.Open(dir); err != nil {
				return nil, fmt.Errorf("%s: %w", EnvSosmeta, err)
			}
		}
	}
	if o.structures != nil {
		v.Schemas = o.structures
	}
	if o.codes != nil {
		v.UseCodes(o.codes)
	}
	if o.store == nil {
		o.store = NewMemStore()
	}
	if o.now == nil {
		o.now = time.Now
	}
	s := &Simulator{validator: v, store: o.store, opts: o, sessions: make(map[string]*Session)}
	infos, err := o.store.Sessions(context.Background())
	if err != nil {
		return nil, fmt.Errorf("read sessions: %w", err)
	}
	for _, info := range infos {
		s.sessions[info.Name] = s.newSession(info)
	}
	return s, nil
}

// newSession is the session the store keeps as info.
func (s *Simulator) newSession(info SessionInfo) *Session {
	ss := &Session{
		Name: info.Name, Owner: info.Owner, Created: info.Created, Clock: &Clock{offset: info.ClockOffset},
		validator: s.validator, maxExchanges: s.opts.maxExchanges, store: s.store, now: s.opts.now,
		log: s.store.Log(info.Name), lastSeq: info.LastSeq, lastUsed: info.LastUsed,
	}
	ss.archive = archive.New(s.store.Archive(info.Name), s.validator.Catalogue, ss.Clock.Now)
	return ss
}

// Limits returns the limits messages must keep to, with every field set.
func (s *Simulator) Limits() wire.Limits { return s.opts.limits }

var sessionName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ValidSessionName reports whether name can name a session: 1 to 64
// letters, digits, dots, dashes and underscores.
func ValidSessionName(name string) bool { return sessionName.MatchString(name) }

// Session returns the named session ("" is DefaultSession), creating it on
// first use. It fails with ErrInvalidSessionName for a name that
// ValidSessionName refuses and with ErrTooManySessions when the simulator
// already holds its maximum number of sessions.
func (s *Simulator) Session(name string) (*Session, error) {
	return s.session(name, true, Owner{})
}

// Owner is who a session is created for: the name kept with the session
// (Session.Owner) and how many sessions that name may hold at once.
type Owner struct {
	// Name is the owner's name; empty for a session nobody owns.
	Name string
	// MaxSessions bounds the sessions owned by Name; zero means no bound
	// but the simulator's maximum.
	MaxSessions int
}

// SessionFor returns the named session as Session does, creating it owned
// by o when it does not exist; an existing session is returned whoever
// owns it, for the caller to check Session.Owner. Creating it fails with
// ErrQuota when o already owns o.MaxSessions sessions.
func (s *Simulator) SessionFor(name string, o Owner) (*Session, error) {
	return s.session(name, true, o)
}

// Lookup returns the named session ("" is DefaultSession) if it exists; it
// never creates one. It fails with ErrNoSession for a session that does not
// exist and with ErrInvalidSessionName for a name that ValidSessionName
// refuses.
func (s *Simulator) Lookup(name string) (*Session, error) {
	return s.session(name, false, Owner{})
}

func (s *Simulator) session(name string, create bool, owner Owner) (*Session, error) {
	if name == "" {
		name = DefaultSession
	}
	if !ValidSessionName(name) {
		return nil, fmt.Errorf("%w %q", ErrInvalidSessionName, name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ss, ok := s.sessions[name]; ok {
		return ss, nil
	}
	if !create {
		return nil, fmt.Errorf("session %s: %w", name, ErrNoSession)
	}
	if len(s.sessions) >= s.opts.maxSessions {
		return nil, fmt.Errorf("session %s: %w: the simulator holds %d, its maximum", name, ErrTooManySessions, len(s.sessions))
	}
	if owner.MaxSessions > 0 {
		n := 0
		for _, ss := range s.sessions {
			if ss.Owner == owner.Name {
				n++
			}
		}
		if n >= owner.MaxSessions {
			return nil, fmt.Errorf("session %s: %w: %s holds %d sessions, its quota", name, ErrQuota, owner.Name, n)
		}
	}
	now := s.opts.now()
	info := SessionInfo{Name: name, Owner: owner.Name, Created: now, LastUsed: now}
	if err := s.store.CreateSession(context.Background(), info); err != nil {
		return nil, fmt.Errorf("session %s: store: %w", name, err)
	}
	ss := s.newSession(info)
	s.sessions[name] = ss
	return ss, nil
}

// DeleteSession removes the session with its log and archive, from the
// simulator and its store. A message being received meanwhile is either
// logged before the deletion or refused with ErrNoSession. It fails with
// ErrNoSession for a session that does not exist.
func (s *Simulator) DeleteSession(ctx context.Context, name string) error {
	if name == "" {
		name = DefaultSession
	}
	_, err := s.deleteSession(ctx, name, time.Time{})
	return err
}

// deleteSession deletes the session, if it was last used before cutoff
// when cutoff is not zero, and reports whether it did.
func (s *Simulator) deleteSession(ctx context.Context, name string, cutoff time.Time) (bool, error) {
	s.mu.Lock()
	ss, ok := s.sessions[name]
	s.mu.Unlock()
	if !ok {
		return false, fmt.Errorf("session %s: %w", name, ErrNoSession)
	}
	ss.recv.Lock()
	defer ss.recv.Unlock()
	if ss.deleted {
		return false, fmt.Errorf("session %s: %w", name, ErrNoSession)
	}
	if !cutoff.IsZero() && !ss.LastUsed().Before(cutoff) {
		return false, nil
	}
	if err := s.store.DeleteSession(ctx, name); err != nil {
		return false, fmt.Errorf("delete session %s: %w", name, err)
	}
	ss.deleted = true
	s.mu.Lock()
	if s.sessions[name] == ss {
		delete(s.sessions, name)
	}
	s.mu.Unlock()
	return true, nil
}

// ExpireSessions deletes the sessions unused (no message received, no
// reset, no clock set) for longer than idle, and returns their names.
func (s *Simulator) ExpireSessions(ctx context.Context, idle time.Duration) ([]string, error) {
	cutoff := s.opts.now().Add(-idle)
	s.mu.Lock()
	var old []string
	for name, ss := range s.sessions {
		if ss.LastUsed().Before(cutoff) {
			old = append(old, name)
		}
	}
	s.mu.Unlock()
	slices.Sort(old)
	var gone []string
	for _, name := range old {
		done, err := s.deleteSession(ctx, name, cutoff)
		switch {
		case errors.Is(err, ErrNoSession):
			continue
		case err != nil:
			return gone, err
		case done:
			gone = append(gone, name)
		}
	}
	return gone, nil
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
// When ctx ends first, the Result's Cancelled says so.
func (s *Simulator) Validate(ctx context.Context, frame, document []byte) *rules.Result {
	return s.validator.Validate(ctx, frame, document)
}

// Validator returns the simulator's validator.
func (s *Simulator) Validator() *rules.Validator { return s.validator }

// Session is one isolated archive with its message log and clock.
type Session struct {
	Name string
	// Owner names who created the session (SessionFor); empty when
	// nobody owns it. It does not change.
	Owner string
	// Created is the real time the session was created.
	Created time.Time
	Clock   *Clock

	validator    *rules.Validator
	archive      *archive.Archive
	maxExchanges int
	store        Store
	log          Log
	now          func() time.Time

	// recv orders a message's submission and logging against Reset and
	// deletion, so that a reset never leaves the log with an exchange whose
	// document the archive no longer holds, or the reverse.
	recv    sync.Mutex
	deleted bool // under recv: the session is gone from the store

	mu       sync.Mutex
	lastSeq  int       // the last sequence number given; never reset
	lastUsed time.Time // real time
}

// Archive returns the session's archive.
func (ss *Session) Archive() *archive.Archive { return ss.archive }

// LastUsed returns the real time the session last received a message, was
// reset or had its clock set (or was created).
func (ss *Session) LastUsed() time.Time {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.lastUsed
}

// LastSeq returns the sequence number of the session's newest exchange
// (0 before the first); a reset does not lower it.
func (ss *Session) LastSeq() int {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.lastSeq
}

// MaxRejectedPart is how many bytes of each part (frame, document) of a
// message the archive did not store the log keeps; the exchange gives
// each part's whole size and SHA-256. Real messages are far smaller, so
// that the log, the inspector and the reports still show the fragment
// each finding points at; a huge rejected post no longer fills the log.
const MaxRejectedPart = 256 << 10

// Receive validates a message, applies the archive's state rules, stores
// the document when nothing is wrong, logs the exchange and returns it.
// transport describes how the message arrived, for the log. When ctx ends
// before the message is judged, Receive neither stores nor logs it and
// returns ctx.Err(). An accepted document is committed to the store
// before Receive returns.
func (ss *Session) Receive(ctx context.Context, frame, document []byte, transport string) (*api.Exchange, error) {
	return ss.receive(ctx, frame, document, transport, func(v *rules.Validator) *rules.Result {
		return v.Validate(ctx, frame, document)
	})
}

// ReceiveMessage is Receive for a message that wire.Read or wire.ReadFile
// has read: the validator takes its parsed frame and document as they are,
// so nothing is parsed twice. The message's bytes go to the log.
func (ss *Session) ReceiveMessage(ctx context.Context, msg *wire.Message, transport string) (*api.Exchange, error) {
	return ss.receive(ctx, msg.Frame, msg.Document, transport, func(v *rules.Validator) *rules.Result {
		return v.ValidateXML(ctx, msg.FrameXML, msg.DocumentXML, msg.Document)
	})
}

// receive judges a message with validate, run on a validator that reads
// the session's clock, and logs it.
func (ss *Session) receive(ctx context.Context, frame, document []byte, transport string, validate func(*rules.Validator) *rules.Result) (*api.Exchange, error) {
	v := *ss.validator
	v.Now = ss.Clock.Now
	res := validate(&v)
	if res.Cancelled != nil {
		return nil, res.Cancelled
	}
	ex := &api.Exchange{ReceivedAt: ss.Clock.Now(), Transport: transport, Operation: api.OpNone,
		FrameSize: len(frame), FrameSHA256: sha256Hex(frame), DocumentSize: len(document), DocumentSHA256: sha256Hex(document)}
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
			ex.Clients = append(ex.Clients, maskClient(id))
		}
		if d.Case != nil {
			ex.CaseID = d.Case.ID.Root
		}
	}
	if g := res.Group; g != nil {
		ex.Group, ex.Kind = g.Code, string(g.Kind)
	}
	ss.recv.Lock()
	defer ss.recv.Unlock()
	if ss.deleted {
		return nil, fmt.Errorf("session %s: %w", ss.Name, ErrNoSession)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
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
		ex.AckType = kanta.AckAccepted
	case res.Frame == nil || res.Document == nil:
		ex.AckType = kanta.AckRejected
	default:
		ex.AckType = kanta.AckError
	}
	ex.Frame, ex.Document = frame, document
	if !out.Accepted && (len(frame) > MaxRejectedPart || len(document) > MaxRejectedPart) {
		// A rejected message is kept for its findings: its first bytes,
		// with the size and hash of the whole.
		ex.Frame, ex.Document = truncate(frame), truncate(document)
		ex.Truncated = true
	}
	ss.mu.Lock()
	ss.lastSeq++
	ex.Seq = ss.lastSeq
	ss.lastUsed = ss.now()
	used := ss.lastUsed
	ss.mu.Unlock()
	if err := ss.log.Append(ctx, ex, ss.maxExchanges, used); err != nil {
		return nil, fmt.Errorf("log message: %w", err)
	}
	return ex, nil
}

func truncate(b []byte) []byte {
	if len(b) <= MaxRejectedPart {
		return b
	}
	return bytes.Clone(b[:MaxRejectedPart])
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// maskClient returns a client identifier as root^extension, with an
// identity code that is not a valid test identity masked.
func maskClient(id message.II) string {
	if id.Root == kanta.OIDHetu {
		id.Extension = hetu.Mask(id.Extension)
	}
	return id.String()
}

// Exchanges returns the exchanges the session's log keeps (the newest
// ones), oldest first. Their parts (Frame and Document) may be left out:
// Exchange gives them.
func (ss *Session) Exchanges(ctx context.Context) ([]*api.Exchange, error) {
	exs, err := ss.log.Exchanges(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the log of session %s: %w", ss.Name, err)
	}
	return exs, nil
}

// ExchangesWithParts is Exchanges with each exchange's parts (Frame,
// Document, Ack); an exchange the log drops meanwhile is left out.
func (ss *Session) ExchangesWithParts(ctx context.Context) ([]*api.Exchange, error) {
	exs, err := ss.Exchanges(ctx)
	if err != nil {
		return nil, err
	}
	out := exs[:0]
	for _, ex := range exs {
		full, err := ss.log.Exchange(ctx, ex.Seq)
		switch {
		case errors.Is(err, ErrNoExchange):
			continue
		case err != nil:
			return nil, fmt.Errorf("read the log of session %s: %w", ss.Name, err)
		}
		out = append(out, full)
	}
	return out, nil
}

// Exchange returns the exchange with the sequence number seq, with its
// parts; it fails with ErrNoExchange when the log does not keep it.
func (ss *Session) Exchange(ctx context.Context, seq int) (*api.Exchange, error) {
	ex, err := ss.log.Exchange(ctx, seq)
	if err != nil {
		return nil, fmt.Errorf("session %s message %d: %w", ss.Name, seq, err)
	}
	return ex, nil
}

// Acknowledged keeps ack, the acknowledgement the server sent for the
// exchange seq, with the exchange (api.Exchange.Ack). The log's entry is
// replaced by a copy carrying it, so that a reader holding the exchange
// Receive returned never sees it change. An exchange the log no longer
// keeps is left alone.
func (ss *Session) Acknowledged(ctx context.Context, seq int, ack []byte) error {
	if err := ss.log.Acknowledge(ctx, seq, ack); err != nil {
		return fmt.Errorf("session %s message %d: keep the acknowledgement: %w", ss.Name, seq, err)
	}
	return nil
}

// Reset empties the session's archive and log and returns its clock to
// real time. A message being received meanwhile is either judged and
// logged before the reset or after it, never half. Sequence numbers go on
// from where they were.
func (ss *Session) Reset(ctx context.Context) error {
	ss.recv.Lock()
	defer ss.recv.Unlock()
	if err := ss.archive.Reset(ctx); err != nil {
		return fmt.Errorf("reset archive: %w", err)
	}
	if err := ss.log.Reset(ctx); err != nil {
		return fmt.Errorf("reset log: %w", err)
	}
	ss.Clock.Reset()
	return ss.saveClock(ctx)
}

// SetClock makes the session's simulated time t from now on, and keeps it.
func (ss *Session) SetClock(ctx context.Context, t time.Time) error {
	ss.Clock.Set(t)
	return ss.saveClock(ctx)
}

// AdvanceClock moves the session's simulated time forward by d, and keeps
// it.
func (ss *Session) AdvanceClock(ctx context.Context, d time.Duration) error {
	ss.Clock.Advance(d)
	return ss.saveClock(ctx)
}

// saveClock keeps the clock's offset and the session's use in the store.
func (ss *Session) saveClock(ctx context.Context) error {
	ss.mu.Lock()
	ss.lastUsed = ss.now()
	info := SessionInfo{Name: ss.Name, Owner: ss.Owner, Created: ss.Created, LastUsed: ss.lastUsed, LastSeq: ss.lastSeq}
	ss.mu.Unlock()
	info.ClockOffset = ss.Clock.Offset()
	if err := ss.store.UpdateSession(ctx, info); err != nil {
		return fmt.Errorf("keep the clock of session %s: %w", ss.Name, err)
	}
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

// Offset returns the simulated time's distance from real time.
func (c *Clock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}

// Reset returns the clock to real time.
func (c *Clock) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = 0
}
