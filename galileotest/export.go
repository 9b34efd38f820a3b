package galileotest

import (
	"errors"
	"time"

	"github.com/galileo-community/galileo-go/assert"
	"github.com/galileo-community/galileo-go/report"
)

// BuildReport converts the reports of one run into the report package's
// model (report.Report, JSON schema_version 1): one experiment per report,
// in the order given. backend is Runner.Backend; a client given with
// WithClient counts as remote. The Harness writes this model when a test
// ends, and the galileotest command writes it for its run subcommand, so
// both produce the same JSON, JUnit, Markdown and HTML files.
func BuildReport(backend string, started, finished time.Time, reps []*Report) *report.Report {
	r := &report.Report{
		SchemaVersion: report.SchemaVersion,
		StartedAt:     started.UTC(),
		FinishedAt:    finished.UTC(),
		Backend:       reportBackend(backend),
		Experiments:   make([]report.Experiment, 0, len(reps)),
	}
	for _, rep := range reps {
		if rep != nil {
			r.Experiments = append(r.Experiments, experimentReport(rep))
		}
	}
	return r
}

// reportBackend maps the runner's backend to the report's.
func reportBackend(b string) string {
	if b == report.BackendEmulator {
		return report.BackendEmulator
	}
	return report.BackendRemote
}

// Status is the experiment's outcome as package report names it:
// report.StatusTimeout when the scores did not arrive in time,
// report.StatusError when the run did not complete for another reason,
// report.StatusPassed or report.StatusFailed otherwise.
func (r *Report) Status() string {
	var te *TimeoutError
	switch {
	case r == nil:
		return report.StatusError
	case errors.As(r.err, &te):
		return report.StatusTimeout
	case r.err != nil || r.Error != "":
		return report.StatusError
	case r.Passed:
		return report.StatusPassed
	}
	return report.StatusFailed
}

// experimentReport converts one experiment's report.
func experimentReport(rep *Report) report.Experiment {
	e := report.Experiment{
		Name:        rep.Experiment,
		RunName:     rep.Name,
		ID:          rep.ID,
		ProjectID:   rep.ProjectID,
		Project:     rep.Project,
		Link:        rep.Link,
		File:        rep.File,
		Line:        rep.Line,
		Kind:        rep.Kind,
		Rows:        rep.Rows,
		ErroredRows: rep.ErroredRows,
		DurationMS:  rep.Durations.Total.Milliseconds(),
		Status:      rep.Status(),
		Error:       rep.Error,
		Metrics:     make([]report.Metric, 0, len(rep.Metrics)),
		Thresholds:  make([]report.Threshold, 0, len(rep.Thresholds)),
	}
	if rep.err != nil && e.Error == "" {
		e.Error = rep.err.Error()
	}
	scored := -1
	for _, m := range rep.Metrics {
		rm := report.Metric{Name: m.Metric, Key: m.Key}
		if m.Aggregates != nil {
			rm = report.NewMetric(m.Metric, m.Key, toAssert(*m.Aggregates))
		}
		rm.Label = m.Label
		e.Metrics = append(e.Metrics, rm)
		if scored < 0 || int(m.Scored) < scored {
			scored = int(m.Scored)
		}
	}
	switch {
	case scored >= 0:
		e.ScoredRows = min(scored, rep.Rows)
	case e.Status == report.StatusPassed || e.Status == report.StatusFailed:
		e.ScoredRows = rep.Rows // nothing to score
	}
	for _, v := range rep.Thresholds {
		e.Thresholds = append(e.Thresholds, thresholdReport(v))
	}
	return e
}

// thresholdReport converts a verdict. A verdict whose expression is in the
// threshold language gets its bounds and unit from report.NewThreshold;
// the harness's own verdicts (unscored rows) are copied as they are.
func thresholdReport(v Verdict) report.Threshold {
	if th, err := assert.Parse(v.Metric, v.Threshold); err == nil {
		return report.NewThreshold(assert.Result{Threshold: th, Pass: v.Pass, Actual: v.Actual, Rows: v.Rows, Explanation: v.Explanation})
	}
	t := report.Threshold{Metric: v.Metric, Stat: v.Stat, Expr: v.Threshold, Pass: v.Pass, Rows: v.Rows, Explanation: v.Explanation}
	if v.Actual != nil {
		a := *v.Actual
		t.Actual = &a
	}
	return t
}
