package galileotest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileo"
	"github.com/galileo-community/galileo-go/report"
)

// StatusTag is the experiment tag under which the harness records a run's
// verdict (passed, failed, inconclusive), so that a later run can take the
// newest passed run of a branch as its baseline:
// baseline: {tag: "git_branch=main", status: passed}.
const StatusTag = "galileotest_status"

// Snapshot reads an experiment that ran — by id or exact name, in project
// (a name or id; "" for the configured one, else every project) — with
// the aggregates and row-level scores of the named metrics (every metric
// it has when none are named). It is what a baseline is judged against,
// and what galileotest bless writes to a file.
func (r *Runner) Snapshot(ctx context.Context, ref, project string, metrics ...string) (*report.Experiment, error) {
	c, err := r.getClient(r.logf)
	if err != nil {
		return nil, err
	}
	j := &judge{r: r, c: c}
	exp, proj, err := j.find(ctx, strings.TrimSpace(ref), project)
	if err != nil {
		return nil, err
	}
	return j.snapshot(ctx, exp, proj, metrics)
}

// snapshot builds the report of exp with the metrics' aggregates and row
// scores.
func (j *judge) snapshot(ctx context.Context, exp *galileo.ExperimentResponse, proj *galileo.Project, metrics []string) (*report.Experiment, error) {
	if len(metrics) == 0 {
		for key := range exp.StructuredAggregateMetrics {
			metrics = append(metrics, key)
		}
		sort.Strings(metrics)
	}
	resolved, err := j.resolve(ctx, exp, metrics)
	if err != nil {
		return nil, err
	}
	rep := &report.Experiment{Name: exp.Name, RunName: exp.Name, ID: exp.ID, ProjectID: exp.ProjectID, Project: proj.ProjectName(),
		Link: consoleLink(j.c, exp.ProjectID, exp.ID), Kind: experimentKind(exp), StartedAt: exp.CreatedAt.UTC(),
		Rows: experimentRows(exp, resolved), Status: report.StatusPassed, Metrics: []report.Metric{}, Thresholds: []report.Threshold{}}
	if tags, err := j.c.Experiments.ListTags(ctx, exp.ProjectID, exp.ID); err == nil {
		for _, t := range tags {
			if rep.Tags == nil {
				rep.Tags = map[string]string{}
			}
			rep.Tags[t.Key] = t.Value
		}
	}
	for _, m := range metrics {
		rep.Metrics = append(rep.Metrics, resolved[m])
	}
	if err := fillRowScores(ctx, j.c, exp.ProjectID, exp.ID, rep.Metrics, metricNamesOf(ctx, j.c, exp.ProjectID, rep.Metrics)); err != nil {
		return nil, fmt.Errorf("read the row-level scores of %s: %w", exp.Name, err)
	}
	return rep, nil
}

// baselineMetrics are the metrics of the thresholds that refer to the
// baseline.
func baselineMetrics(expects []fixtures.Expectation) []string {
	var out []string
	for _, e := range expects {
		if _, ok := e.Threshold.Baseline(); ok && !slices.Contains(out, strings.TrimSpace(e.Metric)) {
			out = append(out, strings.TrimSpace(e.Metric))
		}
	}
	return out
}

// baselineSource is where an experiment's baseline was found: a stored
// experiment, or a file already read.
type baselineSource struct {
	x       *fixtures.Experiment
	metrics []string
	exp     *galileo.ExperimentResponse
	proj    *galileo.Project
	file    *report.Experiment
}

// locateBaseline finds the baseline an experiment names, for the
// thresholds that refer to it: before anything runs, so that a wrong
// reference costs nothing. It returns nil when no threshold needs one.
// projectID is the experiment's project; exclude is its own id, if it
// exists already (never its own baseline).
func (r *Runner) locateBaseline(ctx context.Context, c *galileo.Client, x *fixtures.Experiment, expects []fixtures.Expectation, projectID, exclude string) (*baselineSource, error) {
	b := x.Baseline
	metrics := baselineMetrics(expects)
	switch {
	case len(metrics) == 0:
		return nil, nil // nothing compares with it
	case b == nil:
		return nil, inputErr(x, "baseline", "missing: the thresholds on %s refer to a baseline; set baseline: {experiment: NAME} (or experiment_id, tag or file)", strings.Join(metrics, ", "))
	}
	src := &baselineSource{x: x, metrics: metrics}
	if b.File != "" {
		path := b.File
		if x.File != "" && !filepath.IsAbs(path) {
			path = filepath.Join(filepath.Dir(x.File), path)
		}
		be, err := readBaselineFile(path, x.Name)
		if err != nil {
			return nil, &fixtures.Error{File: x.File, Line: b.Line, Experiment: x.Name, Field: "baseline.file", Msg: err.Error()}
		}
		src.file = be
		return src, nil
	}
	j := &judge{r: r, c: c}
	exp, proj, err := j.baselineExperiment(ctx, b, projectID, exclude)
	if err != nil {
		return nil, atBaseline(err, x, "")
	}
	src.exp, src.proj = exp, proj
	return src, nil
}

// load reads the located baseline's metrics and row scores into
// rep.Against.
func (src *baselineSource) load(ctx context.Context, r *Runner, c *galileo.Client, rep *report.Experiment) error {
	if src == nil {
		return nil
	}
	if src.file != nil {
		rep.Against, rep.BaselineFile = src.file, src.x.Baseline.File
		return nil
	}
	be, err := (&judge{r: r, c: c}).snapshot(ctx, src.exp, src.proj, src.metrics)
	if err != nil {
		return atBaseline(err, src.x, "baseline "+src.exp.Name+": ")
	}
	rep.Against = be
	return nil
}

// atBaseline places a problem with the baseline at the experiment's
// baseline field.
func atBaseline(err error, x *fixtures.Experiment, prefix string) error {
	var fe *fixtures.Error
	if errors.As(err, &fe) {
		fe.File, fe.Experiment, fe.Field, fe.Msg = x.File, x.Name, "baseline", prefix+fe.Msg
		if x.Baseline != nil {
			fe.Line = x.Baseline.Line
		}
	}
	return err
}

// baselineExperiment finds the experiment a baseline names: by name or id,
// or the newest of the project with the tag (and status).
func (j *judge) baselineExperiment(ctx context.Context, b *fixtures.Baseline, projectID, exclude string) (*galileo.ExperimentResponse, *galileo.Project, error) {
	switch {
	case b.Experiment != "":
		return j.find(ctx, b.Experiment, projectID)
	case b.ExperimentID != "":
		return j.find(ctx, b.ExperimentID, projectID)
	}
	key, value, _ := strings.Cut(b.Tag, "=")
	key, value = strings.TrimSpace(key), strings.TrimSpace(value)
	proj, err := j.c.Projects.Get(ctx, projectID)
	if err != nil {
		return nil, nil, err
	}
	xs, err := j.c.Experiments.List(ctx, projectID)
	if err != nil {
		return nil, nil, err
	}
	sort.SliceStable(xs, func(a, b int) bool { return xs[a].CreatedAt.After(xs[b].CreatedAt) })
	for i := range xs {
		x := &xs[i]
		if x.ID == exclude {
			continue
		}
		tags, err := j.c.Experiments.ListTags(ctx, projectID, x.ID)
		if err != nil {
			return nil, nil, err
		}
		if hasTag(tags, key, value) && (b.Status == "" || hasTag(tags, StatusTag, b.Status)) {
			return x, proj, nil
		}
	}
	want := b.Tag
	if b.Status != "" {
		want += " and " + StatusTag + "=" + b.Status
	}
	return nil, nil, inputErr(nil, "baseline", "no experiment of project %s carries the tag %s", proj.ProjectName(), want)
}

func hasTag(tags []galileo.RunTag, key, value string) bool {
	return slices.ContainsFunc(tags, func(t galileo.RunTag) bool { return t.Key == key && t.Value == value })
}

// readBaselineFile reads a baseline written by galileotest bless: a JSON
// report whose experiment named like the declaration (or its only one)
// is the baseline.
func readBaselineFile(path, name string) (*report.Experiment, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the baseline: %w (write it with: galileotest bless --experiment NAME --out %s)", err, path)
	}
	defer f.Close()
	r, err := report.ReadJSON(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	switch {
	case len(r.Experiments) == 1:
		return &r.Experiments[0], nil
	case len(r.Experiments) == 0:
		return nil, fmt.Errorf("%s holds no experiment", path)
	}
	for i := range r.Experiments {
		if r.Experiments[i].Name == name {
			return &r.Experiments[i], nil
		}
	}
	return nil, fmt.Errorf("%s holds %d experiments and none is named %q", path, len(r.Experiments), name)
}

// tagStatus records the run's verdict on the experiment (StatusTag), for
// baselines chosen by tag and status. A re-attached experiment's earlier
// tag is updated rather than duplicated. A failure is logged.
func (rn *run) tagStatus(ctx context.Context) {
	status := rn.rep.ThresholdStatus()
	req := galileo.RunTagCreateRequest{Key: StatusTag, Value: status, TagType: galileo.TagTypeGeneric}
	var err error
	if rn.reattached {
		var tags []galileo.RunTag
		if tags, err = rn.c.Experiments.ListTags(ctx, rn.projectID, rn.exp.ID); err == nil {
			for _, t := range tags {
				if t.Key == StatusTag {
					if _, err = rn.c.Experiments.UpdateTag(ctx, rn.projectID, rn.exp.ID, t.ID, req); err != nil {
						rn.logf("%s: warning: could not tag the experiment %s=%s: %v", rn.p.x.Name, StatusTag, status, err)
					}
					return
				}
			}
		}
	}
	if _, err = rn.c.Experiments.AddTag(ctx, rn.projectID, rn.exp.ID, req); err != nil {
		rn.logf("%s: warning: could not tag the experiment %s=%s: %v", rn.p.x.Name, StatusTag, status, err)
	}
}

// baselineProblem is the error for a baseline threshold that could not be
// compared at all (too few matched rows, no row-level scores): bad input,
// not a missed threshold. It returns nil when every comparison was made.
func baselineProblem(x *fixtures.Experiment, rep *report.Experiment) error {
	for _, t := range rep.Thresholds {
		if t.Baseline != nil && t.Actual == nil {
			line := t.Line
			if line == 0 && x.Baseline != nil {
				line = x.Baseline.Line
			}
			return &fixtures.Error{File: x.File, Line: line, Experiment: x.Name, Field: "expect." + t.Metric, Msg: t.Explanation}
		}
	}
	return nil
}
