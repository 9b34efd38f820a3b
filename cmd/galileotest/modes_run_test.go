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
