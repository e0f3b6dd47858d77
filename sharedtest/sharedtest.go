// Package sharedtest gives tests THL's public data that lies beside the
// repository, in ../shared from the module root: the Kanta sample messages
// (samples/kanta-sh-public), the Sosmeta export (sosmeta), the HL7 V3
// schemas (hl7v3) and the handbook (handbook). The data is not the
// project's, so it is read in place and never copied into the repository.
//
// Outside that layout the helpers skip the test with a clear reason
// instead of failing it; Lookup lets a fuzz target seed from the data when
// it is there and still run when it is not.
package sharedtest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Lookup returns the path of elem under ../shared beside the module root,
// or an error when the module root or the path cannot be found.
func Lookup(elem ...string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	p := filepath.Join(append([]string{root, "..", "shared"}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		return "", err
	}
	return p, nil
}

// Dir returns the path of elem (a folder or a file) under ../shared beside
// the module root, or skips the test, naming what it needs.
func Dir(tb testing.TB, elem ...string) string {
	tb.Helper()
	p, err := Lookup(elem...)
	if err != nil {
		tb.Skipf("needs %s beside the repository: %v", name(elem), err)
	}
	return p
}

// ReadFile returns the contents of the file elem under ../shared beside the
// module root, or skips the test when it is not there.
func ReadFile(tb testing.TB, elem ...string) []byte {
	tb.Helper()
	data, err := os.ReadFile(Dir(tb, elem...))
	if err != nil {
		tb.Fatalf("read %s: %v", name(elem), err)
	}
	return data
}

// name is how a message names elem: ../shared/elem.
func name(elem []string) string {
	return filepath.ToSlash(filepath.Join(append([]string{"..", "shared"}, elem...)...))
}

// moduleRoot finds the folder of go.mod at or above the working directory,
// which go test sets to the package's folder.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("module root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("module root: no go.mod at or above the working directory")
		}
		dir = parent
	}
}
