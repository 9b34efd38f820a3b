package stats_test

import (
	"fmt"

	"github.com/galileo-community/galileo-go/assert/stats"
)

func ExampleWilson() {
	// 17 of 20 rows right: is the pass rate at least 0.8?
	iv, err := stats.Wilson(17, 20, 0.95)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.2f [%.2f, %.2f], %d rows would decide it\n", iv.Estimate, iv.Low, iv.High, stats.RowsToDecide(iv, 0.8))
	// Output: 0.85 [0.64, 0.95], 196 rows would decide it
}

func ExampleMeanInterval() {
	// Two rows, each scored three times: the interval is over row means.
	values := []float64{0.9, 0.8, 0.85, 0.6, 0.7, 0.65}
	rows := []string{"r1", "r1", "r1", "r2", "r2", "r2"}
	iv, _ := stats.MeanInterval(values, rows, 0.95)
	fmt.Printf("%s n=%d mean %.3f\n", iv.Method, iv.N, iv.Estimate)
	// Output: t-clustered n=2 mean 0.750
}
