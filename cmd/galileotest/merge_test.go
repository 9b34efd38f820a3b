package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/report"
)

// shard writes a JSON report of the given experiments to dir/name and
// returns its path.
func shard(t *testing.T, dir, name, backend string, start time.Time, exps ...report.Experiment) string {
	t.Helper()
	path := filepath.Join(dir, name)
	r := &report.Report{StartedAt: start, FinishedAt: start.Add(time.Minute), Backend: backend, Experiments: exps}
	if err := report.WriteFile(path, report.FormatJSON, r); err != nil {
		t.Fatal(err)
	}
	return path
}

func passed(name, file string, line int) report.Experiment {
	return report.Experiment{Name: name, File: file, Line: line, RunName: name + "-1", ID: "id-" + name, Status: report.StatusPassed,
		Thresholds: []report.Threshold{{Metric: "correctness", Stat: "avg", Expr: "avg >= 0.9", Pass: true, Explanation: "correctness avg = 1, want >= 0.9 (2 rows)", Line: line + 8}}}
}

func missed(name, file string, line int) report.Experiment {
	x := passed(name, file, line)
	x.Status = report.StatusFailed
	x.Thresholds[0].Pass, x.Thresholds[0].Explanation = false, "correctness avg = 0.5, want >= 0.9 (2 rows)"
	return x
}

func TestMerge_ExitCodes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	a := shard(t, dir, "a.json", report.BackendRemote, t0, passed("zeta", "evals/z.yaml", 1))
	b := shard(t, dir, "b.json", report.BackendRemote, t0.Add(time.Minute), passed("alpha", "evals/a.yaml", 2), passed("zeta", "evals/z.yaml", 1))
	miss := shard(t, dir, "miss.json", report.BackendRemote, t0, missed("beta", "evals/b.yaml", 2))
	errored := shard(t, dir, "errored.json", report.BackendRemote, t0,
		report.Experiment{Name: "slow", File: "evals/slow.yaml", Line: 1, Status: report.StatusTimeout, Error: "timed out after 1m0s"})
	empty := shard(t, dir, "empty.json", report.BackendRemote, t0)
	emu := shard(t, dir, "emu.json", report.BackendEmulator, t0, passed("gamma", "evals/g.yaml", 1))
	notJSON := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notJSON, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "merged.json")

	tests := []struct {
		name string
		args []string
		code int
		want string // in stdout for 0 and 1, in stderr for 2
	}{
		{"passed", []string{"--json", out, a, b}, exitOK, "merged 2 reports: 2 experiments (1 duplicate left out)\n"},
		{"a threshold missed", []string{a, miss, "--json", out}, exitFailed, "    MISS  correctness avg = 0.5, want >= 0.9 (2 rows)  evals/b.yaml:10\n"},
		{"an experiment timed out: 1, never 3", []string{"--json", out, a, errored}, exitFailed, "--- TIMEOUT slow (evals/slow.yaml:1)"},
		{"no experiments", []string{"--json", out, empty}, exitFailed, "FAIL  0 experiments"},
		{"different backends", []string{"--json", out, a, emu}, exitBadInput, "report 2 ran on the emulator backend, an earlier one on the remote backend"},
		{"missing input", []string{"--json", out, a, filepath.Join(dir, "nope.json")}, exitBadInput, "nope.json: no such file or directory"},
		{"not JSON", []string{"--json", out, notJSON, a}, exitBadInput, "notes.txt: not a JSON report: invalid character"},
		{"a directory", []string{"--json", out, dir}, exitBadInput, "is a directory; expected a JSON report"},
		{"no --json", []string{a, b}, exitBadInput, "--json OUT is required"},
		{"no inputs", []string{"--json", out}, exitBadInput, "no reports to merge"},
		{"unknown flag", []string{"--json", out, "--bogus", a}, exitBadInput, "flag provided but not defined: -bogus"},
		{"unwritable output", []string{"--json", filepath.Join(dir, "missing", "m.json"), a}, exitBadInput, "directory " + filepath.Join(dir, "missing") + " does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cli(t, vars{}, append([]string{"merge"}, tt.args...)...)
			text := r.stdout
			if tt.code == exitBadInput {
				text = r.stderr
				if r.stdout != "" || !strings.HasPrefix(r.stderr, "galileotest merge: ") {
					t.Errorf("bad input printed on stdout, or stderr without the command's prefix: %v", r)
				}
			}
			if r.code != tt.code || !strings.Contains(text, tt.want) {
				t.Errorf("exit %d, want %d and %q in the output\n%v", r.code, tt.code, tt.want, r)
			}
		})
	}
}

func TestMerge_Reports(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	a := shard(t, dir, "a.json", report.BackendEmulator, t0.Add(2*time.Minute), passed("zeta", "evals/z.yaml", 1))
	b := shard(t, dir, "b.json", report.BackendEmulator, t0, missed("alpha", "evals/a.yaml", 2))
	summary := filepath.Join(dir, "step-summary.md")
	p := func(name string) string { return filepath.Join(dir, name) }

	r := cli(t, vars{"GITHUB_STEP_SUMMARY": summary}, "merge", "--json", p("m.json"), "--junit", p("m.xml"),
		"--markdown", p("m.md"), "--html", p("m.html"), a, b)
	if r.code != exitFailed || r.stderr != "" {
		t.Fatalf("exit %d, want %d and nothing on stderr\n%v", r.code, exitFailed, r)
	}
	m := readReport(t, p("m.json"))
	if len(m.Experiments) != 2 || m.Experiments[0].Name != "alpha" || m.Experiments[1].Name != "zeta" {
		t.Errorf("merged experiments = %+v; want alpha (evals/a.yaml) then zeta (evals/z.yaml)", m.Experiments)
	}
	if m.Backend != report.BackendEmulator || !m.StartedAt.Equal(t0) || !m.FinishedAt.Equal(t0.Add(3*time.Minute)) {
		t.Errorf("merged backend %q, span %v .. %v; want emulator, %v .. %v", m.Backend, m.StartedAt, m.FinishedAt, t0, t0.Add(3*time.Minute))
	}
	for _, f := range []struct{ name, want string }{
		{"m.xml", `file="evals/a.yaml" line="10"`},
		{"m.md", report.MarkdownMarker + "\n### ❌ Galileo regression gate: 1 passed, 1 failed, 0 errored"},
		{"m.html", "<html"},
		{"step-summary.md", "### ❌ Galileo regression gate: 1 passed, 1 failed, 0 errored"},
	} {
		data, err := os.ReadFile(p(f.name))
		if err != nil || !strings.Contains(string(data), f.want) {
			t.Errorf("%s lacks %q (err %v)", f.name, f.want, err)
		}
	}
}

// TestMerge_Shards merges the JSON reports of two run commands, as CI
// shards would.
func TestMerge_Shards(t *testing.T) {
	t.Parallel()
	_, env := newEmulator(t)
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	if r := cli(t, env, "run", "--json", p("pass.json"), "testdata/evals/pass.yaml"); r.code != exitOK {
		t.Fatalf("shard 1: %v", r)
	}
	if r := cli(t, env, "run", "--json", p("miss.json"), "testdata/evals/miss.yaml"); r.code != exitFailed {
		t.Fatalf("shard 2: %v", r)
	}
	r := cli(t, env, "merge", "--json", p("all.json"), p("pass.json"), p("miss.json"))
	if r.code != exitFailed {
		t.Fatalf("exit %d, want %d\n%v", r.code, exitFailed, r)
	}
	m := readReport(t, p("all.json"))
	if len(m.Experiments) != 2 || m.Experiments[0].File != "testdata/evals/miss.yaml" || m.Experiments[1].File != "testdata/evals/pass.yaml" {
		t.Errorf("merged experiments = %+v; want miss.yaml then pass.yaml", m.Experiments)
	}
	if !strings.Contains(r.stdout, "FAIL  2 experiments: 1 passed, 1 failed, 0 did not complete") {
		t.Errorf("summary lacks the totals:\n%s", r.stdout)
	}

	// Merging the merged report with a shard again changes nothing.
	if r := cli(t, env, "merge", "--json", p("again.json"), p("all.json"), p("pass.json")); r.code != exitFailed ||
		!strings.Contains(r.stdout, "merged 2 reports: 2 experiments (1 duplicate left out)") {
		t.Errorf("merge again: %v", r)
	}
}
