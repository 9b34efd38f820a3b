package galileotest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/galileo-community/galileo-go/assert"
	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileo"
)

// Preflight resolves through the API what x names, without creating or
// running anything: its metrics (scorer names, labels or UUIDs), its
// project when given by id, its stored dataset and version, its stored
// prompt template and version — so that a typo fails before a run spends
// anything. A project named by name that does not exist yet is only a
// note: a run creates it.
//
// Problems are *fixtures.Error values (errors.Is(err,
// fixtures.ErrInvalid)), joined, located at the fixture's lines; any other
// error is the API's (authentication, network, server).
func (r *Runner) Preflight(ctx context.Context, x Experiment) (notes []string, err error) {
	c, err := r.getClient(r.logf)
	if err != nil {
		return nil, err
	}
	p := &plan{x: fixtures.Experiment(x)}
	for _, m := range p.x.Metrics {
		if m = strings.TrimSpace(m); !assert.IsSystemMetric(m) {
			p.scorers = append(p.scorers, m)
		}
	}
	orNil := func(problem *fixtures.Error, err error) error {
		if problem != nil {
			return problem
		}
		return err
	}
	steps := []func() error{
		func() error { _, err := resolveScorers(ctx, c, p); return err },
		func() error {
			note, problem, err := r.preflightProject(ctx, c, p)
			if note != "" {
				notes = append(notes, note)
			}
			return orNil(problem, err)
		},
		func() error {
			if !p.x.Dataset.Stored() {
				return nil
			}
			_, problem, err := lookupDataset(ctx, c, p)
			return orNil(problem, err)
		},
		func() error {
			if p.x.Prompt == nil || p.x.Prompt.Template == "" {
				return nil
			}
			_, problem, err := lookupTemplate(ctx, c, p)
			return orNil(problem, err)
		},
		func() error { return r.preflightBaseline(ctx, c, p) },
	}
	var probs []error
	for _, step := range steps {
		switch err := step(); {
		case err == nil:
		case errors.Is(err, fixtures.ErrInvalid):
			probs = append(probs, err)
		default:
			return notes, err
		}
	}
	return notes, errors.Join(probs...)
}

func (r *Runner) preflightProject(ctx context.Context, c *galileo.Client, p *plan) (note string, problem *fixtures.Error, err error) {
	name, id := strings.TrimSpace(p.x.Project), ""
	if galileo.IsID(name) {
		name, id = "", name
	}
	if name == "" && id == "" {
		name, id = r.cfg.Project, r.cfg.ProjectID
	}
	line, _ := p.x.FieldLine("project")
	switch {
	case id != "":
		_, err := c.Projects.Get(ctx, id)
		if errors.Is(err, galileo.ErrNotFound) {
			return "", p.inputErr(line, "project", "no project has the id %s", id), nil
		}
		return "", nil, err
	case name != "":
		_, err := c.Projects.GetByName(ctx, name)
		if errors.Is(err, galileo.ErrNotFound) {
			return fmt.Sprintf("%s: project %q does not exist yet; run creates it", p.x.Name, name), nil, nil
		}
		return "", nil, err
	case r.needsProject(c):
		return "", p.inputErr(line, "project", "missing; set project in the fixture, GALILEO_PROJECT (SPLUNK_AO_PROJECT) or --project"), nil
	}
	return "", nil, nil
}

// preflightBaseline checks that the baseline an experiment compares with
// exists (a committed file is checked when the fixture loads).
func (r *Runner) preflightBaseline(ctx context.Context, c *galileo.Client, p *plan) error {
	b := p.x.Baseline
	if b == nil || b.File != "" {
		return nil
	}
	expects := slices.Clone(p.x.Expect)
	for i := range expects {
		if expects[i].Threshold == (assert.Threshold{}) {
			expects[i].Threshold, _ = assert.Parse(strings.TrimSpace(expects[i].Metric), expects[i].Expr)
		}
	}
	name, id := strings.TrimSpace(p.x.Project), ""
	if galileo.IsID(name) {
		name, id = "", name
	}
	if name == "" && id == "" {
		name, id = r.cfg.Project, r.cfg.ProjectID
	}
	if id == "" && name != "" {
		proj, err := c.Projects.GetByName(ctx, name)
		switch {
		case errors.Is(err, galileo.ErrNotFound):
			return atBaseline(inputErr(&p.x, "baseline", "project %q does not exist yet, so it holds no baseline", name), &p.x, "")
		case err != nil:
			return err
		}
		id = proj.ID
	}
	if id == "" {
		return nil // no project to search; run reports it
	}
	_, err := r.locateBaseline(ctx, c, &p.x, expects, id, "")
	return err
}
