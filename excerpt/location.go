package excerpt

import (
	"fmt"
	"strconv"
	"strings"
)

// location is a parsed finding location.
type location struct {
	// relative is true for a path that does not start with "/": it starts
	// below the document element.
	relative bool
	steps    []step
	// attr is the attribute of a final "/@name" step.
	attr string
	// pointer is the JSON pointer after "#", split into its reference
	// tokens, unescaped; nil when the location has none.
	pointer []string
}

// step is one element step of a path: a local name with an optional
// position (name[2]) or test (name[@code='x'], name[code/@code='x']).
type step struct {
	name string
	// pos is the 1-based position among same-named siblings; 0 when the
	// step has none.
	pos int
	// test is a predicate path relative to the element ("@code",
	// "code/@code", "code") that must have the value want.
	test []string
	want string
}

// maxSteps bounds the steps of a location.
const maxSteps = 64

// parseLocation parses a location. Anything after the path that is not a
// JSON pointer (a note such as " (with a name)") is ignored.
func parseLocation(s string) (location, error) {
	var loc location
	path, pointer, hasPointer := strings.Cut(s, "#")
	if hasPointer {
		loc.pointer = []string{}
		pointer = strings.TrimSpace(pointer)
		if pointer != "" {
			if !strings.HasPrefix(pointer, "/") {
				return loc, fmt.Errorf("excerpt %q: JSON pointer does not start with /: %w", s, ErrNotFound)
			}
			for _, tok := range strings.Split(pointer[1:], "/") {
				loc.pointer = append(loc.pointer, strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~"))
			}
		}
	}
	path = cutNote(strings.TrimSpace(path))
	if path == "" {
		return loc, fmt.Errorf("excerpt %q: no path: %w", s, ErrNotFound)
	}
	loc.relative = !strings.HasPrefix(path, "/")
	parts := splitPath(strings.TrimPrefix(path, "/"))
	if len(parts) > maxSteps {
		return loc, fmt.Errorf("excerpt %q: over %d steps: %w", s, maxSteps, ErrNotFound)
	}
	for i, p := range parts {
		if a, ok := strings.CutPrefix(p, "@"); ok && i == len(parts)-1 {
			loc.attr = localName(a)
			continue
		}
		st, err := parseStep(p)
		if err != nil {
			return loc, fmt.Errorf("excerpt %q: %v: %w", s, err, ErrNotFound)
		}
		loc.steps = append(loc.steps, st)
	}
	if len(loc.steps) == 0 {
		return loc, fmt.Errorf("excerpt %q: no element step: %w", s, ErrNotFound)
	}
	return loc, nil
}

// cutNote drops what follows the path at the first space outside
// brackets and quotes.
func cutNote(s string) string {
	if at := outside(s, ' '); len(at) > 0 {
		return s[:at[0]]
	}
	return s
}

// splitPath splits a path at the slashes outside brackets and quotes.
func splitPath(s string) []string {
	var parts []string
	start := 0
	for _, i := range outside(s, '/') {
		parts = append(parts, s[start:i])
		start = i + 1
	}
	return append(parts, s[start:])
}

// outside returns the byte offsets of sep in s outside predicates ([…])
// and quoted values.
func outside(s string, sep rune) []int {
	var at []int
	depth := 0
	var quote rune
	for i, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '[':
			depth++
		case r == ']':
			depth--
		case r == sep && depth <= 0:
			at = append(at, i)
		}
	}
	return at
}

// parseStep parses "name", "name[2]" or "name[test='value']".
func parseStep(s string) (step, error) {
	name, pred, hasPred := strings.Cut(s, "[")
	st := step{name: localName(name)}
	if st.name == "" {
		return st, fmt.Errorf("empty step in path")
	}
	if !hasPred {
		return st, nil
	}
	pred, ok := strings.CutSuffix(pred, "]")
	if !ok {
		return st, fmt.Errorf("step %q: unclosed predicate", s)
	}
	if n, err := strconv.Atoi(pred); err == nil {
		if n < 1 {
			return st, fmt.Errorf("step %q: position below 1", s)
		}
		st.pos = n
		return st, nil
	}
	test, want, ok := strings.Cut(pred, "=")
	if !ok {
		return st, fmt.Errorf("step %q: predicate is neither a position nor a test", s)
	}
	want = strings.TrimSpace(want)
	if len(want) < 2 || (want[0] != '\'' && want[0] != '"') || want[len(want)-1] != want[0] {
		return st, fmt.Errorf("step %q: the tested value is not quoted", s)
	}
	st.want = want[1 : len(want)-1]
	for _, p := range strings.Split(strings.TrimSpace(test), "/") {
		if p == "" {
			return st, fmt.Errorf("step %q: empty step in the predicate", s)
		}
		st.test = append(st.test, p)
	}
	return st, nil
}

// localName drops a namespace prefix: "ep2:functionCode" is
// "functionCode".
func localName(s string) string {
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		return s[i+1:]
	}
	return s
}
