package galileotest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/galileo-community/galileo-go/galileo"
	"github.com/galileo-community/galileo-go/report"
)

// TimeoutError reports that the scores did not arrive in time, with the
// last state seen.
type TimeoutError struct {
	Experiment string // base name
	Name       string // the experiment's name on Galileo
	Link       string // console link
	Reason     string // what ran out: the experiment's timeout, the test deadline, ...
	Waited     time.Duration
	Polls      int
	Rows       int // rows in the experiment
	Need       int // rows each metric had to have scored
	Allowed    int // unscored rows allowed
	Errored    int // rows whose function failed
	// Metrics are the metrics waited for, with what was scored.
	Metrics []MetricProgress
	// Progress is the last status.log_generation.progress_percent (0..1),
	// nil when not reported.
	Progress *float64
	// LastErr is the last failed poll, if the last poll failed.
	LastErr error
	report  *report.Experiment
}

// MetricProgress is how far one metric got.
type MetricProgress struct {
	Metric   string
	Key      string
	Reported bool  // the metric had aggregates at all
	Scored   int64 // rows scored
}

func newTimeoutError(rep *report.Experiment, spec waitSpec, st *galileo.WaitState, cause error) *TimeoutError {
	e := &TimeoutError{
		Experiment: rep.Name, Name: rep.RunName, Link: rep.Link,
		Reason: cause.Error(), Waited: st.Elapsed, Polls: st.Polls,
		Rows: spec.rows, Need: spec.need, Allowed: rep.AllowedUnscoredRows, Errored: rep.ErroredRows,
		Progress: st.Generated, LastErr: st.LastErr, report: rep,
	}
	if errors.Is(cause, context.Canceled) {
		e.Reason = "the run was canceled"
	}
	for i, k := range spec.metrics {
		n, ok := scoredOf(st, i)
		e.Metrics = append(e.Metrics, MetricProgress{Metric: k.Metric, Key: k.Key, Reported: ok, Scored: n})
	}
	return e
}

// Error renders the last state on several lines: what is missing, how many
// rows are scored per metric, and the console link.
func (e *TimeoutError) Error() string {
	var b strings.Builder
	scoredAll := int64(-1)
	var missing []string
	for _, m := range e.Metrics {
		if scoredAll < 0 || m.Scored < scoredAll {
			scoredAll = m.Scored
		}
		if !m.Reported || m.Scored < int64(e.Need) {
			missing = append(missing, m.Metric)
		}
	}
	scoredAll = max(scoredAll, 0)
	fmt.Fprintf(&b, "%s: gave up waiting for scores after %s (%s): %d/%d rows scored", e.Experiment, round(e.Waited), e.Reason, min(scoredAll, int64(e.Rows)), e.Rows)
	for _, m := range e.Metrics {
		if m.Reported {
			fmt.Fprintf(&b, "\n  %s: %d/%d rows scored", m.Metric, m.Scored, e.Rows)
		} else {
			fmt.Fprintf(&b, "\n  %s: not reported yet", m.Metric)
		}
	}
	if len(missing) > 0 {
		fmt.Fprintf(&b, "\n  missing: %s (each needs %d rows scored", strings.Join(missing, ", "), e.Need)
		var parts []string
		if e.Allowed > 0 {
			parts = append(parts, fmt.Sprintf("%d unscored allowed", e.Allowed))
		}
		if e.Errored > 0 {
			parts = append(parts, fmt.Sprintf("%s may stay unscored", plural(e.Errored, "errored row")))
		}
		if len(parts) > 0 {
			b.WriteString("; " + strings.Join(parts, ", "))
		}
		b.WriteString(")")
	}
	fmt.Fprintf(&b, "\n  polls: %d", e.Polls)
	if e.Progress != nil {
		fmt.Fprintf(&b, ", outputs %.0f%% generated", *e.Progress*100)
	}
	if e.LastErr != nil {
		fmt.Fprintf(&b, "\n  last poll failed: %v", e.LastErr)
	}
	if e.report != nil {
		b.WriteString("\n" + e.report.Where())
	} else if e.Link != "" {
		fmt.Fprintf(&b, "\n  console: %s", e.Link)
	}
	return b.String()
}
