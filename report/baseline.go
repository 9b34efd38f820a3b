package report

import (
	"fmt"
	"math"
	"slices"

	"github.com/galileo-community/galileo-go/assert"
	"github.com/galileo-community/galileo-go/assert/stats"
)

// MinMatchedRows is the fewest rows an experiment must share with its
// baseline for a comparison: at least this many, and at least half of
// the experiment's own rows.
const MinMatchedRows = 2

// baselineVerdict judges a threshold that refers to the baseline (e.g.
// "avg >= baseline - 0.02") on the rows the experiment shares with
// e.Against, matched by row key. The baseline's value is its statistic
// over the matched rows. Without a confidence level the experiment's
// statistic over the same rows is compared with it; with one, an average
// is judged on the paired-difference interval (t interval of the per-row
// differences, shifted by the baseline's value), a percentile on its
// order-statistic interval against the baseline's value taken as fixed.
func (e *Experiment) baselineVerdict(th assert.Threshold) Threshold {
	want := th.String()[len(th.Stat())+1:] // ">= baseline - 0.02"
	bounds, pct, _ := parseBounds(th.AgainstBaseline(0).String(), th.Stat())
	t := Threshold{Metric: th.Metric, Stat: th.Stat(), Expr: th.String(), Verdict: VerdictFailed,
		Unit: displayUnit(th.Metric, th.Stat(), pct)}
	fail := func(format string, args ...any) Threshold {
		t.Explanation = fmt.Sprintf("%s %s: want %s: ", th.Metric, th.Stat(), want) + fmt.Sprintf(format, args...)
		return t
	}
	b := e.Against
	if b == nil {
		return fail("the experiment has no baseline (set baseline: {experiment: NAME} or another source)")
	}
	t.Baseline = &Baseline{Experiment: cmpName(b), ID: b.ID, File: e.BaselineFile}
	m, bm := e.Metric(th.Metric), b.Metric(th.Metric)
	switch {
	case m == nil || len(m.RowKeys) == 0 || len(m.RowKeys) != len(m.RowValues):
		return fail("no row-level scores of %s in this experiment to match with the baseline", th.Metric)
	case bm == nil || len(bm.RowKeys) == 0 || len(bm.RowKeys) != len(bm.RowValues):
		return fail("baseline %s has no row-level scores of %s", t.Baseline.Experiment, th.Metric)
	}
	keys, cur, base := matchRows(m, bm)
	rows := len(distinct(m.RowKeys))
	t.Baseline.MatchedRows = len(keys)
	t.Rows = int64(len(keys))
	if len(keys) < MinMatchedRows || 2*len(keys) < rows {
		return fail("only %d of this experiment's %d rows match rows of baseline %s (same input, ground truth and metadata); at least %d and half of them are needed — is it the same dataset?",
			len(keys), rows, t.Baseline.Experiment, max(MinMatchedRows, (rows+1)/2))
	}
	curV, baseV := statOf(th, cur), statOf(th, base)
	resolved := th.AgainstBaseline(baseV)
	t.Bounds = make([]Bound, len(bounds))
	for i, bd := range bounds {
		t.Bounds[i] = Bound{Op: bd.Op, Value: bd.Value + baseV}
	}
	t.Actual = &curV
	t.Baseline.Value, t.Baseline.Difference = baseV, curV-baseV
	t.Pass = resolved.Holds(curV)
	t.Verdict = map[bool]string{true: VerdictPassed, false: VerdictFailed}[t.Pass]
	level := e.Confidence
	if level <= 0 {
		level = DisplayLevel
	}
	iv, ierr := baselineInterval(th, cur, base, baseV, level)
	if ierr == nil {
		t.Interval = reportInterval(iv)
	}
	t.Explanation = fmt.Sprintf("%s %s = %s vs baseline %s (%s, %d matched rows): difference %s",
		th.Metric, th.Stat(), th.Format(curV), th.Format(baseV), t.Baseline.Experiment, len(keys), signed(th, curV-baseV))
	if e.Confidence > 0 {
		switch {
		case ierr != nil:
			t.Verdict, t.Pass = VerdictInconclusive, false
			t.Explanation += fmt.Sprintf(", want %s: inconclusive: no %s interval (%s)", want, percent(level), unwrapStats(ierr))
			e.applyInconclusive(&t)
			return t
		default:
			t.Explanation += fmt.Sprintf(" %s (%s %s)", intervalText(th, shift(iv, -baseV)), percent(level), iv.Method)
			inLow, inHigh := resolved.Holds(iv.Low), resolved.Holds(iv.High)
			switch {
			case inLow && inHigh:
				t.Verdict, t.Pass = VerdictPassed, true
			case !inLow && !inHigh:
				t.Verdict, t.Pass = VerdictFailed, false
			default:
				t.Verdict, t.Pass = VerdictInconclusive, false
			}
		}
	}
	t.Explanation += ", want " + want
	if t.Verdict == VerdictInconclusive {
		t.Explanation += ": inconclusive"
		e.applyInconclusive(&t)
	}
	return t
}

func cmpName(e *Experiment) string {
	if e.RunName != "" {
		return e.RunName
	}
	return e.Name
}

// signed renders a difference with its sign: "+0.02", "-0.1", "+200ms".
func signed(th assert.Threshold, d float64) string {
	if d < 0 {
		return "-" + th.Format(-d)
	}
	return "+" + th.Format(d)
}

// shift moves an interval by d.
func shift(iv stats.Interval, d float64) stats.Interval {
	iv.Low, iv.High, iv.Estimate = iv.Low+d, iv.High+d, iv.Estimate+d
	return iv
}

// matchRows pairs the row means of the rows both metrics scored, in the
// order of m's rows.
func matchRows(m, bm *Metric) (keys []string, cur, base []float64) {
	cm, corder := meansByKey(m)
	bmm, _ := meansByKey(bm)
	for _, k := range corder {
		if bv, ok := bmm[k]; ok {
			keys = append(keys, k)
			cur = append(cur, cm[k])
			base = append(base, bv)
		}
	}
	return keys, cur, base
}

// meansByKey averages a metric's values per row key.
func meansByKey(m *Metric) (map[string]float64, []string) {
	means, _, _ := stats.RowMeans(m.RowValues, m.RowKeys)
	order := distinct(m.RowKeys)
	out := make(map[string]float64, len(order))
	for i, k := range order {
		out[k] = means[i]
	}
	return out, order
}

// distinct lists keys once each, in order of first appearance.
func distinct(keys []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// statOf is the threshold's statistic over row values: the mean, or the
// nearest-rank percentile.
func statOf(th assert.Threshold, xs []float64) float64 {
	if q, ok := th.Quantile(); ok {
		s := slices.Clone(xs)
		slices.Sort(s)
		return s[max(int(math.Ceil(q*float64(len(s)))), 1)-1]
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

// baselineInterval is the interval of the experiment's statistic implied
// by the comparison: baseV plus the paired-difference interval for an
// average; the order-statistic interval of the matched rows for a
// percentile.
func baselineInterval(th assert.Threshold, cur, base []float64, baseV, level float64) (stats.Interval, error) {
	if q, ok := th.Quantile(); ok {
		return stats.QuantileInterval(cur, q, level)
	}
	iv, err := stats.PairedInterval(cur, base, level)
	if err != nil {
		return iv, err
	}
	return shift(iv, baseV), nil
}
