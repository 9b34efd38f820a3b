package galileotest

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/emulator"
)

// subprocessEnv marks the child process of the RunDir tests.
const subprocessEnv = "GALILEOTEST_TEST_SUBPROCESS"

// TestRunDir_subtests runs RunDir over testdata/evals in a child go test
// process (one fixture passes, one misses its threshold, one is broken) and
// checks what go test -json shows: one subtest per file, experiment and
// threshold, the failure texts, and that the broken fixture fails at once.
func TestRunDir_subtests(t *testing.T) {
	if os.Getenv(subprocessEnv) == "rundir" {
		vague := func(ctx context.Context, row Row) (string, error) { return "It depends.", nil }
		RunDir(t, "testdata/evals", WithFunc("answer", echoFunc), WithFunc("vague", vague),
			WithEmulatorOptions(emulator.Options{ScoringDelay: time.Millisecond}))
		return
	}
	if testing.Short() {
		t.Skip("runs a child test process")
	}
	outDir := t.TempDir()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestRunDir_subtests$", "-test.v=test2json", "-test.count=1",
		"-test.artifacts", "-test.outputdir="+outDir)
	cmd.Env = childEnv(subprocessEnv+"=rundir", "GALILEOTEST_BACKEND=emulator")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the child passed with a failing and a broken fixture:\n%s", out)
	}
	var buf bytes.Buffer
	conv := exec.CommandContext(t.Context(), "go", "tool", "test2json", "-t")
	conv.Stdin, conv.Stdout = bytes.NewReader(out), &buf
	if cerr := conv.Run(); cerr != nil {
		t.Fatalf("test2json: %v", cerr)
	}
	results := map[string]string{} // test name -> pass/fail
	elapsed := map[string]float64{}
	var fatal []string
	for line := range strings.SplitSeq(buf.String(), "\n") {
		var ev struct {
			Action, Test, Output string
			Elapsed              float64
		}
		if json.Unmarshal([]byte(line), &ev) != nil {
			continue
		}
		switch ev.Action {
		case "pass", "fail":
			results[ev.Test] = ev.Action
			elapsed[ev.Test] = ev.Elapsed
		case "output":
			fatal = append(fatal, ev.Output)
		}
	}
	const root = "TestRunDir_subtests/"
	for name, want := range map[string]string{
		root + "pass":         "pass",
		root + "pass/answers": "pass",
		root + "pass/answers/correctness/avg_ge_0.9":  "pass",
		root + "pass/answers/latency/p95_le_5s":       "pass",
		root + "pass/answers/errored_rows/count_le_0": "pass",
		root + "fail": "fail",
		root + "fail/vague-answers/correctness/avg_ge_0.9": "fail",
		root + "broken": "fail",
	} {
		if got := results[name]; got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if e := elapsed[root+"broken"]; e > 0.1 {
		t.Errorf("the broken fixture failed after %.2fs, want milliseconds", e)
	}
	text := strings.Join(fatal, "")
	for _, want := range []string{
		"testdata/evals/broken.yaml:7: promt: unknown field (did you mean \"prompt\"?)",
		"vague-answers: threshold missed: correctness avg = 0, want >= 0.9 (3 rows)",
		"scores are the emulator's deterministic approximations",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("child output lacks %q:\n%s", want, text)
		}
	}
	// With -artifacts the harness writes its report into the test's
	// artifact directory.
	var reports []string
	_ = filepath.WalkDir(outDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == "galileotest-report.json" {
			reports = append(reports, p)
		}
		return nil
	})
	if len(reports) != 1 {
		t.Fatalf("found %d galileotest-report.json files under the output directory, want 1", len(reports))
	}
	doc := readReportFile(t, reports[0])
	if doc.Passed() || len(doc.Experiments) != 3 || doc.Backend != "emulator" {
		t.Fatalf("artifact report: passed %v, %d experiments, backend %q; want false, 3 (two ran, the broken fixture is listed), emulator", doc.Passed(), len(doc.Experiments), doc.Backend)
	}
	status := map[string]string{}
	for _, e := range doc.Experiments {
		status[e.Name] = e.Status
		if e.Name == "broken" && (e.File != "testdata/evals/broken.yaml" || e.Line != 7 || !strings.Contains(e.Error, "promt: unknown field") || e.ID != "") {
			t.Errorf("broken fixture in the report = %+v; want its file, line 7 and the problem, nothing created", e)
		}
	}
	if status["answers"] != "passed" || status["vague-answers"] != "failed" || status["broken"] != "error" {
		t.Errorf("artifact report statuses = %v; want answers passed, vague-answers failed, broken error", status)
	}
	html, err := os.ReadFile(filepath.Join(filepath.Dir(reports[0]), "galileotest-report.html"))
	if err != nil || !bytes.Contains(html, []byte("vague-answers")) {
		t.Errorf("the HTML report next to the JSON: %v; want a page naming vague-answers", err)
	}
	if strings.Count(text, "using the in-process Galileo emulator") != 1 {
		t.Errorf("want one emulator shared by every fixture, got the notice %d times", strings.Count(text, "using the in-process Galileo emulator"))
	}
}

// childEnv returns the environment of a child test process: this one's,
// without Galileo credentials, CI, the step summary or the harness's own
// settings, plus extra. A child built with -race exits at once instead of
// sleeping the race detector's default second before it exits.
func childEnv(extra ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GALILEO") || k == "CI" || k == "GITHUB_STEP_SUMMARY" || k == "GORACE" {
			continue
		}
		out = append(out, kv)
	}
	out = append(out, "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	return append(out, extra...)
}
