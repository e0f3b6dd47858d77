package runner_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/catalogue"
	"github.com/yhteistestaus/yhteistestaus/profiles"
	"github.com/yhteistestaus/yhteistestaus/runner"
)

func writeFile(t *testing.T, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "attestations.yaml")
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// firstAttestationRequirement returns a requirement of the profile that is
// verified by attestation.
func firstAttestationRequirement(t *testing.T, profile string) string {
	t.Helper()
	cat, err := catalogue.DefaultRequirements()
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range cat.RequirementsFor(profile) {
		if pr.Verification == profiles.Attestation && pr.Applicability != profiles.Excluded {
			return pr.ID
		}
	}
	t.Fatalf("profile %s has no attestation requirement", profile)
	return ""
}

// The vendor's attestation turns a "to be attested" requirement into an
// attested one, with its evidence in the result.
func TestAttestationsAreCounted(t *testing.T) {
	id := firstAttestationRequirement(t, "vaihe2-hakeva")
	path := writeFile(t, "attestations:\n  - requirement: "+id+"\n    evidence: Our system does this, see the manual.\n    link: https://example.invalid/manual\n")
	att, err := runner.LoadAttestations(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := runner.Run(context.Background(), runner.Options{Profile: "vaihe2-hakeva", Driver: referenceSystem(t), Archive: archive(t), Attestations: att})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Requirements {
		if r.ID == id {
			if r.Status != yhteistestaus.StatusAttested || !strings.Contains(r.Evidence, "see the manual") {
				t.Errorf("%s: status %s evidence %q, want attested with the evidence", id, r.Status, r.Evidence)
			}
			return
		}
	}
	t.Errorf("requirement %s not in the result", id)
}

func TestAttestationErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unknown field", "attestations:\n  - requirement: REQ-SEC-065\n    evidense: x\n", "evidense"},
		{"no evidence", "attestations:\n  - requirement: REQ-SEC-065\n", "needs a requirement and evidence"},
		{"twice", "attestations:\n  - requirement: REQ-SEC-065\n    evidence: a\n  - requirement: REQ-SEC-065\n    evidence: b\n", "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runner.LoadAttestations(writeFile(t, tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
	for _, id := range []string{"REQ-NOPE-999", "REQ-DOC-031"} {
		_, err := runner.Run(context.Background(), runner.Options{Profile: "vaihe2-hakeva", Driver: referenceSystem(t), Archive: archive(t), Attestations: map[string]string{id: "x"}})
		if err == nil {
			t.Errorf("attestation of %s accepted, want an error (unknown, or not an attestation requirement)", id)
		}
	}
}

// An attestation's screenshot, relative to the attestation file, must exist.
func TestAttestationScreenshotMustExist(t *testing.T) {
	path := writeFile(t, "attestations:\n  - requirement: REQ-SEC-065\n    evidence: We do.\n    screenshot: evidence/certificate.png\n")
	if _, err := runner.LoadAttestations(path); err == nil || !strings.Contains(err.Error(), "screenshot") {
		t.Errorf("missing screenshot: err %v, want one naming the screenshot", err)
	}
	shot := filepath.Join(filepath.Dir(path), "evidence", "certificate.png")
	if err := os.MkdirAll(filepath.Dir(shot), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(shot, []byte("png"), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := runner.LoadAttestations(path)
	if err != nil || !strings.Contains(a["REQ-SEC-065"], "evidence/certificate.png") {
		t.Errorf("screenshot present: %v, %v", a, err)
	}
}
