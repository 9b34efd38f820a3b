package assert

import (
	"errors"
	"testing"
)

// TestParse_Reach: a threshold that can never be met, or can never fail,
// given the values its statistic can take, is a parse error; where those
// values are not known for sure (a scorer's statistics written as plain
// numbers), or the bound is reachable, it parses.
func TestParse_Reach(t *testing.T) {
	const (
		never  = "can never be met: "
		always = "is always met, so it checks nothing: "
	)
	errs := []struct {
		metric, expr string
		col          int
		msg          string
	}{
		{"correctness", "avg >= 150%", 8, never + "correctness avg, written as a percentage, is a fraction from 0% to 100%"},
		{"correctness", "avg > 100%", 7, never + "correctness avg, written as a percentage, is a fraction from 0% to 100%"},
		{"correctness", "p50 < 0%", 7, never + "correctness p50, written as a percentage, is a fraction from 0% to 100%"},
		{"correctness", "avg >= 0%", 8, always + "correctness avg, written as a percentage, is a fraction from 0% to 100%"},
		{"correctness", "max <= 100%", 8, always + "correctness max, written as a percentage, is a fraction from 0% to 100%"},
		{"correctness", "0% <= avg <= 100%", 1, always + "correctness avg, written as a percentage, is a fraction from 0% to 100%"},
		{"correctness", "0 <= avg <= 100%", 1, always + "correctness avg, written as a percentage, is a fraction from 0% to 100%"},
		{"is_polite", "rate(1) >= 150%", 12, never + "is_polite rate(1) is a share of rows from 0% to 100%"},
		{"is_polite", "rate(true) > 1", 14, never + "is_polite rate(1) is a share of rows from 0 to 1"},
		{"is_polite", "rate(1) == 2", 12, never + "is_polite rate(1) is a share of rows from 0 to 1"},
		{"is_polite", "rate(1) != -1", 12, always + "is_polite rate(1) is a share of rows from 0 to 1"},
		{"is_polite", "rate(1) >= 0", 12, always + "is_polite rate(1) is a share of rows from 0 to 1"},
		{"tone", "0 <= rate(yes) <= 1", 1, always + `tone rate("yes") is a share of rows from 0 to 1`},
		{"tone", "1 >= rate(yes) >= 0%", 1, always + `tone rate("yes") is a share of rows from 0% to 100%`},
		{"tone", "2 >= rate(yes) > 1", 18, never + `tone rate("yes") is a share of rows from 0 to 1`},
		{"tone", "-1 < rate(yes) < 0", 18, never + `tone rate("yes") is a share of rows from 0 to 1`},
		{"latency", "p95 <= -2s", 8, never + "latency p95 is a duration, never negative"},
		{"latency", "p95 >= 0s", 8, always + "latency p95 is a duration, never negative"},
		{"duration_ns", "avg > -1", 7, always + "duration_ns avg is a duration, never negative"},
		{"latency", "0 <= p50 <= 2s", 1, ""}, // the upper bound checks something
		{"cost", "sum <= $-1", 8, never + "cost sum is an amount in dollars, never negative"},
		{"cost", "0 <= sum", 1, always + "cost sum is an amount in dollars, never negative"},
		{"num_total_tokens", "avg < 0", 7, never + "num_total_tokens avg is a number of tokens, never negative"},
		{"num_input_tokens", "sum >= 0", 8, always + "num_input_tokens sum is a number of tokens, never negative"},
		{"correctness", "count >= 0", 10, always + "correctness count is a number of rows, never negative"},
		{"latency", "count < 0", 9, never + "latency count is a number of rows, never negative"},
	}
	for _, c := range errs {
		_, err := Parse(c.metric, c.expr)
		if c.msg == "" {
			if err != nil {
				t.Errorf("Parse(%q, %q) = %v, want no error", c.metric, c.expr, err)
			}
			continue
		}
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q, %q) = %v, want a *ParseError", c.metric, c.expr, err)
			continue
		}
		if pe.Col != c.col || pe.Msg != c.msg {
			t.Errorf("Parse(%q, %q):\n got column %d: %s\nwant column %d: %s", c.metric, c.expr, pe.Col, pe.Msg, c.col, c.msg)
		}
	}

	for _, c := range []struct{ metric, expr string }{
		// reachable bounds
		{"correctness", "avg >= 100%"}, {"correctness", "avg <= 0%"}, {"correctness", "avg > 0%"},
		{"correctness", "avg == 100%"}, {"correctness", "0.5 <= avg <= 100%"}, {"correctness", "avg != 0%"},
		{"is_polite", "rate(1) >= 1"}, {"is_polite", "rate(1) <= 0"}, {"is_polite", "rate(1) > 0"},
		{"is_polite", "rate(0) == 0"}, {"is_polite", "0 < rate(1) <= 1"},
		{"latency", "p95 > 0s"}, {"latency", "p95 <= 0s"}, {"cost", "sum < $0.01"}, {"cost", "sum == $0"},
		{"correctness", "count > 0"}, {"correctness", "count == 0"},
		// a scorer's plain numbers: its range is not known for sure
		{"correctness", "avg >= -1"}, {"correctness", "0 <= avg <= 1"}, {"correctness", "avg >= 150"},
		{"perplexity", "avg <= 20"}, {"correctness", "sum >= -3"},
	} {
		if _, err := Parse(c.metric, c.expr); err != nil {
			t.Errorf("Parse(%q, %q) = %v, want no error", c.metric, c.expr, err)
		}
	}
}

func TestThreshold_WithinRange(t *testing.T) {
	tests := []struct {
		expr string
		want string
	}{
		{"avg >= 0.9", ""},
		{"avg >= -1", "avg >= -1: is always met, so it checks nothing: correctness avg runs from 0 to 1"},
		{"avg > 1", "avg > 1: can never be met: correctness avg runs from 0 to 1"},
		{"p95 <= 1.5", "p95 <= 1.5: is always met, so it checks nothing: correctness p95 runs from 0 to 1"},
		{"0 <= avg <= 1", "0 <= avg <= 1: is always met, so it checks nothing: correctness avg runs from 0 to 1"},
		{"0.5 <= avg <= 2", ""},
		{"1.2 <= min <= 2", "1.2 <= min <= 2: can never be met: correctness min runs from 0 to 1"},
		{"sum >= 40", ""},
		{"count >= 10", ""},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			err := MustParse("correctness", tt.expr).WithinRange(0, 1)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("WithinRange = %q, want %q", got, tt.want)
			}
		})
	}
}
