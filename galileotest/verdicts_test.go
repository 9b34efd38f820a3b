package galileotest

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/galileo-community/galileo-go/emulator"
	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/report"
)

// rightRows returns n rows whose answer is "answer<i>"; rightAnswers
// answers the first k of them right and the rest wrong, so correctness
// scores k rows 1 and n-k rows 0.
func rightRows(n int) []Row {
	rows := make([]Row, n)
	for i := range rows {
		rows[i] = Row{Input: fmt.Sprintf("question %d", i), GroundTruth: fmt.Sprintf("answer%d", i)}
	}
	return rows
}

func rightAnswers(k int) Func {
	return func(ctx context.Context, row Row) (string, error) {
		i, _ := strconv.Atoi(strings.TrimPrefix(row.Input, "question "))
		if i < k {
			return row.GroundTruth, nil
		}
		return "unknown", nil
	}
}

// runReport runs x on a fresh emulator and returns the experiment as the
// JSON report has it.
func runReport(t *testing.T, x Experiment, opts ...Option) *report.Experiment {
	t.Helper()
	return runReportOn(t, emulator.Options{ScoringDelay: -1}, x, opts...)
}

// runReportOn is runReport on an emulator with the given options.
func runReportOn(t *testing.T, eo emulator.Options, x Experiment, opts ...Option) *report.Experiment {
	t.Helper()
	_, c := newEmulator(t, eo)
	r, err := NewRunner(append([]Option{WithClient(c)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Run(t.Context(), x); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, r.Report()); err != nil {
		t.Fatal(err)
	}
	rep, err := report.ReadJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return &rep.Experiments[0]
}

func TestRun_confidenceVerdicts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		k, n    int
		verdict string
		status  string
		low     float64
		high    float64
	}{
		{17, 20, report.VerdictInconclusive, report.StatusInconclusive, 0.6396, 0.9476},
		{340, 400, report.VerdictPassed, report.StatusPassed, 0.8117, 0.8817},
		{300, 400, report.VerdictFailed, report.StatusFailed, 0.7053, 0.7899},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d_of_%d", tc.k, tc.n), func(t *testing.T) {
			x := Experiment{
				Name: "confidence", Dataset: DatasetRows(rightRows(tc.n)...), Function: "answer",
				Metrics: []string{"correctness"}, Confidence: 0.95, Concurrency: 16,
				Expect: []fixtures.Expectation{{Metric: "correctness", Expr: "avg >= 0.8"}},
			}
			e := runReport(t, x, WithFunc("answer", rightAnswers(tc.k)))
			th := e.Thresholds[0]
			if e.Status != tc.status || th.Verdict != tc.verdict {
				t.Fatalf("status %s verdict %s (%s); want %s %s", e.Status, th.Verdict, th.Explanation, tc.status, tc.verdict)
			}
			iv := th.Interval
			if iv == nil || iv.Low == nil || iv.High == nil || iv.Method != "wilson" || iv.Level != 0.95 {
				t.Fatalf("interval %+v", iv)
			}
			if d := *iv.Low - tc.low; d > 1e-4 || d < -1e-4 {
				t.Errorf("low %v, want %v", *iv.Low, tc.low)
			}
			if d := *iv.High - tc.high; d > 1e-4 || d < -1e-4 {
				t.Errorf("high %v, want %v", *iv.High, tc.high)
			}
			if m := e.Metric("correctness"); m == nil || len(m.RowValues) != tc.n || len(m.RowKeys) != tc.n {
				t.Errorf("row-level scores: %+v", m)
			}
			if tc.verdict == report.VerdictInconclusive && !strings.Contains(th.Explanation, "about 196 rows would decide it") {
				t.Errorf("explanation %q", th.Explanation)
			}
		})
	}
}

func TestRun_onInconclusiveAndOption(t *testing.T) {
	x := Experiment{
		Name: "lenient", Dataset: DatasetRows(rightRows(20)...), Function: "answer",
		Metrics: []string{"correctness"},
		Expect:  []fixtures.Expectation{{Metric: "correctness", Expr: "avg >= 0.8"}},
	}
	// The option sets confidence and on_inconclusive for the experiment.
	e := runReport(t, x, WithFunc("answer", rightAnswers(17)), WithConfidence(0.95, fixtures.OnInconclusiveSkip))
	th := e.Thresholds[0]
	if e.Status != report.StatusPassed || th.Verdict != report.VerdictInconclusive || !th.Skipped || e.Confidence != 0.95 {
		t.Errorf("status %s verdict %s skipped %v confidence %v", e.Status, th.Verdict, th.Skipped, e.Confidence)
	}
	// Without confidence the point estimate decides; the interval is shown.
	e = runReport(t, x, WithFunc("answer", rightAnswers(17)))
	th = e.Thresholds[0]
	if e.Status != report.StatusPassed || th.Verdict != report.VerdictPassed || th.Interval == nil {
		t.Errorf("point estimate: status %s verdict %s interval %+v", e.Status, th.Verdict, th.Interval)
	}
}

func TestRun_judgeNoise(t *testing.T) {
	x := Experiment{
		Name: "noisy", Dataset: DatasetRows(rightRows(40)...), Function: "answer",
		Metrics: []string{"correctness", "bleu"},
		Expect:  []fixtures.Expectation{{Metric: "correctness", Expr: "count >= 1"}},
	}
	e := runReportOn(t, emulator.Options{ScoringDelay: -1, JudgeNoise: 0.2, Seed: 7}, x, WithFunc("answer", rightAnswers(40)))
	corr, bleu := e.Metric("correctness"), e.Metric("bleu")
	// Every answer is right: a deterministic judge gives 1 everywhere; the
	// noisy one pulls some rows below 1. BLEU is a formula: no noise.
	below := 0
	for _, v := range corr.RowValues {
		if v < 1 {
			below++
		}
	}
	if len(corr.RowValues) != 40 || below < 5 {
		t.Errorf("correctness rows %v: %d below 1, want noise on many", corr.RowValues, below)
	}
	for _, v := range bleu.RowValues {
		if v != bleu.RowValues[0] {
			t.Errorf("bleu varies without noise: %v", bleu.RowValues)
			break
		}
	}
}

func TestRun_repeats(t *testing.T) {
	var calls atomic.Int64
	// Rows 0..7 are answered right every time; rows 8 and 9 right on the
	// first call only, so their repeats disagree.
	seen := sync.Map{}
	answer := func(ctx context.Context, row Row) (string, error) {
		calls.Add(1)
		i, _ := strconv.Atoi(strings.TrimPrefix(row.Input, "question "))
		if row.Metadata[RepeatKey] == "" {
			return "", fmt.Errorf("row %d has no repeat index", i)
		}
		if _, again := seen.LoadOrStore(row.Input, true); again && i >= 8 {
			return "unknown", nil
		}
		return row.GroundTruth, nil
	}
	x := Experiment{
		Name: "repeated", Dataset: DatasetRows(rightRows(10)...), Function: "answer", Repeats: 3,
		Metrics: []string{"correctness"}, Confidence: 0.95, Concurrency: 1,
		Expect: []fixtures.Expectation{{Metric: "correctness", Expr: "avg >= 0.5"}},
	}
	e := runReport(t, x, WithFunc("answer", answer))
	if calls.Load() != 30 || e.Rows != 30 || e.Repeats != 3 {
		t.Fatalf("calls %d rows %d repeats %d; want 30 traces of 10 rows × 3", calls.Load(), e.Rows, e.Repeats)
	}
	m := e.Metric("correctness")
	if len(m.RowValues) != 30 || len(m.RowKeys) != 30 {
		t.Fatalf("row values %d keys %d, want 30", len(m.RowValues), len(m.RowKeys))
	}
	c := m.Consistency
	if c == nil || c.Rows != 10 || c.Consistent != 8 || len(c.Flakiest) != 2 {
		t.Fatalf("consistency %+v; want 8 of 10 rows consistent, 2 flaky", c)
	}
	for _, f := range c.Flakiest {
		if len(f.Values) != 3 || !strings.HasPrefix(f.Input, "question ") {
			t.Errorf("flaky row %+v", f)
		}
	}
	th := e.Thresholds[0]
	// Scores are averaged within a row first: the interval is over 10 rows
	// (Wilson, the scores being 0 or 1).
	if th.Interval == nil || th.Interval.Method != "wilson" || th.Verdict != report.VerdictPassed {
		t.Errorf("threshold %+v", th)
	}
	var md bytes.Buffer
	if err := report.WriteMarkdown(&md, &report.Report{Experiments: []report.Experiment{*e}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "correctness: 8 of 10 rows agree in every repeat; flakiest:") {
		t.Errorf("Markdown lacks the consistency:\n%s", md.String())
	}
}

func TestRunner_Calibrate(t *testing.T) {
	x := Experiment{
		Name: "calibrated", Dataset: DatasetRows(rightRows(40)...), Function: "answer", Concurrency: 8,
		Metrics: []string{"correctness"}, Expect: []fixtures.Expectation{{Metric: "correctness", Expr: "count >= 1"}},
	}
	for _, tc := range []struct {
		noise float64
		moves bool
	}{{0, false}, {0.2, true}} {
		_, c := newEmulator(t, emulator.Options{ScoringDelay: -1, JudgeNoise: tc.noise, Seed: 11})
		r, err := NewRunner(WithClient(c), WithFunc("answer", rightAnswers(30)))
		if err != nil {
			t.Fatal(err)
		}
		cal, err := r.Calibrate(t.Context(), x, 3)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if cal.Runs != 3 || cal.Rows != 40 || len(cal.Metrics) == 0 || cal.Metrics[0].Metric != "correctness" {
			t.Fatalf("noise %v: %+v", tc.noise, cal)
		}
		m := cal.Metrics[0]
		if moves := m.SpreadSD > 0 && m.DetectableDrop > 0; moves != tc.moves || m.HalfWidth <= 0 {
			t.Errorf("noise %v: spread %v, detectable drop %v, half-width %v", tc.noise, m.SpreadSD, m.DetectableDrop, m.HalfWidth)
		}
	}
}

func TestRun_repeatsPrompt(t *testing.T) {
	x := Experiment{
		Name: "echo-repeated", Repeats: 2,
		Dataset: DatasetRows(Row{Input: "Paris", GroundTruth: "Paris"}, Row{Input: "Rome", GroundTruth: "Rome"}, Row{Input: "Oslo", GroundTruth: "Oslo"}),
		Prompt:  &fixtures.Prompt{Messages: []fixtures.Message{{Role: "user", Content: "{{input}}"}}, Model: "echo"},
		Metrics: []string{"correctness"},
		Expect:  []fixtures.Expectation{{Metric: "correctness", Expr: "avg >= 0.9"}},
	}
	e := runReport(t, x)
	m := e.Metric("correctness")
	if e.Rows != 6 || m == nil || len(m.RowValues) != 6 || m.Consistency == nil || m.Consistency.Rows != 3 || m.Consistency.Consistent != 3 {
		t.Fatalf("rows %d, metric %+v", e.Rows, m)
	}
	// A stored dataset cannot be repeated by a prompt run.
	x.Dataset = fixtures.Dataset{Name: "stored"}
	r, err := NewRunner(WithEmulatorOptions(emulator.Options{ScoringDelay: -1}))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Run(t.Context(), x); err == nil || !strings.Contains(err.Error(), "repeats: a prompt run repeats the rows of an inline or file dataset only") {
		t.Errorf("stored dataset: %v", err)
	}
}
