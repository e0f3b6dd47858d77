package runner_test

import (
	"strings"
	"testing"

	"github.com/yhteistestaus/yhteistestaus/excerpt"
)

// A failure shows the fragment of the message the archive received, at
// the finding's location, with the message's sequence number, and every
// identity code outside the test series masked. (Package excerpt tests
// each kind of location; this checks that the steps wire it in.)
func TestFailuresCiteTheMessageAsReceived(t *testing.T) {
	tests := []struct {
		fault, rule, want string
	}{
		{"missing-service-task", "HDR-SERVICE-TASK", "<!-- no functionCode here -->"},
		{"non-test-hetu", "ID-TEST-IDENTITY", `extension="***********"`},
	}
	for _, tt := range tests {
		t.Run(tt.fault, func(t *testing.T) {
			res := run(t, "vaihe2-kasittely", tt.fault)
			cited := 0
			for _, sc := range res.Scenarios {
				for _, st := range sc.Steps {
					for _, c := range st.Citations {
						if excerpt.Mask(c.Excerpt) != c.Excerpt {
							t.Errorf("%s: an identity code is shown in clear:\n%s", sc.Name, c.Excerpt)
						}
						if c.Rule != tt.rule {
							continue
						}
						cited++
						if c.MessageSeq <= 0 || !strings.Contains(c.Excerpt, tt.want) {
							t.Errorf("%s: citation of %s at %s (message %d) lacks %q:\n%s", sc.Name, c.Rule, c.Location, c.MessageSeq, tt.want, c.Excerpt)
						}
					}
					if len(st.Citations) > 0 && (st.Excerpt != st.Citations[0].Excerpt || st.MessageSeq != st.Citations[0].MessageSeq) {
						t.Errorf("%s: the step's excerpt is not its first citation", sc.Name)
					}
				}
			}
			if cited == 0 {
				t.Errorf("no failed step cites the message for %s", tt.rule)
			}
		})
	}
}
