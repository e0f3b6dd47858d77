package simulator

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/simulator/archive"
)

// Store keeps a simulator's sessions: each one's name, owner and clock,
// its message log and its archive. NewMemStore keeps them in memory;
// simulator/sqlstore keeps them in a database, so that they survive a
// restart. Implementations must be safe for concurrent use.
type Store interface {
	// Sessions returns every session the store holds, by name.
	Sessions(ctx context.Context) ([]SessionInfo, error)
	// CreateSession adds an empty session; a session of the name already
	// there is an error.
	CreateSession(ctx context.Context, info SessionInfo) error
	// UpdateSession keeps the session's clock offset and last use.
	UpdateSession(ctx context.Context, info SessionInfo) error
	// DeleteSession removes the session with its log and archive; an
	// unknown session is not an error.
	DeleteSession(ctx context.Context, name string) error
	// Archive returns the archive of the session.
	Archive(name string) archive.Store
	// Log returns the message log of the session.
	Log(name string) Log
}

// SessionInfo is what a Store keeps of a session besides its log and
// archive.
type SessionInfo struct {
	// Name names the session; Owner who created it (Session.Owner).
	Name, Owner string
	// Created and LastUsed are real times: when the session was created
	// and when it last received a message or was reset or had its clock
	// set.
	Created, LastUsed time.Time
	// ClockOffset is the session clock's distance from real time.
	ClockOffset time.Duration
	// LastSeq is the last sequence number the session gave an exchange.
	LastSeq int
}

// Log is a session's message log.
type Log interface {
	// Append logs the exchange as the newest, keeps the newest keep
	// exchanges, and records ex.Seq as the session's last sequence number
	// and lastUsed as its last use, all at once.
	Append(ctx context.Context, ex *api.Exchange, keep int, lastUsed time.Time) error
	// Exchanges returns the logged exchanges, oldest first, without their
	// parts (Frame and Document).
	Exchanges(ctx context.Context) ([]*api.Exchange, error)
	// Exchange returns the exchange with the sequence number, with its
	// parts, or ErrNoExchange.
	Exchange(ctx context.Context, seq int) (*api.Exchange, error)
	// Acknowledge keeps ack, the acknowledgement sent for the exchange
	// seq, with it (api.Exchange.Ack). An exchange the log no longer keeps
	// is left alone.
	Acknowledge(ctx context.Context, seq int, ack []byte) error
	// Reset empties the log; the last sequence number stays.
	Reset(ctx context.Context) error
}

// ErrNoExchange is returned by Log.Exchange for a sequence number the log
// does not keep.
var ErrNoExchange = errors.New("no such exchange")

// memStore is the in-memory Store.
type memStore struct {
	mu       sync.Mutex
	sessions map[string]*memSession
}

type memSession struct {
	info    SessionInfo
	archive *archive.MemStore
	log     *memLog
}

// NewMemStore returns an empty in-memory Store: what a simulator keeps
// when New is given no WithStore.
func NewMemStore() Store { return &memStore{sessions: make(map[string]*memSession)} }

func (m *memStore) Sessions(ctx context.Context) ([]SessionInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]SessionInfo, 0, len(m.sessions))
	for _, s := range m.sessions {
		info := s.info
		s.log.mu.Lock()
		info.LastSeq, info.LastUsed = s.log.lastSeq, s.log.lastUsed
		s.log.mu.Unlock()
		if info.LastUsed.IsZero() || s.info.LastUsed.After(info.LastUsed) {
			info.LastUsed = s.info.LastUsed
		}
		out = append(out, info)
	}
	slices.SortFunc(out, func(a, b SessionInfo) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func (m *memStore) CreateSession(ctx context.Context, info SessionInfo) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.sessions[info.Name]; ok {
		return fmt.Errorf("session %s exists", info.Name)
	}
	m.sessions[info.Name] = &memSession{info: info, archive: archive.NewMemStore(), log: &memLog{lastSeq: info.LastSeq}}
	return nil
}

func (m *memStore) UpdateSession(ctx context.Context, info SessionInfo) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[info.Name]
	if !ok {
		return fmt.Errorf("session %s: %w", info.Name, ErrNoSession)
	}
	s.info.ClockOffset, s.info.LastUsed = info.ClockOffset, info.LastUsed
	return nil
}

func (m *memStore) DeleteSession(ctx context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, name)
	return nil
}

func (m *memStore) session(name string) *memSession {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[name]
	if !ok {
		// A store used without CreateSession: the simulator always
		// creates first, so this serves tests of the parts.
		s = &memSession{info: SessionInfo{Name: name}, archive: archive.NewMemStore(), log: &memLog{}}
		m.sessions[name] = s
	}
	return s
}

func (m *memStore) Archive(name string) archive.Store { return m.session(name).archive }

func (m *memStore) Log(name string) Log { return m.session(name).log }

// memLog is the in-memory Log: the exchanges with their parts.
type memLog struct {
	mu       sync.Mutex
	log      []*api.Exchange // oldest first
	lastSeq  int
	lastUsed time.Time
}

func (l *memLog) Append(ctx context.Context, ex *api.Exchange, keep int, lastUsed time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.log = append(l.log, ex)
	if over := len(l.log) - keep; keep > 0 && over > 0 {
		n := copy(l.log, l.log[over:])
		clear(l.log[n:])
		l.log = l.log[:n]
	}
	l.lastSeq, l.lastUsed = ex.Seq, lastUsed
	return nil
}

func (l *memLog) Exchanges(ctx context.Context) ([]*api.Exchange, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.log), nil
}

func (l *memLog) Exchange(ctx context.Context, seq int) (*api.Exchange, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	i, ok := slices.BinarySearchFunc(l.log, seq, func(ex *api.Exchange, seq int) int { return ex.Seq - seq })
	if !ok {
		return nil, ErrNoExchange
	}
	return l.log[i], nil
}

// Acknowledge replaces the log's entry by a copy carrying the
// acknowledgement, so that a reader holding the exchange Receive returned
// never sees it change.
func (l *memLog) Acknowledge(ctx context.Context, seq int, ack []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	i, ok := slices.BinarySearchFunc(l.log, seq, func(ex *api.Exchange, seq int) int { return ex.Seq - seq })
	if !ok {
		return nil
	}
	c := *l.log[i]
	c.Ack = ack
	l.log[i] = &c
	return nil
}

func (l *memLog) Reset(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.log = nil
	return nil
}
