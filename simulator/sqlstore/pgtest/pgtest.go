// Package pgtest gives a test a PostgreSQL database of its own: a fresh
// schema on the server that the environment variable
// YHTEISTESTAUS_TEST_POSTGRES names, dropped when the test ends, so that
// tests over PostgreSQL run in parallel without seeing each other's rows.
//
// .ci/postgres.sh starts a throwaway server on loopback and exports the
// variable; .ci/run does so for the whole suite. Without the variable a
// test that needs PostgreSQL is skipped with a message saying how to run
// it, except under CI=true, where it fails: CI never skips them silently.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	// The pgx driver for database/sql, registered as "pgx".
	_ "github.com/jackc/pgx/v5/stdlib"
)

// EnvDSN names the environment variable holding the test server's DSN
// (a postgres:// URL or key=value connection string).
const EnvDSN = "YHTEISTESTAUS_TEST_POSTGRES"

// DSN returns the test server's DSN. Without one it skips t, or fails it
// when CI is "true".
func DSN(t testing.TB) string {
	t.Helper()
	dsn, missing, fatal := lookup(os.Getenv)
	switch {
	case fatal:
		t.Fatal(missing)
	case missing != "":
		t.Skip(missing)
	}
	return dsn
}

// lookup reads the DSN from getenv; without one it says what is missing
// and whether that fails the test (under CI) rather than skipping it.
func lookup(getenv func(string) string) (dsn, missing string, fatal bool) {
	if dsn = getenv(EnvDSN); dsn != "" {
		return dsn, "", false
	}
	if getenv("CI") == "true" {
		return "", EnvDSN + " is unset under CI=true: .ci/run starts PostgreSQL (.ci/postgres.sh) and exports it, and CI must not skip the PostgreSQL tests", true
	}
	return "", "needs PostgreSQL: " + EnvDSN + " is unset (run the tests under .ci/postgres.sh run go test …)", false
}

// Schema creates an empty schema for t on the test server, drops it with
// everything in it when t ends, and returns a DSN whose connections work
// in it (their search_path is the schema). It skips or fails t as DSN
// does.
func Schema(t testing.TB) string {
	t.Helper()
	dsn := DSN(t)
	name := schemaName(t.Name())
	db := open(t, dsn)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("create schema %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	out, err := withSearchPath(dsn, name)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// open connects to dsn for t, closing the pool when t ends.
func open(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("open %s: %v", EnvDSN, err)
	}
	t.Cleanup(func() { db.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("connect to the server %s names: %v", EnvDSN, err)
	}
	return db
}

// schemaName makes a schema name from a test's name: lower-case letters,
// digits and underscores, with a random suffix so that tests of one name
// in several packages or runs do not meet, within PostgreSQL's 63 bytes.
func schemaName(test string) string {
	var b strings.Builder
	b.WriteString("t_")
	for _, r := range strings.ToLower(test) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 40 {
			break
		}
	}
	var suffix [8]byte
	rand.Read(suffix[:])
	return b.String() + "_" + hex.EncodeToString(suffix[:])
}

// withSearchPath returns dsn with its connections' search_path set to
// schema: a query parameter of a postgres:// URL, a key of a key=value
// string. pgx sends it to the server as a run-time parameter.
func withSearchPath(dsn, schema string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("parse %s: %w", EnvDSN, err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	return strings.TrimSpace(dsn) + " search_path=" + schema, nil
}
