package report_test

import (
	"fmt"
	"os"
	"time"

	"github.com/galileo-community/galileo-go/assert"
	"github.com/galileo-community/galileo-go/galileo"
	"github.com/galileo-community/galileo-go/report"
)

// The harness evaluates each threshold with package assert and records the
// result; WriteMarkdown renders the job summary.
func ExampleWriteMarkdown() {
	p95, sum, avg, rows := 2.4e9, 0.31, 0.97, int64(10)
	agg := &galileo.MetricAggregates{P95: &p95, Sum: &sum, Avg: &avg, Count: &rows}
	check := func(metric, expr string) report.Threshold {
		return report.NewThreshold(assert.MustParse(metric, expr).Evaluate(agg))
	}

	start := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	rep := &report.Report{
		StartedAt: start, FinishedAt: start.Add(95 * time.Second), Backend: report.BackendEmulator,
		Experiments: []report.Experiment{{
			Name: "support-bot", Status: report.StatusFailed, Kind: report.KindFunction, Rows: 10, ScoredRows: 10,
			Link: "https://console.example/experiments/1",
			Thresholds: []report.Threshold{
				check("correctness", "avg >= 0.95"),
				check("latency", "p95 <= 2s"),
				check("cost", "sum <= $0.50"),
			},
		}},
	}
	if err := report.WriteMarkdown(os.Stdout, rep); err != nil {
		fmt.Println(err)
	}
	// Output:
	// <!-- galileotest-report -->
	// ### ❌ Galileo regression gate: 0 passed, 1 failed, 0 errored
	//
	// 3 thresholds, 1 missed · backend emulator · started 2025-06-01 12:00:00 UTC · took 1m35s
	//
	// | Experiment | Metric | Statistic | Actual | Threshold | Verdict | Link |
	// |:--|:--|:--|--:|:--|:--|:--|
	// | support-bot | correctness | avg | 0.97 | >= 0.95 | ✅ | [console](https://console.example/experiments/1) |
	// | support-bot | latency | p95 | 2.4s | <= 2s | ❌ | [console](https://console.example/experiments/1) |
	// | support-bot | cost | sum | \$0.31 | <= \$0.5 | ✅ | [console](https://console.example/experiments/1) |
}

// A CI step reads a report back and lists what did not pass.
func ExampleReadJSON() {
	f, err := os.Open("testdata/golden/report.json.golden")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	rep, err := report.ReadJSON(f)
	if err != nil {
		fmt.Println(err)
		return
	}
	passed, failed, errored := rep.Counts()
	fmt.Printf("passed=%d failed=%d errored=%d green=%t\n", passed, failed, errored, rep.Passed())
	for _, e := range rep.Experiments {
		for _, t := range e.Thresholds {
			if !t.Pass && e.Status == report.StatusFailed {
				fmt.Printf("%s: %s\n", e.Name, t.Explanation)
			}
		}
		if e.Error != "" {
			fmt.Printf("%s: %s\n", e.Name, e.Status)
		}
	}
	// Output:
	// passed=1 failed=1 errored=2 green=false
	// summariser: correctness avg = 0.82, want >= 0.9 (20 rows)
	// summariser: latency p95 = 2.4s, want <= 2s (20 rows)
	// summariser: cost sum = $0.62, want <= $0.5 (20 rows)
	// rag-answers: timeout
	// classifier | v2 <b>: error
}

// FormatValue shows values in base units the way people read them.
func ExampleFormatValue() {
	fmt.Println(report.FormatValue(2.4e9, report.UnitNanoseconds))
	fmt.Println(report.FormatValue(0.62, report.UnitDollars))
	fmt.Println(report.FormatValue(0.85, report.UnitPercent))
	fmt.Println(report.FormatValue(0.8234567, report.UnitNone))
	// Output:
	// 2.4s
	// $0.62
	// 85%
	// 0.8235
}
