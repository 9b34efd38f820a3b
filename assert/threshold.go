package assert

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Threshold is one parsed threshold expression bound to a metric name.
// Build it with Parse or MustParse; the zero value is not a valid threshold.
// Threshold values are comparable with ==: two thresholds are equal when they
// name the same metric and have the same canonical String. Equivalent
// spellings that are normalised on parsing (upper-case statistic names,
// "0.9 <= avg" for "avg >= 0.9", a descending range, a bare number on cost
// or latency) compare equal; "95%" and "0.95" do not, because each keeps
// the unit it was written with.
type Threshold struct {
	// Metric is the metric name given to Parse without surrounding white
	// space, e.g. "correctness" or "latency". CanonicalMetric(Metric) is the
	// key of the metric's aggregates on the server.
	Metric string

	stat string // avg, min, max, sum, count, p50, p90, p95, p99 or rate
	key  string // the value counted by rate

	// A comparison "stat op val". Empty op means a range.
	op  string
	val bound

	// A range "lo loOp stat hiOp hi"; loOp and hiOp are each < or <=.
	loOp, hiOp string
	lo, hi     bound

	// baseline marks "stat op baseline [± val]": val is then the offset
	// from the baseline's value.
	baseline bool
}

// bound is a number as written in an expression, with its unit.
type bound struct {
	num  float64
	unit string // "", "$", "%", "ns", "us", "ms", "s" or "m"
}

// Parse parses expr, a threshold on the named metric, such as "avg >= 0.95",
// "p95 <= 2s", "sum <= $0.50", "rate(true) >= 90%" or "0.8 <= avg <= 1".
// The grammar and the units each metric accepts are listed in the package
// documentation. A malformed expression, or one that can never be met or
// never fail (see the package documentation), yields a *ParseError whose
// Col points at the problem; an empty metric name yields a plain error.
func Parse(metric, expr string) (Threshold, error) {
	m := strings.TrimSpace(metric)
	if m == "" {
		return Threshold{}, errors.New("assert: threshold " + strconv.Quote(expr) + " has an empty metric name")
	}
	toks, err := lex(expr)
	if err != nil {
		return Threshold{}, err
	}
	p := &parser{expr: expr, toks: toks, metric: m, class: metricClassOf(m)}
	return p.parse()
}

// MustParse is like Parse but panics when the expression does not parse.
// It is meant for thresholds written as constants in Go code.
func MustParse(metric, expr string) Threshold {
	t, err := Parse(metric, expr)
	if err != nil {
		panic(fmt.Sprintf("assert.MustParse(%q, %q): %v", metric, expr, err))
	}
	return t
}

// String returns the canonical expression, e.g. "avg >= 0.95",
// "p95 <= 2s", "sum <= $0.5", `rate("yes") >= 90%` or "0.8 <= avg <= 1".
// Parse(t.Metric, t.String()) returns a Threshold equal to t.
func (t Threshold) String() string {
	if t.stat == "" {
		return ""
	}
	if t.op == "" {
		return t.lo.String() + " " + t.loOp + " " + t.Stat() + " " + t.hiOp + " " + t.hi.String()
	}
	if t.baseline {
		return t.Stat() + " " + t.op + " " + t.baselineText()
	}
	return t.Stat() + " " + t.op + " " + t.val.String()
}

// Stat returns the statistic the threshold tests: one of avg, min, max,
// sum, count, p50, p90, p95, p99, or rate(v) written canonically, e.g.
// "rate(1)" for rate(true) and `rate("yes")` for rate(yes).
func (t Threshold) Stat() string {
	if t.stat != statRate {
		return t.stat
	}
	if isNumberText(t.key) {
		return "rate(" + t.key + ")"
	}
	return "rate(" + strconv.Quote(t.key) + ")"
}

// condition renders what the threshold wants, as shown after "want" in an
// explanation: ">= 0.95", ">= baseline - 0.02" or "0.8 <= avg <= 1".
func (t Threshold) condition() string {
	if t.op == "" {
		return t.String()
	}
	if t.baseline {
		return t.op + " " + t.baselineText()
	}
	return t.op + " " + t.val.String()
}

// bounds returns the threshold's numbers in base units.
func (t Threshold) bounds() []float64 {
	if t.op == "" {
		return []float64{t.lo.base(), t.hi.base()}
	}
	return []float64{t.val.base()}
}

// usesPercent reports whether a number of the threshold is written with %.
func (t Threshold) usesPercent() bool {
	if t.op == "" {
		return t.lo.unit == unitPercent || t.hi.unit == unitPercent
	}
	return t.val.unit == unitPercent
}

// holds reports whether x, in base units, satisfies the threshold.
func (t Threshold) holds(x float64) bool {
	if t.op == "" {
		return compare(t.lo.base(), t.loOp, x) && compare(x, t.hiOp, t.hi.base())
	}
	return compare(x, t.op, t.val.base())
}

// compare evaluates "x op y".
func compare(x float64, op string, y float64) bool {
	switch op {
	case ">=":
		return x >= y
	case ">":
		return x > y
	case "<=":
		return x <= y
	case "<":
		return x < y
	case "==":
		return x == y
	case "!=":
		return x != y
	}
	return false
}

// String renders the bound as it is written in a canonical expression.
func (b bound) String() string {
	if b.unit == unitDollar {
		return "$" + formatNumber(b.num)
	}
	return formatNumber(b.num) + b.unit
}

// base returns the bound in the metric's base unit: nanoseconds for
// durations, dollars for cost, a fraction for percentages.
func (b bound) base() float64 {
	switch b.unit {
	case unitPercent:
		return b.num / 100
	case "us":
		return b.num * 1e3
	case "ms":
		return b.num * 1e6
	case "s":
		return b.num * 1e9
	case "m":
		return b.num * 60e9
	}
	return b.num
}

// formatNumber renders f so that the lexer reads it back as the same
// float64: plain decimals for ordinary magnitudes, exponent form otherwise.
func formatNumber(f float64) string {
	a := math.Abs(f)
	switch {
	case f == 0:
		return "0"
	case a >= 1e-6 && a < 1e21:
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// Holds reports whether x, a value of the statistic in base units,
// satisfies the threshold. The zero Threshold holds for nothing.
func (t Threshold) Holds(x float64) bool {
	if t.stat == "" {
		return false
	}
	return t.holds(x)
}

// Format renders x, a value of the statistic in base units, as an
// explanation shows it: with the threshold's unit (2.4s, $0.62, 85%) and
// enough digits to lie on the same side of every bound as x. Infinite
// values are written "-inf" and "+inf".
func (t Threshold) Format(x float64) string {
	switch {
	case math.IsInf(x, 1):
		return "+inf"
	case math.IsInf(x, -1):
		return "-inf"
	}
	return t.display(x)
}

// Convex reports whether the values that satisfy the threshold form one
// interval (every comparison but == and !=), so that an interval of the
// statistic lies wholly inside when both its ends do.
func (t Threshold) Convex() bool {
	return t.stat != "" && t.op != "==" && t.op != "!="
}

// Quantile returns the quantile a percentile statistic stands for (0.95 for
// p95) and false for every other statistic.
func (t Threshold) Quantile() (float64, bool) {
	switch t.stat {
	case "p50":
		return 0.5, true
	case "p90":
		return 0.9, true
	case "p95":
		return 0.95, true
	case "p99":
		return 0.99, true
	}
	return 0, false
}
