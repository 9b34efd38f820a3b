package galileotest

import (
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
// state of the wait (its metrics are keys, in order).
func metricReports(keys []metricKey, scorers []galileo.Scorer, st *galileo.WaitState) []report.Metric {
	byID := map[string]*galileo.Scorer{}
	for i := range scorers {
		byID[scorers[i].ID] = &scorers[i]
	}
	out := make([]report.Metric, 0, len(keys))
	for i, k := range keys {
		var agg *galileo.MetricAggregates
		if st != nil && i < len(st.Metrics) {
			agg = st.Metrics[i].Aggregates
		}
		m := report.NewMetric(k.Metric, k.Key, agg)
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
		for _, k := range []string{assert.MetricCost, assert.MetricDuration, assert.MetricInputTokens, assert.MetricOutputTokens, assert.MetricTotalTokens} {
			a, ok := st.Response.StructuredAggregateMetrics[k]
			if !ok {
				a, ok = st.Computed[k]
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
