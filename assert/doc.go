// Package assert is the threshold language of the test harness: it parses
// expressions such as "avg >= 0.95", "p95 <= 2s", "sum <= $0.50" or
// "rate(true) >= 90%" once, evaluates them against one metric's
// server-side aggregates, and explains the outcome in one line.
//
// # Quick start
//
//	th, err := assert.Parse("latency", "p95 <= 2s")
//	if err != nil {
//		return err // *assert.ParseError: "p95 <= 2sec: column 9: unknown unit ..."
//	}
//	p95, rows := 2.4e9, int64(10) // duration_ns is in nanoseconds
//	res := th.Evaluate(&galileo.MetricAggregates{P95: &p95, Count: &rows})
//	if !res.Pass {
//		fmt.Println(res.Explanation) // latency p95 = 2.4s, want <= 2s (10 rows)
//	}
//
// A threshold is bound to a metric name: a scorer's name, label or UUID,
// or a system metric (cost, latency alias duration_ns, num_input_tokens,
// num_output_tokens, num_total_tokens). CanonicalMetric gives the key of
// the metric's aggregates on the server.
//
// # Grammar
//
//	threshold = stat cmp value
//	          | stat cmp baseline       ; avg or pNN against a baseline run
//	          | value cmp stat          ; same as: stat mirrored-cmp value
//	          | value lt stat lt value  ; a range, e.g. 0.8 <= avg <= 1
//	          | value gt stat gt value  ; a range written downwards
//	stat      = avg | min | max | sum | count | p50 | p90 | p95 | p99
//	          | rate "(" key ")"
//	key       = number | true | false | word | quoted-string
//	cmp       = ">=" | ">" | "<=" | "<" | "==" | "!="
//	lt        = "<" | "<="
//	gt        = ">" | ">="
//	baseline  = "baseline" [("+" | "-") value]   ; e.g. baseline - 0.02, baseline + 200ms
//	value     = number [unit] | "$" number
//	unit      = "%" | "ns" | "us" | "ms" | "s" | "m"
//	number    = ["-"] digits ["." digits] [("e"|"E") ["+"|"-"] digits]
//
// White space between tokens is optional, but a unit is written right
// after its number (2s, 95%, $0.50), without a space. Statistic names, rate and
// true/false are case-insensitive; units are not. The server publishes only
// the percentiles p50, p90, p95 and p99, so any other (p10, p75, ...) is a
// parse error. rate(v) is the share of rows whose value is v, from the
// metric's value distribution; true and false mean the keys "1" and "0";
// a quoted string (Go escapes in "...", none in '...') is taken as written.
// A range must not be empty (1 <= avg <= 0.8 is an error).
//
// A threshold on a baseline ("avg >= baseline - 0.02", "p95 <= baseline +
// 200ms") compares with the same statistic of another experiment: its
// offset is a value of the statistic's units, Threshold.Baseline returns
// it, and AgainstBaseline puts the baseline's value in. Evaluating it
// without a baseline fails ("no baseline to compare with"); the harness
// and package report judge it against the experiment's baseline.
//
// # Units
//
// A number is compared in the metric's base unit. Which units a number may
// carry depends on the metric and the statistic; any other is an error:
//
//	metric                    statistic         units              a bare number is
//	latency (duration_ns)     avg min max sum   ns us ms s m       nanoseconds
//	                          p50 p90 p95 p99   (m is minutes)
//	cost                      the same          $ before: $0.50    dollars
//	num_*_tokens              the same          none               tokens
//	any scorer metric         avg min max pNN   % (95% = 0.95)     a plain value
//	any scorer metric         sum               none               a plain value
//	any metric                count             none               rows
//	any metric                rate(v)           % (90% = 0.9)      a fraction 0..1
//
// A bare number on latency or cost is given the unit ns or $, so
// "p95 <= 2000000000" prints back as "p95 <= 2000000000ns". Threshold.String
// keeps the unit each number was written with, and Parse(t.Metric,
// t.String()) returns a threshold equal to t.
//
// # Parse errors
//
// A malformed expression yields a *ParseError. Its Error method renders
// "<expr>: column <n>: <message>", with the column (1-based, in characters)
// of the offending token, and Caret adds a line with a caret under it:
//
//	avg >== 0.9: column 7: expected a number
//	p10 >= 0.6: column 1: unknown statistic "p10": the server publishes only the percentiles p50, p90, p95 and p99; valid statistics: avg, min, max, sum, count, p50, p90, p95, p99, rate(value)
//	avg >= $0.5: column 8: unit "$" does not apply to correctness avg, which takes a plain number or a percentage (e.g. 0.95 or 95%)
//	avg <= 5ms: column 9: unit "ms" does not apply to cost avg, which takes a dollar amount (e.g. $0.50)
//	p95 <= 2sec: column 9: unknown unit "sec": latency p95 takes a duration in ns, us, ms, s or m (e.g. 2s or 500ms)
//	avg = 0.9: column 5: expected a comparator (>=, >, <=, <, ==, !=); use == for equality
//	1 <= avg <= 0.8: column 1: empty range: no value satisfies 1 <= avg <= 0.8
//	avg >= 150%: column 8: can never be met: correctness avg, written as a percentage, is a fraction from 0% to 100%
//	rate(1) >= 150%: column 12: can never be met: is_polite rate(1) is a share of rows from 0% to 100%
//	p95 <= -2s: column 8: can never be met: latency p95 is a duration, never negative
//	sum <= $-1: column 8: can never be met: cost sum is an amount in dollars, never negative
//	p95 >= 0s: column 8: is always met, so it checks nothing: latency p95 is a duration, never negative
//	count >= 0: column 10: is always met, so it checks nothing: correctness count is a number of rows, never negative
//
// When the expression ends too early the message ends in
// ", found end of expression" and the column is one past the last
// character.
//
// # Thresholds that cannot fail or cannot pass
//
// A threshold that no value of its statistic can meet, or that every value
// meets, is a parse error, where the statistic's values are known for
// sure: rate(v) is a share of rows from 0 to 1 (0% to 100%); count is a
// number of rows, and every statistic of latency, cost and token counts a
// duration, amount or number, none of them negative; a scorer statistic
// written with a percentage is a fraction from 0% to 100%. So avg >= 150%,
// rate(1) > 1, p95 <= -2s and sum <= $-1 can never be met; p95 >= 0s,
// count >= 0, rate(1) != 2 and 0 <= rate(1) <= 1 always are. A range is
// rejected when either bound cannot be met, or when neither can fail. The
// column points at the bound that cannot be met, or at the start of a
// threshold that cannot fail. A scorer's statistics written as plain
// numbers are not checked, since a scorer may return any number:
// avg >= -1 and 0 <= avg <= 1 parse.
//
// # Evaluation
//
// Threshold.Evaluate returns a Result whose Explanation is one line in one
// of these forms (the same text whether the threshold passed or not):
//
//	<metric> <stat> = <actual>, want <cmp> <value> (<n> rows)
//	<metric> <stat> = <actual>, want <lo> <lt> <stat> <lt> <hi> (<n> rows)
//	<metric> <stat> not reported, want <condition> (<n> rows)
//	invalid threshold (the zero Threshold; use Parse)
//
// for example:
//
//	correctness avg = 0.82, want >= 0.95 (10 rows)
//	latency p95 = 2.4s, want <= 2s (10 rows)
//	cost sum = $0.62, want <= $0.5 (10 rows)
//	tone rate("yes") = 85%, want >= 90% (20 rows)
//	correctness p95 not reported, want >= 0.9 (10 rows)
//
// The last form is for a Threshold that was not built by Parse (prefixed
// by "<metric>: " when its Metric is set). The row count is the aggregates' Count, or else the total of the value
// distribution; "(1 row)" is singular, and the part is left out when
// neither was reported. A statistic the server did not report (a nil field,
// or for rate an absent or empty distribution) fails as "not reported".
// Durations are shown in the largest unit that keeps them at 1 or more
// (ns, us, ms, s, m), cost with $, and a value as a percentage when the
// threshold is written with %. Values are rounded to four significant
// digits, or more where needed so that the shown value lies on the same
// side of every bound as the actual value. The wording is meant for people;
// read Pass and Actual rather than parsing it.
package assert
