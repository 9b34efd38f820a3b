package galileo_test

import (
	"context"
	"fmt"
	"time"

	"github.com/galileo-community/galileo-go/galileo"
)

// Wait until a metric is complete for every row, then assert on it: the
// Go form of the Python reference's "poll until populated" loop, which
// can see a partial aggregate.
func ExampleExperiment_WaitForMetrics() {
	client, stop := serviceExampleAPI()
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	exp, err := client.Experiments.OpenByID(ctx, "7d3c8f0a-5b1e-4c2d-9e8f-1a2b3c4d5e6f", "5c3e2a9e-2f7a-4b5e-9a55-0d1c9b6f4e21")
	if err != nil {
		fmt.Println(err)
		return
	}
	st, err := exp.WaitForMetrics(ctx, nil, galileo.MetricCorrectness)
	if err != nil {
		fmt.Println(err)
		return
	}
	agg := st.Metrics[0].Aggregates
	fmt.Printf("%s: avg %.2f over %d of %d rows\n", st.Metrics[0].Label, *agg.Avg, agg.Rows(), st.Rows)
	if *agg.Avg < 0.9 {
		fmt.Println("below the bar")
	}
	// Output:
	// Correctness: avg 0.95 over 2 of 2 rows
}
