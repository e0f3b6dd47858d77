package runner

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v21"
)

// ErrTags marks a tag expression that does not parse or selects no
// scenario of the profile: a usage error.
var ErrTags = errors.New("tag expression")

// tagName is one tag of an expression: "@area:case-management", "~@negative".
var tagName = regexp.MustCompile(`^~?@[^\s,&~@]+$`)

// CheckTags checks a tag expression in godog's syntax: tags joined by ","
// (or) and "&&" (and), each tag "@name" or "~@name" (not). It is the only
// syntax godog applies; anything else (Cucumber's "not @a", "@a and @b")
// would silently select nothing.
func CheckTags(expr string) error {
	if strings.TrimSpace(expr) == "" {
		return fmt.Errorf("%w %q: empty", ErrTags, expr)
	}
	for and := range strings.SplitSeq(expr, "&&") {
		for tag := range strings.SplitSeq(and, ",") {
			tag = strings.TrimSpace(tag)
			if !tagName.MatchString(tag) {
				return fmt.Errorf("%w %q: %q is not a tag; write @name or ~@name (not), joined by \",\" (or) and \"&&\" (and), e.g. '@area:case-management && ~@negative'", ErrTags, expr, tag)
			}
		}
	}
	return nil
}

// scenario is one scenario (a godog pickle) as godog parsed it, with the
// lines of its feature file.
type scenario struct {
	feature string
	line    int
	// steps maps a step's id in the pickle to its keyword and line.
	steps map[string]stepLine
}

type stepLine struct {
	keyword string
	line    int
}

// selection is what a tag expression selects of the feature files, as godog
// itself parses and filters them: the pickles by id.
type selection struct {
	count     int
	scenarios map[string]scenario
}

// selectScenarios asks godog which scenarios the tags select, with their
// feature names and lines from godog's own parse of the files.
func selectScenarios(feats fs.FS, tags string) (*selection, error) {
	fts, err := godog.TestSuite{Options: &godog.Options{FS: feats, Paths: []string{"."}, Tags: tags}}.RetrieveFeatures()
	if err != nil {
		return nil, fmt.Errorf("read the feature files: %w", err)
	}
	sel := &selection{scenarios: make(map[string]scenario)}
	for _, ft := range fts {
		nodes := astSteps(ft.GherkinDocument)
		for _, p := range ft.Pickles {
			sel.count++
			sc := scenario{feature: ft.Feature.Name, steps: make(map[string]stepLine)}
			if len(p.AstNodeIds) > 0 {
				sc.line = nodes.scenarios[p.AstNodeIds[0]]
			}
			for _, st := range p.Steps {
				if len(st.AstNodeIds) > 0 {
					sc.steps[st.Id] = nodes.steps[st.AstNodeIds[0]]
				}
			}
			sel.scenarios[p.Id] = sc
		}
	}
	return sel, nil
}

// astNodes are the lines of a Gherkin document's scenarios and steps by
// AST node id.
type astNodes struct {
	scenarios map[string]int
	steps     map[string]stepLine
}

func astSteps(doc *messages.GherkinDocument) astNodes {
	n := astNodes{scenarios: make(map[string]int), steps: make(map[string]stepLine)}
	if doc == nil || doc.Feature == nil {
		return n
	}
	addSteps := func(ss []*messages.Step) {
		for _, s := range ss {
			n.steps[s.Id] = stepLine{keyword: strings.TrimSpace(s.Keyword), line: int(s.Location.Line)}
		}
	}
	addChildren := func(cs []*messages.FeatureChild) {
		for _, c := range cs {
			if c.Background != nil {
				addSteps(c.Background.Steps)
			}
			if c.Scenario != nil {
				n.scenarios[c.Scenario.Id] = int(c.Scenario.Location.Line)
				addSteps(c.Scenario.Steps)
			}
		}
	}
	addChildren(doc.Feature.Children)
	for _, c := range doc.Feature.Children {
		if c.Rule == nil {
			continue
		}
		for _, rc := range c.Rule.Children {
			if rc.Background != nil {
				addSteps(rc.Background.Steps)
			}
			if rc.Scenario != nil {
				n.scenarios[rc.Scenario.Id] = int(rc.Scenario.Location.Line)
				addSteps(rc.Scenario.Steps)
			}
		}
	}
	return n
}

// ScenarioTags returns, for each requirement id tagged @req:ID or @about:ID
// on a scenario (or its feature) of feats, the scenarios as "file: name".
func ScenarioTags(feats fs.FS) (map[string][]string, error) {
	fts, err := godog.TestSuite{Options: &godog.Options{FS: feats, Paths: []string{"."}}}.RetrieveFeatures()
	if err != nil {
		return nil, fmt.Errorf("read the feature files: %w", err)
	}
	out := make(map[string][]string)
	for _, ft := range fts {
		for _, p := range ft.Pickles {
			for _, t := range p.Tags {
				id, ok := strings.CutPrefix(t.Name, "@req:")
				if !ok {
					id, ok = strings.CutPrefix(t.Name, "@about:")
				}
				if ok {
					out[id] = append(out[id], strings.TrimPrefix(p.Uri, "./")+": "+p.Name)
				}
			}
		}
	}
	return out, nil
}
