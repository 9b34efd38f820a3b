package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/emulator"
)

// A run gives the same verdicts whether the server publishes structured
// aggregates as rows are scored, only at completion, or not at all (the
// harness then judges from the records).
func TestRun_SameVerdictsInEveryAggregateMode(t *testing.T) {
	t.Parallel()
	verdicts := func(t *testing.T, o emulator.Options) string {
		_, env := newEmulator(t, o)
		return runVerdicts(t, env)
	}
	want := verdicts(t, emulator.Options{ScoringDelay: time.Millisecond})
	for name, o := range map[string]emulator.Options{
		"structured aggregates off": {ScoringDelay: time.Millisecond, DisableStructuredAggregates: true},
		"published at completion":   {ScoringDelay: time.Millisecond, PublishAggregates: emulator.PublishAtCompletion},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := verdicts(t, o); got != want {
				t.Errorf("verdicts\n%s\nwant (default mode)\n%s", got, want)
			}
		})
	}
}

// The embedded emulator of GALILEOTEST_BACKEND=emulator takes the same
// modes from GALILEOTEST_EMULATOR_STRUCTURED_AGGREGATES and
// GALILEOTEST_EMULATOR_PUBLISH_AGGREGATES, with the same verdicts.
func TestRun_EmbeddedEmulatorModesFromEnv(t *testing.T) {
	t.Parallel()
	env := vars{"GALILEOTEST_BACKEND": "emulator", "GALILEO_PROJECT": "galileotest"}
	want := runVerdicts(t, env)
	for name, mode := range map[string]vars{
		"structured aggregates off": env.with("GALILEOTEST_EMULATOR_STRUCTURED_AGGREGATES", "false"),
		"published at completion":   env.with("GALILEOTEST_EMULATOR_PUBLISH_AGGREGATES", "at-completion"),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := runVerdicts(t, mode); got != want {
				t.Errorf("verdicts\n%s\nwant (default mode)\n%s", got, want)
			}
		})
	}
	r := cli(t, env.with("GALILEOTEST_EMULATOR_PUBLISH_AGGREGATES", "hourly"), "run", "testdata/evals/")
	if r.code == exitOK || r.code == exitFailed || !strings.Contains(r.stderr, "GALILEOTEST_EMULATOR_PUBLISH_AGGREGATES") {
		t.Errorf("an invalid mode: want a configuration error naming the variable\n%v", r)
	}
}

// runVerdicts runs the fixtures of testdata/evals (one misses a threshold)
// and returns each experiment's status and threshold verdicts, latency
// (measured on the wall clock) left out.
func runVerdicts(t *testing.T, env vars) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "r.json")
	r := cli(t, env, "run", "--json", out, "testdata/evals/")
	if r.code != exitFailed {
		t.Fatalf("exit %d, want %d (one fixture misses a threshold)\n%v", r.code, exitFailed, r)
	}
	var b strings.Builder
	for _, e := range readReport(t, out).Experiments {
		fmt.Fprintf(&b, "%s %s rows=%d;", e.Name, e.Status, e.Rows)
		for _, th := range e.Thresholds {
			if th.Metric == "latency" { // measured on the wall clock
				continue
			}
			fmt.Fprintf(&b, " %s %s pass=%v", th.Metric, th.Expr, th.Pass)
			if th.Actual != nil {
				fmt.Fprintf(&b, " actual=%g", *th.Actual)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}
