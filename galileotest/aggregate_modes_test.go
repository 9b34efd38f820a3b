package galileotest

import (
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/galileo-community/galileo-go/emulator"
	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/report"
)

// aggregateModes are the emulator configurations under which the harness
// must reach the same verdicts: Galileo's usual behaviour, the feature flag
// use_clickhouse_run_aggregates off (no structured_aggregate_metrics: the
// harness counts through records search), and aggregates published only
// when scoring completes.
var aggregateModes = []struct {
	name string
	opts emulator.Options
	skip string // why a mode cannot pass yet, if one cannot
}{
	{"default", emulator.Options{}, ""},
	// Without structured aggregates the harness judges from the records
	// (metric_info values, recounted until nothing is pending).
	{"structured aggregates off", emulator.Options{DisableStructuredAggregates: true}, ""},
	{"published at completion", emulator.Options{PublishAggregates: emulator.PublishAtCompletion}, ""},
}

// verdictLines renders what must not depend on the mode: the status, then
// each threshold's metric, expression, pass and actual value.
func verdictLines(rep *report.Experiment) []string {
	out := []string{"status " + rep.Status}
	for _, th := range rep.Thresholds {
		actual := "nil"
		if th.Actual != nil {
			actual = fmt.Sprintf("%.9g", *th.Actual)
		}
		if th.Metric == "latency" {
			actual = "(wall clock)" // measured around the function: differs run to run
		}
		out = append(out, fmt.Sprintf("%s %s pass=%t actual=%s", th.Metric, th.Expr, th.Pass, actual))
	}
	return out
}

// aggregateModeExperiments are a function experiment that passes and a
// prompt experiment that misses one threshold.
func aggregateModeExperiments() []Experiment {
	rows := DatasetRows(
		Row{Input: "Paris", GroundTruth: "Paris"},
		Row{Input: "Rome", GroundTruth: "Rome"},
		Row{Input: "Madrid", GroundTruth: "Lisbon"},
		Row{Input: "Berlin", GroundTruth: "Berlin"},
	)
	return []Experiment{
		{
			Name: "function-modes", Dataset: rows, Function: "answer",
			Metrics: []string{"correctness", "bleu"},
			Expect: []fixtures.Expectation{
				{Metric: "correctness", Expr: "avg >= 0.5"},
				{Metric: "correctness", Expr: "count == 4"},
				{Metric: "bleu", Expr: "avg >= 0.5"},
				{Metric: "cost", Expr: "sum <= $1"},
				{Metric: "latency", Expr: "p95 <= 10s"},
			},
			Timeout: 30 * time.Second,
		},
		{
			Name: "prompt-modes", Dataset: rows,
			Prompt:  &fixtures.Prompt{Messages: []fixtures.Message{{Role: "user", Content: "{{input}}"}}, Model: emulator.ModelEcho},
			Metrics: []string{"correctness"},
			Expect: []fixtures.Expectation{
				{Metric: "correctness", Expr: "avg >= 0.75"},
				{Metric: "correctness", Expr: "p50 >= 0.5"},
				{Metric: "correctness", Expr: "avg >= 0.9"}, // missed: Madrid is not Lisbon
			},
			Timeout: 30 * time.Second,
		},
	}
}

// aggregateModeStatus is the status each experiment must end with.
var aggregateModeStatus = map[string]string{"function-modes": report.StatusPassed, "prompt-modes": report.StatusFailed}

// TestAggregateModes_SameVerdicts runs a function and a prompt experiment
// under every aggregate mode and expects the verdicts of the default mode.
func TestAggregateModes_SameVerdicts(t *testing.T) {
	want := map[string][]string{}
	for _, mode := range aggregateModes {
		t.Run(mode.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				if mode.skip != "" {
					t.Skip(mode.skip)
				}
				o := mode.opts
				o.ScoringDelay = time.Millisecond
				_, c := memEmulator(t, o)
				r, err := NewRunner(WithClient(c), WithLookupEnv(env{}.lookup), WithFunc("answer", echoFunc))
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				for _, x := range aggregateModeExperiments() {
					rep, err := r.Run(t.Context(), x)
					if err != nil {
						t.Fatalf("%s: %v", x.Name, err)
					}
					got := verdictLines(rep)
					if mode.name == "default" {
						want[x.Name] = got
						if rep.Status != aggregateModeStatus[x.Name] {
							t.Errorf("%s: default mode status %s, want %s: %v", x.Name, rep.Status, aggregateModeStatus[x.Name], rep.Failures())
						}
						continue
					}
					if w, ok := want[x.Name]; ok && strings.Join(got, "\n") != strings.Join(w, "\n") {
						t.Errorf("%s: verdicts differ from the default mode\ngot:\n  %s\nwant:\n  %s\nfailures: %v",
							x.Name, strings.Join(got, "\n  "), strings.Join(w, "\n  "), rep.Failures())
					}
				}
			})
		})
	}
}

// TestAggregateModes_EmulatorBackend runs the same experiments with the
// emulator backend the harness starts itself (GALILEOTEST_BACKEND=emulator),
// configured through WithEmulatorOptions.
func TestAggregateModes_EmulatorBackend(t *testing.T) {
	t.Parallel()
	for _, mode := range aggregateModes[1:] {
		t.Run(mode.name, func(t *testing.T) {
			if mode.skip != "" {
				t.Skip(mode.skip)
			}
			o := mode.opts
			o.ScoringDelay = time.Millisecond
			r, err := NewRunner(WithLookupEnv(env{"GALILEOTEST_BACKEND": "emulator"}.lookup), WithEmulatorOptions(o), WithFunc("answer", echoFunc))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			for _, x := range aggregateModeExperiments() {
				rep, err := r.Run(t.Context(), x)
				if err != nil {
					t.Fatalf("%s: %v", x.Name, err)
				}
				if rep.Status != aggregateModeStatus[x.Name] {
					t.Errorf("%s: status %s, want %s: %v", x.Name, rep.Status, aggregateModeStatus[x.Name], rep.Failures())
				}
			}
		})
	}
}
