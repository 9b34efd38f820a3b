package galileotest_test

import (
	"context"
	"fmt"

	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileotest"
)

// Evaluate runs one experiment outside go test and returns its verdict,
// the record the run's report holds (a *report.Experiment).
// Here the environment is pinned to the emulator backend; a program would
// normally read the real one.
func ExampleEvaluate() {
	answer := func(ctx context.Context, row galileotest.Row) (string, error) {
		return "The capital is " + row.GroundTruth + ".", nil
	}
	env := map[string]string{"GALILEOTEST_BACKEND": "emulator"}
	rep, err := galileotest.Evaluate(context.Background(), galileotest.Experiment{
		Name: "capitals",
		Dataset: galileotest.DatasetRows(
			galileotest.Row{Input: "Capital of France?", GroundTruth: "Paris"},
			galileotest.Row{Input: "Capital of Japan?", GroundTruth: "Tokyo"},
		),
		Function: "answer",
		Metrics:  []string{"correctness"},
		Expect:   []fixtures.Expectation{{Metric: "correctness", Expr: "avg >= 0.9"}},
	},
		galileotest.WithFunc("answer", answer),
		galileotest.WithLookupEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("status:", rep.Status, "kind:", rep.Kind)
	for _, v := range rep.Thresholds {
		fmt.Println(v.Explanation)
	}
	// Output:
	// status: passed kind: function
	// correctness avg = 1, want >= 0.9 (2 rows)
	// 0 of 2 rows errored, want <= 0
}
