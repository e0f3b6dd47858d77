package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// errHelp marks a command asked for its help (-h, --help, help CMD): the
// help went to standard output and the command exits 0.
var errHelp = errors.New("help requested")

// command is one subcommand's flags and the synopsis its help starts with.
type command struct {
	*flag.FlagSet
	synopsis string
}

// newCommand returns the flag set of a subcommand; synopsis is its usage
// line and description, printed by -h above the flags.
func newCommand(name, synopsis string) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &command{FlagSet: fs, synopsis: synopsis}
}

// help writes the command's synopsis and every flag with its default.
func (c *command) help(w io.Writer) {
	fmt.Fprintf(w, "usage: yhteistestaus %s\n\n", strings.TrimSpace(c.synopsis))
	n := 0
	c.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		return
	}
	fmt.Fprintln(w, "\nflags:")
	c.SetOutput(w)
	c.PrintDefaults()
	c.SetOutput(io.Discard)
}

// parse parses args, flags before, between or after the positional
// arguments ("--" ends the flags), and returns the positional arguments.
// -h prints the command's help to stdout and returns errHelp; a bad flag is
// a usage error naming the command.
func (c *command) parse(stdout io.Writer, args []string) ([]string, error) {
	var pos []string
	for {
		if err := c.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				c.help(stdout)
				return nil, errHelp
			}
			return nil, fmt.Errorf("%w: %s: %v (see yhteistestaus %s -h)", errUsage, c.Name(), err, c.Name())
		}
		rest := c.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// noArgs is a usage error unless args is empty.
func (c *command) noArgs(args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("%w: %s takes no arguments, got %q (see yhteistestaus %s -h)", errUsage, c.Name(), args, c.Name())
	}
	return nil
}

// flagGiven reports whether the flag was set on the command line.
func (c *command) flagGiven(name string) bool {
	given := false
	c.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
