package galileotest

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/report"
)

// Harness runs experiments inside a test. Create it with New; it owns a
// Runner (and, for the emulator backend, one in-process emulator shared by
// every experiment it runs), which is closed when the test ends.
type Harness struct {
	tb      testing.TB
	r       *Runner
	started time.Time // when New created it
}

// New returns a harness for tb. The configuration and backend are resolved
// here: a misconfiguration (for example CI without credentials, or the
// remote backend without them) fails tb at once. The client and emulator
// are created when the first experiment runs. When the test ends the
// harness writes its report (the report package's model, as the
// galileotest command writes it): JSON to GALILEOTEST_REPORT, JSON and
// HTML into the test's artifact directory under go test -artifacts, and a
// Markdown summary appended to $GITHUB_STEP_SUMMARY when that is set.
func New(tb testing.TB, opts ...Option) *Harness {
	tb.Helper()
	r, err := NewRunner(opts...)
	if err != nil {
		tb.Fatalf("%v", err)
		return nil
	}
	h := &Harness{tb: tb, r: r, started: time.Now()}
	h.preventCachedResult()
	tb.Cleanup(func() {
		h.writeReports()
		if err := r.Close(); err != nil {
			tb.Logf("galileotest: closing the emulator: %v", err)
		}
	})
	return h
}

// For returns a harness that runs experiments in tb (a subtest, typically
// a parallel one) with this harness's runner and backend.
func (h *Harness) For(tb testing.TB) *Harness { return &Harness{tb: tb, r: h.r, started: h.started} }

// Runner returns the harness's runner.
func (h *Harness) Runner() *Runner { return h.r }

// Run runs x and returns its result. Set-up problems (bad input, an
// unknown metric or function, API failures, a timeout) are fatal. Each of
// x.Expect becomes a subtest <experiment>/<metric>/<expr> of the harness's
// test that fails with Errorf when missed; a function experiment also gets
// <experiment>/errored_rows. Check and Require on the result assert
// further thresholds, and the report records them too.
func (h *Harness) Run(x Experiment) *Result {
	h.tb.Helper()
	ctx, cancel := testContext(h.tb)
	defer cancel()
	rep, err := h.r.runLimited(ctx, fixtures.Experiment(x), logTo(h.tb))
	res := &Result{Report: rep, Err: err, mu: &h.r.reportsMu}
	if err != nil {
		h.tb.Fatalf("%v", err)
		return res
	}
	if runner, ok := h.tb.(interface {
		Run(string, func(*testing.T)) bool
	}); ok {
		runner.Run(subtestName(x.Name), func(t *testing.T) { assertReport(t, rep) })
	} else {
		assertReport(h.tb, rep)
	}
	h.tb.Log(rep.Summary())
	return res
}

// RunDir runs every *.yaml and *.yml fixture directly inside dir: one
// parallel subtest per file, named after the file without its extension,
// with one parallel subtest per experiment inside, and the thresholds
// below that (TestX/<file>/<experiment>/<metric>/<expr>). A broken fixture
// fails its own subtest with its file:line errors, before anything is
// created, and is listed in the report with status error; the other files
// still run. An unreadable directory, or one without fixtures, fails t.
func RunDir(t *testing.T, dir string, opts ...Option) {
	t.Helper()
	files, err := fixtures.LoadOSDir(dir)
	if len(files) == 0 {
		if err == nil {
			err = fmt.Errorf("%s: no *.yaml or *.yml fixtures", dir)
		}
		t.Fatalf("galileotest: %v", err)
		return
	}
	h := New(t, opts...)
	shard := newShardPlan(h.r.cfg.Shard, dir, files)
	// Every selected experiment of every file starts now; the subtests
	// then report them as they finish.
	sc := h.newSchedule(t)
	type fileRun struct {
		sub, skip string
		f         fixtures.File
		exps      []planned
	}
	var runs []fileRun
	seen := subtestNames{}
	for _, f := range files {
		full, sub := seen.unique(t.Name(), subtestName(strings.TrimSuffix(filepath.Base(f.Path), filepath.Ext(f.Path))))
		fr := fileRun{sub: sub, skip: shard.skipFile(f), f: f}
		switch {
		case fr.skip != "":
		case f.Err != nil:
			h.r.AddInputError(f.Path, f.Err)
		default:
			fr.exps = sc.start(full, f.Experiments, shard)
		}
		runs = append(runs, fr)
	}
	for _, fr := range runs {
		t.Run(fr.sub, func(t *testing.T) {
			if fr.skip != "" {
				t.Skip(fr.skip)
			}
			t.Parallel()
			if fr.f.Err != nil {
				t.Fatalf("%v", fr.f.Err)
				return
			}
			reportAll(t, fr.exps)
		})
	}
}

// RunFile runs the experiments of one fixture file as parallel subtests of
// t (TestX/<experiment>/<metric>/<expr>). A broken fixture fails t with its
// file:line errors before anything is created, and is listed in the report
// with status error.
func RunFile(t *testing.T, path string, opts ...Option) {
	t.Helper()
	h := New(t, opts...)
	exps, err := fixtures.LoadFile(path)
	shard := newShardPlan(h.r.cfg.Shard, filepath.Dir(path), []fixtures.File{{Path: path, Experiments: exps, Err: err}})
	if err != nil {
		if skip := shard.skipFile(fixtures.File{Path: path, Err: err}); skip != "" {
			t.Skip(skip)
		}
		h.r.AddInputError(path, err)
		t.Fatalf("%v", err)
		return
	}
	reportAll(t, h.newSchedule(t).start(t.Name(), exps, shard))
}

// reportAll reports each started experiment in its own parallel subtest
// of t; those of other shards, and those none of whose thresholds -run
// selects, skip (they were not started).
func reportAll(t *testing.T, exps []planned) {
	for _, p := range exps {
		t.Run(p.sub, func(t *testing.T) {
			if p.skip != "" {
				t.Skip(p.skip)
			}
			t.Parallel()
			rep, err := p.run.result(t)
			if err != nil {
				t.Fatalf("%v", err)
				return
			}
			assertReport(t, rep)
			t.Log(rep.Summary())
		})
	}
}

// assertReport reports every verdict of rep: as subtests
// <metric>/<expr> when tb can run subtests, else inline.
func assertReport(tb testing.TB, rep *report.Experiment) {
	tb.Helper()
	t, ok := tb.(*testing.T)
	if !ok {
		for _, v := range rep.Thresholds {
			if !v.Pass {
				tb.Errorf("%s/%s/%s: %s", subtestName(rep.Name), thresholdName(v.Metric), thresholdName(v.Expr), rep.Failure(v))
			}
		}
		return
	}
	var order []string
	by := map[string][]report.Threshold{}
	for _, v := range rep.Thresholds {
		if _, ok := by[v.Metric]; !ok {
			order = append(order, v.Metric)
		}
		by[v.Metric] = append(by[v.Metric], v)
	}
	for _, metric := range order {
		t.Run(thresholdName(metric), func(t *testing.T) {
			for _, v := range by[metric] {
				t.Run(thresholdName(v.Expr), func(t *testing.T) {
					thresholdAttrs(t, rep, v)
					if v.Skipped {
						t.Skip(v.Explanation)
					}
					if !v.Pass {
						t.Errorf("%s", rep.Failure(v))
					}
				})
			}
		})
	}
}

// logTo returns the harness's progress logger for tb. Its lines go to the
// test's output like t.Log's, but without a source location: the location
// would be a line of this package (the wait loop, the runner), not of the
// user's test, and go test -v would point people at the wrong file.
func logTo(tb testing.TB) func(format string, args ...any) {
	return func(format string, args ...any) {
		fmt.Fprintln(tb.Output(), fmt.Sprintf(format, args...))
	}
}

// subtestName makes a name safe for t.Run: no slashes (which would nest)
// and no spaces (which go test turns into underscores anyway).
func subtestName(s string) string {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, "/", "_")
	s = strings.Join(strings.Fields(s), "_")
	if strings.ContainsFunc(s, func(r rune) bool { return !strconv.IsPrint(r) }) {
		// As go test writes them, so that the harness knows the name.
		var b strings.Builder
		for _, r := range s {
			if q := strconv.QuoteRune(r); !strconv.IsPrint(r) {
				b.WriteString(q[1 : len(q)-1])
			} else {
				b.WriteRune(r)
			}
		}
		s = b.String()
	}
	if s == "" {
		return "_"
	}
	return s
}

// Grace period before a test's deadline: the harness stops waiting this
// long before go test -timeout would panic, so it can report the last
// state. It is 10% of the time left, at most maxGrace.
const maxGrace = 30 * time.Second

// testContext returns tb's context, ending a grace period before tb's
// deadline.
func testContext(tb testing.TB) (context.Context, context.CancelFunc) {
	ctx := tb.Context()
	if d, ok := tb.(interface{ Deadline() (time.Time, bool) }); ok {
		if dl, ok := d.Deadline(); ok {
			grace := min(time.Until(dl)/10, maxGrace)
			cause := &deadlineCause{fmt.Sprintf("the go test -timeout deadline, less a %s grace period", round(grace))}
			return context.WithDeadlineCause(ctx, dl.Add(-grace), cause)
		}
	}
	return context.WithCancel(ctx)
}

// Names of the files the harness writes into the test's artifact
// directory under go test -artifacts.
const (
	artifactJSON = "galileotest-report.json"
	artifactHTML = "galileotest-report.html"
)

// writeReports writes the verdict of everything the harness ran (the
// Runner's Report, the model the galileotest command writes too): JSON to
// GALILEOTEST_REPORT, merged with what the other harnesses and test
// binaries of the same go test run wrote there; with go test -artifacts,
// JSON and HTML into the test's artifact directory; and the Markdown
// summary appended to $GITHUB_STEP_SUMMARY when that is set.
func (h *Harness) writeReports() {
	rep := h.r.Report()
	if len(rep.Experiments) == 0 {
		return
	}
	rep.RunID = processRunID()
	if p := h.r.cfg.ReportPath; p != "" {
		if out, err := writeReportPath(h.tb.Context(), p, h.tb.Name(), rep); err != nil {
			h.tb.Errorf("galileotest: writing the report (GALILEOTEST_REPORT): %v", err)
		} else {
			h.tb.Logf("galileotest: report written to %s", out)
		}
	}
	if f := flag.Lookup("test.artifacts"); f != nil && f.Value.String() == "true" {
		dir := h.tb.ArtifactDir()
		for _, a := range []struct {
			name   string
			format report.Format
		}{{artifactJSON, report.FormatJSON}, {artifactHTML, report.FormatHTML}} {
			out := filepath.Join(dir, a.name)
			if err := report.WriteFile(out, a.format, rep); err != nil {
				h.tb.Errorf("galileotest: writing the report artifact: %v", err)
			} else {
				h.tb.Logf("galileotest: report written to %s", out)
			}
		}
	}
	if err := report.AppendStepSummary(rep, report.WithGetenv(h.getenv)); err != nil {
		h.tb.Errorf("galileotest: %v", err)
	}
	// Workflow commands must start a line of the job's output, which a
	// test log line does not: they go to the test binary's stdout.
	if err := report.AnnotateGitHub(h.annotations(), rep, report.WithGetenv(h.getenv)); err != nil {
		h.tb.Errorf("galileotest: annotations: %v", err)
	}
}

// annotations is where GitHub annotations go: the process's stdout, or
// the writer a test of the harness set.
func (h *Harness) annotations() io.Writer {
	if h.r.s.stdout != nil {
		return h.r.s.stdout
	}
	return os.Stdout
}

// getenv reads the environment, or the one WithLookupEnv gave.
func (h *Harness) getenv(key string) string {
	if h.r.s.hasLookup {
		if h.r.s.lookup == nil {
			return ""
		}
		v, _ := h.r.s.lookup(key)
		return v
	}
	return os.Getenv(key)
}

// Result is the outcome of Harness.Run.
type Result struct {
	// Report is the experiment's verdict, the record the run's report
	// holds: Check and Require add their thresholds to it. Never nil.
	Report *report.Experiment
	// Err is why the experiment did not complete (the harness already
	// failed the test with it), or nil.
	Err error

	mu *sync.Mutex // the Runner's lock on its reports, which share Report
}

// Check asserts a threshold, such as Check(t, "correctness", "avg >= 0.95"),
// against the experiment's aggregates and records it in the report. A miss
// is reported with t.Errorf and the test continues, so every failing metric
// is reported in one run; the report's status turns failed with it. It
// returns whether the threshold was met.
func (r *Result) Check(t testing.TB, metric, expr string) bool {
	t.Helper()
	if r == nil || r.Report == nil {
		t.Errorf("galileotest: no result to check %s %s against", metric, expr)
		return false
	}
	if r.mu != nil { // Check may run in parallel subtests, and Report copies
		r.mu.Lock()
	}
	v, err := r.Report.Judge(metric, expr)
	failure := r.Report.Failure(v)
	if r.mu != nil {
		r.mu.Unlock()
	}
	if err != nil {
		t.Errorf("galileotest: %v", err)
		return false
	}
	if !v.Pass {
		t.Errorf("%s", failure)
	}
	return v.Pass
}

// Require is Check that stops the test (t.FailNow) on a miss. Call it
// from the test's goroutine.
func (r *Result) Require(t testing.TB, metric, expr string) {
	t.Helper()
	if !r.Check(t, metric, expr) {
		t.FailNow()
	}
}

// Passed reports whether the experiment completed and met every threshold
// so far: those of its Expect, its errored-rows allowance and every Check.
func (r *Result) Passed() bool {
	return r != nil && r.Err == nil && r.Report != nil && r.Report.Status == report.StatusPassed
}
