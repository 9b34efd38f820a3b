package galileotest

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// writeFixtureFile writes n function experiments exp-0 … exp-n-1, each of
// rows rows run one at a time by function fn, into a file of a new
// directory, and returns the file's path.
func writeFixtureFile(t *testing.T, n, rows int, fn string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "function: %s\nconcurrency: 1\nmetrics: [correctness]\nexpect:\n  correctness: avg >= 0.9\ntimeout: 60s\ndataset:\n  rows:\n", fn)
	for r := range rows {
		fmt.Fprintf(&b, "    - {input: \"q%d\", ground_truth: \"a%d\"}\n", r, r)
	}
	b.WriteString("experiments:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - name: exp-%d\n", i)
	}
	path := filepath.Join(t.TempDir(), "suite.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRunFile_experimentsRunAtOnceWhatever_parallel runs one more
// experiment than go test -parallel allows parallel subtests: each one's
// function waits until every experiment is running. They only meet if the
// harness starts them all, independent of -parallel.
func TestRunFile_experimentsRunAtOnceWhatever_parallel(t *testing.T) {
	n := DefaultParallel
	if f := flag.Lookup("test.parallel"); f != nil {
		if p, err := strconv.Atoi(f.Value.String()); err == nil {
			n = min(p+1, DefaultParallel)
		}
	}
	var mu sync.Mutex
	arrived := 0
	all := make(chan struct{})
	meet := func(ctx context.Context, row Row) (string, error) {
		mu.Lock()
		if arrived++; arrived == n {
			close(all)
		}
		mu.Unlock()
		select {
		case <-all:
			return row.GroundTruth, nil
		case <-time.After(20 * time.Second):
			return "", fmt.Errorf("only %d of the %d experiments ran at once", arrived, n)
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	path := writeFixtureFile(t, n, 1, "meet")
	t.Run("suite", func(t *testing.T) {
		RunFile(t, path, WithLookupEnv(env{"GALILEOTEST_BACKEND": "emulator"}.lookup), WithFunc("meet", meet), fastEmulator())
	})
}

// TestWithParallel_limitsExperimentsAtOnce runs four experiments under a
// limit of two and checks that two, never more, ran at once.
func TestWithParallel_limitsExperimentsAtOnce(t *testing.T) {
	var mu sync.Mutex
	running, most := 0, 0
	busy := func(ctx context.Context, row Row) (string, error) {
		mu.Lock()
		running++
		most = max(most, running)
		mu.Unlock()
		time.Sleep(50 * time.Millisecond)
		mu.Lock()
		running--
		mu.Unlock()
		return row.GroundTruth, nil
	}
	path := writeFixtureFile(t, 4, 3, "busy")
	t.Run("suite", func(t *testing.T) {
		RunFile(t, path, WithLookupEnv(env{"GALILEOTEST_BACKEND": "emulator"}.lookup), WithFunc("busy", busy), fastEmulator(), WithParallel(2))
	})
	if most != 2 {
		t.Errorf("at most %d experiments ran at once, want 2 (WithParallel(2))", most)
	}
}

func TestSubtestNames_unique(t *testing.T) {
	seen := subtestNames{}
	var got []string
	for _, sub := range []string{"a", "b", "a", "a#01", "a"} {
		full, name := seen.unique("TestX/file", sub)
		if full != "TestX/file/"+name {
			t.Errorf("full name %q does not end in %q", full, name)
		}
		got = append(got, name)
	}
	// As the testing package names them.
	if want := "a b a#01 a#01#01 a#02"; strings.Join(got, " ") != want {
		t.Errorf("names %q, want %q", strings.Join(got, " "), want)
	}
}
