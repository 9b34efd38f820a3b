package galileotest

import (
	"flag"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileo"
	goldenfile "github.com/galileo-community/galileo-go/internal/golden"
	"github.com/galileo-community/galileo-go/report"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// golden compares got with testdata/golden/name, or rewrites the file with
// -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, name, got, *update)
}

func f64(v float64) *float64 { return &v }
func i64(v int64) *int64     { return &v }

// goldenReport is a finished report as the harness builds it.
func goldenReport() *report.Experiment {
	return &report.Experiment{
		Name: "support-bot", RunName: "support-bot-20260730T184001Z-3f9c2a-0123456",
		ID: "5c3e2a9e-2f7a-4b5e-9a55-0d1c9b6f4e21", Project: "acme-support", ProjectID: "2b9c1c1e-0f4a-4d8e-9a53-6a1f3b0c7d21",
		Link: "https://app.galileo.ai/project/2b9c1c1e-0f4a-4d8e-9a53-6a1f3b0c7d21/experiments/5c3e2a9e-2f7a-4b5e-9a55-0d1c9b6f4e21",
		Kind: report.KindFunction, File: "testdata/evals/support-bot.yaml", Line: 1, Rows: 50, Status: report.StatusPassed,
		Metrics: []report.Metric{{Name: "correctness", Key: "aed89cbc-5515-43c3-87ae-39c3c44c043e", ScorerName: "correctness", Label: "Correctness", Scored: 50,
			MetricAggregates: galileo.MetricAggregates{Avg: f64(0.82), Count: i64(50)}}},
	}
}

func TestGolden_thresholdMiss(t *testing.T) {
	rep := goldenReport()
	v := report.NewThreshold(mustThreshold(t, "correctness", "avg >= 0.95").Threshold.Evaluate(rep.Metric("correctness")))
	v.Line = 7
	if v.Pass {
		t.Fatal("avg 0.82 passed avg >= 0.95")
	}
	golden(t, "threshold_miss.golden", rep.Failure(v)+"\n")
}

func TestGolden_erroredRows(t *testing.T) {
	rep := goldenReport()
	rep.ErroredRows = 7
	rep.RowErrors = []report.RowError{
		{Index: 3, Input: "What is 2+2?", Error: "upstream model unavailable"},
		{Index: 9, Input: "Refund policy?", Error: "panic: runtime error: index out of range [3] with length 3"},
		{Index: 11, Input: "a", Error: "e"}, {Index: 12, Input: "b", Error: "e"}, {Index: 13, Input: "c", Error: "e"}, {Index: 14, Input: "d", Error: "e"},
	}
	rep.AllowedErroredRows = 2
	golden(t, "errored_rows.golden", rep.Failure(erroredVerdict(rep))+"\n")
}

func TestGolden_timeout(t *testing.T) {
	rep := goldenReport()
	st := &galileo.WaitState{Polls: 14, Elapsed: 10*time.Minute + 120*time.Millisecond, Metrics: make([]galileo.MetricState, 2), Generated: f64(0.3)}
	spec := waitSpec{metrics: []metricKey{{"correctness", "aed89cbc"}, {"latency", "duration_ns"}}, rows: 50, need: 50}
	err := newTimeoutError(rep, spec, st, &deadlineCause{"the experiment's timeout of 10m0s"})
	golden(t, "timeout.golden", err.Error()+"\n")
}

func TestGolden_unscoredRows(t *testing.T) {
	rep := goldenReport()
	rep.ErroredRows, rep.AllowedUnscoredRows = 1, 2
	st := &galileo.WaitState{Polls: 9, Elapsed: 2*time.Minute + 3*time.Second, Metrics: scoredStates(37, 49), Generated: f64(1)}
	spec := waitSpec{metrics: []metricKey{{"correctness", "aed89cbc"}, {"latency", "duration_ns"}}, rows: 50, need: 47}
	err := newTimeoutError(rep, spec, st, &deadlineCause{"the go test -timeout deadline, less a 30s grace period"})
	m := report.Metric{Name: "correctness", Key: "aed89cbc", Scored: 44, NotApplicable: 1, ScorerErrors: 3}
	v, bad := unscoredVerdict(rep, m, rep.ErroredRows)
	if !bad {
		t.Fatal("4 unscored rows with 2 allowed passed")
	}
	golden(t, "unscored_rows.golden", err.Error()+"\n\n"+rep.Failure(v)+"\n")
}

func TestGolden_badFixture(t *testing.T) {
	_, err := fixtures.LoadFile("testdata/bad/broken.yaml")
	if err == nil {
		t.Fatal("a broken fixture loaded")
	}
	golden(t, "bad_fixture.golden", err.Error()+"\n")
}

func mustThreshold(t *testing.T, metric, expr string) fixtures.Expectation {
	t.Helper()
	p, err := newPlan(fixtures.Experiment{Name: "x", Dataset: qaRows(), Function: "f", Metrics: []string{metric}, Expect: []fixtures.Expectation{{Metric: metric, Expr: expr}}}, map[string]Func{"f": echoFunc})
	if err != nil {
		t.Fatal(err)
	}
	return p.expects[0]
}
