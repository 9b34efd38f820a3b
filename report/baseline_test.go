package report

import (
	"fmt"
	"strings"
	"testing"

	"github.com/galileo-community/galileo-go/assert"
)

// keyed is a binary metric of n rows with keys r0..r(n-1), right on the
// rows for which right(i) holds.
func keyed(name string, n int, right func(int) bool) Metric {
	m := Metric{Name: name}
	for i := range n {
		v := 0.0
		if right(i) {
			v = 1
		}
		m.RowValues = append(m.RowValues, v)
		m.RowKeys = append(m.RowKeys, fmt.Sprintf("r%d", i))
	}
	return m
}

func TestExperiment_Verdict_baseline(t *testing.T) {
	base := &Experiment{Name: "main", RunName: "bot-main", ID: "b1", Metrics: []Metric{keyed("correctness", 100, func(i int) bool { return i%10 != 0 })}} // 0.9
	th := assert.MustParse("correctness", "avg >= baseline - 0.02")
	tests := []struct {
		name       string
		confidence float64
		right      func(int) bool
		verdict    string
		contains   string
	}{
		{"identical, point", 0, func(i int) bool { return i%10 != 0 }, VerdictPassed, "correctness avg = 0.9 vs baseline 0.9 (bot-main, 100 matched rows): difference +0, want >= baseline - 0.02"},
		{"identical, 95%", 0.95, func(i int) bool { return i%10 != 0 }, VerdictPassed, "difference +0 [0, 0] (95% paired-t)"},
		{"10-point drop, point", 0, func(i int) bool { return i%10 != 0 && i%10 != 1 }, VerdictFailed, "difference -0.1, want >= baseline - 0.02"},
		{"10-point drop, 95%", 0.95, func(i int) bool { return i%10 != 0 && i%10 != 1 }, VerdictFailed, "difference -0.1 [-0.1598, -0.04017] (95% paired-t)"},
	}
	for _, tc := range tests {
		e := &Experiment{Name: "bot", Status: StatusPassed, Confidence: tc.confidence, Against: base, Metrics: []Metric{keyed("correctness", 100, tc.right)}}
		got := e.Verdict(th)
		if got.Verdict != tc.verdict || !strings.Contains(got.Explanation, tc.contains) {
			t.Errorf("%s: %s %q; want %s containing %q", tc.name, got.Verdict, got.Explanation, tc.verdict, tc.contains)
		}
		if b := got.Baseline; b == nil || b.Experiment != "bot-main" || b.ID != "b1" || b.MatchedRows != 100 || b.Value != 0.9 {
			t.Errorf("%s: baseline %+v", tc.name, got.Baseline)
		}
	}
}

func TestExperiment_Verdict_baselineErrors(t *testing.T) {
	th := assert.MustParse("correctness", "avg >= baseline - 0.02")
	e := &Experiment{Name: "bot", Status: StatusPassed, Metrics: []Metric{keyed("correctness", 10, func(int) bool { return true })}}
	if got := e.Verdict(th); got.Pass || !strings.Contains(got.Explanation, "the experiment has no baseline") {
		t.Errorf("no baseline: %+v", got)
	}
	other := keyed("correctness", 10, func(int) bool { return true })
	for i := range other.RowKeys {
		other.RowKeys[i] = fmt.Sprintf("x%d", i)
	}
	other.RowKeys[0] = "r0"
	e.Against = &Experiment{Name: "old", Metrics: []Metric{other}}
	got := e.Verdict(th)
	want := "correctness avg: want >= baseline - 0.02: only 1 of this experiment's 10 rows match rows of baseline old (same input, ground truth and metadata); at least 5 and half of them are needed — is it the same dataset?"
	if got.Pass || got.Explanation != want {
		t.Errorf("too few matched rows:\n got %q\nwant %q", got.Explanation, want)
	}
}
