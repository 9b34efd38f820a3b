package galileotest

import (
	"fmt"
	"strings"
	"time"

	"github.com/galileo-community/galileo-go/assert"
	"github.com/galileo-community/galileo-go/galileo"
)

// Report is the outcome of one experiment. It is JSON-serialisable; the
// JSON field names are stable (new fields may be added):
//
//	experiment            the base name (fixture name)
//	name, id              the experiment's name and id on Galileo
//	project, project_id   its project
//	link                  console link of the experiment
//	backend               remote, emulator or client (see Runner.Backend)
//	kind                  function or prompt
//	file, line            where the fixture declared it (absent for Go)
//	reattached            true when a CI retry re-attached to an existing experiment
//	rows                  rows in the dataset
//	errored_rows          rows whose function failed (function runs)
//	row_errors            the first errors: index, input, error
//	allowed_errored_rows  the allowance (allow.errored_rows)
//	allowed_unscored_rows the allowance (allow.unscored_rows)
//	metrics               per metric: metric, key, scorer_name, label, scored,
//	                      not_applicable, scorer_errors, aggregates
//	thresholds            per threshold: metric, threshold, stat, pass, actual, rows, explanation
//	passed                every threshold met and errored rows within the allowance
//	error                 why the run did not complete (set-up failure, timeout), or ""
//	tags                  the experiment tags written
//	started_at            when the run started
//	durations             setup_ns, run_ns, wait_ns and total_ns, in nanoseconds
//	polls                 how many times the experiment was polled
//
// aggregates hold the server's statistics as it sent them (avg, sum, min,
// max, count, p50, p90, p95, p99, value_distribution); latency is in
// nanoseconds and cost in US dollars. actual is in the same base units.
type Report struct {
	Experiment          string            `json:"experiment"`
	Name                string            `json:"name"`
	ID                  string            `json:"id"`
	Project             string            `json:"project"`
	ProjectID           string            `json:"project_id"`
	Link                string            `json:"link"`
	Backend             string            `json:"backend"`
	Kind                string            `json:"kind"`
	File                string            `json:"file,omitempty"`
	Line                int               `json:"line,omitempty"`
	Reattached          bool              `json:"reattached"`
	Rows                int               `json:"rows"`
	ErroredRows         int               `json:"errored_rows"`
	RowErrors           []RowError        `json:"row_errors,omitempty"`
	AllowedErroredRows  int               `json:"allowed_errored_rows"`
	AllowedUnscoredRows int               `json:"allowed_unscored_rows"`
	Metrics             []MetricReport    `json:"metrics"`
	Thresholds          []Verdict         `json:"thresholds"`
	Passed              bool              `json:"passed"`
	Error               string            `json:"error,omitempty"`
	Tags                map[string]string `json:"tags,omitempty"`
	StartedAt           time.Time         `json:"started_at"`
	Durations           Durations         `json:"durations"`
	Polls               int               `json:"polls"`

	// err is what Runner.Evaluate returned with the report, if anything;
	// Status tells a timeout from other errors by it.
	err error
}

// RowError is a row whose function failed.
type RowError struct {
	Index int    `json:"index"` // 0-based row index
	Input string `json:"input"` // the row's input, shortened
	Error string `json:"error"`
}

// MetricReport is one metric's outcome.
type MetricReport struct {
	// Metric is the metric as the experiment names it.
	Metric string `json:"metric"`
	// Key is the key of its aggregates on the server: the scorer UUID, or
	// the system metric's name (cost, duration_ns, ...).
	Key string `json:"key"`
	// ScorerName and Label are the resolved scorer's; empty for system
	// metrics.
	ScorerName string `json:"scorer_name,omitempty"`
	Label      string `json:"label,omitempty"`
	// Scored is the number of rows with a score.
	Scored int64 `json:"scored"`
	// NotApplicable and ScorerErrors count the rows the metric does not
	// apply to and the rows its scorer failed on. They are only counted
	// when the scores stalled below the row count.
	NotApplicable int64 `json:"not_applicable,omitempty"`
	ScorerErrors  int64 `json:"scorer_errors,omitempty"`
	// Aggregates are the server's statistics; nil when not reported.
	Aggregates *galileo.MetricAggregates `json:"aggregates"`
}

// Verdict is one threshold's outcome.
type Verdict struct {
	Metric      string   `json:"metric"`
	Threshold   string   `json:"threshold"` // canonical expression, e.g. "avg >= 0.95"
	Stat        string   `json:"stat"`      // avg, p95, rate(1), ...
	Pass        bool     `json:"pass"`
	Actual      *float64 `json:"actual"` // nil when not reported
	Rows        int64    `json:"rows"`
	Explanation string   `json:"explanation"` // one line for people
	Line        int      `json:"line,omitempty"`
}

// Durations are the phases of a run. JSON carries nanoseconds.
type Durations struct {
	Setup time.Duration `json:"setup_ns"` // resolve, create, tags
	Run   time.Duration `json:"run_ns"`   // the function over every row, with ingest
	Wait  time.Duration `json:"wait_ns"`  // until every metric was scored
	Total time.Duration `json:"total_ns"`
}

// ErroredRowsMetric is the metric name of the verdict on errored rows.
const ErroredRowsMetric = "errored_rows"

// Metric returns the report of a metric named as the experiment names it,
// or by its scorer name, label or UUID, or a system metric by any of its
// names (latency is duration_ns); nil when the experiment has no such metric.
func (r *Report) Metric(name string) *MetricReport {
	if r == nil {
		return nil
	}
	name = strings.TrimSpace(name)
	canon := assert.CanonicalMetric(name)
	for i := range r.Metrics {
		m := &r.Metrics[i]
		if m.Metric == name || m.Key == canon {
			return m
		}
	}
	for i := range r.Metrics {
		m := &r.Metrics[i]
		if strings.EqualFold(m.Metric, name) || strings.EqualFold(m.ScorerName, name) || strings.EqualFold(m.Label, name) {
			return m
		}
	}
	return nil
}

// Evaluate tests a threshold against the report's aggregates, as
// Result.Check does. A malformed expression or a metric the experiment did
// not score is an error.
func (r *Report) Evaluate(metric, expr string) (Verdict, error) {
	th, err := assert.Parse(metric, expr)
	if err != nil {
		return Verdict{}, fmt.Errorf("galileotest: threshold on %s: %w", metric, err)
	}
	m := r.Metric(metric)
	if m == nil {
		return Verdict{}, fmt.Errorf("galileotest: metric %q was not scored by experiment %s; add it to the experiment's metrics (scored: %s)", metric, r.Experiment, r.metricNames())
	}
	return verdict(th, m, 0), nil
}

func (r *Report) metricNames() string {
	if len(r.Metrics) == 0 {
		return "none"
	}
	names := make([]string, len(r.Metrics))
	for i, m := range r.Metrics {
		names[i] = m.Metric
	}
	return strings.Join(names, ", ")
}

// verdict evaluates th against m's aggregates.
func verdict(th assert.Threshold, m *MetricReport, line int) Verdict {
	var agg assert.Aggregates
	if m != nil && m.Aggregates != nil {
		agg = toAssert(*m.Aggregates)
	}
	res := th.Evaluate(agg)
	return Verdict{
		Metric:      th.Metric,
		Threshold:   th.String(),
		Stat:        th.Stat(),
		Pass:        res.Pass,
		Actual:      res.Actual,
		Rows:        res.Rows,
		Explanation: res.Explanation,
		Line:        line,
	}
}

// toAssert converts the wire aggregates into package assert's.
func toAssert(a galileo.MetricAggregates) assert.Aggregates {
	return assert.Aggregates{
		Avg: a.Avg, Sum: a.Sum, Min: a.Min, Max: a.Max,
		P50: a.P50, P90: a.P90, P95: a.P95, P99: a.P99,
		Count:             a.Count,
		ValueDistribution: a.ValueDistribution,
	}
}

// failures returns the verdicts that did not pass.
func (r *Report) failures() []Verdict {
	var out []Verdict
	for _, v := range r.Thresholds {
		if !v.Pass {
			out = append(out, v)
		}
	}
	return out
}

// Failures returns one message per verdict that did not pass, each as
// FailureMessage renders it.
func (r *Report) Failures() []string {
	var out []string
	for _, v := range r.failures() {
		out = append(out, r.FailureMessage(v))
	}
	return out
}

// FailureMessage renders a missed threshold for people: the metric,
// statistic, actual value, threshold and row count on the first line, then
// the experiment and its console link. The wording may change; read the
// Verdict's fields rather than parsing it.
func (r *Report) FailureMessage(v Verdict) string {
	var b strings.Builder
	if v.Metric == ErroredRowsMetric || v.Stat == UnscoredRowsStat {
		fmt.Fprintf(&b, "%s: %s", r.Experiment, v.Explanation)
		for i, e := range r.RowErrors {
			if v.Stat == UnscoredRowsStat {
				break
			}
			if i == maxRowErrorsShown {
				fmt.Fprintf(&b, "\n  ... and %d more", r.ErroredRows-i)
				break
			}
			fmt.Fprintf(&b, "\n  row %d (input %q): %s", e.Index, e.Input, e.Error)
		}
	} else {
		fmt.Fprintf(&b, "%s: threshold missed: %s", r.Experiment, v.Explanation)
	}
	if r.File != "" && v.Line > 0 {
		fmt.Fprintf(&b, "\n  declared at %s:%d", r.File, v.Line)
	}
	b.WriteString("\n" + r.where())
	return b.String()
}

// where renders the experiment lines every message ends with.
func (r *Report) where() string {
	var b strings.Builder
	fmt.Fprintf(&b, "  experiment: %s", r.Name)
	if r.ID != "" {
		fmt.Fprintf(&b, " (id %s, project %s, %s backend)", r.ID, r.Project, r.Backend)
	}
	if r.Link != "" {
		fmt.Fprintf(&b, "\n  console: %s", r.Link)
	}
	return b.String()
}

// Summary is one line for logs: "support-bot: passed 3/3 thresholds, 50 rows (link)".
func (r *Report) Summary() string {
	ok := 0
	for _, v := range r.Thresholds {
		if v.Pass {
			ok++
		}
	}
	state := "passed"
	switch {
	case r.Error != "":
		state = "did not complete"
	case !r.Passed:
		state = "FAILED"
	}
	s := fmt.Sprintf("%s: %s %d/%d thresholds, %d rows", r.Experiment, state, ok, len(r.Thresholds), r.Rows)
	if r.ErroredRows > 0 {
		s += fmt.Sprintf(" (%d errored)", r.ErroredRows)
	}
	s += ", " + round(r.Durations.Total).String()
	if r.Link != "" {
		s += " — " + r.Link
	}
	return s
}

// maxRowErrorsShown bounds the row errors listed in messages; the report
// keeps maxRowErrorsKept.
const (
	maxRowErrorsShown = 5
	maxRowErrorsKept  = 20
)

// sanitizeFile turns a test name into a file name.
func sanitizeFile(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "report"
	}
	return b.String()
}
