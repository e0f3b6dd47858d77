package runner

import (
	"bytes"
	"fmt"
	"io/fs"
	"strings"

	gherkin "github.com/cucumber/gherkin/go/v26"
	messages "github.com/cucumber/messages/go/v21"

	"github.com/yhteistestaus/yhteistestaus"
)

// attachLines fills in each scenario's feature name and line, and its
// steps' keywords and lines, from the feature files.
func attachLines(feats fs.FS, scs []yhteistestaus.ScenarioResult) error {
	docs := make(map[string]*messages.GherkinDocument)
	for i := range scs {
		sc := &scs[i]
		uri := strings.TrimPrefix(sc.FeatureFile, "./")
		doc, ok := docs[uri]
		if !ok {
			data, err := fs.ReadFile(feats, uri)
			if err != nil {
				return fmt.Errorf("read feature %s: %w", uri, err)
			}
			doc, err = gherkin.ParseGherkinDocument(bytes.NewReader(data), (&messages.Incrementing{}).NewId)
			if err != nil {
				return fmt.Errorf("parse feature %s: %w", uri, err)
			}
			docs[uri] = doc
		}
		if doc.Feature == nil {
			continue
		}
		sc.Feature = doc.Feature.Name
		for _, child := range doc.Feature.Children {
			s := child.Scenario
			if s == nil || s.Name != sc.Name {
				continue
			}
			sc.Line = int(s.Location.Line)
			steps := backgroundSteps(doc.Feature)
			steps = append(steps, s.Steps...)
			for j := range sc.Steps {
				if j < len(steps) && strings.TrimSpace(steps[j].Text) == sc.Steps[j].Text {
					sc.Steps[j].Keyword = strings.TrimSpace(steps[j].Keyword)
					sc.Steps[j].Line = int(steps[j].Location.Line)
				}
			}
			break
		}
	}
	return nil
}

func backgroundSteps(f *messages.Feature) []*messages.Step {
	for _, c := range f.Children {
		if c.Background != nil {
			return append([]*messages.Step(nil), c.Background.Steps...)
		}
	}
	return nil
}

// ScenarioTags reads every feature file of feats and returns, for each
// requirement id tagged @req:ID or @about:ID on a scenario (or its
// feature), the names of those scenarios.
func ScenarioTags(feats fs.FS) (map[string][]string, error) {
	out := make(map[string][]string)
	err := fs.WalkDir(feats, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".feature") {
			return nil
		}
		data, err := fs.ReadFile(feats, p)
		if err != nil {
			return fmt.Errorf("read feature %s: %w", p, err)
		}
		doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(data), (&messages.Incrementing{}).NewId)
		if err != nil {
			return fmt.Errorf("parse feature %s: %w", p, err)
		}
		for _, pk := range gherkin.Pickles(*doc, p, (&messages.Incrementing{}).NewId) {
			for _, t := range pk.Tags {
				id, ok := strings.CutPrefix(t.Name, "@req:")
				if !ok {
					id, ok = strings.CutPrefix(t.Name, "@about:")
				}
				if ok {
					out[id] = append(out[id], p+": "+pk.Name)
				}
			}
		}
		return nil
	})
	return out, err
}
