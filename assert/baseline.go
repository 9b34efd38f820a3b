package assert

import "strings"

// baselineText renders the right side of a baseline threshold:
// "baseline", "baseline - 0.02" or "baseline + 200ms".
func (t Threshold) baselineText() string {
	switch {
	case t.val.num == 0:
		return "baseline"
	case t.val.num < 0:
		return "baseline - " + bound{num: -t.val.num, unit: t.val.unit}.String()
	}
	return "baseline + " + t.val.String()
}

// Baseline reports whether the threshold compares with a baseline
// ("avg >= baseline - 0.02") and returns the offset from the baseline's
// value in base units (-0.02; 2e8 for "+ 200ms").
func (t Threshold) Baseline() (offset float64, ok bool) {
	if !t.baseline {
		return 0, false
	}
	return t.val.base(), true
}

// AgainstBaseline returns the threshold with the baseline's value put in:
// "avg >= baseline - 0.02" with a baseline of 0.85 is "avg >= 0.83". A
// threshold that does not refer to a baseline is returned as it is.
func (t Threshold) AgainstBaseline(value float64) Threshold {
	if !t.baseline {
		return t
	}
	r := t
	r.baseline = false
	r.val = fromBase(value+t.val.base(), t.val.unit)
	return r
}

// fromBase is the bound in unit whose base value is x.
func fromBase(x float64, unit string) bound {
	switch unit {
	case unitPercent:
		return bound{num: x * 100, unit: unit}
	case "us":
		return bound{num: x / 1e3, unit: unit}
	case "ms":
		return bound{num: x / 1e6, unit: unit}
	case "s":
		return bound{num: x / 1e9, unit: unit}
	case "m":
		return bound{num: x / 60e9, unit: unit}
	}
	return bound{num: x, unit: unit}
}

// baselineValue parses the rest of "stat op baseline [(+|-) value]".
func (p *parser) baselineValue(t Threshold, op token) (Threshold, error) {
	word := p.next()
	switch {
	case t.stat != "avg" && !strings.HasPrefix(t.stat, "p"):
		return Threshold{}, p.fail(word.col, "only avg and the percentiles (p50, p90, p95, p99) can be compared with a baseline")
	case op.text == "==" || op.text == "!=":
		return Threshold{}, p.fail(op.col, op.text+" cannot compare with a baseline; use >=, >, <= or <, e.g. avg >= baseline - 0.02")
	}
	t.op, t.baseline = op.text, true
	t.val = bound{unit: kindOf(p.class, t.stat).bareUnit()}
	sign := 1.0
	switch tok := p.peek(); {
	case tok.kind == tEOF:
		return t, nil
	case tok.kind == tOther && (tok.text == "+" || tok.text == "-"):
		p.next()
		if tok.text == "-" {
			sign = -1
		}
	case tok.kind == tNumber && strings.HasPrefix(tok.text, "-"):
		// "baseline -0.02": the lexer read the sign with the number.
	default:
		return Threshold{}, p.fail(tok.col, expected("+ or - and an offset after baseline, e.g. baseline - 0.02", tok))
	}
	rb, err := p.value()
	if err != nil {
		return Threshold{}, err
	}
	if err := p.end(); err != nil {
		return Threshold{}, err
	}
	if rb.num < 0 && sign < 0 {
		return Threshold{}, p.fail(rb.col, "write the offset without a second sign, e.g. baseline - 0.02")
	}
	rb.num *= sign
	b, err := p.check(rb, t)
	if err != nil {
		return Threshold{}, err
	}
	t.val = b
	return t, nil
}
