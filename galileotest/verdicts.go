package galileotest

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/galileo-community/galileo-go/assert"
	"github.com/galileo-community/galileo-go/galileo"
	"github.com/galileo-community/galileo-go/report"
)

// erroredVerdict checks the errored rows against the allowance.
func erroredVerdict(rep *report.Experiment) report.Threshold {
	n, allowed := rep.ErroredRows, rep.AllowedErroredRows
	actual := float64(n)
	v := report.Threshold{
		Metric: report.ErroredRowsMetric,
		Expr:   fmt.Sprintf("count <= %d", allowed),
		Stat:   "count",
		Bounds: []report.Bound{{Op: "<=", Value: float64(allowed)}},
		Pass:   n <= allowed,
		Actual: &actual,
		Rows:   int64(rep.Rows),
	}
	v.Explanation = fmt.Sprintf("%d of %d rows errored, want <= %d", n, rep.Rows, allowed)
	if !v.Pass {
		v.Explanation += " (raise allow.errored_rows to accept failing rows)"
	}
	return v
}

// unscoredVerdict checks a settled metric's unscored rows (rows neither
// scored nor not applicable, nor errored rows left unscored) against the allowance. It
// returns false when they are within it.
func unscoredVerdict(rep *report.Experiment, m report.Metric, failedRows int) (report.Threshold, bool) {
	unscored := int64(rep.Rows) - m.Scored - m.NotApplicable - int64(failedRows)
	allowed := int64(rep.AllowedUnscoredRows)
	if unscored <= allowed {
		return report.Threshold{}, false
	}
	actual := float64(unscored)
	return report.Threshold{
		Metric: m.Name,
		Expr:   fmt.Sprintf("unscored_rows <= %d", allowed),
		Stat:   report.UnscoredRowsStat,
		Bounds: []report.Bound{{Op: "<=", Value: float64(allowed)}},
		Actual: &actual,
		Rows:   int64(rep.Rows),
		Explanation: fmt.Sprintf("%s: %d of %d rows unscored (%d scorer errors, %d not applicable), want <= %d (raise allow.unscored_rows to accept unscored rows)",
			m.Name, unscored, rep.Rows, m.ScorerErrors, m.NotApplicable, allowed),
	}, true
}

// recountRecords reads every trace of an experiment and counts, per metric,
// the rows by scoring status. Scorer metrics are found in each record's
// metric_info under the scorer's metric_key_alias (from the experiment
// columns), name or id; system metrics in its metrics.
func recountRecords(ctx context.Context, c *galileo.Client, projectID, experimentID string, keys []metricKey, scorers []galileo.Scorer) (*recount, error) {
	names := map[string][]string{} // aggregate key -> names metric_info may use
	for _, s := range scorers {
		names[s.ID] = []string{s.ID, s.Name}
		if s.MetricName != nil {
			names[s.ID] = append(names[s.ID], *s.MetricName)
		}
	}
	if len(scorers) > 0 {
		cols, err := c.Experiments.AvailableColumns(ctx, projectID)
		if err == nil {
			for _, s := range scorers {
				if col := cols.Get("metrics/" + s.ID); col != nil && col.MetricKeyAlias != nil {
					names[s.ID] = append(names[s.ID], *col.MetricKeyAlias)
				}
			}
		}
	}
	rc := &recount{Status: map[string]metricStatus{}, Values: map[string][]float64{}, Dist: map[string]map[string]int64{}}
	eid := experimentID
	for rec, err := range c.Records.All(ctx, projectID, galileo.RecordTrace, galileo.LogRecordsQueryRequest{ExperimentID: &eid, Limit: 500, Filters: []galileo.Filter{}}) {
		if err != nil {
			return nil, err
		}
		rc.Traces++
		failed := rec.StatusCode != nil && *rec.StatusCode >= 400
		for _, k := range keys {
			ms := rc.Status[k.Key]
			if assert.IsSystemMetric(k.Key) {
				v, ok := rec.Metrics[k.Key].(float64)
				switch {
				case ok:
					ms.Success++
					rc.Values[k.Key] = append(rc.Values[k.Key], v)
				case failed:
					ms.FailedRows++
				default:
					ms.Pending++
				}
				rc.Status[k.Key] = ms
				continue
			}
			status := "pending"
			var value any
			for name, info := range rec.MetricInfo {
				alias := ""
				if info.MetricKeyAlias != nil {
					alias = *info.MetricKeyAlias
				}
				if slices.Contains(names[k.Key], name) || (alias != "" && slices.Contains(names[k.Key], alias)) {
					status, value = info.StatusType, info.Value
					if value == nil {
						value = rec.Metrics[name]
					}
					break
				}
			}
			if status == "success" {
				rc.addValue(k.Key, value)
			}
			switch status {
			case "success":
				ms.Success++
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
			rc.Status[k.Key] = ms
		}
		for _, k := range freeSystemMetrics {
			if v, ok := rec.Metrics[k].(float64); ok && !slices.ContainsFunc(keys, func(m metricKey) bool { return m.Key == k }) {
				rc.Values[k] = append(rc.Values[k], v)
			}
		}
	}
	return rc, nil
}

// freeSystemMetrics are the system metrics every record carries and a
// server aggregates without being asked: reported even when the experiment
// does not name them, so that Result.Check may use them.
var freeSystemMetrics = []string{assert.MetricCost, assert.MetricDuration, assert.MetricInputTokens, assert.MetricOutputTokens, assert.MetricTotalTokens}

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

// metricKeys lists what the wait needs: every metric of the experiment, in
// order, with the key of its aggregates, then the system metrics that only
// appear under expect.
func metricKeys(p *plan, scorers []galileo.Scorer) []metricKey {
	var keys []metricKey
	seen := map[string]bool{}
	add := func(metric, key string) {
		if !seen[key] {
			seen[key] = true
			keys = append(keys, metricKey{Metric: metric, Key: key})
		}
	}
	si := 0
	for _, m := range p.x.Metrics {
		m = strings.TrimSpace(m)
		if assert.IsSystemMetric(m) {
			add(m, assert.CanonicalMetric(m))
			continue
		}
		if si < len(scorers) {
			add(m, scorers[si].ID)
			si++
		}
	}
	for _, e := range p.expects {
		if assert.IsSystemMetric(e.Metric) {
			add(strings.TrimSpace(e.Metric), assert.CanonicalMetric(e.Metric))
		}
	}
	return keys
}

// metricReports builds the per-metric part of the report from the last
// state of the wait.
func metricReports(keys []metricKey, scorers []galileo.Scorer, st *waitState) []report.Metric {
	byID := map[string]*galileo.Scorer{}
	for i := range scorers {
		byID[scorers[i].ID] = &scorers[i]
	}
	aggregates := func(key string) *galileo.MetricAggregates {
		if st == nil || st.Response == nil {
			return nil
		}
		if a, ok := st.Response.StructuredAggregateMetrics[key]; ok {
			return &a
		}
		if a, ok := st.Local[key]; ok {
			return &a
		}
		return nil
	}
	out := make([]report.Metric, 0, len(keys))
	for _, k := range keys {
		m := report.NewMetric(k.Metric, k.Key, aggregates(k.Key))
		if s := byID[k.Key]; s != nil {
			m.ScorerName = s.Name
			if s.Label != nil {
				m.Label = *s.Label
			}
		}
		out = append(out, m)
	}
	// System metrics the server reported without being asked for (or the
	// records carried, when it publishes no aggregates): free to report,
	// and Result.Check may use them.
	if st != nil && st.Response != nil {
		for _, k := range freeSystemMetrics {
			a, ok := st.Response.StructuredAggregateMetrics[k]
			if !ok {
				a, ok = st.Local[k]
			}
			if !ok || slices.ContainsFunc(keys, func(m metricKey) bool { return m.Key == k }) {
				continue
			}
			out = append(out, report.NewMetric(k, k, &a))
		}
	}
	return out
}

// consoleLink returns the console page of an experiment.
func consoleLink(c *galileo.Client, projectID, experimentID string) string {
	base := strings.TrimRight(c.ConsoleURL(), "/")
	if base == "" {
		return ""
	}
	return base + "/project/" + projectID + "/experiments/" + experimentID
}

// plural renders "1 row" or "3 rows".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
