package assert

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"github.com/galileo-community/galileo-go/galileo"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (run go test -update to accept it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// TestParseError_golden records the full text of parse errors, with the
// caret line, as a user sees them.
func TestParseError_golden(t *testing.T) {
	cases := []struct{ metric, expr string }{
		{"correctness", "avg >== 0.9"},
		{"correctness", "avg = 0.9"},
		{"correctness", "avg"},
		{"correctness", "p10 >= 0.6"},
		{"correctness", "mean >= 0.6"},
		{"correctness", "correctness >= 0.9"},
		{"correctness", "avg >= $0.5"},
		{"correctness", "avg >= 0.9 and p50 >= 0.8"},
		{"cost", "avg <= 5ms"},
		{"cost", "sum <= 0.5$"},
		{"latency", "p95 <= 2sec"},
		{"latency", "p95 <= 2 s"},
		{"num_total_tokens", "avg <= 5%"},
		{"tone", "rate() >= 0.5"},
		{"tone", `rate("yes) >= 0.5`},
		{"correctness", "1 <= avg <= 0.8"},
		{"correctness", "0.8 <= avg >= 1"},
		{"correctness", "\tavg >= x"},
		{"correctness", "avg >= 150%"},
		{"correctness", "avg >= 0%"},
		{"is_polite", "rate(1) >= 150%"},
		{"tone", "0 <= rate(yes) <= 1"},
		{"latency", "p95 <= -2s"},
		{"latency", "p95 >= 0s"},
		{"cost", "sum <= $-1"},
		{"correctness", "count >= 0"},
	}
	var buf bytes.Buffer
	for _, c := range cases {
		_, err := Parse(c.metric, c.expr)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("Parse(%q, %q) = %v, want a *ParseError", c.metric, c.expr, err)
		}
		fmt.Fprintf(&buf, "# metric %s\n%s\n%s\n\n", c.metric, pe.Error(), pe.Caret())
	}
	golden(t, "parse_errors.golden", buf.Bytes())
}

// TestThreshold_Evaluate_golden records explanation texts.
func TestThreshold_Evaluate_golden(t *testing.T) {
	ten := i64(10)
	cases := []struct {
		metric, expr string
		agg          Aggregates
	}{
		{"correctness", "avg >= 0.95", &galileo.MetricAggregates{Avg: f64(0.82), Count: ten}},
		{"correctness", "avg >= 95%", &galileo.MetricAggregates{Avg: f64(0.82), Count: ten}},
		{"correctness", "0.8 <= avg <= 1", &galileo.MetricAggregates{Avg: f64(0.72), Count: ten}},
		{"correctness", "p95 >= 0.9", &galileo.MetricAggregates{Avg: f64(0.9), Count: ten}},
		{"latency", "p95 <= 2s", &galileo.MetricAggregates{P95: f64(2.4e9), Count: ten}},
		{"latency", "avg <= 800ms", &galileo.MetricAggregates{Avg: f64(812_345_678), Count: ten}},
		{"cost", "sum <= $0.50", &galileo.MetricAggregates{Sum: f64(0.62), Count: ten}},
		{"num_total_tokens", "avg <= 500", &galileo.MetricAggregates{Avg: f64(512.25), Count: ten}},
		{"is_polite", "rate(true) >= 90%", &galileo.MetricAggregates{ValueDistribution: map[string]int64{"0": 3, "1": 17}}},
		{"tone", `rate("yes") >= 0.9`, &galileo.MetricAggregates{Count: i64(1), ValueDistribution: map[string]int64{"yes": 1}}},
		{"tone", `rate("yes") >= 0.9`, &galileo.MetricAggregates{}},
	}
	var buf bytes.Buffer
	for _, c := range cases {
		r := MustParse(c.metric, c.expr).Evaluate(c.agg)
		verdict := "FAIL"
		if r.Pass {
			verdict = "PASS"
		}
		fmt.Fprintf(&buf, "%s %s\n", verdict, r.Explanation)
	}
	golden(t, "explanations.golden", buf.Bytes())
}

// TestDoc_examples checks that the texts quoted in the package
// documentation are the ones the package produces.
func TestDoc_examples(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	ten := i64(10)
	var quoted []string
	for _, c := range []struct{ metric, expr string }{
		{"correctness", "avg >== 0.9"},
		{"correctness", "p10 >= 0.6"},
		{"correctness", "avg >= $0.5"},
		{"cost", "avg <= 5ms"},
		{"latency", "p95 <= 2sec"},
		{"correctness", "avg = 0.9"},
		{"correctness", "1 <= avg <= 0.8"},
		{"correctness", "avg >= 150%"},
		{"is_polite", "rate(1) >= 150%"},
		{"latency", "p95 <= -2s"},
		{"cost", "sum <= $-1"},
		{"latency", "p95 >= 0s"},
		{"correctness", "count >= 0"},
	} {
		_, err := Parse(c.metric, c.expr)
		quoted = append(quoted, err.Error())
	}
	for _, c := range []struct {
		metric, expr string
		agg          Aggregates
	}{
		{"correctness", "avg >= 0.95", &galileo.MetricAggregates{Avg: f64(0.82), Count: ten}},
		{"latency", "p95 <= 2s", &galileo.MetricAggregates{P95: f64(2.4e9), Count: ten}},
		{"cost", "sum <= $0.50", &galileo.MetricAggregates{Sum: f64(0.62), Count: ten}},
		{"tone", `rate("yes") >= 90%`, &galileo.MetricAggregates{ValueDistribution: map[string]int64{"yes": 17, "no": 3}}},
		{"correctness", "p95 >= 0.9", &galileo.MetricAggregates{Count: ten}},
	} {
		quoted = append(quoted, MustParse(c.metric, c.expr).Evaluate(c.agg).Explanation)
	}
	quoted = append(quoted, Threshold{}.Evaluate(&galileo.MetricAggregates{}).Explanation)
	for _, q := range quoted {
		if !bytes.Contains(doc, []byte("//\t"+q+"\n")) {
			t.Errorf("doc.go does not quote %q", q)
		}
	}
	if !strings.Contains(string(doc), "// "+"latency p95 = 2.4s, want <= 2s (10 rows)") {
		t.Error("doc.go quick start does not show the latency explanation")
	}
}
