package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fatih/color"
	"github.com/mattn/go-isatty"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/reference"
	"github.com/yhteistestaus/yhteistestaus/reports"
	"github.com/yhteistestaus/yhteistestaus/runner"
	"github.com/yhteistestaus/yhteistestaus/simulator/control"
	"github.com/yhteistestaus/yhteistestaus/sut"
)

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func (m *Main) run(ctx context.Context, args []string) (int, error) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	profile := fs.String("profile", "", "information-system profile `id`, e.g. vaihe2-kasittely")
	sutSpec := fs.String("sut", "reference", "system under test: reference, an http(s):// adapter URL, exec:COMMAND or manual")
	tags := fs.String("tags", "", "extra godog tag `expression`, e.g. '@area:case-management && ~@negative'")
	out := fs.String("out", "reports", "report `directory`")
	archive := fs.String("archive", "", "base `URL` of a running simulator (default: start the embedded one)")
	session := fs.String("session", "", "archive session name (default: a fresh one)")
	attestations := fs.String("attestations", "", "YAML `file` of the vendor's attestations")
	lang := fs.String("lang", "fi", "language of manual instructions: fi, sv or en")
	timeout := fs.Duration("timeout", 2*time.Minute, "how long one action may take (manual: the operator's time)")
	orgFile := organisationFlag(fs)
	codesDir := codesFlag(fs)
	var faults multiFlag
	fs.Var(&faults, "fault", "make the reference system break one requirement (repeatable; see reference-sut --list-faults)")
	if err := fs.Parse(args); err != nil {
		return 0, fmt.Errorf("%w: run: %v", errUsage, err)
	}
	if *profile == "" || fs.NArg() > 0 {
		return 0, fmt.Errorf("%w: run: give --profile ID", errUsage)
	}
	opts := runner.Options{Profile: *profile, Archive: *archive, Session: *session, Tags: *tags, StepTimeout: *timeout}
	decl, err := loadOrganisations(*orgFile)
	if err != nil {
		return 0, err
	}
	opts.Organisations = decl
	if opts.Codes, err = loadCodes(*codesDir, m.Stderr); err != nil {
		return 0, err
	}
	if *attestations != "" {
		a, err := runner.LoadAttestations(*attestations)
		if err != nil {
			return 0, err
		}
		opts.Attestations = a
	}
	driver, adapter, err := m.driver(ctx, *sutSpec, faults, *lang, *timeout, &opts)
	if err != nil {
		return 0, err
	}
	opts.Driver, opts.Adapter = driver, adapter
	opts.Console = m.Stdout
	opts.Color = colorful(m.Stdout)

	fmt.Fprintf(m.Stdout, "yhteistestaus: profile %s, system %s\n", *profile, adapter)
	result, err := runner.Run(ctx, opts)
	if err != nil {
		return 0, err
	}
	if err := reports.Write(*out, result); err != nil {
		return 0, fmt.Errorf("write reports: %w", err)
	}
	m.summary(result, *out)
	if result.Verdict != yhteistestaus.StatusPassed {
		return exitInvalid, nil
	}
	return exitOK, nil
}

// driver builds the driver named by --sut.
func (m *Main) driver(ctx context.Context, spec string, faults []string, lang string, timeout time.Duration, opts *runner.Options) (sut.Driver, string, error) {
	switch {
	case spec == "reference":
		ro := reference.Options{Faults: faults}
		if org, ok := referenceOrganisation(opts.Organisations); ok {
			ro.Organisation = org
		}
		sys, err := reference.New(ro)
		if err != nil {
			return nil, "", err
		}
		name := "reference (in process)"
		if len(faults) > 0 {
			name += " with faults " + strings.Join(faults, ", ")
		}
		return sys, name, nil
	case len(faults) > 0:
		return nil, "", fmt.Errorf("%w: --fault works only with --sut reference", errUsage)
	case strings.HasPrefix(spec, "http://") || strings.HasPrefix(spec, "https://"):
		return sut.NewHTTP(spec, &http.Client{Timeout: timeout}), "http adapter " + spec, nil
	case strings.HasPrefix(spec, "exec:"):
		cmd := strings.TrimPrefix(spec, "exec:")
		if strings.TrimSpace(cmd) == "" {
			return nil, "", fmt.Errorf("%w: --sut exec: needs a command", errUsage)
		}
		return sut.NewExec(cmd), "exec adapter " + cmd, nil
	case spec == "manual":
		return m.manualDriver(lang, timeout, opts)
	}
	return nil, "", fmt.Errorf("%w: --sut %q: want reference, an http(s):// URL, exec:COMMAND or manual", errUsage, spec)
}

func colorful(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())) && !color.NoColor
}

func (m *Main) summary(r *yhteistestaus.Run, out string) {
	verdict := strings.ToUpper(string(r.Verdict))
	if colorful(m.Stdout) {
		c := color.New(color.FgGreen, color.Bold)
		if r.Verdict != yhteistestaus.StatusPassed {
			c = color.New(color.FgRed, color.Bold)
		}
		verdict = c.Sprint(verdict)
	}
	fmt.Fprintf(m.Stdout, "\nprofile %s: %s in %s\n", r.Profile, verdict, r.Duration.Round(time.Millisecond))
	var parts []string
	for _, s := range yhteistestaus.RequirementStatuses() {
		if n := r.Summary[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	fmt.Fprintf(m.Stdout, "requirements: %s\n", strings.Join(parts, ", "))
	fmt.Fprintf(m.Stdout, "reports: %s/{%s}\n", out, strings.Join(reports.Files(), ","))
}

// manualDriver builds the operator driver; it watches the archive session
// for the message the operator's system sends.
func (m *Main) manualDriver(lang string, timeout time.Duration, opts *runner.Options) (sut.Driver, string, error) {
	if opts.Session == "" {
		opts.Session = "manual-" + time.Now().UTC().Format("20060102-150405")
	}
	if opts.Archive == "" {
		return nil, "", fmt.Errorf("%w: --sut manual needs --archive URL: start `yhteistestaus serve` where the operator's system can reach it", errUsage)
	}
	ac := &control.Client{BaseURL: opts.Archive, Session: opts.Session}
	d := sut.NewManual(sut.ManualOptions{
		Lang: lang, In: m.Stdin, Out: m.Stdout, Timeout: timeout,
		System: "operator's system", Watch: watchArchive(ac),
	})
	return d, "manual operator (" + lang + ")", nil
}

// watchArchive reports an action done when the archive session has
// received messages since the action was asked for and then stayed quiet
// for one poll: an action may send several messages one after the other
// (annulling a case annuls its documents first; replacing a temporary
// identifier updates more than one document), and the result must name
// them all. The result lists the new messages' ids and documents, with the
// archive's kind of each document and, for a case document, its case id.
// Actions that send nothing (register-client, search) wait for the
// operator's answer.
//
// The first call for a request id takes the mark: the last message the
// archive had then. That is safe because the manual adapter starts
// watching right after it prints the instruction, before the operator can
// have acted on it, so no message of this action is older than the mark.
// A message whose version is not a number is an error. Ref stays empty:
// the archive does not know the harness's names for documents, and the
// steps then pick a document by its kind.
func watchArchive(ac *control.Client) func(ctx context.Context, req sut.Request) (*sut.Result, bool, error) {
	// progress is what the polls of one request saw: the mark and the
	// last message of the previous poll.
	type progress struct{ mark, last int }
	var mu sync.Mutex
	seen := make(map[string]progress)
	return func(ctx context.Context, req sut.Request) (*sut.Result, bool, error) {
		if req.Action.SendsNothing() {
			return nil, false, nil
		}
		mu.Lock()
		p, ok := seen[req.ID]
		mu.Unlock()
		msgs, err := ac.Messages(ctx, control.MessageFilter{Since: p.mark})
		if err != nil {
			return nil, false, err
		}
		last := p.mark
		if len(msgs) > 0 {
			last = msgs[len(msgs)-1].Seq
		}
		if !ok || last <= p.mark || last != p.last {
			// The mark, nothing new yet, or the log grew since the
			// previous poll: more messages of the action may follow.
			if !ok {
				p.mark = last
			}
			p.last = last
			mu.Lock()
			seen[req.ID] = p
			mu.Unlock()
			return nil, false, nil
		}
		res := &sut.Result{}
		for _, x := range msgs {
			if x.Seq <= p.mark {
				continue
			}
			v := 0
			if x.Version != "" {
				if v, err = strconv.Atoi(x.Version); err != nil {
					return nil, false, fmt.Errorf("message %d (%s): version %q is not a number: %w", x.Seq, x.MessageID, x.Version, err)
				}
			}
			res.MessageIDs = append(res.MessageIDs, x.MessageID)
			res.Documents = append(res.Documents, sut.DocumentRef{DocumentID: x.DocumentID, SetID: x.SetID, Version: v, Kind: x.Kind})
			if x.Kind == "case" {
				res.CaseID = x.CaseID
			}
		}
		mu.Lock()
		delete(seen, req.ID)
		mu.Unlock()
		return res, true, nil
	}
}
