package report

import (
	"bytes"
	"github.com/galileo-community/galileo-go/galileo"
	"html"
	"math"
	"regexp"
	"strings"
	"testing"
)

var (
	// A start tag whose quoted attribute values may hold ">" (browsers
	// serialise them unescaped).
	startTag = regexp.MustCompile(`<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*/?>`)
	attrRe   = regexp.MustCompile(`([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*"([^"]*)"`)
)

// element is one start tag of an HTML document: its name and attributes
// (unescaped).
type element struct {
	name  string
	attrs map[string]string
}

func (e element) hasClass(c string) bool {
	return strings.Contains(" "+e.attrs["class"]+" ", " "+c+" ")
}

// elements lists the start tags of doc named name that carry class.
func elements(doc, name, class string) []element {
	var out []element
	for _, m := range startTag.FindAllStringSubmatch(doc, -1) {
		if !strings.EqualFold(m[1], name) {
			continue
		}
		e := element{name: m[1], attrs: map[string]string{}}
		for _, a := range attrRe.FindAllStringSubmatch(m[2], -1) {
			e.attrs[strings.ToLower(a[1])] = html.UnescapeString(a[2])
		}
		if class == "" || e.hasClass(class) {
			out = append(out, e)
		}
	}
	return out
}

// checkCharts returns the problems with the charts of a rendered page of
// the sample report; the browser test runs it on the DOM chromium built.
func checkCharts(t *testing.T, doc string) {
	t.Helper()
	r := sampleReport(t)
	charts := elements(doc, "svg", "threshold-chart")
	var want []Threshold
	for _, e := range r.Experiments {
		want = append(want, e.Thresholds...)
	}
	if len(charts) != len(want) {
		t.Fatalf("%d threshold charts, want one per threshold (%d)", len(charts), len(want))
	}
	for i, c := range charts {
		th := want[i]
		for _, a := range []string{"data-metric", "data-stat", "data-expr", "data-actual", "data-threshold", "data-op", "data-pass", "data-unit"} {
			if _, ok := c.attrs[a]; !ok {
				t.Errorf("chart %d (%s %s) lacks %s", i, th.Metric, th.Expr, a)
			}
		}
		if c.attrs["data-metric"] != th.Metric || c.attrs["data-expr"] != th.Expr {
			t.Errorf("chart %d is for %s %q, want %s %q", i, c.attrs["data-metric"], c.attrs["data-expr"], th.Metric, th.Expr)
		}
	}

	// The failed latency threshold of the second experiment.
	lat := charts[5]
	wantAttrs := map[string]string{"data-metric": "latency", "data-stat": "p95", "data-expr": "p95 <= 2s", "data-unit": "ns",
		"data-actual": "2400000000", "data-threshold": "2000000000", "data-op": "<=", "data-pass": "false"}
	for k, v := range wantAttrs {
		if lat.attrs[k] != v {
			t.Errorf("latency chart %s = %q, want %q", k, lat.attrs[k], v)
		}
	}
	if rng := charts[4]; rng.attrs["data-threshold"] != "0.8,1" || rng.attrs["data-op"] != ">=,<=" {
		t.Errorf("range chart data-threshold=%q data-op=%q, want 0.8,1 and >=,<=", rng.attrs["data-threshold"], rng.attrs["data-op"])
	}
	if missing := charts[8]; missing.attrs["data-actual"] != "" || missing.attrs["data-pass"] != "false" {
		t.Errorf("unreported threshold chart data-actual=%q data-pass=%q, want empty and false", missing.attrs["data-actual"], missing.attrs["data-pass"])
	}

	// One threshold line per bound.
	lines := elements(doc, "line", "threshold-line")
	if len(lines) != 10 { // nine thresholds, one of them a range
		t.Errorf("%d threshold lines, want 10", len(lines))
	}
	if len(elements(doc, "rect", "bar")) != 8 { // the unreported one has no bar
		t.Errorf("%d bars, want 8", len(elements(doc, "rect", "bar")))
	}

	dists := elements(doc, "svg", "distribution-chart")
	var got []string
	for _, d := range dists {
		got = append(got, d.attrs["data-metric"]+"/"+d.attrs["data-source"]+"/"+d.attrs["data-bins"]+"/"+d.attrs["data-count"])
	}
	wantDists := []string{"correctness/rows/10/10", "latency/rows/4/10", "correctness/distribution/3/20", "tone/distribution/2/20"}
	if strings.Join(got, " ") != strings.Join(wantDists, " ") {
		t.Errorf("distribution charts = %q, want %q", got, wantDists)
	}
	bins := elements(doc, "rect", "bin")
	if len(bins) != 19 {
		t.Errorf("%d histogram bins, want 19", len(bins))
	}
}

func renderHTML(t *testing.T, r *Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r); err != nil {
		t.Fatalf("WriteHTML: %v", err)
	}
	return buf.String()
}

func TestWriteHTML_charts(t *testing.T) {
	checkCharts(t, renderHTML(t, sampleReport(t)))
}

func TestWriteHTML_selfContained(t *testing.T) {
	doc := renderHTML(t, sampleReport(t))
	for _, bad := range []string{"<script", "<link", "<img", "<iframe", "src=", "url(", "@import"} {
		if strings.Contains(strings.ToLower(doc), bad) {
			t.Errorf("page contains %q; it must not load anything", bad)
		}
	}
	for _, a := range elements(doc, "a", "") {
		href := a.attrs["href"]
		if !strings.HasPrefix(href, "#experiment-") && !strings.HasPrefix(href, "https://console.acme.example/") {
			t.Errorf("unexpected link %q", href)
		}
	}
	if renderHTML(t, sampleReport(t)) != doc {
		t.Errorf("two renderings of the same report differ")
	}
}

func TestWriteHTML_escapes(t *testing.T) {
	r := &Report{Experiments: []Experiment{{
		Name: `evil"><script>alert(1)</script>`, Status: StatusError, Link: "javascript:alert(2)",
		Error:      "<img src=x onerror=alert(3)>",
		Thresholds: []Threshold{{Metric: `m"><svg onload=alert(4)>`, Stat: "avg", Expr: "avg >= 1"}},
		Metrics:    []Metric{{Name: "tone", MetricAggregates: galileo.MetricAggregates{ValueDistribution: map[string]int64{"<b>bold</b>": 3}}}},
	}}}
	doc := renderHTML(t, r)
	for _, bad := range []string{"<script>alert(1)", "javascript:", "<img src=x", "<svg onload", "<b>bold"} {
		if strings.Contains(doc, bad) {
			t.Errorf("page contains unescaped %q", bad)
		}
	}
	for _, want := range []string{"evil&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(3)&gt;"} {
		if !strings.Contains(doc, want) {
			t.Errorf("page lacks the escaped text %q", want)
		}
	}
	if c := elements(doc, "svg", "threshold-chart"); len(c) != 1 || c[0].attrs["data-metric"] != `m"><svg onload=alert(4)>` {
		t.Errorf("threshold chart = %+v, want data-metric holding the name as written", c)
	}
}

func TestWriteHTML_empty(t *testing.T) {
	doc := renderHTML(t, &Report{})
	if !strings.Contains(doc, "No experiments ran.") || len(elements(doc, "svg", "")) != 0 {
		t.Errorf("empty report page:\n%s", doc)
	}
}

func TestHistogram(t *testing.T) {
	tests := []struct {
		name   string
		values []float64
		unit   string
		want   []bin
	}{
		{"fractions", []float64{0, 0.05, 0.95, 1, 1}, UnitNone, []bin{
			{"0–0.1", 2}, {"0.1–0.2", 0}, {"0.2–0.3", 0}, {"0.3–0.4", 0}, {"0.4–0.5", 0},
			{"0.5–0.6", 0}, {"0.6–0.7", 0}, {"0.7–0.8", 0}, {"0.8–0.9", 0}, {"0.9–1", 3}}},
		{"one value", []float64{2e9, 2e9}, UnitNanoseconds, []bin{{"2s", 2}}},
		{"durations", []float64{1e9, 2e9, 3e9, 4e9}, UnitNanoseconds, []bin{{"1s–2.5s", 2}, {"2.5s–4s", 2}}},
		{"no finite values", []float64{nanValue()}, UnitNone, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := histogram(tt.values, tt.unit)
			if len(got) != len(tt.want) {
				t.Fatalf("histogram = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("bin %d = %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestCategories(t *testing.T) {
	got := categories(map[string]int64{"10": 1, "9": 2, "0.5": 3})
	if len(got) != 3 || got[0].label != "0.5" || got[1].label != "9" || got[2].label != "10" {
		t.Errorf("numeric keys ordered %v, want 0.5 9 10", got)
	}
	got = categories(map[string]int64{"yes": 1, "no": 2, "1": 3})
	if len(got) != 3 || got[0].label != "1" || got[1].label != "no" || got[2].label != "yes" {
		t.Errorf("mixed keys ordered %v, want 1 no yes", got)
	}

	many := map[string]int64{}
	for i := range 30 {
		many[string(rune('a'+i%26))+strings.Repeat("z", i/26)] = int64(i + 1)
	}
	m := Metric{Name: "label", MetricAggregates: galileo.MetricAggregates{ValueDistribution: many}}
	d, ok := newDistribution(&m)
	if !ok || len(d.Bins) != maxCategories || d.Bins[len(d.Bins)-1].Label != "other" || d.Count != 465 {
		t.Errorf("30 categories: %d bins, last %+v, count %d; want %d bins ending in other, 465 rows", len(d.Bins), d.Bins[len(d.Bins)-1], d.Count, maxCategories)
	}
	if d.Bins[0].Count != 30 || d.Bins[len(d.Bins)-1].Count != 1+2+3+4+5+6+7 {
		t.Errorf("30 categories: first bin %+v, other %+v; want the most frequent first and the 7 rarest merged", d.Bins[0], d.Bins[len(d.Bins)-1])
	}
}

func nanValue() float64 {
	zero := 0.0
	return zero / zero
}

func TestNiceCeil(t *testing.T) {
	tests := []struct{ in, want float64 }{
		{2.3e9, 2.5e9}, {0.575, 0.6}, {1, 1}, {7, 8}, {0.011, 0.012}, {9.5, 10}, {123, 150}, {0, 0},
	}
	for _, tt := range tests {
		if got := niceCeil(tt.in); math.Abs(got-tt.want) > 1e-9*tt.want {
			t.Errorf("niceCeil(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
