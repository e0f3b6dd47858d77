package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	// The pure-Go SQLite driver, "sqlite".
	_ "modernc.org/sqlite"
)

// migrations are the schema changes of every dialect, in
// migrations/DIALECT/NNNN_what.sql.
//
//go:embed migrations
var migrations embed.FS

// sqlite is SQLite's dialect: one writer at a time.
var sqlite = dialect{name: "sqlite", serialWrites: true}

// OpenSQLite opens (creating when missing) the SQLite store in the file
// path, and the folder it is in.
//
// The database is in WAL mode with synchronous=NORMAL: a commit has
// written its pages to the write-ahead log with write(2) before it returns,
// so what is committed survives the process being killed (SIGKILL), the
// pages being in the operating system's cache; only a crash of the
// operating system or a power cut can lose the last commits, and it never
// corrupts the database. The archive acknowledges a document (AA) only
// after its commit.
func OpenSQLite(ctx context.Context, path string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s, err := open(ctx, db, sqlite)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return s, nil
}
