package assert

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// Aggregates is what a threshold reads: one metric's statistics as the
// server reported them. The client's wire type, *galileo.MetricAggregates,
// implements it (so do the report's metrics, which embed it); there is no
// second copy of the numbers here.
type Aggregates interface {
	// Stat returns a statistic by name (avg, sum, min, max, count, p50,
	// p90, p95, p99) and whether the server reported it.
	Stat(name string) (float64, bool)
	// Distribution maps each discrete value to the number of rows that
	// have it, e.g. {"0": 2, "1": 8} for a boolean metric; nil when not
	// reported.
	Distribution() map[string]int64
}

// Result is the outcome of evaluating one threshold.
type Result struct {
	Threshold Threshold
	// Pass reports whether the statistic was reported and met the threshold.
	Pass bool
	// Actual is the statistic in base units (nanoseconds for latency,
	// dollars for cost, a fraction 0..1 for rate), or nil when the server
	// did not report it.
	Actual *float64
	// Rows is the number of rows behind the statistic: Count when reported,
	// else the total of ValueDistribution, else 0.
	Rows int64
	// Explanation is one line naming the metric, statistic, actual value,
	// threshold and rows; see the package documentation for its forms.
	Explanation string
}

// Evaluate tests the threshold against a metric's aggregates. A statistic
// the server did not report fails with an explanation saying so, and so
// does a threshold that refers to a baseline (use AgainstBaseline first).
//
// rate(v) is the number of rows whose value is v divided by the total of
// all counts in ValueDistribution (not by Count, which may lag behind or
// count rows without a discrete value). When v is a number, every
// distribution key with the same numeric value counts, so rate(1) also
// finds a key written "1.0". An absent or all-zero distribution means the
// rate is not reported; a distribution without v gives a rate of 0.
func (t Threshold) Evaluate(a Aggregates) Result {
	r := Result{Threshold: t}
	rows, rowsKnown := rowsOf(a)
	if rowsKnown {
		r.Rows = rows
	}
	suffix := ""
	switch {
	case !rowsKnown:
	case rows == 1:
		suffix = " (1 row)"
	default:
		suffix = fmt.Sprintf(" (%d rows)", rows)
	}
	if t.stat == "" {
		r.Explanation = strings.TrimPrefix(t.Metric+": invalid threshold (the zero Threshold; use Parse)", ": ")
		return r
	}
	x, ok := t.actual(a)
	if !ok {
		r.Explanation = fmt.Sprintf("%s %s not reported, want %s%s", t.Metric, t.Stat(), t.condition(), suffix)
		return r
	}
	r.Actual = &x
	r.Pass = t.holds(x) && !t.baseline
	r.Explanation = fmt.Sprintf("%s %s = %s, want %s%s", t.Metric, t.Stat(), t.display(x), t.condition(), suffix)
	if t.baseline {
		r.Explanation += ": no baseline to compare with"
	}
	return r
}

// rowsOf returns the number of rows the aggregates describe.
func rowsOf(a Aggregates) (int64, bool) {
	if isNil(a) {
		return 0, false
	}
	if n, ok := a.Stat(statCount); ok {
		return int64(n), true
	}
	if n := distributionTotal(a.Distribution()); n > 0 {
		return n, true
	}
	return 0, false
}

// isNil reports whether a holds nothing: a nil interface or a nil pointer
// in it (a metric the server did not report).
func isNil(a Aggregates) bool {
	if a == nil {
		return true
	}
	v := reflect.ValueOf(a)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

func distributionTotal(d map[string]int64) int64 {
	var n int64
	for _, c := range d {
		n += c
	}
	return n
}

// actual picks the statistic out of a, in base units.
func (t Threshold) actual(a Aggregates) (float64, bool) {
	if isNil(a) {
		return 0, false
	}
	if t.stat == statRate {
		return rate(a.Distribution(), t.key)
	}
	return a.Stat(t.stat)
}

// rate returns the share of rows in d whose value is key.
func rate(d map[string]int64, key string) (float64, bool) {
	total := distributionTotal(d)
	if total <= 0 {
		return 0, false
	}
	var hits int64
	if isNumberText(key) {
		want, err := strconv.ParseFloat(key, 64)
		if err != nil {
			return 0, false
		}
		for k, c := range d {
			if v, err := strconv.ParseFloat(strings.TrimSpace(k), 64); err == nil && v == want {
				hits += c
			}
		}
	} else {
		hits = d[key]
	}
	return float64(hits) / float64(total), true
}

// display renders an actual value, in base units, the way a person reads
// it: durations with a unit, cost with $, a percentage when the threshold
// is written with %. It uses four significant digits (all of the integer
// part) and more where needed so that the rendered value compares with
// every bound of the threshold as the actual value does.
func (t Threshold) display(x float64) string {
	var render func(prec int) (string, float64)
	kind := kindOf(metricClassOf(t.Metric), t.stat)
	switch {
	case kind == kindDuration:
		unit, scale := durationUnit(x)
		render = func(prec int) (string, float64) {
			v := roundSig(x/scale, prec)
			return formatNumber(v) + unit, v * scale
		}
	case kind == kindCost:
		render = func(prec int) (string, float64) {
			v := roundSig(x, prec)
			return "$" + formatNumber(v), v
		}
	case kind == kindFraction && t.usesPercent():
		render = func(prec int) (string, float64) {
			v := roundSig(x*100, prec)
			return formatNumber(v) + unitPercent, v / 100
		}
	default:
		render = func(prec int) (string, float64) {
			v := roundSig(x, prec)
			return formatNumber(v), v
		}
	}
	bounds := t.bounds()
	for prec := 4; prec < 17; prec++ {
		s, back := render(prec)
		if sameSide(x, back, bounds) {
			return s
		}
	}
	s, _ := render(17)
	return s
}

// durationUnit picks the unit for showing a duration of ns nanoseconds.
func durationUnit(ns float64) (string, float64) {
	switch a := math.Abs(ns); {
	case a < 1e3:
		return "ns", 1
	case a < 1e6:
		return "us", 1e3
	case a < 1e9:
		return "ms", 1e6
	case a < 60e9:
		return "s", 1e9
	}
	return "m", 60e9
}

// roundSig rounds v to prec significant digits, or to an integer when its
// integer part has more digits than that.
func roundSig(v float64, prec int) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	if d := int(math.Floor(math.Log10(math.Abs(v)))) + 1; d > prec {
		prec = min(d, 17)
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', prec, 64), 64)
	if err != nil {
		return v
	}
	return r
}

// sameSide reports whether x and y relate to every bound in the same way
// (below, equal or above).
func sameSide(x, y float64, bounds []float64) bool {
	for _, b := range bounds {
		if (x < b) != (y < b) || (x == b) != (y == b) {
			return false
		}
	}
	return true
}
