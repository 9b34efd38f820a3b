package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/galileo-community/galileo-go/assert"
	"github.com/galileo-community/galileo-go/internal/textdist"
)

// Names of the verdicts the harness adds beside an experiment's own
// thresholds: the errored-rows allowance (metric ErroredRowsMetric, stat
// "count") and a metric's unscored rows (stat UnscoredRowsStat).
const (
	ErroredRowsMetric = "errored_rows"
	UnscoredRowsStat  = "unscored_rows"
)

// Metric returns the experiment's metric named as the experiment names it,
// or by its key, scorer name or label (case-insensitively), or a system
// metric by any of its names (latency is duration_ns); nil when the
// experiment has no such metric.
func (e *Experiment) Metric(name string) *Metric {
	if e == nil {
		return nil
	}
	name = strings.TrimSpace(name)
	canon := assert.CanonicalMetric(name)
	for i := range e.Metrics {
		m := &e.Metrics[i]
		if m.Name == name || (m.Key != "" && (m.Key == name || m.Key == canon)) {
			return m
		}
	}
	for i := range e.Metrics {
		m := &e.Metrics[i]
		if strings.EqualFold(m.Name, name) || strings.EqualFold(m.ScorerName, name) || strings.EqualFold(m.Label, name) {
			return m
		}
	}
	return nil
}

// Judge evaluates a threshold, such as Judge("correctness", "avg >= 0.95"),
// against the experiment's aggregates and adds the verdict to its
// thresholds: a miss turns a passed experiment into a failed one, so the
// report always says what the test said. A malformed expression or a
// metric the experiment did not score is an error, recorded as a failed
// threshold whose explanation is the error. An experiment that did not
// complete (status error or timeout) is an error and records nothing: its
// status already fails it.
func (e *Experiment) Judge(metric, expr string) (Threshold, error) {
	if !e.judged() {
		why := e.Error
		if why == "" {
			why = "status " + e.Status
		}
		return Threshold{}, fmt.Errorf("cannot judge %s %s: experiment %s did not complete: %s", metric, expr, e.Name, why)
	}
	var err error
	th, perr := assert.Parse(metric, expr)
	m := e.Metric(metric)
	switch {
	case perr != nil:
		err = fmt.Errorf("%s: threshold on %s: %w", e.Name, metric, perr)
	case m == nil:
		hint := ""
		if s := e.suggestMetric(metric); s != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", s)
		}
		err = fmt.Errorf("%s: metric %q was not scored by this experiment%s; add it to the experiment's metrics (scored: %s)", e.Name, metric, hint, e.metricNames())
	}
	if err != nil {
		t := Threshold{Metric: metric, Expr: expr, Explanation: err.Error()}
		e.AddThreshold(t)
		return t, err
	}
	t := e.Verdict(th)
	e.AddThreshold(t)
	return t, nil
}

// AddThreshold appends a verdict and keeps the status in step with it: a
// missed threshold makes a passed (or inconclusive) experiment failed, an
// inconclusive one that does not pass makes a passed experiment
// inconclusive.
func (e *Experiment) AddThreshold(t Threshold) {
	e.Thresholds = append(e.Thresholds, t)
	if t.Pass || !e.judged() {
		return
	}
	if t.Verdict == VerdictInconclusive {
		if e.Status == StatusPassed {
			e.Status = StatusInconclusive
		}
		return
	}
	e.Status = StatusFailed
}

// suggestMetric returns the name, scorer name, label or key of a scored
// metric closest to name, compared without case, or "" when none is close
// enough to be a likely typo (textdist.Closest, as fixtures suggests field
// names).
func (e *Experiment) suggestMetric(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	var cands []string
	for _, m := range e.Metrics {
		cands = append(cands, m.Name, m.ScorerName, m.Label, m.Key)
	}
	return textdist.Closest(name, cands)
}

func (e *Experiment) metricNames() string {
	if len(e.Metrics) == 0 {
		return "none"
	}
	names := make([]string, len(e.Metrics))
	for i, m := range e.Metrics {
		names[i] = m.Name
	}
	return strings.Join(names, ", ")
}

// Failures returns one message per threshold that did not pass, each as
// Failure renders it.
func (e *Experiment) Failures() []string {
	var out []string
	for _, t := range e.Thresholds {
		if !t.Pass {
			out = append(out, e.Failure(t))
		}
	}
	return out
}

// maxRowErrorsShown bounds the row errors a message lists.
const maxRowErrorsShown = 5

// Failure renders a missed threshold for people: the metric, statistic,
// actual value, threshold and row count on the first line, then where it
// was declared, the experiment and its console link. The wording may
// change; read the Threshold's fields rather than parsing it.
func (e *Experiment) Failure(t Threshold) string {
	var b strings.Builder
	if t.Metric == ErroredRowsMetric || t.Stat == UnscoredRowsStat {
		fmt.Fprintf(&b, "%s: %s", e.Name, t.Explanation)
		for i, re := range e.RowErrors {
			if t.Stat == UnscoredRowsStat {
				break
			}
			if i == maxRowErrorsShown {
				fmt.Fprintf(&b, "\n  ... and %d more", e.ErroredRows-i)
				break
			}
			fmt.Fprintf(&b, "\n  row %d (input %q): %s", re.Index, re.Input, re.Error)
		}
	} else if t.Verdict == VerdictInconclusive {
		fmt.Fprintf(&b, "%s: threshold inconclusive: %s", e.Name, t.Explanation)
	} else {
		fmt.Fprintf(&b, "%s: threshold missed: %s", e.Name, t.Explanation)
	}
	if e.File != "" && t.Line > 0 {
		fmt.Fprintf(&b, "\n  declared at %s:%d", e.File, t.Line)
	}
	b.WriteString("\n" + e.Where())
	return b.String()
}

// Where renders the lines that locate the experiment in messages: its run
// name, id, project and console link.
func (e *Experiment) Where() string {
	var b strings.Builder
	name := e.RunName
	if name == "" {
		name = e.Name
	}
	fmt.Fprintf(&b, "  experiment: %s", name)
	if e.ID != "" {
		fmt.Fprintf(&b, " (id %s, project %s)", e.ID, e.Project)
	}
	if e.Link != "" {
		fmt.Fprintf(&b, "\n  console: %s", e.Link)
	}
	return b.String()
}

// Summary is one line for logs: "support-bot: passed 3/3 thresholds, 50
// rows, 2.1s — link".
func (e *Experiment) Summary() string {
	ok := 0
	for _, t := range e.Thresholds {
		if t.Pass {
			ok++
		}
	}
	state := map[string]string{StatusPassed: "passed", StatusFailed: "FAILED", StatusInconclusive: "INCONCLUSIVE", StatusTimeout: "timed out"}[e.Status]
	if state == "" {
		state = "did not complete"
	}
	s := fmt.Sprintf("%s: %s %d/%d thresholds, %d rows", e.Name, state, ok, len(e.Thresholds), e.Rows)
	if e.ErroredRows > 0 {
		s += fmt.Sprintf(" (%d errored)", e.ErroredRows)
	}
	s += ", " + e.Duration().Round(time.Millisecond).String()
	if e.Link != "" {
		s += " — " + e.Link
	}
	return s
}
