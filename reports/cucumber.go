package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/yhteistestaus/yhteistestaus"
)

// The Cucumber JSON document: an array of features, each with its
// scenarios ("elements") and their steps.
type (
	cucumberFeature struct {
		URI         string            `json:"uri"`
		ID          string            `json:"id"`
		Keyword     string            `json:"keyword"`
		Name        string            `json:"name"`
		Description string            `json:"description"`
		Line        int               `json:"line"`
		Tags        []cucumberTag     `json:"tags"`
		Elements    []cucumberElement `json:"elements"`
	}
	cucumberElement struct {
		ID          string         `json:"id"`
		Keyword     string         `json:"keyword"`
		Name        string         `json:"name"`
		Description string         `json:"description"`
		Line        int            `json:"line"`
		Type        string         `json:"type"`
		Tags        []cucumberTag  `json:"tags"`
		Steps       []cucumberStep `json:"steps"`
	}
	cucumberTag struct {
		Name string `json:"name"`
	}
	cucumberStep struct {
		Keyword string         `json:"keyword"`
		Name    string         `json:"name"`
		Line    int            `json:"line"`
		Result  cucumberResult `json:"result"`
	}
	cucumberResult struct {
		Status       string `json:"status"`
		Duration     int64  `json:"duration,omitempty"`
		ErrorMessage string `json:"error_message,omitempty"`
	}
)

// WriteCucumber writes run in the Cucumber JSON format (cucumber.json)
// that cucumber report tools read: an array of features with their
// scenarios as elements, tags as {"name": "@…"}, and each step's result
// with status, duration in nanoseconds and error message. Steps the vendor
// system does not support are "skipped" with the reason as error message,
// since the format has no status of its own for them.
func WriteCucumber(w io.Writer, run *yhteistestaus.Run) error {
	if run == nil {
		return fmt.Errorf("cucumber: nil run")
	}
	features := []cucumberFeature{}
	for _, g := range byFeature(run) {
		fid := cucumberID(g.Name)
		f := cucumberFeature{
			URI:      g.File,
			ID:       fid,
			Keyword:  "Feature",
			Name:     g.Name,
			Line:     1,
			Tags:     []cucumberTag{},
			Elements: []cucumberElement{},
		}
		for _, sc := range g.Scenarios {
			f.Elements = append(f.Elements, cucumberScenario(fid, sc, scenarioCause(run, sc.Name)))
		}
		features = append(features, f)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(features); err != nil {
		return fmt.Errorf("cucumber: %w", err)
	}
	return nil
}

// cucumberScenario turns one scenario into a Cucumber element. The
// failing step's error message starts with the root cause it failed on.
func cucumberScenario(featureID string, sc yhteistestaus.ScenarioResult, cause *yhteistestaus.RootCause) cucumberElement {
	e := cucumberElement{
		ID:      featureID + ";" + cucumberID(sc.Name),
		Keyword: "Scenario",
		Name:    sc.Name,
		Line:    sc.Line,
		Type:    "scenario",
		Tags:    []cucumberTag{},
		Steps:   []cucumberStep{},
	}
	for _, t := range sc.Tags {
		if !strings.HasPrefix(t, "@") {
			t = "@" + t
		}
		e.Tags = append(e.Tags, cucumberTag{Name: t})
	}
	first := true
	for _, s := range sc.Steps {
		msg := stepProblem(s)
		if cause != nil && first && (s.Status == yhteistestaus.StatusFailed || s.Status == yhteistestaus.StatusUndefined) {
			first = false
			msg = causeLine(cause) + msg
		}
		kw := strings.TrimSpace(s.Keyword)
		if kw != "" {
			kw += " "
		}
		e.Steps = append(e.Steps, cucumberStep{
			Keyword: kw,
			Name:    s.Text,
			Line:    s.Line,
			Result: cucumberResult{
				Status:       cucumberStatus(s.Status),
				Duration:     int64(s.Duration),
				ErrorMessage: strings.TrimSuffix(msg, "\n"),
			},
		})
	}
	return e
}

// cucumberStatus maps a step status to a Cucumber result status.
func cucumberStatus(s yhteistestaus.Status) string {
	switch s {
	case yhteistestaus.StatusPassed, yhteistestaus.StatusFailed, yhteistestaus.StatusUndefined:
		return string(s)
	case yhteistestaus.StatusSkipped, yhteistestaus.StatusNotSupported:
		return "skipped"
	}
	return "pending"
}

// cucumberID makes the id Cucumber derives from a name: lower case, runs
// of spaces as one hyphen.
func cucumberID(name string) string {
	return strings.Join(strings.Fields(strings.ToLower(name)), "-")
}
