package galileotest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/galileo-community/galileo-go/assert"
	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileo"
	"github.com/galileo-community/galileo-go/report"
)

// RepeatKey is the row metadata key that holds the repeat index (0, 1, …)
// of a row run several times (repeats: N). It is left out of the row's
// identity, so that the repeats of a row are recognised as one row.
const RepeatKey = "galileotest_repeat"

// maxFlakyRows bounds the flakiest rows a report lists per metric.
const maxFlakyRows = 5

// repeatRows returns every row n times, row by row, each copy carrying its
// repeat index in the metadata under RepeatKey. n ≤ 1 returns rows.
func repeatRows(rows []fixtures.Row, n int) []fixtures.Row {
	if n <= 1 {
		return rows
	}
	out := make([]fixtures.Row, 0, len(rows)*n)
	for _, r := range rows {
		for i := range n {
			c := r
			c.Metadata = make(map[string]string, len(r.Metadata)+1)
			for k, v := range r.Metadata {
				c.Metadata[k] = v
			}
			c.Metadata[RepeatKey] = strconv.Itoa(i)
			out = append(out, c)
		}
	}
	return out
}

// rowKey identifies the dataset row a trace ran: a digest of its dataset
// input, ground truth and metadata (without the repeat index). It is the
// same for the repeats of a row and for the same row in another
// experiment, which is how a baseline's rows are matched.
func rowKey(rec *galileo.Record) string {
	h := sha256.New()
	write := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	if rec.DatasetInput != nil {
		write(*rec.DatasetInput)
	} else if s, ok := rec.Input.(string); ok {
		write(s)
	}
	if rec.DatasetOutput != nil {
		write(*rec.DatasetOutput)
	}
	keys := make([]string, 0, len(rec.DatasetMetadata))
	for k := range rec.DatasetMetadata {
		if k != RepeatKey {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		write(k)
		write(rec.DatasetMetadata[k])
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// fillRowScores reads the experiment's traces through the records query
// and sets each metric's row-level values and row keys (one per scored
// trace) and, when rows repeat, their consistency. names maps a metric's
// key to the names its scores carry in metric_info.
func fillRowScores(ctx context.Context, c *galileo.Client, projectID, experimentID string, metrics []report.Metric, names map[string][]string) error {
	vals := make([][]float64, len(metrics))
	keys := make([][]string, len(metrics))
	inputs := map[string]string{}
	eid := experimentID
	for rec, err := range c.Records.All(ctx, projectID, galileo.RecordTrace, galileo.LogRecordsQueryRequest{ExperimentID: &eid, Limit: 500, Filters: []galileo.Filter{}}) {
		if err != nil {
			return err
		}
		k := rowKey(&rec)
		if _, ok := inputs[k]; !ok && rec.DatasetInput != nil {
			inputs[k] = shorten(*rec.DatasetInput, 80)
		}
		for i := range metrics {
			m := &metrics[i]
			x, ok := rowValue(&rec, m.Key, names[m.Key])
			if !ok {
				continue
			}
			vals[i] = append(vals[i], x)
			keys[i] = append(keys[i], k)
		}
	}
	for i := range metrics {
		metrics[i].RowValues, metrics[i].RowKeys = vals[i], keys[i]
		metrics[i].Consistency = consistency(vals[i], keys[i], inputs)
	}
	return nil
}

// rowValue is a record's numeric score for the metric with aggregate key
// key: a system metric from its metrics, a scorer metric from its
// metric_info under names (galileo.Record.MetricValue).
func rowValue(rec *galileo.Record, key string, names []string) (float64, bool) {
	if assert.IsSystemMetric(key) {
		return numeric(rec.Metrics[key])
	}
	status, v := rec.MetricValue(names)
	if status != "success" {
		return 0, false
	}
	return numeric(v)
}

// numeric reads a score as a number: a boolean counts as 1 or 0.
func numeric(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, !math.IsNaN(x) && !math.IsInf(x, 0)
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// consistency says how the repeats of each row agreed: the rows whose
// values were all equal, and the rows whose values spread most. It is nil
// when no row has more than one value.
func consistency(vals []float64, keys []string, inputs map[string]string) *report.Consistency {
	byRow := map[string][]float64{}
	var order []string
	repeated := false
	for i, k := range keys {
		if _, ok := byRow[k]; !ok {
			order = append(order, k)
		} else {
			repeated = true
		}
		byRow[k] = append(byRow[k], vals[i])
	}
	if !repeated {
		return nil
	}
	c := &report.Consistency{Rows: len(order)}
	type spread struct {
		key   string
		width float64
	}
	var flaky []spread
	for _, k := range order {
		vs := byRow[k]
		lo, hi := slices.Min(vs), slices.Max(vs)
		if lo == hi {
			c.Consistent++
			continue
		}
		flaky = append(flaky, spread{k, hi - lo})
	}
	sort.SliceStable(flaky, func(a, b int) bool { return flaky[a].width > flaky[b].width })
	for i, f := range flaky {
		if i == maxFlakyRows {
			break
		}
		c.Flakiest = append(c.Flakiest, report.FlakyRow{Key: f.key, Input: inputs[f.key], Values: byRow[f.key]})
	}
	return c
}

// metricNamesOf maps the key of each metric of a report to the names its
// scores may carry in a record's metric_info: the key, scorer name, label
// and name, and the experiment column's metric_key_alias.
func metricNamesOf(ctx context.Context, c *galileo.Client, projectID string, metrics []report.Metric) map[string][]string {
	names := map[string][]string{}
	var cols galileo.ColumnCollection
	for _, m := range metrics {
		ns := []string{m.Key}
		for _, n := range []string{m.ScorerName, m.Label, m.Name} {
			if n != "" && !slices.Contains(ns, n) {
				ns = append(ns, n)
			}
		}
		names[m.Key] = ns
	}
	if cs, err := c.Experiments.AvailableColumns(ctx, projectID); err == nil {
		cols = cs
		for _, m := range metrics {
			if col := cols.Get("metrics/" + m.Key); col != nil && col.MetricKeyAlias != nil {
				names[m.Key] = append(names[m.Key], *col.MetricKeyAlias)
			}
		}
	}
	for k, ns := range names {
		names[k] = slices.DeleteFunc(ns, func(s string) bool { return strings.TrimSpace(s) == "" })
	}
	return names
}
