package steps

import (
	"context"
	"testing"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/simulator/api"
	"github.com/yhteistestaus/yhteistestaus/sut"
)

// worldWith is a scenario whose last action sent the messages.
func worldWith(msgs ...*api.Exchange) *World {
	return &World{last: &outcome{action: sut.ActionStoreDocument, answer: &sut.Answer{Status: sut.StatusOK}, messages: msgs}}
}

func finding(rule string, sev yhteistestaus.Severity) yhteistestaus.Finding {
	return yhteistestaus.Finding{Rule: rule, Severity: sev, Message: rule}
}

// "no warnings" fails on a warning or an error, never on an information
// note.
func TestNoWarnings(t *testing.T) {
	for _, tc := range []struct {
		name     string
		findings yhteistestaus.Findings
		fails    bool
	}{
		{"no finding", nil, false},
		{"an information note", yhteistestaus.Findings{finding("CODE-ORG-UNDECLARED", yhteistestaus.SeverityInfo)}, false},
		{"a warning", yhteistestaus.Findings{finding("HDR-UNKNOWN-ELEMENT", yhteistestaus.SeverityWarning)}, true},
		{"an error beside a note", yhteistestaus.Findings{finding("CODE-ORG-UNDECLARED", yhteistestaus.SeverityInfo), finding("HDR-ID", yhteistestaus.SeverityError)}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := worldWith(&api.Exchange{MessageID: "m1", Findings: tc.findings}).noWarnings(context.Background())
			if (err != nil) != tc.fails {
				t.Errorf("noWarnings() = %v, want failure %v", err, tc.fails)
			}
			if se, ok := err.(*StepError); ok {
				for _, f := range se.Findings {
					if f.Severity == yhteistestaus.SeverityInfo {
						t.Errorf("the step's error names the information note %s", f.Rule)
					}
				}
			}
		})
	}
}

// The operation step asks what the archive read the message as, whatever
// service request it carried.
func TestOperation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		op     api.Operation
		sr     string
		phrase string
		fails  bool
	}{
		{"a new version with the group's service request", api.OpNewVersion, "SP17", "a new version", false},
		{"a new version with the operation's service request", api.OpNewVersion, "SIM-UUSI-VERSIO", "a new version", false},
		{"a new document is no new version", api.OpStore, "SP17", "a new version", true},
		{"an annulment", api.OpAnnul, "SIM-MITATOINTI", "an annulment", false},
		{"a new document", api.OpStore, "SP1", "a new document", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := worldWith(&api.Exchange{MessageID: "m1", Operation: tc.op, ServiceRequest: tc.sr}).operation(tc.phrase)
			if (err != nil) != tc.fails {
				t.Errorf("operation(%q) = %v, want failure %v", tc.phrase, err, tc.fails)
			}
		})
	}
}
