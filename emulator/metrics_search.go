package emulator

import (
	"fmt"
	"net/http"
	"sort"
	"time"
)

// metricsQuery is the body of POST /projects/{project_id}/metrics/search
// (LogRecordsMetricsQueryRequest).
type metricsQuery struct {
	LogStreamID      *string      `json:"log_stream_id"`
	ExperimentID     *string      `json:"experiment_id"`
	MetricsTestingID *string      `json:"metrics_testing_id"`
	Filters          []listFilter `json:"filters"`
	StartTime        *string      `json:"start_time"`
	EndTime          *string      `json:"end_time"`
	Interval         *int         `json:"interval"`
	GroupBy          *string      `json:"group_by"`
}

// maxMetricBuckets bounds the buckets one query may ask for.
const maxMetricBuckets = 10000

// window validates the time window and interval of q and returns the
// start, the end and the bucket width.
func (q *metricsQuery) window() (start, end time.Time, width time.Duration, err error) {
	for _, f := range []struct {
		name string
		v    *string
		t    *time.Time
	}{{"start_time", q.StartTime, &start}, {"end_time", q.EndTime, &end}} {
		if f.v == nil {
			return start, end, 0, missing(f.name)
		}
		t, ok := parseTime(*f.v)
		if !ok {
			return start, end, 0, invalid("datetime_from_date_parsing", "Input should be a valid datetime", f.name)
		}
		*f.t = t
	}
	if end.Before(start) {
		return start, end, 0, invalid("value_error", "Value error, end_time must not be before start_time", "end_time")
	}
	minutes := 5
	if q.Interval != nil {
		minutes = *q.Interval
	}
	if minutes < 1 {
		return start, end, 0, invalid("greater_than_equal", "Input should be greater than or equal to 1", "interval")
	}
	width = time.Duration(minutes) * time.Minute
	if n := end.Sub(start)/width + 1; n > maxMetricBuckets {
		return start, end, 0, invalid("value_error",
			fmt.Sprintf("Value error, %d buckets of %d minutes between start_time and end_time, at most %d are served", n, minutes, maxMetricBuckets), "interval")
	}
	return start, end, width, nil
}

// metricAcc accumulates one metric over a set of traces: the mean of
// numeric values, the count of each text (categorical) value.
type metricAcc struct {
	sum    float64
	n      int
	counts map[string]int
}

func (a *metricAcc) add(v any) {
	if f, ok := toFloat(v); ok {
		a.sum += f
		a.n++
		return
	}
	if s, ok := v.(string); ok {
		if a.counts == nil {
			a.counts = map[string]int{}
		}
		a.counts[s]++
	}
}

// value is the aggregate: the mean, else the category counts, else nil.
func (a *metricAcc) value() any {
	switch {
	case a == nil:
		return nil
	case a.n > 0:
		return a.sum / float64(a.n)
	case len(a.counts) > 0:
		return a.counts
	}
	return nil
}

// metricSet accumulates every metric of a set of traces by key.
type metricSet map[string]*metricAcc

func (m metricSet) add(metrics map[string]any) {
	for k, v := range metrics {
		acc := m[k]
		if acc == nil {
			acc = &metricAcc{}
			m[k] = acc
		}
		acc.add(v)
	}
}

// handleQueryMetrics serves POST /projects/{project_id}/metrics/search: the
// metrics of the traces of a log stream or experiment (the whole project
// without either) created in [start_time, end_time] and matching the
// filters. aggregate_metrics has one entry per metric key the traces carry
// (as in their records' metrics, scorer results included): the mean of
// numeric values, or the count of each value of a text metric.
// bucketed_metrics has, per key, one bucket per interval minutes from
// start_time; a bucket with traces carries "value" (its aggregate) and
// "count". With group_by (a record column), group_by_columns lists the
// column's values and a bucket carries one aggregate per value instead of
// "value".
func (s *Server) handleQueryMetrics(c *call) error {
	var q metricsQuery
	if err := decodeJSON(c.r, &q, false); err != nil {
		return err
	}
	start, end, width, err := q.window()
	if err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	b := searchBody{LogStreamID: q.LogStreamID, ExperimentID: q.ExperimentID, MetricsTestingID: q.MetricsTestingID, Filters: q.Filters}
	items, err := s.selectRecords(c.param("project_id"), &b, "trace")
	if err != nil {
		return err
	}
	nBuckets := int(end.Sub(start)/width) + 1
	total := metricSet{}
	perBucket := make([]map[string]metricSet, nBuckets) // bucket -> group -> metrics
	counts := make([]map[string]int, nBuckets)          // bucket -> metric key -> traces
	groups := map[string]bool{}
	for _, it := range items {
		at := it.n.CreatedAt
		if at.Before(start) || at.After(end) {
			continue
		}
		metrics := s.render(it, false).Metrics
		total.add(metrics)
		group := ""
		if q.GroupBy != nil && *q.GroupBy != "" {
			v, ok := s.value(it, *q.GroupBy)
			if !ok || v == nil {
				continue // no value for the grouping column: in the totals only
			}
			group = fmt.Sprint(v)
			groups[group] = true
		}
		i := int(at.Sub(start) / width)
		if perBucket[i] == nil {
			perBucket[i], counts[i] = map[string]metricSet{}, map[string]int{}
		}
		if perBucket[i][group] == nil {
			perBucket[i][group] = metricSet{}
		}
		perBucket[i][group].add(metrics)
		for k := range metrics {
			counts[i][k]++
		}
	}
	out := struct {
		GroupByColumns   []string                    `json:"group_by_columns"`
		AggregateMetrics map[string]any              `json:"aggregate_metrics"`
		BucketedMetrics  map[string][]map[string]any `json:"bucketed_metrics"`
		EMSCapturedError bool                        `json:"ems_captured_error"`
	}{GroupByColumns: sortedKeys(groups), AggregateMetrics: map[string]any{}, BucketedMetrics: map[string][]map[string]any{}}
	keys := make([]string, 0, len(total))
	for k, acc := range total {
		if v := acc.value(); v != nil {
			out.AggregateMetrics[k] = v
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		buckets := make([]map[string]any, nBuckets)
		for i := range buckets {
			from := start.Add(time.Duration(i) * width)
			bk := map[string]any{"start_bucket_time": rfc(from.Truncate(time.Microsecond)), "end_bucket_time": rfc(from.Add(width).Truncate(time.Microsecond))}
			for group, set := range perBucket[i] {
				v := set[k].value()
				if v == nil {
					continue
				}
				if q.GroupBy != nil && *q.GroupBy != "" {
					bk[group] = v
				} else {
					bk["value"], bk["count"] = v, counts[i][k]
				}
			}
			buckets[i] = bk
		}
		out.BucketedMetrics[k] = buckets
	}
	if out.GroupByColumns == nil {
		out.GroupByColumns = []string{}
	}
	return c.json(http.StatusOK, out)
}
