package assert

import (
	"fmt"
	"math"
)

// span is the values a statistic can take, in base units, where they are
// known for sure.
type span struct {
	lo, hi float64 // hi is +Inf for no upper end
	desc   string  // what the statistic is, after "<metric> <stat>": " is a duration, never negative"
}

// spanOf returns the values the statistic of t can take on a metric of
// the given class, and false where they are not known for sure: a
// scorer's average, minimum, maximum and percentiles written as plain
// numbers (a custom scorer may return any number), and a scorer's sum.
func spanOf(class metricClass, t Threshold) (span, bool) {
	fraction := "from 0 to 1"
	if t.usesPercent() {
		fraction = "from 0% to 100%"
	}
	never := math.Inf(1)
	switch {
	case t.stat == statRate:
		return span{0, 1, " is a share of rows " + fraction}, true
	case t.stat == statCount:
		return span{0, never, " is a number of rows, never negative"}, true
	case class == classDuration:
		return span{0, never, " is a duration, never negative"}, true
	case class == classCost:
		return span{0, never, " is an amount in dollars, never negative"}, true
	case class == classTokens:
		return span{0, never, " is a number of tokens, never negative"}, true
	case t.usesPercent(): // a percentage is a share of a whole
		return span{0, 1, ", written as a percentage, is a fraction " + fraction}, true
	}
	return span{}, false
}

// decided reports whether "x op v" is false for every x of s (never) or
// true for every x of s (always).
func (s span) decided(op string, v float64) (never, always bool) {
	switch op {
	case ">=":
		return v > s.hi, v <= s.lo
	case ">":
		return v >= s.hi, v < s.lo
	case "<=":
		return v < s.lo, v >= s.hi
	case "<":
		return v <= s.lo, v > s.hi
	case "==":
		return v < s.lo || v > s.hi, false
	case "!=":
		return false, v < s.lo || v > s.hi
	}
	return false, false
}

// reach rejects a threshold that can never be met, or never fail, because
// of the values its statistic can take. col is the column of the
// threshold's number, or of the first number of a range; loCol and hiCol
// are the columns of a range's lower and upper bounds.
func (p *parser) reach(t Threshold, col, loCol, hiCol int) error {
	s, known := spanOf(p.class, t)
	if !known {
		return nil
	}
	why := p.metric + " " + t.Stat() + s.desc
	if t.op != "" {
		switch never, always := s.decided(t.op, t.val.base()); {
		case never:
			return p.fail(col, "can never be met: "+why)
		case always:
			return p.fail(col, "is always met, so it checks nothing: "+why)
		}
		return nil
	}
	neverLo, alwaysLo := s.decided(flip(t.loOp), t.lo.base())
	neverHi, alwaysHi := s.decided(t.hiOp, t.hi.base())
	switch {
	case neverLo:
		return p.fail(loCol, "can never be met: "+why)
	case neverHi:
		return p.fail(hiCol, "can never be met: "+why)
	case alwaysLo && alwaysHi:
		return p.fail(col, "is always met, so it checks nothing: "+why)
	}
	return nil
}

// WithinRange checks the threshold against a statistic known to lie from
// lo to hi — a scorer whose scores run from 0 to 1, for example, which
// only the server's scorer record tells (Parse checks what the metric's
// name alone tells). It returns an error saying so when the threshold can
// never be met there, or is always met and so checks nothing. Sums and
// counts grow with the rows and rates are checked by Parse, and a
// threshold on a baseline moves with the baseline: they pass.
func (t Threshold) WithinRange(lo, hi float64) error {
	switch t.stat {
	case statSum, statCount, statRate, "":
		return nil
	}
	if t.baseline {
		return nil
	}
	s := span{lo: lo, hi: hi}
	why := fmt.Sprintf("%s %s runs from %s to %s", t.Metric, t.Stat(), formatNumber(lo), formatNumber(hi))
	if t.op != "" {
		switch never, always := s.decided(t.op, t.val.base()); {
		case never:
			return fmt.Errorf("%s: can never be met: %s", t, why)
		case always:
			return fmt.Errorf("%s: is always met, so it checks nothing: %s", t, why)
		}
		return nil
	}
	neverLo, alwaysLo := s.decided(flip(t.loOp), t.lo.base())
	neverHi, alwaysHi := s.decided(t.hiOp, t.hi.base())
	switch {
	case neverLo || neverHi:
		return fmt.Errorf("%s: can never be met: %s", t, why)
	case alwaysLo && alwaysHi:
		return fmt.Errorf("%s: is always met, so it checks nothing: %s", t, why)
	}
	return nil
}
