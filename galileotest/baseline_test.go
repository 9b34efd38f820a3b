package galileotest

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/galileo-community/galileo-go/emulator"
	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/report"
)

// rightExcept answers every row right but those whose index i has
// i%10 in wrong.
func rightExcept(wrong ...int) Func {
	return func(ctx context.Context, row Row) (string, error) {
		i, _ := strconv.Atoi(strings.TrimPrefix(row.Input, "question "))
		for _, w := range wrong {
			if i%10 == w {
				return "unknown", nil
			}
		}
		return row.GroundTruth, nil
	}
}

func TestRun_baseline(t *testing.T) {
	t.Parallel()
	_, c := newEmulator(t, emulator.Options{ScoringDelay: -1})
	rows := rightRows(100)
	tryRun := func(name string, fn Func, x Experiment) (*report.Experiment, error) {
		t.Helper()
		r, err := NewRunner(WithClient(c), WithFunc("answer", fn))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		x.Name, x.Dataset, x.Function, x.Metrics, x.Concurrency = name, DatasetRows(rows...), "answer", []string{"correctness"}, 16
		x.Naming = fixtures.Naming{Strategy: fixtures.NamingRerun}
		return r.Run(t.Context(), x)
	}
	run := func(name string, fn Func, x Experiment) *report.Experiment {
		t.Helper()
		rep, err := tryRun(name, fn, x)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return rep
	}
	// The baseline: 90 of 100 rows right.
	run("main", rightExcept(0), Experiment{Expect: []fixtures.Expectation{{Metric: "correctness", Expr: "count >= 1"}}})
	against := Experiment{Baseline: &fixtures.Baseline{Experiment: "main"}, Confidence: 0.95,
		Expect: []fixtures.Expectation{{Metric: "correctness", Expr: "avg >= baseline - 0.02"}}}

	same := run("same", rightExcept(0), against)
	th := same.Thresholds[0]
	if same.Status != report.StatusPassed || th.Verdict != report.VerdictPassed {
		t.Errorf("identical run: %s %s", same.Status, th.Explanation)
	}
	if b := th.Baseline; b == nil || b.Experiment != "main" || b.MatchedRows != 100 || b.Value != 0.9 || b.Difference != 0 {
		t.Errorf("identical run: baseline %+v", th.Baseline)
	}

	drop := run("drop", rightExcept(0, 1), against)
	th = drop.Thresholds[0]
	if drop.Status != report.StatusFailed || th.Verdict != report.VerdictFailed ||
		!strings.Contains(th.Explanation, "correctness avg = 0.8 vs baseline 0.9 (main, 100 matched rows): difference -0.1 [") {
		t.Errorf("10-point drop: %s %s %q", drop.Status, th.Verdict, th.Explanation)
	}

	// The committed form: a snapshot written as a report file is the same
	// baseline.
	r, err := NewRunner(WithClient(c))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	snap, err := r.Snapshot(t.Context(), "main", "")
	if err != nil {
		t.Fatal(err)
	}
	if m := snap.Metric("correctness"); m == nil || len(m.RowValues) != 100 || len(m.RowKeys) != 100 {
		t.Fatalf("snapshot metric: %+v", snap.Metric("correctness"))
	}
	dir := t.TempDir()
	if err := report.WriteFile(filepath.Join(dir, "main.json"), report.FormatJSON, &report.Report{Backend: report.BackendEmulator, Experiments: []report.Experiment{*snap}}); err != nil {
		t.Fatal(err)
	}
	fromFile := against
	fromFile.File = filepath.Join(dir, "bot.yaml")
	fromFile.Baseline = &fixtures.Baseline{File: "main.json"}
	drop = run("drop-file", rightExcept(0, 1), fromFile)
	if th := drop.Thresholds[0]; th.Verdict != report.VerdictFailed || th.Baseline == nil || th.Baseline.File != "main.json" || th.Baseline.MatchedRows != 100 {
		t.Errorf("file baseline: %s %+v", th.Verdict, th.Baseline)
	}

	// The newest passed run of a tag.
	byTag := against
	byTag.Baseline = &fixtures.Baseline{Tag: "suite=verdicts", Status: report.StatusPassed}
	byTag.Tags = map[string]string{"suite": "verdicts"}
	first, err := tryRun("tagged", rightExcept(0), byTag)
	if !errors.Is(err, fixtures.ErrInvalid) || first.Status != report.StatusError || !strings.Contains(first.Error, "no experiment of project galileotest carries the tag suite=verdicts and galileotest_status=passed") {
		t.Errorf("no tagged baseline yet: %s %q", first.Status, first.Error)
	}
	plain := byTag
	plain.Baseline, plain.Confidence = nil, 0
	plain.Expect = []fixtures.Expectation{{Metric: "correctness", Expr: "count >= 1"}}
	run("tagged-main", rightExcept(0), plain)
	if got := run("tagged-drop", rightExcept(0, 1), byTag); got.Thresholds[0].Baseline == nil || got.Thresholds[0].Baseline.Experiment != "tagged-main" {
		t.Errorf("tag baseline: %+v", got.Thresholds)
	}
}

func TestRun_baselineTooFewMatchedRows(t *testing.T) {
	_, c := newEmulator(t, emulator.Options{ScoringDelay: -1})
	r, err := NewRunner(WithClient(c), WithFunc("answer", rightExcept()))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	base := Experiment{Name: "other-rows", Dataset: DatasetRows(rightRows(3)...), Function: "answer", Metrics: []string{"correctness"},
		Naming: fixtures.Naming{Strategy: fixtures.NamingRerun}, Expect: []fixtures.Expectation{{Metric: "correctness", Expr: "count >= 1"}}}
	if _, err := r.Run(t.Context(), base); err != nil {
		t.Fatal(err)
	}
	x := Experiment{Name: "more-rows", Dataset: DatasetRows(rightRows(10)...), Function: "answer", Metrics: []string{"correctness"},
		Baseline: &fixtures.Baseline{Experiment: "other-rows"},
		Expect:   []fixtures.Expectation{{Metric: "correctness", Expr: "avg >= baseline - 0.02"}}}
	rep, err := r.Run(t.Context(), x)
	want := "only 3 of this experiment's 10 rows match rows of baseline other-rows"
	if !errors.Is(err, fixtures.ErrInvalid) || !strings.Contains(err.Error(), want) || rep.Status != report.StatusError {
		t.Errorf("err %v, status %s; want an input error containing %q", err, rep.Status, want)
	}
}
