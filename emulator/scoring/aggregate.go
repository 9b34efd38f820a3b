package scoring

import (
	"math"
	"slices"
	"strconv"

	"github.com/galileo-community/galileo-go/galileo"
)

// Aggregate computes the statistics of one metric over the rows that were
// scored.
//
//   - NaN and infinite values are skipped (they are not counted; JSON cannot
//     carry them).
//   - Numeric: count, sum, avg, min, max and the percentiles p50, p90, p95 and
//     p99; value_distribution is nil.
//   - Boolean: every value is first read as 1 when non-zero and 0 otherwise;
//     then the numeric statistics (so avg is the share of 1s) plus
//     value_distribution {"0": n0, "1": n1} (both keys always present).
//   - Categorical: count and value_distribution only, keyed by the value
//     formatted with strconv.FormatFloat(v, 'f', -1, 64) (category index 2
//     gives "2"); averages of category indices mean nothing, so avg, sum,
//     min, max and the percentiles are nil. [Scorer.Aggregate] keys the
//     distribution by category label instead.
//   - No values: count 0 and every other field nil.
//
// Percentiles use the nearest-rank method on the sorted values: the p-th
// percentile is the smallest value v such that at least p% of the values are
// <= v, i.e. sorted[ceil(p/100 * n) - 1]. It is always an observed value.
// The sum uses compensated (Neumaier) summation. The input slice is not
// modified.
func Aggregate(values []float64, kind Kind) galileo.MetricAggregates {
	vs := make([]float64, 0, len(values))
	for _, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		if kind == Boolean {
			if v != 0 {
				v = 1
			} else {
				v = 0
			}
		}
		vs = append(vs, v)
	}
	count := int64(len(vs))
	agg := galileo.MetricAggregates{Count: &count}
	if count == 0 {
		return agg
	}
	if kind == Categorical {
		agg.ValueDistribution = map[string]int64{}
		for _, v := range vs {
			agg.ValueDistribution[strconv.FormatFloat(v, 'f', -1, 64)]++
		}
		return agg
	}
	slices.Sort(vs)
	sum := neumaierSum(vs)
	avg := sum / float64(count)
	agg.Sum, agg.Avg = &sum, &avg
	agg.Min, agg.Max = ptr(vs[0]), ptr(vs[len(vs)-1])
	agg.P50 = ptr(nearestRank(vs, 50))
	agg.P90 = ptr(nearestRank(vs, 90))
	agg.P95 = ptr(nearestRank(vs, 95))
	agg.P99 = ptr(nearestRank(vs, 99))
	if kind == Boolean {
		ones := int64(sum)
		agg.ValueDistribution = map[string]int64{"0": count - ones, "1": ones}
	}
	return agg
}

// nearestRank returns the p-th percentile of the sorted, non-empty values.
func nearestRank(sorted []float64, p int) float64 {
	n := len(sorted)
	// ceil(p*n/100) in integers, so that 95% of 20 is exactly 19.
	rank := (p*n + 99) / 100
	rank = max(1, min(n, rank))
	return sorted[rank-1]
}

// neumaierSum adds vs with Neumaier's compensated summation.
func neumaierSum(vs []float64) float64 {
	sum, comp := 0.0, 0.0
	for _, v := range vs {
		t := sum + v
		if math.Abs(sum) >= math.Abs(v) {
			comp += (sum - t) + v
		} else {
			comp += (v - t) + sum
		}
		sum = t
	}
	return sum + comp
}

func ptr[T any](v T) *T { return &v }
