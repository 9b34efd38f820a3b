package galileo

import (
	"context"
	"slices"
)

// recount is the per-metric scoring status of every record of an
// experiment, by aggregate key.
type recount struct {
	Traces int // records seen
	Status map[string]MetricStatus
	// Values holds the numeric value of every record that has one, and
	// Dist the count of every other (categorical) value: aggregates the
	// server does not publish (token counts; every metric when structured
	// aggregates are off) are computed from them.
	Values map[string][]float64
	Dist   map[string]map[string]int64
}

// done is the smallest number of rows any metric has settled (scored, not
// applicable, failed to score, or of a failed trace).
func (rc *recount) done(ms []ResolvedMetric) int64 {
	n := int64(-1)
	for _, m := range ms {
		s := rc.Status[m.Key]
		if d := int64(s.Success + s.NotApplicable + s.Errors + s.FailedRows); n < 0 || d < n {
			n = d
		}
	}
	return max(n, 0)
}

// recountRecords reads every trace of an experiment and counts, per
// metric, the rows by scoring status. Scorer metrics are found in each
// record's metric_info under any of the metric's names (and the
// metric_key_alias of its experiment column); system metrics in its
// metrics.
func (c *Client) recountRecords(ctx context.Context, projectID, experimentID string, ms []ResolvedMetric) (*recount, error) {
	names := map[string][]string{}
	scorers := false
	for _, m := range ms {
		names[m.Key] = m.Names
		scorers = scorers || !m.System()
	}
	if scorers {
		if cols, err := c.Experiments.AvailableColumns(ctx, projectID); err == nil {
			for _, m := range ms {
				if col := cols.Get("metrics/" + m.Key); col != nil && col.MetricKeyAlias != nil {
					names[m.Key] = append(slices.Clip(names[m.Key]), *col.MetricKeyAlias)
				}
			}
		}
	}
	rc := &recount{Status: map[string]MetricStatus{}, Values: map[string][]float64{}, Dist: map[string]map[string]int64{}}
	eid := experimentID
	for rec, err := range c.Records.All(ctx, projectID, RecordTrace, LogRecordsQueryRequest{ExperimentID: &eid, Limit: 500, Filters: []Filter{}}) {
		if err != nil {
			return nil, err
		}
		rc.Traces++
		failed := rec.StatusCode != nil && *rec.StatusCode >= 400
		for _, m := range ms {
			rc.count(m, names[m.Key], &rec, failed)
		}
		for _, k := range systemMetrics {
			if _, asked := rc.Status[k]; !asked {
				if v, ok := rec.Metrics[k].(float64); ok {
					rc.Values[k] = append(rc.Values[k], v)
				}
			}
		}
	}
	return rc, nil
}

// systemMetrics are the system metrics every record carries, by key.
var systemMetrics = []string{MetricCost, MetricDuration, MetricInputTokens, MetricOutputTokens, MetricTotalTokens}

// count adds one record's status for metric m, found under names.
func (rc *recount) count(m ResolvedMetric, names []string, rec *Record, failed bool) {
	ms := rc.Status[m.Key]
	defer func() { rc.Status[m.Key] = ms }()
	if m.System() {
		v, ok := rec.Metrics[m.Key].(float64)
		switch {
		case ok:
			ms.Success++
			rc.Values[m.Key] = append(rc.Values[m.Key], v)
		case failed:
			ms.FailedRows++
		default:
			ms.Pending++
		}
		return
	}
	status, value := rec.MetricValue(names)
	switch status {
	case "success":
		ms.Success++
		rc.addValue(m.Key, value)
	case "not_applicable":
		ms.NotApplicable++
	case "error", "failed":
		ms.Errors++
	default:
		if failed {
			ms.FailedRows++
		} else {
			ms.Pending++
		}
	}
}

// addValue records a scored row's value: a number (a boolean counts as 1
// or 0) for the numeric aggregates, any other scalar for the distribution.
func (rc *recount) addValue(key string, v any) {
	switch x := v.(type) {
	case float64:
		rc.Values[key] = append(rc.Values[key], x)
	case bool:
		n := 0.0
		if x {
			n = 1
		}
		rc.Values[key] = append(rc.Values[key], n)
	case string:
		if rc.Dist[key] == nil {
			rc.Dist[key] = map[string]int64{}
		}
		rc.Dist[key][x]++
	}
}

// aggregateValues computes the statistics of values as the server does
// (count, sum, avg, min, max and nearest-rank percentiles), with dist as
// the value distribution of categorical values.
func aggregateValues(values []float64, dist map[string]int64) MetricAggregates {
	vs := slices.Clone(values)
	slices.Sort(vs)
	n := int64(len(vs))
	agg := MetricAggregates{Count: &n}
	if len(dist) > 0 {
		agg.ValueDistribution = dist
		for _, c := range dist {
			n += c
		}
	}
	if len(vs) == 0 {
		return agg
	}
	var sum float64
	for _, v := range vs {
		sum += v
	}
	avg := sum / float64(len(vs))
	pct := func(p int) *float64 {
		rank := (p*len(vs) + 99) / 100
		v := vs[max(rank, 1)-1]
		return &v
	}
	lo, hi := vs[0], vs[len(vs)-1]
	agg.Sum, agg.Avg, agg.Min, agg.Max = &sum, &avg, &lo, &hi
	agg.P50, agg.P90, agg.P95, agg.P99 = pct(50), pct(90), pct(95), pct(99)
	return agg
}
