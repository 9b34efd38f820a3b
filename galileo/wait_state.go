package galileo

import (
	"context"
	"fmt"
	"math"
	"time"
)

// stallPolls is how many polls in a row must show no change before the
// wait recounts the records' statuses.
const stallPolls = 2

// waiter is the state of one wait between polls.
type waiter struct {
	spec  waitSpec
	clk   clock
	start time.Time
	sched *schedule
	st    *WaitState
	// unchanged counts the polls in a row that changed no count;
	// recounted is set once a recount ran since the last change, at poll
	// recountPoll.
	unchanged   int
	recounted   bool
	recountPoll int
	// server is the rows each metric had in the server's aggregates at the
	// last poll (-1: not reported), to tell a change.
	server []int64
}

func newWaiter(spec waitSpec, pol waitPolicy, clk clock) *waiter {
	st := &WaitState{Rows: spec.rows, Need: max(spec.rows-spec.allowed, 0)}
	for _, m := range spec.metrics {
		st.Metrics = append(st.Metrics, MetricState{ResolvedMetric: m})
	}
	server := make([]int64, len(st.Metrics))
	for i := range server {
		server[i] = -1
	}
	return &waiter{spec: spec, clk: clk, start: clk.Now(), st: st, server: server,
		sched: &schedule{est: &estimator{target: float64(spec.rows)}, pol: pol}}
}

// handle applies one poll's answer; done reports that the wait is over
// (complete), err that it failed for good.
func (w *waiter) handle(ctx context.Context, r pollResult) (done bool, err error) {
	st := w.st
	st.Polls++
	st.Elapsed = w.clk.Now().Sub(w.start)
	if r.err != nil {
		if ctx.Err() != nil {
			return false, context.Cause(ctx)
		}
		if permanentPollError(r.err) {
			return false, r.err
		}
		st.LastErr = r.err
		return false, nil
	}
	w.update(r.resp)
	rows := w.scoredRows()
	if !st.Done && w.spec.recount != nil && w.recountDue() && w.generated() && st.Rows > 0 {
		w.recounted, w.recountPoll = true, st.Polls
		rc, err := w.spec.recount(ctx, w.spec.metrics)
		switch {
		case err != nil && ctx.Err() != nil:
			return false, context.Cause(ctx)
		case err != nil:
			st.LastErr = fmt.Errorf("recount the records' metric statuses: %w", err)
		case rc.Traces >= st.Rows:
			w.settle(rc)
			rows = max(rows, rc.done(w.spec.metrics))
		}
	}
	st.Done = len(st.Metrics) == 0 && st.Rows > 0 || st.Rows > 0 && len(st.Missing()) == 0
	if target, u, ok := w.progress(rows); ok {
		w.sched.est.target = target
		w.sched.observe(st.Elapsed, u)
	}
	if w.spec.progress != nil {
		w.spec.progress(st)
	}
	return st.Done, nil
}

// progress returns what the pace is measured on: the rows to wait for and
// the rows done, given scored rows scored for every metric. While outputs
// are generated, the share generated counts too: scoring cannot end before
// generation, so the pace of generation predicts an early completion at
// worst, never a late one. While the rows are not known they are estimated
// from the traces and the share generated; ok is false when nothing tells.
func (w *waiter) progress(scored int64) (target, u float64, ok bool) {
	st := w.st
	target = float64(st.Need)
	if st.Rows == 0 {
		r := st.Response
		if st.Generated == nil || *st.Generated <= 0 || r == nil || r.NumTraces == nil || *r.NumTraces == 0 {
			return 0, 0, false
		}
		target = math.Round(float64(*r.NumTraces) / *st.Generated)
	}
	u = float64(scored)
	if g := st.Generated; g != nil && *g < 1 {
		u = max(u, math.Floor(*g*target))
	}
	return max(target, 1), u, true
}

// generated reports whether every output is generated (or the server does
// not say).
func (w *waiter) generated() bool {
	return w.st.Generated == nil || *w.st.Generated >= 1
}

// scoredRows is the smallest count of rows scored over the metrics, for
// the pace.
func (w *waiter) scoredRows() int64 {
	if len(w.st.Metrics) == 0 {
		return 0
	}
	return max(w.st.MinScored(), 0)
}

// recountDue reports whether a recount may run: when the counts stalled
// (or only system metrics the server does not aggregate are missing), at
// most once after every change of the counts, and then on every further
// poll while they stay unchanged — a server that publishes no aggregates
// never changes them, so a recount that found rows pending must be
// repeated.
func (w *waiter) recountDue() bool {
	if w.recounted && w.st.Polls <= w.recountPoll {
		return false
	}
	return w.unchanged >= stallPolls || w.onlyUnreportedSystemMissing()
}

// update applies a poll's answer to the counts.
func (w *waiter) update(resp *ExperimentResponse) {
	st := w.st
	st.Response, st.LastErr = resp, nil
	if lg := resp.Status.LogGeneration; lg != nil {
		p := lg.ProgressPercent
		st.Generated = &p
	} else {
		st.Generated = nil
	}
	if w.spec.rows == 0 && w.generated() && resp.NumTraces != nil && *resp.NumTraces > 0 {
		st.Rows = *resp.NumTraces
		st.Need = max(st.Rows-w.spec.allowed, 0)
	}
	changed := false
	for i := range st.Metrics {
		m := &st.Metrics[i]
		a, ok := m.In(resp.StructuredAggregateMetrics)
		n := a.Rows()
		if !ok {
			n = -1
		}
		if n != w.server[i] {
			changed, w.server[i] = true, n
		}
		n = max(n, 0)
		if !ok && m.Settled != nil {
			continue // keep the aggregates computed from the records
		}
		m.Reported, m.Scored = ok, n
		m.Aggregates = nil
		if ok {
			m.Aggregates = &a
		}
	}
	if changed {
		w.unchanged, w.recounted = 0, false
	} else {
		w.unchanged++
	}
}

// onlyUnreportedSystemMissing reports whether everything is scored except
// system metrics the server has not reported at all (it does not aggregate
// token counts, for example): then there is no point in waiting for them.
func (w *waiter) onlyUnreportedSystemMissing() bool {
	missing := w.st.Missing()
	if len(missing) == 0 {
		return false
	}
	for _, k := range missing {
		if k.Reported || !k.System() {
			return false
		}
	}
	return true
}

// settle marks the metrics a recount found with no row pending as
// settled, with aggregates computed from the records where the server
// published none.
func (w *waiter) settle(rc *recount) {
	for i := range w.st.Metrics {
		m := &w.st.Metrics[i]
		ms, ok := rc.Status[m.Key]
		if !ok || ms.Pending > 0 || ms.Success+ms.NotApplicable+ms.Errors+ms.FailedRows < rc.Traces {
			continue
		}
		if !m.Reported {
			vals, dist := rc.Values[m.Key], rc.Dist[m.Key]
			if len(vals) == 0 && len(dist) == 0 {
				continue
			}
			agg := aggregateValues(vals, dist)
			m.Aggregates, m.Scored = &agg, agg.Rows()
		}
		m.Settled = &ms
	}
	// System metrics not waited for, which every record carries: computed
	// where the server published no aggregate of them.
	for _, k := range systemMetrics {
		vals := rc.Values[k]
		if _, asked := rc.Status[k]; asked || rc.Traces == 0 || len(vals) != rc.Traces {
			continue
		}
		if r := w.st.Response; r != nil {
			if _, published := r.StructuredAggregateMetrics[k]; published {
				continue
			}
		}
		if w.st.Computed == nil {
			w.st.Computed = map[string]MetricAggregates{}
		}
		w.st.Computed[k] = aggregateValues(vals, nil)
	}
}
