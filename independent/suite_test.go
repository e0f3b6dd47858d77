package independent_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/harness"
	"github.com/yhteistestaus/yhteistestaus/hetu"
	"github.com/yhteistestaus/yhteistestaus/runner"
	"github.com/yhteistestaus/yhteistestaus/sharedtest"
	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/signature"
	"github.com/yhteistestaus/yhteistestaus/simulator/sosmeta/sosmetatest"
)

// keys are the vendor's signing keys, made once: RSA key generation is slow.
var keys = sync.OnceValues(func() (*vendorKeys, error) {
	now := time.Now()
	sk, sc, err := signature.NewTestCertificate("Esimerkki Sosiaali", now)
	if err != nil {
		return nil, err
	}
	pk, pc, err := signature.NewTestCertificate("Pirjo Esimerkki", now)
	if err != nil {
		return nil, err
	}
	return &vendorKeys{systemKey: sk, systemCert: sc, proKey: pk, proCert: pc}, nil
})

// testVendor returns the independent vendor, or skips when the samples it
// is built from are not at hand.
func testVendor(t *testing.T) *vendor {
	t.Helper()
	samplesDir := sharedtest.Dir(t, "samples", "kanta-sh-public") // the independent vendor is built from them
	k, err := keys()
	if err != nil {
		t.Fatal(err)
	}
	proHetu, err := hetu.TestCode(time.Date(1978, 5, 12, 0, 0, 0, 0, time.UTC), 962)
	if err != nil {
		t.Fatal(err)
	}
	v, err := newVendor(samplesDir, k, professional{hetu: proHetu, registration: "10099887766", given: "Pirjo", family: "Esimerkki", title: "sosiaalityöntekijä"})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestIndependentVendorPassesVaihe2Kasittely runs the vaihe2-kasittely
// suite against the independent vendor: every scenario passes and the
// verdict is passed.
func TestIndependentVendorPassesVaihe2Kasittely(t *testing.T) {
	v := testVendor(t)
	// The vendor's documents follow THL's real structures.
	a, err := harness.StartArchive(simulator.WithStructures(sosmetatest.Open(t)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Error(err)
		}
	})
	res, err := runner.Run(context.Background(), runner.Options{Profile: "vaihe2-kasittely", Driver: v, Adapter: "independent",
		Archive: harness.Client(a.URL(), "", time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range res.Scenarios {
		if sc.Status == yhteistestaus.StatusPassed {
			continue
		}
		for _, st := range sc.Steps {
			if st.Error != "" {
				t.Errorf("scenario %q: step %q: %s", sc.Name, st.Text, st.Error)
				for _, f := range st.Findings {
					t.Errorf("    %s", f)
				}
			}
		}
		if !t.Failed() {
			t.Errorf("scenario %q: %s", sc.Name, sc.Status)
		}
	}
	if res.Verdict != yhteistestaus.StatusPassed {
		t.Errorf("verdict %s, want %s", res.Verdict, yhteistestaus.StatusPassed)
	}
}
