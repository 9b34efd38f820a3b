package assert

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Statistic names.
const (
	statAvg   = "avg"
	statMin   = "min"
	statMax   = "max"
	statSum   = "sum"
	statCount = "count"
	statP50   = "p50"
	statP90   = "p90"
	statP95   = "p95"
	statP99   = "p99"
	statRate  = "rate"

	statList = "avg, min, max, sum, count, p50, p90, p95, p99, rate(value)"
)

// Units with a meaning of their own; durations use ns, us, ms, s and m.
const (
	unitDollar  = "$"
	unitPercent = "%"
)

// valueKind says which numbers a statistic of a metric takes.
type valueKind int

const (
	kindFraction valueKind = iota // a plain number or a percentage
	kindPlain                     // a plain number only
	kindDuration                  // ns, us, ms, s, m; a bare number is ns
	kindCost                      // $; a bare number is dollars
)

// kindOf returns the kind of number a threshold on stat of a metric of the
// given class takes.
func kindOf(class metricClass, stat string) valueKind {
	switch stat {
	case statCount:
		return kindPlain
	case statRate:
		return kindFraction
	}
	switch class {
	case classDuration:
		return kindDuration
	case classCost:
		return kindCost
	case classTokens:
		return kindPlain
	}
	if stat == statSum {
		return kindPlain
	}
	return kindFraction
}

// takes describes the accepted numbers for error messages.
func (k valueKind) takes() string {
	switch k {
	case kindPlain:
		return "a plain number"
	case kindDuration:
		return "a duration in ns, us, ms, s or m (e.g. 2s or 500ms)"
	case kindCost:
		return "a dollar amount (e.g. $0.50)"
	}
	return "a plain number or a percentage (e.g. 0.95 or 95%)"
}

// accepts reports whether a number of this kind may carry unit.
func (k valueKind) accepts(unit string) bool {
	switch k {
	case kindFraction:
		return unit == unitPercent
	case kindDuration:
		return unit == "ns" || unit == "us" || unit == "ms" || unit == "s" || unit == "m"
	case kindCost:
		return unit == unitDollar
	}
	return false
}

// bareUnit is the unit a number written without one is given.
func (k valueKind) bareUnit() string {
	switch k {
	case kindDuration:
		return "ns"
	case kindCost:
		return unitDollar
	}
	return ""
}

func knownUnit(u string) bool {
	switch u {
	case unitDollar, unitPercent, "ns", "us", "ms", "s", "m":
		return true
	}
	return false
}

// spacedUnitHint returns a hint when tok is a unit separated by white space
// from the number before it, and "" otherwise.
func (p *parser) spacedUnitHint(tok token) string {
	if (tok.kind != tIdent && tok.kind != tPercent) || !knownUnit(tok.text) {
		return ""
	}
	for i := 1; i < len(p.toks); i++ {
		if p.toks[i].col == tok.col && p.toks[i-1].kind == tNumber {
			return "; write the unit right after the number, e.g. 2s or 95%"
		}
	}
	return ""
}

// adjacent reports whether b follows a with no white space between them.
func adjacent(a, b token) bool {
	return b.col == a.col+utf8.RuneCountInString(a.text)
}

// flip mirrors a comparator so that "x op y" becomes "y flip(op) x".
func flip(op string) string {
	switch op {
	case ">=":
		return "<="
	case ">":
		return "<"
	case "<=":
		return ">="
	case "<":
		return ">"
	}
	return op
}

// parser is a recursive-descent parser over the tokens of one expression.
type parser struct {
	expr   string
	toks   []token
	i      int
	metric string
	class  metricClass
}

// rawBound is a number as parsed, before its unit is checked against the
// statistic it bounds.
type rawBound struct {
	num     float64
	col     int    // column of the number, or of its $
	unit    string // as written; "" when none
	unitCol int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) fail(col int, msg string) error {
	return &ParseError{Expr: p.expr, Col: col, Msg: msg}
}

// expected builds "expected <what>", naming the end of input when that is
// what was found.
func expected(what string, found token) string {
	if found.kind == tEOF {
		return "expected " + what + ", found end of expression"
	}
	return "expected " + what
}

func (p *parser) parse() (Threshold, error) {
	switch first := p.peek(); first.kind {
	case tEOF:
		return Threshold{}, p.fail(1, "empty expression")
	case tIdent:
		return p.statFirst()
	case tNumber, tDollar:
		return p.valueFirst()
	default:
		return Threshold{}, p.fail(first.col, "expected a statistic ("+statList+") or a number")
	}
}

// statFirst parses "stat op value".
func (p *parser) statFirst() (Threshold, error) {
	t := Threshold{Metric: p.metric}
	if err := p.stat(&t); err != nil {
		return Threshold{}, err
	}
	op, err := p.comparator()
	if err != nil {
		return Threshold{}, err
	}
	if tok := p.peek(); tok.kind == tIdent && strings.EqualFold(tok.text, "baseline") {
		return p.baselineValue(t, op)
	}
	rb, err := p.value()
	if err != nil {
		return Threshold{}, err
	}
	if err := p.end(); err != nil {
		return Threshold{}, err
	}
	b, err := p.check(rb, t)
	if err != nil {
		return Threshold{}, err
	}
	t.op, t.val = op.text, b
	if err := p.reach(t, rb.col, 0, 0); err != nil {
		return Threshold{}, err
	}
	return t, nil
}

// valueFirst parses "value op stat" and the range "value op stat op value".
func (p *parser) valueFirst() (Threshold, error) {
	rb1, err := p.value()
	if err != nil {
		return Threshold{}, err
	}
	op1, err := p.comparator()
	if err != nil {
		return Threshold{}, err
	}
	t := Threshold{Metric: p.metric}
	if err := p.stat(&t); err != nil {
		return Threshold{}, err
	}
	if p.peek().kind == tEOF { // "0.9 <= avg" is "avg >= 0.9"
		b, err := p.check(rb1, t)
		if err != nil {
			return Threshold{}, err
		}
		t.op, t.val = flip(op1.text), b
		if err := p.reach(t, rb1.col, 0, 0); err != nil {
			return Threshold{}, err
		}
		return t, nil
	}
	op2, err := p.comparator()
	if err != nil {
		return Threshold{}, err
	}
	rb2, err := p.value()
	if err != nil {
		return Threshold{}, err
	}
	if err := p.end(); err != nil {
		return Threshold{}, err
	}
	for _, op := range []token{op1, op2} {
		if op.text == "==" || op.text == "!=" {
			return Threshold{}, p.fail(op.col, op.text+" cannot be used in a range; use < or <=, e.g. 0.8 <= avg <= 1")
		}
	}
	ascending := op1.text[0] == '<'
	if ascending != (op2.text[0] == '<') {
		return Threshold{}, p.fail(op2.col, "a range needs both comparators pointing the same way, e.g. 0.8 <= avg <= 1")
	}
	b1, err := p.check(rb1, t)
	if err != nil {
		return Threshold{}, err
	}
	b2, err := p.check(rb2, t)
	if err != nil {
		return Threshold{}, err
	}
	loCol, hiCol := rb1.col, rb2.col
	if ascending {
		t.lo, t.loOp, t.hi, t.hiOp = b1, op1.text, b2, op2.text
	} else { // "1 >= avg >= 0.8" is "0.8 <= avg <= 1"
		t.lo, t.loOp, t.hi, t.hiOp = b2, flip(op2.text), b1, flip(op1.text)
		loCol, hiCol = hiCol, loCol
	}
	lo, hi := t.lo.base(), t.hi.base()
	if lo > hi || (lo == hi && (t.loOp == "<" || t.hiOp == "<")) {
		return Threshold{}, p.fail(rb1.col, "empty range: no value satisfies "+t.String())
	}
	if err := p.reach(t, rb1.col, loCol, hiCol); err != nil {
		return Threshold{}, err
	}
	return t, nil
}

// stat parses a statistic name or rate(value) into t.
func (p *parser) stat(t *Threshold) error {
	tok := p.next()
	if tok.kind != tIdent {
		return p.fail(tok.col, expected("a statistic ("+statList+")", tok))
	}
	name := strings.ToLower(tok.text)
	switch name {
	case statAvg, statMin, statMax, statSum, statCount, statP50, statP90, statP95, statP99:
		t.stat = name
		return nil
	case statRate:
		key, err := p.rateKey()
		if err != nil {
			return err
		}
		t.stat, t.key = statRate, key
		return nil
	}
	return p.fail(tok.col, p.unknownStat(tok.text))
}

// unknownStat explains why word is not a statistic.
func (p *parser) unknownStat(word string) string {
	msg := "unknown statistic " + strconv.Quote(word)
	lower := strings.ToLower(word)
	switch {
	case len(lower) > 1 && lower[0] == 'p' && isNumberText(lower[1:]):
		msg += ": the server publishes only the percentiles p50, p90, p95 and p99"
	case lower == "mean" || lower == "average":
		msg += " (for the mean use avg)"
	case lower == "median":
		msg += " (for the median use p50)"
	case lower == "total":
		msg += " (for the total use sum)"
	case strings.EqualFold(word, p.metric) || CanonicalMetric(word) == CanonicalMetric(p.metric):
		msg += ": the metric is named separately, the expression starts with a statistic, e.g. avg >= 0.95"
	}
	return msg + "; valid statistics: " + statList
}

// rateKey parses "(value)" after rate. true and false (in any case) stand
// for "1" and "0"; a quoted string is taken as written.
func (p *parser) rateKey() (string, error) {
	if tok := p.next(); tok.kind != tLParen {
		return "", p.fail(tok.col, expected(`"(" after rate, e.g. rate(1) >= 90%`, tok))
	}
	tok := p.next()
	var key string
	switch tok.kind {
	case tNumber:
		key = tok.text
	case tString:
		if tok.val == "" {
			return "", p.fail(tok.col, "rate needs a non-empty value")
		}
		key = tok.val
	case tIdent:
		switch strings.ToLower(tok.text) {
		case "true":
			key = "1"
		case "false":
			key = "0"
		default:
			key = tok.text
		}
	default:
		return "", p.fail(tok.col, expected(`a value inside rate(...), e.g. rate(1), rate(true) or rate("yes")`, tok))
	}
	if tok := p.next(); tok.kind != tRParen {
		return "", p.fail(tok.col, expected(`")" to close rate(`, tok))
	}
	return key, nil
}

// comparator parses one of >= > <= < == !=.
func (p *parser) comparator() (token, error) {
	tok := p.next()
	if tok.kind == tOp {
		return tok, nil
	}
	msg := expected("a comparator (>=, >, <=, <, ==, !=)", tok) + p.spacedUnitHint(tok)
	if tok.text == "=" {
		if next := p.peek(); next.kind == tOp && len(next.text) == 1 && adjacent(tok, next) {
			msg += "; write " + next.text + "= rather than =" + next.text
		} else {
			msg += "; use == for equality"
		}
	}
	return token{}, p.fail(tok.col, msg)
}

// value parses a number with an optional $ before it or unit after it.
func (p *parser) value() (rawBound, error) {
	var rb rawBound
	tok := p.next()
	dollar := tok.kind == tDollar
	if dollar {
		rb.col, rb.unit, rb.unitCol = tok.col, unitDollar, tok.col
		sign := tok
		tok = p.next()
		if tok.kind == tNumber && !adjacent(sign, tok) {
			return rawBound{}, p.fail(tok.col, "write a dollar amount without a space, e.g. $0.50")
		}
	} else {
		rb.col = tok.col
	}
	if tok.kind != tNumber {
		return rawBound{}, p.fail(tok.col, expected("a number", tok))
	}
	f, err := strconv.ParseFloat(tok.text, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return rawBound{}, p.fail(tok.col, "number "+tok.text+" is out of range")
		}
		return rawBound{}, p.fail(tok.col, "invalid number "+strconv.Quote(tok.text))
	}
	rb.num = f
	switch next := p.peek(); next.kind {
	case tIdent, tPercent:
		if !adjacent(tok, next) {
			break // not a unit; end() or the caller reports it
		}
		p.next()
		if dollar {
			return rawBound{}, p.fail(next.col, fmt.Sprintf("unexpected %s after a $ amount, which takes no other unit", next.describe()))
		}
		rb.unit, rb.unitCol = next.text, next.col
	case tDollar:
		return rawBound{}, p.fail(next.col, "put $ before the amount, e.g. $0.50")
	}
	return rb, nil
}

// end checks that the expression is complete.
func (p *parser) end() error {
	tok := p.peek()
	if tok.kind == tEOF {
		return nil
	}
	msg := "unexpected " + tok.describe() + " after the threshold"
	if tok.kind == tOp {
		msg += "; write a range as 0.8 <= avg <= 1"
	}
	msg += p.spacedUnitHint(tok)
	return p.fail(tok.col, msg)
}

// check validates the unit of rb against the statistic of t and the
// metric, and gives a bare number its default unit.
func (p *parser) check(rb rawBound, t Threshold) (bound, error) {
	kind := kindOf(p.class, t.stat)
	subject := p.metric + " " + t.Stat()
	unit := rb.unit
	switch {
	case unit == "":
		unit = kind.bareUnit()
	case !knownUnit(unit):
		return bound{}, p.fail(rb.unitCol, fmt.Sprintf("unknown unit %q: %s takes %s", unit, subject, kind.takes()))
	case !kind.accepts(unit):
		return bound{}, p.fail(rb.unitCol, fmt.Sprintf("unit %q does not apply to %s, which takes %s", unit, subject, kind.takes()))
	}
	b := bound{num: rb.num, unit: unit}
	if math.IsInf(b.base(), 0) {
		return bound{}, p.fail(rb.col, "number "+b.String()+" is out of range")
	}
	return b, nil
}
