package report

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/galileo-community/galileo-go/assert"
	"github.com/galileo-community/galileo-go/galileo"
)

// binaryMetric is a metric with k of n rows scored 1, the rest 0.
func binaryMetric(name string, k, n int) Metric {
	vals := make([]float64, n)
	for i := range k {
		vals[i] = 1
	}
	avg, cnt := float64(k)/float64(n), int64(n)
	return Metric{Name: name, MetricAggregates: galileo.MetricAggregates{Avg: &avg, Count: &cnt}, RowValues: vals}
}

func TestExperiment_Verdict_confidence(t *testing.T) {
	tests := []struct {
		k, n     int
		on       string
		verdict  string
		pass     bool
		contains string
	}{
		{17, 20, "", VerdictInconclusive, false, "0.85 [0.6396, 0.9476] (95% wilson), want >= 0.8 (20 rows): inconclusive, the interval contains 0.8; about 196 rows would decide it"},
		{17, 20, OnInconclusivePass, VerdictInconclusive, true, "inconclusive"},
		{340, 400, "", VerdictPassed, true, "0.85 [0.8117, 0.8817] (95% wilson)"},
		{300, 400, "", VerdictFailed, false, "0.75 [0.7053, 0.7899]"},
	}
	for _, tc := range tests {
		e := &Experiment{Name: "x", Status: StatusPassed, Confidence: 0.95, OnInconclusive: tc.on, Metrics: []Metric{binaryMetric("correctness", tc.k, tc.n)}}
		got := e.Verdict(assert.MustParse("correctness", "avg >= 0.8"))
		if got.Verdict != tc.verdict || got.Pass != tc.pass || !strings.Contains(got.Explanation, tc.contains) {
			t.Errorf("%d/%d on %q: verdict %s pass %v %q; want %s %v containing %q", tc.k, tc.n, tc.on, got.Verdict, got.Pass, got.Explanation, tc.verdict, tc.pass, tc.contains)
		}
		if got.Interval == nil || got.Interval.Method != "wilson" || got.Interval.Level != 0.95 {
			t.Errorf("%d/%d: interval %+v", tc.k, tc.n, got.Interval)
		}
		e.AddThreshold(got)
		want := map[string]string{VerdictPassed: StatusPassed, VerdictFailed: StatusFailed, VerdictInconclusive: StatusInconclusive}[tc.verdict]
		if tc.pass {
			want = StatusPassed
		}
		if e.Status != want || e.ThresholdStatus() != want {
			t.Errorf("%d/%d on %q: status %s (thresholds say %s), want %s", tc.k, tc.n, tc.on, e.Status, e.ThresholdStatus(), want)
		}
	}
}

func TestExperiment_Verdict_pointEstimate(t *testing.T) {
	// Without a confidence level the point estimate decides, and the
	// interval is still shown.
	e := &Experiment{Name: "x", Status: StatusPassed, Metrics: []Metric{binaryMetric("correctness", 17, 20)}}
	got := e.Verdict(assert.MustParse("correctness", "avg >= 0.8"))
	if got.Verdict != VerdictPassed || !got.Pass || got.Interval == nil || got.Explanation != "correctness avg = 0.85, want >= 0.8 (20 rows)" {
		t.Errorf("got %+v", got)
	}
}

func TestExperiment_Verdict_skipAndPercentile(t *testing.T) {
	m := binaryMetric("latency", 0, 20)
	for i := range m.RowValues {
		m.RowValues[i] = float64(i+1) * 1e8 // 0.1s .. 2s
	}
	p95 := 1.9e9
	m.P95 = &p95
	e := &Experiment{Name: "x", Status: StatusPassed, Confidence: 0.95, OnInconclusive: OnInconclusiveSkip, Metrics: []Metric{m}}
	got := e.Verdict(assert.MustParse("latency", "p95 <= 3s"))
	// 20 rows cannot bound p95 from above at 95%.
	if got.Verdict != VerdictInconclusive || !got.Skipped || !got.Pass || got.Interval.High != nil {
		t.Errorf("got %+v", got)
	}
	if !strings.Contains(got.Explanation, "+inf]") {
		t.Errorf("explanation %q", got.Explanation)
	}
	// A range threshold inside the interval is inconclusive, not failed.
	e = &Experiment{Name: "x", Status: StatusPassed, Confidence: 0.95, Metrics: []Metric{binaryMetric("c", 10, 20)}}
	if got := e.Verdict(assert.MustParse("c", "0.45 <= avg <= 0.55")); got.Verdict != VerdictInconclusive {
		t.Errorf("range inside the interval: %s %q", got.Verdict, got.Explanation)
	}
}

// FuzzExperiment_Verdict checks that any row values, NaN and infinities
// included, give a verdict that names one of the three outcomes and a
// report that JSON can hold or an error that says why.
func FuzzExperiment_Verdict(f *testing.F) {
	f.Add(17, 20, 0.95, 0.8, 1.0)
	f.Add(0, 0, 0.5, 0.0, 0.0)
	f.Add(3, 2, 0.999, -1.0, math.NaN())
	f.Add(1, 1, 1.5, math.Inf(1), math.Inf(-1))
	f.Fuzz(func(t *testing.T, k, n int, level, cut, odd float64) {
		if n < 0 || n > 500 || k < 0 {
			return
		}
		m := binaryMetric("c", min(k, n), max(n, 1))
		m.RowValues = append(m.RowValues, odd)
		m.RowKeys = nil
		e := &Experiment{Name: "x", Status: StatusPassed, Confidence: level, Metrics: []Metric{m}}
		th, err := assert.Parse("c", "avg >= "+strconv.FormatFloat(cut, 'g', -1, 64))
		if err != nil {
			return
		}
		v := e.Verdict(th)
		switch v.Verdict {
		case VerdictPassed, VerdictFailed, VerdictInconclusive:
		default:
			t.Fatalf("verdict %q", v.Verdict)
		}
		e.AddThreshold(v)
		var buf bytes.Buffer
		_ = WriteJSON(&buf, &Report{Experiments: []Experiment{*e}}) // an error names a non-finite value
	})
}

func TestExperiment_Verdict_methods(t *testing.T) {
	flat := Metric{Name: "c", RowValues: []float64{0.7, 0.7, 0.7, 0.7}}
	spread := Metric{Name: "d", RowValues: []float64{0.2, 0.4, 0.6, 0.8, 0.3, 0.5}, RowKeys: []string{"a", "a", "b", "b", "c", "c"}}
	for _, m := range []*Metric{&flat, &spread} {
		avg := 0.5
		m.Avg = &avg
	}
	e := &Experiment{Name: "x", Status: StatusPassed, Confidence: 0.95, Metrics: []Metric{flat, spread}}
	// Scores that all agree get a Wilson interval, never one of no width.
	if got := e.Verdict(assert.MustParse("c", "avg >= 0.5")); got.Interval == nil || got.Interval.Method != "wilson" || *got.Interval.High-*got.Interval.Low < 0.1 {
		t.Errorf("flat: %+v", got.Interval)
	}
	// Repeated continuous scores: the t interval over the row means.
	if got := e.Verdict(assert.MustParse("d", "avg >= 0.5")); got.Interval == nil || got.Interval.Method != "t-clustered" || got.Verdict != VerdictInconclusive {
		t.Errorf("clustered: %+v %s", got.Interval, got.Verdict)
	}
}

// With repeats the explanation counts rows and repeats, with or without a
// confidence level: the trace count would overstate the evidence.
func TestExperiment_Verdict_repeatedRows(t *testing.T) {
	for _, conf := range []float64{0, 0.95} {
		e := &Experiment{Name: "x", Status: StatusPassed, Confidence: conf, Repeats: 3, Metrics: []Metric{binaryMetric("correctness", 15, 15)}}
		got := e.Verdict(assert.MustParse("correctness", "avg >= 0.5"))
		if !strings.Contains(got.Explanation, "want >= 0.5 (5 rows × 3 repeats)") || got.Rows != 15 {
			t.Errorf("confidence %v: %q (rows %d), want 5 rows × 3 repeats over 15 traces", conf, got.Explanation, got.Rows)
		}
	}
	e := &Experiment{Name: "x", Status: StatusPassed, Metrics: []Metric{binaryMetric("correctness", 15, 15)}}
	if got := e.Verdict(assert.MustParse("correctness", "avg >= 0.5")); !strings.Contains(got.Explanation, "(15 rows)") {
		t.Errorf("without repeats: %q", got.Explanation)
	}
}
