package scoring_test

import (
	"fmt"

	"github.com/galileo-community/galileo-go/emulator/scoring"
	"github.com/galileo-community/galileo-go/galileo"
)

func Example() {
	cat := scoring.Builtins()
	s, ok := scoring.Lookup(cat, "Correctness")
	if !ok {
		fmt.Println("unknown metric")
		return
	}
	rows := []scoring.Input{
		{Input: "Capital of France?", Output: "It is Paris.", GroundTruth: "Paris"},
		{Input: "Capital of Italy?", Output: "Milan", GroundTruth: "Rome"},
		{Input: "Capital of Spain?", Output: "Madrid", GroundTruth: "Madrid"},
	}
	var values []float64
	for _, r := range rows {
		if v, applies, err := s.Score(r); err == nil && applies {
			values = append(values, v)
		}
	}
	agg := s.Aggregate(values)
	fmt.Printf("%s (%s): avg %.3f over %d rows\n", s.Label, s.Name, *agg.Avg, *agg.Count)
	// Output: Correctness (correctness): avg 0.667 over 3 rows
}

func ExampleBLEU() {
	fmt.Printf("%.4f\n", scoring.BLEU("the cat sat on the mat", "the cat is on the mat"))
	fmt.Printf("%.4f\n", scoring.BLEU("the cat is on the mat", "the cat is on the mat"))
	// Output:
	// 0.4855
	// 1.0000
}

func ExampleROUGE() {
	fmt.Println(scoring.ROUGE("police kill the gunman", "police killed the gunman"))
	// Output: 0.75
}

func ExampleAggregate() {
	agg := scoring.Aggregate([]float64{1, 0, 1, 1}, scoring.Boolean)
	fmt.Println(*agg.Avg, *agg.Count, agg.ValueDistribution)
	// Output: 0.75 4 map[0:1 1:3]
}

func ExampleCost() {
	in, out := scoring.CountTokens("What is the capital of France?"), scoring.CountTokens("Paris.")
	fmt.Println(in, out)
	fmt.Printf("$%.8f\n", scoring.Cost("gpt-4o-mini-2024-07-18", in, out))
	// Output:
	// 7 2
	// $0.00000225
}

func ExampleRank() {
	cat := scoring.Builtins()
	corr, _ := scoring.Lookup(cat, "Correctness")
	tox, _ := scoring.Lookup(cat, "Output Toxicity")
	dir := scoring.HigherIsBetter(cat)
	f := func(v float64) galileo.MetricAggregates { return galileo.MetricAggregates{Avg: &v} }
	results := scoring.Rank([]scoring.RankInput{
		{ExperimentID: "baseline", Aggregates: map[string]galileo.MetricAggregates{corr.ID: f(0.7), tox.ID: f(0.1)}, HigherIsBetter: dir},
		{ExperimentID: "new-prompt", Aggregates: map[string]galileo.MetricAggregates{corr.ID: f(0.9), tox.ID: f(0.0)}, HigherIsBetter: dir},
	})
	for _, r := range results {
		fmt.Printf("%s rank %d score %.2f winner %v\n", r.ExperimentID, r.Rank, r.Score, r.Winner)
	}
	// Output:
	// baseline rank 2 score 0.80 winner false
	// new-prompt rank 1 score 0.95 winner true
}
