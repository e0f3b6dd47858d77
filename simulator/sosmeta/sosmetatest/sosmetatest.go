// Package sosmetatest gives tests THL's Sosmeta export that lies beside the
// repository (../shared/sosmeta from the module root), or skips them with a
// clear reason when it is not there. The export is public data that is not
// the project's, so it is read in place and never copied into the
// repository.
package sosmetatest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/yhteistestaus/yhteistestaus/simulator/sosmeta"
)

// Dir returns the folder of THL's export, or skips the test.
func Dir(tb testing.TB) string {
	tb.Helper()
	root, err := moduleRoot()
	if err != nil {
		tb.Skipf("THL's Sosmeta export: %v", err)
	}
	dir := filepath.Join(root, "..", "shared", "sosmeta")
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("THL's Sosmeta export is not at %s: %v", dir, err)
	}
	return dir
}

// Open opens THL's export, or skips the test.
func Open(tb testing.TB) *sosmeta.Set {
	tb.Helper()
	s, err := sosmeta.Open(Dir(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// moduleRoot finds the folder of go.mod above the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
