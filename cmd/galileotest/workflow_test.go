package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// workflowBlock finds the GitHub Actions workflows the READMEs show.
var workflowBlock = regexp.MustCompile("(?s)```yaml\n(on: .*?\njobs:\n.*?)```")

// The workflows the READMEs document are valid GitHub Actions workflows,
// as actionlint (a tool dependency of the module: go tool actionlint)
// reads them; and a broken one is caught.
func TestREADMEWorkflows_actionlint(t *testing.T) {
	if testing.Short() {
		t.Skip("builds actionlint; skipped with -short")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	dir := filepath.Join(t.TempDir(), ".github", "workflows")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, readme := range []string{"../../README.md", "README.md"} {
		data, err := os.ReadFile(readme)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range workflowBlock.FindAllSubmatch(data, -1) {
			f := filepath.Join(dir, fmt.Sprintf("%s-%d.yml", strings.Trim(filepath.Base(filepath.Dir(readme)), "."), i))
			if err := os.WriteFile(f, m[1], 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
	}
	if len(files) < 3 {
		t.Fatalf("found %d workflows in the READMEs, want the gate, the command and the shards workflows", len(files))
	}
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	lint := func(files ...string) (string, error) {
		out, err := exec.CommandContext(ctx, goCmd, append([]string{"tool", "actionlint", "-no-color"}, files...)...).CombinedOutput()
		return string(out), err
	}
	if out, err := lint(files...); err != nil {
		t.Errorf("actionlint: %v\n%s", err, out)
	}
	broken := filepath.Join(dir, "broken.yml")
	if err := os.WriteFile(broken, []byte("on: [pull_request]\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.nope }}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := lint(broken); err == nil {
		t.Errorf("actionlint accepted a workflow reading an undefined matrix value:\n%s", out)
	}
}
