package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/galileo-community/galileo-go/assert"
	"github.com/galileo-community/galileo-go/config"
	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileo"
	"github.com/galileo-community/galileo-go/report"
)

const rejudgeAbout = `Asserts thresholds against an experiment that already ran: nothing is run
and no model is called. The thresholds come from a fixture file (its
expect section; with several experiments in the file, the one whose name
the experiment's name starts with) or from --expect flags, never both.

--experiment is the experiment's id (a UUID) or its exact name. The
project is --project, else the fixture's project, else GALILEO_PROJECT_ID
or GALILEO_PROJECT; with none of them every project is searched. A name
that matches no experiment, or several, is bad input (exit 2); the message
lists the candidates.

Metric names are mapped to the experiment's aggregates as run maps them:
scorer names, labels or UUIDs through the scorers and the experiment
columns; cost, latency (duration_ns) and the token counts by their raw
keys. A metric the experiment did not score is bad input.

rejudge needs the experiment's server: the remote backend (any
GALILEO_API_URL, including a standalone "galileotest emulator").
`

// rejudgeOptions are the flags of the rejudge command.
type rejudgeOptions struct {
	experiment string
	project    string
	expect     stringList
	backend    string
	timeout    time.Duration
	out        outputs
}

// expectation is one threshold to judge, with where it was declared.
type expectation struct {
	th   assert.Threshold
	line int // line in the fixture; 0 for --expect
}

// runRejudge is the rejudge command.
func runRejudge(ctx context.Context, e *env, args []string) int {
	var o rejudgeOptions
	fs := newFlagSet("rejudge", "--experiment NAME|ID [--project NAME|ID] (PATH | --expect 'METRIC: EXPR'...) [flags]", rejudgeAbout, exitCodesHelp)
	fs.StringVar(&o.experiment, "experiment", "", "the experiment to judge: its `NAME|ID` (required)")
	fs.StringVar(&o.project, "project", "", "the experiment's project `NAME|ID`")
	fs.Var(&o.expect, "expect", "a threshold `'METRIC: EXPR'`, e.g. 'correctness: avg >= 0.9' (repeatable)")
	fs.StringVar(&o.backend, "backend", "", "which `auto|remote|emulator` backend to use (default: GALILEOTEST_BACKEND, else auto); only remote reaches an experiment that already ran")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Minute, "bound the API calls")
	o.out.register(fs)
	operands, code, ok := fs.parse(e, args)
	if !ok {
		return code
	}
	o.experiment = strings.TrimSpace(o.experiment)
	switch {
	case o.experiment == "":
		e.errorf("rejudge", "--experiment is required: the name or id of the experiment to judge (see --help)")
		return exitBadInput
	case len(operands) > 1:
		e.errorf("rejudge", "expected at most one fixture PATH, got %d: %s", len(operands), strings.Join(operands, " "))
		return exitBadInput
	case len(operands) == 1 && len(o.expect) > 0:
		e.errorf("rejudge", "give either a fixture PATH or --expect, not both")
		return exitBadInput
	case len(operands) == 0 && len(o.expect) == 0:
		e.errorf("rejudge", "no thresholds: give a fixture PATH or at least one --expect 'METRIC: EXPR'")
		return exitBadInput
	case o.timeout <= 0:
		e.errorf("rejudge", "--timeout %s: expected a positive duration", o.timeout)
		return exitBadInput
	}

	var fixture []fixtures.Experiment
	var flagExpects []expectation
	if len(operands) == 1 {
		exps, err := loadFixtureFile(operands[0])
		if err != nil {
			for _, l := range errorLines(err) {
				fmt.Fprintln(e.stderr, l)
			}
			e.errorf("rejudge", "the fixture is invalid; nothing was judged")
			return exitBadInput
		}
		fixture = exps
	} else {
		for _, s := range o.expect {
			ex, err := parseExpect(s)
			if err != nil {
				e.errorf("rejudge", "--expect %q: %v", s, err)
				return exitBadInput
			}
			flagExpects = append(flagExpects, ex)
		}
	}

	cfg, err := e.loadConfig(o.backend, "")
	if err != nil {
		printError(e, "rejudge", err)
		return exitBadInput
	}
	b, err := cfg.ResolveBackend()
	if err != nil {
		printError(e, "rejudge", err)
		return exitBadInput
	}
	if b == config.BackendEmulator {
		e.errorf("rejudge", "the emulator backend (%s) starts an empty in-process emulator, which has no experiment to judge; point GALILEO_API_URL and GALILEO_API_KEY at the server that ran it (for a standalone emulator: galileotest emulator, with GALILEOTEST_BACKEND=remote)", backendReason(cfg))
		return exitBadInput
	}
	bc, err := e.openBackend(cfg)
	if err != nil {
		printError(e, "rejudge", err)
		return codeFor(err)
	}
	defer bc.Close()
	ctx, cancel := withTimeout(ctx, o.timeout)
	defer cancel()

	started := time.Now()
	j := &judge{c: bc.c, cfg: cfg}
	projectHint := o.project
	if projectHint == "" {
		projectHint = fixtureProject(fixture)
	}
	exp, proj, err := j.find(ctx, o.experiment, projectHint)
	if err != nil {
		printError(e, "rejudge", err)
		return codeFor(err)
	}
	var x *fixtures.Experiment
	expects := flagExpects
	if fixture != nil {
		x, err = pickFixture(fixture, exp.Name, operands[0])
		if err != nil {
			printError(e, "rejudge", err)
			return exitBadInput
		}
		for _, ex := range x.Expect {
			expects = append(expects, expectation{th: ex.Threshold, line: ex.Line})
		}
		if len(expects) == 0 {
			e.errorf("rejudge", "%s (%s): no thresholds under expect; nothing to judge", where(*x), x.Name)
			return exitBadInput
		}
	}

	var metrics []string
	for _, ex := range expects {
		if !slices.Contains(metrics, ex.th.Metric) {
			metrics = append(metrics, ex.th.Metric)
		}
	}
	resolved, err := j.resolve(ctx, exp, metrics)
	if err != nil {
		printError(e, "rejudge", err)
		return codeFor(err)
	}
	rows := experimentRows(exp, resolved)
	for _, m := range metrics {
		r := resolved[m]
		if n := scoredRows(r.agg); rows > 0 && n < int64(rows) {
			e.errorf("rejudge", "warning: %s has %d of %d rows scored; the experiment may still be scoring", m, n, rows)
		}
	}

	rex := report.Experiment{
		Name: exp.Name, RunName: exp.Name, ID: exp.ID, ProjectID: proj.ID, Project: proj.ProjectName(),
		Link: cfg.ConsoleLink(proj.ID, exp.ID), Rows: rows, Kind: experimentKind(exp),
		Metrics: []report.Metric{}, Thresholds: []report.Threshold{},
	}
	if x != nil {
		rex.File, rex.Line = x.File, x.Line
	}
	scored := -1
	for _, m := range metrics {
		r := resolved[m]
		rm := report.NewMetric(m, r.key, toAssert(r.agg))
		rm.Label = r.label
		rex.Metrics = append(rex.Metrics, rm)
		if n := int(scoredRows(r.agg)); scored < 0 || n < scored {
			scored = n
		}
	}
	rex.ScoredRows = max(min(scored, rows), 0)
	var results []assert.Result
	passed := true
	for _, ex := range expects {
		res := ex.th.Evaluate(toAssert(resolved[ex.th.Metric].agg))
		results = append(results, res)
		rex.Thresholds = append(rex.Thresholds, report.NewThreshold(res))
		passed = passed && res.Pass
	}
	rex.Status = report.StatusFailed
	if passed {
		rex.Status = report.StatusPassed
	}
	finished := time.Now()
	rex.DurationMS = finished.Sub(started).Milliseconds()

	printRejudge(e.stdout, rex, expects, results)
	code = exitOK
	if !passed {
		code = exitFailed
	}
	rep := &report.Report{SchemaVersion: report.SchemaVersion, StartedAt: started.UTC(), FinishedAt: finished.UTC(), Backend: report.BackendRemote, Experiments: []report.Experiment{rex}}
	if err := o.out.write(e, "rejudge", rep); err != nil {
		e.errorf("rejudge", "%v", err)
		code = worse(code, exitBadInput)
	}
	return code
}

// loadFixtureFile loads one fixture file; a directory is an error.
func loadFixtureFile(path string) ([]fixtures.Experiment, error) {
	files := loadFixtures([]string{path})
	if len(files) != 1 || files[0].Path != path {
		return nil, &fixtures.Error{File: path, Msg: "expected one fixture file, not a directory"}
	}
	return files[0].Experiments, files[0].Err
}

// parseExpect parses "metric: expr".
func parseExpect(s string) (expectation, error) {
	metric, expr, ok := strings.Cut(s, ":")
	metric, expr = strings.TrimSpace(metric), strings.TrimSpace(expr)
	if !ok || metric == "" || expr == "" {
		return expectation{}, badInput("expected 'METRIC: EXPR', e.g. 'correctness: avg >= 0.9'")
	}
	th, err := assert.Parse(metric, expr)
	if err != nil {
		return expectation{}, err
	}
	return expectation{th: th}, nil
}

// fixtureProject is the project every experiment of the fixture names, or
// "" when they name none or differ.
func fixtureProject(exps []fixtures.Experiment) string {
	p := ""
	for i, x := range exps {
		if i > 0 && x.Project != p {
			return ""
		}
		p = x.Project
	}
	return p
}

// pickFixture chooses the fixture experiment an experiment ran from: the
// only one, else the one named exactly like it, else the one with the
// longest name the experiment's name starts with.
func pickFixture(exps []fixtures.Experiment, name, path string) (*fixtures.Experiment, error) {
	if len(exps) == 1 {
		return &exps[0], nil
	}
	var best *fixtures.Experiment
	for i := range exps {
		x := &exps[i]
		if x.Name == name {
			return x, nil
		}
		if strings.HasPrefix(name, x.Name) && (best == nil || len(x.Name) > len(best.Name)) {
			best = x
		}
	}
	if best != nil {
		return best, nil
	}
	names := make([]string, len(exps))
	for i, x := range exps {
		names[i] = x.Name
	}
	return nil, badInput("%s declares %d experiments (%s) and the name of experiment %s starts with none of them; pass --expect, or a file with the experiment's thresholds only", path, len(exps), strings.Join(names, ", "), name)
}

// judge looks experiments and their metrics up.
type judge struct {
	c   *galileo.Client
	cfg *config.Config
}

// find returns the experiment named or identified by ref, searching the
// project hint (a name or id), else the configured project, else every
// project.
func (j *judge) find(ctx context.Context, ref, projectHint string) (*galileo.ExperimentResponse, *galileo.Project, error) {
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
		if isUUID(ref) {
			x, err := j.c.Experiments.Get(ctx, p.ID, ref)
			switch {
			case errors.Is(err, galileo.ErrNotFound):
				continue
			case err != nil:
				return nil, nil, err
			}
			return x, p, nil
		}
		res, err := j.c.Experiments.Search(ctx, p.ID, galileo.ExperimentSearchRequest{
			Limit:   galileo.DefaultPageSize,
			Filters: []galileo.Filter{{Name: "name", Operator: "eq", Value: ref, CaseSensitive: ptr(true)}},
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
	if isUUID(ref) {
		return nil, nil, badInput("no experiment has the id %s in %s", ref, scope)
	}
	switch len(found) {
	case 1:
		return &found[0].exp, found[0].proj, nil
	case 0:
		msg := fmt.Sprintf("no experiment is named %q in %s", ref, scope)
		if similar := j.similar(ctx, projects, ref); len(similar) > 0 {
			msg += "; experiments whose name starts with it: " + strings.Join(similar, ", ")
		}
		return nil, nil, badInput("%s", msg)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d experiments are named %q in %s; pass --experiment ID (or --project):", len(found), ref, scope)
	for _, m := range found {
		fmt.Fprintf(&b, "\n  %s  id %s, project %s, created %s", m.exp.Name, m.exp.ID, m.proj.ProjectName(), m.exp.CreatedAt.UTC().Format(time.RFC3339))
	}
	return nil, nil, badInput("%s", b.String())
}

// projects returns the projects to search and a description of them.
func (j *judge) projects(ctx context.Context, hint string) ([]galileo.Project, string, error) {
	name, id := strings.TrimSpace(hint), ""
	if isUUID(name) {
		name, id = "", name
	}
	if name == "" && id == "" {
		name, id = j.cfg.Project, j.cfg.ProjectID
	}
	switch {
	case id != "":
		p, err := j.c.Projects.Get(ctx, id)
		if errors.Is(err, galileo.ErrNotFound) {
			return nil, "", badInput("no project has the id %s", id)
		}
		if err != nil {
			return nil, "", err
		}
		return []galileo.Project{*p}, "project " + p.ProjectName(), nil
	case name != "":
		p, err := j.c.Projects.GetByName(ctx, name)
		if errors.Is(err, galileo.ErrNotFound) || (err == nil && p.ProjectName() != name) {
			return nil, "", badInput("no project is named %q", name)
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
	return ps, fmt.Sprintf("any of the %s", plural(len(ps), "project", "projects")), nil
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

// resolvedMetric is a metric mapped to the experiment's aggregates.
type resolvedMetric struct {
	key   string
	label string
	agg   galileo.MetricAggregates
}

// resolve maps each metric name to its aggregates in exp: system metrics
// by their raw key; others as a raw key, through the experiment columns
// (label, metric_key_alias), then through the scorers (name, label or
// UUID). A metric that is unknown, or that the experiment did not score,
// is bad input.
func (j *judge) resolve(ctx context.Context, exp *galileo.ExperimentResponse, metrics []string) (map[string]resolvedMetric, error) {
	aggs := exp.StructuredAggregateMetrics
	out := map[string]resolvedMetric{}
	var cols galileo.ColumnCollection
	colsLoaded := false
	columns := func() galileo.ColumnCollection {
		if !colsLoaded {
			colsLoaded = true
			cols, _ = j.c.Experiments.AvailableColumns(ctx, exp.ProjectID)
		}
		return cols
	}
	labelOf := func(key string) string {
		if c := columns().Get("metrics/" + key); c != nil && c.Label != nil {
			return *c.Label
		}
		return ""
	}
	var viaScorers []string
	for _, m := range metrics {
		if assert.IsSystemMetric(m) {
			key := assert.CanonicalMetric(m)
			a, ok := aggs[key]
			if !ok {
				return nil, j.notScored(exp, m, labelOf)
			}
			out[m] = resolvedMetric{key: key, agg: a}
			continue
		}
		if a, ok := aggs[m]; ok {
			out[m] = resolvedMetric{key: m, label: labelOf(m), agg: a}
			continue
		}
		found := false
		for _, c := range columns() {
			key, isMetric := strings.CutPrefix(c.ID, "metrics/")
			if !isMetric || !((c.Label != nil && *c.Label == m) || (c.MetricKeyAlias != nil && *c.MetricKeyAlias == m)) {
				continue
			}
			if a, ok := aggs[key]; ok {
				out[m] = resolvedMetric{key: key, label: labelOf(key), agg: a}
				found = true
				break
			}
		}
		if !found {
			viaScorers = append(viaScorers, m)
		}
	}
	if len(viaScorers) == 0 {
		return out, nil
	}
	scorers, err := j.c.Scorers.Resolve(ctx, viaScorers)
	var ue *galileo.UnknownMetricError
	if errors.As(err, &ue) {
		return nil, badInput("%s", strings.TrimPrefix(ue.Error(), "galileo: "))
	}
	if err != nil {
		return nil, err
	}
	for i, m := range viaScorers {
		s := scorers[i]
		cands := []string{s.ID, s.Name}
		if s.MetricName != nil {
			cands = append(cands, *s.MetricName)
		}
		if c := columns().Get("metrics/" + s.ID); c != nil && c.MetricKeyAlias != nil {
			cands = append(cands, *c.MetricKeyAlias)
		}
		ok := false
		for _, key := range cands {
			if a, has := aggs[key]; has {
				out[m] = resolvedMetric{key: key, label: s.ScorerLabel(), agg: a}
				ok = true
				break
			}
		}
		if !ok {
			return nil, j.notScored(exp, m, labelOf)
		}
	}
	return out, nil
}

// notScored is the error for a metric the experiment has no aggregates
// for; it lists the metrics it has.
func (j *judge) notScored(exp *galileo.ExperimentResponse, metric string, labelOf func(string) string) error {
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
	return badInput("metric %q was not scored by experiment %s (scored: %s)", metric, exp.Name, list)
}

// experimentRows is the number of rows of an experiment: its traces, else
// the most rows any judged metric counted.
func experimentRows(exp *galileo.ExperimentResponse, resolved map[string]resolvedMetric) int {
	if exp.NumTraces != nil && *exp.NumTraces > 0 {
		return *exp.NumTraces
	}
	n := int64(0)
	for _, r := range resolved {
		n = max(n, scoredRows(r.agg))
	}
	return int(n)
}

// scoredRows is the rows behind an aggregate: its count, or the total of
// its value distribution.
func scoredRows(a galileo.MetricAggregates) int64 {
	if a.Count != nil {
		return *a.Count
	}
	var n int64
	for _, v := range a.ValueDistribution {
		n += v
	}
	return n
}

// experimentKind guesses the report kind: prompt when the server ran a
// prompt.
func experimentKind(exp *galileo.ExperimentResponse) string {
	if exp.Prompt != nil || exp.PromptRunSettings != nil || exp.PromptModel != nil {
		return report.KindPrompt
	}
	return ""
}

// printRejudge writes every verdict and the total.
func printRejudge(w io.Writer, rex report.Experiment, expects []expectation, results []assert.Result) {
	met := 0
	for _, r := range results {
		if r.Pass {
			met++
		}
	}
	word := "PASS"
	if met < len(results) {
		word = "FAIL"
	}
	loc := ""
	if rex.File != "" {
		loc = fmt.Sprintf(" (%s:%d)", rex.File, rex.Line)
	}
	fmt.Fprintf(w, "--- %-7s %s%s: rejudged experiment %s (id %s, project %s), %s, %d/%d thresholds met\n",
		word, rex.Name, loc, rex.RunName, rex.ID, rex.Project, plural(rex.Rows, "row", "rows"), met, len(results))
	for i, r := range results {
		mark := "ok  "
		if !r.Pass {
			mark = "MISS"
		}
		line := fmt.Sprintf("    %s  %s", mark, r.Explanation)
		if !r.Pass && rex.File != "" && expects[i].line > 0 {
			line += fmt.Sprintf("  %s:%d", rex.File, expects[i].line)
		}
		fmt.Fprintln(w, line)
	}
	if rex.Link != "" {
		fmt.Fprintf(w, "    experiment %s: %s\n", rex.RunName, rex.Link)
	}
	fmt.Fprintf(w, "%s  %s, %d missed (no new run)\n", word, plural(len(results), "threshold", "thresholds"), len(results)-met)
}

func ptr[T any](v T) *T { return &v }

// toAssert converts wire aggregates into the threshold language's.
func toAssert(a galileo.MetricAggregates) assert.Aggregates {
	return assert.Aggregates{
		Avg: a.Avg, Sum: a.Sum, Min: a.Min, Max: a.Max,
		P50: a.P50, P90: a.P90, P95: a.P95, P99: a.P99,
		Count:             a.Count,
		ValueDistribution: a.ValueDistribution,
	}
}
