package galileo

// Stat returns one statistic of the aggregates by name: avg, sum, min,
// max, count, p50, p90, p95 or p99, and whether the server reported it. A
// nil receiver reports nothing. With Distribution it is what package
// assert evaluates thresholds against, so the wire type is the one home of
// a metric's numbers.
func (a *MetricAggregates) Stat(name string) (float64, bool) {
	if a == nil {
		return 0, false
	}
	var p *float64
	switch name {
	case "avg":
		p = a.Avg
	case "sum":
		p = a.Sum
	case "min":
		p = a.Min
	case "max":
		p = a.Max
	case "p50":
		p = a.P50
	case "p90":
		p = a.P90
	case "p95":
		p = a.P95
	case "p99":
		p = a.P99
	case "count":
		if a.Count == nil {
			return 0, false
		}
		return float64(*a.Count), true
	}
	if p == nil {
		return 0, false
	}
	return *p, true
}

// Distribution returns the value distribution: each discrete value and the
// number of rows that have it; nil for a nil receiver.
func (a *MetricAggregates) Distribution() map[string]int64 {
	if a == nil {
		return nil
	}
	return a.ValueDistribution
}

// Rows is the number of rows behind the aggregates: the count when
// reported, else the total of the value distribution, else 0.
func (a *MetricAggregates) Rows() int64 {
	if a == nil {
		return 0
	}
	if a.Count != nil {
		return *a.Count
	}
	var n int64
	for _, c := range a.ValueDistribution {
		n += c
	}
	return n
}
