package report

import (
	"github.com/galileo-community/galileo-go/galileo"
	"reflect"
	"testing"

	"github.com/galileo-community/galileo-go/assert"
)

func TestNewThreshold(t *testing.T) {
	tests := []struct {
		metric, expr string
		agg          assert.Aggregates
		want         Threshold
	}{
		{"correctness", "avg >= 0.95", &galileo.MetricAggregates{Avg: fp(0.82), Count: ip(10)}, Threshold{
			Metric: "correctness", Stat: "avg", Expr: "avg >= 0.95", Bounds: []Bound{{">=", 0.95}},
			Actual: fp(0.82), Rows: 10, Explanation: "correctness avg = 0.82, want >= 0.95 (10 rows)"}},
		{"latency", "p95 <= 2s", &galileo.MetricAggregates{P95: fp(1.2e9), Count: ip(3)}, Threshold{
			Metric: "latency", Stat: "p95", Expr: "p95 <= 2s", Bounds: []Bound{{"<=", 2e9}},
			Actual: fp(1.2e9), Pass: true, Rows: 3, Explanation: "latency p95 = 1.2s, want <= 2s (3 rows)", Unit: UnitNanoseconds}},
		{"cost", "sum <= $0.50", &galileo.MetricAggregates{Sum: fp(0.62), Count: ip(20)}, Threshold{
			Metric: "cost", Stat: "sum", Expr: "sum <= $0.5", Bounds: []Bound{{"<=", 0.5}},
			Actual: fp(0.62), Rows: 20, Explanation: "cost sum = $0.62, want <= $0.5 (20 rows)", Unit: UnitDollars}},
		{"tone", "rate(yes) >= 90%", &galileo.MetricAggregates{ValueDistribution: map[string]int64{"yes": 17, "no": 3}}, Threshold{
			Metric: "tone", Stat: `rate("yes")`, Expr: `rate("yes") >= 90%`, Bounds: []Bound{{">=", 0.9}},
			Actual: fp(0.85), Rows: 20, Explanation: `tone rate("yes") = 85%, want >= 90% (20 rows)`, Unit: UnitPercent}},
		{"correctness", "0.8 <= avg <= 1", &galileo.MetricAggregates{Avg: fp(0.9)}, Threshold{
			Metric: "correctness", Stat: "avg", Expr: "0.8 <= avg <= 1", Bounds: []Bound{{">=", 0.8}, {"<=", 1}},
			Actual: fp(0.9), Pass: true, Explanation: "correctness avg = 0.9, want 0.8 <= avg <= 1"}},
		{"latency", "count >= 10", &galileo.MetricAggregates{Count: ip(7)}, Threshold{
			Metric: "latency", Stat: "count", Expr: "count >= 10", Bounds: []Bound{{">=", 10}},
			Actual: fp(7), Rows: 7, Explanation: "latency count = 7, want >= 10 (7 rows)"}},
		{"correctness", "avg >= 95%", &galileo.MetricAggregates{Count: ip(7)}, Threshold{
			Metric: "correctness", Stat: "avg", Expr: "avg >= 95%", Bounds: []Bound{{">=", 0.95}},
			Rows: 7, Explanation: "correctness avg not reported, want >= 95% (7 rows)", Unit: UnitPercent}},
	}
	for _, tt := range tests {
		t.Run(tt.metric+" "+tt.expr, func(t *testing.T) {
			got := NewThreshold(assert.MustParse(tt.metric, tt.expr).Evaluate(tt.agg))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("NewThreshold =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

// TestNewThreshold_boundsAgreeWithVerdict checks, across the grammar, that
// the bounds NewThreshold reads back from the expression hold exactly when
// the threshold passed.
func TestNewThreshold_boundsAgreeWithVerdict(t *testing.T) {
	exprs := []struct{ metric, expr string }{
		{"correctness", "avg >= 0.9"}, {"correctness", "avg > 0.9"}, {"correctness", "avg <= 0.9"},
		{"correctness", "avg < 0.9"}, {"correctness", "avg == 0.9"}, {"correctness", "avg != 0.9"},
		{"correctness", "0.9 <= avg"}, {"correctness", "0.85 < avg <= 0.95"}, {"correctness", "0.95 >= avg > 0.85"},
		{"correctness", "avg >= 90%"}, {"correctness", "avg >= -1e-3"},
		{"latency", "p95 <= 900ms"}, {"latency", "p95 <= 900000000"}, {"latency", "avg < 1.5m"},
		{"latency", "min >= 100us"}, {"latency", "max <= 2000000000ns"},
		{"cost", "sum <= $0.9"}, {"cost", "avg < 0.9"},
		{"tone", "rate(true) >= 90%"}, {"tone", `rate("a b") > 0.5`}, {"tone", "rate(0.9) >= 0.1"},
	}
	values := []float64{0, 0.5, 0.85, 0.9, 0.95, 1, 1e5, 9e8, 1e9, 1e11}
	for _, e := range exprs {
		th := assert.MustParse(e.metric, e.expr)
		for _, v := range values {
			agg := &galileo.MetricAggregates{Avg: fp(v), Min: fp(v), Max: fp(v), Sum: fp(v), P95: fp(v), Count: ip(10),
				ValueDistribution: map[string]int64{"1": int64(v * 10), "0": 10, "a b": 3, "0.9": 2}}
			got := NewThreshold(th.Evaluate(agg))
			if len(got.Bounds) == 0 {
				t.Fatalf("%s %q: no bounds read from %q", e.metric, e.expr, got.Expr)
			}
			if got.Actual == nil {
				t.Fatalf("%s %q: actual not reported", e.metric, e.expr)
			}
			holds := true
			for _, b := range got.Bounds {
				a := *got.Actual
				switch b.Op {
				case ">=":
					holds = holds && a >= b.Value
				case ">":
					holds = holds && a > b.Value
				case "<=":
					holds = holds && a <= b.Value
				case "<":
					holds = holds && a < b.Value
				case "==":
					holds = holds && a == b.Value
				case "!=":
					holds = holds && a != b.Value
				default:
					t.Fatalf("%q: unknown op %q", got.Expr, b.Op)
				}
			}
			if holds != got.Pass {
				t.Errorf("%s %q at %v: bounds %+v hold = %t, but Pass = %t (%s)", e.metric, got.Expr, *got.Actual, got.Bounds, holds, got.Pass, got.Explanation)
			}
		}
	}
}

func TestThreshold_condition(t *testing.T) {
	tests := []struct{ stat, expr, want string }{
		{"avg", "avg >= 0.95", ">= 0.95"},
		{"p95", "p95 <= 2s", "<= 2s"},
		{"avg", "0.8 <= avg <= 1", ">= 0.8 and <= 1"},
		{"avg", "0.8 < avg < 1", "> 0.8 and < 1"},
		{`rate("a b")`, `rate("a b") >= 90%`, ">= 90%"},
		{"", "hand written", "hand written"},
		{"avg", "something else", "something else"},
	}
	for _, tt := range tests {
		th := Threshold{Stat: tt.stat, Expr: tt.expr}
		if got := th.condition(); got != tt.want {
			t.Errorf("condition(%q) = %q, want %q", tt.expr, got, tt.want)
		}
	}
}

func TestParseBounds_rejectsOtherText(t *testing.T) {
	for _, tt := range []struct{ expr, stat string }{
		{"avg >= x", "avg"}, {"avg", "avg"}, {"avg = 1", "avg"}, {"p95 <= 2s", "avg"},
		{"1 <= avg", "avg"}, {"1 <= avg >> 2", "avg"}, {"x <= avg <= 2", "avg"}, {"avg >= 1", ""},
	} {
		if b, _, err := parseBounds(tt.expr, tt.stat); err == nil {
			t.Errorf("parseBounds(%q, %q) = %+v, want an error", tt.expr, tt.stat, b)
		}
	}
}

func TestNewMetric_Aggregates(t *testing.T) {
	agg := &galileo.MetricAggregates{Avg: fp(0.5), P99: fp(0.9), Count: ip(4), ValueDistribution: map[string]int64{"1": 2, "0": 2}}
	m := NewMetric("correctness", "9f3c", agg)
	if m.Name != "correctness" || m.Key != "9f3c" || *m.Avg != 0.5 || *m.P99 != 0.9 || *m.Count != 4 || m.Sum != nil {
		t.Errorf("NewMetric = %+v", m)
	}
	*agg.Avg = 0.1
	agg.ValueDistribution["1"] = 99
	if *m.Avg != 0.5 || m.ValueDistribution["1"] != 2 {
		t.Errorf("NewMetric shares memory with its input")
	}
	if m.Scored != 4 {
		t.Errorf("NewMetric Scored = %d, want 4", m.Scored)
	}
	if none := NewMetric("x", "k", nil); none.Count != nil || none.Scored != 0 {
		t.Errorf("NewMetric(nil) = %+v", none)
	}
}
