package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/simulator/archive"
)

// archiveStore is one session's archive.
type archiveStore struct {
	s       *DB
	session string
}

var _ archive.Store = (*archiveStore)(nil)

// latestJoin selects the latest version of each set with its set row s.
const latestJoin = `FROM sets s JOIN records r ON r.session = s.session AND r.document_id = s.document_id`

// records reads the metadata column of the query's rows as records.
func (a *archiveStore) records(ctx context.Context, query string, args ...any) ([]*api.Record, error) {
	rows, err := a.s.query(ctx, (query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*api.Record{}
	for rows.Next() {
		var meta []byte
		if err := rows.Scan(&meta); err != nil {
			return nil, err
		}
		r, err := decodeRecord(meta)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func decodeRecord(meta []byte) (*api.Record, error) {
	r := new(api.Record)
	if err := json.Unmarshal(meta, r); err != nil {
		return nil, fmt.Errorf("decode record: %w", err)
	}
	return r, nil
}

// Versions implements archive.Store.
func (a *archiveStore) Versions(ctx context.Context, setID string) ([]*api.Record, error) {
	rs, err := a.records(ctx, `SELECT meta FROM records WHERE session = ? AND set_id = ? ORDER BY version`, a.session, setID)
	if err != nil {
		return nil, fmt.Errorf("read set %s: %w", setID, err)
	}
	return rs, nil
}

// ByDocumentID implements archive.Store.
func (a *archiveStore) ByDocumentID(ctx context.Context, documentID string) (*api.Record, error) {
	var meta []byte
	err := a.s.queryRow(ctx, `SELECT meta FROM records WHERE session = ? AND document_id = ?`, a.session, documentID).Scan(&meta)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, archive.ErrNotFound
	case err != nil:
		return nil, fmt.Errorf("read document %s: %w", documentID, err)
	}
	return decodeRecord(meta)
}

// Document implements archive.Store.
func (a *archiveStore) Document(ctx context.Context, documentID string) ([]byte, error) {
	var doc []byte
	err := a.s.queryRow(ctx, `SELECT document FROM records WHERE session = ? AND document_id = ?`, a.session, documentID).Scan(&doc)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, archive.ErrNotFound
	case err != nil:
		return nil, fmt.Errorf("read document %s: %w", documentID, err)
	}
	return doc, nil
}

// Latest implements archive.Store.
func (a *archiveStore) Latest(ctx context.Context) ([]*api.Record, error) {
	rs, err := a.records(ctx, `SELECT r.meta `+latestJoin+` WHERE s.session = ? ORDER BY s.ord + 0`, a.session)
	if err != nil {
		return nil, fmt.Errorf("read archive: %w", err)
	}
	return rs, nil
}

// Live implements archive.Store.
func (a *archiveStore) Live(ctx context.Context, q archive.Query) ([]*api.Record, error) {
	if !q.Indexed() {
		return nil, archive.ErrUnindexed
	}
	where := []string{"s.session = ?", "NOT s.annulled"}
	args := []any{a.session}
	if q.Custodian != "" {
		where, args = append(where, "s.custodian = ?"), append(args, q.Custodian)
	}
	if len(q.Kinds) > 0 {
		where, args = append(where, "s.kind IN ("+placeholders(len(q.Kinds))+")"), append(args, anys(q.Kinds)...)
	}
	if len(q.ExceptKinds) > 0 {
		where, args = append(where, "s.kind NOT IN ("+placeholders(len(q.ExceptKinds))+")"), append(args, anys(q.ExceptKinds)...)
	}
	if q.CaseID != "" {
		where, args = append(where, "s.case_id = ?"), append(args, q.CaseID)
	}
	if len(q.MainDocuments) > 0 {
		where, args = append(where, "s.main_document IN ("+placeholders(len(q.MainDocuments))+")"), append(args, anys(q.MainDocuments)...)
	}
	if len(q.Clients) > 0 {
		clients := distinct(q.Clients)
		where = append(where, "s.set_id IN (SELECT c.set_id FROM set_clients c WHERE c.session = ? AND c.client IN ("+placeholders(len(clients))+"))")
		args = append(append(args, a.session), anys(clients)...)
	}
	rs, err := a.records(ctx, `SELECT r.meta `+latestJoin+` WHERE `+strings.Join(where, " AND ")+` ORDER BY s.ord + 0`, args...)
	if err != nil {
		return nil, fmt.Errorf("look up live documents: %w", err)
	}
	return rs, nil
}

// Alias implements archive.Store.
func (a *archiveStore) Alias(ctx context.Context, id string) (string, error) {
	var code string
	err := a.s.queryRow(ctx, `SELECT identity_code FROM aliases WHERE session = ? AND temporary = ?`, a.session, id).Scan(&code)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("read alias: %w", err)
	}
	return code, nil
}

// Aliases implements archive.Store.
func (a *archiveStore) Aliases(ctx context.Context, identityCode string) ([]string, error) {
	rows, err := a.s.query(ctx, `SELECT temporary FROM aliases WHERE session = ? AND identity_code = ? ORDER BY temporary`, a.session, identityCode)
	if err != nil {
		return nil, fmt.Errorf("read aliases: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("read aliases: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Add implements archive.Store. The version, the set's index rows and the
// identifier changes are committed in one transaction.
func (a *archiveStore) Add(ctx context.Context, r *api.Record, prevVersion int) error {
	meta, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode record: %w", err)
	}
	s := a.s
	return s.write(ctx, func(tx *sql.Tx) error {
		var prev *api.Record
		var prevMeta []byte
		err := s.txQueryRow(ctx, tx, `SELECT r.meta `+latestJoin+` WHERE s.session = ? AND s.set_id = ?`, a.session, r.SetID).Scan(&prevMeta)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("read set %s: %w", r.SetID, err)
		default:
			if prev, err = decodeRecord(prevMeta); err != nil {
				return err
			}
		}
		latest := 0
		if prev != nil {
			latest = prev.Version
		}
		if latest != prevVersion {
			return archive.ErrConflict
		}
		var n int
		if err := s.txQueryRow(ctx, tx, `SELECT COUNT(*) FROM records WHERE session = ? AND document_id = ?`, a.session, r.DocumentID).Scan(&n); err != nil {
			return fmt.Errorf("look up document %s: %w", r.DocumentID, err)
		}
		if n > 0 {
			return archive.ErrConflict
		}
		if _, err := s.exec(ctx, tx, `INSERT INTO records (session, document_id, set_id, version, meta, document) VALUES (?, ?, ?, ?, ?, ?)`,
			a.session, r.DocumentID, r.SetID, r.Version, string(meta), r.Document); err != nil {
			return fmt.Errorf("store version: %w", err)
		}
		if prev == nil {
			_, err = s.exec(ctx, tx, (`INSERT INTO sets (session, set_id, ord, version, document_id, kind, custodian, case_id, main_document, annulled)
				VALUES (?, ?, (SELECT COALESCE(MAX(ord), 0) + 1 FROM sets WHERE session = ?), ?, ?, ?, ?, ?, ?, ?)`),
				a.session, r.SetID, a.session, r.Version, r.DocumentID, r.Kind, r.Custodian, r.CaseID, r.MainDocument, r.Annulled)
		} else {
			_, err = s.exec(ctx, tx, (`UPDATE sets SET version = ?, document_id = ?, kind = ?, custodian = ?, case_id = ?, main_document = ?, annulled = ?
				WHERE session = ? AND set_id = ?`),
				r.Version, r.DocumentID, r.Kind, r.Custodian, r.CaseID, r.MainDocument, r.Annulled, a.session, r.SetID)
		}
		if err != nil {
			return fmt.Errorf("index set %s: %w", r.SetID, err)
		}
		if prev != nil {
			if _, err := s.exec(ctx, tx, `DELETE FROM set_clients WHERE session = ? AND set_id = ?`, a.session, r.SetID); err != nil {
				return fmt.Errorf("index set %s: %w", r.SetID, err)
			}
		}
		for _, c := range distinct(r.Clients) {
			if _, err := s.exec(ctx, tx, `INSERT INTO set_clients (session, client, set_id) VALUES (?, ?, ?)`, a.session, c, r.SetID); err != nil {
				return fmt.Errorf("index set %s: %w", r.SetID, err)
			}
		}
		for _, c := range archive.IdentifierChanges(prev, r) {
			if _, err := s.exec(ctx, tx, (`INSERT INTO aliases (session, temporary, identity_code) VALUES (?, ?, ?)
				ON CONFLICT (session, temporary) DO UPDATE SET identity_code = excluded.identity_code`), a.session, c.Temporary, c.IdentityCode); err != nil {
				return fmt.Errorf("record identifier change: %w", err)
			}
		}
		return nil
	})
}

// Reset implements archive.Store.
func (a *archiveStore) Reset(ctx context.Context) error {
	return a.s.write(ctx, func(tx *sql.Tx) error {
		for _, t := range []string{"records", "sets", "set_clients", "aliases"} {
			if _, err := a.s.exec(ctx, tx, `DELETE FROM `+t+` WHERE session = ?`, a.session); err != nil {
				return fmt.Errorf("reset archive: %s: %w", t, err)
			}
		}
		return nil
	})
}
