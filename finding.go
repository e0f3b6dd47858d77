// Package yhteistestaus holds the result types of the Yhteistestaus
// co-testing harness for Kanta's social-welfare client data archive
// (Sosiaalihuollon asiakastiedon arkisto): findings with their severities
// and the handbook sources that every validation rule cites, and the run,
// scenario and requirement results with their statuses.
//
// The archive's own vocabulary (namespaces, OIDs, document kinds and
// groups) is package kanta; the mock archive lives in simulator/ and its
// subpackages; the command line is in cmd/yhteistestaus.
// docs/architecture.md follows one message and one scenario through the
// packages.
package yhteistestaus

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Severity tells how serious a finding is. Only SeverityError makes the
// archive reject a message.
type Severity int

// The severities, from least to most serious.
const (
	SeverityInfo Severity = iota
	SeverityWarning
	SeverityError
)

var severityNames = [...]string{"info", "warning", "error"}

// String returns "info", "warning" or "error".
func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity parses the String form of a severity.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(s, n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want info, warning or error)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Finding is one result of a validation rule applied to a message: which
// rule, how serious, what is wrong, where in the message and which part of
// the handbook the rule enforces.
type Finding struct {
	// Rule is the stable rule id from the rule catalogue, e.g. "ID-HETU-CHECK".
	Rule string `json:"rule"`
	// Severity of the finding.
	Severity Severity `json:"severity"`
	// Message says in one sentence what is wrong, with the offending value.
	Message string `json:"message"`
	// Location is an XPath-like path to the offending part, e.g.
	// "/ClinicalDocument/recordTarget/patientRole/id/@extension".
	Location string `json:"location"`
	// Source is the handbook section and lines the rule comes from, or the
	// public specification for wire-level rules.
	Source string `json:"source"`
}

// String formats the finding as one line: "error ID-HETU-CHECK at /path: message".
func (f Finding) String() string {
	loc := ""
	if f.Location != "" {
		loc = " at " + f.Location
	}
	return fmt.Sprintf("%s %s%s: %s", f.Severity, f.Rule, loc, f.Message)
}

// Findings is the list of findings for one message.
type Findings []Finding

// HasErrors reports whether any finding has SeverityError.
func (fs Findings) HasErrors() bool {
	for _, f := range fs {
		if f.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Errors returns the findings of SeverityError.
func (fs Findings) Errors() Findings {
	var out Findings
	for _, f := range fs {
		if f.Severity == SeverityError {
			out = append(out, f)
		}
	}
	return out
}

// Rules returns the distinct rule ids of the findings, in order of first
// appearance.
func (fs Findings) Rules() []string {
	seen := make(map[string]bool)
	var ids []string
	for _, f := range fs {
		if !seen[f.Rule] {
			seen[f.Rule] = true
			ids = append(ids, f.Rule)
		}
	}
	return ids
}

// Has reports whether a finding of the rule is present.
func (fs Findings) Has(rule string) bool {
	for _, f := range fs {
		if f.Rule == rule {
			return true
		}
	}
	return false
}

// MarshalJSON makes a nil Findings encode as [] rather than null.
func (fs Findings) MarshalJSON() ([]byte, error) {
	if fs == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]Finding(fs))
}
