package report

import (
	"cmp"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

//go:embed report.html.tmpl
var htmlSource string

// WriteHTML writes the report as one self-contained HTML page: inline CSS
// and inline SVG charts, no scripts and no external assets, so it can be
// kept as a CI artifact and opened offline. All text is escaped.
//
// For each experiment the page shows its status, facts and error, then one
// bullet chart per threshold: the actual value as a bar, the passing range
// shaded, and a line at each bound. The charts are
// <svg class="threshold-chart"> elements with the attributes data-metric,
// data-stat, data-expr, data-unit, data-pass ("true" or "false"),
// data-actual (base units; empty when not reported) and data-threshold
// (the bounds' values in base units, comma-separated, with their
// comparators in data-op), and, when the threshold has a confidence
// interval, data-interval-low and data-interval-high (an open end is left
// out) with the interval drawn as <line class="interval"> elements around
// the actual value. Below them, a table of each metric's
// statistics and, per metric with row values or a value distribution, a
// histogram: <svg class="distribution-chart"> with data-metric,
// data-source ("rows" or "distribution"), data-bins and data-count, whose
// bars are <rect class="bin"> with data-label and data-count.
func WriteHTML(w io.Writer, r *Report) error {
	c, err := normalized(r)
	if err != nil {
		return err
	}
	tmpl, err := template.New("report").Parse(htmlSource)
	if err != nil {
		return fmt.Errorf("report: HTML template: %w", err)
	}
	if err := tmpl.Execute(w, buildPage(c)); err != nil {
		return fmt.Errorf("report: write HTML: %w", err)
	}
	return nil
}

type htmlPage struct {
	Title                   string
	Verdict                 string // "passed" or "failed"
	Passed, Failed, Errored int
	Facts                   []string
	Thresholds, Missed      int
	SchemaVersion           int
	Experiments             []htmlExperiment
}

type htmlExperiment struct {
	Anchor, Name, Status, StatusLabel string
	Link                              string
	Rows, Duration                    string // for the overview table
	Facts                             []htmlFact
	Error                             string
	Met, Judged                       int
	Thresholds                        []htmlThreshold
	Metrics                           []htmlMetric
	Charts                            []htmlDistribution
}

type htmlFact struct{ Name, Value string }

type htmlThreshold struct {
	Metric, Stat, Expr, Unit string
	Verdict                  string // "pass", "fail", "inconclusive" or "skipped"
	Actual                   string // for people
	Explanation              string
	Rows                     int64
	DataActual               string
	DataThreshold, DataOp    string
	DataPass                 string
	DataLow, DataHigh        string // the interval's ends; "" when open or absent
	Chart                    bulletChart
}

type htmlMetric struct {
	Name, Key, Label string
	Count            string
	Stats            []string // avg, min, p50, p90, p95, p99, max, sum
}

// Chart geometry, precomputed in Go and written as attribute values.
type bulletChart struct {
	Width, Height                  int
	TrackX, TrackY, TrackW, TrackH string
	HasZone                        bool
	ZoneX, ZoneW                   string
	HasBar                         bool
	BarX, BarY, BarW, BarH         string
	HasInterval                    bool   // the confidence interval, drawn around the actual value
	IntervalX1, IntervalX2         string // its ends (the chart's edge for an open end)
	Lines                          []chartLine
	Labels                         []chartText
	Title                          string
}

type chartLine struct {
	X, Y1, Y2 string
	Value     string
}

type chartText struct {
	X, Y, Anchor, Class, Text string
}

type htmlDistribution struct {
	Metric, Source string
	Count          int64
	Width, Height  int
	Bins           []chartBin
	Labels         []chartText
	AxisX1, AxisX2 string
	AxisY          string
	Note           string
	Title          string
}

type chartBin struct {
	X, Y, W, H string
	Label      string
	Count      int64
}

func buildPage(r *Report) htmlPage {
	p := htmlPage{SchemaVersion: r.SchemaVersion, Verdict: "failed"}
	p.Passed, p.Failed, p.Errored = r.Counts()
	if r.Passed() {
		p.Verdict = "passed"
	}
	p.Title = fmt.Sprintf("Galileo regression gate: %d passed, %d failed, %d errored", p.Passed, p.Failed, p.Errored)
	if r.Backend != "" {
		p.Facts = append(p.Facts, "backend "+r.Backend)
	}
	if !r.StartedAt.IsZero() {
		p.Facts = append(p.Facts, "started "+r.StartedAt.Format("2006-01-02 15:04:05 UTC"))
	}
	if d := r.Duration(); d > 0 {
		p.Facts = append(p.Facts, "took "+formatDuration(d))
	}
	for i := range r.Experiments {
		e := &r.Experiments[i]
		he := buildExperiment(i, e)
		p.Thresholds += len(e.Thresholds)
		if e.judged() {
			p.Missed += he.Judged - he.Met
		}
		p.Experiments = append(p.Experiments, he)
	}
	return p
}

func statusLabel(s string) string {
	switch s {
	case StatusPassed, StatusFailed, StatusError, StatusInconclusive:
		return s
	case StatusTimeout:
		return "timed out"
	case "":
		return "error"
	}
	return "error (status " + s + ")"
}

// httpLink returns link when it is an absolute http(s) address, else "".
func httpLink(link string) string {
	u, err := url.Parse(link)
	if link == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return link
}

func buildExperiment(i int, e *Experiment) htmlExperiment {
	he := htmlExperiment{
		Anchor: fmt.Sprintf("experiment-%d", i+1), Name: e.Name,
		Status: e.Status, StatusLabel: statusLabel(e.Status),
		Link: httpLink(e.Link), Error: strings.TrimRight(e.Error, "\n"),
	}
	switch e.Status {
	case StatusPassed, StatusFailed, StatusError, StatusTimeout, StatusInconclusive:
	default:
		he.Status = StatusError
	}
	fact := func(name, value string) {
		if value != "" {
			he.Facts = append(he.Facts, htmlFact{name, value})
		}
	}
	fact("Run name", e.RunName)
	fact("Project", e.Project)
	fact("Kind", e.Kind)
	he.Rows = fmt.Sprintf("%d (%d scored, %d errored)", e.Rows, e.ScoredRows, e.ErroredRows)
	he.Duration = formatDuration(e.Duration())
	fact("Rows", he.Rows)
	fact("Duration", he.Duration)
	if e.File != "" {
		loc := e.File
		if e.Line > 0 {
			loc += ":" + strconv.Itoa(e.Line)
		}
		fact("Fixture", loc)
	}
	fact("Experiment ID", e.ID)
	if e.Confidence > 0 {
		fact("Confidence", percent(e.Confidence)+", inconclusive: "+cmp.Or(e.OnInconclusive, OnInconclusiveFail))
	}
	fact("Repeats", e.consistencyText())

	for j := range e.Thresholds {
		ht, judged, met := buildThreshold(e, &e.Thresholds[j])
		if judged {
			he.Judged++
		}
		if met {
			he.Met++
		}
		he.Thresholds = append(he.Thresholds, ht)
	}

	for j := range e.Metrics {
		m := &e.Metrics[j]
		unit := m.Unit()
		f := func(p *float64) string {
			if p == nil {
				return "—"
			}
			return FormatValue(*p, unit)
		}
		hm := htmlMetric{Name: m.Name, Key: m.Key, Label: m.Label, Count: "—",
			Stats: []string{f(m.Avg), f(m.Min), f(m.P50), f(m.P90), f(m.P95), f(m.P99), f(m.Max), f(m.Sum)}}
		if m.Count != nil {
			hm.Count = strconv.FormatInt(*m.Count, 10)
		}
		he.Metrics = append(he.Metrics, hm)
		if d, ok := newDistribution(m); ok {
			he.Charts = append(he.Charts, d)
		}
	}
	return he
}

// buildThreshold is the page's view of one threshold; judged and met say
// whether it counts as judged and as met (an inconclusive verdict skipped
// by on_inconclusive skip does not count as missed).
func buildThreshold(e *Experiment, t *Threshold) (ht htmlThreshold, judged, met bool) {
	ht = htmlThreshold{
		Metric: t.Metric, Stat: t.Stat, Expr: t.Expr, Unit: t.Unit,
		Explanation: explanation(t), Rows: t.Rows,
		Actual: "not reported", DataPass: strconv.FormatBool(t.Pass),
	}
	judged = e.judged()
	switch {
	case t.Skipped:
		ht.Verdict, met = "skipped", true
	case t.Pass:
		ht.Verdict, met, judged = "pass", true, true
	case !e.judged():
		ht.Verdict = "skipped"
	case t.Verdict == VerdictInconclusive:
		ht.Verdict = VerdictInconclusive
	default:
		ht.Verdict = "fail"
	}
	if t.Actual != nil {
		ht.Actual = t.ActualText()
		ht.DataActual = dataNum(*t.Actual)
	}
	if iv := t.Interval; iv != nil {
		if iv.Low != nil {
			ht.DataLow = dataNum(*iv.Low)
		}
		if iv.High != nil {
			ht.DataHigh = dataNum(*iv.High)
		}
	}
	var vals, ops []string
	for _, b := range t.Bounds {
		vals = append(vals, dataNum(b.Value))
		ops = append(ops, b.Op)
	}
	ht.DataThreshold, ht.DataOp = strings.Join(vals, ","), strings.Join(ops, ",")
	ht.Chart = newBulletChart(t, ht.Verdict)
	return ht, judged, met
}

// dataNum writes a number for a data- attribute as JSON would: without an
// exponent in the usual range, so 2.4s is "2400000000".
func dataNum(v float64) string {
	if a := math.Abs(v); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func px(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// opSymbol renders a comparator for a chart label.
func opSymbol(op string) string {
	switch op {
	case ">=":
		return "≥"
	case "<=":
		return "≤"
	case "!=":
		return "≠"
	case "==":
		return "="
	}
	return op
}

// intervalX is the chart position of an interval end: the chart's edge
// for an open end.
func intervalX(end *float64, edge float64, x func(float64) float64) float64 {
	if end == nil || !finite(*end) {
		return edge
	}
	return x(*end)
}

const (
	bulletW, bulletH = 820, 74
	bulletL, bulletR = 12.0, 808.0
)

func newBulletChart(t *Threshold, verdict string) bulletChart {
	c := bulletChart{Width: bulletW, Height: bulletH,
		TrackX: px(bulletL), TrackY: "26", TrackW: px(bulletR - bulletL), TrackH: "18"}
	c.Title = t.Metric + " " + t.Expr

	// Domain: every value shown, with 0; [0,1] at least for fractions.
	var vals []float64
	if t.Actual != nil && finite(*t.Actual) {
		vals = append(vals, *t.Actual)
	}
	if iv := t.Interval; iv != nil {
		for _, p := range []*float64{iv.Low, iv.High} {
			if p != nil && finite(*p) {
				vals = append(vals, *p)
			}
		}
	}
	for _, b := range t.Bounds {
		if finite(b.Value) {
			vals = append(vals, b.Value)
		}
	}
	lo, hi := 0.0, 0.0
	for _, v := range vals {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	fraction := t.Unit == UnitPercent || strings.HasPrefix(t.Stat, "rate(") ||
		(t.Unit == UnitNone && t.Stat != "sum" && t.Stat != "count" && lo >= 0 && hi <= 1)
	if fraction {
		hi = math.Max(hi, 1)
	} else {
		hi = niceCeil(hi + (hi-lo)*0.1)
		if lo < 0 {
			lo = -niceCeil(-lo + (hi-lo)*0.1)
		}
	}
	if hi <= lo {
		hi = lo + 1
	}
	x := func(v float64) float64 {
		v = math.Max(lo, math.Min(hi, v))
		return bulletL + (v-lo)/(hi-lo)*(bulletR-bulletL)
	}

	// The passing zone: where every bound holds.
	zlo, zhi, zone := lo, hi, true
	for _, b := range t.Bounds {
		switch b.Op {
		case ">=", ">":
			zlo = math.Max(zlo, b.Value)
		case "<=", "<":
			zhi = math.Min(zhi, b.Value)
		default:
			zone = false
		}
	}
	if zone && len(t.Bounds) > 0 && zhi > zlo {
		c.HasZone, c.ZoneX, c.ZoneW = true, px(x(zlo)), px(x(zhi)-x(zlo))
	}

	if t.Actual != nil && finite(*t.Actual) {
		a, base := x(*t.Actual), x(math.Max(lo, math.Min(hi, 0)))
		left, right := math.Min(a, base), math.Max(a, base)
		c.HasBar = true
		c.BarX, c.BarY, c.BarW, c.BarH = px(left), "30", px(math.Max(right-left, 2)), "10"
		if t.Interval != nil {
			c.HasInterval, c.IntervalX1, c.IntervalX2 = true, px(intervalX(t.Interval.Low, bulletL, x)), px(intervalX(t.Interval.High, bulletR, x))
		}
		c.Labels = append(c.Labels, chartText{X: px(a), Y: "62", Anchor: anchorAt(a), Class: "actual " + verdict,
			Text: "actual " + formatAgainst(*t.Actual, t.Unit, t.Bounds)})
	} else {
		c.Labels = append(c.Labels, chartText{X: px((bulletL + bulletR) / 2), Y: "40", Anchor: "middle", Class: "missing", Text: "not reported"})
	}
	for _, b := range t.Bounds {
		if !finite(b.Value) {
			continue
		}
		bx := x(b.Value)
		c.Lines = append(c.Lines, chartLine{X: px(bx), Y1: "18", Y2: "52", Value: dataNum(b.Value)})
		c.Labels = append(c.Labels, chartText{X: px(bx), Y: "13", Anchor: anchorAt(bx), Class: "bound",
			Text: opSymbol(b.Op) + " " + FormatValue(b.Value, t.Unit)})
	}
	// Axis ends, unless the actual value's label is in the way.
	actualX := math.Inf(1)
	if t.Actual != nil && finite(*t.Actual) {
		actualX = x(*t.Actual)
	}
	if math.Abs(actualX-bulletL) > 110 {
		text := FormatValue(lo, t.Unit)
		if lo == 0 {
			text = "0" // not "0ns" or "$0"
		}
		c.Labels = append(c.Labels, chartText{X: px(bulletL), Y: "62", Anchor: "start", Class: "axis", Text: text})
	}
	if math.Abs(actualX-bulletR) > 110 {
		c.Labels = append(c.Labels, chartText{X: px(bulletR), Y: "62", Anchor: "end", Class: "axis", Text: FormatValue(hi, t.Unit)})
	}
	return c
}

// niceCeil rounds v > 0 up to a round number (1, 1.2, 1.5, 2, 2.5, 3, 4,
// 5, 6 or 8 times a power of ten), so an axis ends at 2.5s, not 2.3s.
func niceCeil(v float64) float64 {
	if v <= 0 || !finite(v) {
		return v
	}
	mag := math.Pow(10, math.Floor(math.Log10(v)))
	for _, step := range []float64{1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10} {
		if n := step * mag; n >= v*(1-1e-12) {
			return n
		}
	}
	return 10 * mag
}

func anchorAt(x float64) string {
	switch {
	case x < bulletL+60:
		return "start"
	case x > bulletR-60:
		return "end"
	}
	return "middle"
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

const (
	distW, distH           = 640, 170
	distL, distR           = 44.0, 628.0
	distTop, distBottom    = 14.0, 132.0
	maxCategories          = 24
	maxHistogramBins       = 20
	defaultFractionBins    = 10
	distributionLabelChars = 14
)

type bin struct {
	label string
	count int64
}

// newDistribution builds a metric's histogram: from its row values when
// known, else from its value distribution.
func newDistribution(m *Metric) (htmlDistribution, bool) {
	unit := m.Unit()
	var bins []bin
	source, note := "", ""
	switch {
	case len(m.RowValues) > 0:
		source = "rows"
		bins = histogram(m.RowValues, unit)
	case len(m.ValueDistribution) > 0:
		source = "distribution"
		bins = categories(m.ValueDistribution)
		if len(bins) > maxCategories {
			var rest int64
			for _, b := range bins[maxCategories-1:] {
				rest += b.count
			}
			note = fmt.Sprintf("%d values with the fewest rows shown as \"other\"", len(bins)-maxCategories+1)
			bins = append(bins[:maxCategories-1:maxCategories-1], bin{"other", rest})
		}
	}
	if len(bins) == 0 {
		return htmlDistribution{}, false
	}
	d := htmlDistribution{Metric: m.Name, Source: source, Width: distW, Height: distH, Note: note,
		AxisX1: px(distL), AxisX2: px(distR), AxisY: px(distBottom)}
	var top int64
	for _, b := range bins {
		d.Count += b.count
		top = max(top, b.count)
	}
	d.Title = fmt.Sprintf("%s: distribution of %d rows", m.Name, d.Count)
	slot := (distR - distL) / float64(len(bins))
	gap := math.Min(4, slot*0.15)
	every := 1
	if len(bins) > 12 {
		every = (len(bins) + 11) / 12
	}
	for i, b := range bins {
		h := 0.0
		if top > 0 {
			h = float64(b.count) / float64(top) * (distBottom - distTop)
		}
		x := distL + float64(i)*slot + gap/2
		d.Bins = append(d.Bins, chartBin{X: px(x), Y: px(distBottom - h), W: px(slot - gap), H: px(h), Label: b.label, Count: b.count})
		if i%every == 0 {
			label := b.label
			if r := []rune(label); len(r) > distributionLabelChars {
				label = string(r[:distributionLabelChars-1]) + "…"
			}
			d.Labels = append(d.Labels, chartText{X: px(x + (slot-gap)/2), Y: px(distBottom + 16), Anchor: "middle", Class: "axis", Text: label})
		}
	}
	d.Labels = append(d.Labels,
		chartText{X: px(distL - 6), Y: px(distTop + 4), Anchor: "end", Class: "axis", Text: strconv.FormatInt(top, 10)},
		chartText{X: px(distL - 6), Y: px(distBottom), Anchor: "end", Class: "axis", Text: "0"},
		chartText{X: px(distL - 6), Y: px(distBottom + 34), Anchor: "start", Class: "axis", Text: "rows per bin"},
	)
	return d, true
}

// histogram bins row values: ten bins over [0, 1] for plain fractions,
// otherwise up to 20 equal bins between the smallest and largest value.
func histogram(values []float64, unit string) []bin {
	var vs []float64
	for _, v := range values {
		if finite(v) {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return nil
	}
	lo, hi := slices.Min(vs), slices.Max(vs)
	n := int(math.Ceil(math.Sqrt(float64(len(vs)))))
	n = max(1, min(maxHistogramBins, n))
	if unit == UnitNone && lo >= 0 && hi <= 1 {
		lo, hi, n = 0, 1, defaultFractionBins
	}
	if hi == lo {
		return []bin{{FormatValue(lo, unit), int64(len(vs))}}
	}
	counts := make([]int64, n)
	width := (hi - lo) / float64(n)
	for _, v := range vs {
		k := int((v - lo) / width)
		counts[min(max(k, 0), n-1)]++
	}
	bins := make([]bin, n)
	for k := range bins {
		from, to := lo+float64(k)*width, lo+float64(k+1)*width
		if k == n-1 {
			to = hi
		}
		bins[k] = bin{FormatValue(from, unit) + "–" + FormatValue(to, unit), counts[k]}
	}
	return bins
}

// categories orders a value distribution: numerically when every key is a
// number, else by key; "other" merging keeps the most frequent values.
func categories(dist map[string]int64) []bin {
	bins := make([]bin, 0, len(dist))
	numeric := true
	for k, c := range dist {
		bins = append(bins, bin{k, c})
		if _, err := strconv.ParseFloat(k, 64); err != nil {
			numeric = false
		}
	}
	if len(bins) > maxCategories {
		// Keep the most frequent values first; ties by key.
		slices.SortFunc(bins, func(a, b bin) int {
			if a.count != b.count {
				return cmp.Compare(b.count, a.count)
			}
			return strings.Compare(a.label, b.label)
		})
		return bins
	}
	slices.SortFunc(bins, func(a, b bin) int {
		if numeric {
			x, _ := strconv.ParseFloat(a.label, 64)
			y, _ := strconv.ParseFloat(b.label, 64)
			if c := cmp.Compare(x, y); c != 0 {
				return c
			}
		}
		return strings.Compare(a.label, b.label)
	})
	return bins
}
