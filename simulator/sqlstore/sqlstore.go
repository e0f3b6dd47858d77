// Package sqlstore keeps the simulator's sessions in a SQL database: each
// session's name, owner and clock, its message log with the messages'
// bytes, and its archive with the documents and the indexes the state
// rules ask (simulator.Store, archive.Store). The sessions survive a
// restart of the simulator.
//
// The queries are written once, against database/sql, with "?"
// placeholders; a dialect (SQLite here, with modernc.org/sqlite, pure Go)
// gives the driver, the placeholders and the schema migrations
// (migrations/DIALECT/NNNN_name.sql, applied in order and recorded in the
// table schema_version).
package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/simulator/archive"
)

// dialect is what differs between the databases.
type dialect struct {
	// name names the dialect and its folder of migrations.
	name string
	// numbered is true when placeholders are $1, $2, … instead of ?.
	numbered bool
	// serialWrites is true for a database with one writer at a time
	// (SQLite): the store then orders its write transactions itself
	// instead of having them wait on the database's lock.
	serialWrites bool
}

// DB is a simulator.Store in a SQL database. Build it with Open; it is
// safe for concurrent use.
type DB struct {
	db      *sql.DB
	dialect dialect
	// writes orders the write transactions of a serialWrites dialect.
	writes sync.Mutex
	// queries caches the rebound text of each query, stmts the prepared
	// statement.
	queries, stmts sync.Map
}

var _ simulator.Store = (*DB)(nil)

// Open opens the store a URL names: "sqlite:PATH" for a SQLite file
// (created when missing). It applies the migrations the database lacks.
func Open(ctx context.Context, url string) (*DB, error) {
	scheme, rest, _ := strings.Cut(url, ":")
	switch scheme {
	case "sqlite":
		if rest == "" {
			return nil, fmt.Errorf("store %q: give a file, sqlite:PATH", url)
		}
		return OpenSQLite(ctx, rest)
	}
	return nil, fmt.Errorf("store %q: unknown kind %q (sqlite:PATH)", url, scheme)
}

// open builds the store over an opened database and migrates it.
func open(ctx context.Context, db *sql.DB, d dialect) (*DB, error) {
	s := &DB{db: db, dialect: d}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *DB) Close() error {
	s.stmts.Range(func(_, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
	return s.db.Close()
}

// q returns the query in the dialect's placeholders.
func (s *DB) q(query string) string {
	if !s.dialect.numbered {
		return query
	}
	if v, ok := s.queries.Load(query); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	s.queries.Store(query, b.String())
	return b.String()
}

// stmt returns the query prepared, once for the store.
func (s *DB) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if v, ok := s.stmts.Load(query); ok {
		return v.(*sql.Stmt), nil
	}
	st, err := s.db.PrepareContext(ctx, s.q(query))
	if err != nil {
		return nil, err
	}
	if v, loaded := s.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return v.(*sql.Stmt), nil
	}
	return st, nil
}

func (s *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := s.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (s *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := s.stmt(ctx, query)
	if err != nil {
		// The same query unprepared, for its error.
		return s.db.QueryRowContext(ctx, s.q(query), args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (s *DB) exec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	st, err := s.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
}

func (s *DB) txQueryRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	st, err := s.stmt(ctx, query)
	if err != nil {
		return tx.QueryRowContext(ctx, s.q(query), args...)
	}
	return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
}

// write runs fn in a write transaction and commits it.
func (s *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if s.dialect.serialWrites {
		s.writes.Lock()
		defer s.writes.Unlock()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// migrate applies, in order, the dialect's migrations newer than the
// version the database records.
func (s *DB) migrate(ctx context.Context) error {
	dir := path.Join("migrations", s.dialect.name)
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_version: %w", err)
	}
	var current int
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		n, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return fmt.Errorf("migration %s: name it NNNN_what.sql", e.Name())
		}
		if n <= current {
			continue
		}
		text, err := fs.ReadFile(migrations, path.Join(dir, e.Name()))
		if err != nil {
			return fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		err = s.write(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, string(text)); err != nil {
				return err
			}
			_, err := s.exec(ctx, tx, `INSERT INTO schema_version (version) VALUES (?)`, n)
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", e.Name(), err)
		}
		current = n
	}
	return nil
}

// Sessions implements simulator.Store.
func (s *DB) Sessions(ctx context.Context) ([]simulator.SessionInfo, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, owner, created, last_used, clock_offset, last_seq FROM sessions ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("read sessions: %w", err)
	}
	defer rows.Close()
	var out []simulator.SessionInfo
	for rows.Next() {
		var info simulator.SessionInfo
		var created, used, offset int64
		if err := rows.Scan(&info.Name, &info.Owner, &created, &used, &offset, &info.LastSeq); err != nil {
			return nil, fmt.Errorf("read sessions: %w", err)
		}
		info.Created, info.LastUsed, info.ClockOffset = time.Unix(0, created), time.Unix(0, used), time.Duration(offset)
		out = append(out, info)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read sessions: %w", err)
	}
	return out, nil
}

// CreateSession implements simulator.Store.
func (s *DB) CreateSession(ctx context.Context, info simulator.SessionInfo) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := s.txQueryRow(ctx, tx, `SELECT COUNT(*) FROM sessions WHERE name = ?`, info.Name).Scan(&n); err != nil {
			return fmt.Errorf("look up session %s: %w", info.Name, err)
		}
		if n > 0 {
			return fmt.Errorf("session %s exists", info.Name)
		}
		_, err := s.exec(ctx, tx, `INSERT INTO sessions (name, owner, created, last_used, clock_offset, last_seq) VALUES (?, ?, ?, ?, ?, ?)`,
			info.Name, info.Owner, info.Created.UnixNano(), info.LastUsed.UnixNano(), int64(info.ClockOffset), info.LastSeq)
		if err != nil {
			return fmt.Errorf("create session %s: %w", info.Name, err)
		}
		return nil
	})
}

// UpdateSession implements simulator.Store.
func (s *DB) UpdateSession(ctx context.Context, info simulator.SessionInfo) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := s.exec(ctx, tx, `UPDATE sessions SET clock_offset = ?, last_used = ? WHERE name = ?`,
			int64(info.ClockOffset), info.LastUsed.UnixNano(), info.Name)
		if err != nil {
			return fmt.Errorf("update session %s: %w", info.Name, err)
		}
		return nil
	})
}

// sessionTables are the tables holding a session's rows, besides sessions.
var sessionTables = []string{"records", "sets", "set_clients", "aliases", "exchanges"}

// DeleteSession implements simulator.Store.
func (s *DB) DeleteSession(ctx context.Context, name string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		for _, t := range append([]string{"sessions"}, sessionTables...) {
			col := "session"
			if t == "sessions" {
				col = "name"
			}
			if _, err := s.exec(ctx, tx, `DELETE FROM `+t+` WHERE `+col+` = ?`, name); err != nil {
				return fmt.Errorf("delete session %s: %s: %w", name, t, err)
			}
		}
		return nil
	})
}

// Archive implements simulator.Store.
func (s *DB) Archive(name string) archive.Store { return &archiveStore{s: s, session: name} }

// Log implements simulator.Store.
func (s *DB) Log(name string) simulator.Log { return &logStore{s: s, session: name} }

// logStore is one session's message log.
type logStore struct {
	s       *DB
	session string
}

// Append implements simulator.Log.
func (l *logStore) Append(ctx context.Context, ex *api.Exchange, keep int, lastUsed time.Time) error {
	meta, err := json.Marshal(ex)
	if err != nil {
		return fmt.Errorf("encode exchange %d: %w", ex.Seq, err)
	}
	s := l.s
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, `INSERT INTO exchanges (session, seq, meta, frame, document, ack) VALUES (?, ?, ?, ?, ?, ?)`,
			l.session, ex.Seq, string(meta), ex.Frame, ex.Document, ex.Ack); err != nil {
			return fmt.Errorf("log exchange %d: %w", ex.Seq, err)
		}
		if keep > 0 {
			if _, err := s.exec(ctx, tx, `DELETE FROM exchanges WHERE session = ? AND seq <= ?`, l.session, ex.Seq-keep); err != nil {
				return fmt.Errorf("drop old exchanges: %w", err)
			}
		}
		if _, err := s.exec(ctx, tx, `UPDATE sessions SET last_seq = ?, last_used = ? WHERE name = ?`, ex.Seq, lastUsed.UnixNano(), l.session); err != nil {
			return fmt.Errorf("update session %s: %w", l.session, err)
		}
		return nil
	})
}

// Exchanges implements simulator.Log.
func (l *logStore) Exchanges(ctx context.Context) ([]*api.Exchange, error) {
	rows, err := l.s.query(ctx, `SELECT meta FROM exchanges WHERE session = ? ORDER BY seq`, l.session)
	if err != nil {
		return nil, fmt.Errorf("read exchanges: %w", err)
	}
	defer rows.Close()
	out := []*api.Exchange{}
	for rows.Next() {
		var meta []byte
		if err := rows.Scan(&meta); err != nil {
			return nil, fmt.Errorf("read exchanges: %w", err)
		}
		ex := new(api.Exchange)
		if err := json.Unmarshal(meta, ex); err != nil {
			return nil, fmt.Errorf("decode exchange: %w", err)
		}
		out = append(out, ex)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read exchanges: %w", err)
	}
	return out, nil
}

// Exchange implements simulator.Log.
func (l *logStore) Exchange(ctx context.Context, seq int) (*api.Exchange, error) {
	var meta, frame, document, ack []byte
	err := l.s.queryRow(ctx, `SELECT meta, frame, document, ack FROM exchanges WHERE session = ? AND seq = ?`, l.session, seq).
		Scan(&meta, &frame, &document, &ack)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, simulator.ErrNoExchange
	case err != nil:
		return nil, fmt.Errorf("read exchange %d: %w", seq, err)
	}
	ex := new(api.Exchange)
	if err := json.Unmarshal(meta, ex); err != nil {
		return nil, fmt.Errorf("decode exchange %d: %w", seq, err)
	}
	ex.Frame, ex.Document, ex.Ack = frame, document, ack
	return ex, nil
}

// Acknowledge implements simulator.Log.
func (l *logStore) Acknowledge(ctx context.Context, seq int, ack []byte) error {
	return l.s.write(ctx, func(tx *sql.Tx) error {
		if _, err := l.s.exec(ctx, tx, `UPDATE exchanges SET ack = ? WHERE session = ? AND seq = ?`, ack, l.session, seq); err != nil {
			return fmt.Errorf("keep acknowledgement %d: %w", seq, err)
		}
		return nil
	})
}

// Reset implements simulator.Log.
func (l *logStore) Reset(ctx context.Context) error {
	return l.s.write(ctx, func(tx *sql.Tx) error {
		if _, err := l.s.exec(ctx, tx, `DELETE FROM exchanges WHERE session = ?`, l.session); err != nil {
			return fmt.Errorf("reset log: %w", err)
		}
		return nil
	})
}

// placeholders returns n comma-separated placeholders.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// anys returns the strings as query arguments.
func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// distinct returns the strings without repeats, in their first order.
func distinct(ss []string) []string {
	var out []string
	for _, s := range ss {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
