package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/yhteistestaus/yhteistestaus/catalogue"
	"github.com/yhteistestaus/yhteistestaus/profiles"
	"github.com/yhteistestaus/yhteistestaus/runner"
	"github.com/yhteistestaus/yhteistestaus/steps"
)

func (m *Main) steps(args []string) error {
	fs := newCommand("steps", `steps

Lists the step phrases a scenario author can use, by layer.`)
	rest, err := fs.parse(m.Stdout, args)
	if err != nil {
		return err
	}
	if err := fs.noArgs(rest); err != nil {
		return err
	}
	layer := ""
	for _, d := range steps.Definitions() {
		if d.Layer != layer {
			layer = d.Layer
			fmt.Fprintf(m.Stdout, "\n%s:\n", strings.ToUpper(layer[:1])+layer[1:])
		}
		fmt.Fprintf(m.Stdout, "  %s\n      %s\n", d.Pattern, d.Doc)
	}
	return nil
}

// requirementsAndTags loads the requirement catalogue (its link to the rule
// catalogue checked) and the scenario tags of the embedded features.
func requirementsAndTags() (*profiles.Catalogue, map[string][]string, error) {
	cat, err := catalogue.DefaultRequirements()
	if err != nil {
		return nil, nil, err
	}
	tags, err := runner.ScenarioTags(runner.DefaultFeatures())
	if err != nil {
		return nil, nil, err
	}
	return cat, tags, nil
}

func (m *Main) profiles(args []string) error {
	fs := newCommand("profiles", `profiles

Lists the information-system profiles with their names and coverage.`)
	rest, err := fs.parse(m.Stdout, args)
	if err != nil {
		return err
	}
	if err := fs.noArgs(rest); err != nil {
		return err
	}
	cat, tags, err := requirementsAndTags()
	if err != nil {
		return err
	}
	for _, p := range cat.Profiles() {
		cov, err := cat.Coverage(p.ID, tags)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "%s\n  fi  %s\n  sv  %s\n  en  %s\n  %s\n\n", p.ID, p.Names.FI, p.Names.SV, p.Names.EN, cov)
	}
	return nil
}

func (m *Main) requirements(args []string) (int, error) {
	if len(args) > 0 && args[0] == "check" {
		return m.requirementsCheck(args[1:])
	}
	fs := newCommand("requirements", `requirements [flags]
       yhteistestaus requirements check

Prints the requirement catalogue with each requirement's scenarios. "check"
fails when a mandatory automatic requirement has no scenario, a tag names an
unknown requirement, or a requirement names an unknown validation rule.`)
	profile := fs.String("profile", "", "only the requirements of this profile `id`")
	format := fs.String("format", "md", "output `format`: csv, md or json")
	rest, err := fs.parse(m.Stdout, args)
	if err != nil {
		return 0, err
	}
	if len(rest) == 1 && rest[0] == "check" {
		return m.requirementsCheck(nil)
	}
	if err := fs.noArgs(rest); err != nil {
		return 0, err
	}
	if !slices.Contains([]string{"csv", "md", "json"}, *format) {
		return 0, fmt.Errorf("%w: requirements: --format must be csv, md or json, not %q", errUsage, *format)
	}
	cat, tags, err := requirementsAndTags()
	if err != nil {
		return 0, err
	}
	type row struct {
		ID            string   `json:"id"`
		Title         string   `json:"title"`
		Section       string   `json:"section"`
		Lines         string   `json:"lines"`
		Level         string   `json:"level"`
		Verification  string   `json:"verification"`
		Area          string   `json:"area"`
		Applicability string   `json:"applicability,omitempty"`
		Coverage      string   `json:"coverage"`
		Rules         []string `json:"rules,omitempty"`
		Scenarios     []string `json:"scenarios,omitempty"`
	}
	var rows []row
	add := func(r *profiles.Requirement, applicability string) {
		var lines []string
		for _, l := range r.Lines {
			lines = append(lines, l.String())
		}
		rows = append(rows, row{ID: r.ID, Title: r.Title, Section: r.Section, Lines: strings.Join(lines, ", "),
			Level: string(r.Level), Verification: string(r.Verification), Area: r.Area, Applicability: applicability,
			Coverage: coverageOf(r, tags), Rules: r.Rules, Scenarios: tags[r.ID]})
	}
	if *profile != "" {
		if cat.Profile(*profile) == nil {
			return 0, fmt.Errorf("unknown profile %q", *profile)
		}
		for _, pr := range cat.RequirementsFor(*profile) {
			if pr.Applicability != profiles.Excluded {
				add(pr.Requirement, string(pr.Applicability))
			}
		}
	} else {
		for _, r := range cat.Requirements() {
			add(r, "")
		}
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return exitOK, enc.Encode(rows)
	case "csv":
		w := csv.NewWriter(m.Stdout)
		w.Write([]string{"id", "title", "section", "lines", "level", "verification", "area", "applicability", "coverage", "rules", "scenarios"})
		for _, r := range rows {
			w.Write([]string{r.ID, r.Title, r.Section, r.Lines, r.Level, r.Verification, r.Area, r.Applicability, r.Coverage,
				strings.Join(r.Rules, " "), strings.Join(r.Scenarios, "; ")})
		}
		w.Flush()
		return exitOK, w.Error()
	case "md":
		fmt.Fprintln(m.Stdout, "| id | title | section | lines | level | verification | area | applicability | coverage |")
		fmt.Fprintln(m.Stdout, "|---|---|---|---|---|---|---|---|---|")
		for _, r := range rows {
			fmt.Fprintf(m.Stdout, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", r.ID, strings.ReplaceAll(r.Title, "|", "\\|"),
				r.Section, r.Lines, r.Level, r.Verification, r.Area, r.Applicability, r.Coverage)
		}
		return exitOK, nil
	}
	return 0, fmt.Errorf("%w: requirements: --format must be csv, md or json", errUsage)
}

func coverageOf(r *profiles.Requirement, tags map[string][]string) string {
	switch {
	case r.Verification != profiles.Automatic:
		return string(r.Verification)
	case len(tags[r.ID]) > 0:
		return fmt.Sprintf("automated (%d scenarios)", len(tags[r.ID]))
	case r.NotYetAutomated:
		return "not yet automated"
	}
	return "NO SCENARIO"
}

func (m *Main) requirementsCheck(args []string) (int, error) {
	if len(args) > 0 {
		return 0, fmt.Errorf("%w: requirements check takes no arguments", errUsage)
	}
	cat, tags, err := requirementsAndTags()
	if err != nil {
		return 0, err
	}
	problems := profiles.Check(cat, tags)
	for _, p := range problems {
		fmt.Fprintln(m.Stdout, p)
	}
	for _, p := range cat.Profiles() {
		cov, err := cat.Coverage(p.ID, tags)
		if err != nil {
			return 0, err
		}
		fmt.Fprintln(m.Stdout, cov)
	}
	if len(problems) > 0 {
		fmt.Fprintf(m.Stdout, "requirements check: %d problem(s)\n", len(problems))
		return exitInvalid, nil
	}
	fmt.Fprintln(m.Stdout, "requirements check: ok")
	return exitOK, nil
}
