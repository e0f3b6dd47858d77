package yhteistestaus_test

import (
	"go/build"
	"strings"
	"testing"
)

const module = "github.com/yhteistestaus/yhteistestaus"

// TestPackageLayers checks the imports that keep the house in order
// (docs/architecture.md): a package must not depend, directly or through
// others, on the packages listed for it.
func TestPackageLayers(t *testing.T) {
	tests := []struct {
		pkg, why  string
		forbidden []string
	}{
		{"reference", "the reference vendor system is measured against the validator, so it must not share the validator's tables",
			[]string{"simulator/rules", "simulator/archive", "simulator"}},
		{"compose", "the composer builds what vendors send; it takes its vocabulary from kanta, not from the validator",
			[]string{"simulator/rules"}},
		{"steps", "the steps see the archive only through the control API's contract (control and its data types)",
			[]string{"simulator", "simulator/archive", "simulator/server", "simulator/rules"}},
		{"simulator/control", "the control client speaks the API's data types, not the simulator's insides",
			[]string{"simulator", "simulator/archive", "simulator/server", "simulator/rules"}},
		{"simulator/api", "the control API's data types are plain data", []string{"simulator", "simulator/archive", "simulator/server"}},
		{"catalogue", "the spine (rules and requirements) is data and its model, below the simulator that applies it",
			[]string{"simulator", "simulator/rules", "simulator/archive", "simulator/wire", "steps", "runner"}},
		{"kanta", "the vocabulary is the bottom floor", []string{"simulator", "simulator/rules", "compose", "reference", "steps"}},
	}
	if _, ok := moduleDeps(t, "reference")["simulator/wire"]; !ok {
		t.Fatal("reference does not seem to depend on simulator/wire (through compose); the walk is broken")
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			deps := moduleDeps(t, tt.pkg)
			for _, f := range tt.forbidden {
				if via, ok := deps[f]; ok {
					t.Errorf("%s depends on %s (imported by %s): %s", tt.pkg, f, via, tt.why)
				}
			}
		})
	}
}

// moduleDeps returns the module's packages pkg depends on, each with a
// package that imports it.
func moduleDeps(t *testing.T, pkg string) map[string]string {
	t.Helper()
	deps := make(map[string]string)
	var walk func(rel string)
	walk = func(rel string) {
		p, err := build.Import(module+"/"+rel, ".", 0)
		if err != nil {
			t.Fatalf("import %s: %v", rel, err)
		}
		for _, imp := range p.Imports {
			sub, ok := strings.CutPrefix(imp, module+"/")
			if !ok {
				continue
			}
			if _, seen := deps[sub]; seen {
				continue
			}
			deps[sub] = rel
			walk(sub)
		}
	}
	walk(pkg)
	return deps
}
