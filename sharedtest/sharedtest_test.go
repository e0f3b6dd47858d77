package sharedtest

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLookupFindsTheModuleRoot(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("moduleRoot() = %s, which has no go.mod: %v", root, err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Dir(wd); root != want {
		t.Fatalf("moduleRoot() = %s, want %s (the folder above this package)", root, want)
	}
}

func TestLookupOfAMissingPathIsAnError(t *testing.T) {
	if p, err := Lookup("no such folder", "x"); err == nil {
		t.Fatalf("Lookup of a missing path = %s, want an error", p)
	}
}

func TestDirOfAMissingPathSkips(t *testing.T) {
	var skipped bool
	t.Run("missing", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		Dir(t, "no such folder")
		t.Error("Dir of a missing path returned instead of skipping")
	})
	if !skipped {
		t.Error("Dir of a missing path did not skip")
	}
}
