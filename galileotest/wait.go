package galileotest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/galileo-community/galileo-go/assert"
	"github.com/galileo-community/galileo-go/galileo"
)

// pollSource returns an experiment's current state: one GET of the
// experiment on the API, or a fake in tests and benchmarks.
type pollSource interface {
	Poll(ctx context.Context) (*galileo.ExperimentResponse, error)
}

// apiSource polls GET /projects/{pid}/experiments/{eid}.
type apiSource struct {
	c                       *galileo.Client
	projectID, experimentID string
}

func (s apiSource) Poll(ctx context.Context) (*galileo.ExperimentResponse, error) {
	return s.c.Experiments.Get(ctx, s.projectID, s.experimentID)
}

// clock is the time source of the wait: the real clock (also inside a
// testing/synctest bubble) or a simulated one in benchmarks.
type clock interface {
	Now() time.Time
	NewTimer() backoff.Timer
}

type realClock struct{}

func (realClock) Now() time.Time          { return time.Now() }
func (realClock) NewTimer() backoff.Timer { return &realTimer{} }

type realTimer struct{ t *time.Timer }

func (t *realTimer) Start(d time.Duration) {
	if t.t == nil {
		t.t = time.NewTimer(d)
		return
	}
	t.t.Reset(d)
}

func (t *realTimer) Stop() {
	if t.t != nil {
		t.t.Stop()
	}
}

func (t *realTimer) C() <-chan time.Time { return t.t.C }

// waitPolicy tunes the wait. The exponential backoff is an upper bound on
// each interval; the predicted completion (from the scoring progress seen so
// far) usually schedules the next poll earlier.
type waitPolicy struct {
	FirstPoll  time.Duration // delay before the first poll (0 for an experiment that may be done already)
	Initial    time.Duration // first backoff interval
	Multiplier float64       // growth of the backoff interval
	Jitter     float64       // randomization factor of the backoff
	Max        time.Duration // largest backoff interval
	Floor      time.Duration // smallest interval between two polls
	SlackFrac  float64       // a poll lands this fraction of the predicted completion time after it...
	SlackMin   time.Duration // ...plus this
	LogEvery   time.Duration // progress lines at most this often (and on phase changes)
	Heartbeat  time.Duration // a progress line at least this often
}

func defaultWaitPolicy() waitPolicy {
	return waitPolicy{
		FirstPoll:  300 * time.Millisecond,
		Initial:    900 * time.Millisecond,
		Multiplier: 3,
		Jitter:     0.2,
		Max:        30 * time.Second,
		Floor:      50 * time.Millisecond,
		SlackFrac:  0.01,
		SlackMin:   10 * time.Millisecond,
		LogEvery:   5 * time.Second,
		Heartbeat:  30 * time.Second,
	}
}

// metricKey is one metric the wait needs: as written, and the key of its
// aggregates in structured_aggregate_metrics.
type metricKey struct {
	Metric string
	Key    string
}

// waitSpec says what "done" means.
type waitSpec struct {
	label   string // prefix of progress lines, usually the experiment's base name
	metrics []metricKey
	rows    int // rows in the experiment
	need    int // rows each metric must have scored
	// recount, when set, reads every record's per-metric status. The wait
	// calls it when the counts stall below need with every output
	// generated: a metric with no row pending is settled even below need,
	// because some rows are not applicable to it or failed to score.
	recount func(ctx context.Context) (*recount, error)
	// polled, when set, is called with the state after every successful
	// poll.
	polled func(*waitState)
}

// recount is the per-metric scoring status of every record.
type recount struct {
	Traces int                     // records seen
	Status map[string]metricStatus // by aggregate key
	// Values holds the numeric value of every record that has one, and
	// Dist the count of every other (categorical) value, by aggregate key:
	// aggregates the server does not publish (token counts; every metric
	// when structured aggregates are off) are computed from them.
	Values map[string][]float64
	Dist   map[string]map[string]int64
}

// recountDue reports whether a recount may run: once after every change
// of the counts, and then on every further poll while they stay unchanged
// — a server that publishes no aggregates never changes them, so a
// recount that found rows pending must be repeated.
func (w *waitState) recountDue() bool {
	return !w.Recounted || w.Polls > w.RecountPoll
}

// settle marks the metrics a recount found with no row pending as
// settled, with aggregates computed from the records where the server
// published none.
func (w *waitState) settle(spec waitSpec, rc *recount) {
	for _, k := range spec.metrics {
		ms, ok := rc.Status[k.Key]
		if !ok || ms.Pending > 0 || ms.Success+ms.NotApplicable+ms.Errors+ms.FailedRows < rc.Traces {
			continue
		}
		if _, reported := w.Scored[k.Key]; !reported {
			vals, dist := rc.Values[k.Key], rc.Dist[k.Key]
			if len(vals) == 0 && len(dist) == 0 {
				continue
			}
			agg := aggregateValues(vals)
			if len(dist) > 0 {
				agg.ValueDistribution = dist
				n := int64(len(vals))
				for _, c := range dist {
					n += c
				}
				agg.Count = &n
			}
			if w.Local == nil {
				w.Local = map[string]galileo.MetricAggregates{}
			}
			w.Local[k.Key] = agg
		}
		if w.Settled == nil {
			w.Settled = map[string]metricStatus{}
		}
		w.Settled[k.Key] = ms
	}
	// Free system metrics every record carries, for Result.Check, where the
	// server published no aggregate of them.
	for _, k := range freeSystemMetrics {
		vals := rc.Values[k]
		if _, asked := rc.Status[k]; asked || rc.Traces == 0 || len(vals) != rc.Traces {
			continue
		}
		if w.Response != nil {
			if _, published := w.Response.StructuredAggregateMetrics[k]; published {
				continue
			}
		}
		if w.Local == nil {
			w.Local = map[string]galileo.MetricAggregates{}
		}
		w.Local[k] = aggregateValues(vals)
	}
	w.Done = len(w.missing(spec)) == 0
}

// metricStatus counts the rows of one metric by status.
//
// FailedRows counts the rows whose function failed (an error status on the
// trace) and that have no score for the metric: a server may leave them
// unscored, so they do not keep the metric pending.
type metricStatus struct {
	Success, NotApplicable, Errors, Pending, FailedRows int
}

// stallPolls is how many polls in a row must show no change before the
// wait recounts the records' statuses.
const stallPolls = 2

// waitState is the last state the wait saw.
type waitState struct {
	Polls      int
	Elapsed    time.Duration
	Scored     map[string]int64 // by aggregate key; absent = not reported
	Progress   *float64         // status.log_generation.progress_percent, 0..1
	Response   *galileo.ExperimentResponse
	LastErr    error // the last transient poll error, if any
	Done       bool
	LastChange time.Duration // when the scored counts last changed
	// Unchanged counts the polls in a row that changed nothing.
	Unchanged int
	// Recounted is set once a recount ran since the last change, at poll
	// RecountPoll.
	Recounted   bool
	RecountPoll int
	// Settled holds the metrics a recount found with no row pending, by key.
	Settled map[string]metricStatus
	// Local holds aggregates computed from the records for system metrics
	// the server did not aggregate.
	Local map[string]galileo.MetricAggregates
}

// scored returns the rows scored for every metric (the minimum) capped at
// rows.
func (w *waitState) minScored(spec waitSpec) int64 {
	if len(spec.metrics) == 0 {
		return int64(spec.rows)
	}
	m := int64(-1)
	for _, k := range spec.metrics {
		n := w.Scored[k.Key]
		if m < 0 || n < m {
			m = n
		}
	}
	return min(m, int64(spec.rows))
}

// missing returns the metrics that have fewer than need rows scored.
func (w *waitState) missing(spec waitSpec) []metricKey {
	if spec.need <= 0 {
		return nil
	}
	var out []metricKey
	for _, k := range spec.metrics {
		if _, ok := w.Settled[k.Key]; ok {
			continue
		}
		if n, ok := w.Scored[k.Key]; !ok || n < int64(spec.need) {
			out = append(out, k)
		}
	}
	return out
}

func (w *waitState) update(resp *galileo.ExperimentResponse, spec waitSpec, elapsed time.Duration) {
	w.Response = resp
	w.LastErr = nil
	scored := make(map[string]int64, len(spec.metrics))
	for _, k := range spec.metrics {
		if a, ok := resp.StructuredAggregateMetrics[k.Key]; ok {
			scored[k.Key] = a.Rows()
		}
	}
	changed := len(scored) != len(w.Scored)
	for k, v := range scored {
		if old, ok := w.Scored[k]; !ok || old != v {
			changed = true
		}
	}
	if changed {
		w.LastChange = elapsed
		w.Unchanged = 0
		w.Recounted = false
	} else {
		w.Unchanged++
	}
	w.Scored = scored
	if lg := resp.Status.LogGeneration; lg != nil {
		p := lg.ProgressPercent
		w.Progress = &p
	}
	w.Done = len(w.missing(spec)) == 0
}

// onlyUnreportedSystemMissing reports whether everything is scored except
// system metrics the server has not reported at all (it does not aggregate
// token counts, for example): then there is no point in waiting for them.
func (w *waitState) onlyUnreportedSystemMissing(spec waitSpec) bool {
	missing := w.missing(spec)
	if len(missing) == 0 {
		return false
	}
	for _, k := range missing {
		if _, reported := w.Scored[k.Key]; reported || !assert.IsSystemMetric(k.Key) {
			return false
		}
	}
	return true
}

// describe renders "37/50 rows scored (correctness 37/50, completeness 35/50)".
func (w *waitState) describe(spec waitSpec) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d/%d rows scored", w.minScored(spec), spec.rows)
	if len(spec.metrics) > 0 {
		b.WriteString(" (")
		for i, k := range spec.metrics {
			if i > 0 {
				b.WriteString(", ")
			}
			if n, ok := w.Scored[k.Key]; ok {
				fmt.Fprintf(&b, "%s %d/%d", k.Metric, n, spec.rows)
			} else {
				fmt.Fprintf(&b, "%s not reported", k.Metric)
			}
		}
		b.WriteString(")")
	}
	if w.Progress != nil && *w.Progress < 1 {
		fmt.Fprintf(&b, ", outputs %.0f%% generated", *w.Progress*100)
	}
	return b.String()
}

// phase is the phase the state shows: judging once done, generating while
// the server reports outputs missing, scoring once outputs are complete or
// scores are reported, waiting before that. A change is always logged.
func (w *waitState) phase() Phase {
	switch {
	case w.Done:
		return PhaseJudging
	case w.Progress != nil && *w.Progress < 1:
		return PhaseGenerating
	case w.Progress != nil || len(w.Scored) > 0:
		return PhaseScoring
	}
	return PhaseWaiting
}

// permanentPollError reports whether a poll error will not go away by
// polling again: 4xx answers other than 408 and 429, and a client without
// credentials. Connection errors and 5xx answers are retried.
func permanentPollError(err error) bool {
	var ae *galileo.APIError
	if errors.As(err, &ae) {
		return ae.Status >= 400 && ae.Status < 500 && ae.Status != 408 && ae.Status != 429
	}
	return errors.Is(err, galileo.ErrNoCredentials)
}

// wait polls src until every metric of spec has need rows scored, ctx ends
// or a poll fails permanently. It returns the last state either way; the
// error is ctx's cause (see context.Cause) or the permanent poll error.
func wait(ctx context.Context, src pollSource, spec waitSpec, pol waitPolicy, clk clock, logf func(string, ...any)) (*waitState, error) {
	start := clk.Now()
	exp := backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(pol.Initial),
		backoff.WithMultiplier(pol.Multiplier),
		backoff.WithRandomizationFactor(pol.Jitter),
		backoff.WithMaxInterval(pol.Max),
		backoff.WithMaxElapsedTime(0),
		backoff.WithClockProvider(clk),
	)
	est := &estimator{target: float64(spec.need)}
	pb := &predictiveBackOff{exp: exp, est: est, pol: pol, clk: clk, start: start}
	if d, ok := ctx.Deadline(); ok {
		pb.deadline = d
	}
	st := &waitState{}
	var (
		lastLog   time.Time
		lastPhase Phase
		lastLine  string
	)
	op := func() error {
		resp, err := src.Poll(ctx)
		st.Polls++
		now := clk.Now()
		st.Elapsed = now.Sub(start)
		if err != nil {
			if ctx.Err() != nil {
				return backoff.Permanent(context.Cause(ctx))
			}
			if permanentPollError(err) {
				return backoff.Permanent(err)
			}
			st.LastErr = err
			return errNotYet
		}
		st.update(resp, spec, st.Elapsed)
		est.observe(st.Elapsed, float64(st.minScored(spec)))
		if !st.Done && spec.recount != nil && st.recountDue() && (st.Unchanged >= stallPolls || st.onlyUnreportedSystemMissing(spec)) && (st.Progress == nil || *st.Progress >= 1) {
			st.Recounted, st.RecountPoll = true, st.Polls
			rc, err := spec.recount(ctx)
			switch {
			case err != nil && ctx.Err() != nil:
				return backoff.Permanent(context.Cause(ctx))
			case err != nil:
				st.LastErr = fmt.Errorf("recount the records' metric statuses: %w", err)
			case rc.Traces >= spec.rows:
				st.settle(spec, rc)
			}
		}
		if spec.polled != nil {
			spec.polled(st)
		}
		if logf != nil {
			ph := st.phase()
			line := st.describe(spec)
			since := now.Sub(lastLog)
			if ph != lastPhase || (since >= pol.LogEvery && line != lastLine) || since >= pol.Heartbeat {
				if st.Done {
					logf("%s: %s after %s, %s", spec.label, st.describe(spec), round(st.Elapsed), plural(st.Polls, "poll"))
				} else {
					logf("%s: %s, %s", spec.label, line, round(st.Elapsed))
				}
				lastLog, lastPhase, lastLine = now, ph, line
			}
		}
		if st.Done {
			return nil
		}
		return errNotYet
	}
	timer := clk.NewTimer()
	if pol.FirstPoll > 0 {
		timer.Start(pol.FirstPoll)
		select {
		case <-ctx.Done():
			timer.Stop()
			st.Elapsed = clk.Now().Sub(start)
			return st, context.Cause(ctx)
		case <-timer.C():
		}
	}
	err := backoff.RetryNotifyWithTimer(op, backoff.WithContext(pb, ctx), nil, timer)
	st.Elapsed = clk.Now().Sub(start)
	switch {
	case err == nil:
		return st, nil
	case ctx.Err() != nil:
		return st, context.Cause(ctx)
	default:
		return st, err
	}
}

// aggregateValues computes the statistics of values as the server does:
// count, sum, avg, min, max and nearest-rank percentiles.
func aggregateValues(values []float64) galileo.MetricAggregates {
	vs := slices.Clone(values)
	slices.Sort(vs)
	n := int64(len(vs))
	agg := galileo.MetricAggregates{Count: &n}
	if n == 0 {
		return agg
	}
	var sum float64
	for _, v := range vs {
		sum += v
	}
	avg := sum / float64(n)
	pct := func(p int) *float64 {
		rank := (p*len(vs) + 99) / 100
		v := vs[max(rank, 1)-1]
		return &v
	}
	lo, hi := vs[0], vs[len(vs)-1]
	agg.Sum, agg.Avg, agg.Min, agg.Max = &sum, &avg, &lo, &hi
	agg.P50, agg.P90, agg.P95, agg.P99 = pct(50), pct(90), pct(95), pct(99)
	return agg
}

// round shortens a duration for log lines: 12.3s, 450ms.
func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second)
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	default:
		return d.Round(time.Millisecond)
	}
}
