package galileo

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// WaitOptions tunes [Experiment.WaitForMetrics]. The zero value (or nil)
// waits for every row the experiment has.
type WaitOptions struct {
	// Rows is the number of rows every metric must settle for. 0 means the
	// experiment's trace count, read once its outputs are all generated.
	Rows int
	// AllowedUnscored is how many rows of each metric may stay unscored.
	AllowedUnscored int
	// FirstPoll delays the first poll; 0 polls at once (an experiment that
	// may be scored already, or one whose last traces were just logged).
	FirstPoll time.Duration
	// Progress, when set, is called after every poll with the state it
	// saw, on the waiting goroutine.
	Progress func(*WaitState)
}

// WaitState is what a wait saw at its last poll.
type WaitState struct {
	Polls   int           // polls that answered (and recounts do not count)
	Elapsed time.Duration // since the wait started
	// Done: every metric is complete — each has Rows−AllowedUnscored rows
	// scored, or is settled.
	Done bool
	Rows int // rows waited for; 0 while not known yet
	Need int // rows each metric must have scored
	// Metrics are the metrics waited for, in the order given.
	Metrics []MetricState
	// Generated is status.log_generation.progress_percent (0..1): the share
	// of the outputs generated; nil when not reported.
	Generated *float64
	// Response is the experiment as the last poll returned it.
	Response *ExperimentResponse
	// Computed holds aggregates computed from the records for the system
	// metrics not waited for (cost, duration_ns, token counts) that the
	// server did not publish; set once the records were recounted.
	Computed map[string]MetricAggregates
	// LastErr is the last transient failure (a poll or a recount) since
	// the last successful poll.
	LastErr error
}

// MetricState is how far one metric got.
type MetricState struct {
	ResolvedMetric
	// Reported: the server published aggregates for the metric.
	Reported bool
	// Scored is the rows in the server's aggregates (or, once settled,
	// in the records).
	Scored int64
	// Settled is set when a recount of the records found no row of the
	// metric pending: every row is scored, not applicable, failed to score,
	// or belongs to a failed trace. Such a metric is complete even with
	// fewer than Need rows scored.
	Settled *MetricStatus
	// Aggregates are the server's aggregates, else (once settled, when the
	// server publishes none) the ones computed from the records. They may
	// be partial while the wait is not done.
	Aggregates *MetricAggregates
}

// MetricStatus counts the rows of one metric by scoring status.
// FailedRows counts rows whose trace failed (an error status) and that
// have no score for the metric: a server may leave them unscored.
type MetricStatus struct {
	Success, NotApplicable, Errors, Pending, FailedRows int
}

// MinScored is the rows scored for every metric (the smallest count),
// capped at Rows; Rows when no metric is waited for.
func (w *WaitState) MinScored() int64 {
	if len(w.Metrics) == 0 {
		return int64(w.Rows)
	}
	m := int64(-1)
	for _, k := range w.Metrics {
		if m < 0 || k.Scored < m {
			m = k.Scored
		}
	}
	if w.Rows > 0 {
		m = min(m, int64(w.Rows))
	}
	return m
}

// Missing returns the metrics not complete yet.
func (w *WaitState) Missing() []MetricState {
	var out []MetricState
	for _, k := range w.Metrics {
		if !w.complete(k) {
			out = append(out, k)
		}
	}
	return out
}

func (w *WaitState) complete(k MetricState) bool {
	return k.Settled != nil || (w.Rows > 0 && (w.Need <= 0 || k.Reported && k.Scored >= int64(w.Need)))
}

// WaitForMetrics polls the experiment until every metric named is complete
// for every row, then returns the last state, whose Metrics hold the
// complete aggregates. Metrics are named any way
// [ExperimentsService.ResolveMetrics] accepts; an unknown one fails at
// once with [ErrUnknownMetric]. The handle's cache is updated with the
// last state, so [Experiment.GetMetricAggregate] answers from it
// afterwards.
//
// A metric is complete when Rows−AllowedUnscored of its rows are scored,
// or when a recount of the records (made when the counts stall, or when
// the server publishes no aggregates) finds none of its rows pending:
// rows a scorer found not applicable or failed on, and the rows of failed
// traces, settle too. Its aggregates are then the server's, or computed
// from the records when the server publishes none.
//
// A non-nil aggregate read while scoring goes on may be partial: the
// server publishes aggregates as rows are scored. Checking only that an
// aggregate exists, as a loop around GetMetricAggregate would, may assert
// on a fraction of the rows; WaitForMetrics does not return before the
// count is complete.
//
// Polls land as soon as the pace of the scoring predicts completion, and
// otherwise at intervals of a fraction of the time waited, so completion
// is seen within about 15% of the time it took. Waits on several
// experiments of one project share one request per poll (an experiments
// search by id). The wait ends with ctx: the error is then context.Cause
// with the last state; an error the server will repeat (a 4xx other than
// 408 and 429) ends it too. Other poll errors are retried.
func (e *Experiment) WaitForMetrics(ctx context.Context, opts *WaitOptions, metrics ...string) (*WaitState, error) {
	r, err := e.snapshot()
	if err != nil {
		return nil, err
	}
	st, err := e.c.Experiments.WaitForMetrics(ctx, r.ProjectID, r.ID, opts, metrics...)
	if st != nil && st.Response != nil {
		e.mu.Lock()
		e.refreshes++
		if e.state != StateDeleted {
			e.resp, e.state, e.refreshed = *st.Response, StateSynced, e.refreshes
		}
		e.mu.Unlock()
	}
	return st, err
}

// WaitForMetrics is [Experiment.WaitForMetrics] for an experiment given by
// project and experiment id.
func (s *ExperimentsService) WaitForMetrics(ctx context.Context, projectID, experimentID string, opts *WaitOptions, metrics ...string) (*WaitState, error) {
	if err := requireIDs("Experiments.WaitForMetrics", "project", projectID, "experiment", experimentID); err != nil {
		return nil, err
	}
	ms, err := s.ResolveMetrics(ctx, projectID, metrics)
	if err != nil {
		return nil, err
	}
	var o WaitOptions
	if opts != nil {
		o = *opts
	}
	if o.Rows < 0 || o.AllowedUnscored < 0 {
		return nil, fmt.Errorf("galileo: Experiments.WaitForMetrics: Rows %d, AllowedUnscored %d: expected counts >= 0", o.Rows, o.AllowedUnscored)
	}
	pol := defaultWaitPolicy()
	pol.FirstPoll = o.FirstPoll
	spec := waitSpec{metrics: ms, rows: o.Rows, allowed: o.AllowedUnscored, progress: o.Progress,
		recount: func(ctx context.Context, ms []ResolvedMetric) (*recount, error) {
			return s.c.recountRecords(ctx, projectID, experimentID, ms)
		}}
	src := joinPollGroup(ctx, s.c, projectID, experimentID)
	defer src.leave()
	return wait(ctx, src, spec, pol, realClock{})
}

// waitSpec says what "done" means.
type waitSpec struct {
	metrics  []ResolvedMetric
	rows     int // 0: the trace count once outputs are generated
	allowed  int
	progress func(*WaitState)
	// recount, when set, reads every record's per-metric status. The wait
	// calls it when the counts stall below need with every output
	// generated, and on every poll while the server reports no aggregates.
	recount func(context.Context, []ResolvedMetric) (*recount, error)
}

// permanentPollError reports whether a poll error will not go away by
// polling again: 4xx answers other than 408 and 429, and a client without
// credentials. Connection errors and 5xx answers are retried.
func permanentPollError(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Status >= 400 && ae.Status < 500 && ae.Status != 408 && ae.Status != 429
	}
	return errors.Is(err, ErrNoCredentials) || errors.Is(err, ErrNotFound)
}

// pollSource delivers an experiment's state: request asks for a fresh
// poll, whose answer (and any other poll's of the experiment, for a shared
// source) arrives on results.
type pollSource interface {
	request()
	results() <-chan pollResult
}

// pollResult is one answer of a poll.
type pollResult struct {
	resp *ExperimentResponse
	err  error
}

// wait polls src until every metric of spec is complete, ctx ends or a
// poll fails permanently. It returns the last state either way; the error
// is ctx's cause (see context.Cause) or the permanent poll error.
func wait(ctx context.Context, src pollSource, spec waitSpec, pol waitPolicy, clk clock) (*WaitState, error) {
	w := newWaiter(spec, pol, clk)
	var left func() time.Duration
	if d, ok := ctx.Deadline(); ok {
		left = func() time.Duration { return max(d.Sub(clk.Now()), time.Nanosecond) }
	}
	t := clk.NewTimer()
	defer t.Stop()
	asked := false
	if pol.FirstPoll > 0 {
		t.Start(pol.FirstPoll)
	} else {
		src.request()
		asked = true
	}
	for {
		select {
		case <-ctx.Done():
			w.st.Elapsed = clk.Now().Sub(w.start)
			return w.st, context.Cause(ctx)
		case <-t.C():
			if !asked {
				src.request()
				asked = true
			}
			continue
		case r := <-src.results():
			asked = false
			done, err := w.handle(ctx, r)
			if done || err != nil {
				return w.st, err
			}
		}
		var l time.Duration
		if left != nil {
			l = left()
		}
		t.Stop()
		t.Start(w.sched.next(clk.Now().Sub(w.start), l))
	}
}
