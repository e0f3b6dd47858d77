// Package excerpt cuts the offending fragment (ote) out of an archiving
// message as the archive received it: the element a finding's location
// points at, with a few lines of context, so that a report can show a
// vendor what its system sent instead of only a path.
//
// A location is the XPath-like path the archive's findings use
// (/ClinicalDocument/recordTarget[2]/patientRole/id/@extension, or a path
// relative to the document element such as localSocialHeader/functionCode),
// optionally followed by a JSON pointer into the base64 structured content
// of an element (…/nonXMLBody/json#/sosiaalihuollon_paatos/asiakas/0).
// When the element the location names is missing, the excerpt shows the
// element it belongs in, with a comment where it is missing.
//
// Every personal identity code (henkilötunnus) in an excerpt is masked the
// way the rest of the harness masks it (hetu.Mask): a valid 900-series test
// identity, which names nobody, is shown, and any other code, wherever it
// appears (attribute, text or structured content), is shown as asterisks.
//
// The message is read with the simulator's one hardened XML reader
// (wire.ParseXML) and its base64 content with body.Base64Text, within the
// archive's own limits; what is shown of the elements is their tag,
// prefixes and attributes as read, long text shortened.
package excerpt

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/beevik/etree"

	"github.com/yhteistestaus/yhteistestaus/hetu"
)

// Message is a message as the archive received it: the archiving frame
// (siirtokehys) and the CDA document it carried. Either may be empty.
type Message struct {
	Frame    []byte
	Document []byte
}

// ErrNotFound is returned when no part of the message holds the location's
// first element, or when the location is not a path.
var ErrNotFound = errors.New("location not in the message")

// Marker starts the lines of the offending element; context lines start
// with as many spaces.
const Marker = "> "

// The sizes of an excerpt.
const (
	// maxLines bounds the lines of an excerpt.
	maxLines = 40
	// maxLine bounds one line, in characters.
	maxLine = 240
	// maxText bounds the text content shown for one element or value.
	maxText = 100
	// siblings is how many siblings are shown on each side of the target.
	siblings = 2
	// targetDepth is how many levels of the target element are expanded.
	targetDepth = 3
	// missingHead and missingTail are how many children of the element a
	// missing one belongs in are shown, from its start and its end.
	missingHead, missingTail = 2, 6
)

// Of returns the excerpt of msg at location; see Received.At. To cut
// several excerpts out of one message, Read it once.
func Of(msg Message, location string) (string, error) {
	return Read(msg).At(location)
}

// Received is a message read once, for cutting excerpts out of it.
type Received struct {
	// parts are the document's and the frame's root elements, nil for a
	// part that is empty or does not read; errs say why one did not.
	parts [2]*etree.Element
	errs  []string
}

// Read reads the message's document and frame.
func Read(msg Message) *Received {
	r := &Received{}
	for i, part := range [][]byte{msg.Document, msg.Frame} {
		if len(part) == 0 {
			continue
		}
		root, err := parseXML(part)
		if err != nil {
			r.errs = append(r.errs, err.Error())
			continue
		}
		r.parts[i] = root
	}
	return r
}

// At returns the excerpt at location: the offending element's lines
// marked with Marker, a few lines of context, identity codes masked. The
// document is searched for locations that start at its element or are
// relative, the frame for locations that start at the frame's element.
func (r *Received) At(location string) (string, error) {
	loc, err := parseLocation(location)
	if err != nil {
		return "", err
	}
	for i, root := range r.parts {
		if loc.relative && i > 0 {
			break // a relative location is the document's
		}
		if root == nil || !loc.relative && loc.steps[0].name != root.Tag {
			continue
		}
		return render(root, loc), nil
	}
	if len(r.errs) > 0 {
		return "", fmt.Errorf("excerpt %s: %w (%s)", location, ErrNotFound, strings.Join(r.errs, "; "))
	}
	return "", fmt.Errorf("excerpt %s: %w", location, ErrNotFound)
}

// render cuts the excerpt of loc out of the tree at root.
func render(root *etree.Element, loc location) string {
	steps := loc.steps
	if !loc.relative {
		steps = steps[1:]
	}
	target, missing := resolve(root, steps)
	var w writer
	if loc.pointer != nil {
		if missing == "" {
			if err := renderJSON(&w, target, loc.pointer); err == nil {
				return w.String()
			}
			// Content that is not base64 JSON: show the element instead.
			w = writer{}
		}
	}
	renderXML(&w, target, missing)
	return w.String()
}

// hetuPattern matches what looks like a personal identity code: six
// digits, a century sign, three digits and a check character.
var hetuPattern = regexp.MustCompile(`\b[0-9]{6}[-+A-FU-Y][0-9]{3}[0-9A-Z]\b`)

// Mask replaces every identity code in s as hetu.Mask does: a valid test
// identity stays, any other code becomes asterisks.
func Mask(s string) string {
	return hetuPattern.ReplaceAllStringFunc(s, hetu.Mask)
}

// writer collects excerpt lines.
type writer struct {
	lines     []string
	truncated bool
}

// line adds one line at the indentation level, marked when mark is true.
func (w *writer) line(level int, mark bool, text string) {
	if len(w.lines) >= maxLines {
		w.truncated = true
		return
	}
	prefix := strings.Repeat(" ", len(Marker))
	if mark {
		prefix = Marker
	}
	text = Mask(oneLine(text))
	if r := []rune(text); len(r) > maxLine {
		text = string(r[:maxLine]) + "…"
	}
	w.lines = append(w.lines, prefix+strings.Repeat("  ", level)+text)
}

// String returns the excerpt, one line per line, ending in a newline.
func (w *writer) String() string {
	s := strings.Join(w.lines, "\n")
	if w.truncated {
		s += "\n" + strings.Repeat(" ", len(Marker)) + "…"
	}
	return s + "\n"
}

// spaces matches runs of white space, which an excerpt line shows as one
// space.
var spaces = regexp.MustCompile(`\s+`)

// oneLine folds white space, so that a tag written over several lines
// reads as one.
func oneLine(s string) string {
	return strings.TrimSpace(spaces.ReplaceAllString(s, " "))
}

// shorten cuts text to maxText characters, saying how long it was.
func shorten(s string) string {
	s = oneLine(s)
	r := []rune(s)
	if len(r) <= maxText {
		return s
	}
	return fmt.Sprintf("%s… (%d characters)", string(r[:maxText]), len(r))
}
