package pgtest

import (
	"context"
	"database/sql"
	"regexp"
	"strings"
	"testing"
)

func TestLookupSkipsOutsideCIAndFailsUnderIt(t *testing.T) {
	tests := []struct {
		name      string
		env       map[string]string
		wantDSN   string
		wantFatal bool
		wantSkip  bool
	}{
		{"a DSN is used", map[string]string{EnvDSN: "postgres://x@127.0.0.1/db"}, "postgres://x@127.0.0.1/db", false, false},
		{"a DSN is used under CI too", map[string]string{EnvDSN: "postgres://x@127.0.0.1/db", "CI": "true"}, "postgres://x@127.0.0.1/db", false, false},
		{"without a DSN a developer's test skips", map[string]string{}, "", false, true},
		{"without a DSN CI fails", map[string]string{"CI": "true"}, "", true, false},
		{"CI other than true skips", map[string]string{"CI": "false"}, "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dsn, missing, fatal := lookup(func(k string) string { return tt.env[k] })
			if dsn != tt.wantDSN || fatal != tt.wantFatal || (missing != "") != (tt.wantSkip || tt.wantFatal) {
				t.Errorf("lookup = %q, %q, %v; want dsn %q, fatal %v, skip %v", dsn, missing, fatal, tt.wantDSN, tt.wantFatal, tt.wantSkip)
			}
			if missing != "" && !strings.Contains(missing, EnvDSN) {
				t.Errorf("the message %q does not name %s", missing, EnvDSN)
			}
		})
	}
}

func TestWithSearchPath(t *testing.T) {
	tests := []struct{ dsn, want string }{
		{"postgres://u:p@127.0.0.1:5432/db?sslmode=disable", "postgres://u:p@127.0.0.1:5432/db?search_path=t_x&sslmode=disable"},
		{"postgresql://u@127.0.0.1/db", "postgresql://u@127.0.0.1/db?search_path=t_x"},
		{"host=127.0.0.1 dbname=db ", "host=127.0.0.1 dbname=db search_path=t_x"},
	}
	for _, tt := range tests {
		got, err := withSearchPath(tt.dsn, "t_x")
		if err != nil || got != tt.want {
			t.Errorf("withSearchPath(%q) = %q, %v; want %q", tt.dsn, got, err, tt.want)
		}
	}
}

func TestSchemaName(t *testing.T) {
	valid := regexp.MustCompile(`^t_[a-z0-9_]+_[0-9a-f]{16}$`)
	for _, test := range []string{"TestX", "TestStore/Add_conflict", strings.Repeat("TestLong", 20), "Test Ä/ö"} {
		a, b := schemaName(test), schemaName(test)
		if !valid.MatchString(a) || len(a) > 63 {
			t.Errorf("schemaName(%q) = %q: not a plain identifier of at most 63 bytes", test, a)
		}
		if a == b {
			t.Errorf("schemaName(%q) gave %q twice", test, a)
		}
	}
}

// TestSchemaIsolatesTests checks over a real server that a table made in
// one schema is not seen from another, and that a test's schemas are gone
// when it ends.
func TestSchemaIsolatesTests(t *testing.T) {
	admin := open(t, DSN(t))
	ctx := context.Background()
	var schemas []string
	t.Run("two schemas", func(t *testing.T) {
		a, b := open(t, Schema(t)), open(t, Schema(t))
		for _, db := range []*sql.DB{a, b} {
			var s string
			if err := db.QueryRowContext(ctx, "SELECT current_schema()").Scan(&s); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(s, "t_testschemaisolatestests_two_schemas_") {
				t.Errorf("current schema %q is not the test's own", s)
			}
			schemas = append(schemas, s)
		}
		if _, err := a.ExecContext(ctx, "CREATE TABLE probe (n int)"); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := a.QueryRowContext(ctx, "SELECT count(*) FROM probe").Scan(&n); err != nil {
			t.Errorf("the table is not seen in its own schema: %v", err)
		}
		if err := b.QueryRowContext(ctx, "SELECT count(*) FROM probe").Scan(&n); err == nil {
			t.Errorf("one schema sees the other's table")
		}
	})
	var n int
	if err := admin.QueryRowContext(ctx, "SELECT count(*) FROM pg_namespace WHERE nspname = ANY($1)", schemas).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if len(schemas) != 2 || schemas[0] == schemas[1] || n != 0 {
		t.Errorf("schemas %q: %d left after their test ended", schemas, n)
	}
}
