package report

import (
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/galileo-community/galileo-go/assert"
	"github.com/galileo-community/galileo-go/galileo"
)

// NewThreshold builds the report's record of an evaluated threshold: the
// metric, statistic and canonical expression, the bounds in base units, the
// actual value, the verdict, the row count, the explanation and the display
// unit.
func NewThreshold(res assert.Result) Threshold {
	th := res.Threshold
	t := Threshold{
		Metric:      th.Metric,
		Stat:        th.Stat(),
		Expr:        th.String(),
		Pass:        res.Pass,
		Rows:        res.Rows,
		Explanation: res.Explanation,
	}
	if res.Actual != nil {
		v := *res.Actual
		t.Actual = &v
	}
	bounds, percent, err := parseBounds(t.Expr, t.Stat)
	if err == nil {
		t.Bounds = bounds
	}
	t.Unit = displayUnit(th.Metric, t.Stat, percent)
	return t
}

// displayUnit is the unit a threshold's values are shown in.
func displayUnit(metric, stat string, percent bool) string {
	switch {
	case stat == "count":
		return UnitNone
	case strings.HasPrefix(stat, "rate("):
		if percent {
			return UnitPercent
		}
		return UnitNone
	}
	switch assert.CanonicalMetric(metric) {
	case assert.MetricDuration:
		return UnitNanoseconds
	case assert.MetricCost:
		return UnitDollars
	}
	if percent {
		return UnitPercent
	}
	return UnitNone
}

// NewMetric builds the report's record of a metric from its name as the
// user wrote it, its server key and its aggregates (nil: not reported).
// The aggregates are copied.
func NewMetric(name, key string, a *galileo.MetricAggregates) Metric {
	m := Metric{Name: name, Key: key}
	if a != nil {
		m.MetricAggregates = galileo.MetricAggregates{
			Avg: copyF(a.Avg), Sum: copyF(a.Sum), Min: copyF(a.Min), Max: copyF(a.Max),
			P50: copyF(a.P50), P90: copyF(a.P90), P95: copyF(a.P95), P99: copyF(a.P99),
			Pct: copyF(a.Pct), Count: copyI(a.Count),
			ValueDistribution: maps.Clone(a.ValueDistribution),
		}
		m.Scored = a.Rows()
	}
	return m
}

func copyF(p *float64) *float64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func copyI(p *int64) *int64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// Unit returns the display unit of the metric's values: UnitNanoseconds
// for latency, UnitDollars for cost, else UnitNone.
func (m *Metric) Unit() string {
	key := m.Key
	if key == "" {
		key = m.Name
	}
	switch assert.CanonicalMetric(key) {
	case assert.MetricDuration:
		return UnitNanoseconds
	case assert.MetricCost:
		return UnitDollars
	}
	return UnitNone
}

// mirror gives the comparator that reads the same with its sides swapped.
var mirror = map[string]string{">=": "<=", ">": "<", "<=": ">=", "<": ">", "==": "==", "!=": "!="}

// parseBounds reads the bounds of a canonical threshold expression, the
// form assert.Threshold.String writes: "stat cmp value" or
// "lo lt stat lt hi". percent reports whether a value was written with %.
func parseBounds(expr, stat string) (bounds []Bound, percent bool, err error) {
	if stat == "" {
		return nil, false, fmt.Errorf("no statistic")
	}
	if rest, ok := strings.CutPrefix(expr, stat+" "); ok {
		op, val, ok := strings.Cut(rest, " ")
		if _, known := mirror[op]; !ok || !known {
			return nil, false, fmt.Errorf("%q: expected a comparator after %s", expr, stat)
		}
		v, pct, err := parseValue(val)
		if err != nil {
			return nil, false, err
		}
		return []Bound{{Op: op, Value: v}}, pct, nil
	}
	left, right, ok := strings.Cut(expr, " "+stat+" ")
	if !ok {
		return nil, false, fmt.Errorf("%q: statistic %s not found", expr, stat)
	}
	loText, loOp, ok1 := strings.Cut(left, " ")
	hiOp, hiText, ok2 := strings.Cut(right, " ")
	if _, k := mirror[loOp]; !ok1 || !ok2 || !k {
		return nil, false, fmt.Errorf("%q: expected a range lo cmp %s cmp hi", expr, stat)
	}
	if _, k := mirror[hiOp]; !k {
		return nil, false, fmt.Errorf("%q: expected a range lo cmp %s cmp hi", expr, stat)
	}
	lo, p1, err := parseValue(loText)
	if err != nil {
		return nil, false, err
	}
	hi, p2, err := parseValue(hiText)
	if err != nil {
		return nil, false, err
	}
	return []Bound{{Op: mirror[loOp], Value: lo}, {Op: hiOp, Value: hi}}, p1 || p2, nil
}

// unitScale lists the suffixes a value may carry, longest first where one
// is a suffix of another, with the factor to the base unit.
var unitScale = []struct {
	suffix string
	factor float64
}{
	{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"%", 0},
}

// parseValue converts a written value (0.95, 95%, 2s, $0.5) to base units,
// with the same arithmetic as package assert, so that a bound equals the
// value the threshold was evaluated against.
func parseValue(s string) (v float64, percent bool, err error) {
	num, factor := s, 1.0
	if rest, ok := strings.CutPrefix(num, "$"); ok {
		num = rest
	} else {
		for _, u := range unitScale {
			if rest, ok := strings.CutSuffix(num, u.suffix); ok {
				num, factor, percent = rest, u.factor, u.suffix == "%"
				break
			}
		}
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, false, fmt.Errorf("value %q: expected a number", s)
	}
	if percent {
		return f / 100, true, nil
	}
	return f * factor, false, nil
}

// condition is the threshold's requirement without the statistic, e.g.
// "<= 2s", or ">= 0.8 and <= 1" for a range, with the values as written.
// It falls back to the whole expression.
func (t *Threshold) condition() string {
	if t.Stat == "" {
		return t.Expr
	}
	if rest, ok := strings.CutPrefix(t.Expr, t.Stat+" "); ok {
		return rest
	}
	left, right, ok := strings.Cut(t.Expr, " "+t.Stat+" ")
	if !ok {
		return t.Expr
	}
	loText, loOp, ok := strings.Cut(left, " ")
	if m, known := mirror[loOp]; ok && known {
		return m + " " + loText + " and " + right
	}
	return t.Expr
}
