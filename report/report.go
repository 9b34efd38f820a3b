package report

import (
	"time"

	"github.com/galileo-community/galileo-go/galileo"
)

// SchemaVersion is the version of the report schema this package writes.
// Fields may be added to a version; a field is never renamed, removed or
// given a new meaning without a new version. Version 2 added the
// three-way verdict (Threshold.Verdict, Interval, Baseline, the
// experiment status "inconclusive") and the row-level scores; ReadJSON
// also reads version 1, where pass was the whole verdict.
const SchemaVersion = 2

// oldestSchemaVersion is the oldest version ReadJSON and Merge accept.
const oldestSchemaVersion = 1

// Experiment statuses, the values of [Experiment.Status].
const (
	StatusPassed  = "passed"  // every threshold was met
	StatusFailed  = "failed"  // the experiment ran and at least one threshold was missed
	StatusError   = "error"   // set-up or infrastructure failure; thresholds not judged
	StatusTimeout = "timeout" // scores did not arrive in time; thresholds not judged
	// StatusInconclusive: no threshold was missed, but the rows could not
	// decide one (its confidence interval straddles it) and the
	// experiment's on_inconclusive is "fail". It counts as a miss.
	StatusInconclusive = "inconclusive"
)

// Verdicts of one threshold, the values of [Threshold.Verdict].
const (
	VerdictPassed       = "passed"       // met (with confidence: the whole interval meets it)
	VerdictFailed       = "failed"       // missed (with confidence: no part of the interval meets it)
	VerdictInconclusive = "inconclusive" // with confidence: the interval straddles the threshold
)

// What an inconclusive verdict does to the experiment, the values of
// [Experiment.OnInconclusive]; "" means OnInconclusiveFail.
const (
	OnInconclusiveFail = "fail" // the threshold fails (the default)
	OnInconclusivePass = "pass" // the threshold passes
	OnInconclusiveSkip = "skip" // the threshold is skipped: it neither passes nor fails
)

// Experiment kinds, the values of [Experiment.Kind].
const (
	KindPrompt   = "prompt"   // the server ran a prompt template over the dataset
	KindFunction = "function" // a Go function produced the outputs
)

// Backends, the values of [Report.Backend].
const (
	BackendRemote   = "remote"   // the real Galileo API
	BackendEmulator = "emulator" // the embedded emulator
)

// Display units, the values of [Threshold.Unit]. The unit says how a value
// is shown to people; values are always stored in the metric's base unit.
const (
	UnitNone        = ""   // a plain number
	UnitNanoseconds = "ns" // a duration in nanoseconds, shown as 2.4s, 350ms, ...
	UnitDollars     = "$"  // an amount in US dollars, shown as $0.62
	UnitPercent     = "%"  // a fraction 0..1, shown as 85%
)

// Report is the result of one regression-gate run: every experiment that
// was run, its metrics and the verdict on each threshold. It is plain data;
// the JSON form (see [WriteJSON]) is a stable schema documented in the
// package comment.
type Report struct {
	// SchemaVersion is the version of the schema, [SchemaVersion]. The
	// writers fill it in when it is zero.
	SchemaVersion int `json:"schema_version"`
	// StartedAt and FinishedAt bound the whole run. They are written in UTC.
	StartedAt  time.Time `json:"started_at,omitzero"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
	// Backend is BackendRemote or BackendEmulator.
	Backend string `json:"backend"`
	// RunID identifies the run that wrote the report: test binaries of one
	// go test invocation share it, so that they merge their experiments
	// into one file (see [MergeJSONFile]). Empty for a single process.
	RunID string `json:"run_id,omitempty"`
	// Experiments are in the order they were declared.
	Experiments []Experiment `json:"experiments"`
}

// Experiment is one experiment of a run and its outcome.
type Experiment struct {
	// Name is the declared name (the fixture's name).
	Name string `json:"name"`
	// RunName is the unique name the experiment ran under on the server.
	RunName string `json:"run_name,omitempty"`
	// ID and ProjectID are the server's ids; empty when set-up failed
	// before the experiment was created.
	ID        string `json:"id,omitempty"`
	ProjectID string `json:"project_id,omitempty"`
	// Project is the project name.
	Project string `json:"project,omitempty"`
	// Link is the console deep link to the experiment.
	Link string `json:"link,omitempty"`
	// File and Line locate the fixture that declared the experiment, if any.
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	// Kind is KindPrompt or KindFunction.
	Kind string `json:"kind,omitempty"`
	// Rows is the number of dataset rows, ScoredRows how many were scored
	// for every requested metric and ErroredRows how many failed to
	// produce an output.
	Rows        int `json:"rows"`
	ScoredRows  int `json:"scored_rows"`
	ErroredRows int `json:"errored_rows"`
	// RowErrors are the first rows whose function failed.
	RowErrors []RowError `json:"row_errors,omitempty"`
	// AllowedErroredRows and AllowedUnscoredRows are the experiment's
	// allowance (allow.errored_rows, allow.unscored_rows) in rows.
	AllowedErroredRows  int `json:"allowed_errored_rows,omitempty"`
	AllowedUnscoredRows int `json:"allowed_unscored_rows,omitempty"`
	// Reattached is true when a CI retry re-attached to the experiment an
	// earlier attempt created, instead of creating another.
	Reattached bool `json:"reattached,omitempty"`
	// Tags are the experiment tags written with it (git and CI facts and
	// the experiment's own).
	Tags map[string]string `json:"tags,omitempty"`
	// StartedAt is when the experiment started.
	StartedAt time.Time `json:"started_at,omitzero"`
	// DurationMS is the wall time of the experiment, in milliseconds;
	// SetupMS, RunMS and WaitMS its phases: resolving and creating, running
	// the function over the rows, waiting for the scores.
	DurationMS int64 `json:"duration_ms"`
	SetupMS    int64 `json:"setup_ms,omitempty"`
	RunMS      int64 `json:"run_ms,omitempty"`
	WaitMS     int64 `json:"wait_ms,omitempty"`
	// Polls is how many times the experiment was polled for its scores.
	Polls int `json:"polls,omitempty"`
	// Confidence is the confidence level of the verdicts (0.95 for 95%),
	// 0 when thresholds compare point estimates. OnInconclusive is
	// OnInconclusiveFail, OnInconclusivePass or OnInconclusiveSkip ("" is
	// fail). Repeats is how many times every row was run (0 or 1: once).
	Confidence     float64 `json:"confidence,omitempty"`
	OnInconclusive string  `json:"on_inconclusive,omitempty"`
	Repeats        int     `json:"repeats,omitempty"`
	// Against is the baseline experiment that thresholds such as "avg >=
	// baseline - 0.02" are judged against (its metrics with their row
	// values and keys), nil when there is none; BaselineFile is the
	// committed file it was read from, if any. Neither is written: each
	// baseline threshold records what it compared in its Baseline.
	Against      *Experiment `json:"-"`
	BaselineFile string      `json:"-"`
	// Status is one of StatusPassed, StatusFailed, StatusInconclusive,
	// StatusError and StatusTimeout. It is what go test and the command's
	// exit code say.
	Status string `json:"status"`
	// Error is the set-up, input or infrastructure error, if any.
	Error string `json:"error,omitempty"`
	// Metrics are in declaration order.
	Metrics []Metric `json:"metrics"`
	// Thresholds are in declaration order, then those asserted in Go
	// (Result.Check) in the order they were checked.
	Thresholds []Threshold `json:"thresholds"`
}

// RowError is a row whose function failed.
type RowError struct {
	Index int    `json:"index"` // 0-based row index
	Input string `json:"input"` // the row's input, shortened
	Error string `json:"error"`
}

// Metric holds one metric's server-side aggregates: the client's wire type
// (avg, sum, min, max, count, p50 … p99, value_distribution, all in base
// units), embedded, so its JSON fields sit beside the metric's name. A nil
// statistic was not reported by the server. *Metric satisfies
// assert.Aggregates, so thresholds are evaluated against it directly.
type Metric struct {
	// Name is the metric as the user wrote it, e.g. "correctness" or
	// "latency".
	Name string `json:"name"`
	// Key is the server's key for the metric: a scorer UUID or name, or a
	// system metric such as "cost" or "duration_ns".
	Key string `json:"key,omitempty"`
	// Label and ScorerName are the scorer's display label ("Correctness")
	// and name ("correctness"); empty for system metrics.
	Label      string `json:"label,omitempty"`
	ScorerName string `json:"scorer_name,omitempty"`
	// Scored is the number of rows with a score; NotApplicable and
	// ScorerErrors count the rows the metric does not apply to and those
	// its scorer failed on (counted only when scores stalled).
	Scored        int64 `json:"scored,omitempty"`
	NotApplicable int64 `json:"not_applicable,omitempty"`
	ScorerErrors  int64 `json:"scorer_errors,omitempty"`

	galileo.MetricAggregates

	// RowValues are the per-row values, when known, in base units: one
	// per scored trace, so a row run N times has N values.
	RowValues []float64 `json:"row_values,omitempty"`
	// RowKeys name the dataset row of each of RowValues (same length, or
	// empty when unknown): equal keys are repeats of one row, and a
	// baseline's rows are matched by key. A key is a digest of the row's
	// dataset input, output and metadata.
	RowKeys []string `json:"row_keys,omitempty"`
	// Consistency is how the repeats of each row agreed; nil when rows
	// ran once.
	Consistency *Consistency `json:"consistency,omitempty"`
}

// Threshold is the verdict on one threshold expression.
type Threshold struct {
	// Metric is the metric name as written, e.g. "latency".
	Metric string `json:"metric"`
	// Stat is the statistic tested: avg, min, max, sum, count, p50, p90,
	// p95, p99 or rate(v), e.g. `rate("yes")`.
	Stat string `json:"stat"`
	// Expr is the canonical expression, e.g. "p95 <= 2s".
	Expr string `json:"expr"`
	// Bounds are the comparisons Expr makes, in base units: one for
	// "p95 <= 2s" ({"<=", 2e9}), two for a range such as "0.8 <= avg <= 1"
	// ({">=", 0.8} and {"<=", 1}).
	Bounds []Bound `json:"bounds,omitempty"`
	// Actual is the statistic in base units (nanoseconds, dollars, a
	// fraction for rate), nil when the server did not report it.
	Actual *float64 `json:"actual,omitempty"`
	// Pass reports whether the threshold lets the experiment pass: its
	// verdict is passed, or inconclusive under on_inconclusive pass or
	// skip.
	Pass bool `json:"pass"`
	// Verdict is VerdictPassed, VerdictFailed or VerdictInconclusive.
	// Without a confidence level it compares the point estimate, so it is
	// never inconclusive.
	Verdict string `json:"verdict,omitempty"`
	// Skipped is true for an inconclusive verdict under on_inconclusive
	// skip.
	Skipped bool `json:"skipped,omitempty"`
	// Interval is the confidence interval of the statistic (avg, pNN and
	// rate), nil when it has none or there were too few rows.
	Interval *Interval `json:"interval,omitempty"`
	// RowsToDecide is, for an inconclusive verdict, about how many rows
	// would decide it if the estimate and its spread held (0: unknown).
	RowsToDecide int `json:"rows_to_decide,omitempty"`
	// Baseline describes the comparison of a threshold that refers to a
	// baseline experiment; nil otherwise.
	Baseline *Baseline `json:"baseline,omitempty"`
	// Rows is the number of rows behind the statistic.
	Rows int64 `json:"rows"`
	// Explanation is one line for people, e.g.
	// "latency p95 = 2.4s, want <= 2s (10 rows)".
	Explanation string `json:"explanation,omitempty"`
	// Unit says how to display Actual and Bounds: UnitNone,
	// UnitNanoseconds, UnitDollars or UnitPercent.
	Unit string `json:"unit,omitempty"`
	// Line is where the fixture declares the threshold (0: declared in Go
	// or by the harness).
	Line int `json:"line,omitempty"`
}

// Interval is a confidence interval of a statistic, in base units. A nil
// end is unbounded: the rows cannot bound it at this level (a percentile
// with few rows).
type Interval struct {
	Low   *float64 `json:"low,omitempty"`
	High  *float64 `json:"high,omitempty"`
	Level float64  `json:"level"`
	// Method is how the interval was computed: "wilson", "t",
	// "t-clustered", "paired-t" or "order-statistic" (see package
	// assert/stats).
	Method string `json:"method"`
}

// Baseline is the comparison of a threshold with a baseline experiment.
type Baseline struct {
	// Experiment and ID name the baseline experiment; File the committed
	// baseline file it was read from, if any.
	Experiment string `json:"experiment,omitempty"`
	ID         string `json:"id,omitempty"`
	File       string `json:"file,omitempty"`
	// Value is the baseline's statistic over the matched rows, in base
	// units; Difference is this experiment's minus the baseline's.
	Value      float64 `json:"value"`
	Difference float64 `json:"difference"`
	// MatchedRows is how many rows the two experiments share.
	MatchedRows int `json:"matched_rows"`
}

// Consistency is how the repeats of the rows of a metric agreed.
type Consistency struct {
	// Rows is the number of distinct rows, Consistent how many of them got
	// the same value in every repeat.
	Rows       int `json:"rows"`
	Consistent int `json:"consistent"`
	// Flakiest are the rows whose values spread the most (at most five),
	// most spread first.
	Flakiest []FlakyRow `json:"flakiest,omitempty"`
}

// FlakyRow is a row whose repeats disagreed.
type FlakyRow struct {
	Key    string    `json:"key"`
	Input  string    `json:"input,omitempty"`
	Values []float64 `json:"values"`
}

// Bound is one comparison of a threshold: the statistic compared with Op
// (">=", ">", "<=", "<", "==" or "!=") against Value, in base units.
type Bound struct {
	Op    string  `json:"op"`
	Value float64 `json:"value"`
}

// Counts returns how many experiments passed, failed (a threshold was
// missed, or inconclusive under on_inconclusive fail) and errored (set-up error or timeout). An experiment whose status
// is none of the known values counts as errored.
func (r *Report) Counts() (passed, failed, errored int) {
	if r == nil {
		return 0, 0, 0
	}
	for _, e := range r.Experiments {
		switch e.Status {
		case StatusPassed:
			passed++
		case StatusFailed, StatusInconclusive:
			failed++
		default:
			errored++
		}
	}
	return passed, failed, errored
}

// Passed reports whether the run is green: it has at least one experiment
// and every experiment passed. A report without experiments has not
// passed, because a gate that checked nothing is no evidence.
func (r *Report) Passed() bool {
	p, f, e := r.Counts()
	return p > 0 && f == 0 && e == 0
}

// Duration is the wall time of the run, FinishedAt minus StartedAt, or 0
// when either is unset.
func (r *Report) Duration() time.Duration {
	if r == nil || r.StartedAt.IsZero() || r.FinishedAt.IsZero() {
		return 0
	}
	return r.FinishedAt.Sub(r.StartedAt)
}

// Duration is the wall time of the experiment.
func (e *Experiment) Duration() time.Duration {
	return time.Duration(e.DurationMS) * time.Millisecond
}

// judged reports whether the experiment's thresholds carry a verdict: it
// ran to the end (passed or failed), rather than erroring or timing out.
func (e *Experiment) judged() bool {
	return e.Status == StatusPassed || e.Status == StatusFailed || e.Status == StatusInconclusive
}
