package judge

import (
	"regexp"
	"strings"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/profiles"
)

// quotedName matches a quoted name in a step's text.
var quotedName = regexp.MustCompile(`"[^"]*"`)

// Phrase is a step's text with its quoted names elided, so that one check
// failing in the same step of different scenarios is one root cause:
// `the system has opened a case "…" for "…"`.
func Phrase(text string) string {
	return quotedName.ReplaceAllString(text, `"…"`)
}

func joinLines(ls []profiles.LineRange) string {
	var parts []string
	for _, l := range ls {
		parts = append(parts, l.String())
	}
	return strings.Join(parts, ", ")
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// excerptFor returns the step's fragment of the message as received for
// the rule (steps cite one per rule), and the message's sequence number.
// A step that cites no rule keeps its own excerpt.
func excerptFor(st yhteistestaus.StepResult, rule string) (string, int) {
	for _, c := range st.Citations {
		if c.Rule == rule {
			return c.Excerpt, c.MessageSeq
		}
	}
	if len(st.Citations) == 0 {
		return st.Excerpt, st.MessageSeq
	}
	return "", 0
}
