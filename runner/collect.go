package runner

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"

	"github.com/yhteistestaus/yhteistestaus"
	"github.com/yhteistestaus/yhteistestaus/judge"
	"github.com/yhteistestaus/yhteistestaus/steps"
	"github.com/yhteistestaus/yhteistestaus/sut"
)

// collector records scenario and step outcomes from godog's hooks and tells
// the observer of each scenario as it finishes.
type collector struct {
	observer Observer
	now      func() time.Time
	sel      *selection
	checks   []judge.Check
	// layers are the step definitions' patterns with their layers.
	layers []stepLayer

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

func newCollector(obs Observer, now func() time.Time, sel *selection, checks []judge.Check) *collector {
	c := &collector{observer: obs, now: now, sel: sel, checks: checks, current: make(map[string]*scenarioRun)}
	for _, d := range steps.Definitions() {
		c.layers = append(c.layers, stepLayer{regexp.MustCompile(d.Pattern), d.Layer})
	}
	return c
}

func (c *collector) hook(sc *godog.ScenarioContext, w *steps.World) {
	sc.Before(func(ctx context.Context, s *godog.Scenario) (context.Context, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		pick := c.sel.scenarios[s.Id]
		res := &yhteistestaus.ScenarioResult{
			Name: s.Name, FeatureFile: s.Uri, Feature: pick.feature, Line: pick.line,
			Status: yhteistestaus.StatusPassed,
		}
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
			l := pick.steps[st.Id]
			res.Steps = append(res.Steps, yhteistestaus.StepResult{Keyword: l.keyword, Line: l.line, Text: st.Text, Status: yhteistestaus.StatusSkipped})
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
				c.failure(step, st, err, w)
			}
		}
		return ctx, nil
	})
	sc.After(func(ctx context.Context, s *godog.Scenario, err error) (context.Context, error) {
		c.mu.Lock()
		r, ok := c.current[s.Id]
		if !ok {
			c.mu.Unlock()
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
				after.Check, after.Silent = judge.CheckNoMessage, string(w.FirstSilent())
				if after.Silent == "" {
					after.Silent = string(nm.Action)
				}
			}
			r.res.Steps = append(r.res.Steps, after)
		}
		n := len(c.scenarios) - len(c.current)
		res := *r.res
		c.mu.Unlock()
		if c.observer != nil {
			c.observer.ScenarioDone(n, c.sel.count, &res)
		}
		return ctx, nil
	})
}

// failure fills in why a step failed: the archive's findings, or the
// harness check it failed on.
func (c *collector) failure(step *yhteistestaus.StepResult, st *godog.Step, err error, w *steps.World) {
	step.Error = err.Error()
	var se *steps.StepError
	if errors.As(err, &se) {
		step.Error = se.Msg
		step.Findings = se.Findings
		step.Excerpt, step.MessageSeq, step.Citations = se.Excerpt, se.MessageSeq, se.Citations
	}
	// A failure after an action whose messages never came may follow
	// from it.
	step.Silent = string(w.FirstSilent())
	var nm *steps.NoMessageError
	switch {
	case errors.As(err, &nm):
		// Grouped under the scenario's first action that sent nothing:
		// a system that holds that one back holds back what follows.
		step.Check = judge.CheckNoMessage
		if step.Silent == "" {
			step.Silent = string(nm.Action)
		}
	case len(step.Findings) > 0:
	case errors.Is(err, sut.ErrNoAnswer):
		step.Check = judge.CheckNoAnswer
	case step.Status == yhteistestaus.StatusUndefined:
		step.Check = judge.CheckUndefined
	default:
		step.Check = judge.CheckForLayer(c.checks, c.layer(st.Text))
	}
}

// stepLayer is a step definition's pattern with its layer.
type stepLayer struct {
	pattern *regexp.Regexp
	layer   string
}

// layer returns the layer of the step definition matching the text.
func (c *collector) layer(text string) string {
	for _, l := range c.layers {
		if l.pattern.MatchString(text) {
			return l.layer
		}
	}
	return ""
}

func stepStatus(status godog.StepResultStatus, err error) yhteistestaus.Status {
	switch {
	case errors.Is(err, steps.ErrUnsupported):
		return yhteistestaus.StatusNotSupported
	case errors.As(err, new(*steps.NotTestableError)):
		return yhteistestaus.StatusNotTested
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
// mode), not supported when a step was not supported, not tested when a
// precondition step found the run unable to test it, passed otherwise.
func scenarioStatus(ss []yhteistestaus.StepResult) yhteistestaus.Status {
	st := yhteistestaus.StatusPassed
	for _, s := range ss {
		switch s.Status {
		case yhteistestaus.StatusFailed, yhteistestaus.StatusUndefined:
			return yhteistestaus.StatusFailed
		case yhteistestaus.StatusNotSupported:
			st = yhteistestaus.StatusNotSupported
		case yhteistestaus.StatusNotTested:
			if st == yhteistestaus.StatusPassed {
				st = yhteistestaus.StatusNotTested
			}
		}
	}
	return st
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
