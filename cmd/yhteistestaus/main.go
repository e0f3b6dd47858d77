// Command yhteistestaus is the co-testing harness for client data systems
// that connect to Kanta's social-welfare client data archive.
//
// Usage:
//
//	yhteistestaus validate --frame FILE --document FILE [--format text|json] [--organisation FILE]
//	yhteistestaus validate [--format text|json] [--organisation FILE] FILE
//	yhteistestaus serve [--addr 127.0.0.1:8080] [--organisation FILE]
//	yhteistestaus rules [--format text|json]
//
// validate exits 0 when no finding has severity error, 1 when one does and
// 2 for usage or I/O errors.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit statuses.
const (
	exitOK      = 0
	exitInvalid = 1
	exitUsage   = 2
)

// errUsage marks a usage error; the command prints it and exits 2.
var errUsage = errors.New("usage error")

// errUnknownCommand is a usage error naming no command; the global usage
// follows it.
var errUnknownCommand = fmt.Errorf("%w: unknown command", errUsage)

func main() {
	ctx, stop := signalNotify(context.Background())
	defer stop()
	m := &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
	os.Exit(m.Run(ctx, os.Args[1:]))
}

// Main is the command's wiring, reusable from tests.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Ready, when set, is called by serve with the server's URL once it
	// listens (tests use it).
	Ready func(url string)
}

const usage = `yhteistestaus: co-testing harness for Kanta's social-welfare client data archive

Commands:
  validate --frame FILE --document FILE [--format text|json] [--organisation FILE] [--codes DIR] [--sosmeta DIR]
                 validate an archiving frame and its CDA document
  validate [--format text|json] [--organisation FILE] [--codes DIR] [--sosmeta DIR] FILE
                 validate a SOAP envelope, a MIME message or a frame with the document inline
  serve [--addr 127.0.0.1:8080] [--tokens FILE] [--organisation FILE] [--codes DIR] [--sosmeta DIR]
                 run the mock archive: SOAP endpoint, validation service, control API
  rules [--format text|json]
                 list the validation rules with their handbook sources
  run --profile ID [--sut reference|URL|exec:CMD|manual] [--tags EXPR] [--out DIR]
      [--archive URL] [--attestations FILE] [--lang fi|sv|en] [--timeout D] [--fault NAME]...
      [--organisation FILE] [--codes DIR] [--sosmeta DIR] [--bundle FILE.zip]
                 drive the system under test through the profile's scenarios and write the reports
  bundle verify FILE.zip
                 check an evidence bundle against its SHA-256 manifest
  reference-sut [--addr 127.0.0.1:8081] [--fault NAME]... [--list-faults]
                 serve the built-in reference vendor system as an HTTP driver adapter
  steps          list the step phrases a scenario author can use
  profiles       list the profiles with their names and coverage
  requirements [--profile ID] [--format csv|md|json]
                 print the requirement catalogue with coverage
  requirements check
                 fail when a mandatory automatic requirement has no scenario, a tag names an
                 unknown requirement, or a requirement names an unknown validation rule

--organisation FILE (or $YHTEISTESTAUS_ORGANISATION) declares the vendor's organisations and service
units; with --sut reference the reference system archives under the first declared service unit.
--codes DIR (or $YHTEISTESTAUS_CODES) loads code lists (YAML, or OID.csv of code;display) that
replace the bundled ones and their SIM-* values.
--sosmeta DIR (or $YHTEISTESTAUS_SOSMETA) judges structured content by THL's Sosmeta structures in
DIR (JSON Schemas named by OID, as THL exports them) instead of the embedded fallback schemas.

  version        print the module version and the VCS revision it was built from
  help CMD       print a command's flags with their defaults (also: yhteistestaus CMD -h)

validate exits 0 when nothing has severity error, 1 when something does, 2 on usage or I/O errors.
run exits 0 when the system conforms for what was asked (with --tags: the requirements the
selected scenarios verify), 1 when a requirement failed on the system's messages or answers,
2 on a usage error or when the run could not test (adapter unreachable, exec hook missing or
crashing, archive unreachable, operator silent with nothing received: "not tested") or the
profile has nothing automated to verify.
`

// Run runs the command line args and returns the exit status.
func (m *Main) Run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "validate":
		var status int
		status, err = m.validate(ctx, args[1:])
		if err == nil {
			return status
		}
	case "serve":
		err = m.serve(ctx, args[1:])
	case "run":
		var status int
		status, err = m.run(ctx, args[1:])
		if err == nil {
			return status
		}
	case "bundle":
		var status int
		status, err = m.bundleCommand(args[1:])
		if err == nil {
			return status
		}
	case "reference-sut":
		err = m.referenceSUT(ctx, args[1:])
	case "steps":
		err = m.steps(args[1:])
	case "profiles":
		err = m.profiles(args[1:])
	case "requirements":
		var status int
		status, err = m.requirements(args[1:])
		if err == nil {
			return status
		}
	case "rules":
		err = m.rules(args[1:])
	case "version":
		err = m.version(args[1:])
	case "help", "-h", "--help":
		if len(args) > 1 && args[0] == "help" {
			return m.Run(ctx, []string{args[1], "-h"})
		}
		fmt.Fprint(m.Stdout, usage)
		return exitOK
	default:
		err = fmt.Errorf("%w %q", errUnknownCommand, args[0])
	}
	if err != nil {
		if errors.Is(err, errHelp) {
			return exitOK
		}
		if errors.Is(err, errUnknownCommand) {
			fmt.Fprintf(m.Stderr, "yhteistestaus: %v\n\n%s", err, usage)
			return exitUsage
		}
		fmt.Fprintf(m.Stderr, "yhteistestaus: %v\n", err)
		return exitUsage
	}
	return exitOK
}

// signalNotify returns a context cancelled on SIGINT or SIGTERM.
func signalNotify(ctx context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}
