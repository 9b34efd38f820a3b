// Package examples_test checks that the example suites reach the same
// verdicts whatever aggregate mode the embedded emulator runs in.
package examples_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/report"

	// The suites run as separate binaries; importing what they are built
	// from ties this test's cached result to it.
	_ "github.com/galileo-community/galileo-go/examples/function"
	_ "github.com/galileo-community/galileo-go/examples/report"
	_ "github.com/galileo-community/galileo-go/examples/rerun"
	_ "github.com/galileo-community/galileo-go/examples/yamlsuite"
	_ "github.com/galileo-community/galileo-go/galileotest"
)

// suites are the example packages, relative to this directory.
var suites = []string{"./function", "./report", "./rerun", "./yamlsuite"}

// TestExamples_SameVerdictsInEveryAggregateMode builds the example suites'
// test binaries once and runs them with GALILEOTEST_BACKEND=emulator in
// three modes, in parallel: as is, with
// GALILEOTEST_EMULATOR_STRUCTURED_AGGREGATES=false and with
// GALILEOTEST_EMULATOR_PUBLISH_AGGREGATES=at-completion. Every suite must
// pass in every mode with the verdicts of the default mode.
func TestExamples_SameVerdictsInEveryAggregateMode(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: builds and runs the example suites three times")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("skipped: the go command is needed to build the example suites")
	}
	readSuites(t)
	bins := binDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// Without a symbol table and DWARF, linking takes a third less; the
	// compiled packages come from the build cache either way.
	build := exec.CommandContext(ctx, goBin, append([]string{"test", "-c", "-ldflags=-s -w", "-o", bins + string(filepath.Separator)}, suites...)...)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go test -c %s: %v\n%s", strings.Join(suites, " "), err, out)
	}
	modes := map[string][]string{
		"default":                   nil,
		"structured aggregates off": {"GALILEOTEST_EMULATOR_STRUCTURED_AGGREGATES=false"},
		"published at completion":   {"GALILEOTEST_EMULATOR_PUBLISH_AGGREGATES=at-completion"},
	}
	type result struct {
		mode, verdicts string
		err            error
	}
	results := make(chan result, len(modes))
	for name, env := range modes {
		reports := t.TempDir()
		go func() {
			v, err := runSuites(ctx, bins, reports, env)
			results <- result{name, v, err}
		}()
	}
	got := map[string]string{}
	for range modes {
		r := <-results
		if r.err != nil {
			t.Errorf("%s: %v", r.mode, r.err)
		}
		got[r.mode] = r.verdicts
	}
	if t.Failed() {
		return
	}
	want := got["default"]
	for name := range modes {
		if got[name] != want {
			t.Errorf("%s: verdicts\n%s\nwant (default mode)\n%s", name, got[name], want)
		}
	}
}

// binDir is where the suites' test binaries are kept from one run to the
// next, in the user cache directory (a temporary one if there is none):
// go test -c relinks a binary only when what it is built from changed.
func binDir(t *testing.T) string {
	wd, err := os.Getwd()
	cache, cerr := os.UserCacheDir()
	if err != nil || cerr != nil {
		return t.TempDir()
	}
	sum := sha256.Sum256([]byte(wd)) // one directory per checkout
	dir := filepath.Join(cache, "galileo-go", "examples-test", hex.EncodeToString(sum[:8]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return t.TempDir()
	}
	return dir
}

// readSuites reads every file of the suites (their tests and testdata), so
// that go test's cache of this test's result notices a change to them.
func readSuites(t *testing.T) {
	for _, suite := range suites {
		err := filepath.WalkDir(suite, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			_, err = os.ReadFile(path)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// runSuites runs each suite's test binary from bins in its package
// directory with env added, and returns the verdicts of their reports,
// one line per experiment, sorted.
func runSuites(ctx context.Context, bins, reportDir string, env []string) (string, error) {
	for _, suite := range suites {
		name := filepath.Base(suite)
		cmd := exec.CommandContext(ctx, filepath.Join(bins, name+".test"), "-test.count=1")
		cmd.Dir = suite
		cmd.Env = append(cleanEnv(), "GALILEOTEST_BACKEND=emulator", "GALILEOTEST_REPORT="+reportDir+string(filepath.Separator))
		cmd.Env = append(cmd.Env, env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("%s: %v\n%s", suite, err, out)
		}
	}
	files, err := filepath.Glob(filepath.Join(reportDir, "*.json"))
	if err != nil || len(files) == 0 {
		return "", fmt.Errorf("no report in %s (%v)", reportDir, err)
	}
	var lines []string
	for _, f := range files {
		rep, err := readReport(f)
		if err != nil {
			return "", err
		}
		for _, e := range rep.Experiments {
			var b strings.Builder
			fmt.Fprintf(&b, "%s: %s %s rows=%d", filepath.Base(f), e.Name, e.Status, e.Rows)
			for _, th := range e.Thresholds {
				if th.Metric == "latency" { // measured on the wall clock
					continue
				}
				fmt.Fprintf(&b, "; %s %s pass=%v", th.Metric, th.Expr, th.Pass)
				if th.Actual != nil {
					fmt.Fprintf(&b, " actual=%.9g", *th.Actual)
				}
			}
			lines = append(lines, b.String())
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n"), nil
}

func readReport(path string) (*report.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rep, err := report.ReadJSON(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rep, nil
}

// cleanEnv is the environment without the variables that would point the
// suites elsewhere or change what they run.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GALILEO_") || strings.HasPrefix(k, "SPLUNK_AO_") || strings.HasPrefix(k, "GALILEOTEST_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}
