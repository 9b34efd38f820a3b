package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/galileo"
	"github.com/galileo-community/galileo-go/galileotest"
	"github.com/galileo-community/galileo-go/report"
)

func f64(v float64) *float64 { return &v }
func i64(v int64) *int64     { return &v }

func TestExperimentReport_Status(t *testing.T) {
	for _, tc := range []struct {
		name   string
		rep    galileotest.Report
		err    error
		status string
	}{
		{"passed", galileotest.Report{Passed: true}, nil, report.StatusPassed},
		{"failed", galileotest.Report{Passed: false}, nil, report.StatusFailed},
		{"timeout", galileotest.Report{Error: "gave up"}, &galileotest.TimeoutError{Experiment: "bot"}, report.StatusTimeout},
		{"wrapped timeout", galileotest.Report{}, fmt.Errorf("x: %w", &galileotest.TimeoutError{Experiment: "bot"}), report.StatusTimeout},
		{"setup error", galileotest.Report{Error: "galileotest: dataset: boom"}, &galileotest.SetupError{Step: "dataset", Err: errors.New("boom")}, report.StatusError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := experimentReport(&tc.rep, tc.err)
			if e.Status != tc.status {
				t.Errorf("status %q, want %q", e.Status, tc.status)
			}
			if tc.err != nil && e.Error == "" {
				t.Error("the error text is lost")
			}
		})
	}
}

func TestExperimentReport_Fields(t *testing.T) {
	rep := &galileotest.Report{
		Experiment: "bot", Name: "bot-20250101", ID: "eid", Project: "acme", ProjectID: "pid", Link: "https://c/x",
		Kind: "prompt", File: "evals/bot.yaml", Line: 3, Rows: 10, Passed: false,
		Durations: galileotest.Durations{Total: 1500 * time.Millisecond},
		Metrics: []galileotest.MetricReport{
			{Metric: "correctness", Key: "sid", Label: "Correctness", Scored: 9, Aggregates: &galileo.MetricAggregates{Avg: f64(0.8), Count: i64(9)}},
			{Metric: "latency", Key: "duration_ns", Scored: 10, Aggregates: &galileo.MetricAggregates{P95: f64(2.4e9), Count: i64(10)}},
			{Metric: "bleu", Key: "bid"},
		},
		Thresholds: []galileotest.Verdict{
			{Metric: "correctness", Threshold: "avg >= 0.9", Stat: "avg", Actual: f64(0.8), Rows: 9, Explanation: "correctness avg = 0.8, want >= 0.9 (9 rows)"},
			{Metric: "latency", Threshold: "p95 <= 2s", Stat: "p95", Actual: f64(2.4e9), Rows: 10},
			{Metric: "correctness", Threshold: "unscored_rows <= 0", Stat: galileotest.UnscoredRowsStat, Actual: f64(1), Rows: 10, Explanation: "1 of 10 rows unscored"},
		},
	}
	e := experimentReport(rep, nil)
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
	if th[2].Stat != galileotest.UnscoredRowsStat || th[2].Expr != "unscored_rows <= 0" || th[2].Explanation != "1 of 10 rows unscored" {
		t.Errorf("threshold 2 = %+v; want the harness's own verdict copied", th[2])
	}
}

func TestToReport(t *testing.T) {
	start := time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))
	r := toReport("emulator", start, start.Add(time.Minute), []outcome{
		{rep: &galileotest.Report{Experiment: "a", Passed: true}},
		{rep: &galileotest.Report{Experiment: "b"}, err: errors.New("boom")},
	})
	if r.Backend != report.BackendEmulator || r.StartedAt.Location() != time.UTC || r.Duration() != time.Minute || len(r.Experiments) != 2 || r.Experiments[1].Error != "boom" {
		t.Errorf("report = %+v", r)
	}
	if got := toReport(galileotest.BackendClient, start, start, nil); got.Backend != report.BackendRemote || got.Experiments == nil {
		t.Errorf("a client backend reports as %q with experiments %v; want remote and an empty list", got.Backend, got.Experiments)
	}
}

func TestWorse(t *testing.T) {
	for _, tc := range []struct{ a, b, want int }{
		{exitOK, exitInfra, exitInfra},
		{exitInfra, exitFailed, exitFailed},
		{exitFailed, exitBadInput, exitBadInput},
		{exitBadInput, exitInfra, exitBadInput},
		{exitFailed, exitOK, exitFailed},
	} {
		if got := worse(tc.a, tc.b); got != tc.want {
			t.Errorf("worse(%d, %d) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestFlagSet_Parse(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		operands []string
		v        bool
		n        int
	}{
		{[]string{"a", "-v", "b", "--n", "3"}, []string{"a", "b"}, true, 3},
		{[]string{"-n=2", "a"}, []string{"a"}, false, 2},
		{[]string{"a", "--", "-v", "b"}, []string{"a", "-v", "b"}, false, 0},
		{nil, nil, false, 0},
	} {
		fs := newFlagSet("x", "", "", "")
		v := fs.Bool("v", false, "")
		n := fs.Int("n", 0, "")
		ops, _, ok := fs.parse(newEnv(nil, nil, nil, func(string) string { return "" }), tc.args)
		if !ok || strings.Join(ops, " ") != strings.Join(tc.operands, " ") || *v != tc.v || *n != tc.n {
			t.Errorf("parse(%q) = %q, -v %v, -n %d; want %q, %v, %d", tc.args, ops, *v, *n, tc.operands, tc.v, tc.n)
		}
	}
}
