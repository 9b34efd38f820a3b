package galileotest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileo"
	"github.com/galileo-community/galileo-go/report"
)

// Evaluate runs one experiment with a Runner made from opts and closes the
// Runner afterwards; see Runner.Run.
func Evaluate(ctx context.Context, x Experiment, opts ...Option) (*report.Experiment, error) {
	r, err := NewRunner(opts...)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return r.Run(ctx, x)
}

// Run runs one experiment: it validates x (no network), resolves its
// metrics, project, dataset and prompt, creates the experiment under a name
// from its naming strategy (or re-attaches to it), runs the function over
// the rows or lets the server run the prompt, waits until every metric is
// scored, and judges the thresholds.
//
// The returned report is never nil and is also kept for the Runner's
// Report. A missed threshold is not an error: its status is
// report.StatusFailed. The error is a *fixtures.Error (errors.Is(err,
// fixtures.ErrInvalid)), or several joined, for bad input, detected before
// anything is created; a *TimeoutError when the scores did not arrive in
// time; a *SetupError for any other problem. The report's status says the
// same (report.StatusError, report.StatusTimeout). The whole run is bounded
// by the experiment's Timeout and by ctx.
func (r *Runner) Run(ctx context.Context, x Experiment) (*report.Experiment, error) {
	return r.run(ctx, fixtures.Experiment(x), r.logf)
}

// deadlineCause is the cause of a context that ran out of time.
type deadlineCause struct{ what string }

func (d *deadlineCause) Error() string { return d.what }

// run is one experiment on its way through the stages: validate, resolve,
// create, execute, wait, judge. Each stage fills in what the next needs.
type run struct {
	r    *Runner
	p    *plan
	c    *galileo.Client
	rep  *report.Experiment
	prog *progress
	logf func(string, ...any)

	scorers    []galileo.Scorer
	configs    []galileo.ScorerConfig
	data       *resolvedData
	versionID  string
	projectID  string
	exp        *galileo.ExperimentResponse
	reattached bool
	baseline   *baselineSource // nil: no threshold refers to a baseline
}

func (r *Runner) run(ctx context.Context, x fixtures.Experiment, logf func(string, ...any)) (_ *report.Experiment, err error) {
	start := time.Now()
	rn := &run{r: r, logf: logf, prog: newProgress(r.s.progress, x, start),
		rep: &report.Experiment{Name: x.Name, File: x.File, Line: x.Line, StartedAt: start.UTC(), Metrics: []report.Metric{}, Thresholds: []report.Threshold{}}}
	var setupEnd, runEnd time.Time
	rn.prog.phase(PhaseSetup)
	defer func() {
		rn.finish(err, start, setupEnd, runEnd)
		r.addReport(rn.rep)
	}()

	r.s.verdictDefaults(&x)
	rn.rep.Confidence, rn.rep.OnInconclusive, rn.rep.Repeats = x.Confidence, x.OnInconclusive, x.Repeats
	if rn.p, err = newPlan(x, r.s.funcs); err != nil {
		return rn.rep, err
	}
	rn.rep.Kind = rn.p.kind()
	ctx, cancel := context.WithTimeoutCause(ctx, rn.p.timeout, &deadlineCause{fmt.Sprintf("the experiment's timeout of %s", rn.p.timeout)})
	defer cancel()
	if rn.c, err = r.getClient(logf); err != nil {
		return rn.rep, err
	}
	if err = rn.resolve(ctx); err != nil {
		return rn.rep, err
	}
	if err = rn.create(ctx); err != nil {
		return rn.rep, err
	}
	setupEnd = time.Now()
	if err = rn.execute(ctx); err != nil {
		return rn.rep, err
	}
	runEnd = time.Now()
	st, err := rn.wait(ctx)
	if err != nil {
		return rn.rep, err
	}
	rn.rowScores(ctx, st)
	if err = rn.baseline.load(ctx, rn.r, rn.c, rn.rep); err != nil {
		return rn.rep, stepErr(ctx, "baseline", err)
	}
	rn.judge(st)
	if err = baselineProblem(&rn.p.x, rn.rep); err != nil {
		return rn.rep, err
	}
	rn.tagStatus(ctx)
	return rn.rep, nil
}

// finish records how the run ended: durations, and the status and error
// the test and the command report.
func (rn *run) finish(err error, start, setupEnd, runEnd time.Time) {
	now := time.Now()
	rep := rn.rep
	rep.DurationMS = now.Sub(start).Milliseconds()
	if !setupEnd.IsZero() {
		rep.SetupMS = setupEnd.Sub(start).Milliseconds()
		if !runEnd.IsZero() {
			rep.RunMS = runEnd.Sub(setupEnd).Milliseconds()
			rep.WaitMS = now.Sub(runEnd).Milliseconds()
		}
	}
	var te *TimeoutError
	switch {
	case errors.As(err, &te):
		rep.Status, rep.Error = report.StatusTimeout, err.Error()
	case err != nil:
		rep.Status, rep.Error = report.StatusError, err.Error()
	default:
		rep.Status = rep.ThresholdStatus()
	}
	rn.prog.update(func(ev *ProgressEvent) { ev.Phase, ev.Err = PhaseDone, err })
}

// stepErr names the step a failure happened in when the run's own
// deadline caused it.
func stepErr(ctx context.Context, step string, err error) error {
	if ctx.Err() != nil {
		return &SetupError{Step: step, Err: context.Cause(ctx)}
	}
	return err
}

// resolve finds the scorers, dataset, prompt and project. What must exist
// already (a stored dataset or template) is looked up before anything is
// created, so that a wrong name creates nothing.
func (rn *run) resolve(ctx context.Context) (err error) {
	r, p, c := rn.r, rn.p, rn.c
	if rn.scorers, err = resolveScorers(ctx, c, p); err != nil {
		return stepErr(ctx, "resolve metrics", err)
	}
	if p.x.Dataset.Name != "" || p.fn != nil {
		if rn.data, err = r.resolveDataset(ctx, c, p, ""); err != nil {
			return stepErr(ctx, "dataset", err)
		}
	}
	if pr := p.x.Prompt; pr != nil && pr.Template != "" {
		if rn.versionID, err = r.resolvePrompt(ctx, c, p, ""); err != nil {
			return stepErr(ctx, "prompt", err)
		}
	}
	proj, err := r.resolveProject(ctx, c, p)
	if err != nil {
		return stepErr(ctx, "project", err)
	}
	rn.projectID = proj.id
	rn.rep.Project, rn.rep.ProjectID = proj.name, proj.id
	if rn.baseline, err = r.locateBaseline(ctx, c, &p.x, p.expects, proj.id, ""); err != nil {
		return stepErr(ctx, "baseline", err)
	}
	if rn.data == nil {
		if rn.data, err = r.resolveDataset(ctx, c, p, proj.id); err != nil {
			return stepErr(ctx, "dataset", err)
		}
	}
	if p.x.Prompt != nil && rn.versionID == "" {
		if rn.versionID, err = r.resolvePrompt(ctx, c, p, proj.id); err != nil {
			return stepErr(ctx, "prompt", err)
		}
	}
	n := rn.data.count
	rn.rep.Rows = n
	rn.rep.AllowedErroredRows = p.x.Allow.MaxErrored(n)
	rn.rep.AllowedUnscoredRows = p.x.Allow.MaxUnscored(n)
	rn.prog.update(func(ev *ProgressEvent) { ev.RowsTotal = n })
	rn.configs = make([]galileo.ScorerConfig, len(rn.scorers))
	for i := range rn.scorers {
		rn.configs[i] = rn.scorers[i].Config()
	}
	return nil
}

// create creates the experiment (or re-attaches to it) and tags it.
func (rn *run) create(ctx context.Context) error {
	p, c, rep := rn.p, rn.c, rn.rep
	req := galileo.ExperimentCreateRequest{TaskType: galileo.TaskTypeExperiment}
	if rn.data.id != "" {
		req.Dataset = &galileo.ExperimentDatasetRequest{DatasetID: rn.data.id, VersionIndex: rn.data.version}
	}
	if p.x.Prompt != nil {
		settings := promptSettings(p.x.Prompt)
		req.PromptTemplateVersionID = &rn.versionID
		req.PromptSettings = &settings
		req.Scorers = rn.configs
		req.Trigger = true
	}
	cr, err := rn.r.createNamed(ctx, c, p, rn.projectID, req)
	if err != nil {
		return stepErr(ctx, "create experiment", err)
	}
	rn.exp, rn.reattached = cr.exp, cr.reattached
	rep.RunName, rep.ID, rep.Reattached = cr.exp.Name, cr.exp.ID, cr.reattached
	rep.Link = consoleLink(c, rn.projectID, cr.exp.ID)
	if cr.reattached {
		rn.logf("%s: re-attached to the existing experiment %s — %s", p.x.Name, cr.exp.Name, rep.Link)
	} else {
		rn.logf("%s: created experiment %s — %s", p.x.Name, cr.exp.Name, rep.Link)
	}
	tags := rn.r.runFacts(ctx).tags(p.x.Tags)
	rep.Tags = tags
	if !cr.reattached {
		keys := make([]string, 0, len(tags))
		for k := range tags {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if _, err := c.Experiments.AddTag(ctx, rn.projectID, cr.exp.ID, galileo.RunTagCreateRequest{Key: k, Value: tags[k], TagType: galileo.TagTypeGeneric}); err != nil {
				if ctx.Err() != nil {
					return stepErr(ctx, "tags", err)
				}
				rn.logf("%s: warning: could not tag the experiment %s=%s: %v", p.x.Name, k, tags[k], err)
			}
		}
	}
	rn.prog.update(func(ev *ProgressEvent) { ev.RunName, ev.Link = cr.exp.Name, rep.Link })
	return nil
}

// execute runs the function over the rows (function experiments), unless a
// re-attached experiment already has its traces.
func (rn *run) execute(ctx context.Context) error {
	p, c, exp := rn.p, rn.c, rn.exp
	if p.fn == nil {
		return nil
	}
	if rn.reattached {
		n, err := c.Records.Count(ctx, rn.projectID, galileo.RecordTrace, galileo.LogRecordsQueryCountRequest{ExperimentID: &exp.ID, Filters: []galileo.Filter{}})
		if err != nil {
			return stepErr(ctx, "count traces", &SetupError{Step: "count the traces of " + exp.Name, Err: err})
		}
		if n > 0 {
			rn.prog.update(func(ev *ProgressEvent) { ev.RowsRun = n })
			rn.logf("%s: the experiment already has %d traces; not running the function again", p.x.Name, n)
			if n < rn.data.count {
				rn.logf("%s: warning: %d of %d rows have traces; the earlier run was interrupted, so the wait may time out (give the run a new name, e.g. with {{.Attempt}})", p.x.Name, n, rn.data.count)
			}
			return nil
		}
	}
	if len(rn.configs) > 0 {
		if _, err := c.Scorers.SetRunSettings(ctx, rn.projectID, exp.ID, rn.configs); err != nil {
			return stepErr(ctx, "register scorers", &SetupError{Step: "register scorers", Err: err})
		}
	}
	rn.logf("%s: running %s over %d rows (concurrency %d)", p.x.Name, p.x.Function, rn.data.count, p.concurrency)
	rn.prog.phase(PhaseRunning)
	stats, err := runFunction(ctx, p.fn, p.x.Function, exp.Name, rn.data.rows, p.concurrency,
		ingestSink{c: c, projectID: rn.projectID, experimentID: exp.ID},
		func() { rn.prog.update(func(ev *ProgressEvent) { ev.RowsRun++ }) })
	rn.rep.ErroredRows, rn.rep.RowErrors = stats.errored, stats.rowErrors
	if err != nil {
		return &SetupError{Step: fmt.Sprintf("run %s (%d of %d rows logged)", p.x.Function, stats.ingested, rn.data.count), Err: err}
	}
	if stats.errored > 0 {
		rn.logf("%s: %d of %d rows errored (first: row %d: %s)", p.x.Name, stats.errored, rn.data.count, stats.rowErrors[0].Index, stats.rowErrors[0].Error)
	}
	return nil
}

// wait polls until every metric is scored, then records the metrics.
func (rn *run) wait(ctx context.Context) (*galileo.WaitState, error) {
	c, rep := rn.c, rn.rep
	keys := metricKeys(rn.p, rn.scorers)
	// Every row is waited for, errored ones too: a server may score them,
	// and stopping as soon as rows − errored are scored would judge a
	// partial set of the good rows. Errored rows the server leaves unscored
	// settle in the client's recount when the counts stall.
	spec := waitSpec{label: rn.p.x.Name, metrics: keys, rows: rn.data.count, need: rn.data.count - rep.AllowedUnscoredRows}
	rn.prog.phase(PhaseWaiting)
	var polled func(*galileo.WaitState)
	if rn.prog != nil {
		polled = func(st *galileo.WaitState) { rn.prog.polled(spec, st) }
	}
	st, werr := waitScores(ctx, c, rn.projectID, rn.exp.ID, spec, rn.logf, polled)
	if st == nil { // the metrics did not resolve
		return nil, &SetupError{Step: "wait for scores", Err: werr}
	}
	rep.Polls = st.Polls
	rep.Metrics = metricReports(keys, rn.scorers, st)
	scored := -1
	for i := range rep.Metrics {
		m := &rep.Metrics[i]
		if i < len(st.Metrics) && st.Metrics[i].Settled != nil {
			ms := st.Metrics[i].Settled
			m.NotApplicable, m.ScorerErrors = int64(ms.NotApplicable), int64(ms.Errors)
		}
		if scored < 0 || int(m.Scored) < scored {
			scored = int(m.Scored)
		}
	}
	rep.ScoredRows = rep.Rows
	if scored >= 0 {
		rep.ScoredRows = min(scored, rep.Rows)
	}
	if werr != nil {
		if ctx.Err() != nil {
			return st, newTimeoutError(rep, spec, st, werr)
		}
		return st, &SetupError{Step: "wait for scores", Err: werr}
	}
	return st, nil
}

// rowScores reads the row-level scores of the experiment's metrics from
// its records, for the confidence intervals. A failure is logged, not
// fatal: the verdicts then have no interval (inconclusive when the
// experiment asks for confidence).
func (rn *run) rowScores(ctx context.Context, st *galileo.WaitState) {
	names := map[string][]string{}
	for _, m := range st.Metrics {
		names[m.Key] = m.Names
	}
	if err := fillRowScores(ctx, rn.c, rn.projectID, rn.exp.ID, rn.rep.Metrics, names); err != nil {
		rn.logf("%s: warning: could not read the row-level scores (no confidence intervals): %v", rn.p.x.Name, err)
	}
}

// judge evaluates the thresholds, the errored-rows allowance and the
// unscored rows of settled metrics.
func (rn *run) judge(st *galileo.WaitState) {
	rep := rn.rep
	for _, e := range rn.p.expects {
		t := rep.Verdict(e.Threshold)
		t.Line = e.Line
		rep.Thresholds = append(rep.Thresholds, t)
	}
	if rn.p.fn != nil {
		rep.Thresholds = append(rep.Thresholds, erroredVerdict(rep))
	}
	for i, m := range rep.Metrics {
		if i < len(st.Metrics) && st.Metrics[i].Settled != nil {
			if t, bad := unscoredVerdict(rep, m, st.Metrics[i].Settled.FailedRows); bad {
				rep.Thresholds = append(rep.Thresholds, t)
			}
		}
	}
}
