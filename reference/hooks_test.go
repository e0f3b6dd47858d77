package reference

import (
	"strings"
	"testing"

	"github.com/yhteistestaus/yhteistestaus/hetu"
)

// TestFaultListMatchesHooks checks that faults.yaml and the hook table
// name exactly the same faults, and that every hook changes something.
func TestFaultListMatchesHooks(t *testing.T) {
	fs, err := Faults()
	if err != nil {
		t.Fatalf("Faults: %v", err)
	}
	table, err := faultTable(fs, hooks())
	if err != nil {
		t.Fatal(err)
	}
	if len(table) != len(fs) {
		t.Errorf("fault table has %d faults, faults.yaml %d", len(table), len(fs))
	}
	for name, f := range table {
		if h := f.hook; h.document == nil && h.cda == nil && h.signed == nil && h.frame == nil && h.behaviour == 0 {
			t.Errorf("fault %s: its hook changes nothing", name)
		}
	}
}

// TestFaultTableRefusesAMismatch checks that a fault without a hook and a
// hook without a fault are errors, not silently skipped.
func TestFaultTableRefusesAMismatch(t *testing.T) {
	listed := []Fault{{Name: "a"}, {Name: "listed-only"}}
	hooked := map[string]hook{"a": {behaviour: ignoreAnnulled}, "hooked-only": {behaviour: ignoreClosedCase}}
	_, err := faultTable(listed, hooked)
	for _, want := range []string{"fault listed-only is in faults.yaml but has no hook", "hook hooked-only has no fault"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("faultTable: got %v, want an error mentioning %q", err, want)
		}
	}
}

func TestParseFaultsIsStrict(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown field", "faults:\n- name: a\n  description: d\n  requirements: [R]\n  action: annul\n  rule: X\n  colour: red\n", "colour"},
		{"no name", "faults:\n- description: d\n  requirements: [R]\n  action: annul\n  rule: X\n", "no name"},
		{"twice", "faults:\n- {name: a, description: d, requirements: [R], action: annul, rule: X}\n- {name: a, description: d, requirements: [R], action: annul, rule: X}\n", "twice"},
		{"no requirement", "faults:\n- {name: a, description: d, action: annul, rule: X}\n", "requirements"},
		{"unknown action", "faults:\n- {name: a, description: d, requirements: [R], action: fly, rule: X}\n", "unknown action"},
		{"neither rule nor observation", "faults:\n- {name: a, description: d, requirements: [R], action: annul}\n", "observed"},
		{"not YAML", "faults: [", "read fault list"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseFaults([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("parseFaults error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestIdentityCodeFaults checks the identity codes the faults make: valid
// but not a test identity, a wrong check character, another test identity.
func TestIdentityCodeFaults(t *testing.T) {
	const test = "200111A904P" // the samples' test client
	nonTest, err := nonTestHetu(test)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := hetu.Parse(nonTest); err != nil || c.Test || c.Female != true {
		t.Errorf("nonTestHetu(%s) = %s (%+v, %v), want a valid non-test code of a woman", test, nonTest, c, err)
	}
	wrong, err := wrongCheckCharacter(test)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hetu.Parse(wrong); err == nil || wrong[:10] != test[:10] {
		t.Errorf("wrongCheckCharacter(%s) = %s, want the same code with a wrong check character", test, wrong)
	}
	other, err := otherTestHetu(test)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := hetu.Parse(other); err != nil || !c.Test || other == test || other[:6] != test[:6] {
		t.Errorf("otherTestHetu(%s) = %s (%v), want another valid test code of the same birth date", test, other, err)
	}
}
