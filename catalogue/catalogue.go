// Package catalogue is the spine of the harness: the rule catalogue (every
// check the mock archive makes), the requirement catalogue (every handbook
// requirement, with the information-system profiles and functional areas
// that decide where it applies) and the link between them (the rules that
// enforce a requirement).
//
// Both catalogues are data, YAML files embedded in the binary:
//
//	rules/*.yaml          the rules, one file per stage of validation
//	areas.yaml            the functional areas (rows of handbook Table 4.5.3)
//	profiles/<id>.yaml    the eight information-system profiles
//	requirements/*.yaml   the requirements, one file per chapter or topic
//
// Every rule has a stable id, a stage, a severity, a one-line title and the
// handbook section it enforces. The same id appears in the acknowledgement
// sent to the vendor, in a failing scenario step and in the conformance
// report. Go code names a rule by its id as a string literal
// ("HDR-CASE-ID"); a test of this package (ruleids_test.go) parses every Go
// file of the module and fails on any id the catalogue does not hold, so a
// misspelt id fails the build's tests instead of showing at run time as
// INTERNAL-UNKNOWN-RULE. Literals were chosen over generated constants
// because they need no generation step when a change adds a rule.
//
// [Load] and [Default] read both catalogues and check the link: a
// requirement naming a rule the rule catalogue lacks is an error. The
// validator (simulator/rules) takes its rules from [DefaultRules]; the
// requirement model and its checks are package profiles, which this
// package loads the requirement files with.
package catalogue

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/yhteistestaus/yhteistestaus/profiles"
)

//go:embed rules/*.yaml areas.yaml profiles/*.yaml requirements/*.yaml
var files embed.FS

// ruleFiles is the embedded rules/ directory.
func ruleFiles() fs.FS {
	sub, err := fs.Sub(files, "rules")
	if err != nil {
		panic(fmt.Sprintf("embedded rule catalogue: %v", err))
	}
	return sub
}

// Spine is the rule catalogue and the requirement catalogue, linked: every
// rule a requirement names is in Rules.
type Spine struct {
	// Rules is the rule catalogue.
	Rules *Rules
	// Requirements is the requirement catalogue with its profiles and areas.
	Requirements *profiles.Catalogue
}

// Load reads both catalogues from fsys, laid out as the package's embedded
// files are (rules/*.yaml, areas.yaml, profiles/*.yaml,
// requirements/*.yaml), and checks the link between them. Every problem of
// the link is reported at once.
func Load(fsys fs.FS) (*Spine, error) {
	sub, err := fs.Sub(fsys, "rules")
	if err != nil {
		return nil, fmt.Errorf("load rule catalogue: %w", err)
	}
	rules, err := LoadRules(sub)
	if err != nil {
		return nil, fmt.Errorf("load rule catalogue: %w", err)
	}
	reqs, err := profiles.Load(fsys)
	if err != nil {
		return nil, fmt.Errorf("load requirement catalogue: %w", err)
	}
	if err := checkLink(rules, reqs); err != nil {
		return nil, err
	}
	return &Spine{Rules: rules, Requirements: reqs}, nil
}

// Default loads the embedded catalogues. An error means the embedded files
// are broken, which the package's tests rule out.
func Default() (*Spine, error) { return Load(files) }

// DefaultRequirements loads the embedded catalogues and returns the
// requirement catalogue; the link to the rules is checked as by [Default].
func DefaultRequirements() (*profiles.Catalogue, error) {
	s, err := Default()
	if err != nil {
		return nil, err
	}
	return s.Requirements, nil
}

// checkLink reports every requirement that names a rule the rule catalogue
// does not hold.
func checkLink(rules *Rules, reqs *profiles.Catalogue) error {
	var errs []error
	for _, r := range reqs.Requirements() {
		for _, id := range r.Rules {
			if _, ok := rules.Rule(id); !ok {
				errs = append(errs, fmt.Errorf("requirement %s names unknown rule %s", r.ID, id))
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("link requirements to rules: %w", errors.Join(errs...))
	}
	return nil
}
