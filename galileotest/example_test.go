package galileotest_test

import (
	"context"
	"fmt"

	"github.com/galileo-community/galileo-go/galileotest"
)

// Evaluate runs one experiment outside go test and returns its Report.
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
		Expect:   []galileotest.Expectation{{Metric: "correctness", Expr: "avg >= 0.9"}},
	},
		galileotest.WithFunc("answer", answer),
		galileotest.WithLookupEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("passed:", rep.Passed, "backend:", rep.Backend)
	for _, v := range rep.Thresholds {
		fmt.Println(v.Explanation)
	}
	// Output:
	// passed: true backend: emulator
	// correctness avg = 1, want >= 0.9 (2 rows)
	// 0 of 2 rows errored, want <= 0
}
