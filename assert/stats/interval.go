package stats

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Methods, the values of Interval.Method.
const (
	MethodWilson     = "wilson"          // Wilson score interval of a share
	MethodT          = "t"               // Student t interval of a mean
	MethodClusteredT = "t-clustered"     // t interval of per-row means (rows repeated)
	MethodPairedT    = "paired-t"        // t interval of per-row differences
	MethodOrderStat  = "order-statistic" // distribution-free interval of a percentile
)

// Interval is a two-sided confidence interval. An end that the data
// cannot bound (a percentile's interval with too few rows) is infinite.
type Interval struct {
	Low, High float64
	// Level is the confidence level, e.g. 0.95.
	Level float64
	// Method is one of the Method constants.
	Method string
	// N is the number of independent units behind the interval: rows
	// (clusters when rows repeat), or pairs for a paired difference.
	N int
	// Estimate is the point estimate the interval is around: the share,
	// the mean, the percentile or the mean difference.
	Estimate float64
	// SD is the standard deviation of a unit (of a 0/1 outcome for a
	// share, of the row means for a mean, of the differences for a paired
	// difference); 0 for a percentile.
	SD float64
}

// ErrTooFew is returned (wrapped) when there are too few values for the
// method: none at all, or one for a t interval.
var ErrTooFew = errors.New("too few rows")

func checkLevel(level float64) error {
	if !(level > 0 && level < 1) {
		return fmt.Errorf("stats: confidence level %v is not between 0 and 1", level)
	}
	return nil
}

func checkValues(values []float64) error {
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("stats: value %d is %v", i, v)
		}
	}
	return nil
}

// Wilson returns the Wilson score interval of the share k/n at the given
// level. k may be fractional (a share of repeated rows); 0 ≤ k ≤ n and
// n > 0 are required.
func Wilson(k, n, level float64) (Interval, error) {
	if err := checkLevel(level); err != nil {
		return Interval{}, err
	}
	switch {
	case math.IsNaN(k) || math.IsNaN(n) || math.IsInf(n, 0) || math.IsInf(k, 0):
		return Interval{}, fmt.Errorf("stats: Wilson(%v, %v): not a finite count", k, n)
	case n <= 0:
		return Interval{}, fmt.Errorf("stats: no rows: %w", ErrTooFew)
	case k < 0 || k > n:
		return Interval{}, fmt.Errorf("stats: Wilson(%v, %v): successes outside 0..n", k, n)
	}
	z := NormalQuantile(1 - (1-level)/2)
	p := k / n
	z2 := z * z
	den := 1 + z2/n
	centre := (p + z2/(2*n)) / den
	half := z * math.Sqrt(p*(1-p)/n+z2/(4*n*n)) / den
	lo, hi := max(centre-half, 0), min(centre+half, 1)
	if k == 0 {
		lo = 0
	}
	if k == n {
		hi = 1
	}
	return Interval{Low: lo, High: hi, Level: level, Method: MethodWilson, N: int(math.Round(n)), Estimate: p, SD: math.Sqrt(p * (1 - p))}, nil
}

// RuleOfThree returns the upper end of the one-sided interval for a share
// when none of n rows failed: -ln(1-level)/n, about 3/n at 95%. It returns
// NaN for n ≤ 0 or a level outside (0, 1).
func RuleOfThree(n int, level float64) float64 {
	if n <= 0 || checkLevel(level) != nil {
		return math.NaN()
	}
	return -math.Log(1-level) / float64(n)
}

// MeanInterval returns the t interval of the mean of values. When rows is
// not nil it names the row of each value (same length); values of one row
// are averaged first and the interval is over the row means (method
// t-clustered when some row has more than one value). The estimate is the
// mean of the row means.
func MeanInterval(values []float64, rows []string, level float64) (Interval, error) {
	if err := checkLevel(level); err != nil {
		return Interval{}, err
	}
	if err := checkValues(values); err != nil {
		return Interval{}, err
	}
	means, clustered, err := RowMeans(values, rows)
	if err != nil {
		return Interval{}, err
	}
	iv, err := tInterval(means, level)
	if clustered {
		iv.Method = MethodClusteredT
	}
	return iv, err
}

// RowMeans averages the values of each row, in the order rows first
// appear; clustered reports whether some row has more than one value. A
// nil rows treats every value as its own row.
func RowMeans(values []float64, rows []string) (means []float64, clustered bool, err error) {
	if rows == nil {
		return slices.Clone(values), false, nil
	}
	if len(rows) != len(values) {
		return nil, false, fmt.Errorf("stats: %d values but %d row keys", len(values), len(rows))
	}
	idx := map[string]int{}
	var sums, counts []float64
	for i, r := range rows {
		j, ok := idx[r]
		if !ok {
			j = len(sums)
			idx[r] = j
			sums, counts = append(sums, 0), append(counts, 0)
		}
		sums[j] += values[i]
		counts[j]++
		clustered = clustered || ok
	}
	means = make([]float64, len(sums))
	for j := range sums {
		means[j] = sums[j] / counts[j]
	}
	return means, clustered, nil
}

// tInterval is the t interval of the mean of independent values.
func tInterval(xs []float64, level float64) (Interval, error) {
	n := len(xs)
	if n < 2 {
		return Interval{}, fmt.Errorf("stats: a t interval needs at least 2 rows, got %d: %w", n, ErrTooFew)
	}
	mean, sd := MeanSD(xs)
	half := TQuantile(1-(1-level)/2, float64(n-1)) * sd / math.Sqrt(float64(n))
	if math.IsNaN(half) || math.IsInf(half, 0) || math.IsInf(mean, 0) {
		return Interval{}, fmt.Errorf("stats: values too large for a t interval")
	}
	return Interval{Low: mean - half, High: mean + half, Level: level, Method: MethodT, N: n, Estimate: mean, SD: sd}, nil
}

// MeanSD returns the mean and the sample standard deviation (n-1 in the
// denominator; 0 for fewer than two values) of xs; 0, 0 for none.
func MeanSD(xs []float64) (mean, sd float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	if len(xs) > 1 {
		sd = math.Sqrt(ss / float64(len(xs)-1))
	}
	return mean, sd
}

// PairedInterval returns the t interval of the mean difference a[i]-b[i]
// of paired values (the same row in two runs).
func PairedInterval(a, b []float64, level float64) (Interval, error) {
	if err := checkLevel(level); err != nil {
		return Interval{}, err
	}
	if len(a) != len(b) {
		return Interval{}, fmt.Errorf("stats: %d values paired with %d", len(a), len(b))
	}
	if err := errors.Join(checkValues(a), checkValues(b)); err != nil {
		return Interval{}, err
	}
	d := make([]float64, len(a))
	for i := range a {
		d[i] = a[i] - b[i]
	}
	iv, err := tInterval(d, level)
	iv.Method = MethodPairedT
	return iv, err
}

// IsBinary reports whether every value is 0 or 1 (and there is one).
func IsBinary(values []float64) bool {
	for _, v := range values {
		if v != 0 && v != 1 {
			return false
		}
	}
	return len(values) > 0
}

// QuantileInterval returns the distribution-free interval of the q-quantile
// (0 < q < 1, e.g. 0.95 for p95) of values: two order statistics chosen
// with the binomial distribution. An end that n values cannot bound at
// this level is infinite. Estimate is the nearest-rank quantile.
func QuantileInterval(values []float64, q, level float64) (Interval, error) {
	if err := checkLevel(level); err != nil {
		return Interval{}, err
	}
	if !(q > 0 && q < 1) {
		return Interval{}, fmt.Errorf("stats: quantile %v is not between 0 and 1", q)
	}
	if err := checkValues(values); err != nil {
		return Interval{}, err
	}
	n := len(values)
	if n == 0 {
		return Interval{}, fmt.Errorf("stats: no rows: %w", ErrTooFew)
	}
	xs := slices.Clone(values)
	slices.Sort(xs)
	lo, hi := OrderRanks(n, q, level)
	iv := Interval{Low: math.Inf(-1), High: math.Inf(1), Level: level, Method: MethodOrderStat, N: n}
	if lo >= 1 {
		iv.Low = xs[lo-1]
	}
	if hi <= n {
		iv.High = xs[hi-1]
	}
	rank := max(int(math.Ceil(q*float64(n))), 1)
	iv.Estimate = xs[rank-1]
	return iv, nil
}

// OrderRanks returns the 1-based ranks l and u of the order statistics
// that bound the q-quantile of n values at the level: l is 0 when no rank
// bounds it from below, u is n+1 when none bounds it from above.
func OrderRanks(n int, q, level float64) (l, u int) {
	alpha := (1 - level) / 2
	// P(X ≤ l-1) ≤ alpha, l as large as possible.
	for l = n; l >= 1; l-- {
		if BinomialCDF(l-1, n, q) <= alpha {
			break
		}
	}
	// P(X ≥ u) = 1 - P(X ≤ u-1) ≤ alpha, u as small as possible.
	for u = 1; u <= n; u++ {
		if 1-BinomialCDF(u-1, n, q) <= alpha {
			break
		}
	}
	return l, u
}

// RowsToDecide estimates how many rows (units) would make an interval with
// the same estimate and spread exclude the threshold value c: z²·sd²/(e-c)².
// When every unit agrees on a share of 1 or 0, it solves the Wilson
// bound n/(n+z²) > c instead (c·z²/(1-c) rows). It returns 0 when the
// interval already excludes c, and -1 when the estimate equals c (no
// number of rows decides it) or the spread is unknown.
func RowsToDecide(iv Interval, c float64) int {
	if c < iv.Low || c > iv.High {
		return 0
	}
	gap := math.Abs(iv.Estimate - c)
	if gap == 0 || math.IsNaN(iv.SD) || iv.Method == MethodOrderStat {
		return -1
	}
	z := NormalQuantile(1 - (1-iv.Level)/2)
	if iv.SD == 0 {
		// Every unit agrees. For a share of 1 (or 0) the Wilson bound is
		// n/(n+z²) (or z²/(n+z²)), which passes c once n > c·z²/(1-c)
		// (or n > (1-c)·z²/c): the rule of three, at any level. A mean
		// with no spread says nothing about the spread to come.
		if iv.Method != MethodWilson || (iv.Estimate != 0 && iv.Estimate != 1) || c <= 0 || c >= 1 {
			return -1
		}
		need := c * z * z / (1 - c)
		if iv.Estimate == 0 {
			need = (1 - c) * z * z / c
		}
		return max(int(math.Floor(need))+1, iv.N+1)
	}
	need := math.Ceil(z * z * iv.SD * iv.SD / (gap * gap))
	if need > 1e9 {
		return -1
	}
	return max(int(need), iv.N+1)
}
