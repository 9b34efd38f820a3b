package galileotest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/galileo-community/galileo-go/assert"
	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileo"
	"github.com/galileo-community/galileo-go/report"
)

// Judge judges an experiment that already ran — nothing is run and no
// model is called — against the thresholds of the declaration it ran
// from: the one of decls named exactly like it, else the one whose name is
// the longest prefix of its name (a run name such as support-bot-rerun-2),
// else the only one. ref is the experiment's id or exact name; the project
// searched is the declaration's (a name or id), else the configured one,
// else every project. A declaration needs only Expect (and, optionally,
// Project, File and Line); it is validated like any other.
//
// Metrics are mapped to the experiment's aggregates as a run maps them:
// scorer names, labels or UUIDs through the scorers and the experiment
// columns; cost, latency and token counts by their keys. The result is the
// same report a run gives, with status passed or failed, and it is kept
// for the Runner's Report. Bad input — an unknown or ambiguous experiment,
// a metric it did not score, a threshold that does not parse — is a
// *fixtures.Error (errors.Is(err, fixtures.ErrInvalid)); other errors are
// the API's.
func (r *Runner) Judge(ctx context.Context, ref string, decls ...Experiment) (*report.Experiment, error) {
	start := time.Now()
	// The thresholds are checked before any call: bad input costs nothing.
	decls = slices.Clone(decls)
	for i := range decls {
		if err := parseExpects((*fixtures.Experiment)(&decls[i])); err != nil {
			return nil, err
		}
	}
	c, err := r.getClient(r.logf)
	if err != nil {
		return nil, err
	}
	j := &judge{r: r, c: c}
	exp, proj, err := j.find(ctx, strings.TrimSpace(ref), commonProject(decls))
	if err != nil {
		return nil, err
	}
	x, err := pickDecl(decls, exp.Name)
	if err != nil {
		return nil, err
	}
	if len(x.Expect) == 0 {
		return nil, inputErr(&x, "expect", "no thresholds; nothing to judge")
	}
	if x.Name == "" {
		x.Name = exp.Name
	}
	r.s.verdictDefaults(&x)
	rep := &report.Experiment{
		Confidence: x.Confidence, OnInconclusive: x.OnInconclusive, Repeats: x.Repeats,
		Name: x.Name, RunName: exp.Name, ID: exp.ID, ProjectID: proj.ID, Project: proj.ProjectName(),
		Link: consoleLink(c, proj.ID, exp.ID), Kind: experimentKind(exp), File: x.File, Line: x.Line,
		StartedAt: start.UTC(), Metrics: []report.Metric{}, Thresholds: []report.Threshold{},
	}
	if err := j.judge(ctx, exp, &x, rep); err != nil {
		return nil, err
	}
	rep.DurationMS = time.Since(start).Milliseconds()
	r.addReport(rep)
	return rep, nil
}

// parseExpects parses the thresholds of a declaration that has not been
// parsed yet (one declared in Go or from flags).
func parseExpects(x *fixtures.Experiment) error {
	var errs []error
	for i := range x.Expect {
		e := &x.Expect[i]
		if e.Threshold != (assert.Threshold{}) {
			continue
		}
		th, err := assert.Parse(strings.TrimSpace(e.Metric), e.Expr)
		if err != nil {
			errs = append(errs, &fixtures.Error{File: x.File, Line: e.Line, Experiment: x.Name, Field: "expect." + strings.TrimSpace(e.Metric), Msg: err.Error()})
			continue
		}
		e.Threshold = th
	}
	return errors.Join(errs...)
}

// inputErr is a problem with a declaration (or a reference) as given.
func inputErr(x *fixtures.Experiment, field, format string, args ...any) *fixtures.Error {
	e := &fixtures.Error{Field: field, Msg: fmt.Sprintf(format, args...)}
	if x != nil {
		e.File, e.Line, e.Experiment = x.File, x.Line, x.Name
	}
	return e
}

// commonProject is the project every declaration names, or "" when they
// name none or differ.
func commonProject(decls []Experiment) string {
	p := ""
	for i, x := range decls {
		if i > 0 && x.Project != p {
			return ""
		}
		p = x.Project
	}
	return p
}

// pickDecl chooses the declaration an experiment ran from: the only one,
// else the one named exactly like it, else the one with the longest name
// the experiment's name starts with.
func pickDecl(decls []Experiment, name string) (fixtures.Experiment, error) {
	switch len(decls) {
	case 0:
		return fixtures.Experiment{}, inputErr(nil, "expect", "no thresholds given; nothing to judge")
	case 1:
		return fixtures.Experiment(decls[0]), nil
	}
	var best *Experiment
	for i := range decls {
		x := &decls[i]
		if x.Name == name {
			return fixtures.Experiment(*x), nil
		}
		if strings.HasPrefix(name, x.Name) && (best == nil || len(x.Name) > len(best.Name)) {
			best = x
		}
	}
	if best != nil {
		return fixtures.Experiment(*best), nil
	}
	names := make([]string, len(decls))
	for i, x := range decls {
		names[i] = x.Name
	}
	first := fixtures.Experiment(decls[0])
	return fixtures.Experiment{}, &fixtures.Error{File: first.File, Msg: fmt.Sprintf("%d experiments are declared (%s) and the name of experiment %s starts with none of them; give the thresholds of that experiment only", len(decls), strings.Join(names, ", "), name)}
}

// judge looks experiments and their metrics up for Runner.Judge.
type judge struct {
	r *Runner
	c *galileo.Client
}

// find returns the experiment named or identified by ref, searching the
// project hint (a name or id), else the configured project, else every
// project.
func (j *judge) find(ctx context.Context, ref, projectHint string) (*galileo.ExperimentResponse, *galileo.Project, error) {
	if ref == "" {
		return nil, nil, inputErr(nil, "", "missing; expected the name or id of the experiment to judge")
	}
	projects, scope, err := j.projects(ctx, projectHint)
	if err != nil {
		return nil, nil, err
	}
	type match struct {
		exp  galileo.ExperimentResponse
		proj *galileo.Project
	}
	var found []match
	for i := range projects {
		p := &projects[i]
		if galileo.IsID(ref) {
			x, err := j.c.Experiments.Get(ctx, p.ID, ref)
			switch {
			case errors.Is(err, galileo.ErrNotFound):
				continue
			case err != nil:
				return nil, nil, err
			}
			return x, p, nil
		}
		cs := true
		res, err := j.c.Experiments.Search(ctx, p.ID, galileo.ExperimentSearchRequest{
			Limit:   galileo.DefaultPageSize,
			Filters: []galileo.Filter{{Name: "name", Operator: "eq", Value: ref, CaseSensitive: &cs}},
		})
		if err != nil {
			return nil, nil, err
		}
		for _, x := range res.Experiments {
			if x.Name == ref {
				found = append(found, match{exp: x, proj: p})
			}
		}
	}
	if galileo.IsID(ref) {
		return nil, nil, inputErr(nil, "", "no experiment has the id %s in %s", ref, scope)
	}
	switch len(found) {
	case 1:
		return &found[0].exp, found[0].proj, nil
	case 0:
		msg := fmt.Sprintf("no experiment is named %q in %s", ref, scope)
		if similar := j.similar(ctx, projects, ref); len(similar) > 0 {
			msg += "; experiments whose name starts with it: " + strings.Join(similar, ", ")
		}
		return nil, nil, inputErr(nil, "", "%s", msg)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d experiments are named %q in %s; give its id (or the project):", len(found), ref, scope)
	for _, m := range found {
		fmt.Fprintf(&b, "\n  %s  id %s, project %s, created %s", m.exp.Name, m.exp.ID, m.proj.ProjectName(), m.exp.CreatedAt.UTC().Format(time.RFC3339))
	}
	return nil, nil, inputErr(nil, "", "%s", b.String())
}

// projects returns the projects to search and a description of them.
func (j *judge) projects(ctx context.Context, hint string) ([]galileo.Project, string, error) {
	name, id := strings.TrimSpace(hint), ""
	if galileo.IsID(name) {
		name, id = "", name
	}
	if name == "" && id == "" {
		name, id = j.r.cfg.Project, j.r.cfg.ProjectID
	}
	switch {
	case id != "":
		p, err := j.c.Projects.Get(ctx, id)
		if errors.Is(err, galileo.ErrNotFound) {
			return nil, "", inputErr(nil, "project", "no project has the id %s", id)
		}
		if err != nil {
			return nil, "", err
		}
		return []galileo.Project{*p}, "project " + p.ProjectName(), nil
	case name != "":
		p, err := j.c.Projects.GetByName(ctx, name)
		if errors.Is(err, galileo.ErrNotFound) || (err == nil && p.ProjectName() != name) {
			return nil, "", inputErr(nil, "project", "no project is named %q", name)
		}
		if err != nil {
			return nil, "", err
		}
		return []galileo.Project{*p}, "project " + name, nil
	}
	ps, err := j.c.Projects.List(ctx)
	if err != nil {
		return nil, "", err
	}
	return ps, fmt.Sprintf("any of the %s", plural(len(ps), "project")), nil
}

// similar lists up to five experiment names that start with ref, newest
// first, to help with a name that matched nothing.
func (j *judge) similar(ctx context.Context, projects []galileo.Project, ref string) []string {
	type named struct {
		name string
		at   time.Time
	}
	var all []named
	for _, p := range projects {
		xs, err := j.c.Experiments.List(ctx, p.ID)
		if err != nil {
			return nil
		}
		for _, x := range xs {
			if strings.HasPrefix(x.Name, ref) {
				all = append(all, named{x.Name, x.CreatedAt})
			}
		}
	}
	sort.SliceStable(all, func(a, b int) bool { return all[a].at.After(all[b].at) })
	var out []string
	for i, n := range all {
		if i == 5 {
			out = append(out, fmt.Sprintf("and %d more", len(all)-5))
			break
		}
		out = append(out, n.name)
	}
	return out
}

// judge maps the thresholds' metrics to exp's aggregates and evaluates
// them into rep.
func (j *judge) judge(ctx context.Context, exp *galileo.ExperimentResponse, x *fixtures.Experiment, rep *report.Experiment) error {
	var metrics []string
	for _, e := range x.Expect {
		if m := strings.TrimSpace(e.Metric); !slices.Contains(metrics, m) {
			metrics = append(metrics, m)
		}
	}
	resolved, err := j.resolve(ctx, exp, metrics)
	if err != nil {
		return err
	}
	rep.Rows = experimentRows(exp, resolved)
	scored := -1
	for _, m := range metrics {
		rm := resolved[m]
		if n := rm.Scored; rep.Rows > 0 && n < int64(rep.Rows) {
			j.r.logf("galileotest: warning: %s has %d of %d rows scored; the experiment may still be scoring", m, n, rep.Rows)
		}
		rep.Metrics = append(rep.Metrics, rm)
		if n := int(rm.Scored); scored < 0 || n < scored {
			scored = n
		}
	}
	rep.ScoredRows = max(min(scored, rep.Rows), 0)
	if err := fillRowScores(ctx, j.c, exp.ProjectID, exp.ID, rep.Metrics, metricNamesOf(ctx, j.c, exp.ProjectID, rep.Metrics)); err != nil {
		j.r.logf("galileotest: warning: could not read the row-level scores of %s (no confidence intervals): %v", exp.Name, err)
	}
	src, err := j.r.locateBaseline(ctx, j.c, x, x.Expect, exp.ProjectID, exp.ID)
	if err != nil {
		return err
	}
	if err := src.load(ctx, j.r, j.c, rep); err != nil {
		return err
	}
	rep.Status = report.StatusPassed
	for _, e := range x.Expect {
		t := rep.Verdict(e.Threshold)
		t.Line = e.Line
		rep.AddThreshold(t)
	}
	return baselineProblem(x, rep)
}

// resolve maps each metric name to its aggregates in exp, through the
// client's one metric resolver (galileo.ExperimentsService.ResolveMetrics:
// system metrics, labels in any case, names, aliases, UUIDs); a name that
// is itself a key of exp's aggregates is taken as is. A metric that is
// unknown, or that the experiment did not score, is bad input.
func (j *judge) resolve(ctx context.Context, exp *galileo.ExperimentResponse, metrics []string) (map[string]report.Metric, error) {
	aggs := exp.StructuredAggregateMetrics
	var cols galileo.ColumnCollection
	colsLoaded := false
	labelOf := func(key string) string {
		if !colsLoaded {
			colsLoaded = true
			cols, _ = j.c.Experiments.AvailableColumns(ctx, exp.ProjectID)
		}
		if c := cols.Get("metrics/" + key); c != nil && c.Label != nil {
			return *c.Label
		}
		return ""
	}
	out := map[string]report.Metric{}
	var rest []string
	for _, m := range metrics {
		if a, ok := aggs[m]; ok && !assert.IsSystemMetric(m) {
			rm := report.NewMetric(m, m, &a)
			rm.Label = labelOf(m)
			out[m] = rm
			continue
		}
		rest = append(rest, m)
	}
	if len(rest) == 0 {
		return out, nil
	}
	ms, err := j.c.Experiments.ResolveMetrics(ctx, exp.ProjectID, rest)
	var ue *galileo.UnknownMetricError
	if errors.As(err, &ue) {
		return nil, inputErr(nil, "metrics", "%s", strings.TrimPrefix(ue.Error(), "galileo: "))
	}
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		a, ok := m.In(aggs)
		if !ok {
			return nil, notScored(exp, m.Metric, labelOf)
		}
		rm := report.NewMetric(m.Metric, m.Key, &a)
		rm.Label = m.Label
		out[m.Metric] = rm
	}
	return out, nil
}

// notScored is the error for a metric the experiment has no aggregates
// for; it lists the metrics it has.
func notScored(exp *galileo.ExperimentResponse, metric string, labelOf func(string) string) error {
	var have []string
	for key := range exp.StructuredAggregateMetrics {
		if l := labelOf(key); l != "" {
			have = append(have, l)
		} else {
			have = append(have, key)
		}
	}
	sort.Strings(have)
	list := "none"
	if len(have) > 0 {
		list = strings.Join(have, ", ")
	}
	return inputErr(nil, "metrics", "metric %q was not scored by experiment %s (scored: %s)", metric, exp.Name, list)
}

// experimentRows is the number of rows of an experiment: its traces, else
// the most rows any judged metric counted.
func experimentRows(exp *galileo.ExperimentResponse, resolved map[string]report.Metric) int {
	if exp.NumTraces != nil && *exp.NumTraces > 0 {
		return *exp.NumTraces
	}
	n := int64(0)
	for _, r := range resolved {
		n = max(n, r.Scored)
	}
	return int(n)
}

// experimentKind guesses the report kind: prompt when the server ran a
// prompt.
func experimentKind(exp *galileo.ExperimentResponse) string {
	if exp.Prompt != nil || exp.PromptRunSettings != nil || exp.PromptModel != nil {
		return report.KindPrompt
	}
	return ""
}
