package steps

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v21"

	"github.com/yhteistestaus/yhteistestaus/harness"
	"github.com/yhteistestaus/yhteistestaus/reference"
	"github.com/yhteistestaus/yhteistestaus/simulator/control"
	"github.com/yhteistestaus/yhteistestaus/sut"
)

// TestPhrasesAreUnambiguous checks that each sample phrase matches exactly
// the step definition it was written for, so that a new phrase never
// shadows an old one.
func TestPhrasesAreUnambiguous(t *testing.T) {
	tests := []struct {
		phrase string
		want   string // a fragment of the pattern that must match
	}{
		{`the system opens a case "K" for "A"`, `a case "([^"]+)" for (.+)$`},
		{`the system opens a case "K" for "A" and "B"`, `a case "([^"]+)" for (.+)$`},
		{`the system opens a case "K" in service task "10" for "A"`, `in service task`},
		{`the system has opened a case "K" in service task "25" for "A" and "B"`, `in service task`},
		{`the archive holds "D" in register "1"`, `in register`},
		{`the archive holds "P" with no MittKanta restriction`, `no MittKanta restriction`},
		{`the archive holds "crd:A" naming service task "10"`, `naming service task`},
		{`the last message carried correction data`, `correction data`},
		{`the archive holds "D" at version 2`, `at version`},
	}
	defs := Definitions()
	for _, tt := range tests {
		var matched []string
		for _, d := range defs {
			if regexp.MustCompile(d.Pattern).MatchString(tt.phrase) {
				matched = append(matched, d.Pattern)
			}
		}
		if len(matched) != 1 || !strings.Contains(matched[0], tt.want) {
			t.Errorf("%q matched %q, want exactly one pattern containing %q", tt.phrase, matched, tt.want)
		}
	}
}

func TestEveryDefinitionIsDocumented(t *testing.T) {
	for _, d := range Definitions() {
		if d.Doc == "" || d.Layer == "" {
			t.Errorf("step %s: got layer %q and doc %q, want both", d.Pattern, d.Layer, d.Doc)
		}
	}
}

func TestServiceTasks(t *testing.T) {
	tests := []struct {
		name string
		json string
		want []string
	}{
		{"a client relation document lists the task of each case",
			`{"asiakkuusasiakirja":{"sosiaalihuollon_palvelutehtava":[{"palvelutehtava":{"system":"urn:oid:1.2.246.537.6.1221.201601","code":"24"}},{"palvelutehtava":{"code":"10"}}]}}`,
			[]string{"24", "10"}},
		{"a case document names its one task", `{"asia":{"palvelutehtava":{"code":"25"}}}`, []string{"25"}},
		{"a task named twice counts once", `[{"palvelutehtava":{"code":"24"}},{"palvelutehtava":{"code":"24"}}]`, []string{"24"}},
		{"a document without tasks names none", `{"asia":{"asian_tila":"avoin"}}`, nil},
		{"a task without a code is not a task", `{"palvelutehtava":"24"}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := serviceTasks([]byte(tt.json))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if _, err := serviceTasks([]byte(`{"asia":`)); err == nil {
		t.Error("broken JSON: got no error, want one")
	}
}

// newTestWorld starts the embedded archive and the reference system and
// returns a scenario's World bound to them.
func newTestWorld(t *testing.T) *World {
	t.Helper()
	archive, err := harness.StartArchive()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := archive.Close(); err != nil {
			t.Error(err)
		}
	})
	keys, err := reference.NewKeys(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	sys, err := reference.New(reference.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	suite := &Suite{Driver: sys, Archive: &control.Client{BaseURL: archive.URL(), Session: "steps-test"}, Timeout: 30 * time.Second}
	return suite.NewWorld()
}

// TestContentSteps runs the content-checking steps against the reference
// system: each passes on what the archive holds and fails on what it does
// not.
func TestContentSteps(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the archive and the reference system")
	}
	ctx := context.Background()
	w := newTestWorld(t)
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("register", w.registerClient(ctx, "A", 40, false))
	must("open relation", w.clientRelation(ctx, sut.ActionOpenClientRelation, "A"))
	must("open case in task 10", w.openCaseInTask(ctx, "K", "10", `"A"`))
	must("store plan", w.storeDocument(ctx, "plan", "P", "K", nil, true))

	tests := []struct {
		name    string
		check   func() error
		wantErr string // empty: the step passes
	}{
		{"the case document names the task it was opened in", func() error { return w.namesServiceTask(ctx, "case:K", "10") }, ""},
		{"the case document names no other task", func() error { return w.namesServiceTask(ctx, "case:K", "26") }, `want "26"`},
		{"the client relation document names the relation's task", func() error { return w.namesServiceTask(ctx, "crd:A", "24") }, ""},
		{"a client's name stands for its client relation document", func() error { return w.namesServiceTask(ctx, "A", "24") }, ""},
		{"an unknown document is an error", func() error { return w.namesServiceTask(ctx, "X", "24") }, `no document "X"`},
		{"the plan is in the client register", func() error { return w.inRegister(ctx, "P", "1") }, ""},
		{"the plan is in no other register", func() error { return w.inRegister(ctx, "P", "2") }, `want "2"`},
		{"a plan stored without options has no MittKanta restriction", func() error { return w.noRestriction(ctx, "P") }, ""},
		{"a first version carries no correction data", func() error { return w.correctionData(ctx) }, "reason of correction"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.check()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("got %v, want the step to pass", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("got %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}

	t.Run("a delayed document has a MittKanta restriction", func(t *testing.T) {
		must("register", w.registerClient(ctx, "B", 40, false))
		must("open relation", w.clientRelation(ctx, sut.ActionOpenClientRelation, "B"))
		must("open case", w.openCase(ctx, "KB", `"B"`))
		tbl := table(t, [][2]string{{"delayed days", "30"}, {"restriction ground", "1"}})
		must("store delayed plan", w.storeDocument(ctx, "plan", "PB", "KB", tbl, true))
		if err := w.noRestriction(ctx, "PB"); err == nil || !strings.Contains(err.Error(), "want none") {
			t.Errorf("got %v, want an error saying the plan is restricted", err)
		}
	})
}

// table builds a two-column step table of document options.
func table(t *testing.T, rows [][2]string) *godog.Table {
	t.Helper()
	tbl := &godog.Table{}
	for _, r := range rows {
		tbl.Rows = append(tbl.Rows, &messages.PickleTableRow{Cells: []*messages.PickleTableCell{{Value: r[0]}, {Value: r[1]}}})
	}
	return tbl
}
