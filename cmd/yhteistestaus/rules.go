package main

import (
	"encoding/json"
	"fmt"

	"github.com/yhteistestaus/yhteistestaus/catalogue"
)

func (m *Main) rules(args []string) error {
	fs := newCommand("rules", `rules [flags]

Lists the validation rules of the catalogue with their handbook sources.`)
	format := fs.String("format", "text", "output `format`: text or json")
	rest, err := fs.parse(m.Stdout, args)
	if err != nil {
		return err
	}
	if err := fs.noArgs(rest); err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("%w: rules: --format must be text or json, not %q", errUsage, *format)
	}
	all := catalogue.DefaultRules().All()
	if *format == "json" {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(all)
	}
	for _, r := range all {
		if _, err := fmt.Fprintf(m.Stdout, "%-28s %-11s %-7s %s\n%40s[%s] %s\n", r.ID, r.Stage, r.Severity, r.Title, "", r.Basis, r.Source()); err != nil {
			return err
		}
	}
	return nil
}
