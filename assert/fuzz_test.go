package assert

import (
	"errors"
	"github.com/galileo-community/galileo-go/galileo"
	"testing"
)

func FuzzParse(f *testing.F) {
	seeds := []struct{ metric, expr string }{
		{"correctness", "avg >= 0.95"},
		{"correctness", "0.8 <= avg <= 1"},
		{"correctness", "1 >= avg > 0.8"},
		{"correctness", "0.9 <= p50"},
		{"correctness", "avg >= 95%"},
		{"correctness", "avg >== 0.9"},
		{"correctness", "p10 >= 0.6"},
		{"correctness", "count != 3"},
		{"correctness", "sum < 1e22"},
		{"correctness", "min > -.5e-7"},
		{"latency", "p95 <= 2s"},
		{"latency", "500ms <= p50 < 1.5m"},
		{"latency", "p99 <= 2000000000"},
		{"duration_ns", "max <= 250us"},
		{"cost", "sum <= $0.50"},
		{"cost", "avg <= 0.01"},
		{"cost", "avg <= 5ms"},
		{"num_total_tokens", "avg <= 500"},
		{"is_polite", "rate(true) >= 90%"},
		{"tone", `rate("yes") > 0.5`},
		{"tone", `rate('a"b') > 0.5`},
		{"tone", `rate("\x00\u00e9") > 0.5`},
		{"tone", `10% <= rate(no) <= 30%`},
		{"tone", `rate("yes`},
		{" x ", "AVG>=1"},
		{"c", "avg >= 1 <= 2"},
		{"c", "\xff >= 1"},
		{"correctness", "avg >= 150%"},
		{"correctness", "0% <= avg <= 100%"},
		{"correctness", "0.5 <= avg <= 100%"},
		{"is_polite", "rate(1) != -1"},
		{"tone", "2 >= rate(yes) > 1"},
		{"latency", "p95 <= -2s"},
		{"latency", "0 <= p50 <= 2s"},
		{"cost", "sum <= $-1"},
		{"num_total_tokens", "count >= 0"},
	}
	for _, s := range seeds {
		f.Add(s.metric, s.expr)
	}
	f.Fuzz(func(t *testing.T, metric, expr string) {
		th, err := Parse(metric, expr)
		if err != nil {
			var pe *ParseError
			if errors.As(err, &pe) {
				if pe.Col < 1 || pe.Msg == "" || pe.Expr != expr {
					t.Fatalf("Parse(%q, %q): malformed ParseError %#v", metric, expr, pe)
				}
				_ = pe.Caret()
			}
			return
		}
		s := th.String()
		again, err := Parse(th.Metric, s)
		if err != nil {
			t.Fatalf("Parse(%q, %q) = %q, which does not re-parse: %v", metric, expr, s, err)
		}
		if again != th {
			t.Fatalf("Parse(%q, %q) = %#v; re-parsing %q gave %#v", metric, expr, th, s, again)
		}
		if s2 := again.String(); s2 != s {
			t.Fatalf("String not stable: %q then %q", s, s2)
		}
		// Evaluation never panics and always explains itself.
		one := 1.0
		n := int64(1)
		for _, a := range []*galileo.MetricAggregates{{}, {Avg: &one, Sum: &one, Min: &one, Max: &one, P50: &one, P90: &one, P95: &one, P99: &one, Count: &n, ValueDistribution: map[string]int64{"1": 1}}} {
			if r := th.Evaluate(a); r.Explanation == "" {
				t.Fatalf("Evaluate of %q gave no explanation", s)
			}
		}
	})
}
