package report

import (
	"cmp"
	"math"
	"strconv"
	"time"
)

// FormatValue renders a value given in base units for people, in the
// display unit: durations (UnitNanoseconds) in the largest of ns, us, ms, s
// and m that keeps them at 1 or more ("2.4s"), dollars with a leading $
// ("$0.62"), fractions as percentages ("85%") and plain numbers as they
// are. Whole plain numbers are shown exactly; other values are rounded to
// four significant digits.
func FormatValue(v float64, unit string) string {
	s, _ := formatDigits(v, unit, 4)
	return s
}

// formatAgainst is FormatValue with as many more digits as needed for the
// shown value to lie on the same side of every bound as v, so that a miss
// never reads "0.95, want >= 0.95".
func formatAgainst(v float64, unit string, bounds []Bound) string {
	return formatFrom(v, unit, bounds, 4)
}

// formatFrom renders v with digits significant digits, or as many more as
// needed for the shown value to lie on the same side of every bound as v.
func formatFrom(v float64, unit string, bounds []Bound, digits int) string {
	for ; digits < 17; digits++ {
		s, shown := formatDigits(v, unit, digits)
		if sameSides(v, shown, bounds) {
			return s
		}
	}
	s, _ := formatDigits(v, unit, 17)
	return s
}

func sameSides(v, shown float64, bounds []Bound) bool {
	for _, b := range bounds {
		if cmp.Compare(v, b.Value) != cmp.Compare(shown, b.Value) {
			return false
		}
	}
	return true
}

// formatDigits renders v with the given number of significant digits and
// returns the text and the value it shows, in base units.
func formatDigits(v float64, unit string, digits int) (string, float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'g', -1, 64), v
	}
	switch unit {
	case UnitNanoseconds:
		abs := math.Abs(v)
		name, scale := "ns", 1.0
		switch {
		case abs >= float64(time.Minute):
			name, scale = "m", float64(time.Minute)
		case abs >= float64(time.Second):
			name, scale = "s", float64(time.Second)
		case abs >= float64(time.Millisecond):
			name, scale = "ms", float64(time.Millisecond)
		case abs >= float64(time.Microsecond):
			name, scale = "us", float64(time.Microsecond)
		}
		s, shown := number(v/scale, digits)
		return s + name, shown * scale
	case UnitDollars:
		s, shown := number(math.Abs(v), digits)
		if v < 0 {
			return "-$" + s, -shown
		}
		return "$" + s, shown
	case UnitPercent:
		s, shown := number(v*100, digits)
		return s + "%", shown / 100
	}
	return number(v, digits)
}

// number renders v with the given significant digits and without an
// exponent; a whole number below 1e15 is shown exactly.
func number(v float64, digits int) (string, float64) {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', -1, 64), v
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', digits, 64), 64)
	if err != nil {
		r = v
	}
	return strconv.FormatFloat(r, 'f', -1, 64), r
}

// formatSeconds renders a duration in seconds with millisecond precision,
// the form JUnit's time attributes take.
func formatSeconds(ms int64) string {
	if ms < 0 {
		ms = 0
	}
	return strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64)
}

// formatDuration renders a duration for people, rounded to what matters:
// 350ms, 12.3s, 5m30s.
func formatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// formatEnd renders an end of a confidence interval: two significant
// digits, more where needed to lie on the same side of every bound as v.
func formatEnd(v float64, unit string, bounds []Bound) string {
	return formatFrom(v, unit, bounds, 2)
}

// IntervalText renders the threshold's interval for people, e.g.
// "[0.64, 0.95]" or "[1.2s, ∞)" for an end the rows cannot bound; "" when
// it has none.
func (t *Threshold) IntervalText() string {
	iv := t.Interval
	if iv == nil {
		return ""
	}
	lo, hi := "(−∞", "∞)"
	if iv.Low != nil {
		lo = "[" + formatEnd(*iv.Low, t.Unit, t.Bounds)
	}
	if iv.High != nil {
		hi = formatEnd(*iv.High, t.Unit, t.Bounds) + "]"
	}
	return lo + ", " + hi
}

// ActualText renders the actual value with its interval, as the Markdown
// table shows it: "0.85 [0.64, 0.95]", or "not reported".
func (t *Threshold) ActualText() string {
	if t.Actual == nil {
		return "not reported"
	}
	s := formatAgainst(*t.Actual, t.Unit, t.Bounds)
	if iv := t.IntervalText(); iv != "" {
		s += " " + iv
	}
	return s
}

// VerdictText names the verdict in a table cell: "passed", "failed",
// "inconclusive", "inconclusive (skipped)" or "inconclusive (passed)".
func (t *Threshold) VerdictText() string {
	v := cmp.Or(t.Verdict, map[bool]string{true: VerdictPassed, false: VerdictFailed}[t.Pass])
	switch {
	case v != VerdictInconclusive:
		return v
	case t.Skipped:
		return "inconclusive (skipped)"
	case t.Pass:
		return "inconclusive (passed)"
	}
	return v
}
