package reference_test

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/catalogue"
	"github.com/yhteistestaus/yhteistestaus/kanta"
	"github.com/yhteistestaus/yhteistestaus/reference"
	"github.com/yhteistestaus/yhteistestaus/simulator/control"
	"github.com/yhteistestaus/yhteistestaus/sut"
)

func faults(t testing.TB) []reference.Fault {
	t.Helper()
	fs, err := reference.Faults()
	if err != nil {
		t.Fatalf("Faults: %v", err)
	}
	return fs
}

func TestFaultListIsLargeAndDistinct(t *testing.T) {
	fs := faults(t)
	if len(fs) < 30 {
		t.Errorf("got %d faults, want at least 30", len(fs))
	}
	areas := make(map[string]bool)
	for _, f := range fs {
		areas[string(f.Action)] = true
	}
	if len(areas) < 6 {
		t.Errorf("faults act in %d actions, want at least 6", len(areas))
	}
}

// TestFaultsCiteTheCatalogues checks that every fault names requirements
// of the requirement catalogue and a rule of the simulator's catalogue.
func TestFaultsCiteTheCatalogues(t *testing.T) {
	reqs, err := catalogue.DefaultRequirements()
	if err != nil {
		t.Fatalf("catalogue.DefaultRequirements: %v", err)
	}
	cat := catalogue.DefaultRules()
	for _, f := range faults(t) {
		for _, id := range f.Requirements {
			if reqs.Requirement(id) == nil {
				t.Errorf("fault %s: requirement %s is not in the catalogue", f.Name, id)
			}
		}
		if f.Rule == "" {
			continue
		}
		if _, ok := cat.Rule(f.Rule); !ok {
			t.Errorf("fault %s: rule %s is not in the simulator's catalogue", f.Name, f.Rule)
		}
	}
}

func TestUnknownFaultListsTheKnownOnes(t *testing.T) {
	_, err := reference.New(reference.Options{Faults: []string{"no-such-fault"}})
	if err == nil {
		t.Fatal("New with an unknown fault: got no error")
	}
	for _, want := range []string{"no-such-fault", "non-test-hetu", "annulment-out-of-order"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

// TestEveryFaultIsDetected runs the full flow once with each fault, each
// in its own session, and checks that the archive rejects a message with
// the fault's rule; a fault no rule catches must leave the archive in
// another state than the correct system does.
func TestEveryFaultIsDetected(t *testing.T) {
	c := session(t, "faults-baseline")
	run(t, newSystem(t, reference.Options{}), c, fullFlow(t))
	baseline := archiveState(t, c)

	var detected atomic.Int32
	all := faults(t)
	t.Run("fault", func(t *testing.T) {
		for _, f := range all {
			t.Run(f.Name, func(t *testing.T) {
				t.Parallel()
				c := session(t, "fault-"+f.Name)
				sys := newSystem(t, reference.Options{Faults: []string{f.Name}})
				as := run(t, sys, c, fullFlow(t))
				if f.Rule == "" {
					if d := diffState(archiveState(t, c), baseline); d == "" {
						t.Errorf("the archive state equals the correct system's; want it to show: %s", f.Observed)
					} else {
						detected.Add(1)
						t.Logf("archive state differs (%s):\n%s", f.Observed, d)
					}
					return
				}
				msgs, err := c.Messages(context.Background(), control.MessageFilter{})
				if err != nil {
					t.Fatal(err)
				}
				var rejected []string
				found := false
				for _, m := range msgs {
					if m.AckType == kanta.AckAccepted {
						continue
					}
					var rs []string
					for _, fd := range m.Findings {
						if fd.Severity == yhteistestaus.SeverityError {
							rs = append(rs, fd.Rule)
						}
					}
					found = found || slices.Contains(rs, f.Rule)
					rejected = append(rejected, m.Kind+" "+string(m.Operation)+": "+strings.Join(rs, ","))
				}
				if found && !slices.ContainsFunc(as, func(a answered) bool {
					return a.answer.Status == sut.StatusFailed && strings.Contains(a.answer.Message, f.Rule)
				}) {
					t.Errorf("the archive rejected a message with %s, but no failed answer names the rule", f.Rule)
				}
				if found {
					detected.Add(1)
					t.Logf("rejections: %v", rejected)
					return
				}
				t.Errorf("no rejection carries %s; rejections: %v", f.Rule, rejected)
				for j, a := range as {
					if a.answer.Status != a.want {
						t.Logf("step %d %s: %s %s", j+1, a.step, a.answer.Status, a.answer.Message)
					}
				}
			})
		}
	})
	t.Logf("detection rate: %d/%d faults", detected.Load(), len(all))
	if int(detected.Load()) != len(all) {
		t.Errorf("detected %d of %d faults, want all", detected.Load(), len(all))
	}
}
