package galileotest

import (
	"context"
	"fmt"
	"math"

	"github.com/galileo-community/galileo-go/assert/stats"
	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/report"
)

// Calibration is what reruns of an unchanged experiment tell about the
// noise of its metrics: how much a metric moves from run to run and the
// smallest change the experiment's rows can detect.
type Calibration struct {
	Experiment string
	Runs       int // runs that completed
	Rows       int // distinct dataset rows
	Metrics    []MetricCalibration
	// Reports are the runs' reports, in order.
	Reports []*report.Experiment
}

// MetricCalibration is the noise of one metric's average over the runs.
type MetricCalibration struct {
	Metric string
	// Unit is the display unit of the values (report.UnitNanoseconds for
	// latency, report.UnitDollars for cost, else report.UnitNone).
	Unit string
	// Means are the metric's average in each run; SpreadSD their standard
	// deviation (the run-to-run spread), Min and Max their range.
	Means              []float64
	SpreadSD, Min, Max float64
	// HalfWidth is the half-width of one run's confidence interval of the
	// average at Level: how close to a threshold an average can be and
	// still be decided.
	HalfWidth, Level float64
	// DetectableDrop is the smallest drop of the average that a paired
	// comparison with a baseline on the same rows detects at Level with
	// 80% power, from the spread of the per-row differences between runs:
	// (z(1-alpha/2) + z(0.8))·sd(d)/sqrt(rows). 0 when reruns score every
	// row the same (a deterministic judge).
	DetectableDrop float64
}

// Calibrate runs x runs times (at least 2), unchanged, and measures the
// run-to-run noise of each metric's average. Each run is an ordinary run
// (a new experiment, judged and kept in the Runner's report); a run that
// does not complete is an error.
func (r *Runner) Calibrate(ctx context.Context, x Experiment, runs int) (*Calibration, error) {
	if runs < 2 {
		return nil, inputErr((*fixtures.Experiment)(&x), "runs", "calibrating needs at least 2 runs, got %d", runs)
	}
	cal := &Calibration{Experiment: x.Name}
	for i := range runs {
		rep, err := r.Run(ctx, x)
		if err != nil {
			return nil, fmt.Errorf("calibration run %d of %d: %w", i+1, runs, err)
		}
		cal.Reports = append(cal.Reports, rep)
	}
	cal.Runs = len(cal.Reports)
	level := x.Confidence
	if level <= 0 {
		level = report.DisplayLevel
	}
	for _, m := range cal.Reports[0].Metrics {
		if mc, rows, ok := calibrateMetric(m.Name, cal.Reports, level); ok {
			cal.Metrics = append(cal.Metrics, mc)
			cal.Rows = max(cal.Rows, rows)
		}
	}
	return cal, nil
}

// calibrateMetric measures one metric over the runs' row-level scores.
func calibrateMetric(name string, reps []*report.Experiment, level float64) (MetricCalibration, int, bool) {
	mc := MetricCalibration{Metric: name, Level: level, Min: math.Inf(1), Max: math.Inf(-1)}
	if m := reps[0].Metric(name); m != nil {
		mc.Unit = m.Unit()
	}
	var perRun []map[string]float64
	var order []string
	for _, rep := range reps {
		m := rep.Metric(name)
		if m == nil || len(m.RowValues) == 0 || len(m.RowKeys) != len(m.RowValues) {
			return mc, 0, false
		}
		means, _, err := stats.RowMeans(m.RowValues, m.RowKeys)
		if err != nil {
			return mc, 0, false
		}
		byKey := map[string]float64{}
		seen := map[string]bool{}
		var keys []string
		for _, k := range m.RowKeys {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
		sum := 0.0
		for i, k := range keys {
			byKey[k] = means[i]
			sum += means[i]
		}
		avg := sum / float64(len(keys))
		mc.Means = append(mc.Means, avg)
		mc.Min, mc.Max = math.Min(mc.Min, avg), math.Max(mc.Max, avg)
		perRun = append(perRun, byKey)
		if order == nil {
			order = keys
		}
	}
	_, mc.SpreadSD = stats.MeanSD(mc.Means)
	if iv, err := stats.MeanInterval(reps[0].Metric(name).RowValues, reps[0].Metric(name).RowKeys, level); err == nil {
		mc.HalfWidth = (iv.High - iv.Low) / 2
	}
	// Per-row differences between consecutive runs.
	var d []float64
	for i := 1; i < len(perRun); i++ {
		for _, k := range order {
			a, okA := perRun[i][k]
			b, okB := perRun[i-1][k]
			if okA && okB {
				d = append(d, a-b)
			}
		}
	}
	if n := len(order); n > 0 && len(d) > 1 {
		z := stats.NormalQuantile(1-(1-level)/2) + stats.NormalQuantile(0.8)
		_, sdD := stats.MeanSD(d)
		mc.DetectableDrop = z * sdD / math.Sqrt(float64(n))
	}
	return mc, len(order), true
}
