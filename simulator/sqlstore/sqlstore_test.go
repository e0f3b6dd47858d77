package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/simulator/archive"
	"github.com/yhteistestaus/yhteistestaus/simulator/archive/archivetest"
	"github.com/yhteistestaus/yhteistestaus/simulator/sqlstore"
	"github.com/yhteistestaus/yhteistestaus/simulator/storetest"
)

// openSQLite opens a new SQLite store in the test's folder.
func openSQLite(t *testing.T) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestSQLiteArchive(t *testing.T) {
	archivetest.Run(t, func(t *testing.T) archive.Store { return openSQLite(t).Archive("s1") })
}

func TestSQLiteSessions(t *testing.T) {
	storetest.Run(t, func(t *testing.T) simulator.Store { return openSQLite(t) })
}

// Two sessions of one database keep apart.
func TestSQLiteArchivesOfSessionsKeepApart(t *testing.T) {
	db := openSQLite(t)
	ctx := context.Background()
	r := &api.Record{DocumentID: "1.1", SetID: "1", Version: 1, Kind: "client-relation", Clients: []string{"c"}}
	if err := db.Archive("a").Add(ctx, r, 0); err != nil {
		t.Fatal(err)
	}
	if err := db.Archive("b").Add(ctx, r, 0); err != nil {
		t.Errorf("the same document in another session: %v, want it stored", err)
	}
	if err := db.Archive("a").Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if vs, err := db.Archive("b").Versions(ctx, "1"); err != nil || len(vs) != 1 {
		t.Errorf("after resetting session a, session b holds %d versions (%v), want 1", len(vs), err)
	}
}

// A database opened again holds what was committed, and its migrations
// are not applied twice.
func TestSQLiteReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	ctx := context.Background()
	db, err := sqlstore.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateSession(ctx, simulator.SessionInfo{Name: "s", Owner: "v", Created: time.Unix(1, 0), LastUsed: time.Unix(2, 0)}); err != nil {
		t.Fatal(err)
	}
	r := &api.Record{DocumentID: "1.1", SetID: "1", Version: 1, Kind: "client-relation", Clients: []string{"c"}, Document: []byte("<doc/>")}
	if err := db.Archive("s").Add(ctx, r, 0); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = sqlstore.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatalf("open again: %v", err)
	}
	defer db.Close()
	infos, err := db.Sessions(ctx)
	if err != nil || len(infos) != 1 || infos[0].Owner != "v" {
		t.Errorf("Sessions = %+v, %v, want s owned by v", infos, err)
	}
	if doc, err := db.Archive("s").Document(ctx, "1.1"); err != nil || string(doc) != "<doc/>" {
		t.Errorf("Document = %q, %v, want <doc/>", doc, err)
	}
}

func TestOpenRefusesUnknownStores(t *testing.T) {
	for _, url := range []string{"", "sqlite:", "mysql://x", "/some/file"} {
		if db, err := sqlstore.Open(context.Background(), url); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded, want an error", url)
		}
	}
}
