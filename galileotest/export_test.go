package galileotest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/galileo"
	"github.com/galileo-community/galileo-go/report"
)

func TestReport_Status(t *testing.T) {
	for _, tc := range []struct {
		name   string
		rep    *Report
		status string
	}{
		{"passed", &Report{Passed: true}, report.StatusPassed},
		{"failed", &Report{Passed: false}, report.StatusFailed},
		{"timeout", &Report{Error: "gave up", err: &TimeoutError{Experiment: "bot"}}, report.StatusTimeout},
		{"wrapped timeout", &Report{err: fmt.Errorf("x: %w", &TimeoutError{Experiment: "bot"})}, report.StatusTimeout},
		{"setup error", &Report{Error: "galileotest: dataset: boom", err: &SetupError{Step: "dataset", Err: errors.New("boom")}}, report.StatusError},
		{"error text only", &Report{Error: "boom"}, report.StatusError},
		{"nil", nil, report.StatusError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.rep.Status(); got != tc.status {
				t.Errorf("Status() = %q, want %q", got, tc.status)
			}
			if tc.rep == nil || tc.rep.err == nil {
				return
			}
			if e := experimentReport(tc.rep); e.Status != tc.status || e.Error == "" {
				t.Errorf("experiment status %q, error %q; want %q and the error text", e.Status, e.Error, tc.status)
			}
		})
	}
}

func TestExperimentReport_Fields(t *testing.T) {
	rep := &Report{
		Experiment: "bot", Name: "bot-20250101", ID: "eid", Project: "acme", ProjectID: "pid", Link: "https://c/x",
		Kind: "prompt", File: "evals/bot.yaml", Line: 3, Rows: 10, Passed: false,
		Durations: Durations{Total: 1500 * time.Millisecond},
		Metrics: []MetricReport{
			{Metric: "correctness", Key: "sid", Label: "Correctness", Scored: 9, Aggregates: &galileo.MetricAggregates{Avg: f64(0.8), Count: i64(9)}},
			{Metric: "latency", Key: "duration_ns", Scored: 10, Aggregates: &galileo.MetricAggregates{P95: f64(2.4e9), Count: i64(10)}},
			{Metric: "bleu", Key: "bid"},
		},
		Thresholds: []Verdict{
			{Metric: "correctness", Threshold: "avg >= 0.9", Stat: "avg", Actual: f64(0.8), Rows: 9, Explanation: "correctness avg = 0.8, want >= 0.9 (9 rows)"},
			{Metric: "latency", Threshold: "p95 <= 2s", Stat: "p95", Actual: f64(2.4e9), Rows: 10},
			{Metric: "correctness", Threshold: "unscored_rows <= 0", Stat: UnscoredRowsStat, Actual: f64(1), Rows: 10, Explanation: "1 of 10 rows unscored"},
		},
	}
	e := experimentReport(rep)
	if e.Name != "bot" || e.RunName != "bot-20250101" || e.ID != "eid" || e.ProjectID != "pid" || e.Project != "acme" || e.Link != "https://c/x" ||
		e.Kind != report.KindPrompt || e.File != "evals/bot.yaml" || e.Line != 3 || e.Rows != 10 || e.DurationMS != 1500 || e.Status != report.StatusFailed {
		t.Errorf("experiment = %+v; want the report's fields", e)
	}
	if e.ScoredRows != 0 {
		t.Errorf("scored rows %d, want 0: bleu was not scored at all", e.ScoredRows)
	}
	if len(e.Metrics) != 3 || e.Metrics[0].Label != "Correctness" || e.Metrics[0].Avg == nil || *e.Metrics[0].Avg != 0.8 || e.Metrics[2].Avg != nil {
		t.Errorf("metrics = %+v; want the aggregates copied and the label kept", e.Metrics)
	}
	th := e.Thresholds
	if len(th) != 3 {
		t.Fatalf("%d thresholds, want 3", len(th))
	}
	if th[0].Expr != "avg >= 0.9" || len(th[0].Bounds) != 1 || th[0].Bounds[0] != (report.Bound{Op: ">=", Value: 0.9}) || th[0].Pass || *th[0].Actual != 0.8 {
		t.Errorf("threshold 0 = %+v; want avg >= 0.9 with its bound, missed at 0.8", th[0])
	}
	if th[1].Unit != report.UnitNanoseconds || th[1].Bounds[0].Value != 2e9 {
		t.Errorf("threshold 1 = %+v; want unit ns and the bound 2e9", th[1])
	}
	if th[2].Stat != UnscoredRowsStat || th[2].Expr != "unscored_rows <= 0" || th[2].Explanation != "1 of 10 rows unscored" {
		t.Errorf("threshold 2 = %+v; want the harness's own verdict copied", th[2])
	}
}

func TestBuildReport(t *testing.T) {
	start := time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))
	r := BuildReport("emulator", start, start.Add(time.Minute), []*Report{
		{Experiment: "a", Passed: true},
		{Experiment: "b", Error: "boom", err: errors.New("boom")},
	})
	if r.Backend != report.BackendEmulator || r.StartedAt.Location() != time.UTC || r.Duration() != time.Minute || len(r.Experiments) != 2 ||
		r.Experiments[0].Status != report.StatusPassed || r.Experiments[1].Error != "boom" || r.Experiments[1].Status != report.StatusError {
		t.Errorf("report = %+v", r)
	}
	if got := BuildReport(BackendClient, start, start, nil); got.Backend != report.BackendRemote || got.Experiments == nil {
		t.Errorf("a client backend reports as %q with experiments %v; want remote and an empty list", got.Backend, got.Experiments)
	}
}
