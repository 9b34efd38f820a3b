package scoring

import (
	"maps"
	"math"
	"slices"

	"github.com/galileo-community/galileo-go/galileo"
)

// System metric keys of structured_aggregate_metrics that are not scorers.
const (
	CostKey     = "cost"
	DurationKey = "duration_ns"
)

// RankInput is one experiment of a project as the ranking sees it.
type RankInput struct {
	ExperimentID string
	// Aggregates are the experiment's structured aggregates, keyed by scorer
	// id plus the system keys "cost" and "duration_ns".
	Aggregates map[string]galileo.MetricAggregates
	// HigherIsBetter gives the direction of each scorer key; a key missing
	// here counts as higher-is-better. See [HigherIsBetter].
	HigherIsBetter map[string]bool
}

// RankResult is the ranking of one experiment.
type RankResult struct {
	ExperimentID string
	Score        float64 // ranking_score; 0 when unranked
	Rank         int     // 1 = best; 0 when the experiment has no scored metric
	Winner       bool
}

// Rank orders a project's experiments. Results come back in the order of in.
//
// Rule:
//  1. The metrics of an experiment are its Aggregates entries other than
//     "cost" and "duration_ns" whose avg is set (categorical metrics have no
//     avg and do not count).
//  2. Each metric contributes its avg clamped to [0, 1], or 1 minus that when
//     HigherIsBetter says false for its key.
//  3. Score = the mean of the contributions. An experiment without metrics
//     gets Score 0, Rank 0 and is never the winner.
//  4. Scored experiments are sorted by Score descending (scores within 1e-12
//     are equal), then by lower avg cost (a missing cost sorts after any
//     known cost), then by ExperimentID ascending. Ranks are 1, 2, 3, …
//     in that order, with no shared ranks.
//  5. Winner is true for rank 1 when at least two experiments are scored.
func Rank(in []RankInput) []RankResult {
	out := make([]RankResult, len(in))
	type scored struct {
		idx   int
		score float64
		cost  float64
	}
	var ss []scored
	for i, e := range in {
		out[i].ExperimentID = e.ExperimentID
		total, n := 0.0, 0
		// Sorted keys: the float sum must not depend on map order.
		for _, key := range slices.Sorted(maps.Keys(e.Aggregates)) {
			agg := e.Aggregates[key]
			if key == CostKey || key == DurationKey || agg.Avg == nil || math.IsNaN(*agg.Avg) {
				continue
			}
			v := clamp01(*agg.Avg)
			if higher, ok := e.HigherIsBetter[key]; ok && !higher {
				v = 1 - v
			}
			total += v
			n++
		}
		if n == 0 {
			continue
		}
		cost := math.Inf(1)
		if c, ok := e.Aggregates[CostKey]; ok && c.Avg != nil && !math.IsNaN(*c.Avg) {
			cost = *c.Avg
		}
		out[i].Score = total / float64(n)
		ss = append(ss, scored{idx: i, score: out[i].Score, cost: cost})
	}
	slices.SortStableFunc(ss, func(a, b scored) int {
		if math.Abs(a.score-b.score) > 1e-12 {
			if a.score > b.score {
				return -1
			}
			return 1
		}
		if a.cost != b.cost {
			if a.cost < b.cost {
				return -1
			}
			return 1
		}
		switch ida, idb := in[a.idx].ExperimentID, in[b.idx].ExperimentID; {
		case ida < idb:
			return -1
		case ida > idb:
			return 1
		}
		return 0
	})
	for r, s := range ss {
		out[s.idx].Rank = r + 1
		out[s.idx].Winner = r == 0 && len(ss) >= 2
	}
	return out
}
