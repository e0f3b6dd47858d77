package main

import (
	"errors"
	"fmt"

	"github.com/yhteistestaus/yhteistestaus/bundle"
)

// version prints the module version and the VCS revision of the build.
func (m *Main) version(args []string) error {
	fs := newCommand("version", `version

Prints the module version and the VCS revision, time and state the binary
was built from.`)
	rest, err := fs.parse(m.Stdout, args)
	if err != nil {
		return err
	}
	if err := fs.noArgs(rest); err != nil {
		return err
	}
	b, ok := bundle.ReadBuild()
	if !ok {
		return errors.New("version: the binary carries no build information")
	}
	fmt.Fprintf(m.Stdout, "yhteistestaus %s (%s)\n", b.Version, b.GoVersion)
	if b.Revision != "" {
		state := ""
		if b.Modified {
			state = ", modified"
		}
		fmt.Fprintf(m.Stdout, "%s %s, %s%s\n", b.VCS, b.Revision, b.Time, state)
	}
	return nil
}
