// Package runner runs the conformance suite for one information-system
// profile: it drives the vendor system through the profile's Gherkin
// scenarios with godog in strict mode against a mock archive it is handed,
// records each scenario's steps, and has package judge turn the outcome
// into a yhteistestaus.Run with a status per requirement, the root causes
// and the verdict. It neither serves the archive (package harness does) nor
// prints (an Observer does).
package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/catalogue"
	"github.com/yhteistestaus/yhteistestaus/judge"
	"github.com/yhteistestaus/yhteistestaus/organisation"
	"github.com/yhteistestaus/yhteistestaus/profiles"
	"github.com/yhteistestaus/yhteistestaus/simulator/codes"
	"github.com/yhteistestaus/yhteistestaus/simulator/control"
	"github.com/yhteistestaus/yhteistestaus/simulator/rules"
	"github.com/yhteistestaus/yhteistestaus/steps"
	"github.com/yhteistestaus/yhteistestaus/sut"
)

// Options configure a run.
type Options struct {
	// Profile is the profile id, e.g. "vaihe2-kasittely".
	Profile string
	// Driver drives the vendor system; Adapter names it for the report.
	Driver  sut.Driver
	Adapter string
	// Archive is the control client of the archive session the run uses
	// (package harness starts an embedded archive and makes one).
	Archive *control.Client
	// Tags is an extra godog tag expression ("@a,@b && ~@c"); a run with
	// one is partial.
	Tags string
	// Features are the feature files; nil means the embedded ones.
	Features fs.FS
	// Catalogue is the profile and requirement catalogue; nil loads the
	// embedded one.
	Catalogue *profiles.Catalogue
	// Attestations are the vendor's attestations by requirement id.
	Attestations map[string]string
	// Observer is told of the run's progress; nil tells no one.
	Observer Observer
	// StepTimeout bounds one action of the vendor system.
	StepTimeout time.Duration
	// Now is the clock for timing; nil means time.Now.
	Now func() time.Time
	// Organisations are the vendor's declared organisations and service
	// units (--organisation), named in the report's header. Nil declares
	// none.
	Organisations *organisation.Declaration
	// Codes are the code lists the archive judges codes by (--codes), for
	// the run's note on undeclared organisations; nil means the embedded
	// ones.
	Codes *codes.Set
}

// Observer follows a run as it goes (the console).
type Observer interface {
	// ScenarioDone is called as each scenario finishes: the n-th of total.
	ScenarioDone(n, total int, sc *yhteistestaus.ScenarioResult)
	// Notice tells of something the run met that is no scenario's outcome,
	// such as a describe answer that broke the driver protocol.
	Notice(msg string)
}

// NotReachedPrefix begins the Run.NotTested cause of a run whose system the
// harness could not reach.
const NotReachedPrefix = "the harness could not reach your system: "

// Run runs the profile's scenarios and returns the result. The error is
// for a run that could not be made at all (unknown profile, bad tag
// expression: ErrTags, archive unreachable); failed requirements, and a
// system the harness could not reach (Run.NotTested), are in the result.
func Run(ctx context.Context, opts Options) (*yhteistestaus.Run, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	cat, prof, err := profile(opts)
	if err != nil {
		return nil, err
	}
	if opts.Driver == nil {
		return nil, errors.New("no driver for the system under test")
	}
	if opts.Archive == nil {
		return nil, errors.New("no archive for the run")
	}
	feats := opts.Features
	if feats == nil {
		feats = DefaultFeatures()
	}
	tags, full, err := selectTags(feats, prof, opts.Tags)
	if err != nil {
		return nil, err
	}
	sel, err := selectScenarios(feats, tags)
	if err != nil {
		return nil, err
	}
	if opts.Tags != "" && sel.count == 0 {
		return nil, fmt.Errorf("%w %q selects none of the scenarios of profile %s", ErrTags, opts.Tags, prof.ID)
	}
	archive := opts.Archive
	if _, err := archive.Messages(ctx, control.MessageFilter{}); err != nil {
		return nil, fmt.Errorf("the archive at %s does not answer: %w", archive.BaseURL, err)
	}
	checks, err := judge.Checks()
	if err != nil {
		return nil, err
	}

	run := &yhteistestaus.Run{
		Profile: prof.ID, ProfileName: prof.Names.EN, ProfileNames: map[string]string{"fi": prof.Names.FI, "sv": prof.Names.SV, "en": prof.Names.EN},
		Archive: archive.SOAPURL(), Tags: opts.Tags, Started: now(),
		SUT:     yhteistestaus.SUTInfo{Adapter: opts.Adapter, Organisations: opts.Organisations.Organisations()},
		Partial: opts.Tags != "" && sel.count < full,
	}
	info, err := describe(ctx, opts.Driver)
	var unreachable *unreachableError
	switch {
	case errors.As(err, &unreachable):
		run.NotTested = NotReachedPrefix + firstLine(unreachable.Error())
	case err != nil && opts.Observer != nil:
		opts.Observer.Notice(err.Error())
	case info != nil:
		run.SUT.Name, run.SUT.Vendor, run.SUT.Version = info.Name, info.Vendor, info.Version
	}
	if run.NotTested == "" {
		if run.Scenarios, err = runScenarios(ctx, opts, prof.ID, feats, tags, sel, checks, archive, now); err != nil {
			return nil, err
		}
		if run.NotTested, err = silentOperator(ctx, archive, run.Scenarios); err != nil {
			return nil, err
		}
		note, err := registerNote(ctx, archive, opts.Codes, opts.Organisations)
		if err != nil {
			return nil, err
		}
		if note != "" {
			run.Notes = append(run.Notes, note)
			if opts.Observer != nil {
				opts.Observer.Notice(note)
			}
		}
	}
	scenarios := run.Scenarios
	if run.NotTested != "" {
		scenarios = nil // nothing of the system was tested
	}
	j := judge.Judge(judge.Input{
		Requirements: cat.RequirementsFor(prof.ID), Scenarios: scenarios,
		Attestations: opts.Attestations, Partial: run.Partial,
		Title: titles(checks), Stateful: stateful, Shared: sharedAreas(cat),
	})
	run.Requirements, run.RootCauses, run.Summary, run.Verdict = j.Requirements, j.RootCauses, j.Summary, j.Verdict
	if run.NotTested != "" {
		run.Verdict = yhteistestaus.StatusNotTested
	}
	run.Duration = now().Sub(run.Started)
	return run, nil
}

// profile returns the catalogue and the profile of opts, and checks the
// attestations against it.
func profile(opts Options) (*profiles.Catalogue, *profiles.Profile, error) {
	cat := opts.Catalogue
	if cat == nil {
		var err error
		if cat, err = catalogue.DefaultRequirements(); err != nil {
			return nil, nil, fmt.Errorf("load profiles: %w", err)
		}
	}
	prof := cat.Profile(opts.Profile)
	if prof == nil {
		var ids []string
		for _, p := range cat.Profiles() {
			ids = append(ids, p.ID)
		}
		return nil, nil, fmt.Errorf("unknown profile %q (known: %s)", opts.Profile, strings.Join(ids, ", "))
	}
	for id := range opts.Attestations {
		r := cat.Requirement(id)
		switch {
		case r == nil:
			return nil, nil, fmt.Errorf("attestation for unknown requirement %s", id)
		case r.Verification != profiles.Attestation:
			return nil, nil, fmt.Errorf("requirement %s is verified %s, not by attestation", id, r.Verification)
		}
	}
	return cat, prof, nil
}

// selectTags returns the tag expression of the run, the profile's areas and
// the extra expression, and the number of scenarios of the whole profile.
func selectTags(feats fs.FS, prof *profiles.Profile, extra string) (string, int, error) {
	tags := profileTags(prof)
	if tags == "" {
		// A profile with no marked area runs no scenario.
		tags = "@area:-"
	}
	all, err := selectScenarios(feats, tags)
	if err != nil {
		return "", 0, err
	}
	if extra != "" {
		if err := CheckTags(extra); err != nil {
			return "", 0, err
		}
		tags += " && " + extra
	}
	return tags, all.count, nil
}

// runScenarios runs the selected scenarios with godog and returns their
// outcomes.
func runScenarios(ctx context.Context, opts Options, name string, feats fs.FS, tags string, sel *selection, checks []judge.Check, archive *control.Client, now func() time.Time) ([]yhteistestaus.ScenarioResult, error) {
	suite := &steps.Suite{Driver: opts.Driver, Archive: archive, Timeout: opts.StepTimeout}
	col := newCollector(opts.Observer, now, sel, checks)
	status := godog.TestSuite{
		Name: name,
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			col.hook(sc, suite.InitializeScenario(sc))
		},
		Options: &godog.Options{
			Format:         "progress",
			Output:         io.Discard,
			NoColors:       true,
			Strict:         true,
			Concurrency:    1,
			Tags:           tags,
			FS:             feats,
			Paths:          []string{"."},
			DefaultContext: ctx,
		},
	}.Run()
	if status == 2 || status >= 128 {
		return nil, fmt.Errorf("the suite could not run (godog status %d): check the feature files", status)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("run interrupted: %w", err)
	}
	return col.results(), nil
}

// unreachableError is a describe request the system did not answer at
// all: the adapter is not listening, the exec hook is missing or crashed
// without an answer.
type unreachableError struct{ err error }

func (e *unreachableError) Error() string { return e.err.Error() }
func (e *unreachableError) Unwrap() error { return e.err }

// describe asks the system to describe itself. An answer that breaks the
// protocol is an error of the system (the run goes on and the scenarios
// show it); no answer at all is an *unreachableError.
func describe(ctx context.Context, d sut.Driver) (*sut.SystemInfo, error) {
	req, err := sut.NewRequest("describe", sut.ActionDescribe, "", nil)
	if err != nil {
		return nil, fmt.Errorf("describe: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ans, err := d.Do(ctx, req)
	switch {
	case err != nil && !errors.Is(err, sut.ErrProtocol):
		return nil, &unreachableError{err}
	case err != nil:
		return nil, fmt.Errorf("describe: %w", err)
	}
	if err := sut.CheckAnswer(req, ans); err != nil {
		return nil, fmt.Errorf("describe: %w", err)
	}
	if ans.Status != sut.StatusOK {
		return nil, nil // a system need not describe itself
	}
	return ans.Result.System, nil
}

// silentOperator returns the cause of a run in which nothing at all was
// tested: every failed step waited for an answer that never came (a
// manual operator away) and the archive received no message.
func silentOperator(ctx context.Context, archive *control.Client, scs []yhteistestaus.ScenarioResult) (string, error) {
	waited := 0
	for _, sc := range scs {
		for _, st := range sc.Steps {
			switch {
			case st.Check == judge.CheckNoAnswer:
				waited++
			case st.Status == yhteistestaus.StatusFailed:
				return "", nil
			}
		}
	}
	if waited == 0 {
		return "", nil
	}
	msgs, err := archive.Messages(ctx, control.MessageFilter{})
	if err != nil {
		return "", fmt.Errorf("read the archive's messages: %w", err)
	}
	if len(msgs) > 0 {
		return "", nil
	}
	return NotReachedPrefix + "no action was answered within the time-out, and the archive received no message", nil
}

// registerNote lists, once for the run, the organisation and service-unit
// OIDs the archive met that the vendor did not declare (see
// rules.RegisterNote), or "".
func registerNote(ctx context.Context, archive *control.Client, cs *codes.Set, d *organisation.Declaration) (string, error) {
	msgs, err := archive.Messages(ctx, control.MessageFilter{})
	if err != nil {
		return "", fmt.Errorf("read the archive's messages: %w", err)
	}
	var findings yhteistestaus.Findings
	for _, m := range msgs {
		findings = append(findings, m.Findings...)
	}
	return rules.RegisterNote(cs, d, findings), nil
}

// profileTags selects the scenarios of the functional areas the profile
// marks mandatory or conditional: "@area:a,@area:b".
func profileTags(prof *profiles.Profile) string {
	var tags []string
	for _, am := range prof.Areas {
		if am.Marking != profiles.MarkNone {
			tags = append(tags, "@area:"+am.Area)
		}
	}
	return strings.Join(tags, ",")
}

// titles gives the title of a rule of the catalogue or of a harness check.
func titles(checks []judge.Check) func(id string) string {
	cat := catalogue.DefaultRules()
	return func(id string) string {
		if r, ok := cat.Rule(id); ok {
			return r.Title
		}
		for _, c := range checks {
			if c.ID == id {
				return c.Title
			}
		}
		return ""
	}
}

// sharedAreas are the areas every profile of the catalogue marks mandatory.
func sharedAreas(cat *profiles.Catalogue) []string {
	var out []string
	for _, a := range cat.Areas() {
		all := true
		for _, p := range cat.Profiles() {
			all = all && p.Marking(a.ID) == profiles.MarkMandatory
		}
		if all {
			out = append(out, a.ID)
		}
	}
	return out
}

// stateful tells whether a rule judges a message against what the archive
// already holds.
func stateful(rule string) bool {
	r, ok := catalogue.DefaultRules().Rule(rule)
	return ok && r.Stage == "archive"
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
