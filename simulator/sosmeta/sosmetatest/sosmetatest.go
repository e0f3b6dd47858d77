// Package sosmetatest gives tests THL's Sosmeta export that lies beside the
// repository (../shared/sosmeta from the module root), or skips them with a
// clear reason when it is not there. The export is public data that is not
// the project's, so it is read in place and never copied into the
// repository.
package sosmetatest

import (
	"testing"

	"github.com/yhteistestaus/yhteistestaus/sharedtest"
	"github.com/yhteistestaus/yhteistestaus/simulator/sosmeta"
)

// Dir returns the folder of THL's export, or skips the test
// (sharedtest.Dir).
func Dir(tb testing.TB) string {
	tb.Helper()
	return sharedtest.Dir(tb, "sosmeta")
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
