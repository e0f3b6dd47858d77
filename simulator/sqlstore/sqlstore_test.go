package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/yhteistestaus/yhteistestaus/simulator/archive"
	"github.com/yhteistestaus/yhteistestaus/simulator/archive/archivetest"
	"github.com/yhteistestaus/yhteistestaus/simulator/sqlstore"
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
