package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/excerpt"
	"github.com/yhteistestaus/yhteistestaus/harness"
	"github.com/yhteistestaus/yhteistestaus/reference"
	"github.com/yhteistestaus/yhteistestaus/reports"
	"github.com/yhteistestaus/yhteistestaus/runner"
	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/access"
	"github.com/yhteistestaus/yhteistestaus/simulator/control"
	"github.com/yhteistestaus/yhteistestaus/sut"
)

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// runSynopsis is the run command's usage line and description.
const runSynopsis = `run --profile ID [--sut reference|URL|exec:CMD|manual] [flags]

Drives the system under test through the profile's scenarios against the mock
archive and writes the reports (report.html, results.json, junit.xml, …).

Exit status: 0 the system conforms for what was asked (a --tags run: for the
requirements its scenarios verify); 1 it does not (a requirement failed on its
messages or answers); 2 usage error, or the run could not test (the adapter is
unreachable, the exec hook is missing or crashes without an answer, the archive
does not answer, the operator answered nothing and nothing was received; the
results then say "not tested" with the cause), or the profile has nothing that
can be verified automatically yet.`

// runFlags are the run command's flags.
type runFlags struct {
	profile, sut, tags, out, archive, session, attestations, lang string
	token, ca, clientCert, clientKey, bundle                      string
	organisations, codes, sosmeta                                 *string
	timeout                                                       time.Duration
	faults                                                        multiFlag
}

func (m *Main) runCommand() (*command, *runFlags) {
	c := newCommand("run", runSynopsis)
	f := &runFlags{}
	c.StringVar(&f.profile, "profile", "", "information-system profile `id`, e.g. vaihe2-kasittely (see yhteistestaus profiles)")
	c.StringVar(&f.sut, "sut", "reference", "system under test: reference, an http(s):// adapter `URL`, exec:COMMAND or manual")
	c.StringVar(&f.tags, "tags", "", "run only the scenarios the tag `expression` selects, e.g. '@area:case-management && ~@negative' (a partial run)")
	c.StringVar(&f.out, "out", "reports", "report `directory`, created if missing")
	c.StringVar(&f.archive, "archive", "", "base `URL` of a running simulator (default: start the embedded one)")
	c.StringVar(&f.session, "session", "", "archive session `name` (default: a fresh one)")
	c.StringVar(&f.ca, "ca", "", "PEM `file` of the CA that issued a shared https:// --archive's certificate (default: the system's roots)")
	c.StringVar(&f.clientCert, "client-cert", "", "PEM `file` of the system certificate to show a shared --archive that asks for one (serve --client-ca; with --client-key)")
	c.StringVar(&f.clientKey, "client-key", "", "PEM `file` of the private key of --client-cert")
	c.StringVar(&f.token, "token", os.Getenv("YHTEISTESTAUS_TOKEN"), "the vendor's `token` for a shared --archive (serve --tokens), sent to its control API and by the reference system to its SOAP endpoint (default $YHTEISTESTAUS_TOKEN)")
	c.StringVar(&f.attestations, "attestations", "", "YAML `file` of the vendor's attestations")
	c.StringVar(&f.lang, "lang", "fi", "`language` of manual instructions: "+strings.Join(sut.ManualLanguages(), ", "))
	c.DurationVar(&f.timeout, "timeout", 2*time.Minute, "how long one action may take (manual: the operator's time); more than 0")
	f.organisations = organisationFlag(c.FlagSet)
	f.codes = codesFlag(c.FlagSet)
	f.sosmeta = sosmetaFlag(c.FlagSet)
	c.StringVar(&f.bundle, "bundle", "", "also write the evidence bundle to `file` (a zip: messages, acknowledgements, findings, reports, configuration, SHA-256 manifest; see bundle verify)")
	c.Var(&f.faults, "fault", "make the reference system break one requirement, `name` (repeatable; see reference-sut --list-faults)")
	return c, f
}

func (m *Main) run(ctx context.Context, args []string) (int, error) {
	c, f := m.runCommand()
	rest, err := c.parse(m.Stdout, args)
	if err != nil {
		return 0, err
	}
	if err := c.noArgs(rest); err != nil {
		return 0, err
	}
	if f.profile == "" {
		return 0, fmt.Errorf("%w: run: give --profile ID (see yhteistestaus profiles)", errUsage)
	}
	opts := runner.Options{Profile: f.profile, Tags: f.tags, StepTimeout: f.timeout}
	if err := checkRunFlags(c, f); err != nil {
		return 0, err
	}
	decl, err := loadOrganisations(*f.organisations)
	if err != nil {
		return 0, err
	}
	opts.Organisations = decl
	if opts.Codes, err = loadCodes(*f.codes, m.Stderr); err != nil {
		return 0, err
	}
	if f.attestations != "" {
		a, err := runner.LoadAttestations(f.attestations)
		if err != nil {
			return 0, fmt.Errorf("%w: --attestations: %v", errUsage, err)
		}
		opts.Attestations = a
	}
	base := f.archive
	if base == "" {
		if f.sut == "manual" {
			return 0, fmt.Errorf("%w: --sut manual needs --archive URL: start `yhteistestaus serve` where the operator's system can reach it", errUsage)
		}
		structures, err := openStructures(*f.sosmeta)
		if err != nil {
			return 0, err
		}
		a, err := harness.StartArchive(simulator.WithOrganisations(decl), simulator.WithCodes(opts.Codes), simulator.WithStructures(structures))
		if err != nil {
			return 0, err
		}
		defer func() {
			if err := a.Close(); err != nil {
				fmt.Fprintf(m.Stderr, "yhteistestaus: %v\n", err)
			}
		}()
		base = a.URL()
	}
	session := f.session
	if session == "" && f.sut == "manual" {
		session = "manual-" + time.Now().UTC().Format("20060102-150405")
	}
	opts.Archive = harness.Client(base, session, time.Now())
	if f.archive != "" {
		creds := harness.Credentials{Token: f.token}
		if f.ca != "" || f.clientCert != "" || f.clientKey != "" {
			if creds.TLS, err = access.ClientTLS(f.ca, f.clientCert, f.clientKey); err != nil {
				return 0, fmt.Errorf("%w: --ca/--client-cert/--client-key: %v", errUsage, err)
			}
		}
		opts.Archive.HTTP, opts.Archive.Token = creds.HTTPClient(30*time.Second), creds.Token
	}
	driver, adapter, err := m.driver(f, &opts)
	if err != nil {
		return 0, err
	}
	opts.Driver, opts.Adapter = driver, adapter
	con := newConsole(m.Stdout)
	opts.Observer = con

	fmt.Fprintf(m.Stdout, "yhteistestaus: profile %s, system %s\n", f.profile, adapter)
	result, err := runner.Run(ctx, opts)
	if errors.Is(err, runner.ErrTags) {
		return 0, fmt.Errorf("%w: --tags: %v", errUsage, err)
	}
	if err != nil {
		return 0, err
	}
	// The cited messages are saved while the archive still runs: an
	// embedded one stops with the run, and its control API with it.
	result.ArchiveKept = f.archive != ""
	if err := reports.WriteMessages(ctx, f.out, result, receivedMessage(opts.Archive)); err != nil {
		fmt.Fprintf(m.Stderr, "yhteistestaus: save the cited messages: %v\n", err)
	}
	if err := reports.Write(f.out, result); err != nil {
		return 0, fmt.Errorf("write reports: %w", err)
	}
	if f.bundle != "" {
		if err := writeRunBundle(ctx, f.bundle, c.FlagSet, f, adapter, opts.Archive, result); err != nil {
			return 0, fmt.Errorf("write the evidence bundle %s: %w", f.bundle, err)
		}
	}
	con.summary(result, f.out)
	switch {
	case result.NotTested != "":
		fmt.Fprintf(m.Stderr, "yhteistestaus: not tested: %s\n", result.NotTested)
		return exitUsage, nil
	case result.Verdict == yhteistestaus.StatusPassed:
		return exitOK, nil
	case result.Verdict == yhteistestaus.StatusFailed:
		return exitInvalid, nil
	}
	fmt.Fprintf(m.Stderr, "yhteistestaus: no verdict: %s\n", notAutomated(result))
	return exitUsage, nil
}

// checkRunFlags checks the flags that need no work: before anything runs, a
// bad value is a usage error naming the flag.
func checkRunFlags(c *command, f *runFlags) error {
	if f.timeout <= 0 {
		return fmt.Errorf("%w: --timeout %s: give a duration above 0, e.g. 30s or 2m", errUsage, f.timeout)
	}
	if !slices.Contains(sut.ManualLanguages(), f.lang) {
		return fmt.Errorf("%w: --lang %q: want one of %s", errUsage, f.lang, strings.Join(sut.ManualLanguages(), ", "))
	}
	if f.tags != "" {
		if err := runner.CheckTags(f.tags); err != nil {
			return fmt.Errorf("%w: --tags: %v", errUsage, err)
		}
	}
	if f.archive == "" {
		for _, name := range []string{"token", "ca", "client-cert", "client-key"} {
			if c.flagGiven(name) {
				return fmt.Errorf("%w: --%s is for a shared --archive URL, the embedded archive needs none", errUsage, name)
			}
		}
	}
	if err := writableDir(f.out); err != nil {
		return fmt.Errorf("%w: --out %s: %v", errUsage, f.out, err)
	}
	if f.bundle != "" {
		if err := writableDir(filepath.Dir(f.bundle)); err != nil {
			return fmt.Errorf("%w: --bundle %s: %v", errUsage, f.bundle, err)
		}
	}
	return nil
}

// writableDir makes dir if missing and checks a file can be created in it.
func writableDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot create the report directory: %w", err)
	}
	probe, err := os.CreateTemp(dir, ".yhteistestaus-probe-*")
	if err != nil {
		return fmt.Errorf("cannot write reports there: %w", err)
	}
	name := probe.Name()
	if err := probe.Close(); err != nil {
		return fmt.Errorf("cannot write reports there: %w", err)
	}
	return os.Remove(name)
}

// driver builds the driver named by --sut.
func (m *Main) driver(f *runFlags, opts *runner.Options) (sut.Driver, string, error) {
	spec, faults := f.sut, f.faults
	switch {
	case spec == "reference":
		// The reference system posts to the archive with the run's
		// credentials (a shared archive's token).
		ro := reference.Options{Faults: faults, HTTPClient: opts.Archive.HTTP}
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
		return sut.NewHTTP(spec, &http.Client{Timeout: f.timeout}), "http adapter " + spec, nil
	case strings.HasPrefix(spec, "exec:"):
		cmd := strings.TrimPrefix(spec, "exec:")
		if strings.TrimSpace(cmd) == "" {
			return nil, "", fmt.Errorf("%w: --sut exec: needs a command", errUsage)
		}
		return sut.NewExec(cmd), "exec adapter " + cmd, nil
	case spec == "manual":
		return m.manualDriver(f.lang, f.timeout, opts)
	}
	return nil, "", fmt.Errorf("%w: --sut %q: want reference, an http(s):// URL, exec:COMMAND or manual", errUsage, spec)
}

// manualDriver builds the operator driver; it watches the archive session
// for the message the operator's system sends.
func (m *Main) manualDriver(lang string, timeout time.Duration, opts *runner.Options) (sut.Driver, string, error) {
	d := sut.NewManual(sut.ManualOptions{
		Lang: lang, In: m.Stdin, Out: m.Stdout, Timeout: timeout,
		System: "operator's system", Watch: watchArchive(opts.Archive),
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

// receivedMessage gives the run's archived messages as the archive
// received them, from its control API.
func receivedMessage(ac *control.Client) reports.MessageSource {
	return func(ctx context.Context, seq int) (excerpt.Message, error) {
		m, err := ac.Message(ctx, seq)
		if err != nil {
			return excerpt.Message{}, err
		}
		return excerpt.Message{Frame: []byte(m.FrameXML), Document: []byte(m.DocumentXML)}, nil
	}
}
