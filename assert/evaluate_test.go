package assert

import (
	"github.com/galileo-community/galileo-go/galileo"
	"testing"
)

func f64(v float64) *float64 { return &v }
func i64(v int64) *int64     { return &v }

func TestThreshold_Evaluate(t *testing.T) {
	ten := i64(10)
	tests := []struct {
		name         string
		metric, expr string
		agg          Aggregates
		pass         bool
		explanation  string
	}{
		// every statistic is read from its own field
		{"avg", "correctness", "avg >= 0.95", &galileo.MetricAggregates{Avg: f64(0.82), Count: ten}, false, "correctness avg = 0.82, want >= 0.95 (10 rows)"},
		{"min", "correctness", "min >= 0.5", &galileo.MetricAggregates{Min: f64(0.5), Count: ten}, true, "correctness min = 0.5, want >= 0.5 (10 rows)"},
		{"max", "correctness", "max <= 0.9", &galileo.MetricAggregates{Max: f64(1), Count: ten}, false, "correctness max = 1, want <= 0.9 (10 rows)"},
		{"sum", "correctness", "sum >= 8", &galileo.MetricAggregates{Sum: f64(8.2), Count: ten}, true, "correctness sum = 8.2, want >= 8 (10 rows)"},
		{"count", "correctness", "count == 10", &galileo.MetricAggregates{Count: ten}, true, "correctness count = 10, want == 10 (10 rows)"},
		{"p50", "correctness", "p50 >= 0.7", &galileo.MetricAggregates{P50: f64(0.71), Count: ten}, true, "correctness p50 = 0.71, want >= 0.7 (10 rows)"},
		{"p90", "correctness", "p90 >= 0.7", &galileo.MetricAggregates{P90: f64(0.69), Count: ten}, false, "correctness p90 = 0.69, want >= 0.7 (10 rows)"},
		{"p95", "correctness", "p95 > 0.7", &galileo.MetricAggregates{P95: f64(0.7), Count: ten}, false, "correctness p95 = 0.7, want > 0.7 (10 rows)"},
		{"p99", "correctness", "p99 < 0.7", &galileo.MetricAggregates{P99: f64(0.6), Count: ten}, true, "correctness p99 = 0.6, want < 0.7 (10 rows)"},
		// comparators at the boundary
		{">= equal", "c", "avg >= 0.5", &galileo.MetricAggregates{Avg: f64(0.5)}, true, "c avg = 0.5, want >= 0.5"},
		{"> equal", "c", "avg > 0.5", &galileo.MetricAggregates{Avg: f64(0.5)}, false, "c avg = 0.5, want > 0.5"},
		{"<= equal", "c", "avg <= 0.5", &galileo.MetricAggregates{Avg: f64(0.5)}, true, "c avg = 0.5, want <= 0.5"},
		{"< equal", "c", "avg < 0.5", &galileo.MetricAggregates{Avg: f64(0.5)}, false, "c avg = 0.5, want < 0.5"},
		{"== equal", "c", "avg == 0.5", &galileo.MetricAggregates{Avg: f64(0.5)}, true, "c avg = 0.5, want == 0.5"},
		{"== differs", "c", "avg == 0.5", &galileo.MetricAggregates{Avg: f64(0.25)}, false, "c avg = 0.25, want == 0.5"},
		{"!= equal", "c", "avg != 0.5", &galileo.MetricAggregates{Avg: f64(0.5)}, false, "c avg = 0.5, want != 0.5"},
		{"!= differs", "c", "avg != 0.5", &galileo.MetricAggregates{Avg: f64(0.25)}, true, "c avg = 0.25, want != 0.5"},
		{"reversed", "c", "0.9 <= avg", &galileo.MetricAggregates{Avg: f64(0.8)}, false, "c avg = 0.8, want >= 0.9"},
		// shown precision keeps the side of the bound visible
		{"just below", "c", "avg >= 0.95", &galileo.MetricAggregates{Avg: f64(0.94999)}, false, "c avg = 0.94999, want >= 0.95"},
		{"float noise", "c", "avg >= 0.95", &galileo.MetricAggregates{Avg: f64(0.30000000000000004)}, false, "c avg = 0.3, want >= 0.95"},
		{"just above", "c", "avg <= 0.3", &galileo.MetricAggregates{Avg: f64(0.30000000000000004)}, false, "c avg = 0.30000000000000004, want <= 0.3"},
		{"large sum", "c", "sum <= 100000", &galileo.MetricAggregates{Sum: f64(123456.789)}, false, "c sum = 123457, want <= 100000"},
		// percentages
		{"percent", "correctness", "avg >= 95%", &galileo.MetricAggregates{Avg: f64(0.95), Count: ten}, true, "correctness avg = 95%, want >= 95% (10 rows)"},
		{"percent below", "correctness", "avg >= 95%", &galileo.MetricAggregates{Avg: f64(0.8234), Count: ten}, false, "correctness avg = 82.34%, want >= 95% (10 rows)"},
		{"fraction", "correctness", "avg >= 0.95", &galileo.MetricAggregates{Avg: f64(0.95)}, true, "correctness avg = 0.95, want >= 0.95"},
		// ranges
		{"range inside", "c", "0.8 <= avg <= 1", &galileo.MetricAggregates{Avg: f64(0.9), Count: ten}, true, "c avg = 0.9, want 0.8 <= avg <= 1 (10 rows)"},
		{"range low edge", "c", "0.8 <= avg <= 1", &galileo.MetricAggregates{Avg: f64(0.8)}, true, "c avg = 0.8, want 0.8 <= avg <= 1"},
		{"range below", "c", "0.8 <= avg <= 1", &galileo.MetricAggregates{Avg: f64(0.72)}, false, "c avg = 0.72, want 0.8 <= avg <= 1"},
		{"range strict low", "c", "0.8 < avg <= 1", &galileo.MetricAggregates{Avg: f64(0.8)}, false, "c avg = 0.8, want 0.8 < avg <= 1"},
		{"range strict high", "c", "0.8 <= avg < 1", &galileo.MetricAggregates{Avg: f64(1)}, false, "c avg = 1, want 0.8 <= avg < 1"},
		{"range above", "c", "0.8 <= avg <= 0.9", &galileo.MetricAggregates{Avg: f64(0.95)}, false, "c avg = 0.95, want 0.8 <= avg <= 0.9"},
		{"range descending", "c", "1 >= avg >= 0.8", &galileo.MetricAggregates{Avg: f64(0.9)}, true, "c avg = 0.9, want 0.8 <= avg <= 1"},
		{"range percent", "c", "80% <= avg <= 90%", &galileo.MetricAggregates{Avg: f64(0.85)}, true, "c avg = 85%, want 80% <= avg <= 90%"},
		// durations: thresholds in any unit, compared in ns, shown human
		{"seconds fail", "latency", "p95 <= 2s", &galileo.MetricAggregates{P95: f64(2.4e9), Count: ten}, false, "latency p95 = 2.4s, want <= 2s (10 rows)"},
		{"seconds pass", "latency", "p95 <= 2s", &galileo.MetricAggregates{P95: f64(2e9)}, true, "latency p95 = 2s, want <= 2s"},
		{"ms", "latency", "avg < 500ms", &galileo.MetricAggregates{Avg: f64(512_345_678)}, false, "latency avg = 512.3ms, want < 500ms"},
		{"us", "latency", "min >= 250us", &galileo.MetricAggregates{Min: f64(180_000)}, false, "latency min = 180us, want >= 250us"},
		{"ns", "duration_ns", "min >= 100ns", &galileo.MetricAggregates{Min: f64(99)}, false, "duration_ns min = 99ns, want >= 100ns"},
		{"bare ns", "latency", "p50 <= 1000000", &galileo.MetricAggregates{P50: f64(1_000_000)}, true, "latency p50 = 1ms, want <= 1000000ns"},
		{"minutes", "latency", "max <= 1m", &galileo.MetricAggregates{Max: f64(90e9)}, false, "latency max = 1.5m, want <= 1m"},
		{"minutes pass", "latency", "max <= 1.5m", &galileo.MetricAggregates{Max: f64(59.5e9)}, true, "latency max = 59.5s, want <= 1.5m"},
		{"duration edge", "latency", "p95 <= 2s", &galileo.MetricAggregates{P95: f64(2_000_000_001)}, false, "latency p95 = 2.000000001s, want <= 2s"},
		{"duration range", "latency", "500ms <= p50 <= 2s", &galileo.MetricAggregates{P50: f64(250e6)}, false, "latency p50 = 250ms, want 500ms <= p50 <= 2s"},
		{"duration count", "latency", "count >= 10", &galileo.MetricAggregates{Count: i64(9)}, false, "latency count = 9, want >= 10 (9 rows)"},
		// cost in dollars
		{"cost sum", "cost", "sum <= $0.50", &galileo.MetricAggregates{Sum: f64(0.62), Count: ten}, false, "cost sum = $0.62, want <= $0.5 (10 rows)"},
		{"cost avg", "cost", "avg <= 0.01", &galileo.MetricAggregates{Avg: f64(0.0012346)}, true, "cost avg = $0.001235, want <= $0.01"},
		{"cost tiny", "cost", "avg <= $0.00001", &galileo.MetricAggregates{Avg: f64(0.0000123)}, false, "cost avg = $0.0000123, want <= $0.00001"},
		// tokens
		{"tokens", "num_total_tokens", "avg <= 500", &galileo.MetricAggregates{Avg: f64(512.25), Count: ten}, false, "num_total_tokens avg = 512.2, want <= 500 (10 rows)"},
		{"tokens sum", "num_input_tokens", "sum < 10000", &galileo.MetricAggregates{Sum: f64(9000)}, true, "num_input_tokens sum = 9000, want < 10000"},
		// rate
		{"rate true", "is_polite", "rate(true) >= 90%", &galileo.MetricAggregates{ValueDistribution: map[string]int64{"0": 2, "1": 8}}, false, "is_polite rate(1) = 80%, want >= 90% (10 rows)"},
		{"rate false", "is_polite", "rate(false) <= 0.2", &galileo.MetricAggregates{Count: ten, ValueDistribution: map[string]int64{"0": 2, "1": 8}}, true, "is_polite rate(0) = 0.2, want <= 0.2 (10 rows)"},
		{"rate string", "tone", `rate("yes") >= 0.5`, &galileo.MetricAggregates{ValueDistribution: map[string]int64{"yes": 3, "no": 1}}, true, `tone rate("yes") = 0.75, want >= 0.5 (4 rows)`},
		{"rate absent value", "tone", `rate(maybe) > 0`, &galileo.MetricAggregates{ValueDistribution: map[string]int64{"yes": 3, "no": 1}}, false, `tone rate("maybe") = 0, want > 0 (4 rows)`},
		{"rate numeric keys", "flag", "rate(1) == 100%", &galileo.MetricAggregates{ValueDistribution: map[string]int64{"1.0": 4}}, true, "flag rate(1) = 100%, want == 100% (4 rows)"},
		{"rate string key is exact", "flag", `rate("1.0") == 100%`, &galileo.MetricAggregates{ValueDistribution: map[string]int64{"1": 4}}, true, "flag rate(1.0) = 100%, want == 100% (4 rows)"},
		{"rate case-sensitive key", "tone", `rate(Yes) > 0`, &galileo.MetricAggregates{ValueDistribution: map[string]int64{"yes": 3}}, false, `tone rate("Yes") = 0, want > 0 (3 rows)`},
		{"rate denominator is distribution", "flag", "rate(1) >= 90%", &galileo.MetricAggregates{Count: i64(12), ValueDistribution: map[string]int64{"0": 1, "1": 9}}, true, "flag rate(1) = 90%, want >= 90% (12 rows)"},
		{"rate range", "tone", "10% <= rate(no) <= 30%", &galileo.MetricAggregates{ValueDistribution: map[string]int64{"yes": 3, "no": 1}}, true, `tone rate("no") = 25%, want 10% <= rate("no") <= 30% (4 rows)`},
		// not reported
		{"nil avg", "correctness", "avg >= 0.9", &galileo.MetricAggregates{Count: ten}, false, "correctness avg not reported, want >= 0.9 (10 rows)"},
		{"nil p95", "latency", "p95 <= 2s", &galileo.MetricAggregates{Avg: f64(1), Count: ten}, false, "latency p95 not reported, want <= 2s (10 rows)"},
		{"nil count", "correctness", "count >= 1", &galileo.MetricAggregates{Avg: f64(1)}, false, "correctness count not reported, want >= 1"},
		{"nil everything", "cost", "sum <= $1", &galileo.MetricAggregates{}, false, "cost sum not reported, want <= $1"},
		{"no distribution", "flag", "rate(1) >= 90%", &galileo.MetricAggregates{Avg: f64(1), Count: ten}, false, "flag rate(1) not reported, want >= 90% (10 rows)"},
		{"zero distribution", "flag", "rate(1) >= 90%", &galileo.MetricAggregates{ValueDistribution: map[string]int64{"1": 0}}, false, "flag rate(1) not reported, want >= 90%"},
		{"range not reported", "c", "0.8 <= avg <= 1", &galileo.MetricAggregates{Count: i64(1)}, false, "c avg not reported, want 0.8 <= avg <= 1 (1 row)"},
		// row counts
		{"one row", "c", "avg >= 0.5", &galileo.MetricAggregates{Avg: f64(1), Count: i64(1)}, true, "c avg = 1, want >= 0.5 (1 row)"},
		{"zero rows", "c", "count > 0", &galileo.MetricAggregates{Count: i64(0)}, false, "c count = 0, want > 0 (0 rows)"},
		{"rows from distribution", "c", "avg >= 0.5", &galileo.MetricAggregates{Avg: f64(1), ValueDistribution: map[string]int64{"1": 7}}, true, "c avg = 1, want >= 0.5 (7 rows)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th := MustParse(tt.metric, tt.expr)
			r := th.Evaluate(tt.agg)
			if r.Pass != tt.pass {
				t.Errorf("Pass = %v, want %v (%s)", r.Pass, tt.pass, r.Explanation)
			}
			if r.Explanation != tt.explanation {
				t.Errorf("Explanation:\n got %q\nwant %q", r.Explanation, tt.explanation)
			}
			if r.Threshold != th {
				t.Errorf("Result.Threshold = %v, want %v", r.Threshold, th)
			}
		})
	}
}

func TestThreshold_Evaluate_actualAndRows(t *testing.T) {
	tests := []struct {
		name     string
		metric   string
		expr     string
		agg      Aggregates
		actual   *float64
		wantRows int64
	}{
		{"duration in ns", "latency", "p95 <= 2s", &galileo.MetricAggregates{P95: f64(2.4e9), Count: i64(10)}, f64(2.4e9), 10},
		{"cost in dollars", "cost", "sum <= $1", &galileo.MetricAggregates{Sum: f64(0.62)}, f64(0.62), 0},
		{"percent as fraction", "c", "avg >= 95%", &galileo.MetricAggregates{Avg: f64(0.9)}, f64(0.9), 0},
		{"rate as fraction", "flag", "rate(true) >= 90%", &galileo.MetricAggregates{ValueDistribution: map[string]int64{"0": 1, "1": 3}}, f64(0.75), 4},
		{"count", "c", "count >= 1", &galileo.MetricAggregates{Count: i64(3)}, f64(3), 3},
		{"not reported", "c", "avg >= 1", &galileo.MetricAggregates{Count: i64(3)}, nil, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := MustParse(tt.metric, tt.expr).Evaluate(tt.agg)
			switch {
			case tt.actual == nil && r.Actual != nil:
				t.Errorf("Actual = %v, want nil", *r.Actual)
			case tt.actual != nil && r.Actual == nil:
				t.Errorf("Actual = nil, want %v", *tt.actual)
			case tt.actual != nil && *r.Actual != *tt.actual:
				t.Errorf("Actual = %v, want %v", *r.Actual, *tt.actual)
			}
			if r.Rows != tt.wantRows {
				t.Errorf("Rows = %d, want %d", r.Rows, tt.wantRows)
			}
		})
	}
}

func TestThreshold_Evaluate_units(t *testing.T) {
	// Each pair must describe the same bound: the first passes exactly at
	// the value, the second fails just above it.
	tests := []struct {
		metric, expr string
		value        float64
	}{
		{"latency", "p95 <= 1500ns", 1500},
		{"latency", "p95 <= 1.5us", 1500},
		{"latency", "p95 <= 1.5ms", 1.5e6},
		{"latency", "p95 <= 1.5s", 1.5e9},
		{"latency", "p95 <= 1.5m", 90e9},
		{"latency", "p95 <= 0.1ms", 1e5},
		{"latency", "p95 <= 2.4s", 2.4e9},
		{"cost", "p95 <= $0.1", 0.1},
		{"correctness", "p95 <= 95%", 0.95},
		{"correctness", "p95 <= 7%", 0.07},
		{"correctness", "p95 <= 0.95", 0.95},
	}
	for _, tt := range tests {
		th := MustParse(tt.metric, tt.expr)
		if r := th.Evaluate(&galileo.MetricAggregates{P95: f64(tt.value)}); !r.Pass {
			t.Errorf("%s %s at %v: %s, want pass", tt.metric, tt.expr, tt.value, r.Explanation)
		}
		above := tt.value * (1 + 1e-12)
		if r := th.Evaluate(&galileo.MetricAggregates{P95: f64(above)}); r.Pass {
			t.Errorf("%s %s at %v: %s, want fail", tt.metric, tt.expr, above, r.Explanation)
		}
	}
}

func TestThreshold_Evaluate_zero(t *testing.T) {
	r := Threshold{}.Evaluate(&galileo.MetricAggregates{Avg: f64(1)})
	if r.Pass || r.Explanation != "invalid threshold (the zero Threshold; use Parse)" {
		t.Errorf("zero Threshold: Pass = %v, Explanation = %q", r.Pass, r.Explanation)
	}
	r = Threshold{Metric: "c"}.Evaluate(&galileo.MetricAggregates{Avg: f64(1)})
	if r.Pass || r.Explanation != "c: invalid threshold (the zero Threshold; use Parse)" {
		t.Errorf("Threshold{Metric: c}: Pass = %v, Explanation = %q", r.Pass, r.Explanation)
	}
}
