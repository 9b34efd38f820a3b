package report

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/galileo-community/galileo-go/assert"
	"github.com/galileo-community/galileo-go/assert/stats"
)

// DisplayLevel is the confidence level of the interval a report shows
// beside a point-estimate verdict (an experiment without a confidence
// level).
const DisplayLevel = 0.95

// Verdict evaluates a threshold against the experiment's metric of the
// same name and returns the verdict, without adding it. Its Interval is
// the statistic's confidence interval (avg, pNN, rate) from the metric's
// row values, at the experiment's Confidence, or at DisplayLevel when that
// is 0. With a Confidence the verdict is three-way: passed when the whole
// interval meets the threshold, failed when none of it does, inconclusive
// otherwise, and an inconclusive verdict passes, fails or is skipped as
// OnInconclusive says; statistics without an interval (min, max, sum,
// count) and == or != keep the point comparison. Without a Confidence the
// verdict compares the point estimate, as the server's aggregates give it.
func (e *Experiment) Verdict(th assert.Threshold) Threshold {
	if _, ok := th.Baseline(); ok {
		return e.baselineVerdict(th)
	}
	m := e.Metric(th.Metric)
	var agg assert.Aggregates
	if m != nil {
		agg = m
	}
	t := NewThreshold(th.Evaluate(agg))
	t.Explanation = e.repeatedRows(t.Explanation, t.Rows)
	t.Verdict = VerdictFailed
	if t.Pass {
		t.Verdict = VerdictPassed
	}
	if m == nil || t.Actual == nil {
		return t
	}
	level := e.Confidence
	if level <= 0 {
		level = DisplayLevel
	}
	iv, err := intervalOf(th, m, *t.Actual, level)
	if err == nil {
		t.Interval = reportInterval(iv)
	}
	if e.Confidence <= 0 || !hasInterval(th) || !th.Convex() {
		return t // the point estimate decides; the interval is only shown
	}
	if err != nil {
		// Asked for confidence, but the rows cannot give an interval.
		t.Verdict, t.Pass = VerdictInconclusive, false
		t.Explanation += fmt.Sprintf(": inconclusive: no %s interval (%v)", percent(level), unwrapStats(err))
		e.applyInconclusive(&t)
		return t
	}
	inLow, inHigh := th.Holds(iv.Low), th.Holds(iv.High)
	switch {
	case inLow && inHigh:
		t.Verdict, t.Pass = VerdictPassed, true
	case !inLow && !inHigh && !straddles(th, iv):
		t.Verdict, t.Pass = VerdictFailed, false
	default:
		t.Verdict, t.Pass = VerdictInconclusive, false
	}
	t.Explanation = withInterval(t.Explanation, th, iv)
	if t.Verdict == VerdictInconclusive {
		t.Explanation += ": inconclusive, the interval contains " + boundsText(th)
		if n := rowsToDecide(th, iv); n > 0 {
			t.RowsToDecide = n
			t.Explanation += fmt.Sprintf("; about %d rows would decide it", n)
		}
		e.applyInconclusive(&t)
	}
	return t
}

// repeatedRows rewrites the trace count of an explanation, "(15 rows)",
// as rows and repeats, "(5 rows × 3 repeats)", when every row ran several
// times: the statistics count rows, so "15 rows" would overstate the
// evidence.
func (e *Experiment) repeatedRows(expl string, traces int64) string {
	r := int64(e.Repeats)
	if r <= 1 || traces == 0 || traces%r != 0 {
		return expl
	}
	return strings.Replace(expl, fmt.Sprintf("(%d rows)", traces), fmt.Sprintf("(%d rows × %d repeats)", traces/r, r), 1)
}

// applyInconclusive turns an inconclusive verdict into a pass, a failure
// or a skip, as the experiment's OnInconclusive says.
func (e *Experiment) applyInconclusive(t *Threshold) {
	switch e.OnInconclusive {
	case OnInconclusivePass:
		t.Pass = true
	case OnInconclusiveSkip:
		t.Pass, t.Skipped = true, true
	default:
		t.Pass = false
	}
}

// hasInterval reports whether a statistic gets a confidence interval.
func hasInterval(th assert.Threshold) bool {
	s := th.Stat()
	_, isQ := th.Quantile()
	return s == "avg" || isQ || strings.HasPrefix(s, "rate(")
}

// intervalOf computes the interval of th's statistic from m: Wilson for a
// rate, for the average of 0/1 scores (over the row means when rows
// repeat) and for scores in [0, 1] that all agree (where a t interval
// would have no width); the t interval (clustered by row when rows repeat)
// for other averages; and the order-statistic interval for percentiles.
func intervalOf(th assert.Threshold, m *Metric, actual, level float64) (stats.Interval, error) {
	stat := th.Stat()
	keys := m.RowKeys
	if len(keys) != len(m.RowValues) {
		keys = nil
	}
	switch q, isQ := th.Quantile(); {
	case strings.HasPrefix(stat, "rate("):
		total := distributionTotal(m.Distribution())
		if total <= 0 {
			return stats.Interval{}, errors.New("no value distribution")
		}
		return stats.Wilson(math.Round(actual*float64(total)), float64(total), level)
	case isQ:
		if len(m.RowValues) == 0 {
			return stats.Interval{}, errors.New("no row-level scores")
		}
		return stats.QuantileInterval(m.RowValues, q, level)
	case stat == "avg":
		if len(m.RowValues) == 0 {
			if k, n, ok := binaryCounts(m.Distribution()); ok {
				return stats.Wilson(k, n, level)
			}
			return stats.Interval{}, errors.New("no row-level scores")
		}
		means, _, err := stats.RowMeans(m.RowValues, keys)
		if err != nil {
			return stats.Interval{}, err
		}
		if _, sd := stats.MeanSD(means); stats.IsBinary(m.RowValues) || (sd == 0 && inUnit(means)) {
			// 0/1 scores (averaged within a row when rows repeat), or scores
			// in [0, 1] that all agree, where a t interval would have no
			// width: the Wilson interval of the row means.
			k := 0.0
			for _, v := range means {
				k += v
			}
			return stats.Wilson(min(k, float64(len(means))), float64(len(means)), level)
		}
		return stats.MeanInterval(m.RowValues, keys, level)
	}
	return stats.Interval{}, fmt.Errorf("%s has no interval", stat)
}

// inUnit reports whether every value lies in [0, 1].
func inUnit(xs []float64) bool {
	for _, x := range xs {
		if !(x >= 0 && x <= 1) {
			return false
		}
	}
	return len(xs) > 0
}

// binaryCounts reads k ones out of n from a distribution whose only keys
// are 0 and 1.
func binaryCounts(d map[string]int64) (k, n float64, ok bool) {
	for key, c := range d {
		v, err := strconv.ParseFloat(strings.TrimSpace(key), 64)
		if err != nil || (v != 0 && v != 1) {
			return 0, 0, false
		}
		n += float64(c)
		if v == 1 {
			k += float64(c)
		}
	}
	return k, n, n > 0
}

func distributionTotal(d map[string]int64) int64 {
	var n int64
	for _, c := range d {
		n += c
	}
	return n
}

// straddles reports whether an interval whose ends both miss the
// threshold still contains one of its bounds: a range threshold lying
// inside the interval.
func straddles(th assert.Threshold, iv stats.Interval) bool {
	for _, b := range thresholdBounds(th) {
		if iv.Low <= b && b <= iv.High {
			return true
		}
	}
	return false
}

// rowsToDecide is about how many rows would take the interval off the
// threshold's nearest bound.
func rowsToDecide(th assert.Threshold, iv stats.Interval) int {
	best := 0
	for _, b := range thresholdBounds(th) {
		if n := stats.RowsToDecide(iv, b); n > 0 && (best == 0 || n < best) {
			best = n
		}
	}
	return best
}

// thresholdBounds are the threshold's values in base units.
func thresholdBounds(th assert.Threshold) []float64 {
	bounds, _, err := parseBounds(th.String(), th.Stat())
	if err != nil {
		return nil
	}
	out := make([]float64, len(bounds))
	for i, b := range bounds {
		out[i] = b.Value
	}
	return out
}

// boundsText is the threshold's values as written, e.g. "0.8".
func boundsText(th assert.Threshold) string {
	var parts []string
	for _, b := range thresholdBounds(th) {
		parts = append(parts, th.Format(b))
	}
	return strings.Join(parts, " and ")
}

// withInterval inserts the interval, its level and method after the
// actual value of an explanation ("correctness avg = 0.85, want ..."):
// "0.85 [0.64, 0.95] (95% wilson)".
func withInterval(expl string, th assert.Threshold, iv stats.Interval) string {
	text := " " + intervalText(th, iv) + fmt.Sprintf(" (%s %s)", percent(iv.Level), iv.Method)
	before, after, ok := strings.Cut(expl, ", want ")
	if !ok {
		return expl
	}
	return before + text + ", want " + after
}

// intervalText renders "[0.64, 0.95]", with "-inf"/"+inf" for open ends.
func intervalText(th assert.Threshold, iv stats.Interval) string {
	return "[" + th.Format(iv.Low) + ", " + th.Format(iv.High) + "]"
}

// percent renders a level, 0.95 as "95%".
func percent(level float64) string {
	return strconv.FormatFloat(level*100, 'f', -1, 64) + "%"
}

// reportInterval converts an interval of package stats, leaving infinite
// ends out.
func reportInterval(iv stats.Interval) *Interval {
	out := &Interval{Level: iv.Level, Method: iv.Method}
	if !math.IsInf(iv.Low, 0) {
		v := iv.Low
		out.Low = &v
	}
	if !math.IsInf(iv.High, 0) {
		v := iv.High
		out.High = &v
	}
	return out
}

// unwrapStats drops the package prefix of an error of package stats.
func unwrapStats(err error) string {
	return strings.TrimPrefix(err.Error(), "stats: ")
}

// ThresholdStatus is the status the experiment's thresholds give it:
// StatusFailed when one failed, else StatusInconclusive when one was
// inconclusive and did not pass, else StatusPassed.
func (e *Experiment) ThresholdStatus() string {
	status := StatusPassed
	for _, t := range e.Thresholds {
		switch {
		case t.Pass:
		case t.Verdict == VerdictInconclusive:
			status = StatusInconclusive
		default:
			return StatusFailed
		}
	}
	return status
}
