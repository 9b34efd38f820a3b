package main

import (
	"bytes"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/emulator"
	"github.com/galileo-community/galileo-go/galileo"
	goldenfile "github.com/galileo-community/galileo-go/internal/golden"
	"github.com/galileo-community/galileo-go/report"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// result is what one command invocation produced.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return "exit " + string(rune('0'+r.code)) + "\n--- stdout\n" + r.stdout + "--- stderr\n" + r.stderr
}

// vars is a fixed environment.
type vars map[string]string

func (v vars) get(k string) string { return v[k] }

// with returns a copy of v with the given pairs set.
func (v vars) with(kv ...string) vars {
	out := vars{}
	for k, x := range v {
		out[k] = x
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// cli runs the command in-process with the environment v.
func cli(t *testing.T, v vars, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	e := newEnv(strings.NewReader(""), &out, &errOut, v.get)
	e.clientOpts = testClientOpts()
	code := dispatch(t.Context(), e, args)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// testClientOpts retry briefly, so that cases against an unreachable API
// spend milliseconds, not the seconds of the default policy.
func testClientOpts() []galileo.Option {
	return []galileo.Option{galileo.WithRetry(2, 10*time.Millisecond, 20*time.Millisecond)}
}

// newEmulator starts an emulator that scores fast and returns it with the
// environment that points the command at it as the remote backend.
func newEmulator(t *testing.T, opts ...emulator.Options) (*emulator.Server, vars) {
	t.Helper()
	o := emulator.Options{ScoringDelay: time.Millisecond}
	if len(opts) > 0 {
		o = opts[0]
	}
	emu := emulator.NewTest(t, o)
	return emu, vars{
		"GALILEO_API_URL":     emu.URL(),
		"GALILEO_API_KEY":     emu.APIKey(),
		"GALILEO_CONSOLE_URL": "https://console.example.test",
		"GALILEOTEST_BACKEND": "remote",
		"GALILEO_PROJECT":     "galileotest",
	}
}

var (
	reUUID = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	reTook = regexp.MustCompile(`took [0-9.]+(ns|µs|us|ms|s|m[0-9]+s)`)
)

// normalize replaces what changes from run to run: ids and durations.
func normalize(s string) string {
	s = reUUID.ReplaceAllString(s, "<id>")
	return reTook.ReplaceAllString(s, "took <dur>")
}

// golden compares got with testdata/golden/name, or rewrites it with
// -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, name, got, *update)
}

// oneLine checks that the command said what went wrong on one line that
// contains want.
func oneLine(t *testing.T, r result, want string) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], want) {
		t.Errorf("stderr = %q, want one line containing %q", r.stderr, want)
	}
}

func TestDispatch_Help(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cmd  string
		want []string
	}{
		{"run", []string{"Usage: galileotest run [flags] PATH...", "-parallel N", "-junit FILE", "-skip-functions", "Exit codes:", "3  infrastructure"}},
		{"validate", []string{"Usage: galileotest validate [flags] PATH...", "-online", "0  every fixture is valid", "2  a fixture is invalid"}},
		{"rejudge", []string{"Usage: galileotest rejudge --experiment NAME|ID", "-expect 'METRIC: EXPR'", "-experiment NAME|ID", "1  a threshold was missed"}},
	} {
		t.Run(tc.cmd, func(t *testing.T) {
			for _, h := range []string{"--help", "-h"} {
				r := cli(t, vars{}, tc.cmd, h)
				if r.code != exitOK || r.stderr != "" {
					t.Fatalf("%s %s: %v", tc.cmd, h, r)
				}
				for _, w := range tc.want {
					if !strings.Contains(r.stdout, w) {
						t.Errorf("%s %s: help lacks %q:\n%s", tc.cmd, h, w, r.stdout)
					}
				}
			}
		})
	}
	r := cli(t, vars{}, "help")
	for _, w := range []string{"run", "validate", "rejudge", "emulator", "Exit codes:"} {
		if r.code != exitOK || !strings.Contains(r.stdout, w) {
			t.Errorf("galileotest help: exit %d, lacks %q:\n%s", r.code, w, r.stdout)
		}
	}
}

func TestRun_ExitCodes(t *testing.T) {
	t.Parallel()
	emu, env := newEmulator(t)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	dir := t.TempDir()
	for _, tc := range []struct {
		name    string
		env     vars
		args    []string
		want    int
		stderr  string // stderr contains it
		stdout  string // stdout contains it
		one     bool   // stderr is exactly one line
		created bool   // experiments may be created
	}{
		{name: "pass", env: env, args: []string{"testdata/evals/pass.yaml"}, want: exitOK, created: true},
		{name: "miss", env: env, args: []string{"testdata/evals/miss.yaml"}, want: exitFailed, created: true},
		{name: "flags after the path", env: env, args: []string{"testdata/evals/pass.yaml", "--parallel", "1"}, want: exitOK, created: true},
		{name: "bad threshold", env: env, args: []string{"testdata/evals/pass.yaml", "testdata/bad/threshold.yaml"}, want: exitBadInput,
			stderr: "testdata/bad/threshold.yaml:10: expect.correctness: column 7: expected a number"},
		{name: "function fixture", env: env, args: []string{"testdata/functions/answer.yaml"}, want: exitBadInput,
			stderr: `testdata/functions/answer.yaml:13: function: "answer" is Go code, which the galileotest command cannot run`},
		{name: "unknown metric", env: env, args: []string{"testdata/bad/metric.yaml"}, want: exitBadInput,
			stderr: `testdata/bad/metric.yaml:9: metrics: unknown metric "corectness" (did you mean "correctness"?)`},
		{name: "unknown flag", env: env, args: []string{"--bogus", "testdata/evals/pass.yaml"}, want: exitBadInput,
			stderr: "galileotest run: flag provided but not defined: -bogus", one: true},
		{name: "bad flag value", env: env, args: []string{"--parallel", "0", "testdata/evals/pass.yaml"}, want: exitBadInput,
			stderr: "--parallel 0: expected at least 1", one: true},
		{name: "bad backend", env: env, args: []string{"--backend", "cloud", "testdata/evals/pass.yaml"}, want: exitBadInput,
			stderr: `--backend: "cloud" is not one of auto, remote, emulator`, one: true},
		{name: "no paths", env: env, args: nil, want: exitBadInput, stderr: "no fixture paths", one: true},
		{name: "missing path", env: env, args: []string{"testdata/nope.yaml"}, want: exitBadInput, stderr: "testdata/nope.yaml: no such file or directory"},
		{name: "report directory missing", env: env, args: []string{"--junit", filepath.Join(dir, "missing", "r.xml"), "testdata/evals/pass.yaml"}, want: exitBadInput,
			stderr: "--junit " + filepath.Join(dir, "missing", "r.xml") + ": directory " + filepath.Join(dir, "missing") + " does not exist", one: true},
		{name: "report path is a directory", env: env, args: []string{"--json", dir, "testdata/evals/pass.yaml"}, want: exitBadInput,
			stderr: "is a directory", one: true},
		{name: "remote without credentials", env: env.with("GALILEO_API_KEY", ""), args: []string{"testdata/evals/pass.yaml"}, want: exitBadInput,
			stderr: "GALILEOTEST_BACKEND=remote: no Galileo credentials configured", one: true},
		{name: "CI without credentials", env: vars{"CI": "true"}, args: []string{"testdata/evals/pass.yaml"}, want: exitBadInput,
			stderr: "running in CI"},
		{name: "emulator down", env: env.with("GALILEO_API_URL", closed.URL), args: []string{"testdata/evals/pass.yaml"}, want: exitInfra,
			stderr: "echo-bot: error"},
		{name: "wrong API key", env: env.with("GALILEO_API_KEY", "not-the-key"), args: []string{"testdata/evals/pass.yaml"}, want: exitInfra,
			stderr: "echo-bot: error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(emu.Dump().Experiments)
			r := cli(t, tc.env, append([]string{"run"}, tc.args...)...)
			if r.code != tc.want {
				t.Fatalf("exit %d, want %d\n%v", r.code, tc.want, r)
			}
			if tc.stderr != "" && !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, r.stderr)
			}
			if tc.stdout != "" && !strings.Contains(r.stdout, tc.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tc.stdout, r.stdout)
			}
			if tc.one {
				oneLine(t, r, tc.stderr)
			}
			if after := len(emu.Dump().Experiments); !tc.created && after != before {
				t.Errorf("%d experiments created; bad input must create nothing", after-before)
			}
			if key := tc.env["GALILEO_API_KEY"]; key != "" && strings.Contains(r.stdout+r.stderr, key) {
				t.Errorf("the output shows the API key:\n%v", r)
			}
		})
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("report directory holds %d files after failed runs; want none (nothing half-written)", len(entries))
	}
}

func TestRun_ErrorDetails(t *testing.T) {
	t.Parallel()
	_, env := newEmulator(t)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	for _, tc := range []struct {
		name string
		env  vars
		want []string
	}{
		{"emulator down", env.with("GALILEO_API_URL", closed.URL), []string{"--- ERROR   echo-bot (testdata/evals/pass.yaml:2)", "connection refused"}},
		{"wrong API key", env.with("GALILEO_API_KEY", "not-the-key"), []string{"--- ERROR   echo-bot (testdata/evals/pass.yaml:2)", "401"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, tc.env, "run", "testdata/evals/pass.yaml")
			for _, w := range tc.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout lacks %q:\n%v", w, r)
				}
			}
		})
	}
}

func TestRun_Timeout(t *testing.T) {
	t.Parallel()
	// One row every minute: the scores cannot arrive within the timeout.
	_, env := newEmulator(t, emulator.Options{ScoringDelay: time.Minute})
	out := filepath.Join(t.TempDir(), "report.json")
	r := cli(t, env, "run", "--timeout", "1s", "--json", out, "testdata/evals/pass.yaml")
	if r.code != exitInfra {
		t.Fatalf("exit %d, want %d\n%v", r.code, exitInfra, r)
	}
	for _, w := range []string{"--- TIMEOUT echo-bot (testdata/evals/pass.yaml:2)", "gave up waiting for scores", "the --timeout of 1s"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("stdout lacks %q:\n%v", w, r)
		}
	}
	rep := readReport(t, out)
	if len(rep.Experiments) != 1 || rep.Experiments[0].Status != report.StatusTimeout {
		t.Errorf("JSON report experiments = %+v, want one with status timeout", rep.Experiments)
	}
}

func TestRun_Reports(t *testing.T) {
	t.Parallel()
	_, env := newEmulator(t)
	dir := t.TempDir()
	summary := filepath.Join(dir, "step-summary.md")
	if err := os.WriteFile(summary, []byte("earlier step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	r := cli(t, env.with("GITHUB_STEP_SUMMARY", summary), "run", "--parallel", "1",
		"--json", p("r.json"), "--junit", p("r.xml"), "--markdown", p("r.md"), "--html", p("r.html"), "testdata/evals/")
	if r.code != exitFailed {
		t.Fatalf("exit %d, want %d\n%v", r.code, exitFailed, r)
	}
	golden(t, "run.golden", normalize(r.stdout))

	rep := readReport(t, p("r.json"))
	if rep.Backend != report.BackendRemote || len(rep.Experiments) != 2 {
		t.Fatalf("JSON report: backend %q, %d experiments; want remote and 2", rep.Backend, len(rep.Experiments))
	}
	// Declaration order: the files of the directory in lexical order.
	miss, pass := rep.Experiments[0], rep.Experiments[1]
	if miss.Name != "shouting-bot" || miss.Status != report.StatusFailed || pass.Name != "echo-bot" || pass.Status != report.StatusPassed {
		t.Errorf("JSON experiments = %s %s, %s %s; want shouting-bot failed, echo-bot passed", miss.Name, miss.Status, pass.Name, pass.Status)
	}
	if len(miss.Thresholds) != 3 || miss.Thresholds[0].Pass || miss.Thresholds[0].Expr != "avg >= 0.9" || len(miss.Thresholds[0].Bounds) != 1 {
		t.Errorf("shouting-bot thresholds = %+v; want avg >= 0.9 missed first, with its bound", miss.Thresholds)
	}
	if pass.File != "testdata/evals/pass.yaml" || pass.Line != 2 || pass.Kind != report.KindPrompt || pass.Rows != 2 || pass.ScoredRows != 2 ||
		!strings.HasPrefix(pass.Link, "https://console.example.test/project/") {
		t.Errorf("echo-bot = %+v; want its file, line, kind, rows and console link", pass)
	}
	for _, f := range []struct{ name, want string }{
		{"r.xml", `<testsuites`},
		{"r.xml", `type="threshold"`},
		{"r.md", "Galileo regression gate: 1 passed, 1 failed"},
		{"r.html", "<html"},
		{"step-summary.md", "earlier step\n\n### ❌ Galileo regression gate: 1 passed, 1 failed"},
	} {
		data, err := os.ReadFile(p(f.name))
		if err != nil || !strings.Contains(string(data), f.want) {
			t.Errorf("%s lacks %q (err %v)", f.name, f.want, err)
		}
	}
}

func TestRun_Verbose(t *testing.T) {
	t.Parallel()
	_, env := newEmulator(t)
	r := cli(t, env, "run", "-v", "testdata/evals/pass.yaml")
	if r.code != exitOK {
		t.Fatalf("exit %d\n%v", r.code, r)
	}
	for _, w := range []string{"    ok    correctness avg = 1, want >= 0.9 (2 rows)", "    ok    latency p95 = "} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
		}
	}
	for _, w := range []string{"echo-bot: created experiment echo-bot — https://console.example.test/project/", "rows scored"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr lacks the harness line %q:\n%s", w, r.stderr)
		}
	}
}

func TestRun_PlainDisplay(t *testing.T) {
	t.Parallel()
	_, env := newEmulator(t)
	r := cli(t, env, "run", "testdata/evals/pass.yaml")
	if r.code != exitOK {
		t.Fatalf("exit %d\n%v", r.code, r)
	}
	// One line per phase from the harness's progress events, the console
	// link once; not the harness's own log lines.
	want := []string{"echo-bot: setup", ", run 0/2, scored 0/2 — https://console.example.test/project/", "echo-bot: judging, run 2/2, scored 2/2", "echo-bot: passed in "}
	at := 0
	for _, w := range want {
		i := strings.Index(r.stderr[at:], w)
		if i < 0 {
			t.Fatalf("stderr lacks %q after offset %d:\n%s", w, at, r.stderr)
		}
		at += i + len(w)
	}
	if n := strings.Count(r.stderr, "https://console.example.test/"); n != 1 {
		t.Errorf("stderr shows the console link %d times, want once:\n%s", n, r.stderr)
	}
	if strings.Contains(r.stderr, "rows scored") {
		t.Errorf("stderr shows the harness's log lines without -v:\n%s", r.stderr)
	}
}

func TestRun_SkipFunctions(t *testing.T) {
	t.Parallel()
	_, env := newEmulator(t)
	r := cli(t, env, "run", "--skip-functions", "testdata/functions/")
	if r.code != exitOK {
		t.Fatalf("exit %d\n%v", r.code, r)
	}
	if !strings.Contains(r.stdout, `--- SKIP    testdata/functions/answer.yaml:12 (answer-bot): function "answer" is Go code`) ||
		!strings.Contains(r.stdout, "--- PASS    prompt-bot") {
		t.Errorf("stdout does not show the skipped function and the prompt run:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "skipping testdata/functions/answer.yaml:12") {
		t.Errorf("stderr has no note about the skip:\n%s", r.stderr)
	}
}

func TestRejudge(t *testing.T) {
	t.Parallel()
	emu, env := newEmulator(t)
	// Run a prompt fixture first; its experiment is then judged again.
	if r := cli(t, env, "run", "testdata/evals/pass.yaml"); r.code != exitOK {
		t.Fatalf("run: %v", r)
	}
	id := emu.Dump().Experiments[0].ID
	out := filepath.Join(t.TempDir(), "rejudge.json")

	t.Run("fixture thresholds pass", func(t *testing.T) {
		r := cli(t, env, "rejudge", "--experiment", "echo-bot", "testdata/evals/pass.yaml", "--json", out)
		if r.code != exitOK {
			t.Fatalf("%v", r)
		}
		golden(t, "rejudge_pass.golden", normalize(r.stdout))
		rep := readReport(t, out)
		if e := rep.Experiments[0]; e.Status != report.StatusPassed || e.ID != id || len(e.Thresholds) != 2 || e.File != "testdata/evals/pass.yaml" {
			t.Errorf("JSON report = %+v; want passed, id %s, 2 thresholds from the fixture", e, id)
		}
	})
	t.Run("expect flags miss", func(t *testing.T) {
		r := cli(t, env, "rejudge", "--experiment", id, "--expect", "Correctness: avg < 0.5", "--expect", "latency: p95 <= 1ms", "--expect", "cost: sum <= $1")
		if r.code != exitFailed {
			t.Fatalf("%v", r)
		}
		golden(t, "rejudge_miss.golden", normalize(r.stdout))
	})
	t.Run("by id and project name", func(t *testing.T) {
		r := cli(t, env, "rejudge", "--experiment", id, "--project", "galileotest", "--expect", "correctness: avg == 1")
		if r.code != exitOK {
			t.Fatalf("%v", r)
		}
	})
	t.Run("unknown name", func(t *testing.T) {
		r := cli(t, env, "rejudge", "--experiment", "echo", "--expect", "correctness: avg >= 0.9")
		if r.code != exitBadInput {
			t.Fatalf("%v", r)
		}
		oneLine(t, r, `no experiment is named "echo" in project galileotest; experiments whose name starts with it: echo-bot`)
	})
	t.Run("unknown id", func(t *testing.T) {
		r := cli(t, env, "rejudge", "--experiment", "00000000-0000-4000-8000-000000000000", "--expect", "correctness: avg >= 0.9")
		if r.code != exitBadInput {
			t.Fatalf("%v", r)
		}
		oneLine(t, r, "no experiment has the id 00000000-0000-4000-8000-000000000000")
	})
	t.Run("metric not scored", func(t *testing.T) {
		r := cli(t, env, "rejudge", "--experiment", "echo-bot", "--expect", "bleu: avg >= 0.9")
		if r.code != exitBadInput {
			t.Fatalf("%v", r)
		}
		oneLine(t, r, `metric "bleu" was not scored by experiment echo-bot (scored: Correctness, cost, duration_ns`)
	})
	t.Run("unknown metric", func(t *testing.T) {
		r := cli(t, env, "rejudge", "--experiment", "echo-bot", "--expect", "corectness: avg >= 0.9")
		if r.code != exitBadInput {
			t.Fatalf("%v", r)
		}
		oneLine(t, r, `unknown metric "corectness" (did you mean "correctness"?)`)
	})
	t.Run("bad expression", func(t *testing.T) {
		r := cli(t, env, "rejudge", "--experiment", "echo-bot", "--expect", "correctness: avg >== 0.9")
		if r.code != exitBadInput {
			t.Fatalf("%v", r)
		}
		oneLine(t, r, `expect.correctness: avg >== 0.9: column 7`)
	})
	t.Run("usage", func(t *testing.T) {
		for _, args := range [][]string{
			{"--expect", "correctness: avg >= 0.9"},
			{"--experiment", "echo-bot"},
			{"--experiment", "echo-bot", "--expect", "correctness: avg >= 0.9", "testdata/evals/pass.yaml"},
			{"--experiment", "echo-bot", "--expect", "avg >= 0.9"},
		} {
			if r := cli(t, env, append([]string{"rejudge"}, args...)...); r.code != exitBadInput || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("rejudge %q: want exit 2 with one line on stderr, got %v", args, r)
			}
		}
	})
	t.Run("emulator backend", func(t *testing.T) {
		r := cli(t, env.with("GALILEOTEST_BACKEND", "emulator"), "rejudge", "--experiment", "echo-bot", "--expect", "correctness: avg >= 0.9")
		if r.code != exitBadInput {
			t.Fatalf("%v", r)
		}
		oneLine(t, r, "starts an empty in-process emulator")
	})
	t.Run("wrong API key", func(t *testing.T) {
		r := cli(t, env.with("GALILEO_API_KEY", "not-the-key"), "rejudge", "--experiment", "echo-bot", "--expect", "correctness: avg >= 0.9")
		if r.code != exitInfra {
			t.Fatalf("%v", r)
		}
	})
	t.Run("ambiguous name", func(t *testing.T) {
		// The same fixture in a second project: two experiments named echo-bot.
		if r := cli(t, env, "run", "--project", "second", "testdata/evals/pass.yaml"); r.code != exitOK {
			t.Fatalf("run: %v", r)
		}
		r := cli(t, env.with("GALILEO_PROJECT", ""), "rejudge", "--experiment", "echo-bot", "--expect", "correctness: avg >= 0.9")
		if r.code != exitBadInput {
			t.Fatalf("%v", r)
		}
		for _, w := range []string{`2 experiments are named "echo-bot" in any of the 2 projects`, "project galileotest", "project second"} {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
			}
		}
		// --project picks one.
		if r := cli(t, env, "rejudge", "--experiment", "echo-bot", "--project", "second", "--expect", "correctness: avg >= 0.9"); r.code != exitOK {
			t.Errorf("with --project: %v", r)
		}
	})
}

func TestValidate(t *testing.T) {
	t.Parallel()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	_, env := newEmulator(t)
	t.Run("offline valid", func(t *testing.T) {
		r := cli(t, vars{}, "validate", "testdata/evals", "testdata/functions/answer.yaml", "testdata/bad/metric.yaml")
		if r.code != exitOK {
			t.Fatalf("%v", r)
		}
		golden(t, "validate_ok.golden", r.stdout)
	})
	t.Run("offline invalid", func(t *testing.T) {
		r := cli(t, vars{}, "validate", "testdata/evals/pass.yaml", "testdata/bad/threshold.yaml", "testdata/missing.yaml")
		if r.code != exitBadInput {
			t.Fatalf("%v", r)
		}
		golden(t, "validate_invalid.golden", r.stdout)
	})
	t.Run("recursive", func(t *testing.T) {
		r := cli(t, vars{}, "validate", "testdata/...")
		if r.code != exitBadInput || !strings.Contains(r.stdout, "INVALID  testdata/bad/threshold.yaml") || !strings.Contains(r.stdout, "ok       testdata/evals/pass.yaml") {
			t.Errorf("validate testdata/...: want every fixture below testdata, the bad one invalid:\n%v", r)
		}
	})
	t.Run("online unknown metric", func(t *testing.T) {
		r := cli(t, env, "validate", "--online", "testdata/bad/metric.yaml", "testdata/evals/pass.yaml")
		if r.code != exitBadInput {
			t.Fatalf("%v", r)
		}
		want := `testdata/bad/metric.yaml:9: metrics: unknown metric "corectness" (did you mean "correctness"?)`
		if !strings.Contains(r.stdout, want) || !strings.Contains(r.stdout, "ok       testdata/evals/pass.yaml") {
			t.Errorf("stdout lacks %q or the valid file:\n%s", want, r.stdout)
		}
	})
	t.Run("online valid", func(t *testing.T) {
		r := cli(t, env, "validate", "--online", "testdata/evals/")
		if r.code != exitOK || !strings.Contains(r.stdout, `note: echo-bot: project "galileotest" does not exist yet; run creates it`) || !strings.Contains(r.stdout, "VALID    2 files, 2 experiments (online)") {
			t.Errorf("%v", r)
		}
	})
	t.Run("online emulator down", func(t *testing.T) {
		r := cli(t, env.with("GALILEO_API_URL", closed.URL), "validate", "--online", "testdata/evals/pass.yaml")
		if r.code != exitInfra {
			t.Fatalf("%v", r)
		}
	})
	t.Run("flags need online", func(t *testing.T) {
		r := cli(t, vars{}, "validate", "--backend", "remote", "testdata/evals/pass.yaml")
		if r.code != exitBadInput {
			t.Fatalf("%v", r)
		}
		oneLine(t, r, "--backend and --project only apply with --online")
	})
}

// readReport reads a JSON report.
func readReport(t *testing.T, path string) *report.Report {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := report.ReadJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rep
}

// Fixtures that fail to load are in the reports too, with status error:
// the JSON says what the exit code says.
func TestRun_ReportsBrokenFixtures(t *testing.T) {
	t.Parallel()
	_, env := newEmulator(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "r.json")
	r := cli(t, env, "run", "--json", out, "testdata/bad/threshold.yaml", "testdata/evals/pass.yaml")
	if r.code != exitBadInput {
		t.Fatalf("exit %d, want %d\n%v", r.code, exitBadInput, r)
	}
	rep := readReport(t, out)
	if len(rep.Experiments) != 1 {
		t.Fatalf("JSON report has %d experiments, want the broken file only (nothing was run): %+v", len(rep.Experiments), rep.Experiments)
	}
	e := rep.Experiments[0]
	if e.Status != report.StatusError || e.File != "testdata/bad/threshold.yaml" || e.Line == 0 || !strings.Contains(e.Error, "testdata/bad/threshold.yaml:") {
		t.Errorf("broken fixture in the report = %+v; want status error with its file, line and message", e)
	}
	if rep.Passed() {
		t.Error("a report with a broken fixture passed")
	}
}

// run checks every fixture, what needs the network included, before it
// creates anything: a fixture with an unknown metric stops the run while
// the valid fixture beside it has cost nothing.
func TestRun_PreflightBeforeAnythingIsCreated(t *testing.T) {
	t.Parallel()
	emu, env := newEmulator(t)
	r := cli(t, env, "run", "testdata/evals/pass.yaml", "testdata/bad/metric.yaml")
	if r.code != exitBadInput || !strings.Contains(r.stderr, `testdata/bad/metric.yaml:9: metrics: unknown metric "corectness"`) {
		t.Fatalf("exit %d, want %d with the unknown metric\n%v", r.code, exitBadInput, r)
	}
	c, err := emu.Client()
	if err != nil {
		t.Fatal(err)
	}
	projects, err := c.Projects.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range projects {
		if xs, err := c.Experiments.List(t.Context(), p.ID); err != nil || len(xs) > 0 {
			t.Errorf("project %s has %d experiments (%v); want nothing created", p.ProjectName(), len(xs), err)
		}
	}
}

// In a GitHub Actions job, a missed threshold is annotated at its line.
func TestRun_GitHubAnnotations(t *testing.T) {
	t.Parallel()
	_, env := newEmulator(t)
	r := cli(t, env.with("GITHUB_ACTIONS", "true"), "run", "testdata/evals/miss.yaml")
	if r.code != exitFailed {
		t.Fatalf("exit %d, want %d\n%v", r.code, exitFailed, r)
	}
	want := "::error file=testdata/evals/miss.yaml,line=13,title=shouting-bot/correctness::correctness avg = 0.5, want >= 0.9 (2 rows)"
	if !strings.Contains(r.stdout, want) {
		t.Errorf("stdout lacks the annotation %q:\n%s", want, r.stdout)
	}
	if r := cli(t, env, "run", "testdata/evals/miss.yaml"); strings.Contains(r.stdout, "::error") {
		t.Errorf("annotations outside GitHub Actions:\n%s", r.stdout)
	}
}
