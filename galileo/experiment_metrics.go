package galileo

import (
	"context"
	"maps"
)

// AggregateMetrics returns the cached legacy aggregates (average_cost,
// average_latency, total_responses, average_<metric>, ...). Deprecated in
// the API in favour of [Experiment.MetricAggregates].
func (e *Experiment) AggregateMetrics() map[string]any {
	e.mu.Lock()
	defer e.mu.Unlock()
	return maps.Clone(e.resp.AggregateMetrics)
}

// MetricAggregates returns the cached structured aggregates, keyed by scorer
// UUID for scorer-backed metrics and by raw name for system metrics (cost,
// duration_ns). It is nil while nothing is computed.
func (e *Experiment) MetricAggregates() map[string]MetricAggregates {
	e.mu.Lock()
	defer e.mu.Unlock()
	return maps.Clone(e.resp.StructuredAggregateMetrics)
}

// GetMetricAggregate returns the cached aggregates of one metric, named
// any way [ExperimentsService.ResolveMetrics] accepts: a Metric constant
// or any scorer label ("Correctness", in any case), name, metric name or
// metric_key_alias ("completeness_gpt"), a scorer UUID, or a system metric
// (cost, latency, ...). It is nil, nil while the metric is not computed
// yet, and an error matching [ErrUnknownMetric] when nothing answers to
// the name. Resolving a name may call the API (scorers, columns); UUIDs
// and system metrics resolve without a call.
//
// Call [Experiment.Refresh] first for fresh values. A non-nil result may
// be partial: the server publishes aggregates while rows are still being
// scored, so check its count, or wait with [Experiment.WaitForMetrics],
// before asserting on it.
func (e *Experiment) GetMetricAggregate(ctx context.Context, metric string) (*MetricAggregates, error) {
	r, err := e.snapshot()
	if err != nil {
		return nil, err
	}
	ms, err := e.c.Experiments.ResolveMetrics(ctx, r.ProjectID, []string{metric})
	if err != nil {
		return nil, err
	}
	a, ok := ms[0].In(e.MetricAggregates())
	if !ok {
		return nil, nil
	}
	return &a, nil
}

// Rank returns the cached rank among the project's experiments (1 is best),
// or nil when there is none (null or 0).
func (e *Experiment) Rank() *int {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.resp.Rank == nil || *e.resp.Rank == 0 {
		return nil
	}
	v := *e.resp.Rank
	return &v
}

// RankingScore returns the cached ranking score (higher is better), or nil
// when there is none (null or 0).
func (e *Experiment) RankingScore() *float64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.resp.RankingScore == nil || *e.resp.RankingScore == 0 {
		return nil
	}
	v := *e.resp.RankingScore
	return &v
}

// IsWinner reports whether the cached experiment is marked the winner.
func (e *Experiment) IsWinner() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.resp.Winner != nil && *e.resp.Winner
}
