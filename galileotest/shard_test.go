package galileotest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/galileo-community/galileo-go/config"
)

// TestDealShards: over n = 1..5 shards every key lands in exactly one
// shard (disjoint and complete), shard sizes differ by at most one, and
// the deal depends on the set, not on the order the keys come in.
func TestDealShards(t *testing.T) {
	for _, size := range []int{0, 1, 2, 3, 5, 8, 23} {
		var keys []string
		for i := range size {
			keys = append(keys, fmt.Sprintf("dir/file%d.yaml#exp-%d", i%4, i))
		}
		for n := 1; n <= 5; n++ {
			of := dealShards(keys, n)
			shuffled := slices.Clone(keys)
			rand.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			again := dealShards(append(shuffled, keys...), n) // order and duplicates do not matter
			sizes := make([]int, n+1)
			for _, k := range keys {
				s, ok := of[k]
				if !ok || s < 1 || s > n {
					t.Fatalf("%d keys, n=%d: %q in shard %d (present %v), want 1..%d", size, n, k, s, ok, n)
				}
				if again[k] != s {
					t.Errorf("%d keys, n=%d: %q in shard %d, and %d when shuffled", size, n, k, s, again[k])
				}
				sizes[s]++
			}
			if len(of) != size {
				t.Errorf("%d keys, n=%d: dealt %d keys", size, n, len(of))
			}
			lo, hi := slices.Min(sizes[1:]), slices.Max(sizes[1:])
			if hi-lo > 1 {
				t.Errorf("%d keys, n=%d: shard sizes %v differ by more than one", size, n, sizes[1:])
			}
		}
	}
}

// TestRunner_Shard: the experiments each shard of a Runner keeps are
// disjoint and together all of them, in their order.
func TestRunner_Shard(t *testing.T) {
	var exps []Experiment
	for i := range 11 {
		exps = append(exps, Experiment{Name: fmt.Sprintf("x%d", i), File: fmt.Sprintf("evals/f%d.yaml", i%3)})
	}
	for n := 1; n <= 5; n++ {
		var union []Experiment
		for i := 1; i <= n; i++ {
			r, err := NewRunner(WithConfig(&config.Config{Backend: config.BackendEmulator, Shard: config.Shard{Index: i, Count: n}}))
			if err != nil {
				t.Fatal(err)
			}
			mine, others := r.Shard(exps)
			if len(mine)+others != len(exps) {
				t.Errorf("shard %d/%d: %d mine + %d others, want %d", i, n, len(mine), others, len(exps))
			}
			union = append(union, mine...)
		}
		if len(union) != len(exps) {
			t.Fatalf("n=%d: the shards hold %d experiments, want %d (disjoint and complete)", n, len(union), len(exps))
		}
		slices.SortFunc(union, func(a, b Experiment) int { return strings.Compare(a.Name, b.Name) })
		want := slices.Clone(exps)
		slices.SortFunc(want, func(a, b Experiment) int { return strings.Compare(a.Name, b.Name) })
		for i := range want {
			if union[i].Name != want[i].Name {
				t.Fatalf("n=%d: the shards hold %v", n, union)
			}
		}
	}
	r, err := NewRunner(WithConfig(&config.Config{Backend: config.BackendEmulator}))
	if err != nil {
		t.Fatal(err)
	}
	if mine, others := r.Shard(exps); len(mine) != len(exps) || others != 0 {
		t.Errorf("without a shard: %d mine, %d others; want all", len(mine), others)
	}
}

// TestNew_badShard: a malformed GALILEOTEST_SHARD fails the harness at
// once, naming the variable and what was expected.
func TestNew_badShard(t *testing.T) {
	for _, v := range []string{"3/2", "0/2", "a/b"} {
		tb := newRecordingTB(t)
		tb.run(func(tb testing.TB) {
			New(tb, WithLookupEnv(env{"GALILEOTEST_BACKEND": "emulator", "GALILEOTEST_SHARD": v}.lookup))
		})
		want := fmt.Sprintf("GALILEOTEST_SHARD: %q is not a shard", v)
		if !tb.Failed() || !strings.Contains(tb.errorText(), want) {
			t.Errorf("GALILEOTEST_SHARD=%s: failed %v, errors %q; want one containing %q", v, tb.Failed(), tb.errorText(), want)
		}
	}
}

// TestRunDir_shard runs RunDir over three fixture files (four experiments
// and a broken file) in three child processes, GALILEOTEST_SHARD=1/3 to
// 3/3: every experiment, and the broken file, runs in exactly one shard and
// is skipped in the others with a message naming the shard; each shard's
// report lists only what it ran.
func TestRunDir_shard(t *testing.T) {
	const dirEnv = "GALILEOTEST_TEST_DIR"
	if os.Getenv(subprocessEnv) == "rundir-shard" {
		RunDir(t, os.Getenv(dirEnv), WithFunc("answer", echoFunc), fastEmulator())
		return
	}
	if testing.Short() {
		t.Skip("runs child test processes")
	}
	t.Parallel()
	dir := t.TempDir()
	exp := func(name string) string {
		return "name: " + name + "\ndataset:\n  rows:\n    - {input: \"4\", ground_truth: \"4\"}\nfunction: answer\nmetrics: [correctness]\nexpect:\n  correctness: avg >= 0.9\ntimeout: 30s\n"
	}
	for name, text := range map[string]string{
		"a.yaml": exp("alpha"),
		"b.yaml": "dataset:\n  rows:\n    - {input: \"4\", ground_truth: \"4\"}\nfunction: answer\nmetrics: [correctness]\n" +
			"expect: {correctness: avg >= 0.9}\ntimeout: 30s\nexperiments:\n  - name: beta\n  - name: gamma\n",
		"c.yaml":      exp("delta"),
		"broken.yaml": "name: broken\npromt: x\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const root = "TestRunDir_shard/"
	units := []string{root + "a/alpha", root + "b/beta", root + "b/gamma", root + "c/delta", root + "broken"}
	ranIn := map[string][]int{}
	for i := 1; i <= 3; i++ {
		reportPath := filepath.Join(t.TempDir(), "report.json")
		events := runChildJSON(t, "^TestRunDir_shard$", subprocessEnv+"=rundir-shard", dirEnv+"="+dir,
			"GALILEOTEST_BACKEND=emulator", "GALILEOTEST_REPORT="+reportPath, fmt.Sprintf("GALILEOTEST_SHARD=%d/3", i))
		var ran []string
		for _, u := range units {
			ev := events[u]
			if ev == nil { // a file none of whose experiments this shard runs is skipped whole
				ev = events[path.Dir(u)]
			}
			if ev == nil {
				t.Fatalf("shard %d/3: no events for %s or its file", i, u)
			}
			switch ev.Action {
			case "pass", "fail": // broken fails where it runs
				ranIn[u] = append(ranIn[u], i)
				ran = append(ran, u)
			case "skip":
				if want := fmt.Sprintf("skipped in shard %d/3 (GALILEOTEST_SHARD)", i); !strings.Contains(ev.Output, want) {
					t.Errorf("shard %d/3: %s skipped saying %q; want %q", i, u, ev.Output, want)
				}
			default:
				t.Errorf("shard %d/3: %s: %q, want pass, fail or skip", i, u, ev.Action)
			}
		}
		names := map[string]bool{}
		if len(ran) > 0 {
			for _, e := range readReportFile(t, reportPath).Experiments {
				names[e.Name] = true
			}
		}
		for _, u := range ran {
			if !names[filepath.Base(u)] {
				t.Errorf("shard %d/3 report lacks %s (it has %v)", i, u, names)
			}
		}
		if len(names) != len(ran) {
			t.Errorf("shard %d/3: report lists %v, want only what ran: %v", i, names, ran)
		}
	}
	for _, u := range units {
		if len(ranIn[u]) != 1 {
			t.Errorf("%s ran in shards %v, want exactly one", u, ranIn[u])
		}
	}
}

// childEvent is what go test -json said about one test: its last action
// and its output.
type childEvent struct {
	Action string
	Output string
	Attrs  map[string]string
}

// runChildJSON runs this test binary's tests matching run in a child
// process with extra environment, converts its output with go tool
// test2json and returns the events per test.
func runChildJSON(t *testing.T, run string, extra ...string) map[string]*childEvent {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run="+run, "-test.v=test2json", "-test.count=1", "-test.timeout=80s")
	cmd.Env = childEnv(extra...)
	out, _ := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("the child did not finish in time:\n%s", out)
	}
	var buf bytes.Buffer
	conv := exec.CommandContext(ctx, "go", "tool", "test2json", "-t")
	conv.Stdin, conv.Stdout = bytes.NewReader(out), &buf
	if err := conv.Run(); err != nil {
		t.Fatalf("test2json: %v", err)
	}
	events := map[string]*childEvent{}
	for line := range strings.SplitSeq(buf.String(), "\n") {
		var ev struct{ Action, Test, Output, Key, Value string }
		if json.Unmarshal([]byte(line), &ev) != nil || ev.Test == "" {
			continue
		}
		e := events[ev.Test]
		if e == nil {
			e = &childEvent{Attrs: map[string]string{}}
			events[ev.Test] = e
		}
		switch ev.Action {
		case "output":
			e.Output += ev.Output
		case "attr":
			e.Attrs[ev.Key] = ev.Value
		case "pass", "fail", "skip":
			e.Action = ev.Action
		}
	}
	return events
}
