package profiles

import (
	"fmt"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"
)

// LineRange is an inclusive range of lines in the handbook file,
// written "L123" or "L123-L456" in the data.
type LineRange struct {
	From, To int
}

var lineRangeRE = regexp.MustCompile(`^L([0-9]{1,6})(?:-L([0-9]{1,6}))?$`)

// ParseLineRange parses "L123" or "L123-L456".
func ParseLineRange(s string) (LineRange, error) {
	m := lineRangeRE.FindStringSubmatch(s)
	if m == nil {
		return LineRange{}, fmt.Errorf("line range %q: want L<n> or L<n>-L<m>", s)
	}
	from, _ := strconv.Atoi(m[1])
	to := from
	if m[2] != "" {
		to, _ = strconv.Atoi(m[2])
	}
	if from < 1 || to < from {
		return LineRange{}, fmt.Errorf("line range %q: want 1 <= from <= to", s)
	}
	return LineRange{From: from, To: to}, nil
}

// String formats the range as the data writes it.
func (r LineRange) String() string {
	if r.From == r.To {
		return "L" + strconv.Itoa(r.From)
	}
	return fmt.Sprintf("L%d-L%d", r.From, r.To)
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (r *LineRange) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	lr, err := ParseLineRange(s)
	if err != nil {
		return err
	}
	*r = lr
	return nil
}
