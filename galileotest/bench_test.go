package galileotest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/emulator"
	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/report"
)

// BenchmarkParallelExperiments runs 1 experiment, then 32 at once, against
// one emulator (20 rows each, a 10ms function, the emulator's default pace
// of 20ms per scored row) with one shared Runner, as go test -parallel 32
// does with a shared harness. It reports both wall times and their ratio
// (target: parallel/single <= 1.5).
//
//	go test ./galileotest -run '^$' -bench BenchmarkParallelExperiments -benchtime 3x
func BenchmarkParallelExperiments(b *testing.B) {
	_, c := newEmulator(b, emulator.Options{})
	fn := func(ctx context.Context, row Row) (string, error) {
		time.Sleep(10 * time.Millisecond)
		return row.GroundTruth, nil
	}
	r, err := NewRunner(WithClient(c), WithLookupEnv(env{}.lookup), WithFunc("answer", fn))
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	rows := make([]Row, 20)
	for i := range rows {
		rows[i] = Row{Input: fmt.Sprintf("question %d", i), GroundTruth: fmt.Sprintf("answer %d", i)}
	}
	run := func(n int) time.Duration {
		start := time.Now()
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				x := Experiment{Name: fmt.Sprintf("exp-%d", i), Dataset: DatasetRows(rows...), Function: "answer",
					Metrics: []string{"correctness"}, Expect: []fixtures.Expectation{{Metric: "correctness", Expr: "avg >= 0.9"}}}
				rep, err := r.Run(context.Background(), x)
				if err != nil || rep.Status != report.StatusPassed {
					b.Errorf("experiment %d: %v %v", i, err, rep.Failures())
				}
			})
		}
		wg.Wait()
		return time.Since(start)
	}
	benchOneAgainstMany(b, run, 32, "single", "parallel-32", "parallel/single")
}

// benchOneAgainstMany runs run(1), then run(n), once per iteration, and
// reports both mean wall times (s-<oneName>, s-<manyName>) and their ratio.
func benchOneAgainstMany(b *testing.B, run func(n int) time.Duration, n int, oneName, manyName, ratioName string) {
	var one, many time.Duration
	for b.Loop() {
		one += run(1)
		many += run(n)
	}
	iters := float64(b.N)
	b.ReportMetric(one.Seconds()/iters, "s-"+oneName)
	b.ReportMetric(many.Seconds()/iters, "s-"+manyName)
	b.ReportMetric(many.Seconds()/one.Seconds(), ratioName)
}

// BenchmarkFunctionRun runs a 20ms function over 10,000 rows with
// concurrency 8 against the emulator scoring without delay, and reports the
// function phase (rows run and traces ingested) against the ideal
// rows × 20ms / concurrency = 25s (target: run/ideal <= 1.3), and the whole
// experiment including the wait.
//
//	go test ./galileotest -run '^$' -bench BenchmarkFunctionRun -benchtime 1x
func BenchmarkFunctionRun(b *testing.B) {
	const (
		rows        = 10_000
		callTime    = 20 * time.Millisecond
		concurrency = 8
	)
	_, c := newEmulator(b, emulator.Options{ScoringDelay: -1})
	fn := func(ctx context.Context, row Row) (string, error) {
		time.Sleep(callTime)
		RecordLLM(ctx, LLMCall{Model: "gpt-4o-mini", Input: row.Input, Output: row.GroundTruth, InputTokens: 30, OutputTokens: 5, Duration: callTime})
		return row.GroundTruth, nil
	}
	data := make([]Row, rows)
	for i := range data {
		data[i] = Row{Input: fmt.Sprintf("What is %d + %d?", i, i), GroundTruth: fmt.Sprint(2 * i)}
	}
	ideal := time.Duration(rows) * callTime / concurrency
	var run, total time.Duration
	for b.Loop() {
		rep, err := Evaluate(context.Background(), Experiment{Name: "bulk", Dataset: DatasetRows(data...), Function: "answer", Concurrency: concurrency,
			Metrics: []string{"correctness"}, Timeout: 5 * time.Minute}, WithClient(c), WithLookupEnv(env{}.lookup), WithFunc("answer", fn))
		if err != nil {
			b.Fatal(err)
		}
		run += time.Duration(rep.RunMS) * time.Millisecond
		total += rep.Duration()
	}
	n := float64(b.N)
	b.ReportMetric(run.Seconds()/n, "s-run")
	b.ReportMetric(total.Seconds()/n, "s-total")
	b.ReportMetric(run.Seconds()/n/ideal.Seconds(), "run/ideal")
}

// suiteDirEnv names the fixture directory of TestRunDirSuiteChild.
const suiteDirEnv = "GALILEOTEST_TEST_SUITE_DIR"

// BenchmarkRunDirSuite runs RunDir over 1 fixture, then over 16, each an
// experiment of about 3 s (10 rows, a function that takes 300 ms, one row
// at a time), in a child go test process with go test's default flags
// (so -parallel is GOMAXPROCS). It reports both wall times and their
// ratio (target: 16/1 <= 1.5: a suite takes as long as its slowest
// experiment).
//
//	go test ./galileotest -run '^$' -bench BenchmarkRunDirSuite -benchtime 1x
func BenchmarkRunDirSuite(b *testing.B) {
	suite := func(n int) time.Duration {
		dir := b.TempDir()
		for i := range n {
			var f strings.Builder
			fmt.Fprintf(&f, "name: exp-%d\nfunction: slow\nconcurrency: 1\nmetrics: [correctness]\nexpect:\n  correctness: avg >= 0.9\ntimeout: 60s\ndataset:\n  rows:\n", i)
			for r := range 10 {
				fmt.Fprintf(&f, "    - {input: \"q%d\", ground_truth: \"a%d\"}\n", r, r)
			}
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%02d.yaml", i)), []byte(f.String()), 0o644); err != nil {
				b.Fatal(err)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestRunDirSuiteChild$", "-test.count=1")
		cmd.Env = childEnv(subprocessEnv+"=suite", suiteDirEnv+"="+dir, "GALILEOTEST_BACKEND=emulator")
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("the suite of %d failed: %v\n%s", n, err, out)
		}
		return time.Since(start)
	}
	benchOneAgainstMany(b, suite, 16, "one", "16", "16/one")
}

// TestRunDirSuiteChild is the go test process BenchmarkRunDirSuite starts;
// on its own it skips.
func TestRunDirSuiteChild(t *testing.T) {
	if os.Getenv(subprocessEnv) != "suite" {
		t.Skip("the child process of BenchmarkRunDirSuite")
	}
	slow := func(ctx context.Context, row Row) (string, error) {
		select {
		case <-time.After(300 * time.Millisecond):
			return row.GroundTruth, nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	RunDir(t, os.Getenv(suiteDirEnv), WithFunc("slow", slow))
}
