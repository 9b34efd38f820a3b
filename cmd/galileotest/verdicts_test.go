package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/galileo-community/galileo-go/fixtures"
	"github.com/galileo-community/galileo-go/galileotest"
	"github.com/galileo-community/galileo-go/report"
)

// ranKOfN runs a function experiment on emu whose correctness is 1 on k of
// n rows and 0 on the others.
func ranKOfN(t *testing.T, c galileotest.Option, name string, k, n int) {
	t.Helper()
	rows := make([]galileotest.Row, n)
	for i := range rows {
		rows[i] = galileotest.Row{Input: fmt.Sprintf("question %d", i), GroundTruth: fmt.Sprintf("answer%d", i)}
	}
	answer := func(ctx context.Context, row galileotest.Row) (string, error) {
		i, _ := strconv.Atoi(strings.TrimPrefix(row.Input, "question "))
		if i < k {
			return row.GroundTruth, nil
		}
		return "unknown", nil
	}
	x := galileotest.Experiment{Name: name, Dataset: galileotest.DatasetRows(rows...), Function: "answer", Metrics: []string{"correctness"},
		Naming: fixtures.Naming{Strategy: fixtures.NamingRerun}, Expect: []fixtures.Expectation{{Metric: "correctness", Expr: "count >= 1"}}}
	rep, err := galileotest.Evaluate(t.Context(), x, c, galileotest.WithFunc("answer", answer))
	if err != nil || rep.Status != report.StatusPassed {
		t.Fatalf("run: %v %+v", err, rep)
	}
}

func TestRejudge_confidence(t *testing.T) {
	t.Parallel()
	emu, env := newEmulator(t)
	c, err := emu.Client()
	if err != nil {
		t.Fatal(err)
	}
	ranKOfN(t, galileotest.WithClient(c), "seventeen", 17, 20)
	out := filepath.Join(t.TempDir(), "rejudge.json")

	// Inconclusive counts as a miss: exit 1.
	r := cli(t, env, "rejudge", "--experiment", "seventeen", "--expect", "correctness: avg >= 0.8", "--confidence", "95%", "--json", out)
	if r.code != exitFailed || !strings.Contains(r.stdout, "--- INCONCLUSIVE seventeen") ||
		!strings.Contains(r.stdout, "????  correctness avg = 0.85 [0.6396, 0.9476] (95% wilson), want >= 0.8 (20 rows): inconclusive, the interval contains 0.8; about 196 rows would decide it") {
		t.Fatalf("%v", r)
	}
	e := readReport(t, out).Experiments[0]
	if e.Status != report.StatusInconclusive || e.Thresholds[0].Verdict != report.VerdictInconclusive || e.Confidence != 0.95 {
		t.Errorf("report: status %s verdict %s confidence %v", e.Status, e.Thresholds[0].Verdict, e.Confidence)
	}
	// ... unless on_inconclusive says otherwise.
	r = cli(t, env, "rejudge", "--experiment", "seventeen", "--expect", "correctness: avg >= 0.8", "--confidence", "0.95", "--on-inconclusive", "pass")
	if r.code != exitOK {
		t.Fatalf("on-inconclusive pass: %v", r)
	}
	// Without confidence the point estimate decides.
	if r = cli(t, env, "rejudge", "--experiment", "seventeen", "--expect", "correctness: avg >= 0.8"); r.code != exitOK {
		t.Fatalf("point estimate: %v", r)
	}
	r = cli(t, env, "rejudge", "--experiment", "seventeen", "--expect", "correctness: avg >= 0.8", "--confidence", "150%")
	if r.code != exitBadInput {
		t.Fatalf("bad level: %v", r)
	}
	oneLine(t, r, `--confidence: expected a confidence level between 0% and 100% (e.g. 95%), got "150%"`)
}

func TestBless_andRejudgeAgainstFile(t *testing.T) {
	t.Parallel()
	emu, env := newEmulator(t)
	c, err := emu.Client()
	if err != nil {
		t.Fatal(err)
	}
	ranKOfN(t, galileotest.WithClient(c), "main", 90, 100)
	ranKOfN(t, galileotest.WithClient(c), "drop", 80, 100)
	dir := t.TempDir()
	base := filepath.Join(dir, "baselines", "bot.json")
	r := cli(t, env, "bless", "--experiment", "main", "--out", base)
	if r.code != exitOK || !strings.Contains(r.stdout, "blessed main (id ") {
		t.Fatalf("bless: %v", r)
	}
	rep := readReport(t, base)
	if m := rep.Experiments[0].Metric("correctness"); m == nil || len(m.RowValues) != 100 || len(m.RowKeys) != 100 {
		t.Fatalf("blessed metric: %+v", rep.Experiments[0].Metrics)
	}
	fixture := filepath.Join(dir, "bot.yaml")
	yaml := "name: drop\ndataset: {rows: [{input: a}]}\nfunction: answer\nmetrics: [correctness]\nbaseline: {file: baselines/bot.json}\nexpect:\n  correctness: avg >= baseline - 0.02\n"
	if err := os.WriteFile(fixture, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	r = cli(t, env, "rejudge", "--experiment", "drop", fixture)
	if r.code != exitFailed || !strings.Contains(r.stdout, "MISS  correctness avg = 0.8 vs baseline 0.9 (main, 100 matched rows): difference -0.1, want >= baseline - 0.02") {
		t.Fatalf("rejudge against the file: %v", r)
	}
	r = cli(t, env, "bless", "--experiment", "main")
	if r.code != exitBadInput {
		t.Fatalf("bless without --out: %v", r)
	}
	oneLine(t, r, "--out is required")
}

func TestValidateOnline_baseline(t *testing.T) {
	t.Parallel()
	emu, env := newEmulator(t)
	c, err := emu.Client()
	if err != nil {
		t.Fatal(err)
	}
	ranKOfN(t, galileotest.WithClient(c), "main", 9, 10)
	dir := t.TempDir()
	write := func(name, baseline string) string {
		p := filepath.Join(dir, name)
		yaml := "name: bot\nproject: galileotest\ndataset: {rows: [{input: a}]}\nprompt: {messages: [{role: user, content: hi}], model: echo}\nmetrics: [correctness]\nbaseline: " + baseline + "\nexpect:\n  correctness: avg >= baseline - 0.02\n"
		if err := os.WriteFile(p, []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if r := cli(t, env, "validate", "--online", write("good.yaml", "{experiment: main}")); r.code != exitOK {
		t.Fatalf("existing baseline: %v", r)
	}
	r := cli(t, env, "validate", "--online", write("bad.yaml", "{experiment: mian}"))
	if r.code != exitBadInput || !strings.Contains(r.stdout, `bad.yaml:6: baseline: no experiment is named "mian" in project galileotest`) {
		t.Fatalf("missing baseline: %v", r)
	}
}

// A prompt fixture at 95% with repeats: five rows, all right, three times
// each. The interval counts rows, not traces, and an inconclusive verdict
// says how many rows would decide it even when every row agrees.
func TestRun_repeatsInconclusive(t *testing.T) {
	t.Parallel()
	_, env := newEmulator(t)
	dir := t.TempDir()
	var rows strings.Builder
	for i := range 5 {
		fmt.Fprintf(&rows, "{\"input\": \"q%d\", \"output\": \"a%d\"}\n", i, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "rows.jsonl"), []byte(rows.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	yaml := "name: sure-bot\ndataset: {file: rows.jsonl}\nmetrics: [correctness]\n" +
		"prompt: {messages: [{role: user, content: \"{{input}}\"}], model: ground-truth}\n" +
		"confidence: 95%\nrepeats: 3\nexpect:\n  correctness: [avg >= 0.5, avg >= 0.95]\n"
	fixture := filepath.Join(dir, "sure.yaml")
	if err := os.WriteFile(fixture, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	r := cli(t, env, "run", fixture)
	for _, want := range []string{
		"--- INCONCLUSIVE sure-bot (" + fixture + ":1): 5 rows × 3 repeats, 1/2 thresholds met",
		"????  correctness avg = 1 [0.5655, 1] (95% wilson), want >= 0.95 (5 rows × 3 repeats): inconclusive, the interval contains 0.95; about 73 rows would decide it",
		"0 passed, 0 failed, 1 inconclusive, 0 did not complete",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q", want)
		}
	}
	if r.code != exitFailed {
		t.Errorf("exit %d, want %d\n%v", r.code, exitFailed, r)
	}
}
