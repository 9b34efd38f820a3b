package galileotest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/galileo-community/galileo-go/emulator"
	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/report"
)

// TestRunner_Report runs one experiment of each outcome (passed, failed,
// bad input, set-up error, timeout) and records two fixtures that failed to
// load, then checks what Runner.Report says about each: the status, the
// error, the verdicts, and the order (fixtures by file and line first, then
// experiments declared in Go in the order they finished).
func TestRunner_Report(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu, c := memEmulator(t)
		wrong := func(ctx context.Context, row Row) (string, error) { return "I am not sure.", nil }
		r, err := NewRunner(WithClient(c), WithLookupEnv(env{}.lookup), WithFunc("answer", echoFunc), WithFunc("wrong", wrong))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		expect := []fixtures.Expectation{{Metric: "correctness", Expr: "avg >= 0.9"}}
		run := func(x Experiment) (*report.Experiment, error) {
			t.Helper()
			rep, err := r.Run(ctx, x)
			if rep == nil {
				t.Fatalf("%s: Run returned no report (err %v)", x.Name, err)
			}
			return rep, err
		}

		pass, err := run(Experiment{Name: "pass", Dataset: qaRows(), Function: "answer", Metrics: []string{"correctness"},
			Expect: append(slices.Clone(expect), fixtures.Expectation{Metric: "latency", Expr: "p95 <= 5s"})})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := run(Experiment{Name: "fail", Dataset: qaRows(), Function: "wrong", Metrics: []string{"correctness"}, Expect: expect}); err != nil {
			t.Fatal(err)
		}
		if _, err := run(Experiment{Name: "bad-input", Dataset: qaRows(), Function: "nope"}); !errors.Is(err, fixtures.ErrInvalid) {
			t.Fatalf("bad input: err = %v, want fixtures.ErrInvalid", err)
		}
		if err := emu.Fault("POST /projects/{project_id}/experiments", emulator.Fault{Status: 403}); err != nil {
			t.Fatal(err)
		}
		_, err = run(Experiment{Name: "setup-error", Dataset: qaRows(), Function: "answer", Metrics: []string{"correctness"}})
		var se *SetupError
		if !errors.As(err, &se) {
			t.Fatalf("create refused: err = %v, want a *SetupError", err)
		}
		emu.ClearFaults()
		if err := emu.Fault("POST /projects/{project_id}/experiments/search", emulator.Fault{PendingPolls: 1000}); err != nil {
			t.Fatal(err)
		}
		_, err = run(Experiment{Name: "slow", Dataset: qaRows(), Function: "answer", Metrics: []string{"correctness"}, Timeout: 500 * time.Millisecond})
		var te *TimeoutError
		if !errors.As(err, &te) {
			t.Fatalf("scores never arrive: err = %v, want a *TimeoutError", err)
		}
		emu.ClearFaults()
		r.AddInputError("evals/broken.yaml", errors.Join(
			&fixtures.Error{File: "evals/broken.yaml", Line: 7, Field: "promt", Msg: "unknown field"},
			&fixtures.Error{File: "evals/broken.yaml", Line: 9, Field: "timeout", Msg: "expected a duration"}))
		r.AddInputError("evals/unreadable.yml", fmt.Errorf("open evals/unreadable.yml: permission denied"))

		rep := r.Report()
		if rep.SchemaVersion != report.SchemaVersion || rep.Backend != report.BackendRemote || rep.StartedAt.Location() != time.UTC ||
			rep.FinishedAt.Before(rep.StartedAt) || rep.Duration() <= 0 {
			t.Errorf("report: schema %d, backend %q, started %v, finished %v; want %d, remote (a client given with WithClient), UTC times in order",
				rep.SchemaVersion, rep.Backend, rep.StartedAt, rep.FinishedAt, report.SchemaVersion)
		}
		want := []struct{ name, status string }{
			{"broken", report.StatusError}, {"unreadable", report.StatusError},
			{"pass", report.StatusPassed}, {"fail", report.StatusFailed}, {"bad-input", report.StatusError},
			{"setup-error", report.StatusError}, {"slow", report.StatusTimeout},
		}
		if len(rep.Experiments) != len(want) {
			t.Fatalf("%d experiments in the report, want %d: %+v", len(rep.Experiments), len(want), rep.Experiments)
		}
		for i, w := range want {
			if e := rep.Experiments[i]; e.Name != w.name || e.Status != w.status {
				t.Errorf("experiment %d: %s %s, want %s %s (error %q)", i, e.Name, e.Status, w.name, w.status, e.Error)
			}
		}
		if p, f, e := rep.Counts(); p != 1 || f != 1 || e != 5 || rep.Passed() {
			t.Errorf("counts %d passed, %d failed, %d errored (passed %v); want 1, 1, 5 and not passed", p, f, e, rep.Passed())
		}
		loaded, exps := rep.Experiments[:2], rep.Experiments[2:]
		if e := exps[0]; e.Error != "" || len(e.Thresholds) != 3 || !e.Thresholds[0].Pass || !e.Thresholds[1].Pass || e.Rows != 4 || e.ScoredRows != 4 || e.ID == "" || e.Kind != report.KindFunction {
			t.Errorf("passed experiment = %+v; want 4 rows scored, three met verdicts, no error", e)
		} else if th := e.Thresholds; !slices.Equal(th[0].Bounds, []report.Bound{{Op: ">=", Value: 0.9}}) || th[0].Unit != report.UnitNone ||
			!slices.Equal(th[1].Bounds, []report.Bound{{Op: "<=", Value: 5e9}}) || th[1].Unit != report.UnitNanoseconds || th[2].Metric != report.ErroredRowsMetric {
			t.Errorf("verdicts = %+v; want the bounds in base units and the display units (ns for latency), then the errored rows", th)
		}
		if e := exps[1]; e.Error != "" || len(e.Thresholds) != 2 || e.Thresholds[0].Pass || e.Thresholds[0].Expr != "avg >= 0.9" || e.Thresholds[0].Actual == nil {
			t.Errorf("failed experiment = %+v; want the missed avg >= 0.9 with its actual value, no error", e)
		}
		if e := exps[2]; !strings.Contains(e.Error, `"nope" is not registered`) || len(e.Thresholds) != 0 || e.ID != "" {
			t.Errorf("bad input = %+v; want the input error, no verdicts, nothing created", e)
		}
		if e := exps[3]; !strings.Contains(e.Error, "galileotest: create experiment") || len(e.Thresholds) != 0 || e.ID != "" {
			t.Errorf("set-up error = %+v; want the failed step in the error, no verdicts", e)
		}
		if e := exps[4]; !strings.Contains(e.Error, "gave up waiting for scores") || len(e.Thresholds) != 0 || e.Polls < 1 || e.ID == "" {
			t.Errorf("timeout = %+v; want the timeout error, the polls and the experiment's id, no verdicts", e)
		}
		if e := loaded[0]; e.File != "evals/broken.yaml" || e.Line != 7 ||
			!strings.Contains(e.Error, "evals/broken.yaml:7: promt: unknown field") || !strings.Contains(e.Error, "evals/broken.yaml:9: timeout: expected a duration") {
			t.Errorf("broken fixture = %+v; want its file, first line and every problem", e)
		}
		if e := loaded[1]; e.File != "evals/unreadable.yml" || e.Line != 0 || !strings.Contains(e.Error, "permission denied") {
			t.Errorf("unreadable fixture = %+v; want its path and the error, no line", e)
		}

		// The report is a snapshot: a threshold checked later (Result.Check)
		// shows in the next one, and turns the experiment failed there.
		if _, err := pass.Judge("correctness", "avg >= 2"); err != nil {
			t.Fatal(err)
		}
		if e := exps[0]; e.Status != report.StatusPassed || len(e.Thresholds) != 3 {
			t.Errorf("the earlier snapshot changed: %s with %d thresholds", e.Status, len(e.Thresholds))
		}
		next := r.Report().Experiments[2]
		if next.Name != "pass" || next.Status != report.StatusFailed || len(next.Thresholds) != 4 || next.Thresholds[3].Expr != "avg >= 2" || next.Thresholds[3].Pass {
			t.Errorf("after a missed Judge the report says %s with thresholds %+v; want failed with the missed avg >= 2 last", next.Status, next.Thresholds)
		}
	})
}

func TestRunner_Report_backend(t *testing.T) {
	r, err := NewRunner(WithLookupEnv(env{"GALILEOTEST_BACKEND": "emulator"}.lookup))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rep := r.Report()
	if rep.Backend != report.BackendEmulator || rep.Experiments == nil || len(rep.Experiments) != 0 || rep.Passed() {
		t.Errorf("an emulator runner that ran nothing: backend %q, experiments %v, passed %v; want emulator, an empty list, not passed",
			rep.Backend, rep.Experiments, rep.Passed())
	}
}
