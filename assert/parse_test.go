package assert

import (
	"errors"
	"strings"
	"testing"
)

func TestParse_Valid(t *testing.T) {
	tests := []struct {
		metric, expr string
		want         string // canonical String()
		stat         string // Stat()
	}{
		// every statistic
		{"correctness", "avg >= 0.95", "avg >= 0.95", "avg"},
		{"correctness", "min >= 0.5", "min >= 0.5", "min"},
		{"correctness", "max <= 1", "max <= 1", "max"},
		{"correctness", "sum >= 8", "sum >= 8", "sum"},
		{"correctness", "count == 10", "count == 10", "count"},
		{"correctness", "p50 >= 0.7", "p50 >= 0.7", "p50"},
		{"correctness", "p90 >= 0.6", "p90 >= 0.6", "p90"},
		{"correctness", "p95 > 0.6", "p95 > 0.6", "p95"},
		{"correctness", "p99 > 0.5", "p99 > 0.5", "p99"},
		{"correctness", "rate(1) >= 0.9", "rate(1) >= 0.9", "rate(1)"},
		// every comparator
		{"correctness", "avg > 0.9", "avg > 0.9", "avg"},
		{"correctness", "avg <= 0.9", "avg <= 0.9", "avg"},
		{"correctness", "avg < 0.9", "avg < 0.9", "avg"},
		{"correctness", "avg == 0.9", "avg == 0.9", "avg"},
		{"correctness", "avg != 0.9", "avg != 0.9", "avg"},
		// spacing, case and number forms
		{"correctness", "avg>=0.95", "avg >= 0.95", "avg"},
		{"correctness", "  AVG\t>=  .95 ", "avg >= 0.95", "avg"},
		{"correctness", "avg >= 0.950", "avg >= 0.95", "avg"},
		{"correctness", "min >= -1", "min >= -1", "min"},
		{"correctness", "avg >= -.5", "avg >= -0.5", "avg"},
		{"correctness", "avg >= 1.", "avg >= 1", "avg"},
		{"num_total_tokens", "sum <= 1e6", "sum <= 1000000", "sum"},
		{"num_total_tokens", "sum <= 1E+3", "sum <= 1000", "sum"},
		{"correctness", "avg >= 5e-7", "avg >= 5e-07", "avg"},
		{"num_total_tokens", "sum <= 1e22", "sum <= 1e+22", "sum"},
		// percentages
		{"correctness", "avg >= 95%", "avg >= 95%", "avg"},
		{"correctness", "p50 >= 87.5%", "p50 >= 87.5%", "p50"},
		// durations
		{"latency", "p95 <= 2s", "p95 <= 2s", "p95"},
		{"latency", "avg < 1500ms", "avg < 1500ms", "avg"},
		{"latency", "max <= 1.5m", "max <= 1.5m", "max"},
		{"latency", "min >= 250us", "min >= 250us", "min"},
		{"latency", "p50 <= 900000ns", "p50 <= 900000ns", "p50"},
		{"latency", "p99 <= 2000000000", "p99 <= 2000000000ns", "p99"},
		{"duration_ns", "sum <= 1m", "sum <= 1m", "sum"},
		{"Latency", "p95 <= 2s", "p95 <= 2s", "p95"},
		// cost
		{"cost", "sum <= $0.50", "sum <= $0.5", "sum"},
		{"cost", "avg <= $0.01", "avg <= $0.01", "avg"},
		{"cost", "sum <= 0.5", "sum <= $0.5", "sum"},
		{"cost", "count >= 10", "count >= 10", "count"},
		// token counts
		{"num_input_tokens", "avg <= 500", "avg <= 500", "avg"},
		{"num_output_tokens", "max < 2048", "max < 2048", "max"},
		// rate keys
		{"is_polite", "rate(true) >= 90%", "rate(1) >= 90%", "rate(1)"},
		{"is_polite", "RATE(False) <= 0.1", "rate(0) <= 0.1", "rate(0)"},
		{"tone", `rate("yes") > 0.5`, `rate("yes") > 0.5`, `rate("yes")`},
		{"tone", `rate('yes') > 0.5`, `rate("yes") > 0.5`, `rate("yes")`},
		{"tone", `rate(yes) > 0.5`, `rate("yes") > 0.5`, `rate("yes")`},
		{"tone", `rate("true") > 0.5`, `rate("true") > 0.5`, `rate("true")`},
		{"tone", `rate("1") > 0.5`, `rate(1) > 0.5`, `rate(1)`},
		{"tone", `rate("a \"b\"") > 0.5`, `rate("a \"b\"") > 0.5`, `rate("a \"b\"")`},
		{"tone", `rate( 2.5 ) > 0.5`, `rate(2.5) > 0.5`, `rate(2.5)`},
		{"latency", `rate(1) >= 50%`, `rate(1) >= 50%`, `rate(1)`},
		{"cost", `rate(0) <= 0.1`, `rate(0) <= 0.1`, `rate(0)`},
		// value first, ranges
		{"correctness", "0.9 <= avg", "avg >= 0.9", "avg"},
		{"correctness", "0.9 > p50", "p50 < 0.9", "p50"},
		{"correctness", "0.9 == avg", "avg == 0.9", "avg"},
		{"correctness", "0.8 <= avg <= 1", "0.8 <= avg <= 1", "avg"},
		{"correctness", "0.8 < avg < 1", "0.8 < avg < 1", "avg"},
		{"correctness", "0.8<avg<=1", "0.8 < avg <= 1", "avg"},
		{"correctness", "1 >= avg > 0.8", "0.8 < avg <= 1", "avg"},
		{"correctness", "80% <= avg <= 100%", "80% <= avg <= 100%", "avg"},
		{"correctness", "0.8 <= avg <= 100%", "0.8 <= avg <= 100%", "avg"},
		{"correctness", "0.5 <= avg <= 0.5", "0.5 <= avg <= 0.5", "avg"},
		{"latency", "500ms <= p50 <= 2s", "500ms <= p50 <= 2s", "p50"},
		{"latency", "1s <= p50 <= 1000ms", "1s <= p50 <= 1000ms", "p50"},
		{"cost", "$0.1 <= avg < $1", "$0.1 <= avg < $1", "avg"},
		{"tone", "10% <= rate(yes) <= 20%", `10% <= rate("yes") <= 20%`, `rate("yes")`},
		// metric names are kept, trimmed
		{" Context Adherence ", "avg >= 0.8", "avg >= 0.8", "avg"},
	}
	for _, tt := range tests {
		t.Run(tt.metric+"/"+tt.expr, func(t *testing.T) {
			th, err := Parse(tt.metric, tt.expr)
			if err != nil {
				t.Fatalf("Parse(%q, %q): %v", tt.metric, tt.expr, err)
			}
			if got := th.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			if got := th.Stat(); got != tt.stat {
				t.Errorf("Stat() = %q, want %q", got, tt.stat)
			}
			if got, want := th.Metric, strings.TrimSpace(tt.metric); got != want {
				t.Errorf("Metric = %q, want %q", got, want)
			}
			again, err := Parse(th.Metric, th.String())
			if err != nil {
				t.Fatalf("re-parse of %q: %v", th.String(), err)
			}
			if again != th {
				t.Errorf("re-parse of %q gave %#v, want %#v", th.String(), again, th)
			}
		})
	}
}

func TestParse_Equivalent(t *testing.T) {
	tests := []struct {
		metric, a, b string
	}{
		{"correctness", "avg >= 0.9", "0.9 <= avg"},
		{"correctness", "AVG>=0.90", "avg >= .9"},
		{"correctness", "0.8 <= avg < 1", "1 > avg >= 0.8"},
		{"latency", "p95 <= 2000000000", "p95 <= 2000000000ns"},
		{"cost", "sum <= 0.5", "sum <= $0.50"},
		{"flag", "rate(true) >= 0.9", `rate("1") >= 0.9`},
	}
	for _, tt := range tests {
		a, b := MustParse(tt.metric, tt.a), MustParse(tt.metric, tt.b)
		if a != b {
			t.Errorf("Parse(%q) = %q and Parse(%q) = %q differ", tt.a, a, tt.b, b)
		}
	}
	if MustParse("c", "avg >= 95%") == MustParse("c", "avg >= 0.95") {
		t.Error("95% and 0.95 compare equal; each should keep the unit it was written with")
	}
	if MustParse("a", "avg >= 0.9") == MustParse("b", "avg >= 0.9") {
		t.Error("thresholds on different metrics compare equal")
	}
}

func TestParse_Errors(t *testing.T) {
	const stats = "; valid statistics: avg, min, max, sum, count, p50, p90, p95, p99, rate(value)"
	tests := []struct {
		metric, expr string
		col          int
		msg          string // the exact message
	}{
		{"correctness", "avg >== 0.9", 7, "expected a number"},
		{"correctness", "", 1, "empty expression"},
		{"correctness", "   ", 1, "empty expression"},
		{"correctness", "avg", 4, "expected a comparator (>=, >, <=, <, ==, !=), found end of expression"},
		{"correctness", "avg 0.9", 5, "expected a comparator (>=, >, <=, <, ==, !=)"},
		{"correctness", "avg = 0.9", 5, "expected a comparator (>=, >, <=, <, ==, !=); use == for equality"},
		{"correctness", "avg => 0.9", 5, "expected a comparator (>=, >, <=, <, ==, !=); write >= rather than =>"},
		{"correctness", "avg =< 0.9", 5, "expected a comparator (>=, >, <=, <, ==, !=); write <= rather than =<"},
		{"correctness", "avg = > 0.9", 5, "expected a comparator (>=, >, <=, <, ==, !=); use == for equality"},
		{"latency", "p95 <= 2 s", 10, `unexpected "s" after the threshold; write the unit right after the number, e.g. 2s or 95%`},
		{"correctness", "avg >= 95 %", 11, `unexpected "%" after the threshold; write the unit right after the number, e.g. 2s or 95%`},
		{"latency", "1 s <= p95", 3, `expected a comparator (>=, >, <=, <, ==, !=); write the unit right after the number, e.g. 2s or 95%`},
		{"cost", "sum <= $ 0.5", 10, "write a dollar amount without a space, e.g. $0.50"},
		{"correctness", "avg >= 0.9 avg", 12, `unexpected "avg" after the threshold`},
		{"correctness", "avg ! 0.9", 5, "expected a comparator (>=, >, <=, <, ==, !=)"},
		{"correctness", "avg >=", 7, "expected a number, found end of expression"},
		{"correctness", "avg >= high", 8, "expected a number"},
		{"correctness", "avg >= -", 8, "expected a number"},
		{"correctness", "avg >= 0.9 0.8", 12, `unexpected "0.8" after the threshold`},
		{"correctness", "avg >= 0.9 <= 1", 12, `unexpected "<=" after the threshold; write a range as 0.8 <= avg <= 1`},
		{"correctness", "avg >= 0.9 and p50 >= 0.8", 12, `unexpected "and" after the threshold`},
		{"correctness", "avg >= 0.9,", 11, `unexpected "," after the threshold`},
		{"correctness", ">= 0.9", 1, "expected a statistic (avg, min, max, sum, count, p50, p90, p95, p99, rate(value)) or a number"},
		{"correctness", "p10 >= 0.6", 1, `unknown statistic "p10": the server publishes only the percentiles p50, p90, p95 and p99` + stats},
		{"correctness", "p75 >= 0.6", 1, `unknown statistic "p75": the server publishes only the percentiles p50, p90, p95 and p99` + stats},
		{"correctness", "P25 >= 0.6", 1, `unknown statistic "P25": the server publishes only the percentiles p50, p90, p95 and p99` + stats},
		{"correctness", "mean >= 0.6", 1, `unknown statistic "mean" (for the mean use avg)` + stats},
		{"correctness", "median >= 0.6", 1, `unknown statistic "median" (for the median use p50)` + stats},
		{"correctness", "total >= 6", 1, `unknown statistic "total" (for the total use sum)` + stats},
		{"correctness", "correctness >= 0.6", 1, `unknown statistic "correctness": the metric is named separately, the expression starts with a statistic, e.g. avg >= 0.95` + stats},
		{"correctness", "stddev < 0.1", 1, `unknown statistic "stddev"` + stats},
		{"correctness", "0.8 <= 1", 8, "expected a statistic (avg, min, max, sum, count, p50, p90, p95, p99, rate(value))"},
		{"correctness", "0.8 <=", 7, "expected a statistic (avg, min, max, sum, count, p50, p90, p95, p99, rate(value)), found end of expression"},
		{"correctness", "0.8 <= p10 <= 1", 8, `unknown statistic "p10": the server publishes only the percentiles p50, p90, p95 and p99` + stats},
		// units
		{"correctness", "avg >= $0.5", 8, `unit "$" does not apply to correctness avg, which takes a plain number or a percentage (e.g. 0.95 or 95%)`},
		{"correctness", "avg >= 0.5ms", 11, `unit "ms" does not apply to correctness avg, which takes a plain number or a percentage (e.g. 0.95 or 95%)`},
		{"correctness", "avg >= 0.9x", 11, `unknown unit "x": correctness avg takes a plain number or a percentage (e.g. 0.95 or 95%)`},
		{"correctness", "sum >= 90%", 10, `unit "%" does not apply to correctness sum, which takes a plain number`},
		{"correctness", "count >= 90%", 12, `unit "%" does not apply to correctness count, which takes a plain number`},
		{"cost", "avg <= 5ms", 9, `unit "ms" does not apply to cost avg, which takes a dollar amount (e.g. $0.50)`},
		{"cost", "sum <= 50%", 10, `unit "%" does not apply to cost sum, which takes a dollar amount (e.g. $0.50)`},
		{"cost", "count >= $1", 10, `unit "$" does not apply to cost count, which takes a plain number`},
		{"cost", "sum <= 0.5$", 11, "put $ before the amount, e.g. $0.50"},
		{"cost", "sum <= $0.5ms", 12, `unexpected "ms" after a $ amount, which takes no other unit`},
		{"cost", "sum <= $", 9, "expected a number, found end of expression"},
		{"cost", "sum <= $$1", 9, "expected a number"},
		{"latency", "p95 <= 2sec", 9, `unknown unit "sec": latency p95 takes a duration in ns, us, ms, s or m (e.g. 2s or 500ms)`},
		{"latency", "p95 <= 2MS", 9, `unknown unit "MS": latency p95 takes a duration in ns, us, ms, s or m (e.g. 2s or 500ms)`},
		{"latency", "p95 <= 2µs", 9, `unknown unit "µs": latency p95 takes a duration in ns, us, ms, s or m (e.g. 2s or 500ms)`},
		{"latency", "p95 <= 95%", 10, `unit "%" does not apply to latency p95, which takes a duration in ns, us, ms, s or m (e.g. 2s or 500ms)`},
		{"duration_ns", "avg <= $1", 8, `unit "$" does not apply to duration_ns avg, which takes a duration in ns, us, ms, s or m (e.g. 2s or 500ms)`},
		{"num_input_tokens", "avg <= 5%", 9, `unit "%" does not apply to num_input_tokens avg, which takes a plain number`},
		{"num_input_tokens", "avg <= 5k", 9, `unknown unit "k": num_input_tokens avg takes a plain number`},
		{"tone", "rate(yes) >= 0.9s", 17, `unit "s" does not apply to tone rate("yes"), which takes a plain number or a percentage (e.g. 0.95 or 95%)`},
		{"latency", "rate(1) >= 2s", 13, `unit "s" does not apply to latency rate(1), which takes a plain number or a percentage (e.g. 0.95 or 95%)`},
		{"latency", "$1 <= p95 <= 2s", 1, `unit "$" does not apply to latency p95, which takes a duration in ns, us, ms, s or m (e.g. 2s or 500ms)`},
		// numbers
		{"correctness", "avg >= 1e999", 8, "number 1e999 is out of range"},
		{"latency", "p95 <= 1e300m", 8, "number 1e+300m is out of range"},
		// rate
		{"tone", "rate >= 0.5", 6, `expected "(" after rate, e.g. rate(1) >= 90%`},
		{"tone", "rate", 5, `expected "(" after rate, e.g. rate(1) >= 90%, found end of expression`},
		{"tone", "rate() >= 0.5", 6, `expected a value inside rate(...), e.g. rate(1), rate(true) or rate("yes")`},
		{"tone", "rate(", 6, `expected a value inside rate(...), e.g. rate(1), rate(true) or rate("yes"), found end of expression`},
		{"tone", `rate("") >= 0.5`, 6, "rate needs a non-empty value"},
		{"tone", "rate(yes >= 0.5", 10, `expected ")" to close rate(`},
		{"tone", "rate(yes no) >= 0.5", 10, `expected ")" to close rate(`},
		{"tone", `rate("yes) >= 0.5`, 6, `unterminated string: missing closing "`},
		{"tone", `rate('yes) >= 0.5`, 6, `unterminated string: missing closing '`},
		{"tone", `rate("a\q") >= 0.5`, 6, `invalid escape in string: use Go escapes such as \" and \\`},
		// ranges
		{"correctness", "0.8 <= avg >= 1", 12, "a range needs both comparators pointing the same way, e.g. 0.8 <= avg <= 1"},
		{"correctness", "0.8 == avg <= 1", 5, "== cannot be used in a range; use < or <=, e.g. 0.8 <= avg <= 1"},
		{"correctness", "0.8 <= avg != 1", 12, "!= cannot be used in a range; use < or <=, e.g. 0.8 <= avg <= 1"},
		{"correctness", "1 <= avg <= 0.8", 1, "empty range: no value satisfies 1 <= avg <= 0.8"},
		{"correctness", "0.8 >= avg >= 1", 1, "empty range: no value satisfies 1 <= avg <= 0.8"},
		{"correctness", "0.5 < avg <= 0.5", 1, "empty range: no value satisfies 0.5 < avg <= 0.5"},
		{"latency", "2s <= p95 <= 1500ms", 1, "empty range: no value satisfies 2s <= p95 <= 1500ms"},
		{"correctness", "0.8 <= avg <=", 14, "expected a number, found end of expression"},
		{"correctness", "0.8 <= avg <= 1 <= 2", 17, `unexpected "<=" after the threshold; write a range as 0.8 <= avg <= 1`},
		// columns count characters, not bytes
		{"tone", `rate("héllo") >= 0.5x`, 21, `unknown unit "x": tone rate("héllo") takes a plain number or a percentage (e.g. 0.95 or 95%)`},
		{"correctness", "avg ≥ 0.9", 5, "expected a comparator (>=, >, <=, <, ==, !=)"},
	}
	for _, tt := range tests {
		t.Run(tt.metric+"/"+tt.expr, func(t *testing.T) {
			_, err := Parse(tt.metric, tt.expr)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q, %q) error = %v, want a *ParseError", tt.metric, tt.expr, err)
			}
			if pe.Col != tt.col || pe.Msg != tt.msg || pe.Expr != tt.expr {
				t.Errorf("Parse(%q, %q) error:\n got col %d: %s\nwant col %d: %s", tt.metric, tt.expr, pe.Col, pe.Msg, tt.col, tt.msg)
			}
		})
	}
}

func TestParse_EmptyMetric(t *testing.T) {
	for _, metric := range []string{"", "  "} {
		_, err := Parse(metric, "avg >= 0.9")
		if err == nil {
			t.Fatalf("Parse(%q, ...) succeeded, want an error for the empty metric name", metric)
		}
		if want := `assert: threshold "avg >= 0.9" has an empty metric name`; err.Error() != want {
			t.Errorf("error = %q, want %q", err, want)
		}
	}
}

func TestParseError_Error(t *testing.T) {
	_, err := Parse("correctness", "avg >== 0.9")
	if got, want := err.Error(), "avg >== 0.9: column 7: expected a number"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestParseError_Caret(t *testing.T) {
	tests := []struct {
		err  ParseError
		want string
	}{
		{ParseError{Expr: "avg >== 0.9", Col: 7}, "avg >== 0.9\n      ^"},
		{ParseError{Expr: "avg", Col: 4}, "avg\n   ^"},
		{ParseError{Expr: "avg", Col: 1}, "avg\n^"},
		{ParseError{Expr: "\tavg x", Col: 6}, "\tavg x\n\t    ^"},
		{ParseError{Expr: "é >= x", Col: 6}, "é >= x\n     ^"},
	}
	for _, tt := range tests {
		if got := tt.err.Caret(); got != tt.want {
			t.Errorf("Caret() of %q col %d =\n%s\nwant\n%s", tt.err.Expr, tt.err.Col, got, tt.want)
		}
	}
}

func TestMustParse(t *testing.T) {
	if got := MustParse("correctness", "avg >= 0.95").String(); got != "avg >= 0.95" {
		t.Errorf("MustParse(...).String() = %q", got)
	}
	defer func() {
		r := recover()
		msg, _ := r.(string)
		if want := `assert.MustParse("correctness", "avg >"): avg >: column 6: expected a number, found end of expression`; msg != want {
			t.Errorf("panic = %v, want %q", r, want)
		}
	}()
	MustParse("correctness", "avg >")
	t.Error("MustParse did not panic on a malformed expression")
}

func TestThreshold_String_zero(t *testing.T) {
	if got := (Threshold{}).String(); got != "" {
		t.Errorf("zero Threshold String() = %q, want empty", got)
	}
}
