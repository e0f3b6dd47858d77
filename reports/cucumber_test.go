package reports

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/yhteistestaus/yhteistestaus"
)

// decodeCucumber reads cucumber.json into the writer's own types,
// rejecting any field they do not declare.
func decodeCucumber(t *testing.T, data []byte) []cucumberFeature {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var fs []cucumberFeature
	if err := dec.Decode(&fs); err != nil {
		t.Fatalf("decode cucumber.json: %v", err)
	}
	return fs
}

func TestCucumberShape(t *testing.T) {
	run := fixtureRun()
	var buf bytes.Buffer
	if err := WriteCucumber(&buf, run); err != nil {
		t.Fatal(err)
	}

	// The keys cucumber report tools read, checked on the raw JSON so a
	// renamed struct tag cannot slip through.
	var raw []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &raw); err != nil {
		t.Fatalf("cucumber.json is not a JSON array of objects: %v", err)
	}
	for _, f := range raw {
		for _, k := range []string{"uri", "id", "keyword", "name", "line", "tags", "elements"} {
			if _, ok := f[k]; !ok {
				t.Errorf("feature lacks %q", k)
			}
		}
		for _, e := range f["elements"].([]any) {
			el := e.(map[string]any)
			for _, k := range []string{"id", "keyword", "name", "line", "type", "tags", "steps"} {
				if _, ok := el[k]; !ok {
					t.Errorf("element %v lacks %q", el["name"], k)
				}
			}
			for _, s := range el["steps"].([]any) {
				st := s.(map[string]any)
				res, ok := st["result"].(map[string]any)
				if !ok {
					t.Errorf("step %v has no result object", st["name"])
					continue
				}
				if _, ok := res["status"].(string); !ok {
					t.Errorf("step %v: result.status is not a string", st["name"])
				}
			}
		}
	}

	fs := decodeCucumber(t, buf.Bytes())
	if got, want := len(fs), 2; got != want {
		t.Fatalf("got %d features, want %d", got, want)
	}
	if fs[0].URI != "features/client_relation.feature" || fs[0].Keyword != "Feature" {
		t.Errorf("feature 0: got uri %q keyword %q, want features/client_relation.feature, Feature", fs[0].URI, fs[0].Keyword)
	}
	failed := fs[1].Elements[0]
	if got, want := failed.ID, "client-documents;a-decision-about-a-minor-says-whether-the-guardian-may-see-it"; got != want {
		t.Errorf("element id: got %q, want %q", got, want)
	}
	if got, want := failed.Tags, []cucumberTag{{"@req:REQ-MK-014"}, {"@minor"}}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("tags: got %v, want %v", got, want)
	}
	tests := []struct {
		step       int
		status     string
		durationNs int64
		errorHas   string
	}{
		{0, "passed", 170_000_000, ""},
		{1, "passed", 205_000_000, ""},
		{2, "failed", 4_000_000, "ID-MINOR-GUARDIAN"},
		{3, "skipped", 0, ""},
	}
	for _, tt := range tests {
		r := failed.Steps[tt.step].Result
		if r.Status != tt.status || r.Duration != tt.durationNs {
			t.Errorf("step %d: got status %q duration %d, want %q %d", tt.step, r.Status, r.Duration, tt.status, tt.durationNs)
		}
		if tt.errorHas != "" && !strings.Contains(r.ErrorMessage, tt.errorHas) {
			t.Errorf("step %d: error_message %q lacks %q", tt.step, r.ErrorMessage, tt.errorHas)
		}
		if tt.errorHas == "" && r.ErrorMessage != "" {
			t.Errorf("step %d: got error_message %q, want none", tt.step, r.ErrorMessage)
		}
	}
	unsupported := fs[1].Elements[1].Steps[1].Result
	if unsupported.Status != "skipped" || !strings.Contains(unsupported.ErrorMessage, "does not support") {
		t.Errorf("not-supported step: got %+v, want skipped with the reason", unsupported)
	}
}

func TestCucumberStatus(t *testing.T) {
	tests := []struct {
		in   yhteistestaus.Status
		want string
	}{
		{yhteistestaus.StatusPassed, "passed"},
		{yhteistestaus.StatusFailed, "failed"},
		{yhteistestaus.StatusUndefined, "undefined"},
		{yhteistestaus.StatusSkipped, "skipped"},
		{yhteistestaus.StatusNotSupported, "skipped"},
		{"something new", "pending"},
	}
	for _, tt := range tests {
		if got := cucumberStatus(tt.in); got != tt.want {
			t.Errorf("cucumberStatus(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCucumberEmptyRunIsEmptyArray(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCucumber(&buf, &yhteistestaus.Run{}); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(buf.String()); got != "[]" {
		t.Errorf("got %s, want [] (cucumber tools reject null)", got)
	}
}

// A failing step's error message starts with the root cause it failed on.
func TestCucumberNamesTheRootCause(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCucumber(&buf, fixtureRun()); err != nil {
		t.Fatal(err)
	}
	var features []cucumberFeature
	if err := json.Unmarshal(buf.Bytes(), &features); err != nil {
		t.Fatal(err)
	}
	var msg string
	for _, f := range features {
		for _, e := range f.Elements {
			for _, s := range e.Steps {
				if s.Result.Status == "failed" {
					msg = s.Result.ErrorMessage
				}
			}
		}
	}
	if !strings.HasPrefix(msg, "root cause ID-MINOR-GUARDIAN at ") || !strings.Contains(msg, "blocks REQ-MK-014") {
		t.Errorf("the failed step's message does not start with its root cause:\n%s", msg)
	}
}
