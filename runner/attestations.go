package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/yhteistestaus/yhteistestaus/datafile"
)

// Attestation is the vendor's statement that a requirement verified by
// attestation is met, with its evidence.
type Attestation struct {
	Requirement string `yaml:"requirement"`
	// Evidence is a sentence saying how the system meets the requirement.
	Evidence string `yaml:"evidence"`
	// Link and Screenshot point at further evidence.
	Link       string `yaml:"link,omitempty"`
	Screenshot string `yaml:"screenshot,omitempty"`
}

// LoadAttestations reads a YAML file of attestations:
//
//	attestations:
//	  - requirement: REQ-SEC-065
//	    evidence: The connection uses the DVV server certificate issued to us.
//	    link: https://intra.example/kanta-certificate
//	    screenshot: evidence/certificate.png
//
// and returns the evidence text by requirement id. A screenshot's path is
// relative to the file's directory and must exist.
func LoadAttestations(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read attestations: %w", err)
	}
	var f struct {
		Attestations []Attestation `yaml:"attestations"`
	}
	if err := datafile.Decode(data, &f); err != nil {
		return nil, fmt.Errorf("parse attestations %s: %w", path, err)
	}
	out := make(map[string]string)
	for i, a := range f.Attestations {
		if a.Requirement == "" || strings.TrimSpace(a.Evidence) == "" {
			return nil, fmt.Errorf("attestations %s: entry %d needs a requirement and evidence", path, i+1)
		}
		if _, dup := out[a.Requirement]; dup {
			return nil, fmt.Errorf("attestations %s: requirement %s attested twice", path, a.Requirement)
		}
		ev := strings.TrimSpace(a.Evidence)
		if a.Link != "" {
			ev += " (link: " + a.Link + ")"
		}
		if a.Screenshot != "" {
			shot := a.Screenshot
			if !filepath.IsAbs(shot) {
				shot = filepath.Join(filepath.Dir(path), shot)
			}
			if _, err := os.Stat(shot); err != nil {
				return nil, fmt.Errorf("attestations %s: %s: screenshot: %w", path, a.Requirement, err)
			}
			ev += " (screenshot: " + a.Screenshot + ")"
		}
		out[a.Requirement] = ev
	}
	return out, nil
}
