// Package runner runs the conformance suite for one information-system
// profile: it starts (or joins) the mock archive, drives the vendor system
// through the profile's Gherkin scenarios with godog in strict mode, and
// turns the outcome into a yhteistestaus.Run with a status per requirement,
// ready for the report writers.
package runner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"
	"github.com/fatih/color"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/judge"
	"github.com/yhteistestaus/yhteistestaus/organisation"
	"github.com/yhteistestaus/yhteistestaus/profiles"
	"github.com/yhteistestaus/yhteistestaus/simulator"
	"github.com/yhteistestaus/yhteistestaus/simulator/codes"
	"github.com/yhteistestaus/yhteistestaus/simulator/control"
	"github.com/yhteistestaus/yhteistestaus/simulator/rules"
	"github.com/yhteistestaus/yhteistestaus/simulator/server"
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
	// Archive is the base URL of a running simulator; empty starts the
	// embedded one on a free loopback port.
	Archive string
	// Session is the archive session; empty makes a fresh one.
	Session string
	// Tags is an extra godog tag expression ("@a,@b && ~@c").
	Tags string
	// Features are the feature files; nil means the embedded ones.
	Features fs.FS
	// Catalogue is the profile and requirement catalogue; nil loads the
	// embedded one.
	Catalogue *profiles.Catalogue
	// Attestations are the vendor's attestations by requirement id.
	Attestations map[string]string
	// Console receives one line per scenario as it finishes; nil discards.
	Console io.Writer
	// Color colours the console lines.
	Color bool
	// StepTimeout bounds one action of the vendor system.
	StepTimeout time.Duration
	// Now is the clock for timing; nil means time.Now.
	Now func() time.Time
	// Organisations are the vendor's declared organisations and service
	// units (--organisation): the embedded archive knows them, and the
	// report's header names them. Nil declares none.
	Organisations *organisation.Declaration
	// Codes are the code lists the embedded archive judges codes by
	// (--codes); nil means the embedded ones.
	Codes *codes.Set
}

// Run runs the profile's scenarios and returns the result. The error is
// for a run that could not be made at all (unknown profile, archive
// unreachable); failed requirements are in the result.
func Run(ctx context.Context, opts Options) (*yhteistestaus.Run, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	cat := opts.Catalogue
	if cat == nil {
		var err error
		if cat, err = profiles.Default(); err != nil {
			return nil, fmt.Errorf("load profiles: %w", err)
		}
	}
	prof := cat.Profile(opts.Profile)
	if prof == nil {
		var ids []string
		for _, p := range cat.Profiles() {
			ids = append(ids, p.ID)
		}
		return nil, fmt.Errorf("unknown profile %q (known: %s)", opts.Profile, strings.Join(ids, ", "))
	}
	for id := range opts.Attestations {
		r := cat.Requirement(id)
		switch {
		case r == nil:
			return nil, fmt.Errorf("attestation for unknown requirement %s", id)
		case r.Verification != profiles.Attestation:
			return nil, fmt.Errorf("requirement %s is verified %s, not by attestation", id, r.Verification)
		}
	}
	if opts.Driver == nil {
		return nil, errors.New("no driver for the system under test")
	}
	feats := opts.Features
	if feats == nil {
		feats = DefaultFeatures()
	}
	base := opts.Archive
	if base == "" {
		sim, err := simulator.New(simulator.WithOrganisations(opts.Organisations), simulator.WithCodes(opts.Codes))
		if err != nil {
			return nil, fmt.Errorf("start the embedded archive: %w", err)
		}
		srv := &server.Server{Addr: "127.0.0.1:0", Sim: sim}
		if err := srv.Start(); err != nil {
			return nil, fmt.Errorf("start the embedded archive: %w", err)
		}
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			srv.Shutdown(sctx)
		}()
		base = srv.URL()
	}
	session := opts.Session
	if session == "" {
		session = newSessionName(now())
	}
	archive := &control.Client{BaseURL: base, Session: session}
	if _, err := archive.Messages(ctx, control.MessageFilter{}); err != nil {
		return nil, fmt.Errorf("the archive at %s does not answer: %w", base, err)
	}

	run := &yhteistestaus.Run{
		Profile: prof.ID, ProfileName: prof.Names.EN, ProfileNames: map[string]string{"fi": prof.Names.FI, "sv": prof.Names.SV, "en": prof.Names.EN},
		Archive: archive.SOAPURL(), Tags: opts.Tags, Started: now(),
		SUT: yhteistestaus.SUTInfo{Adapter: opts.Adapter, Organisations: opts.Organisations.Organisations()},
	}
	if info := describe(ctx, opts.Driver); info != nil {
		run.SUT.Name, run.SUT.Vendor, run.SUT.Version = info.Name, info.Vendor, info.Version
	}

	tags := profileTags(cat, prof)
	if tags == "" {
		// A profile with no marked area runs no scenario.
		tags = "@area:-"
	}
	if opts.Tags != "" {
		tags += " && " + opts.Tags
	}
	suite := &steps.Suite{Driver: opts.Driver, Archive: archive, Timeout: opts.StepTimeout}
	checks, err := judge.Checks()
	if err != nil {
		return nil, err
	}
	col := &collector{console: opts.Console, color: opts.Color, now: now, checks: checks, layers: stepLayers()}
	status := godog.TestSuite{
		Name: prof.ID,
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
	run.Scenarios = col.results()
	if note := registerNote(ctx, archive, opts.Codes, opts.Organisations); note != "" {
		run.Notes = append(run.Notes, note)
		if opts.Console != nil {
			fmt.Fprintln(opts.Console, note)
		}
	}
	if err := attachLines(feats, run.Scenarios); err != nil {
		return nil, err
	}
	j := judge.Judge(judge.Input{
		Requirements: cat.RequirementsFor(prof.ID), Scenarios: run.Scenarios,
		Attestations: opts.Attestations, Partial: run.Partial, Title: titles(checks),
		Stateful: func(rule string) bool { r, ok := rules.Default().Rule(rule); return ok && r.Stage == "archive" },
	})
	run.Requirements, run.RootCauses, run.Summary, run.Verdict = j.Requirements, j.RootCauses, j.Summary, j.Verdict
	run.Duration = now().Sub(run.Started)
	return run, nil
}

// registerNote is the run's one line about organisation OIDs outside the
// bundled organisation register (rules.RegisterNote), from the findings of
// every message the session received.
func registerNote(ctx context.Context, archive *control.Client, cs *codes.Set, d *organisation.Declaration) string {
	msgs, err := archive.Messages(ctx, control.MessageFilter{})
	if err != nil {
		return ""
	}
	var findings yhteistestaus.Findings
	for _, m := range msgs {
		findings = append(findings, m.Findings...)
	}
	return rules.RegisterNote(cs, d, findings)
}

func describe(ctx context.Context, d sut.Driver) *sut.SystemInfo {
	req, err := sut.NewRequest("describe", sut.ActionDescribe, "", nil)
	if err != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ans, err := d.Do(ctx, req)
	if err != nil || sut.CheckAnswer(req, ans) != nil || ans.Status != sut.StatusOK {
		return nil
	}
	return ans.Result.System
}

func newSessionName(t time.Time) string {
	b := make([]byte, 4)
	rand.Read(b)
	return "run-" + t.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b)
}

// profileTags selects the scenarios of the functional areas the profile
// marks mandatory or conditional: "@area:a,@area:b".
func profileTags(cat *profiles.Catalogue, prof *profiles.Profile) string {
	var tags []string
	for _, am := range prof.Areas {
		if am.Marking != profiles.MarkNone {
			tags = append(tags, "@area:"+am.Area)
		}
	}
	return strings.Join(tags, ",")
}

// collector records scenario and step outcomes from godog's hooks.
type collector struct {
	console io.Writer
	color   bool
	now     func() time.Time
	checks  []judge.Check
	layers  []stepLayer

	mu        sync.Mutex
	scenarios []*yhteistestaus.ScenarioResult
	current   map[string]*scenarioRun
}

type scenarioRun struct {
	res       *yhteistestaus.ScenarioResult
	started   time.Time
	stepStart time.Time
	// step maps a pickle step id to its index in res.Steps.
	step map[string]int
}

func (c *collector) hook(sc *godog.ScenarioContext, w *steps.World) {
	sc.Before(func(ctx context.Context, s *godog.Scenario) (context.Context, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.current == nil {
			c.current = make(map[string]*scenarioRun)
		}
		res := &yhteistestaus.ScenarioResult{Name: s.Name, FeatureFile: s.Uri, Status: yhteistestaus.StatusPassed}
		for _, t := range s.Tags {
			if slices.Contains(res.Tags, t.Name) {
				continue // a tag on both the feature and the scenario
			}
			res.Tags = append(res.Tags, t.Name)
			if id, ok := strings.CutPrefix(t.Name, "@about:"); ok {
				res.About = append(res.About, id)
			}
			if id, ok := strings.CutPrefix(t.Name, "@req:"); ok && !slices.Contains(res.Requirements, id) {
				res.Requirements = append(res.Requirements, id)
			}
		}
		for _, id := range res.About {
			if !slices.Contains(res.Requirements, id) {
				res.Requirements = append(res.Requirements, id)
			}
		}
		run := &scenarioRun{res: res, started: c.now(), step: make(map[string]int)}
		for i, st := range s.Steps {
			res.Steps = append(res.Steps, yhteistestaus.StepResult{Text: st.Text, Status: yhteistestaus.StatusSkipped})
			run.step[st.Id] = i
		}
		c.scenarios = append(c.scenarios, res)
		c.current[s.Id] = run
		return ctx, nil
	})
	sc.StepContext().Before(func(ctx context.Context, st *godog.Step) (context.Context, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, r := range c.current {
			r.stepStart = c.now()
		}
		return ctx, nil
	})
	sc.StepContext().After(func(ctx context.Context, st *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, r := range c.current {
			i, ok := r.step[st.Id]
			if !ok {
				continue
			}
			step := &r.res.Steps[i]
			step.Duration = c.now().Sub(r.stepStart)
			step.Status = stepStatus(status, err)
			if err != nil {
				step.Error = err.Error()
				var se *steps.StepError
				if errors.As(err, &se) {
					step.Error = se.Msg
					step.Findings = se.Findings
					step.Excerpt = se.Excerpt
				}
				// A failure after an action whose messages never came
				// may follow from it.
				step.Silent = string(w.FirstSilent())
				if len(step.Findings) == 0 {
					step.Check = c.check(st.Text, err)
				}
				var nm *steps.NoMessageError
				if errors.As(err, &nm) {
					step.Check, step.Silent = judge.CheckNoMessage, string(nm.Action)
				}
			}
		}
		return ctx, nil
	})
	sc.After(func(ctx context.Context, s *godog.Scenario, err error) (context.Context, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		r, ok := c.current[s.Id]
		if !ok {
			return ctx, nil
		}
		delete(c.current, s.Id)
		r.res.Duration = c.now().Sub(r.started)
		r.res.Status = scenarioStatus(r.res.Steps)
		if err != nil && r.res.Status == yhteistestaus.StatusPassed && !errors.Is(err, steps.ErrUnsupported) {
			// A failure godog reports for the scenario, not for a step.
			r.res.Status = yhteistestaus.StatusFailed
			after := yhteistestaus.StepResult{Keyword: "After", Text: "scenario", Status: yhteistestaus.StatusFailed, Error: err.Error(), Check: judge.CheckScenario}
			var nm *steps.NoMessageError
			if errors.As(err, &nm) {
				after.Text = "the end of the scenario"
				after.Check, after.Silent = judge.CheckNoMessage, string(nm.Action)
			}
			r.res.Steps = append(r.res.Steps, after)
		}
		c.print(r.res)
		return ctx, nil
	})
}

// stepLayer is a step definition's pattern with its layer.
type stepLayer struct {
	pattern *regexp.Regexp
	layer   string
}

func stepLayers() []stepLayer {
	var out []stepLayer
	for _, d := range steps.Definitions() {
		out = append(out, stepLayer{regexp.MustCompile(d.Pattern), d.Layer})
	}
	return out
}

// check names the harness check a step failed on without an archive
// finding: the operator's or adapter's silence, or the check of the step's
// layer.
func (c *collector) check(text string, err error) string {
	if errors.Is(err, sut.ErrNoAnswer) {
		return judge.CheckNoAnswer
	}
	for _, l := range c.layers {
		if l.pattern.MatchString(text) {
			return judge.CheckForLayer(c.checks, l.layer)
		}
	}
	return judge.CheckUndefined
}

func stepStatus(status godog.StepResultStatus, err error) yhteistestaus.Status {
	switch {
	case errors.Is(err, steps.ErrUnsupported):
		return yhteistestaus.StatusNotSupported
	case status == godog.StepPassed:
		return yhteistestaus.StatusPassed
	case status == godog.StepSkipped:
		return yhteistestaus.StatusSkipped
	case status == godog.StepUndefined:
		return yhteistestaus.StatusUndefined
	default:
		return yhteistestaus.StatusFailed
	}
}

// scenarioStatus is failed when a step failed or is undefined (strict
// mode), not supported when a step was not supported, passed otherwise.
func scenarioStatus(ss []yhteistestaus.StepResult) yhteistestaus.Status {
	st := yhteistestaus.StatusPassed
	for _, s := range ss {
		switch s.Status {
		case yhteistestaus.StatusFailed, yhteistestaus.StatusUndefined:
			return yhteistestaus.StatusFailed
		case yhteistestaus.StatusNotSupported:
			st = yhteistestaus.StatusNotSupported
		}
	}
	return st
}

func (c *collector) print(r *yhteistestaus.ScenarioResult) {
	if c.console == nil {
		return
	}
	mark := map[yhteistestaus.Status]string{yhteistestaus.StatusPassed: "PASS", yhteistestaus.StatusFailed: "FAIL", yhteistestaus.StatusNotSupported: "N/S "}[r.Status]
	if c.color {
		switch r.Status {
		case yhteistestaus.StatusPassed:
			mark = color.New(color.FgGreen, color.Bold).Sprint(mark)
		case yhteistestaus.StatusFailed:
			mark = color.New(color.FgRed, color.Bold).Sprint(mark)
		default:
			mark = color.New(color.FgYellow, color.Bold).Sprint(mark)
		}
	}
	fmt.Fprintf(c.console, "%s  %s  (%s, %s)\n", mark, r.Name, r.FeatureFile, r.Duration.Round(time.Millisecond))
	if r.Status == yhteistestaus.StatusFailed {
		for _, s := range r.Steps {
			if s.Status == yhteistestaus.StatusFailed || s.Status == yhteistestaus.StatusUndefined {
				fmt.Fprintf(c.console, "      %s: %s\n", s.Text, firstLine(s.Error))
				for _, f := range s.Findings {
					fmt.Fprintf(c.console, "        %s %s: %s [%s]\n", f.Severity, f.Rule, f.Message, f.Source)
				}
			}
		}
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func (c *collector) results() []yhteistestaus.ScenarioResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]yhteistestaus.ScenarioResult, len(c.scenarios))
	for i, s := range c.scenarios {
		out[i] = *s
	}
	return out
}

// titles gives the title of a rule of the catalogue or of a harness check.
func titles(checks []judge.Check) func(id string) string {
	cat := rules.Default()
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
