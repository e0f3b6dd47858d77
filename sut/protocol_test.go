package sut

import "testing"

// TestSendsNothing checks which actions send the archive no message: the
// steps and the manual adapter's archive watch both rely on it.
func TestSendsNothing(t *testing.T) {
	silent := map[Action]bool{ActionDescribe: true, ActionReset: true, ActionRegisterClient: true, ActionSearch: true}
	for _, a := range Actions() {
		if got := a.SendsNothing(); got != silent[a] {
			t.Errorf("%s.SendsNothing() = %t, want %t", a, got, silent[a])
		}
	}
}
