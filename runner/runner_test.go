package runner_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/reference"
	"github.com/yhteistestaus/yhteistestaus/runner"
)

// keys are made once: RSA key generation is slow.
var keys = sync.OnceValues(func() (*reference.Keys, error) { return reference.NewKeys(time.Now()) })

func referenceSystem(t testing.TB, faults ...string) *reference.System {
	t.Helper()
	k, err := keys()
	if err != nil {
		t.Fatal(err)
	}
	sys, err := reference.New(reference.Options{Keys: k, Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	return sys
}

func run(t testing.TB, profile string, faults ...string) *yhteistestaus.Run {
	t.Helper()
	res, err := runner.Run(context.Background(), runner.Options{Profile: profile, Driver: referenceSystem(t, faults...), Adapter: "reference"})
	if err != nil {
		t.Fatalf("run %s: %v", profile, err)
	}
	return res
}

// The whole suite passes against the reference vendor system, for every
// profile.
func TestReferenceSystemPassesEveryProfile(t *testing.T) {
	for _, profile := range []string{
		"vaihe2-kasittely", "vaihe2-tuottava", "vaihe2-hakeva", "vaihe2-lahettava",
		"liittymisvelvoite-kasittely", "liittymisvelvoite-tuottava", "liittymisvelvoite-hakeva", "liittymisvelvoite-lahettava",
	} {
		t.Run(profile, func(t *testing.T) {
			res := run(t, profile)
			for _, sc := range res.Scenarios {
				if sc.Status != yhteistestaus.StatusPassed {
					for _, st := range sc.Steps {
						if st.Error != "" {
							t.Errorf("scenario %q: step %q: %s %v", sc.Name, st.Text, st.Error, st.Findings.Rules())
						}
					}
				}
			}
			if res.Verdict != yhteistestaus.StatusPassed {
				var failed []string
				for _, r := range res.Requirements {
					if r.Applicability == "mandatory" && (r.Status == yhteistestaus.StatusFailed || r.Status == yhteistestaus.StatusNotTested || r.Status == yhteistestaus.StatusNotSupported) {
						failed = append(failed, r.ID+"="+string(r.Status))
					}
				}
				t.Errorf("verdict %s; mandatory requirements not passed: %v", res.Verdict, failed)
			}
		})
	}
}

// Every fault the reference system can inject makes at least one scenario
// fail, and a failed scenario carries a requirement the fault breaks.
func TestSuiteDetectsEveryFault(t *testing.T) {
	faults, err := reference.Faults()
	if err != nil {
		t.Fatal(err)
	}
	if len(faults) < 30 {
		t.Errorf("the reference system has %d faults, want at least 30", len(faults))
	}
	detected := 0
	for _, f := range faults {
		t.Run(f.Name, func(t *testing.T) {
			res := run(t, "vaihe2-kasittely", f.Name)
			var caught []string
			for _, r := range res.Requirements {
				if r.Status != yhteistestaus.StatusFailed || !slices.Contains(f.Requirements, r.ID) {
					continue
				}
				for _, fl := range r.Failures {
					// Caught by the fault's rule, or by a check of the
					// harness itself (no finding: nothing was sent, the
					// archive holds the wrong state).
					if f.Rule == "" || fl.Rule == f.Rule || fl.Rule == "" {
						caught = append(caught, r.ID)
						break
					}
				}
			}
			if len(caught) > 0 {
				detected++
				return
			}
			var failed []string
			for _, r := range res.Requirements {
				if r.Status == yhteistestaus.StatusFailed {
					failed = append(failed, r.ID)
				}
			}
			t.Errorf("fault %s (%s) breaks %v, caught by rule %q; the run failed %v but none of the fault's requirements with that rule",
				f.Name, f.Description, f.Requirements, f.Rule, failed)
		})
	}
	rate := fmt.Sprintf("detection rate: %d/%d faults (%.0f%%)", detected, len(faults), 100*float64(detected)/float64(len(faults)))
	t.Log(rate)
	if detected != len(faults) {
		t.Errorf("%s, want 100%%", rate)
	}
}

func BenchmarkSuiteAgainstReference(b *testing.B) {
	referenceSystem(b)
	for b.Loop() {
		res := run(b, "vaihe2-kasittely")
		if res.Verdict != yhteistestaus.StatusPassed {
			b.Fatalf("verdict %s", res.Verdict)
		}
	}
}
