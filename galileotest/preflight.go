package galileotest

import (
	"context"
	"errors"
	"fmt"
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
	fx := fixtures.Experiment(x)
	p := &plan{x: fx}
	var probs []error
	check := func(problem *fixtures.Error, err error) error {
		if problem != nil {
			probs = append(probs, problem)
		}
		return err
	}
	for _, step := range []func() (*fixtures.Error, error){
		func() (*fixtures.Error, error) { return preflightMetrics(ctx, c, p) },
		func() (*fixtures.Error, error) {
			note, problem, err := r.preflightProject(ctx, c, p)
			if note != "" {
				notes = append(notes, note)
			}
			return problem, err
		},
		func() (*fixtures.Error, error) { return preflightDataset(ctx, c, p) },
		func() (*fixtures.Error, error) { return preflightPrompt(ctx, c, p) },
	} {
		if err := check(step()); err != nil {
			return notes, err
		}
	}
	return notes, errors.Join(probs...)
}

func preflightMetrics(ctx context.Context, c *galileo.Client, p *plan) (*fixtures.Error, error) {
	var scorers []string
	for _, m := range p.x.Metrics {
		if !assert.IsSystemMetric(m) {
			scorers = append(scorers, m)
		}
	}
	if len(scorers) == 0 {
		return nil, nil
	}
	_, err := c.Scorers.Resolve(ctx, scorers)
	var ue *galileo.UnknownMetricError
	if errors.As(err, &ue) {
		line, _ := p.x.FieldLine("metrics")
		return p.inputErr(line, "metrics", "%s", strings.TrimPrefix(ue.Error(), "galileo: ")), nil
	}
	return nil, err
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
		return "", p.inputErr(line, "project", "missing; set project in the fixture, GALILEO_PROJECT or --project"), nil
	}
	return "", nil, nil
}

func preflightDataset(ctx context.Context, c *galileo.Client, p *plan) (*fixtures.Error, error) {
	ds := p.x.Dataset
	if !ds.Stored() {
		return nil, nil
	}
	_, problem, err := lookupDataset(ctx, c, p)
	return problem, err
}

func preflightPrompt(ctx context.Context, c *galileo.Client, p *plan) (*fixtures.Error, error) {
	pr := p.x.Prompt
	if pr == nil || pr.Template == "" {
		return nil, nil
	}
	_, problem, err := lookupTemplate(ctx, c, p)
	return problem, err
}
