package galileotest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/galileo-community/galileo-go/assert"
	"github.com/galileo-community/galileo-go/galileo"
)

// Evaluate runs one experiment with a Runner made from opts and closes the
// Runner afterwards; see Runner.Evaluate.
func Evaluate(ctx context.Context, x Experiment, opts ...Option) (*Report, error) {
	r, err := NewRunner(opts...)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return r.Evaluate(ctx, x)
}

// Evaluate runs one experiment: it validates x (no network), resolves its
// metrics, project, dataset and prompt, creates the experiment under a name
// from its naming strategy (or re-attaches to it), runs the function over
// the rows or lets the server run the prompt, waits until every metric is
// scored, and evaluates the thresholds.
//
// The returned Report is never nil. A missed threshold is not an error: it
// is a failed Verdict, and Report.Passed is false. The error is an
// *InputError (errors.Is(err, ErrInput)) for bad input, detected before
// anything is created; a *TimeoutError when the scores did not arrive in
// time; a *SetupError for any other problem. The whole run is bounded by
// the experiment's Timeout and by ctx.
func (r *Runner) Evaluate(ctx context.Context, x Experiment) (*Report, error) {
	return r.evaluate(ctx, x, r.logf)
}

// deadlineCause is the cause of a context that ran out of time.
type deadlineCause struct{ what string }

func (d *deadlineCause) Error() string { return d.what }

func (r *Runner) evaluate(ctx context.Context, x Experiment, logf func(string, ...any)) (rep *Report, err error) {
	start := time.Now()
	rep = &Report{Experiment: x.Name, File: x.File, Line: x.Line, Backend: r.Backend(), StartedAt: start.UTC(), Metrics: []MetricReport{}, Thresholds: []Verdict{}}
	var setupEnd, runEnd time.Time
	prog := newProgress(r.s.progress, x, start)
	prog.phase(PhaseSetup)
	defer func() {
		now := time.Now()
		rep.Durations.Total = now.Sub(start)
		if !setupEnd.IsZero() {
			rep.Durations.Setup = setupEnd.Sub(start)
			if !runEnd.IsZero() {
				rep.Durations.Run = runEnd.Sub(setupEnd)
				rep.Durations.Wait = now.Sub(runEnd)
			}
		}
		if err != nil {
			rep.Error = err.Error()
			rep.Passed = false
			rep.err = err
		}
		r.addReport(rep)
		prog.update(func(ev *ProgressEvent) { ev.Phase, ev.Err = PhaseDone, err })
	}()

	p, err := newPlan(x, r.s.funcs)
	if err != nil {
		return rep, err
	}
	rep.Kind = p.kind()
	ctx, cancel := context.WithTimeoutCause(ctx, p.timeout, &deadlineCause{fmt.Sprintf("the experiment's timeout of %s", p.timeout)})
	defer cancel()
	stepErr := func(step string, err error) error {
		if ctx.Err() != nil {
			return &SetupError{Step: step, Err: context.Cause(ctx)}
		}
		return err
	}

	c, err := r.getClient(logf)
	if err != nil {
		return rep, err
	}
	scorers, err := resolveScorers(ctx, c, p)
	if err != nil {
		return rep, stepErr("resolve metrics", err)
	}
	// Look up what must exist already (stored dataset, stored template)
	// before creating anything, so that a wrong name creates nothing.
	var data *resolvedData
	if p.x.Dataset.Name != "" || p.fn != nil {
		if data, err = r.resolveDataset(ctx, c, p, ""); err != nil {
			return rep, stepErr("dataset", err)
		}
	}
	var versionID string
	if pr := p.x.Prompt; pr != nil && pr.Template != "" {
		if versionID, err = r.resolvePrompt(ctx, c, p, ""); err != nil {
			return rep, stepErr("prompt", err)
		}
	}
	proj, err := r.resolveProject(ctx, c, p)
	if err != nil {
		return rep, stepErr("project", err)
	}
	rep.Project, rep.ProjectID = proj.name, proj.id
	if data == nil {
		if data, err = r.resolveDataset(ctx, c, p, proj.id); err != nil {
			return rep, stepErr("dataset", err)
		}
	}
	if p.x.Prompt != nil && versionID == "" {
		if versionID, err = r.resolvePrompt(ctx, c, p, proj.id); err != nil {
			return rep, stepErr("prompt", err)
		}
	}
	rep.Rows = data.count
	rep.AllowedErroredRows = x.Allow.MaxErrored(data.count)
	rep.AllowedUnscoredRows = x.Allow.MaxUnscored(data.count)
	prog.update(func(ev *ProgressEvent) { ev.RowsTotal = data.count })

	configs := make([]galileo.ScorerConfig, len(scorers))
	for i := range scorers {
		configs[i] = scorers[i].Config()
	}
	req := galileo.ExperimentCreateRequest{TaskType: galileo.TaskTypeExperiment}
	if data.id != "" {
		req.Dataset = &galileo.ExperimentDatasetRequest{DatasetID: data.id, VersionIndex: data.version}
	}
	if p.x.Prompt != nil {
		settings := promptSettings(p.x.Prompt)
		req.PromptTemplateVersionID = &versionID
		req.PromptSettings = &settings
		req.Scorers = configs
		req.Trigger = true
	}

	cr, err := r.createNamed(ctx, c, p, proj.id, req)
	if err != nil {
		return rep, stepErr("create experiment", err)
	}
	exp := cr.exp
	rep.Name, rep.ID, rep.Reattached = exp.Name, exp.ID, cr.reattached
	rep.Link = consoleLink(c, proj.id, exp.ID)
	if cr.reattached {
		logf("%s: re-attached to the existing experiment %s — %s", x.Name, exp.Name, rep.Link)
	} else {
		logf("%s: created experiment %s — %s", x.Name, exp.Name, rep.Link)
	}

	tags := r.runFacts(ctx).tags(x.Tags)
	rep.Tags = tags
	if !cr.reattached {
		keys := make([]string, 0, len(tags))
		for k := range tags {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if _, err := c.Experiments.AddTag(ctx, proj.id, exp.ID, galileo.RunTagCreateRequest{Key: k, Value: tags[k], TagType: galileo.TagTypeGeneric}); err != nil {
				if ctx.Err() != nil {
					return rep, stepErr("tags", err)
				}
				logf("%s: warning: could not tag the experiment %s=%s: %v", x.Name, k, tags[k], err)
			}
		}
	}
	setupEnd = time.Now()
	prog.update(func(ev *ProgressEvent) { ev.RunName, ev.Link = exp.Name, rep.Link })

	errored := 0
	if p.fn != nil {
		run := true
		if cr.reattached {
			n, err := c.Records.Count(ctx, proj.id, galileo.RecordTrace, galileo.LogRecordsQueryCountRequest{ExperimentID: &exp.ID, Filters: []galileo.Filter{}})
			if err != nil {
				return rep, stepErr("count traces", &SetupError{Step: "count the traces of " + exp.Name, Err: err})
			}
			if n > 0 {
				run = false
				prog.update(func(ev *ProgressEvent) { ev.RowsRun = n })
				logf("%s: the experiment already has %d traces; not running the function again", x.Name, n)
				if n < data.count {
					logf("%s: warning: %d of %d rows have traces; the earlier run was interrupted, so the wait may time out (give the run a new name, e.g. with {{.Attempt}})", x.Name, n, data.count)
				}
			}
		}
		if run {
			if len(configs) > 0 {
				if _, err := c.Scorers.SetRunSettings(ctx, proj.id, exp.ID, configs); err != nil {
					return rep, stepErr("register scorers", &SetupError{Step: "register scorers", Err: err})
				}
			}
			logf("%s: running %s over %d rows (concurrency %d)", x.Name, p.x.Function, data.count, p.concurrency)
			prog.phase(PhaseRunning)
			stats, err := runFunction(ctx, p.fn, p.x.Function, exp.Name, data.rows, p.concurrency, ingestSink{c: c, projectID: proj.id, experimentID: exp.ID},
				func() { prog.update(func(ev *ProgressEvent) { ev.RowsRun++ }) })
			errored = stats.errored
			rep.ErroredRows, rep.RowErrors = stats.errored, stats.rowErrors
			if err != nil {
				return rep, &SetupError{Step: fmt.Sprintf("run %s (%d of %d rows logged)", p.x.Function, stats.ingested, data.count), Err: err}
			}
			if errored > 0 {
				logf("%s: %d of %d rows errored (first: row %d: %s)", x.Name, errored, data.count, stats.rowErrors[0].Index, stats.rowErrors[0].Error)
			}
		}
	}
	runEnd = time.Now()

	keys := metricKeys(p, scorers)
	spec := waitSpec{label: x.Name, metrics: keys, rows: data.count, need: data.count - rep.AllowedUnscoredRows - errored,
		recount: func(ctx context.Context) (*recount, error) {
			return recountRecords(ctx, c, proj.id, exp.ID, keys, scorers)
		}}
	prog.phase(PhaseWaiting)
	if prog != nil {
		spec.polled = func(st *waitState) { prog.polled(spec, st) }
	}
	pol := defaultWaitPolicy()
	if cr.reattached {
		pol.FirstPoll = 0 // it may be scored already
	}
	st, werr := wait(ctx, apiSource{c: c, projectID: proj.id, experimentID: exp.ID}, spec, pol, realClock{}, logf)
	rep.Polls = st.Polls
	rep.Metrics = metricReports(keys, scorers, st)
	for i := range rep.Metrics {
		if ms, ok := st.Settled[rep.Metrics[i].Key]; ok {
			rep.Metrics[i].NotApplicable = int64(ms.NotApplicable)
			rep.Metrics[i].ScorerErrors = int64(ms.Errors)
		}
	}
	if werr != nil {
		if ctx.Err() != nil {
			return rep, newTimeoutError(rep, spec, st, werr)
		}
		return rep, &SetupError{Step: "wait for scores", Err: werr}
	}

	for _, e := range p.expects {
		rep.Thresholds = append(rep.Thresholds, verdict(e.Threshold, rep.Metric(e.Metric), e.Line))
	}
	if p.fn != nil {
		rep.Thresholds = append(rep.Thresholds, erroredVerdict(rep))
	}
	for _, m := range rep.Metrics {
		if _, ok := st.Settled[m.Key]; ok {
			if v, bad := unscoredVerdict(rep, m, errored); bad {
				rep.Thresholds = append(rep.Thresholds, v)
			}
		}
	}
	rep.Passed = true
	for _, v := range rep.Thresholds {
		rep.Passed = rep.Passed && v.Pass
	}
	return rep, nil
}

// erroredVerdict checks the errored rows against the allowance.
func erroredVerdict(rep *Report) Verdict {
	n, allowed := rep.ErroredRows, rep.AllowedErroredRows
	actual := float64(n)
	v := Verdict{
		Metric:    ErroredRowsMetric,
		Threshold: fmt.Sprintf("count <= %d", allowed),
		Stat:      "count",
		Pass:      n <= allowed,
		Actual:    &actual,
		Rows:      int64(rep.Rows),
	}
	v.Explanation = fmt.Sprintf("%d of %d rows errored, want <= %d", n, rep.Rows, allowed)
	if !v.Pass {
		v.Explanation += " (raise allow.errored_rows to accept failing rows)"
	}
	return v
}

// UnscoredRowsStat is the statistic of the verdict on a metric's unscored
// rows.
const UnscoredRowsStat = "unscored_rows"

// unscoredVerdict checks a settled metric's unscored rows (rows neither
// scored nor not applicable, less errored rows) against the allowance. It
// returns false when they are within it.
func unscoredVerdict(rep *Report, m MetricReport, errored int) (Verdict, bool) {
	unscored := int64(rep.Rows) - m.Scored - m.NotApplicable - int64(errored)
	allowed := int64(rep.AllowedUnscoredRows)
	if unscored <= allowed {
		return Verdict{}, false
	}
	actual := float64(unscored)
	return Verdict{
		Metric:    m.Metric,
		Threshold: fmt.Sprintf("unscored_rows <= %d", allowed),
		Stat:      UnscoredRowsStat,
		Actual:    &actual,
		Rows:      int64(rep.Rows),
		Explanation: fmt.Sprintf("%s: %d of %d rows unscored (%d scorer errors, %d not applicable), want <= %d (raise allow.unscored_rows to accept unscored rows)",
			m.Metric, unscored, rep.Rows, m.ScorerErrors, m.NotApplicable, allowed),
	}, true
}

// recountRecords reads every trace of an experiment and counts, per metric,
// the rows by scoring status. Scorer metrics are found in each record's
// metric_info under the scorer's metric_key_alias (from the experiment
// columns), name or id; system metrics in its metrics.
func recountRecords(ctx context.Context, c *galileo.Client, projectID, experimentID string, keys []metricKey, scorers []galileo.Scorer) (*recount, error) {
	names := map[string][]string{} // aggregate key -> names metric_info may use
	for _, s := range scorers {
		names[s.ID] = []string{s.ID, s.Name}
		if s.MetricName != nil {
			names[s.ID] = append(names[s.ID], *s.MetricName)
		}
	}
	if len(scorers) > 0 {
		cols, err := c.Experiments.AvailableColumns(ctx, projectID)
		if err == nil {
			for _, s := range scorers {
				if col := cols.Get("metrics/" + s.ID); col != nil && col.MetricKeyAlias != nil {
					names[s.ID] = append(names[s.ID], *col.MetricKeyAlias)
				}
			}
		}
	}
	rc := &recount{Status: map[string]metricStatus{}, Values: map[string][]float64{}}
	eid := experimentID
	for rec, err := range c.Records.All(ctx, projectID, galileo.RecordTrace, galileo.LogRecordsQueryRequest{ExperimentID: &eid, Limit: 500, Filters: []galileo.Filter{}}) {
		if err != nil {
			return nil, err
		}
		rc.Traces++
		for _, k := range keys {
			ms := rc.Status[k.Key]
			if assert.IsSystemMetric(k.Key) {
				if v, ok := rec.Metrics[k.Key].(float64); ok {
					ms.Success++
					rc.Values[k.Key] = append(rc.Values[k.Key], v)
				} else {
					ms.Pending++
				}
				rc.Status[k.Key] = ms
				continue
			}
			status := "pending"
			for name, info := range rec.MetricInfo {
				alias := ""
				if info.MetricKeyAlias != nil {
					alias = *info.MetricKeyAlias
				}
				if slices.Contains(names[k.Key], name) || (alias != "" && slices.Contains(names[k.Key], alias)) {
					status = info.StatusType
					break
				}
			}
			switch status {
			case "success":
				ms.Success++
			case "not_applicable":
				ms.NotApplicable++
			case "error", "failed":
				ms.Errors++
			default:
				ms.Pending++
			}
			rc.Status[k.Key] = ms
		}
	}
	return rc, nil
}

// metricKeys lists what the wait needs: every metric of the experiment, in
// order, with the key of its aggregates, then the system metrics that only
// appear under expect.
func metricKeys(p *plan, scorers []galileo.Scorer) []metricKey {
	var keys []metricKey
	seen := map[string]bool{}
	add := func(metric, key string) {
		if !seen[key] {
			seen[key] = true
			keys = append(keys, metricKey{Metric: metric, Key: key})
		}
	}
	si := 0
	for _, m := range p.x.Metrics {
		m = strings.TrimSpace(m)
		if assert.IsSystemMetric(m) {
			add(m, assert.CanonicalMetric(m))
			continue
		}
		if si < len(scorers) {
			add(m, scorers[si].ID)
			si++
		}
	}
	for _, e := range p.expects {
		if assert.IsSystemMetric(e.Metric) {
			add(strings.TrimSpace(e.Metric), assert.CanonicalMetric(e.Metric))
		}
	}
	return keys
}

// metricReports builds the per-metric part of the report from the last
// state of the wait.
func metricReports(keys []metricKey, scorers []galileo.Scorer, st *waitState) []MetricReport {
	byID := map[string]*galileo.Scorer{}
	for i := range scorers {
		byID[scorers[i].ID] = &scorers[i]
	}
	out := make([]MetricReport, 0, len(keys))
	for _, k := range keys {
		m := MetricReport{Metric: k.Metric, Key: k.Key}
		if s := byID[k.Key]; s != nil {
			m.ScorerName = s.Name
			if s.Label != nil {
				m.Label = *s.Label
			}
		}
		if st != nil && st.Response != nil {
			if a, ok := st.Response.StructuredAggregateMetrics[k.Key]; ok {
				m.Aggregates = &a
				m.Scored = scoredCount(a)
			} else if a, ok := st.Local[k.Key]; ok {
				m.Aggregates = &a
				m.Scored = scoredCount(a)
			}
		}
		out = append(out, m)
	}
	// System metrics the server reported without being asked for: free to
	// report, and Result.Check may use them.
	if st != nil && st.Response != nil {
		for _, k := range []string{assert.MetricCost, assert.MetricDuration, assert.MetricInputTokens, assert.MetricOutputTokens, assert.MetricTotalTokens} {
			a, ok := st.Response.StructuredAggregateMetrics[k]
			if !ok || slices.ContainsFunc(keys, func(m metricKey) bool { return m.Key == k }) {
				continue
			}
			out = append(out, MetricReport{Metric: k, Key: k, Scored: scoredCount(a), Aggregates: &a})
		}
	}
	return out
}

// consoleLink returns the console page of an experiment.
func consoleLink(c *galileo.Client, projectID, experimentID string) string {
	base := strings.TrimRight(c.ConsoleURL(), "/")
	if base == "" {
		return ""
	}
	return base + "/project/" + projectID + "/experiments/" + experimentID
}

// plural renders "1 row" or "3 rows".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// TimeoutError reports that the scores did not arrive in time, with the
// last state seen.
type TimeoutError struct {
	Experiment string // base name
	Name       string // the experiment's name on Galileo
	Link       string // console link
	Reason     string // what ran out: the experiment's timeout, the test deadline, ...
	Waited     time.Duration
	Polls      int
	Rows       int // rows in the experiment
	Need       int // rows each metric had to have scored
	Allowed    int // unscored rows allowed
	Errored    int // rows whose function failed
	// Metrics are the metrics waited for, with what was scored.
	Metrics []MetricProgress
	// Progress is the last status.log_generation.progress_percent (0..1),
	// nil when not reported.
	Progress *float64
	// LastErr is the last failed poll, if the last poll failed.
	LastErr error
	report  *Report
}

// MetricProgress is how far one metric got.
type MetricProgress struct {
	Metric   string
	Key      string
	Reported bool  // the metric had aggregates at all
	Scored   int64 // rows scored
}

func newTimeoutError(rep *Report, spec waitSpec, st *waitState, cause error) *TimeoutError {
	e := &TimeoutError{
		Experiment: rep.Experiment, Name: rep.Name, Link: rep.Link,
		Reason: cause.Error(), Waited: st.Elapsed, Polls: st.Polls,
		Rows: spec.rows, Need: spec.need, Allowed: rep.AllowedUnscoredRows, Errored: rep.ErroredRows,
		Progress: st.Progress, LastErr: st.LastErr, report: rep,
	}
	if errors.Is(cause, context.Canceled) {
		e.Reason = "the run was canceled"
	}
	for _, k := range spec.metrics {
		n, ok := st.Scored[k.Key]
		e.Metrics = append(e.Metrics, MetricProgress{Metric: k.Metric, Key: k.Key, Reported: ok, Scored: n})
	}
	return e
}

// Error renders the last state on several lines: what is missing, how many
// rows are scored per metric, and the console link.
func (e *TimeoutError) Error() string {
	var b strings.Builder
	scoredAll := int64(-1)
	var missing []string
	for _, m := range e.Metrics {
		if scoredAll < 0 || m.Scored < scoredAll {
			scoredAll = m.Scored
		}
		if !m.Reported || m.Scored < int64(e.Need) {
			missing = append(missing, m.Metric)
		}
	}
	scoredAll = max(scoredAll, 0)
	fmt.Fprintf(&b, "%s: gave up waiting for scores after %s (%s): %d/%d rows scored", e.Experiment, round(e.Waited), e.Reason, min(scoredAll, int64(e.Rows)), e.Rows)
	for _, m := range e.Metrics {
		if m.Reported {
			fmt.Fprintf(&b, "\n  %s: %d/%d rows scored", m.Metric, m.Scored, e.Rows)
		} else {
			fmt.Fprintf(&b, "\n  %s: not reported yet", m.Metric)
		}
	}
	if len(missing) > 0 {
		fmt.Fprintf(&b, "\n  missing: %s (each needs %d rows scored", strings.Join(missing, ", "), e.Need)
		var parts []string
		if e.Allowed > 0 {
			parts = append(parts, fmt.Sprintf("%d unscored allowed", e.Allowed))
		}
		if e.Errored > 0 {
			parts = append(parts, fmt.Sprintf("%s excused", plural(e.Errored, "errored row")))
		}
		if len(parts) > 0 {
			b.WriteString("; " + strings.Join(parts, ", "))
		}
		b.WriteString(")")
	}
	fmt.Fprintf(&b, "\n  polls: %d", e.Polls)
	if e.Progress != nil {
		fmt.Fprintf(&b, ", outputs %.0f%% generated", *e.Progress*100)
	}
	if e.LastErr != nil {
		fmt.Fprintf(&b, "\n  last poll failed: %v", e.LastErr)
	}
	if e.report != nil {
		b.WriteString("\n" + e.report.where())
	} else if e.Link != "" {
		fmt.Fprintf(&b, "\n  console: %s", e.Link)
	}
	return b.String()
}
