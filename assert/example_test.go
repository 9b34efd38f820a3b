package assert_test

import (
	"errors"
	"fmt"
	"github.com/galileo-community/galileo-go/galileo"

	"github.com/galileo-community/galileo-go/assert"
)

func Example() {
	p95, avgCost, rows := 2.4e9, 0.004, int64(10) // duration_ns is in nanoseconds
	thresholds := []assert.Threshold{
		assert.MustParse("latency", "p95 <= 2s"),
		assert.MustParse("cost", "avg <= $0.01"),
	}
	aggregates := map[string]*galileo.MetricAggregates{ // keyed as on the server
		"duration_ns": {P95: &p95, Count: &rows},
		"cost":        {Avg: &avgCost, Count: &rows},
	}
	for _, th := range thresholds {
		r := th.Evaluate(aggregates[assert.CanonicalMetric(th.Metric)])
		fmt.Println(r.Pass, r.Explanation)
	}
	// Output:
	// false latency p95 = 2.4s, want <= 2s (10 rows)
	// true cost avg = $0.004, want <= $0.01 (10 rows)
}

func ExampleParse() {
	th, err := assert.Parse("is_polite", "RATE(true) >= 90%")
	fmt.Println(th, err)

	_, err = assert.Parse("correctness", "p10 >= 0.6")
	var pe *assert.ParseError
	if errors.As(err, &pe) {
		fmt.Println(pe.Col, pe.Caret())
	}
	// Output:
	// rate(1) >= 90% <nil>
	// 1 p10 >= 0.6
	// ^
}

func ExampleThreshold_Evaluate() {
	dist := map[string]int64{"0": 3, "1": 17} // a boolean metric
	th := assert.MustParse("is_polite", "rate(true) >= 90%")
	r := th.Evaluate(&galileo.MetricAggregates{ValueDistribution: dist})
	fmt.Println(r.Pass, *r.Actual)
	fmt.Println(r.Explanation)
	// Output:
	// false 0.85
	// is_polite rate(1) = 85%, want >= 90% (20 rows)
}
