// Package galileotest runs Galileo experiments from go test and asserts
// their metrics. An experiment runs a Go function (or a prompt) over a
// dataset; Galileo scores every row asynchronously; the harness waits until
// every requested metric is scored for every row and checks thresholds such
// as "correctness: avg >= 0.95", one subtest per threshold.
//
// # Quick start
//
// Declare experiments in YAML fixtures and run a directory of them:
//
//	func TestSupportBot(t *testing.T) {
//		galileotest.RunDir(t, "testdata/evals", galileotest.WithFunc("answer", bot.Answer))
//	}
//
//	# testdata/evals/support-bot.yaml
//	name: support-bot
//	project: acme-support
//	dataset: {file: questions.jsonl}   # or {name: support-qa} (stored on Galileo), or inline rows:
//	function: answer                    # a Go function registered with WithFunc; or prompt:
//	metrics: [correctness, completeness]
//	expect:
//	  correctness: avg >= 0.95
//	  completeness: [p50 >= 0.6, avg >= 0.85]
//	  latency: p95 <= 2s
//	  cost: sum <= $0.50
//	timeout: 10m
//
// Package fixtures documents the fixture format, package assert the
// threshold language. Or declare the experiment in Go — the same type
// (Experiment is fixtures.Experiment), the same validation and messages:
//
//	h := galileotest.New(t, galileotest.WithFunc("answer", bot.Answer))
//	res := h.Run(galileotest.Experiment{Name: "support-bot", Dataset: galileotest.DatasetFile("testdata/q.jsonl"),
//		Function: "answer", Metrics: []string{"correctness"}})
//	res.Check(t, "correctness", "avg >= 0.95") // Errorf: every failing metric is reported, and the report records it
//
// To run experiments declared in Go in parallel, share one harness (and so
// one backend) and bind it to each subtest with For:
//
//	h := galileotest.New(t, galileotest.WithFunc("answer", bot.Answer))
//	for _, x := range experiments {
//		t.Run(x.Name, func(t *testing.T) {
//			t.Parallel()
//			h.For(t).Run(x).Check(t, "correctness", "avg >= 0.9")
//		})
//	}
//
// A harness runs at most DefaultParallel (32) experiments at once; set
// another limit with WithParallel, GALILEOTEST_PARALLEL or parallel: in the
// configuration file. The limit is sized for experiments, which mostly wait
// on the service, not for the machine's cores, and go test -parallel
// (GOMAXPROCS by default) does not bound it: RunDir and RunFile start every
// experiment that -run, -skip and GALILEOTEST_SHARD select as soon as the
// fixtures are loaded, and their subtests report the results as they come,
// so a suite takes about as long as its slowest experiment. Harness.Run
// calls share the same limit, but one in a parallel subtest starts only
// when go test gives that subtest a -parallel slot: for many of them, raise
// -parallel, or declare them in a fixture file and use RunFile.
//
// A function under test has the type Func. It may record what it does
// through its context, so that Galileo's latency, token, cost and context
// metrics see it: RecordLLM (model calls with model, messages, token counts
// and duration), RecordTool and RecordRetriever. Outside a harness run these
// do nothing.
//
// # Tests and failures
//
// RunDir makes one parallel subtest per *.yaml or *.yml file (named after
// the file without its extension), one parallel subtest per experiment in
// it, and one per threshold: TestX/<file>/<experiment>/<metric>/<expr>, for
// example TestSupportBot/support-bot/support-bot/correctness/avg_ge_0.95.
// RunFile and Harness.Run leave out the file level. A function experiment
// also gets <experiment>/errored_rows/count_le_<n>, which fails when more
// rows failed than the fixture's allow.errored_rows permits.
//
// The metric and threshold levels are named so that go test -run takes
// them as printed: the expression in its canonical form (as the report
// shows it), with >= as ge, <= as le, > as gt, < as lt, == as eq, != as
// ne, $ as usd, the other characters special to regular expressions ( ) [
// ] { } * + ? ^ | \ as underscores, quotes dropped, spaces as underscores
// and runs of underscores collapsed. "." stays (as a pattern it matches
// itself). So avg >= 0.95 is avg_ge_0.95, p95 <= 2s is p95_le_2s,
// sum <= $0.50 is sum_le_usd0.5, rate(1) >= 90% is rate_1_ge_90%, and
// go test -run 'TestSupportBot/support-bot/support-bot/cost/sum_le_usd0.5'
// runs just that check. go test -json sees each threshold, with two
// attributes (testing.T.Attr; JUnit converters such as gotestsum carry
// them): galileo.link, the experiment's console link, and galileo.actual,
// the statistic as the report shows it ("0.82", "2.4s", "$0.31", or "not
// reported").
//
// An experiment costs money whatever -run selects below it. So when -run
// and -skip (matched level by level, as go test matches them) select none
// of the threshold subtests an experiment of RunDir or RunFile would have,
// the experiment is skipped, saying so, and not run. The subtests are
// predicted from the fixture: <metric>/<expr> for each of expect, and at
// the metric level (whatever the expression) errored_rows for a function
// and each metric, for its unscored_rows check. Harness.Run always runs.
//
// A missed threshold fails its subtest with Errorf, so every failing metric
// is reported in one run:
//
//	support-bot: threshold missed: correctness avg = 0.82, want >= 0.95 (50 rows)
//	  declared at testdata/evals/support-bot.yaml:7
//	  experiment: support-bot-20260730T184001Z-3f9c2a-0123456 (id 5c3e…, project acme-support, remote backend)
//	  console: https://app.galileo.ai/project/2b9c…/experiments/5c3e…
//
// Set-up problems are fatal: a broken fixture (one "file:line: field: what
// was expected" line per problem, reported before anything is created on
// the server), an unknown function, an unknown metric (the error lists the
// available ones), API failures, and a timeout, which reports the last state
// seen:
//
//	support-bot: gave up waiting for scores after 10m0s (the experiment's timeout of 10m0s): 37/50 rows scored
//	  correctness: 37/50 rows scored
//	  latency: not reported yet
//	  missing: correctness, latency (each needs 50 rows scored)
//	  polls: 14, outputs 100% generated
//	  experiment: …
//	  console: …
//
// The wording of these messages may change; read the report (Result.Report)
// instead of parsing them. The files under testdata/golden show every form.
//
// # CI: shards and go test's cache
//
// GALILEOTEST_SHARD=i/n (config.Config.Shard) makes RunDir and RunFile run
// job i's part of their experiments for n parallel jobs (a CI matrix), i
// from 1 to n. The unit is one experiment, keyed by its file's path
// relative to the directory RunDir was given (the file's name for RunFile)
// and its name; a fixture file that fails to load is one unit. The keys
// of one RunDir or RunFile call are sorted and dealt round-robin, starting
// at a shard picked by an FNV-1a hash of the set (so several small
// directories do not all start with shard 1): shards differ by at most one
// experiment within a call, and every job that sees the same fixtures
// deals them the same way, so the n jobs run each experiment exactly once.
// The experiments of other shards are skipped (t.Skip, naming the shard, so
// go test -v shows why) and are not in the report. Runner.Shard applies
// the same rule to a list of experiments; the galileotest command's run
// --shard i/n uses it. A malformed value ("3/2", "0/2", "a/b") fails the
// harness at once. Harness.Run is not sharded.
//
// go test caches a passing package's result and replays it, "(cached)",
// while the environment variables the test read and the files it opened
// are unchanged; scores on Galileo can change without either. So against
// Galileo (the remote backend, chosen or resolved from auto, or a client
// from WithClient for a non-loopback address) the harness keeps go test
// from caching the result: once per test process it opens a marker file
// whose modification time is in the future (galileotest/ in the user's
// cache directory, else in the temporary directory), through a path that
// starts in the package's directory, and go test does not cache a result
// that read a file of the module modified too recently. Set
// GALILEOTEST_CACHE=1 to let go test cache such runs. Runs on the
// in-process emulator are deterministic and stay cacheable.
//
// # Backends
//
// GALILEOTEST_BACKEND selects what the harness talks to (see package
// config):
//
//   - remote: the Galileo API; GALILEO_API_KEY (or GALILEO_JWT_TOKEN) is
//     required, else the harness fails with a message saying so.
//   - emulator: the in-process emulator (package emulator), started on a
//     loopback port, one per Harness (shared by every experiment RunDir
//     runs) and stopped when the test ends.
//   - auto, the default: remote when credentials are configured; otherwise
//     the emulator, outside CI, with a one-line notice that scores are the
//     emulator's deterministic approximations. In CI (CI set) without
//     credentials the harness fails, naming GALILEO_API_KEY and
//     GALILEOTEST_BACKEND=emulator: a quality gate that silently ran against
//     the emulator would be a false green. Set GALILEOTEST_BACKEND=emulator
//     in CI only when that is what you mean.
//
// WithClient bypasses the selection. The emulator's built-in models (echo,
// ground-truth, upper, error) serve prompt experiments; see package emulator.
//
// # The experiment flow
//
//  1. The experiment is validated without any network call
//     (fixtures.Experiment.Validate, the rules the fixture loader applies
//     too): thresholds parsed, dataset file read, function looked up.
//  2. Metrics are resolved to scorers (names, labels or scorer UUIDs)
//     before anything is created; then the project (created when missing;
//     on the emulator the default project is "galileotest"), the dataset
//     (a stored one by name, or for prompt runs the inline or file rows,
//     uploaded as a dataset named galileotest-<hash of the rows> so that
//     identical rows reuse one dataset) and the prompt template (a stored
//     one by name and version, or inline messages stored as
//     galileotest-<hash of the messages>).
//  3. The experiment is created under a name from its naming strategy, with
//     trigger for prompt runs (the server runs the model); for function runs
//     without it, and the scorers are then registered in the run's scorer
//     settings. Git and CI facts are written as tags (git_sha, git_branch,
//     ci_provider, ci_run_id, ci_run_attempt, harness) with the fixture's
//     own tags.
//  4. Function runs call the function for every row with bounded
//     concurrency (the fixture's concurrency, default 8), build one trace
//     per row (a workflow span holding the recorded spans; duration; the
//     row's input, ground truth and metadata) and ingest the traces in
//     batches of 128 while the rows run. A row whose function returns an
//     error or panics is logged with status 500 and its error as output, and
//     counts as an errored row.
//  5. The harness waits until every metric has scored every row (see
//     Waiting), then evaluates the thresholds.
//
// # Naming
//
// Galileo experiments are immutable once run, so every run needs a fresh
// name. The fixture's naming field chooses how:
//
//   - unique (default): <name>-<UTC timestamp>-<6 hex random>, plus
//     -<git short SHA> when known, e.g.
//     support-bot-20260730T184001Z-3f9c2a-0123456.
//   - rerun: <name>, then <name>-rerun-1, <name>-rerun-2, …: the first name
//     not taken in the project. A clash (the server answers 409, or a
//     duplicate appears right after creating) is retried with the next
//     name, so concurrent runs never share a name.
//   - template: a Go text/template over .Name, .GitSHA, .Branch, .RunID,
//     .Attempt and .Timestamp, e.g. {template: "{{.Name}}-{{.GitSHA}}-{{.RunID}}"}.
//     Such a name is deterministic: when the experiment exists already (a
//     CI job retried), the harness re-attaches to it instead of creating a
//     second one, and if it has traces it does not run the function again
//     but goes straight to waiting and asserting.
//
// The git SHA, branch, run id and attempt come from the CI's variables
// (GitHub Actions: GITHUB_SHA, GITHUB_HEAD_REF or GITHUB_REF_NAME,
// GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT; GitLab: CI_COMMIT_SHA,
// CI_COMMIT_REF_NAME, CI_PIPELINE_ID; Buildkite, CircleCI and Jenkins
// likewise), else from git rev-parse with a 2s timeout.
//
// # Waiting
//
// The harness waits with the client's galileo.Experiment.WaitForMetrics
// until, for every metric, its aggregates count every row, less the
// fixture's allow.unscored_rows. System metrics named under expect (cost,
// latency, token counts) are waited for too; when the server publishes no
// aggregate for one (token counts, typically) it is computed from the
// records. When the counts stall below the row count with every output
// generated, the records' per-metric statuses are recounted: a metric whose
// remaining rows are not applicable (BLEU without ground truth), failed to
// score or belong to failed rows is settled, and rows that failed to score
// beyond allow.unscored_rows fail a <metric>/unscored_rows check.
//
// The first poll goes out as soon as the last trace batch is acknowledged.
// A steady pace of scoring (or of output generation) predicts completion
// and the poll lands just after it; without one, each interval is at most
// 15% of the time waited, so completion is seen within about 15% of the
// time it took. Waits on experiments of one project share one request per
// poll (an experiments search by id). The README has the figures for each
// shape of scoring against a fixed 2-second poller.
//
// Every wait has a deadline: the earlier of the fixture's timeout (default
// 10m, covering the whole run) and the test's deadline (go test -timeout)
// less a grace period of 10% of the time left, at most 30s, so that the
// harness reports the last state before go test panics. A permanent API
// error (4xx other than 408 and 429) stops the wait at once. Progress is
// logged at most every 5s, and on every phase change:
//
//	support-bot: 37/50 rows scored (correctness 37/50, completeness 35/50), 12.3s
//
// # Reports
//
// The verdict is package report's model, and only that: every experiment
// yields a *report.Experiment (Result.Report, Runner.Run, Evaluate) with
// its name, run name, id, project and console link, rows and errored rows,
// per-metric aggregates, per-threshold verdicts with actual value, bounds
// and explanation, durations and poll count, and a status — passed,
// failed, inconclusive, error or timeout — that is always what the test says: a
// Result.Check or Require adds its threshold to the record, and a miss
// turns it failed. Runner.Report gathers a run's experiments into a
// report.Report, the fixtures that failed to load included (status error,
// with file, line and message); the galileotest command writes the same
// model, so go test and the command produce the same files.
//
// When the test ends, a Harness writes that report: as JSON to
// GALILEOTEST_REPORT, merged under a lock with what every other harness of
// the same go test run wrote there (test binaries of one go test
// ./... invocation share the file; a file left by another run is
// replaced); under go test -artifacts, as galileotest-report.json and
// galileotest-report.html in the test's artifact directory; and, when
// GITHUB_STEP_SUMMARY is set (GitHub Actions), as a Markdown table appended
// to that file (report.AppendStepSummary). Read the JSON with
// report.ReadJSON.
//
// # Confidence, baselines and repeats
//
// After the scores arrive, a run reads every trace's scores back through
// the records query (report.Metric.RowValues and RowKeys, a row's key being
// a digest of its dataset input, ground truth and metadata). From them the
// report shows each statistic's confidence interval, and with
// Experiment.Confidence (fixture confidence: 95%, or WithConfidence for
// every experiment) the thresholds on means, rates and percentiles get a
// three-way verdict — passed, failed or inconclusive — as
// report.Experiment.Verdict documents; Experiment.OnInconclusive says
// whether inconclusive fails (the default), passes or is skipped.
// Experiment.Repeats runs every row several times (RepeatKey holds the
// repeat index in the row metadata) and the report shows each metric's
// consistency. Thresholds such as "avg >= baseline - 0.02" are judged
// against Experiment.Baseline — an experiment by name or id, the newest
// carrying a tag (and, with a status, the StatusTag every run gets), or a
// file written from Runner.Snapshot (galileotest bless) — on the rows both
// share. Runner.Calibrate reruns an unchanged experiment and measures each
// metric's run-to-run noise.
//
// # Without go test
//
// The core is Runner (NewRunner; Runner.Run, Runner.Judge to judge an
// experiment that already ran, Runner.Preflight to resolve a declaration
// online without running it, Runner.Snapshot, Runner.Calibrate,
// Runner.Report) and Evaluate: they return
// errors — *fixtures.Error for bad input (errors.Is(err,
// fixtures.ErrInvalid)), *TimeoutError, *SetupError — and never touch a
// testing.TB. The galileotest command is a thin shell over them.
//
// # Progress
//
// WithLogf receives the progress lines above, written for people.
// A program that shows progress uses WithProgress instead: it receives a
// ProgressEvent on every change of phase (setup, running, waiting,
// generating, scoring, judging, done), every finished row of a function and
// every poll, with the rows in total, run and scored (never decreasing),
// the per-metric counts, the elapsed time and the console link. The last
// event of an experiment is always PhaseDone, with the error, if any:
//
//	r, err := galileotest.NewRunner(galileotest.WithProgress(func(ev galileotest.ProgressEvent) {
//		fmt.Printf("%s: %s %d/%d scored\n", ev.Experiment, ev.Phase, ev.RowsScored, ev.RowsTotal)
//	}))
//
// # What the harness keeps
//
// The harness never deletes experiments: on Galileo they are the record of
// the run, linked from every message. Uploaded datasets and stored prompt
// templates are kept too, and reused by later runs with the same content.
// On the emulator everything is discarded when the test ends, unless
// GALILEOTEST_KEEP is set: the emulator then stores its state in a
// directory it logs, which a later emulator started with that data
// directory (emulator.Options.DataDir) serves again for inspection.
//
// # Environment
//
//	GALILEOTEST_BACKEND  auto (default), remote or emulator
//	GALILEOTEST_KEEP     keep the emulator's state in a directory (see above)
//	GALILEOTEST_EMULATOR_STRUCTURED_AGGREGATES, GALILEOTEST_EMULATOR_PUBLISH_AGGREGATES
//	                     false / at-completion: the emulator backend's emulator publishes
//	                     no structured aggregates / aggregates only when a run is
//	                     complete (WithEmulatorOptions wins where it sets them)
//	GALILEOTEST_SHARD    i/n: run job i's part of the experiments of n jobs (see CI)
//	GALILEOTEST_PARALLEL experiments a harness runs at once; default 32
//	GALILEOTEST_CACHE    true: let go test cache a run against Galileo (see CI);
//	                     1/0, true/false, yes/no, on/off; default false
//	GALILEOTEST_REPORT   write the JSON report to this file, merged with the other
//	                     harnesses and test binaries of the same go test run (or,
//	                     for a directory or a path ending in /, to <test name>.json in it)
//	GITHUB_STEP_SUMMARY  append the Markdown summary to this file
//	GALILEO_API_KEY, GALILEO_JWT_TOKEN, GALILEO_CONSOLE_URL, GALILEO_API_URL,
//	GALILEO_PROJECT, GALILEO_PROJECT_ID, GALILEO_EXTRA_HEADERS, CI
//	                     as package config documents them; SPLUNK_AO_API_KEY and the
//	                     other SPLUNK_AO_ names work too (a GALILEO_ variable wins)
package galileotest
