package main

import (
	"errors"
	"fmt"
	"runtime/debug"
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
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return errors.New("version: the binary carries no build information")
	}
	fmt.Fprintf(m.Stdout, "yhteistestaus %s (%s)\n", bi.Main.Version, bi.GoVersion)
	settings := make(map[string]string)
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		state := ""
		if settings["vcs.modified"] == "true" {
			state = ", modified"
		}
		fmt.Fprintf(m.Stdout, "%s %s, %s%s\n", settings["vcs"], rev, settings["vcs.time"], state)
	}
	return nil
}
