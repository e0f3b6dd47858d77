package yhteistestaus

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// results.json gives every duration in milliseconds with the unit in its
// name, and reads back what it wrote.
func TestDurationsAreMilliseconds(t *testing.T) {
	run := Run{Profile: "p", Duration: 1500 * time.Millisecond, Scenarios: []ScenarioResult{{
		Name: "s", Duration: 250 * time.Millisecond,
		Steps: []StepResult{{Text: "a step", Duration: 42 * time.Millisecond, Status: StatusPassed}},
	}}}
	data, err := json.Marshal(run)
	if err != nil {
		t.Fatal(err)
	}
	got := string(data)
	for _, want := range []string{`"durationMs":1500`, `"durationMs":250`, `"durationMs":42`, `"profile":"p"`, `"text":"a step"`} {
		if !strings.Contains(got, want) {
			t.Errorf("JSON lacks %s: %s", want, got)
		}
	}
	if strings.Contains(got, `"duration"`) {
		t.Errorf("JSON still has a bare duration: %s", got)
	}
	var back Run
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.Duration != run.Duration || back.Scenarios[0].Duration != 250*time.Millisecond ||
		back.Scenarios[0].Steps[0].Duration != 42*time.Millisecond || back.Profile != "p" || back.Scenarios[0].Steps[0].Text != "a step" {
		t.Errorf("read back %+v", back)
	}
}
