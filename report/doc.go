// Package report is the result of a regression-gate run of Galileo
// experiments, as plain data, and its writers: JSON (a stable schema),
// JUnit XML for CI test views, Markdown for a GitHub job summary or
// pull-request comment, GitHub Actions error annotations, and a
// self-contained HTML page with charts.
//
// It is the one home of the verdict: the go test harness and the
// galileotest command both produce a [Report], and the test result, the
// command's exit code and every file written from it agree because they
// read the same status. [Experiment.Judge] evaluates a further threshold
// against an experiment's aggregates and records it (a miss turns the
// experiment failed); the aggregates are the client's wire type,
// galileo.MetricAggregates, embedded in [Metric]. This package does not
// run anything and does not import the harness.
//
// # Quick start
//
//	rep := &report.Report{
//		StartedAt: start, FinishedAt: time.Now(), Backend: report.BackendEmulator,
//		Experiments: []report.Experiment{{
//			Name: "support-bot", Status: report.StatusFailed, Kind: report.KindFunction,
//			Rows: 10, ScoredRows: 10,
//			Thresholds: []report.Threshold{report.NewThreshold(result)}, // an assert.Result
//		}},
//	}
//	if err := report.WriteFile("galileo-report.json", report.FormatJSON, rep); err != nil {
//		return err
//	}
//	_ = report.WriteFile("galileo-junit.xml", report.FormatJUnit, rep)
//	_ = report.WriteFile("galileo-report.html", report.FormatHTML, rep)
//	_ = report.AppendStepSummary(rep) // no-op outside GitHub Actions
//	if !rep.Passed() {
//		// exit non-zero
//	}
//
// [NewThreshold] turns an evaluated threshold of package assert into a
// [Threshold], filling in its bounds and display unit; [NewMetric] does
// the same for a metric's aggregates.
//
// # Verdicts
//
// Each experiment has one status: "passed" (every threshold met),
// "failed" (it ran and a threshold was missed), "inconclusive" (no
// threshold missed, but the rows could not decide one and the experiment's
// on_inconclusive is fail), "error" (set-up or infrastructure failure) or
// "timeout" (scores did not arrive in time).
//
// Each threshold has a verdict: "passed", "failed" or "inconclusive".
// [Experiment.Verdict] computes it. Without a confidence level
// (Experiment.Confidence 0) it compares the point estimate, as the
// server's aggregates give it, and the statistic's 95% confidence
// interval is only shown. With one, a threshold on avg, rate(v) or a
// percentile is judged on the interval: passed when all of it meets the
// threshold, failed when none of it does, inconclusive otherwise — and the
// explanation gives the interval and about how many rows would decide it:
//
//	correctness avg = 0.85 [0.6396, 0.9476] (95% wilson), want >= 0.8 (20 rows): inconclusive, the interval contains 0.8; about 196 rows would decide it
//
// The intervals come from the metric's row-level scores (Metric.RowValues
// and RowKeys) by the methods of package assert/stats: Wilson for 0/1
// scores and rates (over the row means when rows repeat; also for scores
// in [0, 1] that all agree, where a t interval would have no width), the t
// interval for other averages (clustered by row when rows repeat), the
// order-statistic interval for percentiles. Rates are not clustered: with
// repeats, each trace counts. A
// threshold such as "avg >= baseline - 0.02" is judged against
// Experiment.Against on the rows both share (see [Baseline]): without a
// confidence level on the point difference, with one on the
// paired-difference interval.
// Thresholds of an experiment that errored or timed out were not judged;
// the writers show those that did not pass as skipped. [Report.Passed] is
// true when there is at least one experiment and all passed;
// [Report.Counts] counts passed, failed and errored (error, timeout or any
// unknown status) experiments.
//
// # JSON schema, version 2
//
// [WriteJSON] writes one object, indented, with sorted map keys, times in
// UTC (RFC 3339) and empty lists as []. A version only grows: a later
// release may add fields but never renames, removes or redefines one, so a
// reader should ignore fields it does not know ([ReadJSON] does). Version
// 2 added the three-way verdict (verdict, interval, baseline,
// rows_to_decide, skipped; the status "inconclusive"), confidence,
// on_inconclusive, repeats, row_keys and consistency; [ReadJSON] reads
// version 1 too, giving each threshold the verdict its pass says. Values
// are in base units: nanoseconds for latency, US dollars for cost, a
// fraction 0..1 for rates and percentages. A statistic the server did not
// report is absent.
//
//	schema_version   integer   2
//	started_at       string    when the run started (absent if unknown)
//	finished_at      string    when the run finished (absent if unknown)
//	backend          string    "remote" or "emulator"
//	run_id           string    the go test run that wrote it (absent for one process)
//	experiments      array     in declaration order, each:
//	  name           string    the declared (fixture) name
//	  run_name       string    the unique name it ran under on the server
//	  id             string    experiment id (absent if it was never created)
//	  project_id     string    project id
//	  project        string    project name
//	  link           string    console deep link to the experiment
//	  file, line     string, integer   the fixture that declared it, if any
//	  kind           string    "prompt" or "function"
//	  rows           integer   dataset rows
//	  scored_rows    integer   rows scored for every requested metric
//	  errored_rows   integer   rows whose output could not be produced
//	  row_errors     array     the first failed rows: {"index", "input", "error"}
//	  allowed_errored_rows, allowed_unscored_rows   integer   the allowance, in rows
//	  reattached     boolean   a CI retry re-attached to the experiment
//	  tags           object    the experiment tags written
//	  started_at     string    when the experiment started
//	  duration_ms    integer   wall time of the experiment
//	  setup_ms, run_ms, wait_ms   integer   its phases
//	  polls          integer   polls for the scores
//	  confidence     number    the confidence level of the verdicts, e.g. 0.95 (absent: point estimates)
//	  on_inconclusive string   "fail", "pass" or "skip" (absent: fail)
//	  repeats        integer   times every row ran (absent: once)
//	  status         string    "passed", "failed", "inconclusive", "error" or "timeout"
//	  error          string    set-up, input or infrastructure error text, if any
//	  metrics        array     in declaration order, each:
//	    name         string    as the user wrote it ("correctness", "latency")
//	    key          string    the server's key (scorer UUID, "cost", "duration_ns")
//	    label        string    the scorer's display label
//	    scorer_name  string    the scorer's name
//	    scored       integer   rows with a score
//	    not_applicable, scorer_errors   integer   rows counted when scores stalled
//	    avg sum min max pct p50 p90 p95 p99   number   aggregates
//	    count        integer   rows counted
//	    value_distribution  object   discrete value -> rows, e.g. {"0": 2, "1": 8}
//	    row_values   array of numbers   per-trace values, when known
//	    row_keys     array of strings   the dataset row of each value (repeats share a key)
//	    consistency  object    with repeats: {"rows", "consistent", "flakiest": [{"key", "input", "values"}]}
//	  thresholds     array     in declaration order, each:
//	    metric       string    metric name as written
//	    stat         string    avg, min, max, sum, count, p50, p90, p95, p99 or rate(v)
//	    expr         string    canonical expression, e.g. "p95 <= 2s"
//	    bounds       array     {"op": ">=" | ">" | "<=" | "<" | "==" | "!=", "value": number};
//	                           one, or two for a range such as "0.8 <= avg <= 1"
//	                           (absent when expr is not in the canonical form)
//	    actual       number    the statistic (absent when not reported)
//	    pass         boolean   the threshold lets the experiment pass (verdict passed, or
//	                           inconclusive under on_inconclusive pass or skip)
//	    verdict      string    "passed", "failed" or "inconclusive"
//	    skipped      boolean   inconclusive under on_inconclusive skip
//	    interval     object    {"low", "high", "level", "method"}: the statistic's confidence
//	                           interval (an open end is absent); method "wilson", "t",
//	                           "t-clustered", "paired-t" or "order-statistic"
//	    rows_to_decide integer about how many rows would decide an inconclusive verdict
//	    baseline     object    for "... baseline ..." thresholds: {"experiment", "id", "file",
//	                           "value", "difference", "matched_rows"}; bounds are then
//	                           the baseline's value plus the offset
//	    rows         integer   rows behind the statistic
//	    explanation  string    one line for people; read pass and actual instead
//	    unit         string    display unit "ns", "$" or "%" (absent: a plain number)
//	    line         integer   where the fixture declares it (absent for Go)
//
// Read a report with [ReadJSON], which rejects a missing or unknown
// schema_version, or with any JSON tool, e.g.
//
//	jq -r '.experiments[] | select(.status != "passed") | "\(.name): \(.status) \(.link)"' galileo-report.json
//
// # JUnit XML
//
// [WriteJUnit] writes <testsuites> with one <testsuite> per experiment and
// one <testcase> per threshold, named "<metric>: <expr>" with classname
// "galileo.<experiment>". A missed threshold is a <failure
// type="threshold"> whose message is the explanation and whose text lists
// the actual value, threshold, rows and console link; an inconclusive one
// is a <failure type="inconclusive">, or <skipped> under on_inconclusive
// skip. An experiment that
// errored or timed out has a <testcase name="setup"> with an <error>.
// Jenkins, GitLab, Azure DevOps and the GitHub Actions test reporters read
// it as test results; each suite's properties hold the experiment's ids,
// project, run name and console link. Test cases of an experiment declared
// in a fixture carry file and line attributes: the fixture file and the
// line of the threshold (the experiment's line for thresholds checked in
// Go and for the setup case), so that reporters link to the YAML.
//
// # Markdown and the GitHub job summary
//
// [WriteMarkdown] writes a heading with the verdict and counts and a table
// with one row per threshold; [AppendStepSummary] appends the same text to
// the file named by $GITHUB_STEP_SUMMARY, so it shows on the workflow
// run's summary page. Values appear in their units (2.4s, $0.62, 85%),
// followed by their confidence interval: 0.85 [0.64, 0.95]. Experiments
// whose rows repeat get a block with each metric's consistency (rows whose
// repeats all agree) and flakiest rows.
//
// The Markdown is made for a pull-request comment: its first line is the
// hidden [MarkdownMarker] (<!-- galileotest-report -->), by which a
// sticky-comment action finds its earlier comment, and it stays within
// [MaxMarkdownBytes], below GitHub's 65,536 characters per comment. The
// step summary (without the marker) keeps the file within
// [MaxStepSummaryBytes], GitHub's 1 MiB per step. A report too large for
// its limit loses table rows from the end, rows of met thresholds first,
// then of thresholds not judged, then error texts, then rows of missed
// thresholds; a last line says what was left out, e.g. "… 312 more
// thresholds not shown (312 passed); see the JSON report". The heading
// always counts the whole report.
//
// # GitHub annotations
//
// [WriteAnnotations] writes one workflow command per problem, e.g.
//
//	::error file=evals/support-bot.yaml,line=12,title=support-bot/correctness::correctness avg = 0.82, want >= 0.9 (20 rows)
//
// for every missed threshold (at the line that declares it), every
// experiment that errored or timed out and every fixture that failed to
// load (at the fixture's file and line). Printed to the log of a GitHub
// Actions step, each becomes an error annotation on that line of the
// pull request's files. Paths are made relative to a root (the
// workspace), values are escaped as workflow commands require, and at
// most [MaxAnnotations] lines are written, the last one saying how many
// more problems there are.
//
// # HTML
//
// [WriteHTML] writes one page with no external assets: for every
// experiment, a bullet chart per threshold (the actual value against the
// threshold line, the passing range shaded, the confidence interval drawn
// around the actual value) and a histogram per metric of
// its row values or value distribution. Keep it as a CI artifact and open
// it in a browser. The charts carry classes and data- attributes
// (documented on WriteHTML) for tools that inspect the page.
//
// # Files
//
// [WriteFile] renders a report in a [Format] and replaces the file
// atomically; [MergeJSONFile] adds a report's experiments to a JSON file
// written by the same run (several harnesses and test binaries), under a
// lock; [FormatForPath] picks the format from the extension
// (.json, .xml, .md, .html).
//
// [Merge] joins the reports of several shards of a gate (CI jobs that each
// ran part of the fixtures, read back with [ReadJSON]) into one: the
// experiments of all, in file and line order, each once; the earliest
// start and the latest finish; their common backend (reports of different
// backends are an error). The galileotest command's merge subcommand does
// this for files.
package report
