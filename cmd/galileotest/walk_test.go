package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// walkTree writes the files (path relative to a new temporary directory,
// contents) and makes that directory the working directory.
func walkTree(t *testing.T, files map[string]string) {
	t.Helper()
	dir := t.TempDir()
	for p, body := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
}

// walkFixture is a valid fixture named name.
func walkFixture(name string) string {
	return "name: " + name + `
dataset:
  rows:
    - {input: Paris, ground_truth: Paris}
prompt:
  messages:
    - {role: user, content: "{{input}}"}
  model: echo
metrics: [correctness]
expect:
  correctness: avg >= 0.9
`
}

// DIR/... skips testdata as go's ./... does, but says so when fixtures
// lie there, with the path that includes them.
func TestValidate_walkNotesSkippedTestdata(t *testing.T) {
	const note = "galileotest validate: note: skipped testdata/evals (testdata is skipped by DIR/...; pass testdata/evals or testdata/... to include it)\n"
	t.Run("fixtures in testdata", func(t *testing.T) {
		walkTree(t, map[string]string{
			"evals/a.yaml":          walkFixture("a"),
			"testdata/evals/b.yaml": walkFixture("b"),
			"testdata/rows.jsonl":   "{}\n",
		})
		r := cli(t, vars{}, "validate", "./...")
		if r.code != exitOK || r.stderr != note {
			t.Errorf("stderr = %q, want %q\n%v", r.stderr, note, r)
		}
		if !strings.Contains(r.stdout, "ok       evals/a.yaml: a") || strings.Contains(r.stdout, "b.yaml") {
			t.Errorf("stdout: want evals/a.yaml validated and testdata still skipped:\n%s", r.stdout)
		}
	})
	t.Run("the note's paths include them", func(t *testing.T) {
		walkTree(t, map[string]string{"testdata/evals/b.yaml": walkFixture("b")})
		for _, arg := range []string{"testdata/evals", "testdata/..."} {
			r := cli(t, vars{}, "validate", arg)
			if r.code != exitOK || r.stderr != "" || !strings.Contains(r.stdout, "ok       testdata/evals/b.yaml: b") {
				t.Errorf("validate %s: want b.yaml validated without a note\n%v", arg, r)
			}
		}
	})
	t.Run("only testdata holds fixtures", func(t *testing.T) {
		walkTree(t, map[string]string{"testdata/evals/b.yaml": walkFixture("b")})
		r := cli(t, vars{}, "validate", "./...")
		if r.code != exitBadInput || r.stderr != note || !strings.Contains(r.stdout, "no fixture files (*.yaml, *.yml) in this directory or below") {
			t.Errorf("want the note on stderr and no fixtures found\n%v", r)
		}
	})
	t.Run("several directories", func(t *testing.T) {
		walkTree(t, map[string]string{
			"evals/a.yaml":            walkFixture("a"),
			"svc/testdata/x/b.yaml":   walkFixture("b"),
			"svc/testdata/y/c.yml":    walkFixture("c"),
			"svc/testdata/_old/d.yml": walkFixture("d"),
		})
		r := cli(t, vars{}, "validate", "./...")
		want := "galileotest validate: note: skipped 2 fixture directories in svc/testdata (testdata is skipped by DIR/...; pass svc/testdata/... to include them)\n"
		if r.code != exitOK || r.stderr != want {
			t.Errorf("stderr = %q, want %q\n%v", r.stderr, want, r)
		}
	})
	t.Run("no fixtures in testdata, no note", func(t *testing.T) {
		walkTree(t, map[string]string{
			"evals/a.yaml":           walkFixture("a"),
			"testdata/rows.jsonl":    "{}\n",
			".hidden/c.yaml":         walkFixture("c"),
			"_skip/d.yaml":           walkFixture("d"),
			"testdata/.git/cfg.yaml": "x: 1\n",
		})
		r := cli(t, vars{}, "validate", "./...")
		if r.code != exitOK || r.stderr != "" {
			t.Errorf("want no note\n%v", r)
		}
	})
}

func TestRun_walkNotesSkippedTestdata(t *testing.T) {
	emu, env := newEmulator(t)
	walkTree(t, map[string]string{"testdata/evals/b.yaml": walkFixture("b")})
	r := cli(t, env, "run", "./...")
	note := "galileotest run: note: skipped testdata/evals (testdata is skipped by DIR/...; pass testdata/evals or testdata/... to include it)"
	if r.code != exitBadInput || !strings.Contains(r.stderr, note) || !strings.Contains(r.stderr, "no fixture files (*.yaml, *.yml) in this directory or below") {
		t.Errorf("want the note and no fixtures found\n%v", r)
	}
	if n := len(emu.Dump().Experiments); n != 0 {
		t.Errorf("%d experiments created, want none", n)
	}
}
