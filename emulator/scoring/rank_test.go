package scoring

import (
	"math"
	"testing"

	"github.com/galileo-community/galileo-go/galileo"
	"github.com/stretchr/testify/assert"
)

func avg(v float64) galileo.MetricAggregates { return galileo.MetricAggregates{Avg: &v} }

func TestRank(t *testing.T) {
	tests := []struct {
		name string
		in   []RankInput
		want []RankResult
	}{
		{
			name: "ordering by mean score",
			in: []RankInput{
				{ExperimentID: "a", Aggregates: map[string]galileo.MetricAggregates{"m1": avg(0.5), "m2": avg(0.7)}},
				{ExperimentID: "b", Aggregates: map[string]galileo.MetricAggregates{"m1": avg(0.9), "m2": avg(0.9)}},
				{ExperimentID: "c", Aggregates: map[string]galileo.MetricAggregates{"m1": avg(0.1), "m2": avg(0.3)}},
			},
			want: []RankResult{{"a", 0.6, 2, false}, {"b", 0.9, 1, true}, {"c", 0.2, 3, false}},
		},
		{
			name: "lower-is-better metrics are inverted",
			in: []RankInput{
				{ExperimentID: "a", Aggregates: map[string]galileo.MetricAggregates{"tox": avg(0.4), "ok": avg(1)}, HigherIsBetter: map[string]bool{"tox": false}},
				{ExperimentID: "b", Aggregates: map[string]galileo.MetricAggregates{"tox": avg(0), "ok": avg(0.8)}, HigherIsBetter: map[string]bool{"tox": false}},
			},
			want: []RankResult{{"a", 0.8, 2, false}, {"b", 0.9, 1, true}},
		},
		{
			name: "cost and duration do not score; tie broken by lower cost",
			in: []RankInput{
				{ExperimentID: "a", Aggregates: map[string]galileo.MetricAggregates{"m": avg(0.5), "cost": avg(0.02), "duration_ns": avg(1e9)}},
				{ExperimentID: "b", Aggregates: map[string]galileo.MetricAggregates{"m": avg(0.5), "cost": avg(0.01), "duration_ns": avg(9e9)}},
			},
			want: []RankResult{{"a", 0.5, 2, false}, {"b", 0.5, 1, true}},
		},
		{
			name: "tie with equal cost broken by id; missing cost sorts last",
			in: []RankInput{
				{ExperimentID: "z", Aggregates: map[string]galileo.MetricAggregates{"m": avg(0.5), "cost": avg(0.01)}},
				{ExperimentID: "y", Aggregates: map[string]galileo.MetricAggregates{"m": avg(0.5)}},
				{ExperimentID: "x", Aggregates: map[string]galileo.MetricAggregates{"m": avg(0.5), "cost": avg(0.01)}},
			},
			want: []RankResult{{"z", 0.5, 2, false}, {"y", 0.5, 3, false}, {"x", 0.5, 1, true}},
		},
		{
			name: "unscored experiments get no rank; a single scored one is no winner",
			in: []RankInput{
				{ExperimentID: "a", Aggregates: map[string]galileo.MetricAggregates{"cost": avg(0.01)}},
				{ExperimentID: "b", Aggregates: map[string]galileo.MetricAggregates{"m": avg(0.7)}},
				{ExperimentID: "c"},
				{ExperimentID: "d", Aggregates: map[string]galileo.MetricAggregates{"tone": {ValueDistribution: map[string]int64{"joy": 2}}}},
			},
			want: []RankResult{{"a", 0, 0, false}, {"b", 0.7, 1, false}, {"c", 0, 0, false}, {"d", 0, 0, false}},
		},
		{
			name: "values outside [0, 1] are clamped",
			in: []RankInput{
				{ExperimentID: "a", Aggregates: map[string]galileo.MetricAggregates{"ppl": avg(12), "m": avg(1)}, HigherIsBetter: map[string]bool{"ppl": false}},
				{ExperimentID: "b", Aggregates: map[string]galileo.MetricAggregates{"ppl": avg(3), "m": avg(0.5)}, HigherIsBetter: map[string]bool{"ppl": false}},
			},
			want: []RankResult{{"a", 0.5, 1, true}, {"b", 0.25, 2, false}},
		},
		{name: "empty", in: nil, want: []RankResult{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Rank(tt.in)
			assert.Len(t, got, len(tt.want))
			for i := range got {
				assert.Equal(t, tt.want[i].ExperimentID, got[i].ExperimentID)
				assert.InDelta(t, tt.want[i].Score, got[i].Score, 1e-12, "score of %s", got[i].ExperimentID)
				assert.Equal(t, tt.want[i].Rank, got[i].Rank, "rank of %s", got[i].ExperimentID)
				assert.Equal(t, tt.want[i].Winner, got[i].Winner, "winner flag of %s", got[i].ExperimentID)
			}
		})
	}
}

func TestRank_deterministic(t *testing.T) {
	aggs := map[string]galileo.MetricAggregates{}
	for i, v := range []float64{0.1, 0.7, 0.3, 0.9, 0.2, 0.4, 0.8, 0.6} {
		aggs[string(rune('a'+i))] = avg(v)
	}
	first := Rank([]RankInput{{ExperimentID: "e", Aggregates: aggs}})[0].Score
	for range 50 {
		if got := Rank([]RankInput{{ExperimentID: "e", Aggregates: aggs}})[0].Score; math.Float64bits(got) != math.Float64bits(first) {
			t.Fatalf("Rank score changed between calls: %v then %v", first, got)
		}
	}
}

func TestHigherIsBetter(t *testing.T) {
	cat := Builtins()
	dir := HigherIsBetter(cat)
	for _, key := range []string{"Correctness", "BLEU"} {
		s, _ := Lookup(cat, key)
		assert.True(t, dir[s.ID], key)
	}
	for _, key := range []string{"Output Toxicity", "Input PII", "Tool Error Rate", "Prompt Injection"} {
		s, _ := Lookup(cat, key)
		assert.False(t, dir[s.ID], key)
	}
}
