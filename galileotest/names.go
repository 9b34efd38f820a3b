package galileotest

import (
	"flag"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/report"
)

// thresholdNames maps the operators and characters of a threshold (and of
// a metric name) that are special to go test -run's regular expressions to
// readable words, so that the subtest name can be passed to -run as it is
// printed: "avg >= 0.95" is avg_ge_0.95, "sum <= $0.50" is sum_le_usd0.50,
// "rate(1) >= 90%" is rate_1_ge_90%. "." stays: as a pattern it matches
// itself (and any other character).
var thresholdNames = strings.NewReplacer(
	">=", "_ge_", "<=", "_le_", "==", "_eq_", "!=", "_ne_", ">", "_gt_", "<", "_lt_", "=", "_eq_",
	"$", "usd", "(", "_", ")", "_", "[", "_", "]", "_", "{", "_", "}", "_",
	"*", "_", "+", "_", "?", "_", "^", "_", "|", "_", `\`, "_", `"`, "", "'", "",
)

// thresholdName is the subtest name of a metric or a threshold expression:
// subtestName with the characters special to -run's regular expressions
// replaced by words or underscores (see thresholdNames), runs of
// underscores collapsed and none at either end.
func thresholdName(s string) string {
	s = subtestName(thresholdNames.Replace(s))
	for strings.Contains(s, "__") {
		s = strings.ReplaceAll(s, "__", "_")
	}
	if t := strings.Trim(s, "_"); t != "" {
		return t
	}
	return s
}

// unselectedBy returns why the filters run and skip (go test's -run and
// -skip) leave none of the threshold subtests experiment x would have
// under its subtest name, or "" when they select one (or cannot be
// read). The threshold subtests are predicted from x:
// <metric>/<expr> for each of Expect, and at the metric level only (any
// threshold of it) errored_rows for a function and each metric's
// unscored_rows check.
func unselectedBy(run, skip pathFilter, name string, x fixtures.Experiment) string {
	if run == nil && skip == nil {
		return ""
	}
	base := strings.Split(name, "/")
	level := func(names ...string) []string { return append(base[:len(base):len(base)], names...) }
	var paths [][]string
	metrics := slices.Clone(x.Metrics)
	if x.Function != "" {
		metrics = append(metrics, report.ErroredRowsMetric)
	}
	for _, e := range x.Expect {
		expr := e.Expr
		if e.Threshold.Metric != "" {
			expr = e.Threshold.String() // the canonical form the report names
		}
		paths = append(paths, level(thresholdName(e.Metric), thresholdName(expr)))
		metrics = append(metrics, e.Metric)
	}
	for _, m := range metrics {
		paths = append(paths, level(thresholdName(m)))
	}
	for _, p := range paths {
		if ok, _ := run.matches(p); !ok {
			continue
		}
		if ok, partial := skip.matches(p); ok && !partial {
			continue
		}
		return ""
	}
	return "galileotest: skipped: -run or -skip selects none of this experiment's threshold subtests, so it is not run"
}

// testFilters returns go test's -run and -skip patterns, split as the
// testing package splits them, or nil where unset or unreadable.
func testFilters() (run, skip pathFilter) {
	return lookupFilter("test.run"), lookupFilter("test.skip")
}

func lookupFilter(name string) pathFilter {
	f := flag.Lookup(name)
	if f == nil || f.Value.String() == "" {
		return nil
	}
	pf, err := parsePathFilter(f.Value.String())
	if err != nil {
		return nil // testing has rejected it already
	}
	return pf
}

// pathFilter is a -run or -skip pattern: alternatives of per-level
// regular expressions. A nil pathFilter matches every path, as a
// partial match.
type pathFilter [][]*regexp.Regexp

// parsePathFilter splits s as the testing package does: at "/" and "|"
// outside brackets and parentheses, honouring backslash escapes; spaces
// become underscores, as in subtest names.
func parsePathFilter(s string) (pathFilter, error) {
	var out pathFilter
	var level []*regexp.Regexp
	add := func(pat string) error {
		re, err := regexp.Compile(strings.ReplaceAll(pat, " ", "_"))
		level = append(level, re)
		return err
	}
	brackets, parens := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '[':
			brackets++
		case c == ']':
			brackets = max(brackets-1, 0)
		case c == '(' && brackets == 0:
			parens++
		case c == ')' && brackets == 0:
			parens--
		case c == '\\':
			i++
		case (c == '/' || c == '|') && brackets == 0 && parens == 0:
			if err := add(s[:i]); err != nil {
				return nil, err
			}
			if c == '|' {
				out, level = append(out, level), nil
			}
			s, i = s[i+1:], -1
		}
	}
	if err := add(s); err != nil {
		return nil, err
	}
	return append(out, level), nil
}

// matches reports whether path matches one alternative level by level,
// and whether that match is partial (the pattern has more levels).
func (f pathFilter) matches(path []string) (ok, partial bool) {
	if f == nil {
		return true, true
	}
	for _, alt := range f {
		ok := true
		for i, name := range path {
			if i < len(alt) && !alt[i].MatchString(name) {
				ok = false
				break
			}
		}
		if ok {
			return true, len(path) < len(alt)
		}
	}
	return false, false
}

// thresholdAttrs attaches the experiment's console link and the
// threshold's actual value (as the report shows it, or "not reported") to
// t, so that go test -json and JUnit converters such as gotestsum carry
// them: attributes galileo.link and galileo.actual.
func thresholdAttrs(t *testing.T, rep *report.Experiment, v report.Threshold) {
	if rep.Link != "" {
		t.Attr("galileo.link", rep.Link)
	}
	actual := "not reported"
	if v.Actual != nil {
		actual = report.FormatValue(*v.Actual, v.Unit)
	}
	t.Attr("galileo.actual", actual)
}
