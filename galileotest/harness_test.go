package galileotest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/galileo-community/galileo-go/config"
	"github.com/galileo-community/galileo-go/emulator"
	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileo"
	"github.com/galileo-community/galileo-go/report"
)

func TestHarness_Run_pass(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu, c := memEmulator(t)
		rtb := newRecordingTB(t)
		var res *Result
		var h *Harness
		rtb.run(func(tb testing.TB) {
			h = New(tb, WithClient(c), WithLookupEnv(env{}.lookup), WithFunc("answer", echoFunc))
			res = h.Run(Experiment{
				Name:     "support-bot",
				Dataset:  qaRows(),
				Function: "answer",
				Metrics:  []string{"correctness", "Completeness"},
				Expect: []fixtures.Expectation{
					{Metric: "correctness", Expr: "avg >= 0.95"},
					{Metric: "Completeness", Expr: "p50 >= 0.5"},
					{Metric: "latency", Expr: "p95 <= 2s"},
					{Metric: "cost", Expr: "sum <= $0.01"},
				},
			})
			res.Check(tb, "correctness", "min >= 1")
			res.Require(tb, "cost", "sum > $0")
		})
		if rtb.Failed() {
			t.Fatalf("the harness failed a passing experiment:\n%s", rtb.errorText())
		}
		rep := res.Report
		if !res.Passed() || rep.Status != report.StatusPassed {
			t.Errorf("Passed() = false, want true; report: %+v", rep)
		}
		if rep.Rows != 4 || rep.ErroredRows != 0 || rep.Kind != "function" || h.Runner().Backend() != config.BackendRemote {
			t.Errorf("rows %d, errored %d, kind %q, backend %q; want 4, 0, function, remote (a given client)", rep.Rows, rep.ErroredRows, rep.Kind, h.Runner().Backend())
		}
		if rep.Name != "support-bot" || !strings.HasPrefix(rep.RunName, "support-bot-") || rep.ID == "" || rep.Project != DefaultProject {
			t.Errorf("name %q, run name %q, id %q, project %q; want support-bot run under a unique support-bot-... name in project %s", rep.Name, rep.RunName, rep.ID, rep.Project, DefaultProject)
		}
		if want := "https://console.example.test/project/" + rep.ProjectID + "/experiments/" + rep.ID; rep.Link != want {
			t.Errorf("link = %q, want %q", rep.Link, want)
		}
		// 4 expectations, the errored-rows check, then Check and Require,
		// which the report records too.
		if len(rep.Thresholds) != 7 {
			t.Fatalf("got %d verdicts, want 7: %+v", len(rep.Thresholds), rep.Thresholds)
		}
		if c, r := rep.Thresholds[5], rep.Thresholds[6]; c.Metric != "correctness" || c.Expr != "min >= 1" || r.Metric != "cost" || r.Expr != "sum > $0" {
			t.Errorf("last verdicts = %+v, %+v; want Check's correctness min >= 1, then Require's cost sum > $0", c, r)
		}
		for _, v := range rep.Thresholds {
			if !v.Pass || v.Actual == nil || v.Rows != 4 {
				t.Errorf("verdict %+v: want a pass over 4 rows with an actual value", v)
			}
		}
		for _, m := range []string{"correctness", "Completeness", "latency", "cost"} {
			mr := rep.Metric(m)
			if mr == nil || mr.Scored != 4 || mr.Count == nil {
				t.Errorf("Metric(%q) = %+v, want 4 rows scored with aggregates", m, mr)
			}
		}
		if got := rep.Metric("Correctness"); got == nil || got.ScorerName != "correctness" {
			t.Errorf("Metric(Correctness) = %+v, want the correctness scorer found by label", got)
		}
		// The emulator holds one trace per row, each with the recorded LLM span.
		traces := emu.Traces(rep.ID)
		if len(traces) != 4 {
			t.Fatalf("emulator has %d traces, want 4", len(traces))
		}
		wf := traces[0].Spans
		if len(wf) != 1 || wf[0].Type != "workflow" || len(wf[0].Spans) != 1 || wf[0].Spans[0].Type != "llm" {
			t.Fatalf("trace spans = %+v, want one workflow span holding one llm span", wf)
		}
		if m := wf[0].Spans[0].Model; m == nil || *m != "gpt-4o-mini" {
			t.Errorf("llm span model = %v, want gpt-4o-mini", m)
		}
		if !strings.Contains(rtb.logText(), "support-bot: 4/4 rows scored") {
			t.Errorf("log does not show the final progress line:\n%s", rtb.logText())
		}
	})
}

func TestHarness_Run_thresholdMiss(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, c := memEmulator(t)
		rtb := newRecordingTB(t)
		wrong := func(ctx context.Context, row Row) (string, error) { return "I am not sure.", nil }
		var res *Result
		rtb.run(func(tb testing.TB) {
			h := New(tb, WithClient(c), WithLookupEnv(env{}.lookup), WithFunc("answer", wrong))
			res = h.Run(Experiment{
				Name: "support-bot", Dataset: qaRows(), Function: "answer",
				Metrics: []string{"correctness"},
				Expect:  []fixtures.Expectation{{Metric: "correctness", Expr: "avg >= 0.95"}, {Metric: "latency", Expr: "p95 <= 10s"}},
			})
			res.Check(tb, "correctness", "max >= 0.5")
			tb.Log("still running after Check")
		})
		if !rtb.Failed() {
			t.Fatal("the harness passed an experiment whose thresholds must fail")
		}
		got := rtb.errorText()
		for _, want := range []string{
			"support-bot/correctness/avg_ge_0.95: support-bot: threshold missed: correctness avg = 0, want >= 0.95 (4 rows)",
			"support-bot: threshold missed: correctness max = 0, want >= 0.5 (4 rows)",
			"experiment: " + res.Report.RunName + " (id " + res.Report.ID,
			"console: https://console.example.test/project/",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("failure text lacks %q; got:\n%s", want, got)
			}
		}
		if strings.Contains(got, "latency") {
			t.Errorf("a passing threshold was reported as failing:\n%s", got)
		}
		if !strings.Contains(rtb.logText(), "still running after Check") {
			t.Error("Check stopped the test; it must report and continue")
		}
		if res.Passed() {
			t.Error("Passed() = true for a missed threshold")
		}
	})
}

func TestResult_Require_stops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, c := memEmulator(t)
		rtb := newRecordingTB(t)
		rtb.run(func(tb testing.TB) {
			h := New(tb, WithClient(c), WithLookupEnv(env{}.lookup), WithFunc("answer", echoFunc))
			res := h.Run(Experiment{Name: "bot", Dataset: qaRows(), Function: "answer", Metrics: []string{"correctness"}})
			res.Require(tb, "correctness", "avg < 0.5")
			tb.Log("after Require")
		})
		if !rtb.Failed() || strings.Contains(rtb.logText(), "after Require") {
			t.Fatalf("Require on a miss: failed=%v, log:\n%s; want a failure that stops the test", rtb.Failed(), rtb.logText())
		}
	})
}

func TestHarness_Run_erroredRows(t *testing.T) {
	flaky := func(ctx context.Context, row Row) (string, error) {
		switch row.GroundTruth {
		case "Paris":
			return "", errors.New("upstream model unavailable")
		case "Jupiter":
			panic("nil map write")
		}
		return row.GroundTruth, nil
	}
	tests := []struct {
		name     string
		allow    fixtures.Allowance
		wantFail bool
	}{
		{name: "over the allowance", allow: fixtures.Allowance{}, wantFail: true},
		{name: "within the allowance", allow: fixtures.Allowance{ErroredRows: 2}, wantFail: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				emu, c := memEmulator(t)
				rtb := newRecordingTB(t)
				var res *Result
				rtb.run(func(tb testing.TB) {
					h := New(tb, WithClient(c), WithLookupEnv(env{}.lookup), WithFunc("answer", flaky))
					res = h.Run(Experiment{Name: "flaky", Dataset: qaRows(), Function: "answer", Metrics: []string{"correctness"}, Allow: tt.allow})
				})
				if res == nil || res.Report == nil {
					t.Fatalf("no result; errors:\n%s", rtb.errorText())
				}
				rep := res.Report
				if rep.ErroredRows != 2 || len(rep.RowErrors) != 2 {
					t.Fatalf("errored rows %d (%+v), want 2", rep.ErroredRows, rep.RowErrors)
				}
				if rtb.Failed() != tt.wantFail {
					t.Fatalf("failed = %v, want %v; errors:\n%s", rtb.Failed(), tt.wantFail, rtb.errorText())
				}
				if tt.wantFail {
					got := rtb.errorText()
					for _, want := range []string{"flaky: 2 of 4 rows errored, want <= 0", `row 1 (input "Capital of France?"): upstream model unavailable`, `row 2 (input "Largest planet?"): panic: nil map write`} {
						if !strings.Contains(got, want) {
							t.Errorf("failure text lacks %q; got:\n%s", want, got)
						}
					}
				}
				// Failed rows are logged with an error status and the error as
				// output, never as a silent answer.
				var errs int
				for _, tr := range emu.Traces(rep.ID) {
					if tr.StatusCode != nil && *tr.StatusCode == 500 {
						errs++
						if out, _ := tr.Output.(string); !strings.Contains(out, "upstream model unavailable") && !strings.Contains(out, "panic: nil map write") {
							t.Errorf("errored trace output = %q, want the error text", out)
						}
					}
				}
				if errs != 2 {
					t.Errorf("emulator has %d traces with status 500, want 2", errs)
				}
			})
		})
	}
}

func TestHarness_Run_timeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu, c := memEmulator(t)
		if err := emu.Fault("POST /projects/{project_id}/experiments/search", emulator.Fault{PendingPolls: 1000}); err != nil {
			t.Fatal(err)
		}
		rtb := newRecordingTB(t)
		start := time.Now()
		var h *Harness
		rtb.run(func(tb testing.TB) {
			h = New(tb, WithClient(c), WithLookupEnv(env{}.lookup), WithFunc("answer", echoFunc))
			h.Run(Experiment{Name: "slow-bot", Dataset: qaRows(), Function: "answer", Metrics: []string{"correctness"}, Timeout: 700 * time.Millisecond})
			tb.Log("not reached: a timeout is fatal")
		})
		if el := time.Since(start); el > 5*time.Second {
			t.Errorf("the timeout of 700ms took %s", el)
		}
		if !rtb.Failed() || strings.Contains(rtb.logText(), "not reached") {
			t.Fatalf("a timeout must fail the test and stop it; failed=%v", rtb.Failed())
		}
		got := rtb.errorText()
		for _, want := range []string{
			"slow-bot: gave up waiting for scores after",
			"(the experiment's timeout of 700ms): 0/4 rows scored",
			"correctness: not reported yet",
			"missing: correctness (each needs 4 rows scored)",
			"console: https://console.example.test/project/",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("timeout text lacks %q; got:\n%s", want, got)
			}
		}
		reps := h.Runner().Report().Experiments
		if len(reps) != 1 || reps[0].Polls < 2 || reps[0].Error == "" || reps[0].Status != report.StatusTimeout {
			t.Errorf("reports = %+v; want one timed-out report with its error and at least 2 polls in 700ms", reps)
		}
	})
}

func TestHarness_Run_notApplicableRowsSettle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, c := memEmulator(t)
		// BLEU is not applicable to rows without ground truth; the wait must
		// settle instead of waiting for 3 BLEU scores that never come.
		ds := DatasetRows(Row{Input: "a", GroundTruth: "alpha"}, Row{Input: "b", GroundTruth: "beta"}, Row{Input: "c"})
		rep, err := Evaluate(t.Context(), Experiment{
			Name: "partial-gt", Dataset: ds, Function: "answer", Metrics: []string{"bleu"},
			Expect: []fixtures.Expectation{{Metric: "bleu", Expr: "count == 2"}}, Timeout: 20 * time.Second,
		}, WithClient(c), WithLookupEnv(env{}.lookup), WithFunc("answer", func(ctx context.Context, r Row) (string, error) { return r.GroundTruth, nil }))
		if err != nil {
			t.Fatalf("Evaluate: %v", err)
		}
		m := rep.Metric("bleu")
		if m == nil || m.Scored != 2 || m.NotApplicable != 1 {
			t.Fatalf("bleu = %+v, want 2 scored and 1 not applicable", m)
		}
		if rep.Status != report.StatusPassed {
			t.Errorf("report %s: %v", rep.Status, rep.Failures())
		}
	})
}

func TestHarness_Run_prompt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu, c := memEmulator(t)
		x := Experiment{
			Name:    "prompt-echo",
			Dataset: DatasetRows(Row{Input: "Paris", GroundTruth: "Paris"}, Row{Input: "Rome", GroundTruth: "Rome"}),
			Prompt:  &fixtures.Prompt{Messages: []fixtures.Message{{Role: "system", Content: "Repeat the city."}, {Role: "user", Content: "{{input}}"}}, Model: emulator.ModelEcho},
			Metrics: []string{"correctness"},
			Expect:  []fixtures.Expectation{{Metric: "correctness", Expr: "avg == 1"}},
		}
		r, err := NewRunner(WithClient(c), WithLookupEnv(env{}.lookup))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		for i := range 2 {
			rep, err := r.Run(t.Context(), x)
			if err != nil {
				t.Fatalf("run %d: %v", i, err)
			}
			if rep.Status != report.StatusPassed || rep.Kind != "prompt" || rep.Rows != 2 {
				t.Fatalf("run %d: status %s, kind %q, rows %d; failures %v", i, rep.Status, rep.Kind, rep.Rows, rep.Failures())
			}
		}
		// The rows and the messages are stored once, under content names.
		d := emu.Dump()
		if len(d.Datasets) != 1 || !strings.HasPrefix(d.Datasets[0].Name, contentPrefix) {
			t.Errorf("emulator datasets = %d (first %q), want 1 named %s<hash>", len(d.Datasets), firstName(d.Datasets), contentPrefix)
		}
		if len(d.Templates) != 1 || !strings.HasPrefix(d.Templates[0].Name, contentPrefix) {
			t.Errorf("emulator templates = %d, want 1 named %s<hash>", len(d.Templates), contentPrefix)
		}
		if len(d.Experiments) != 2 {
			t.Errorf("emulator experiments = %d, want 2", len(d.Experiments))
		}
		for _, e := range d.Experiments {
			if e.PromptRunSettings == nil || e.PromptRunSettings.ModelAlias != emulator.ModelEcho {
				t.Errorf("experiment %s prompt settings = %+v, want model_alias echo", e.Name, e.PromptRunSettings)
			}
		}
	})
}

func firstName(ds []emulator.DatasetSnapshot) string {
	if len(ds) == 0 {
		return ""
	}
	return ds[0].Name
}

func TestHarness_Run_storedDatasetAndTemplate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu, c := memEmulator(t)
		if _, err := emu.CreateProject("acme"); err != nil {
			t.Fatal(err)
		}
		if _, err := emu.CreateDataset("", "capitals", []map[string]any{
			{"input": "France", "output": "Paris", "metadata": map[string]any{"region": "eu"}},
			{"input": "Italy", "output": "Rome"},
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := emu.CreatePromptTemplate("", "capital-prompt", []galileo.Message{{Role: "user", Content: "Capital of {{input}}?"}}, nil); err != nil {
			t.Fatal(err)
		}
		var seen sync.Map
		fn := func(ctx context.Context, row Row) (string, error) {
			seen.Store(row.Input, row.Metadata["region"])
			return row.GroundTruth, nil
		}
		r, err := NewRunner(WithClient(c), WithLookupEnv(env{}.lookup), WithFunc("capital", fn))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		rep, err := r.Run(t.Context(), Experiment{Name: "fn-stored", Project: "acme", Dataset: StoredDataset("capitals"), Function: "capital", Metrics: []string{"correctness"}})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rows != 2 || rep.Project != "acme" {
			t.Errorf("rows %d, project %q; want 2 rows in acme", rep.Rows, rep.Project)
		}
		if v, _ := seen.Load("France"); v != "eu" {
			t.Errorf("the function saw France with region %v, want eu", v)
		}
		rep, err = r.Run(t.Context(), Experiment{Name: "prompt-stored", Project: "acme", Dataset: StoredDataset("capitals"),
			Prompt: &fixtures.Prompt{Template: "capital-prompt", Model: emulator.ModelGroundTruth}, Metrics: []string{"correctness"},
			Expect: []fixtures.Expectation{{Metric: "correctness", Expr: "avg == 1"}}})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Status != report.StatusPassed || rep.Rows != 2 {
			t.Errorf("prompt over a stored dataset: status %s, rows %d, failures %v", rep.Status, rep.Rows, rep.Failures())
		}
	})
}

func TestEvaluate_badInput(t *testing.T) {
	tests := []struct {
		name string
		x    Experiment
		want []string
	}{
		{
			name: "no name, no dataset, no function",
			x:    Experiment{},
			want: []string{`experiment: name: missing`, `experiment: dataset: missing; expected `, `experiment: function: missing; expected a function registered with the harness (galileotest.WithFunc) or a Prompt`},
		},
		{
			name: "unregistered function",
			x:    Experiment{Name: "bot", Dataset: qaRows(), Function: "anwser"},
			want: []string{`experiment "bot": function: "anwser" is not registered with the harness (galileotest.WithFunc("anwser", fn)); registered: answer`},
		},
		{
			name: "malformed threshold",
			x:    Experiment{Name: "bot", Dataset: qaRows(), Function: "answer", Metrics: []string{"correctness"}, Expect: []fixtures.Expectation{{Metric: "correctness", Expr: "avg >== 0.9"}}},
			want: []string{`experiment "bot": expect.correctness: avg >== 0.9: column 7: expected a number`},
		},
		{
			name: "threshold on an unlisted metric",
			x:    Experiment{Name: "bot", Dataset: qaRows(), Function: "answer", Expect: []fixtures.Expectation{{Metric: "correctness", Expr: "avg >= 0.9"}}},
			want: []string{`experiment "bot": expect.correctness: "correctness" is not listed in metrics; list it there`},
		},
		{
			name: "missing dataset file",
			x:    Experiment{Name: "bot", Dataset: DatasetFile("testdata/nope.jsonl"), Function: "answer"},
			want: []string{`experiment "bot": dataset.file: `, `testdata/nope.jsonl`},
		},
		{
			name: "unknown metric",
			x:    Experiment{Name: "bot", Dataset: qaRows(), Function: "answer", Metrics: []string{"corectness"}},
			want: []string{`experiment "bot": metrics: unknown metric "corectness" (did you mean "correctness"?); closest available: Correctness (correctness), `, "BLEU (bleu)", " more (the Galileo console lists every scorer)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				emu, c := memEmulator(t)
				start := time.Now()
				_, err := Evaluate(t.Context(), tt.x, WithClient(c), WithLookupEnv(env{}.lookup), WithFunc("answer", echoFunc))
				el := time.Since(start)
				if !errors.Is(err, fixtures.ErrInvalid) {
					t.Fatalf("err = %v, want an error matching fixtures.ErrInvalid", err)
				}
				for _, w := range tt.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error lacks %q; got:\n%v", w, err)
					}
				}
				if el > time.Second {
					t.Errorf("bad input took %s to report, want milliseconds", el)
				}
				d := emu.Dump()
				if len(d.Projects) != 0 || len(d.Experiments) != 0 || len(d.Datasets) != 0 {
					t.Errorf("bad input created %d projects, %d experiments, %d datasets; want nothing", len(d.Projects), len(d.Experiments), len(d.Datasets))
				}
			})
		})
	}
}

func TestRunner_rerunNaming_concurrent(t *testing.T) {
	_, c := newEmulator(t)
	x := Experiment{Name: "nightly", Dataset: DatasetRows(Row{Input: "q", GroundTruth: "a"}), Function: "answer", Metrics: []string{"correctness"}, Naming: fixtures.Naming{Strategy: fixtures.NamingRerun}}
	// Two runners stand for two processes sharing one project: within a
	// runner the names are serialised, across runners the server's 409
	// (or the duplicate check) makes the loser pick the next name.
	var runners []*Runner
	for range 2 {
		r, err := NewRunner(WithClient(c), WithLookupEnv(env{}.lookup), WithFunc("answer", echoFunc))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		runners = append(runners, r)
	}
	const n = 8
	names := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			rep, err := runners[i%2].Run(t.Context(), x)
			if err != nil {
				t.Errorf("run %d: %v", i, err)
				return
			}
			names[i] = rep.RunName
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, name := range names {
		if seen[name] {
			t.Errorf("name %q used twice; names: %v", name, names)
		}
		seen[name] = true
	}
	for i := range n {
		if want := rerunName("nightly", i); !seen[want] {
			t.Errorf("names %v lack %q: rerun names must be the first free ones", names, want)
		}
	}
}

func TestRunner_templateNaming_reattachesOnCIRetry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu, c := memEmulator(t)
		ci := env{"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_SHA": "0123456789abcdef", "GITHUB_REF_NAME": "main", "GITHUB_RUN_ID": "4242", "GITHUB_RUN_ATTEMPT": "1"}
		var calls atomic.Int64
		fn := func(ctx context.Context, row Row) (string, error) { calls.Add(1); return row.GroundTruth, nil }
		x := Experiment{Name: "gate", Dataset: qaRows(), Function: "answer", Metrics: []string{"correctness"},
			Expect: []fixtures.Expectation{{Metric: "correctness", Expr: "avg >= 0.9"}},
			Naming: fixtures.Naming{Strategy: fixtures.NamingTemplate, Template: "{{.Name}}-{{.GitSHA}}-run{{.RunID}}"}}

		first, err := Evaluate(t.Context(), x, WithClient(c), WithLookupEnv(ci.lookup), WithFunc("answer", fn))
		if err != nil {
			t.Fatal(err)
		}
		if first.RunName != "gate-0123456-run4242" || first.Reattached {
			t.Fatalf("first run: name %q, reattached %v; want gate-0123456-run4242, false", first.RunName, first.Reattached)
		}
		// A retry of the CI job (attempt 2) renders the same name: it must
		// re-attach, not run the function again or create a second experiment.
		ci["GITHUB_RUN_ATTEMPT"] = "2"
		second, err := Evaluate(t.Context(), x, WithClient(c), WithLookupEnv(ci.lookup), WithFunc("answer", fn))
		if err != nil {
			t.Fatal(err)
		}
		if !second.Reattached || second.ID != first.ID || second.Status != report.StatusPassed {
			t.Errorf("retry: reattached %v, id %s (first %s), status %s; want a passing re-attach to the same experiment", second.Reattached, second.ID, first.ID, second.Status)
		}
		if n := calls.Load(); n != 4 {
			t.Errorf("the function ran %d times over 4 rows in two runs, want 4", n)
		}
		if n := len(emu.Experiments("")); n != 1 {
			t.Errorf("emulator has %d experiments, want 1", n)
		}
		// The git and CI facts are tags of the experiment.
		e, _ := emu.Experiment(first.ID)
		tags := map[string]string{}
		for _, list := range e.Tags {
			for _, tg := range list {
				tags[tg.Key] = tg.Value
			}
		}
		for k, v := range map[string]string{TagGitSHA: "0123456", TagBranch: "main", TagCIRunID: "4242", TagCIAttempt: "1", TagCI: "github", TagHarness: "galileotest"} {
			if tags[k] != v {
				t.Errorf("tag %s = %q, want %q (tags %v)", k, tags[k], v, tags)
			}
		}
	})
}

func TestNewRunner_backend(t *testing.T) {
	tests := []struct {
		name        string
		env         env
		wantBackend config.Backend
		wantErr     []string
	}{
		{name: "auto in CI without credentials fails", env: env{"CI": "true"}, wantErr: []string{"GALILEO_API_KEY", "GALILEOTEST_BACKEND=emulator"}},
		{name: "auto outside CI without credentials is the emulator", env: env{}, wantBackend: "emulator"},
		{name: "emulator explicitly, in CI", env: env{"CI": "true", "GALILEOTEST_BACKEND": "emulator"}, wantBackend: "emulator"},
		{name: "remote without credentials fails", env: env{"GALILEOTEST_BACKEND": "remote"}, wantErr: []string{"GALILEO_API_KEY"}},
		{name: "auto with a key is remote", env: env{"CI": "1", "GALILEO_API_KEY": "k-123"}, wantBackend: "remote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewRunner(WithLookupEnv(tt.env.lookup))
			if tt.wantErr != nil {
				if err == nil {
					r.Close()
					t.Fatal("NewRunner succeeded, want an error")
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not name %s", err, w)
					}
				}
				if strings.Contains(err.Error(), "k-123") {
					t.Errorf("error shows the API key: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewRunner: %v", err)
			}
			defer r.Close()
			if r.Backend() != tt.wantBackend {
				t.Errorf("Backend() = %q, want %q", r.Backend(), tt.wantBackend)
			}
		})
	}
}

func TestHarness_emulatorBackend_notice(t *testing.T) {
	rtb := newRecordingTB(t)
	var h *Harness
	rtb.run(func(tb testing.TB) {
		h = New(tb, WithLookupEnv(env{"GALILEOTEST_KEEP": "1"}.lookup), WithEmulatorOptions(emulator.Options{ScoringDelay: time.Millisecond}), WithFunc("answer", echoFunc))
		h.Run(Experiment{Name: "offline", Dataset: qaRows(), Function: "answer", Metrics: []string{"correctness"}})
	})
	if rtb.Failed() {
		t.Fatalf("failed:\n%s", rtb.errorText())
	}
	if b := h.Runner().Report().Backend; b != report.BackendEmulator {
		t.Errorf("backend = %q, want emulator", b)
	}
	log := rtb.logText()
	if n := strings.Count(log, "scores are the emulator's deterministic approximations"); n != 1 {
		t.Errorf("the emulator notice appears %d times, want once:\n%s", n, log)
	}
	if !strings.Contains(log, "no Galileo credentials configured") {
		t.Errorf("the notice does not say why the emulator is used:\n%s", log)
	}
	// GALILEOTEST_KEEP keeps the emulator's state in a directory it names.
	_, after, ok := strings.Cut(log, "the emulator's data is kept in ")
	dir, _, _ := strings.Cut(after, " ")
	if !ok || dir == "" {
		t.Fatalf("GALILEOTEST_KEEP: the log names no data directory:\n%s", log)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if entries, err := os.ReadDir(dir); err != nil || len(entries) == 0 {
		t.Errorf("kept data directory %s: %v, %d entries; want the emulator's state", dir, err, len(entries))
	}
}

func TestHarness_report(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, c := memEmulator(t)
		dir := t.TempDir()
		path := dir + "/out/report.json"
		rtb := newRecordingTB(t)
		rtb.run(func(tb testing.TB) {
			h := New(tb, WithClient(c), WithLookupEnv(env{"GALILEOTEST_REPORT": path}.lookup), WithFunc("answer", echoFunc))
			h.Run(Experiment{Name: "reported", Dataset: qaRows(), Function: "answer", Metrics: []string{"correctness"}, Expect: []fixtures.Expectation{{Metric: "correctness", Expr: "avg >= 0.9"}}})
		})
		if rtb.Failed() {
			t.Fatalf("failed:\n%s", rtb.errorText())
		}
		doc := readReportFile(t, path)
		if doc.SchemaVersion != report.SchemaVersion || !doc.Passed() || len(doc.Experiments) != 1 || doc.Backend != report.BackendRemote {
			t.Fatalf("report file: schema %d, passed %v, %d experiments, backend %q; want %d, true, 1, remote",
				doc.SchemaVersion, doc.Passed(), len(doc.Experiments), doc.Backend, report.SchemaVersion)
		}
		got := doc.Experiments[0]
		if got.Name != "reported" || got.Status != report.StatusPassed || got.Rows != 4 || got.ScoredRows != 4 || got.Kind != report.KindFunction || got.ID == "" {
			t.Errorf("experiment = %+v; want reported, passed, 4 rows all scored, a function run with an id", got)
		}
		if m := got.Metric("correctness"); m == nil || m.Avg == nil || *m.Avg < 0.9 {
			t.Errorf("correctness metric = %+v; want its average, at least 0.9", m)
		}
		if len(got.Thresholds) != 2 || got.Thresholds[0].Expr != "avg >= 0.9" || !got.Thresholds[0].Pass || got.Thresholds[0].Actual == nil ||
			got.Thresholds[1].Metric != report.ErroredRowsMetric || !got.Thresholds[1].Pass {
			t.Errorf("thresholds = %+v; want correctness avg >= 0.9 and errored rows, both met", got.Thresholds)
		}
		if !strings.Contains(rtb.logText(), "report written to "+path) {
			t.Errorf("the log does not say where the report went:\n%s", rtb.logText())
		}
	})
}

func TestHarness_stepSummary(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, c := memEmulator(t)
		summary := filepath.Join(t.TempDir(), "summary.md")
		if err := os.WriteFile(summary, []byte("# Earlier step\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		rtb := newRecordingTB(t)
		rtb.run(func(tb testing.TB) {
			h := New(tb, WithClient(c), WithLookupEnv(env{"GITHUB_STEP_SUMMARY": summary}.lookup), WithFunc("answer", echoFunc))
			h.Run(Experiment{Name: "summarised", Dataset: qaRows(), Function: "answer", Metrics: []string{"correctness"}, Expect: []fixtures.Expectation{{Metric: "correctness", Expr: "avg >= 0.9"}}})
		})
		if rtb.Failed() {
			t.Fatalf("failed:\n%s", rtb.errorText())
		}
		data, err := os.ReadFile(summary)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		if !strings.HasPrefix(text, "# Earlier step\n\n") {
			t.Errorf("the summary does not keep what was there, then a blank line:\n%s", text)
		}
		for _, want := range []string{"1 passed, 0 failed", "| Experiment | Metric |", "| summarised | correctness | avg | 1 \\[0.51, 1\\] | >= 0.9 | ✅ |"} {
			if !strings.Contains(text, want) {
				t.Errorf("the step summary lacks %q:\n%s", want, text)
			}
		}

		// Without GITHUB_STEP_SUMMARY nothing is appended.
		before := text
		rtb = newRecordingTB(t)
		rtb.run(func(tb testing.TB) {
			h := New(tb, WithClient(c), WithLookupEnv(env{}.lookup), WithFunc("answer", echoFunc))
			h.Run(Experiment{Name: "quiet", Dataset: qaRows(), Function: "answer"})
		})
		if data, _ := os.ReadFile(summary); string(data) != before {
			t.Errorf("a run without GITHUB_STEP_SUMMARY changed the summary file:\n%s", data)
		}
	})
}

func TestRecord_outsideHarnessIsNoOp(t *testing.T) {
	ctx := context.Background()
	RecordLLM(ctx, LLMCall{Model: "m"})
	RecordTool(ctx, "search", "q", "r", time.Millisecond, nil)
	RecordRetriever(ctx, "q", []string{"d"}, time.Millisecond)
	RecordLLM(nil, LLMCall{}) //nolint:staticcheck // nil must not panic either
}

func TestRecord_spans(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		emu, c := memEmulator(t)
		fn := func(ctx context.Context, row Row) (string, error) {
			RecordRetriever(ctx, row.Input, []string{"Paris is the capital of France."}, 3*time.Millisecond)
			RecordTool(ctx, "lookup", row.Input, "", time.Millisecond, errors.New("timeout"))
			RecordLLM(ctx, LLMCall{Name: "answer", Model: "gpt-4o", Input: []galileo.Message{{Role: "system", Content: "Be brief."}, {Role: "user", Content: row.Input}}, Output: "Paris", InputTokens: 20, OutputTokens: 1, Duration: 5 * time.Millisecond, Temperature: 0.2})
			return "Paris", nil
		}
		rep, err := Evaluate(t.Context(), Experiment{Name: "rag", Dataset: DatasetRows(Row{Input: "Capital of France?", GroundTruth: "Paris"}), Function: "rag",
			Metrics: []string{"context_adherence"}, Expect: []fixtures.Expectation{{Metric: "num_total_tokens", Expr: "sum == 21"}, {Metric: "cost", Expr: "sum > $0"}}},
			WithClient(c), WithLookupEnv(env{}.lookup), WithFunc("rag", fn))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Status != report.StatusPassed {
			t.Errorf("status %s, failures: %v", rep.Status, rep.Failures())
		}
		tr := emu.Traces(rep.ID)
		if len(tr) != 1 || len(tr[0].Spans) != 1 {
			t.Fatalf("traces = %d, want 1 with one workflow span", len(tr))
		}
		var types []string
		for _, s := range tr[0].Spans[0].Spans {
			types = append(types, s.Type)
			if s.Type == "tool" && (s.StatusCode == nil || *s.StatusCode != 500) {
				t.Errorf("failed tool span status = %v, want 500", s.StatusCode)
			}
		}
		if got := strings.Join(types, ","); got != "retriever,tool,llm" {
			t.Errorf("child spans = %s, want retriever,tool,llm", got)
		}
	})
}

// readReportFile decodes a report file written by the harness.
func readReportFile(t *testing.T, path string) *report.Report {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := report.ReadJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc
}

func TestEvaluate_missingStoredThingsCreateNothing(t *testing.T) {
	tests := []struct {
		name string
		x    Experiment
		want string
	}{
		{name: "stored dataset", x: Experiment{Name: "x", Project: "p", Dataset: StoredDataset("nope"), Function: "answer"}, want: `dataset.name: no dataset named "nope" is stored on Galileo`},
		{name: "stored template", x: Experiment{Name: "x", Project: "p", Dataset: qaRows(), Prompt: &fixtures.Prompt{Template: "nope"}}, want: `prompt.template: no prompt template named "nope" is stored on Galileo`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				emu, c := memEmulator(t)
				_, err := Evaluate(t.Context(), tt.x, WithClient(c), WithLookupEnv(env{}.lookup), WithFunc("answer", echoFunc))
				if !errors.Is(err, fixtures.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("err = %v, want bad input saying %q", err, tt.want)
				}
				if d := emu.Dump(); len(d.Projects)+len(d.Datasets)+len(d.Templates)+len(d.Experiments) != 0 {
					t.Errorf("a missing stored resource still created %d projects, %d datasets, %d templates, %d experiments", len(d.Projects), len(d.Datasets), len(d.Templates), len(d.Experiments))
				}
			})
		})
	}
}

// The server scores errored rows too: the wait must not stop at rows −
// errored scored, or the verdict covers only part of the good rows.
func TestHarness_Run_erroredRowsAreWaitedFor(t *testing.T) {
	t.Parallel()
	_, c := newEmulator(t, emulator.Options{ScoringDelay: 80 * time.Millisecond})
	rows := make([]Row, 10)
	for i := range rows {
		rows[i] = Row{Input: fmt.Sprintf("question %d", i), GroundTruth: "yes"}
	}
	failFirst := func(ctx context.Context, row Row) (string, error) {
		if row.Input == "question 0" {
			return "", errors.New("upstream model unavailable")
		}
		return row.GroundTruth, nil
	}
	h := New(t, WithClient(c), WithFunc("answer", failFirst))
	res := h.Run(Experiment{
		Name: "errored-wait", Dataset: DatasetRows(rows...), Function: "answer", Concurrency: 1,
		Metrics: []string{"correctness"}, Allow: fixtures.Allowance{ErroredRows: 1},
	})
	m := res.Report.Metric("correctness")
	if m == nil || m.Count == nil || *m.Count != 10 {
		t.Fatalf("correctness = %+v; want the verdict over all 10 rows, the errored one included", m)
	}
	if res.Report.ErroredRows != 1 || res.Report.Status != report.StatusPassed {
		t.Errorf("errored %d, status %s; want 1 errored row within the allowance, passed", res.Report.ErroredRows, res.Report.Status)
	}
}

// A threshold the scorer's scores can never meet, or always meet, is bad
// input found before anything is created: the scorer record says its
// scores run from 0 to 1, which the metric's name alone does not.
func TestEvaluate_thresholdOutsideTheScoreRange(t *testing.T) {
	t.Parallel()
	_, c := newEmulator(t)
	r, err := NewRunner(WithClient(c), WithFunc("answer", echoFunc))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	x := Experiment{Name: "range", Project: "ranges", Dataset: qaRows(), Function: "answer", Metrics: []string{"correctness"},
		Expect: []fixtures.Expectation{{Metric: "correctness", Expr: "avg >= -1"}, {Metric: "correctness", Expr: "p50 > 1"}}}
	rep, err := r.Run(t.Context(), x)
	want := []string{
		`experiment "range": expect.correctness: avg >= -1: is always met, so it checks nothing: correctness avg runs from 0 to 1`,
		`experiment "range": expect.correctness: p50 > 1: can never be met: correctness p50 runs from 0 to 1`,
	}
	if !errors.Is(err, fixtures.ErrInvalid) || err.Error() != strings.Join(want, "\n") || rep.Status != report.StatusError {
		t.Fatalf("Run = %v (status %s); want bad input:\n%s", err, rep.Status, strings.Join(want, "\n"))
	}
	if _, err := r.Preflight(t.Context(), x); !errors.Is(err, fixtures.ErrInvalid) || err.Error() != strings.Join(want, "\n") {
		t.Errorf("Preflight = %v; want the same problems", err)
	}
	if projects, _ := c.Projects.List(t.Context()); len(projects) != 0 {
		t.Errorf("%d projects created; want nothing created", len(projects))
	}
}
