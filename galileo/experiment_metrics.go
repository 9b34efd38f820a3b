package galileo

import (
	"context"
	"maps"
	"strings"
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

// GetMetricAggregate returns the cached aggregates of one metric, or nil
// when they are not computed yet or the metric is unknown. metric may be:
//
//  1. a scorer UUID: looked up directly;
//  2. a label ("Correctness"): resolved through [Experiment.ExperimentColumns]
//     (one call) to the "metrics/<uuid>" column with that label;
//  3. a legacy metric_key_alias ("correctness"), through the same columns;
//  4. a raw key such as "cost" or "duration_ns" (system metrics have no
//     column).
//
// Call [Experiment.Refresh] first for fresh values. No call is made while
// nothing is computed.
func (e *Experiment) GetMetricAggregate(ctx context.Context, metric string) (*MetricAggregates, error) {
	aggs := e.MetricAggregates()
	if len(aggs) == 0 {
		return nil, nil
	}
	if IsID(metric) {
		for k, a := range aggs {
			if strings.EqualFold(k, metric) {
				return &a, nil
			}
		}
		return nil, nil
	}
	cols, err := e.ExperimentColumns(ctx)
	if err != nil {
		return nil, err
	}
	for _, byAlias := range []bool{false, true} {
		for _, col := range cols {
			key, ok := strings.CutPrefix(col.ID, "metrics/")
			if !ok {
				continue
			}
			v := col.Label
			if byAlias {
				v = col.MetricKeyAlias
			}
			if v == nil || *v != metric {
				continue
			}
			if a, ok := aggs[key]; ok {
				return &a, nil
			}
		}
	}
	if a, ok := aggs[metric]; ok {
		return &a, nil
	}
	return nil, nil
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
