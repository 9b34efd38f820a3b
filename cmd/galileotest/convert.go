package main

import (
	"errors"
	"time"

	"github.com/galileo-community/galileo-go/assert"
	"github.com/galileo-community/galileo-go/galileo"
	"github.com/galileo-community/galileo-go/galileotest"
	"github.com/galileo-community/galileo-go/report"
)

// This file converts the harness's reports into the report package's
// model. It belongs in package galileotest (next to Report) so that the
// go test harness can write the same JUnit, Markdown and HTML files; until
// it moves there, the command keeps it.

// outcome is what Runner.Evaluate returned for one experiment.
type outcome struct {
	rep *galileotest.Report
	err error
}

// toReport builds the run report: one experiment per outcome, in the
// order given (the order of declaration).
func toReport(backend string, started, finished time.Time, outs []outcome) *report.Report {
	r := &report.Report{
		SchemaVersion: report.SchemaVersion,
		StartedAt:     started.UTC(),
		FinishedAt:    finished.UTC(),
		Backend:       reportBackend(backend),
		Experiments:   make([]report.Experiment, 0, len(outs)),
	}
	for _, o := range outs {
		r.Experiments = append(r.Experiments, experimentReport(o.rep, o.err))
	}
	return r
}

// reportBackend maps the runner's backend to the report's: a client given
// with WithClient counts as remote.
func reportBackend(b string) string {
	if b == report.BackendEmulator {
		return report.BackendEmulator
	}
	return report.BackendRemote
}

// experimentStatus is the report status of an outcome.
func experimentStatus(rep *galileotest.Report, err error) string {
	var te *galileotest.TimeoutError
	switch {
	case errors.As(err, &te):
		return report.StatusTimeout
	case err != nil:
		return report.StatusError
	case rep.Passed:
		return report.StatusPassed
	}
	return report.StatusFailed
}

// experimentReport converts one experiment's outcome.
func experimentReport(rep *galileotest.Report, err error) report.Experiment {
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
		Status:      experimentStatus(rep, err),
		Error:       rep.Error,
		Metrics:     make([]report.Metric, 0, len(rep.Metrics)),
		Thresholds:  make([]report.Threshold, 0, len(rep.Thresholds)),
	}
	if err != nil && e.Error == "" {
		e.Error = err.Error()
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
func thresholdReport(v galileotest.Verdict) report.Threshold {
	if th, err := assert.Parse(v.Metric, v.Threshold); err == nil {
		t := report.NewThreshold(assert.Result{Threshold: th, Pass: v.Pass, Actual: v.Actual, Rows: v.Rows, Explanation: v.Explanation})
		return t
	}
	t := report.Threshold{Metric: v.Metric, Stat: v.Stat, Expr: v.Threshold, Pass: v.Pass, Rows: v.Rows, Explanation: v.Explanation}
	if v.Actual != nil {
		a := *v.Actual
		t.Actual = &a
	}
	return t
}

// toAssert converts wire aggregates into the threshold language's.
func toAssert(a galileo.MetricAggregates) assert.Aggregates {
	return assert.Aggregates{
		Avg: a.Avg, Sum: a.Sum, Min: a.Min, Max: a.Max,
		P50: a.P50, P90: a.P90, P95: a.P95, P99: a.P99,
		Count:             a.Count,
		ValueDistribution: a.ValueDistribution,
	}
}
