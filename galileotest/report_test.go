package galileotest

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/galileo-community/galileo-go/emulator"
	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/report"
)

// These tests run the harness on its embedded emulator backend and read
// the JSON report it writes to GALILEOTEST_REPORT when the test ends.

// emulatorEnv is the environment of a harness on the embedded emulator
// that writes its JSON report to path.
func emulatorEnv(path string) env {
	return env{"GALILEOTEST_BACKEND": "emulator", "GALILEOTEST_REPORT": path}
}

// fastEmulator makes the harness's emulator score without its default pace.
func fastEmulator() Option {
	return WithEmulatorOptions(emulator.Options{ScoringDelay: time.Millisecond})
}

// halfRight answers two of the four qaRows right, so correctness averages
// 0.5.
func halfRight(ctx context.Context, row Row) (string, error) {
	if row.GroundTruth == "4" || row.GroundTruth == "Paris" {
		return row.GroundTruth, nil
	}
	return "I am not sure.", nil
}

// findThreshold returns the verdict on metric and expr, or nil.
func findThreshold(e *report.Experiment, metric, expr string) *report.Threshold {
	for i := range e.Thresholds {
		if t := &e.Thresholds[i]; t.Metric == metric && t.Expr == expr {
			return t
		}
	}
	return nil
}

// TestReport_checkFailsTheExperiment: a Result.Check that misses, or one
// on a metric the experiment did not score, fails the test and turns the
// experiment failed in the JSON report, which lists the checked threshold
// as not passed beside the experiment's own (met) expectation.
func TestReport_checkFailsTheExperiment(t *testing.T) {
	tests := []struct {
		name, metric, expr string
		wantErr            string // in the test's failure
		wantExplanation    string // in the threshold's explanation
		wantActual         *float64
	}{
		{
			name: "missed threshold", metric: "correctness", expr: "avg >= 0.99",
			wantErr:         "threshold missed: correctness avg = 0.5, want >= 0.99 (4 rows)",
			wantExplanation: "correctness avg = 0.5, want >= 0.99 (4 rows)",
			wantActual:      f64(0.5),
		},
		{
			name: "unknown metric", metric: "bleu", expr: "avg >= 0.5",
			wantErr:         `metric "bleu" was not scored by this experiment`,
			wantExplanation: `metric "bleu" was not scored by this experiment; add it to the experiment's metrics (scored: correctness`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "report.json")
			rtb := newRecordingTB(t)
			var before string
			var passed bool
			rtb.run(func(tb testing.TB) {
				h := New(tb, WithLookupEnv(emulatorEnv(path).lookup), fastEmulator(), WithFunc("answer", halfRight))
				res := h.Run(Experiment{
					Name: "checked", Dataset: qaRows(), Function: "answer", Metrics: []string{"correctness"},
					Expect:  []fixtures.Expectation{{Metric: "correctness", Expr: "avg >= 0.4"}},
					Timeout: 30 * time.Second,
				})
				before = res.Report.Status
				passed = res.Check(tb, tt.metric, tt.expr)
			})
			if before != report.StatusPassed {
				t.Fatalf("before Check the experiment was %q, want passed; errors:\n%s", before, rtb.errorText())
			}
			if passed || !rtb.Failed() || !strings.Contains(rtb.errorText(), tt.wantErr) {
				t.Errorf("Check(%s, %s) = %v, test failed %v, errors:\n%s\nwant false and a failure saying %q", tt.metric, tt.expr, passed, rtb.Failed(), rtb.errorText(), tt.wantErr)
			}

			doc := readReportFile(t, path)
			if len(doc.Experiments) != 1 || doc.Backend != report.BackendEmulator || doc.Passed() {
				t.Fatalf("report: %d experiments, backend %q, passed %v; want 1 on the emulator, not passed", len(doc.Experiments), doc.Backend, doc.Passed())
			}
			e := &doc.Experiments[0]
			if e.Name != "checked" || e.Status != report.StatusFailed || e.Error != "" {
				t.Errorf("experiment %s: status %q, error %q; want checked, failed, no error", e.Name, e.Status, e.Error)
			}
			if own := findThreshold(e, "correctness", "avg >= 0.4"); own == nil || !own.Pass {
				t.Errorf("the experiment's own expectation = %+v, want it listed and met", own)
			}
			got := findThreshold(e, tt.metric, tt.expr)
			if got == nil {
				t.Fatalf("the report does not list the checked threshold %s %s: %+v", tt.metric, tt.expr, e.Thresholds)
			}
			if got.Pass || !strings.Contains(got.Explanation, tt.wantExplanation) {
				t.Errorf("checked threshold = %+v; want not passed, explained by %q", got, tt.wantExplanation)
			}
			if tt.wantActual != nil && (got.Actual == nil || *got.Actual != *tt.wantActual) {
				t.Errorf("checked threshold actual = %v, want %v", got.Actual, *tt.wantActual)
			}
			if last := e.Thresholds[len(e.Thresholds)-1]; last.Metric != tt.metric || last.Expr != tt.expr {
				t.Errorf("last threshold = %s %s; want the checked one after the declared ones", last.Metric, last.Expr)
			}
		})
	}
}

// TestReport_harnessesMergeIntoOneFile: two harnesses of one test binary
// (two test functions, here running at once) that write the same
// GALILEOTEST_REPORT end up in one file with both experiments, while a
// file left there by another run is replaced, not merged.
func TestReport_harnessesMergeIntoOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out", "report.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	stale := &report.Report{RunID: "other", Backend: report.BackendRemote,
		Experiments: []report.Experiment{{Name: "stale", Status: report.StatusPassed}}}
	if err := report.WriteFile(path, report.FormatJSON, stale); err != nil {
		t.Fatal(err)
	}

	names := []string{"first", "second"}
	tbs := make([]*recordingTB, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		tbs[i] = newRecordingTB(t)
		wg.Go(func() {
			tbs[i].run(func(tb testing.TB) {
				h := New(tb, WithLookupEnv(emulatorEnv(path).lookup), fastEmulator(), WithFunc("answer", echoFunc))
				h.Run(Experiment{Name: name, Dataset: qaRows(), Function: "answer", Metrics: []string{"correctness"},
					Expect: []fixtures.Expectation{{Metric: "correctness", Expr: "avg >= 0.9"}}, Timeout: 30 * time.Second})
			})
		})
	}
	wg.Wait()
	for i, rtb := range tbs {
		if rtb.Failed() {
			t.Fatalf("harness %s failed:\n%s", names[i], rtb.errorText())
		}
		if !strings.Contains(rtb.logText(), "report written to "+path) {
			t.Errorf("harness %s does not say it wrote %s:\n%s", names[i], path, rtb.logText())
		}
	}

	doc := readReportFile(t, path)
	var got []string
	for _, e := range doc.Experiments {
		got = append(got, e.Name)
		if e.Status != report.StatusPassed {
			t.Errorf("experiment %s: status %q, want passed", e.Name, e.Status)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, names) {
		t.Errorf("report experiments = %v, want %v: both harnesses merged, the other run's replaced", got, names)
	}
	if doc.RunID != processRunID() || doc.RunID == stale.RunID || doc.Backend != report.BackendEmulator || !doc.Passed() {
		t.Errorf("report: run id %q (this run %q), backend %q, passed %v; want this run's id, emulator, passed", doc.RunID, processRunID(), doc.Backend, doc.Passed())
	}
	if _, err := os.Stat(path + ".lock"); !os.IsNotExist(err) {
		t.Errorf("the lock file is left behind: %v", err)
	}
}

// TestReport_runDirListsBrokenFixtures runs RunDir, in a child go test
// process, over a directory with one valid fixture and two broken ones,
// and reads the JSON report: every broken file is an experiment with
// status error, its file, the line of its first problem and its problems,
// next to the experiment that ran.
func TestReport_runDirListsBrokenFixtures(t *testing.T) {
	const dirEnv = "GALILEOTEST_TEST_DIR"
	if os.Getenv(subprocessEnv) == "rundir-report" {
		RunDir(t, os.Getenv(dirEnv), WithFunc("answer", echoFunc), fastEmulator())
		return
	}
	if testing.Short() {
		t.Skip("runs a child test process")
	}
	dir := t.TempDir()
	files := map[string]string{
		"a-unknown-field.yaml": `name: typo
dataset:
  rows:
    - {input: "What is 2+2?", ground_truth: "4"}
function: answer
metrics: [correctness]
promt: {template: nope}
`,
		"b-bad-expect.yml": `name: bad-expect
dataset:
  rows:
    - {input: "What is 2+2?", ground_truth: "4"}
function: answer
metrics: [correctness]
expect:
  correctness: avg >== 0.9
timeout: 10 minutes
`,
		"c-valid.yaml": `name: tiny
dataset:
  rows:
    - {input: "What is 2+2?", ground_truth: "4"}
    - {input: "Capital of France?", ground_truth: "Paris"}
function: answer
metrics: [correctness]
expect:
  correctness: avg >= 0.9
timeout: 30s
`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "report.json")
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestReport_runDirListsBrokenFixtures$", "-test.count=1", "-test.v", "-test.timeout=90s")
	cmd.Env = childEnv(subprocessEnv+"=rundir-report", dirEnv+"="+dir, "GALILEOTEST_BACKEND=emulator", "GALILEOTEST_REPORT="+path)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the child passed with two broken fixtures:\n%s", out)
	}
	if ctx.Err() != nil {
		t.Fatalf("the child did not finish in time:\n%s", out)
	}
	for _, want := range []string{"--- FAIL: TestReport_runDirListsBrokenFixtures/a-unknown-field", "--- FAIL: TestReport_runDirListsBrokenFixtures/b-bad-expect", "--- PASS: TestReport_runDirListsBrokenFixtures/c-valid"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("child output lacks %q:\n%s", want, out)
		}
	}

	doc := readReportFile(t, path)
	if len(doc.Experiments) != 3 || doc.Passed() || doc.Backend != report.BackendEmulator {
		var got []string
		for _, e := range doc.Experiments {
			got = append(got, e.Name+" "+e.Status)
		}
		t.Fatalf("report: experiments %q, passed %v, backend %q; want 3 (two broken files, one run), not passed, emulator",
			got, doc.Passed(), doc.Backend)
	}
	if p, f, e := doc.Counts(); p != 1 || f != 0 || e != 2 {
		t.Errorf("counts: %d passed, %d failed, %d errored; want 1, 0, 2", p, f, e)
	}
	// Fixtures are in declaration order: by file, then line.
	want := []struct {
		file   string
		line   int
		status string
		errs   []string
	}{
		{"a-unknown-field.yaml", 7, report.StatusError, []string{"a-unknown-field.yaml:7: promt: unknown field"}},
		{"b-bad-expect.yml", 8, report.StatusError, []string{
			"b-bad-expect.yml:8: expect.correctness: column 7: expected a number",
			`b-bad-expect.yml:9: timeout: expected a Go duration such as "10m" or "90s", got "10 minutes"`,
		}},
		{"c-valid.yaml", 1, report.StatusPassed, nil},
	}
	for i, w := range want {
		e := doc.Experiments[i]
		if e.File != filepath.Join(dir, w.file) || e.Line != w.line || e.Status != w.status {
			t.Errorf("experiment %d: file %s, line %d, status %q; want %s, %d, %q", i, e.File, e.Line, e.Status, filepath.Join(dir, w.file), w.line, w.status)
		}
		for _, msg := range w.errs {
			if !strings.Contains(e.Error, filepath.Join(dir, msg)) {
				t.Errorf("experiment %d (%s): error %q lacks %q", i, w.file, e.Error, filepath.Join(dir, msg))
			}
		}
		if w.status == report.StatusError && (e.ID != "" || len(e.Thresholds) != 0) {
			t.Errorf("broken fixture %s: id %q, %d thresholds; want nothing created, nothing judged", w.file, e.ID, len(e.Thresholds))
		}
	}
	if e := doc.Experiments[2]; e.Name != "tiny" || e.Rows != 2 || e.ID == "" || e.Error != "" {
		t.Errorf("valid fixture = %+v; want tiny, run over 2 rows, no error", e)
	}
}

// withStdout sends the harness's GitHub annotations to w.
func withStdout(w io.Writer) Option { return func(s *settings) { s.stdout = w } }

// In a GitHub Actions job the harness annotates every missed threshold.
func TestHarness_githubAnnotations(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, c := memEmulator(t)
		var out bytes.Buffer
		rtb := newRecordingTB(t)
		rtb.run(func(tb testing.TB) {
			h := New(tb, WithClient(c), WithFunc("answer", func(ctx context.Context, row Row) (string, error) { return "no idea", nil }),
				WithLookupEnv(env{"GITHUB_ACTIONS": "true"}.lookup), withStdout(&out))
			h.Run(Experiment{Name: "annotated", Dataset: qaRows(), Function: "answer", Metrics: []string{"correctness"},
				Expect: []fixtures.Expectation{{Metric: "correctness", Expr: "avg >= 0.9"}}})
		})
		if !rtb.Failed() {
			t.Fatal("the missed threshold did not fail the test")
		}
		if want := "::error title=annotated/correctness::correctness avg = 0, want >= 0.9 (4 rows)"; !strings.Contains(out.String(), want) {
			t.Errorf("annotations = %q; want a line starting %q", out.String(), want)
		}
	})
}
